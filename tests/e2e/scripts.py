"""The scripted model of the whole-run scenarios (`test_orchestrate.py`): a main thread that
follows the orchestrate skill step by step, and the subagents it spawns.

The main thread reads what it needs from the requests Claude Code sends, as a model would: the
launcher path from the expanded skill text, the reviewers from ``cc-pack dispatch --json``, the
fix list from ``cc-pack run status --json``. Subagents react to what reaches them (an
implementer fixes a lint error only when the lint hook's report arrived). Nothing here decides a
gate: the CLI and the hooks do, and the tests assert what they did.

A ``Story`` is the data that differs between scenarios: the reviewers' contracts per iteration,
what each implementer does, how the run ends.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fakeapi import (
    Conversation,
    Reply,
    Request,
    Step,
    both,
    first_user_contains,
    main_thread,
    reply,
    tool,
)
from scenario import pack_agent

ARTIFACT = "CC_PACK_ARTIFACT"
LAUNCHER = re.compile(r'"(/[^"\n]*/skills/orchestrate/bin/cc-pack)"')

# --- the project the runs change ------------------------------------------------------------------

OPS = "src/calc/ops.py"
TESTS = "tests/test_ops.py"
PROJECT_FILES = {
    OPS: "def add(a, b):\n    return a + b\n",
    "src/calc/__init__.py": "",
    TESTS: "from calc.ops import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
}
# two of the four reviewers match a change to src/ or tests/; the others never do here
CONFIG = """\
version: 1
test_command: "python -m pytest -q -p no:cacheprovider"
dispatch:
  reviewers:
    correctness-reviewer: ["src/**"]
    test-reviewer: ["src/**", "tests/**"]
    security-reviewer: ["**/*.sh"]
    maintainability-reviewer: ["**/*.cfg"]
"""
DISPATCHED = ["correctness-reviewer", "test-reviewer"]

OPS_WITH_SUB = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return {body}\n"
BUGGY = OPS_WITH_SUB.format(body="b - a")
FIXED = OPS_WITH_SUB.format(body="a - b")
SUB_LINE = 6  # `return ...` of sub() in both versions
TESTS_WITH_SUB = (
    "from calc.ops import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_sub():\n    assert sub(5, 3) == 2\n"
)

TASK = "add a sub(a, b) function to calc.ops, with a test"
RESEARCH = f"""# Research: {TASK}

## Key files
- {OPS}:1 add() lives here; sub() goes beside it
- {TESTS}:1 the tests of calc.ops

## Risks
- operand order of sub()

## Open questions
- none

## Test command
python -m pytest -q
"""
VALIDATION = "python -m pytest -q -p no:cacheprovider tests/test_ops.py::test_add"
PLAN = {
    "steps": [
        {
            "id": "S1",
            "title": "add sub() and its test",
            "files": [OPS, TESTS],
            "depends_on": [],
            # the reviewers, not the step's own check, catch the reversed operands
            "validation": VALIDATION,
            "parallel": False,
        }
    ]
}
PLAN_MD = (
    "# Plan: add sub()\n\nOne step: the function and its test.\n\n```json\n"
    + json.dumps(PLAN, indent=2)
    + "\n```\n"
)
APPROVAL_ASK = (
    "Plan ready (1 step, scope: src/calc/ops.py, tests/test_ops.py). "
    "Type `/orchestrate approve` to approve this plan and scope, or "
    "`/orchestrate reject <what to change>`."
)


def setup_project(project: Path) -> None:
    for rel, text in PROJECT_FILES.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (project / ".claude").mkdir(exist_ok=True)
    (project / ".claude" / "cc-pack.yaml").write_text(CONFIG)


# --- reviewer contracts -------------------------------------------------------------------------


def finding(severity: str, file: str, line: int, message: str, evidence: str, **extra) -> dict:
    return {
        "severity": severity,
        "file": file,
        "line": line,
        "message": message,
        "evidence": evidence,
        **extra,
    }


def contract(reviewer: str, *findings: dict) -> dict:
    return {"reviewer": reviewer, "summary": f"{len(findings)} finding(s)", "findings": [*findings]}


REVERSED = finding(
    "HIGH",
    OPS,
    SUB_LINE,
    "sub() returns b - a: the operands are reversed",
    "return b - a",
    suggested_fix="return a - b",
)
# the same problem seen by both reviewers, in different words: aggregation must merge them
NO_DOCSTRING = finding("LOW", OPS, 1, "Module has no docstring.", "def add(a, b):")
NO_DOCSTRING_2 = finding("LOW", OPS, 1, "module has no docstring", "line 1 starts with code")
NO_NEGATIVE = finding("MEDIUM", TESTS, 9, "no test with a negative result", "sub(5, 3) only")


# --- what the scripted implementers do ---------------------------------------------------------


def _abs(project: Path, rel: str) -> str:
    return str(project / rel)


def implement_with_lint_fix(project: Path, body: str) -> list[Step]:
    """Write sub() with an unused import; remove the import only if the lint hook said so."""

    def fix_lint(request: Request) -> Reply:
        if "F401" not in request.tail_text():
            return reply("status: done (no lint feedback seen)")
        return reply(
            "lint: the unused import is mine; removing it",
            tool(
                "Edit",
                file_path=_abs(project, OPS),
                old_string="import os\n\n\ndef add",
                new_string="def add",
            ),
        )

    return [
        reply(
            "reading my step's files",
            tool("Read", file_path=_abs(project, OPS)),
            tool("Read", file_path=_abs(project, TESTS)),
        ),
        reply(
            "writing S1",
            tool(
                "Write",
                file_path=_abs(project, OPS),
                content="import os\n\n\n" + OPS_WITH_SUB.format(body=body),
            ),
            tool("Write", file_path=_abs(project, TESTS), content=TESTS_WITH_SUB),
        ),
        fix_lint,
        returned("done", [OPS, TESTS], steps=["S1"]),
    ]


def returned(status: str, changed: list[str], steps: list[str] | None = None, **extra) -> Reply:
    """The return packet (handoff-protocol's return.schema.json) as the final message."""
    value = {
        "status": status,
        "steps": steps or [],
        "changed_files": changed,
        "validation": [{"step": s, "command": VALIDATION, "exit_code": 0} for s in steps or []],
        **extra,
    }
    return reply(json.dumps(value))


def implement_fix(project: Path) -> list[Step]:
    """Fix the reversed operands, but only if the fix list with its evidence arrived."""

    def fix(request: Request) -> Reply:
        if REVERSED["message"] not in request.first_user_text:
            return reply("status: blocked (no fix list in the packet)")
        return reply(
            "fixing the HIGH finding",
            tool("Edit", file_path=_abs(project, OPS), old_string="b - a", new_string="a - b"),
        )

    return [
        reply("reading", tool("Read", file_path=_abs(project, OPS))),
        fix,
        returned("done", [OPS], notes="fixed src/calc/ops.py:6 operands"),
    ]


def implement_nothing(project: Path) -> list[Step]:
    return [
        reply("reading", tool("Read", file_path=_abs(project, OPS))),
        returned("blocked", [], reason="I could not find a fix for the finding."),
    ]


def implement_beside_the_point(project: Path) -> list[Step]:
    """Changes the file but not the bug: progress the no-progress stop must not cut short."""
    return [
        reply("reading", tool("Read", file_path=_abs(project, OPS))),
        reply(
            "adding a docstring instead",
            tool(
                "Edit",
                file_path=_abs(project, OPS),
                old_string="def add(a, b):\n",
                new_string='def add(a, b):\n    """a + b"""\n',
            ),
        ),
        returned("done", [OPS]),
    ]


# --- the story of one run -----------------------------------------------------------------------


@dataclass
class Story:
    """What differs between scenarios.

    ``contracts[n][reviewer]`` is what each reviewer returns in iteration ``n``;
    ``implementers[n]`` makes the implementer steps of iteration ``n`` (given the project);
    ``ending`` is ``"pass"`` (verify, report) or ``"fail"`` (the cap is hit: try one more
    implementer, then report); ``interrupt`` = (iteration, reviewer) whose request kills the
    session once the other reviewers' contracts are stored."""

    contracts: dict[int, dict[str, dict]]
    implementers: dict[int, Callable[[Path], list[Step]]]
    ending: str = "pass"
    max_iterations: int | None = None
    interrupt: tuple[int, str] | None = None
    prefix: str = ""  # "cc-pack:" when the pack is a plugin
    command: str = "/orchestrate"

    @property
    def iterations(self) -> int:
        return len(self.contracts)

    def plugin(self) -> Story:
        return Story(
            self.contracts,
            self.implementers,
            self.ending,
            self.max_iterations,
            self.interrupt,
            prefix="cc-pack:",
            command="/cc-pack:orchestrate",
        )

    def prompt(self) -> str:
        cap = f"--max-iterations {self.max_iterations} " if self.max_iterations else ""
        return f"{self.command} {cap}{TASK}"


# --- the main thread ----------------------------------------------------------------------------


def launcher(request: Request) -> str:
    """The launcher's absolute path as the expanded skill text shows it (the last one: a resumed
    or new session may carry several expansions)."""
    found = LAUNCHER.findall(request.text())
    if not found:
        raise AssertionError("no launcher path in the request: was the skill expanded?")
    return found[-1]


def cli(args: str, description: str = "") -> Step:
    def step(request: Request) -> Reply:
        command = f'"{launcher(request)}" {args}'
        return reply("", tool("Bash", command=command, description=description or args))

    return step


def record(kind: str, text: str) -> Step:
    def step(request: Request) -> Reply:
        command = f"\"{launcher(request)}\" run record {kind} - <<'{ARTIFACT}'\n{text}{ARTIFACT}"
        return reply("", tool("Bash", command=command, description=f"record {kind}"))

    return step


def last_json(request: Request) -> dict:
    """The JSON object the previous CLI call printed."""
    results = request.last_tool_results()
    if not results:
        raise AssertionError("no tool result to read JSON from")
    text = results[-1]["text"]
    start = text.find("{")
    if start < 0:
        raise AssertionError(f"the previous call printed no JSON: {text[:300]}")
    value, _ = json.JSONDecoder().raw_decode(text[start:])
    return value


def agent(story: Story, name: str, prompt: str, description: str):
    return tool(
        "Agent",
        subagent_type=story.prefix + name,
        description=description,
        prompt=prompt,
        run_in_background=False,
    )


def packet(iteration: int, role: str, **fields) -> str:
    lines = [f"Task: {TASK}", f"Iteration: {iteration}", f"Role: {role}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines.append("Return: the format of your agent file.")
    return "\n".join(lines)


def spawn_researchers(story: Story) -> Step:
    areas = ["calc.ops implementation", "tests of calc.ops"]
    return reply(
        "Research: two independent areas, in parallel.",
        *(
            agent(story, "researcher", packet(0, "researcher", Area=area), f"research {area}")
            for area in areas
        ),
    )


def spawn_implementer(story: Story, iteration: int) -> Step:
    """Reads ``run status --json`` (the previous call) for the scope and the fix list."""

    def step(request: Request) -> Reply:
        status = last_json(request)
        fixes = json.dumps(status["fix_list"]) if status["fix_list"] else "none"
        # the packet names the work the implementer owns: the steps, or the fix items
        owns = (
            {"steps": ", ".join(s["id"] for s in PLAN["steps"])}
            if not status["fix_list"]
            else {"fix": ", ".join(item["id"] for item in status["fix_list"])}
        )
        prompt = packet(
            iteration,
            "implementer",
            **owns,
            **{"Plan steps": json.dumps(PLAN["steps"])},
            Scope=", ".join(status["scope"]),
            **{"Fix list": fixes},
        )
        return reply(
            f"Implement, iteration {iteration}.",
            agent(story, "implementer", prompt, f"implement iteration {iteration}"),
        )

    return step


def spawn_dispatched(story: Story, iteration: int, key: str) -> Step:
    """Spawn exactly the reviewers the previous call named, all in one message: ``key`` is
    ``reviewers`` (``dispatch --json``) or the missing ones of ``run status --json``."""

    def step(request: Request) -> Reply:
        data = last_json(request)
        if key == "reviewers":
            names = data["reviewers"]
        else:
            names = [n for n, ok in data["dispatch"]["contracts"].items() if not ok]
        return reply(
            f"Review, iteration {iteration}: {', '.join(names)}.",
            *(
                agent(story, name, packet(iteration, name, Changed=f"{OPS}, {TESTS}"), name)
                for name in names
            ),
        )

    return step


def say(text: str) -> Reply:
    return reply(text)


def first_session(story: Story) -> list[Step]:
    """From `/orchestrate <task>` to the end of the turn at approval."""
    cap = f"--max-iterations {story.max_iterations} " if story.max_iterations else ""
    return [
        cli(f"run start {cap}{shlex.quote(TASK)}", "start the run"),
        spawn_researchers(story),
        record("research", RESEARCH),
        cli("run advance"),
        reply(
            "Plan.",
            agent(
                story,
                "planner",
                packet(0, "planner", Research=".claude/cc-pack/runs/<id>/research.md"),
                "plan",
            ),
        ),
        record("plan", PLAN_MD),
        cli("run advance"),
        say(APPROVAL_ASK),
    ]


def iteration_steps(story: Story, n: int) -> list[Step]:
    return [
        cli("run status --json"),
        spawn_implementer(story, n),
        cli("run advance"),
        cli("dispatch --json"),
        spawn_dispatched(story, n, "reviewers"),
        cli("run advance"),
    ]


def report_steps() -> list[Step]:
    return [cli("report --format json"), final_message]


def final_message(request: Request) -> Reply:
    report = last_json(request)
    return reply(
        f"## cc-pack run {report['run_id']}: {report['status']}\n\n```json\n"
        + json.dumps(report, indent=2)
        + "\n```"
    )


def main_steps(story: Story) -> list[Step]:
    """The main thread's whole script; the second prompt (`/orchestrate approve`) resumes the
    session, so its steps continue the count."""
    steps = [*first_session(story), cli("run advance")]
    for n in range(1, story.iterations + 1):
        steps += iteration_steps(story, n)
    if story.ending == "pass":
        steps += [cli("run advance", "verify"), *report_steps()]
    else:
        # the cap is hit: one more implementer is what the spawn gate must refuse
        steps += [
            reply(
                "One more try.",
                agent(
                    story,
                    "implementer",
                    packet(story.iterations + 1, "implementer"),
                    "implement again",
                ),
            ),
            *report_steps(),
        ]
    return steps


def resumed_steps(story: Story, n: int) -> list[Step]:
    """A new session (`/orchestrate resume`) finishing a run killed in review, iteration ``n``."""
    return [
        cli("run resume"),
        cli("run status --json"),
        spawn_dispatched(story, n, "missing"),
        cli("run advance"),
        cli("run advance", "verify"),
        *report_steps(),
    ]


# --- the subagents ------------------------------------------------------------------------------


def researcher_reply(request: Request) -> Reply:
    area = re.search(r"Area: (.*)", request.first_user_text)
    return reply(f"## Key files\n- {OPS}:1\n## Risks\n- none for {area and area.group(1)}")


@dataclass
class Interrupt:
    """Kills the session at a reviewer's first request, once the other contracts are stored
    (so the crash is mid-review: some contracts in, one pending); later requests get the
    contract."""

    kill: Callable[[], bool]
    findings_dir: Callable[[], Path | None]
    others: int
    contract: dict
    fired: list[float] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        if self.fired:
            return contract_reply(self.contract)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            folder = self.findings_dir()
            if folder and len(list(folder.glob("*.json"))) >= self.others:
                break
            time.sleep(0.05)
        self.fired.append(time.monotonic())
        self.kill()
        return reply("(killed)")


def contract_reply(value: dict) -> Reply:
    return reply("```json\n" + json.dumps(value, indent=2) + "\n```")


def conversations(
    story: Story,
    project: Path,
    *,
    kill: Callable[[], bool] | None = None,
    findings_dir: Callable[[], Path | None] | None = None,
) -> list[Conversation]:
    convs = [
        Conversation(
            "main-resumed",
            both(main_thread(), first_user_contains("<arguments>resume</arguments>")),
            resumed_steps(story, story.interrupt[0]) if story.interrupt else [],
        ),
        Conversation("main", main_thread(), main_steps(story)),
        Conversation("researcher", pack_agent("researcher"), [researcher_reply]),
        Conversation("planner", pack_agent("planner"), [reply(PLAN_MD)]),
    ]
    for n in range(1, story.iterations + 2):
        mark = first_user_contains(f"Iteration: {n}\n")
        steps = story.implementers[n](project) if n in story.implementers else []
        convs.append(Conversation(f"implementer-{n}", both(pack_agent("implementer"), mark), steps))
        for name, value in story.contracts.get(n, {}).items():
            first: Step = contract_reply(value)
            if story.interrupt == (n, name):
                assert kill and findings_dir, "an interrupted story needs kill and findings_dir"
                first = Interrupt(kill, findings_dir, len(story.contracts[n]) - 1, value)
            # the tail answers a contract check that sends the reviewer back
            convs.append(
                Conversation(
                    f"{name}-{n}",
                    both(pack_agent(name), mark),
                    [first, contract_reply(value), contract_reply(value)],
                )
            )
    return convs


# --- the stories --------------------------------------------------------------------------------


def happy() -> Story:
    """Iteration 1: a HIGH (reversed operands) plus duplicates to merge; iteration 2 fixes it."""
    return Story(
        contracts={
            1: {
                "correctness-reviewer": contract("correctness-reviewer", REVERSED, NO_DOCSTRING),
                "test-reviewer": contract("test-reviewer", NO_DOCSTRING_2, NO_NEGATIVE),
            },
            2: {
                "correctness-reviewer": contract("correctness-reviewer", NO_DOCSTRING),
                "test-reviewer": contract("test-reviewer", NO_DOCSTRING_2, NO_NEGATIVE),
            },
        },
        implementers={
            1: lambda p: implement_with_lint_fix(p, "b - a"),
            2: implement_fix,
        },
    )


def capped() -> Story:
    """The HIGH is never fixed and the cap is 2: the run must FAIL."""
    high = {
        "correctness-reviewer": contract("correctness-reviewer", REVERSED),
        "test-reviewer": contract("test-reviewer", NO_NEGATIVE),
    }
    return Story(
        contracts={1: high, 2: high},
        implementers={
            1: lambda p: implement_with_lint_fix(p, "b - a"),
            2: implement_beside_the_point,
            3: implement_nothing,
        },
        ending="fail",
        max_iterations=2,
    )


def interrupted() -> Story:
    """Correct code in iteration 1; the session dies while the test reviewer is working."""
    return Story(
        contracts={
            1: {
                "correctness-reviewer": contract("correctness-reviewer", NO_DOCSTRING),
                "test-reviewer": contract("test-reviewer", NO_NEGATIVE),
            }
        },
        implementers={1: lambda p: implement_with_lint_fix(p, "a - b")},
        interrupt=(1, "test-reviewer"),
    )
