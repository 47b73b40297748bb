"""The guard hooks against the real Claude Code (guard-hooks issue, "Real client"; e2e issue,
scenario 4). Permissions are bypassed (``--dangerously-skip-permissions``), so the pack's hooks
are the only thing between the scripted model and the disk. Each forbidden attempt must leave no
effect, be listed in the final ``result.permission_denials`` (main thread), and its reason must
reach the model in the next request; each legal action must go through.

Runs start mid-run from a schema-validated state written by ``runstate.write_run`` after a real
``cc-pack init``."""

from __future__ import annotations

import json

import pytest
import runstate
from fakeapi import Conversation, first_user_contains, main_thread, reply, tool
from scenario import commit_all, install, pack_agent, write_notebook

pytestmark = pytest.mark.e2e

CONTRACT = {
    "reviewer": "correctness-reviewer",
    "summary": "one low finding",
    "findings": [
        {
            "severity": "LOW",
            "file": "src/app.py",
            "line": 1,
            "message": "constant name is terse",
            "evidence": "X = 1",
        }
    ],
}
DONE = [reply("Stopping here.")] * 10  # tail: a stop the stop gate may send back a few times


@pytest.fixture
def packed(project):
    """The project with the pack installed by ``cc-pack init`` and some code, all committed."""
    install(project)
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("X = 1\n")
    write_notebook(project / "nb.ipynb")
    commit_all(project)
    return project


# --- reading the outcome ------------------------------------------------------------------------


def use_of(run, name: str, marker: str) -> dict:
    found = [
        u
        for u in run.tool_uses()
        if u["name"] == name and any(marker in str(v) for v in u["input"].values())
    ]
    assert found, f"the model never called {name} with {marker!r}\n{run.describe()}"
    return found[0]


def seen_by_model(api, use: dict) -> dict:
    """The tool_result for ``use`` as it reached the model in the next request."""
    for request in api.requests:
        for message in request.messages:
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for block in content:
                if block.get("type") == "tool_result" and block.get("tool_use_id") == use["id"]:
                    inner = block.get("content")
                    if isinstance(inner, list):
                        inner = "\n".join(b.get("text", "") for b in inner)
                    return {"is_error": bool(block.get("is_error")), "text": inner or ""}
    raise AssertionError(f"no request carried the result of {use['name']} {use['input']}")


def assert_denied(run, api, name: str, marker: str, *reason_parts: str, main: bool = True) -> str:
    use = use_of(run, name, marker)
    got = seen_by_model(api, use)
    assert got["is_error"], f"{name} {marker!r} was not refused: {got}\n{run.describe()}"
    for part in reason_parts:
        assert part in got["text"], f"reason for {name} {marker!r} lacks {part!r}: {got['text']}"
    if main:
        denied = {d.get("tool_use_id") for d in run.permission_denials}
        assert use["id"] in denied, (
            f"{name} {marker!r} not in permission_denials {denied}; the model saw: {got['text']}"
        )
    return got["text"]


def assert_allowed(run, api, name: str, marker: str) -> None:
    got = seen_by_model(api, use_of(run, name, marker))
    assert not got["is_error"], f"{name} {marker!r} was refused: {got['text']}"


def implementer_does(*steps) -> tuple[Conversation, Conversation]:
    """The main thread in implement delegates to one implementer, which plays ``steps``: during
    a run only implementers change project files."""
    spawn = tool("Agent", description="implement", prompt="implement step s1",
                 subagent_type="implementer", run_in_background=False)  # fmt: skip
    return (
        Conversation("main", main_thread(), [reply("delegate", spawn), *DONE]),
        Conversation("implementer", pack_agent("implementer"), [*steps, reply("Done.")]),
    )


# --- scope guard: Write, Edit, NotebookEdit ----------------------------------------------------


def test_scope_guard_file_tools_outside_scope_are_denied(claude, api, packed):
    runstate.write_run(packed, phase="implement", scope=["src/**"])
    readme = (packed / "README.md").read_bytes()
    notebook = (packed / "nb.ipynb").read_bytes()
    api.add(
        *implementer_does(
            reply(
                "read",
                tool("Read", file_path=str(packed / "README.md")),
                tool("Read", file_path=str(packed / "nb.ipynb")),
            ),
            reply(
                "edit",
                tool("Write", file_path=str(packed / "docs" / "out.md"), content="x\n"),
                tool("Write", file_path=str(packed / "src" / "ok.py"), content="OK = 1\n"),
                tool(
                    "Edit",
                    file_path=str(packed / "README.md"),
                    old_string="demo",
                    new_string="pwned",
                ),
                tool(
                    "NotebookEdit",
                    notebook_path=str(packed / "nb.ipynb"),
                    cell_id="c1",
                    new_source="print('pwned')",
                    edit_mode="replace",
                ),
                tool("Write", file_path=str(packed / "src" / ".." / "escape.txt"), content="x"),
            ),
        )
    )
    run = claude.run("implement step s1")

    assert not (packed / "docs" / "out.md").exists()
    assert not (packed / "escape.txt").exists()
    assert (packed / "README.md").read_bytes() == readme
    assert (packed / "nb.ipynb").read_bytes() == notebook
    assert (packed / "src" / "ok.py").read_text() == "OK = 1\n"
    assert_denied(run, api, "Write", "docs/out.md", "docs/out.md", "src/**", main=False)
    assert_denied(run, api, "Edit", "README.md", "README.md", main=False)
    assert_denied(run, api, "NotebookEdit", "nb.ipynb", "nb.ipynb", main=False)
    assert_denied(run, api, "Write", "escape.txt", "escape.txt", main=False)
    assert_allowed(run, api, "Write", "src/ok.py")


def test_scope_guard_bash_writes_outside_scope_are_denied(claude, api, packed):
    runstate.write_run(packed, phase="implement", scope=["src/**"])
    readme = (packed / "README.md").read_bytes()
    attempts = {
        "redirect": "echo pwned > out.txt",
        "copy": "cp README.md copy.md",
        "sed": "sed -i s/demo/pwned/ README.md",
        "chain": "git status --short && touch touched.txt",
        "cd": "mkdir -p docs && cd docs && tee t.txt < /dev/null",
        "opaque": "python3 -c \"open('py.txt', 'w').write('x')\"",
    }
    api.add(
        *implementer_does(
            reply("bash", *(tool("Bash", command=c, description=k) for k, c in attempts.items())),
            reply(
                "legal",
                tool("Bash", command="echo fine > src/b.txt", description="in scope"),
                tool("Bash", command="git status --short", description="read only"),
            ),
        )
    )
    run = claude.run("implement step s1")

    for name in ("out.txt", "copy.md", "touched.txt", "docs/t.txt", "py.txt"):
        assert not (packed / name).exists(), f"{name} was written"
    assert (packed / "README.md").read_bytes() == readme
    for command in attempts.values():
        assert_denied(run, api, "Bash", command, main=False)
    assert_allowed(run, api, "Bash", "src/b.txt")
    assert_allowed(run, api, "Bash", "read only")
    assert (packed / "src" / "b.txt").read_text() == "fine\n"


def test_scope_guard_protects_run_state_and_read_only_phases(claude, api, packed):
    state_path = runstate.write_run(packed, phase="research", scope=[])
    active = packed / ".claude" / "cc-pack" / "active.json"
    active_before = active.read_bytes()
    forged = runstate.state(phase="implement", scope=["**"])
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                # the first hook event binds the run to the session (a state write), so the
                # Read that Write needs comes after it
                reply("bind", tool("Bash", command="git status --short", description="look")),
                reply("look", tool("Read", file_path=str(state_path))),
                reply(
                    "shortcut",
                    tool("Write", file_path=str(packed / "src" / "early.py"), content="E = 1\n"),
                    tool("Write", file_path=str(state_path), content=json.dumps(forged)),
                    tool(
                        "Bash",
                        command='echo \'{"run_id": "other"}\' > .claude/cc-pack/active.json',
                        description="forge",
                    ),
                ),
                *DONE,
            ],
        )
    )
    run = claude.run("research the task")

    assert not (packed / "src" / "early.py").exists()
    assert active.read_bytes() == active_before
    state = runstate.read(state_path)
    assert state["phase"] == "research" and state["scope"]["patterns"] == []
    assert_denied(run, api, "Write", "early.py", "research")
    assert_denied(run, api, "Write", "state.json")
    assert_denied(run, api, "Bash", "active.json")


def test_scope_guard_read_only_reviewer_cannot_write(claude, api, packed):
    runstate.write_run(packed, phase="review", scope=["src/**"], reviewers=["correctness-reviewer"])
    app = (packed / "src" / "app.py").read_bytes()
    api.add(
        main_spawns_the_reviewer(),
        Conversation(
            "reviewer",
            pack_agent("correctness-reviewer"),
            [
                reply(
                    "",
                    tool("Bash", command="echo 'X = 2' > src/app.py", description="fix it myself"),
                ),
                reply("```json\n" + json.dumps(CONTRACT) + "\n```"),
                reply("```json\n" + json.dumps(CONTRACT) + "\n```"),
            ],
        ),
    )
    run = claude.run("review the change")

    assert (packed / "src" / "app.py").read_bytes() == app
    assert_denied(run, api, "Bash", "X = 2", "correctness-reviewer", main=False)


def main_spawns_the_reviewer() -> Conversation:
    """The main thread in review: one correctness-reviewer in the foreground, then done."""
    spawn = tool(
        "Agent",
        description="review",
        prompt="review src/app.py",
        subagent_type="correctness-reviewer",
        run_in_background=False,
    )
    return Conversation("main", main_thread(), [reply("review", spawn), *DONE])


# --- spawn gate -----------------------------------------------------------------------------------


def test_spawn_gate_denies_nesting(claude, api, packed):
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "delegate",
                    tool(
                        "Agent",
                        description="outer",
                        prompt="OUTER-TASK",
                        subagent_type="general-purpose",
                        run_in_background=False,
                    ),
                ),
                *DONE,
            ],
        ),
        Conversation(
            "nested",
            first_user_contains("NESTED-TASK"),
            [reply("NESTED RAN")],
        ),
        Conversation(
            "outer",
            first_user_contains("OUTER-TASK"),
            [
                reply(
                    "",
                    tool(
                        "Agent",
                        description="nested",
                        prompt="NESTED-TASK",
                        subagent_type="general-purpose",
                        run_in_background=False,
                    ),
                ),
                reply("outer done"),
            ],
        ),
    )
    run = claude.run("delegate")

    assert api.requests_of("nested") == [], "the nested subagent ran"
    assert_denied(run, api, "Agent", "NESTED-TASK", main=False)


def test_spawn_gate_allows_only_the_phase_agents(claude, api, packed):
    runstate.write_run(packed, phase="plan", scope=[])
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "too early",
                    tool(
                        "Agent",
                        description="implement",
                        prompt="IMPLEMENT-NOW",
                        subagent_type="implementer",
                        run_in_background=False,
                    ),
                ),
                reply(
                    "plan",
                    tool(
                        "Agent",
                        description="plan",
                        prompt="PLAN-IT",
                        subagent_type="planner",
                        run_in_background=False,
                    ),
                ),
                *DONE,
            ],
        ),
        Conversation("implementer", pack_agent("implementer"), [reply("IMPLEMENTER RAN")]),
        Conversation("planner", pack_agent("planner"), [reply("PLAN READY")]),
    )
    run = claude.run("plan the task")

    assert api.requests_of("implementer") == []
    assert_denied(run, api, "Agent", "IMPLEMENT-NOW", "plan", "cc-pack run status")
    assert_allowed(run, api, "Agent", "PLAN-IT")
    assert len(api.requests_of("planner")) == 1


# --- approval capture -----------------------------------------------------------------------------


def test_only_the_human_prompt_approves(claude, api, packed):
    state_path = runstate.write_run(packed, phase="approval", scope=["src/**"])
    approved = runstate.state(phase="approval", scope=["src/**"], approved=True)
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                # the first hook event binds the run to the session (a state write), so the
                # Read that Write needs comes after it
                reply("bind", tool("Bash", command="git status --short", description="look")),
                reply("look", tool("Read", file_path=str(state_path))),
                reply(
                    "self-approve",
                    tool("Skill", skill="orchestrate", args="approve"),
                    tool("Write", file_path=str(state_path), content=json.dumps(approved)),
                    tool(
                        "Bash",
                        command="python3 -c \"import json; print('approve')\" "
                        "> .claude/cc-pack/approve.txt",
                        description="forge",
                    ),
                ),
                reply("Plan ready: waiting for your approval."),
                *DONE,
            ],
        )
    )
    first = claude.run("/orchestrate status")
    assert runstate.read(state_path)["approval"]["status"] == "pending", first.describe()
    assert len(api.requests_of("main")) == 4, "the stop gate must let the turn end at approval"
    assert_denied(first, api, "Write", "state.json")
    assert not (packed / ".claude" / "cc-pack" / "approve.txt").exists()

    second = claude.run("/orchestrate approve", resume=first.session_id)
    assert second.returncode == 0, second.describe()
    approval = runstate.read(state_path)["approval"]
    assert approval["status"] == "approved" and approval["by"] == "user", approval
    assert approval["prompt_id"], approval


# --- lint after edit ---------------------------------------------------------------------


def test_lint_feedback_reaches_the_model_and_the_fix_is_clean(claude, api, packed):
    bad = packed / "src" / "bad.py"

    def fix_when_told(request):
        """React like a model: fix the file only if the lint feedback arrived."""
        if "F401" in request.tail_text():
            return reply("fixing", tool("Write", file_path=str(bad), content="X = 1\n"))
        return reply("no feedback seen")

    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("write", tool("Write", file_path=str(bad), content="import os\nX = 1\n")),
                fix_when_told,
                reply("clean now"),
                *DONE,
            ],
        )
    )
    run = claude.run("add bad.py")

    requests = api.requests_of("main")
    assert "F401" in requests[1].tail_text(), requests[1].tail_text()
    assert "bad.py" in requests[1].tail_text()
    assert bad.read_text() == "X = 1\n", run.describe()
    assert "F401" not in requests[2].tail_text(), "a clean file must get no lint output"


def test_lint_does_not_blame_untouched_lines(claude, api, packed):
    legacy = packed / "src" / "legacy.py"
    legacy.write_text("import os\n\nVALUE = 1\n")
    commit_all(packed)
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("read", tool("Read", file_path=str(legacy))),
                reply(
                    "edit",
                    tool(
                        "Edit",
                        file_path=str(legacy),
                        old_string="VALUE = 1",
                        new_string="VALUE = 2",
                    ),
                ),
                *DONE,
            ],
        )
    )
    run = claude.run("bump the value")
    assert legacy.read_text() == "import os\n\nVALUE = 2\n", run.describe()
    assert "F401" not in api.requests_of("main")[2].tail_text()


# --- contract check ----------------------------------------------------------------------


def test_reviewer_prose_is_sent_back_and_the_contract_is_stored(claude, api, packed):
    state_path = runstate.write_run(
        packed, phase="review", scope=["src/**"], reviewers=["correctness-reviewer"]
    )
    api.add(
        main_spawns_the_reviewer(),
        Conversation(
            "reviewer",
            pack_agent("correctness-reviewer"),
            [
                reply("Looks good to me, nothing to report."),
                reply("```json\n" + json.dumps(CONTRACT) + "\n```"),
                reply("```json\n" + json.dumps(CONTRACT) + "\n```"),
            ],
        ),
    )
    run = claude.run("review the change")

    reviews = api.requests_of("reviewer")
    assert len(reviews) >= 2, run.describe()
    feedback = reviews[1].tail_text()
    assert "Stop hook feedback" in feedback and "findings" in feedback, feedback
    findings = list((state_path.parent / "findings").glob("*.json"))
    assert len(findings) == 1, findings
    stored = json.loads(findings[0].read_text())
    assert stored["valid"] is True and stored["contract"] == CONTRACT, stored
    assert stored["agent_type"] == "correctness-reviewer"


# --- stop gate -----------------------------------------------------------------------------------


def test_stop_gate_keeps_an_unfinished_run_going(claude, api, packed):
    runstate.write_run(packed, phase="implement", scope=["src/**"])
    api.add(Conversation("main", main_thread(), [reply("I am done."), *DONE]))
    run = claude.run("implement")

    requests = api.requests_of("main")
    assert len(requests) >= 2, run.describe()
    feedback = requests[1].tail_text()
    assert "Stop hook feedback" in feedback and "implement" in feedback, feedback


def test_stop_attempts_separated_by_work_keep_the_run_going(claude, api, packed):
    """Claude Code keeps stop_hook_active true for the rest of the turn after the first block,
    so counting by it let the turn end after three blocks spread over real work. Now only idle
    blocks count: four stops with work between are all sent back, then three idle ones, then
    the turn ends (the human is told the run is still active)."""
    runstate.write_run(packed, phase="implement", scope=["src/**"])
    work = [
        step
        for k in range(4)
        for step in (reply(f"stopping {k}"), reply("", tool("Bash", command=f"echo work-{k}")))
    ]
    api.add(Conversation("main", main_thread(), [*work, *DONE]))  # fmt: skip
    run = claude.run("implement")

    feedback = [r for r in api.requests_of("main") if "Stop hook feedback" in r.tail_text()]
    assert len(feedback) == 4 + 3, run.describe()
    assert run.result.get("subtype") == "success", run.describe()


def test_stop_gate_lets_the_turn_end_without_a_run(claude, api, packed):
    api.add(Conversation("main", main_thread(), [reply("I am done."), *DONE]))
    run = claude.run("hello")
    assert len(api.requests_of("main")) == 1, run.describe()
    assert run.result["result"] == "I am done."


# --- bash audit (lenient scope) -------------------------------------------------------------------


def test_bash_audit_reports_out_of_scope_changes(claude, api, packed):
    config = runstate.state(phase="implement")["config"]
    config["scope"]["strict"] = False
    state_path = runstate.write_run(packed, phase="implement", scope=["src/**"], config=config)
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "opaque",
                    tool(
                        "Bash",
                        command="python3 -c \"open('leak.txt', 'w').write('x')\"",
                        description="opaque write",
                    ),
                ),
                *DONE,
            ],
        )
    )
    run = claude.run("implement")

    assert "leak.txt" in api.requests_of("main")[1].tail_text(), run.describe()
    violations = runstate.read(state_path)["audit"]["violations"]
    assert [v["path"] for v in violations] == ["leak.txt"], violations
