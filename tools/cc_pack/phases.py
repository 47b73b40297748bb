"""The phase gates: what ``cc-pack run advance`` checks in each phase and where it moves the run.

Each gate reads the run and returns a ``Step``: either the problems that stop it (exit 1, the
state untouched) or the change to apply under the state lock. Legal moves:

    research -> plan -> approval -> implement -> review -> verify -> report (PASS)
    plan -> implement                  with --auto-approve (recorded as by "auto-approve")
    plan -> implement                  a queued task's plan inside its envelope (by "envelope")
    approval -> plan                   the human rejected the plan (feedback kept)
    review|verify -> implement         CRITICAL/HIGH findings or failing tests, iterations left
    review|verify -> report (FAIL)     the same with no iteration left: never a further loop
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cc_pack import (
    envelope,
    fanin,
    findings,
    gitchanges,
    lint,
    plan,
    progress,
    scope,
    verify,
    waves,
    worktrees,
)
from cc_pack import steps as steps_mod
from cc_pack.state import Run, event, expect, fresh_approval, now
from cc_pack_hooks import owners, roles, store
from cc_pack_hooks.sandbox import Confined

RESEARCH_SECTIONS = ("Key files", "Risks", "Open questions")
WAIT_FOR_HUMAN = (
    "waiting for the human: they type `/orchestrate approve` or "
    "`/orchestrate reject <feedback>`; end your turn, then run `cc-pack run advance`"
)


@dataclass
class Step:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    to: str | None = None  # the phase the run moves to
    message: str = ""
    change: Callable[[dict], None] | None = None
    # what the gate learnt even when it refuses (the steps' validations): saved either way
    record: Callable[[dict], None] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _move(run: Run, to: str, extra: Callable[[dict], None] | None = None, **details):
    """The change that moves the run from its current phase and iteration to ``to``."""
    phase, iteration = run.phase, run.state["iteration"]

    def change(state: dict) -> None:
        expect(state, phase, iteration)
        if extra:
            extra(state)
        state["phase"] = to
        event(state, "advance", **{"from": phase, "to": to, "iteration": iteration, **details})

    return change


# --- research ----------------------------------------------------------------------------------


def headings(text: str) -> list[str]:
    found, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            found.append(findings.normalise(line.lstrip("#")))
    return found


def research_gate(run: Run) -> Step:
    path = run.path("research.md")
    if not path.is_file():
        return Step(
            [
                "research.md is missing: record the research (sections Key files, Risks, "
                f"Open questions) with {record_hint('research')}"
            ]
        )
    titles = headings(path.read_text(encoding="utf-8", errors="replace"))
    missing = [
        s for s in RESEARCH_SECTIONS if not any(t.startswith(findings.normalise(s)) for t in titles)
    ]
    if missing:
        return Step(
            [
                f"research.md lacks the sections: {', '.join(missing)} (Markdown headings, "
                f"e.g. `## {missing[0]}`); add them and record it again"
            ]
        )
    return Step(to="plan", message="research recorded: plan next", change=_move(run, "plan"))


# --- plan and approval -------------------------------------------------------------------------


def plan_key(value: dict | None) -> str:
    """A plan's identity, to recognise the one the human rejected when it is offered again."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def plan_gate(run: Run) -> Step:
    problems = plan.check(run.state["plan"])
    if not problems:
        problems = steps_mod.context_problems(run, run.state["plan"])
    rejected_before = [
        r for r in run.state["approval"]["history"]
        if r.get("status") == "rejected" and r.get("plan_key") == plan_key(run.state["plan"])
    ]  # fmt: skip
    if rejected_before and not problems:
        problems.append(
            "this is the plan the human rejected, unchanged (their feedback: "
            f"{rejected_before[-1].get('feedback')!r}): revise it for that feedback, record it "
            f"again with {record_hint('plan')}, then `cc-pack run advance`"
        )
    if problems:
        return Step(problems)
    initial_steps = steps_mod.initial(run, run.state["plan"])
    patterns = list(
        dict.fromkeys([*run.state["scope"].get("manual", []), *plan.files(run.state["plan"])])
    )
    auto = run.state["auto_approve"]
    # a queued task's envelope: the human's approval in advance, for a scope inside it only
    granted = envelope.check(run.state, patterns)
    by_envelope = granted is not None and not granted[1] and not auto

    def approve(state: dict) -> None:
        state["scope"]["patterns"] = patterns
        state["steps"] = initial_steps
        history = state["approval"]["history"]
        if auto or by_envelope:
            state["approval"] = {
                **fresh_approval(history),
                "status": "approved",
                "at": now(),
                "by": "auto-approve" if auto else "envelope",
                "scope": patterns,
            }
            if by_envelope:
                state["approval"]["envelope"] = granted[0]
        else:
            state["approval"] = {**fresh_approval(history), "status": "pending"}
            if granted is not None:
                state["approval"]["outside"] = granted[1]

    scope_text = ", ".join(patterns)
    if auto:
        return Step(
            to="implement",
            change=_move(run, "implement", approve, approval="auto-approve"),
            message=f"plan passed; auto-approved (run started with --auto-approve); "
            f"scope: {scope_text}",
        )
    if by_envelope:
        return Step(
            to="implement",
            change=_move(run, "implement", approve, approval="envelope"),
            message=f"plan passed; approved by envelope (the scope lies inside the globs the "
            f"human queued the task with: {', '.join(granted[0])}); scope: {scope_text}",
        )
    if granted is not None:
        return Step(
            to="approval",
            change=_move(run, "approval", approve),
            message=f"plan passed; scope: {scope_text}. It reaches outside the task's envelope "
            f"({', '.join(granted[0]) or 'none given'}): {', '.join(granted[1])}. End your turn: "
            "the human approves it with `cc-pack queue approve` or rejects it",
        )
    return Step(
        to="approval",
        change=_move(run, "approval", approve),
        message=f"plan passed; scope: {scope_text}. Show the human the plan; " + WAIT_FOR_HUMAN,
    )


def rejected(run: Run) -> Step:
    """The human sent the plan back (before implement, or later to widen the scope)."""
    feedback = run.state["approval"].get("feedback") or "(no feedback given)"

    def reopen(state: dict) -> None:
        record = {k: v for k, v in state["approval"].items() if k != "history"}
        record["plan_key"] = plan_key(state["plan"])
        state["approval"] = fresh_approval([*state["approval"]["history"], record])
        state["dispatch"] = None
        state["fix_list"] = []

    return Step(
        to="plan",
        change=_move(run, "plan", reopen, feedback=feedback),
        message=f"the human rejected the plan: {feedback}\nrevise the plan, record "
        f"it with {record_hint('plan')}, then `cc-pack run advance`",
    )


def approval_gate(run: Run) -> Step:
    approval = run.state["approval"]
    current = run.state["scope"]["patterns"]
    if approval["status"] == "rejected":
        return rejected(run)
    if approval["status"] != "approved":
        return Step([WAIT_FOR_HUMAN])
    approved = approval.get("scope")
    if approved is None or sorted(approved) != sorted(current):
        return Step(
            [
                f"the approval covered the scope {approved} but the scope is now {current}: "
                "the human must approve the current scope (`/orchestrate approve`) "
                "or send it back (`/orchestrate reject <feedback>`)"
            ]
        )
    return Step(
        to="implement",
        change=_move(run, "implement"),
        message=f"approved by {approval['by']}; scope frozen: {', '.join(current)}",
    )


# --- implement ---------------------------------------------------------------------------------


def implement_gate(run: Run) -> Step:
    if not gitchanges.is_git(run.root):
        return Step(
            [
                f"{run.root} is not a git repository: cc-pack audits the change with git; "
                "`git init` and commit the project, then start a new run"
            ]
        )
    wave = waves.active(run.state)
    if wave is None:
        return _implement_checks(run)
    running = [
        sid
        for sid in wave["steps"]
        if any(sid in o.get("steps", []) for o in owners.live(run.state).values())
        or any(sid in s.get("steps", []) for s in (run.state.get("spawns") or {}).values())
    ]
    if running:
        return Step(
            [
                f"wave {wave['n']} is still running: the implementer of "
                f"{', '.join(running)} has not returned; wait for it, then advance"
            ]
        )
    if not wave["parallel"]:
        return _with_wave(run, _implement_checks(run), _wave_ended(wave, "done"))
    try:
        outcome = fanin.merge(run, wave)
    except worktrees.GitFailed as exc:
        return Step([f"wave {wave['n']} could not be merged: {exc}; the trees are kept"])
    if outcome.problem:
        return Step([outcome.problem])
    if outcome.conflicts or outcome.broken:
        blockers = _wave_blockers(run, wave, outcome)
        why = f"wave {wave['n']} did not merge cleanly"
        return _with_wave(run, _loop_or_fail(run, blockers, why), _wave_ended(wave, "failed",
                          outcome))  # fmt: skip
    step = _implement_checks(run)
    step.notes.insert(0, f"wave {wave['n']} merged ({', '.join(outcome.merged) or 'nothing'}): "
                         f"{len(outcome.applied)} file(s) in {outcome.seconds:.1f} s")  # fmt: skip
    return _with_wave(run, step, _wave_ended(wave, "merged", outcome))


def _wave_ended(wave: dict, status: str, outcome=None) -> Callable[[dict], None]:
    def change(state: dict) -> None:
        for record in state.get("waves") or []:
            if record["n"] != wave["n"]:
                continue
            record["status"] = status
            record["ended_at"] = now()
            if outcome is not None:
                record["merge"] = {
                    "merged": outcome.merged,
                    "applied": outcome.applied,
                    "unchanged": outcome.unchanged,
                    "conflicts": [
                        {k: c[k] for k in ("step", "files", "with")} for c in outcome.conflicts
                    ],
                    "broken": outcome.broken,
                    "seconds": round(outcome.seconds, 2),
                }
        for step in state.get("steps") or []:
            if step["id"] in wave["steps"]:
                step["tree"] = None  # after fan-in every step's files are the main tree's
                if outcome is not None and step["id"] in outcome.validations:
                    step["merged_validation"] = outcome.validations[step["id"]]

    return change


def _with_wave(run: Run, step: Step, ended: Callable[[dict], None]) -> Step:
    """The gate's step with the wave's record saved whichever way it goes."""
    inner_change, inner_record = step.change, step.record

    def change(state: dict) -> None:
        if inner_change is not None:
            inner_change(state)
        ended(state)

    def record(state: dict) -> None:
        if inner_record is not None:
            inner_record(state)
        ended(state)

    if step.change is not None:
        step.change = change
    step.record = record
    return step


def _wave_blockers(run: Run, wave: dict, outcome) -> list[dict]:
    blockers = []
    for conflict in outcome.conflicts:
        steps = [*conflict["with"], conflict["step"]]
        onto = ", ".join(conflict["with"]) or "the base"
        sides = "\n".join(
            f"--- {path} as {label} left it:\n{text}"
            for path, by in conflict["sides"].items()
            for label, text in by.items()
        )
        blockers.append(
            {
                "severity": "HIGH",
                "source": "merge",
                "file": conflict["files"][0] if conflict["files"] else None,
                "line": None,
                "files": conflict["files"],
                "steps": steps,
                "message": f"merging {conflict['step']} into {onto} "
                f"conflicts in {', '.join(conflict['files'])}: nothing of {conflict['step']} was "
                f"merged; redo its change on the merged files (its branch "
                f"{wave['branches'][conflict['step']]} shows it: `git diff {wave['base'][:12]} "
                f"{wave['branches'][conflict['step']]}`)",
                "evidence": sides,
            }
        )
    if outcome.broken:
        blockers.append(
            {
                "severity": "HIGH",
                "source": "merge-validation",
                "file": None,
                "line": None,
                "steps": outcome.broken["steps"],
                "message": f"wave {wave['n']} merged cleanly but breaks: "
                + outcome.broken["message"],
                "evidence": outcome.broken["message"],
            }
        )
    return blockers


def _implement_checks(run: Run) -> Step:
    changes, outside, violations = scope.audit(run.root, run.state)
    problems = []
    if not changes:
        problems.append(
            "no changes yet: nothing differs from the state at `run start`; "
            "implement the plan's steps first"
        )
    if outside:
        problems.append(
            f"changed outside the scope: {', '.join(outside)}; put them back "
            "(`git checkout -- PATH`, or delete new files) or ask the human for a "
            "wider scope (`/orchestrate reject <why>` sends the run back to plan)"
        )
    for item in violations:
        problems.append(
            f"out-of-scope change recorded by {item['source']} is still there: "
            f"{item['path']}; put it back to how it was at `run start`"
        )
    result = lint.lint_changes(
        run.root,
        run.config,
        [p for p in changes if p not in outside],
        run.state["audit"].get("base_commit"),
        run.run_id if (run.state.get("sandbox") or {}).get("kind") else None,
    )
    if result.diagnostics:
        listed = "\n      ".join(str(d) for d in result.diagnostics)
        problems.append(
            f"lint on changed lines: {len(result.diagnostics)} problem(s):\n      {listed}"
        )
    record = None
    if not outside and not violations and changes:
        step_problems, record = check_steps(run, set(changes))
        problems += step_problems
    if problems:
        return Step(problems, result.notes, record=record)

    def reset(state: dict) -> None:
        if record is not None:
            record(state)
        state["dispatch"] = None

    return Step(
        to="review",
        notes=result.notes,
        change=_move(run, "review", reset),
        message=f"{len(changes)} changed file(s), all in scope, lint clean: run "
        "`cc-pack dispatch` to choose the reviewers",
    )


def check_steps(run: Run, changes: set[str]) -> tuple[list[str], Callable[[dict], None]]:
    """Each step must have changed (unless it declares ``changes: none``) and pass its own
    validation, run by the CLI: (problems, the change that records the outcomes)."""
    problems: list[str] = []
    outcomes: dict[str, dict] = {}
    failures: list[dict] = []
    for step in run.state.get("steps") or []:
        sid = step["id"]
        if not steps_mod.changed(run, step, changes):
            problems.append(
                f'step "{sid}" is unchanged: none of its files ({", ".join(step["files"])}) '
                "differs from the run's start; implement it (a step that only checks declares "
                '"changes": "none" in the plan)'
            )
            outcomes[sid] = {"status": "pending"}
            continue
        validation = steps_mod.validate(run, step)
        code = validation["exit_code"]
        ok = code == 0
        outcomes[sid] = {"status": "done" if ok else "failed", "validation": validation}
        if ok:
            continue
        result = "timed out" if code is None else f"exited {code}"
        claimed = (step.get("claim") or {}).get("exit_code")
        lie = " (its implementer reported exit 0)" if claimed == 0 else ""
        problems.append(
            f'step "{sid}": its validation `{validation["command"]}` {result}{lie}; the output '
            f"is in {validation['log']}"
        )
        failures.append(
            {
                "class": "validation",
                "step": sid,
                "message": f"validation {result}{lie}",
                "log": validation["log"],
            }
        )

    def record(state: dict) -> None:
        for step in state.get("steps") or []:
            outcome = outcomes.get(step["id"])
            if outcome:
                if step.get("status") not in ("blocked",) or outcome["status"] == "done":
                    step["status"] = outcome["status"]
                if "validation" in outcome:
                    step["validation"] = outcome["validation"]
        for failure in failures:
            add_failure(state, **failure)

    return problems, record


def add_failure(state: dict, **fields) -> None:
    """A failure record, with its class: crash, contract, validation, no progress, scope."""
    state.setdefault("failures", []).append(
        {"iteration": state["iteration"], "at": now(), **fields}
    )


# --- review ------------------------------------------------------------------------------------


def contract_status(run: Run) -> tuple[dict[str, bool], list[dict]]:
    """Dispatched reviewer -> has a valid contract this iteration; and those records."""
    dispatched = run.state["dispatch"] or {}
    records = findings.for_iteration(findings.load_records(run.rdir), run.state["iteration"])
    good = [r for r in records if findings.trusted(r)]
    names = {findings.record_reviewer(r) for r in good}
    return {name: name in names for name in dispatched.get("reviewers", [])}, records


def _loop_or_fail(run: Run, blockers: list[dict], why: str) -> Step:
    """Back to implement with the fix list while iterations remain and the loop makes progress,
    else FAIL. Fix items get ids (F1, F2…) an implementer's packet names (``fix: F1``)."""
    iteration, cap = run.state["iteration"], run.state["max_iterations"]
    root = str(run.root)
    seen = progress.snapshot(root, run.state, blockers)
    previous = progress.stalled(root, run.state, blockers)
    if previous is not None:
        return _no_progress(run, blockers, previous, seen)
    if iteration < cap:

        def again(state: dict) -> None:
            state.setdefault("iterations", []).append(seen)
            state["iteration"] = iteration + 1
            state["fix_list"] = [{**b, "id": f"F{n}"} for n, b in enumerate(blockers, 1)]
            state["dispatch"] = None

        return Step(
            to="implement",
            change=_move(run, "implement", again, reason=why),
            message=f"{why}: back to implement for iteration {iteration + 1} of {cap} "
            "with the fix list (`cc-pack run status` shows it)",
        )

    def fail(state: dict) -> None:
        state.setdefault("iterations", []).append(seen)
        state["status"] = "FAIL"
        state["blockers"] = blockers

    return Step(
        to="report",
        change=_move(run, "report", fail, reason=why),
        message=f"{why} and the iteration cap ({cap}) is reached: the run FAILED; "
        "report.md lists the blockers with their evidence",
    )


def _no_progress(run: Run, blockers: list[dict], previous: dict, seen: dict) -> Step:
    """The same blockers as the last iteration on files nobody changed since: FAIL now, with
    both iterations' evidence, instead of spending the remaining iterations."""
    iteration = run.state["iteration"]
    files = ", ".join(seen["files"]) or "(none)"
    message = (
        f"no progress: iteration {iteration} ends with the same {len(blockers)} blocker(s) as "
        f"iteration {previous['iteration']}, and the files they point at ({files}) did not "
        "change in between"
    )

    def fail(state: dict) -> None:
        state.setdefault("iterations", []).append(seen)
        state["status"] = "FAIL"
        state["blockers"] = [
            *blockers,
            {
                "severity": "HIGH",
                "source": "no progress",
                "file": None,
                "line": None,
                "message": message,
                "evidence": _evidence(previous, seen),
            },
        ]
        evidence = {"previous": previous, "current": seen}
        add_failure(state, **{"class": "no progress", "message": message, "evidence": evidence})

    return Step(
        to="report",
        change=_move(run, "report", fail, reason="no progress"),
        message=f"{message}: the run FAILED early (report.md has both iterations' evidence)",
    )


def _evidence(previous: dict, current: dict) -> str:
    lines = []
    for record in (previous, current):
        lines.append(f"iteration {record['iteration']}:")
        for b in record["blockers"]:
            where = f"{b['file']}:{b.get('line')}" if b.get("file") else "(no file)"
            lines.append(f"  {b.get('severity', 'HIGH')} {where} {b.get('message', '')}")
        lines += [f"  {path} sha1 {sig}" for path, sig in record["files"].items()]
    return "\n".join(lines)


def _contract_failed(run: Run, names: list[str]) -> Step:
    """Reviewers that gave up on the contract with every fresh attempt used: the run FAILs with
    that blocker. A review nobody delivered is never a pass."""
    iteration = run.state["iteration"]
    attempts = 1 + roles.setting(run.config, "contract.fresh_reviewers")
    blockers = [
        {
            "severity": "HIGH",
            "source": "contract",
            "file": None,
            "line": None,
            "message": f"{name} gave up on the findings contract in iteration {iteration} "
            f"with every attempt used ({attempts})",
            "evidence": "see the invalid records in findings/ of the run dir",
        }
        for name in names
    ]

    def fail(state: dict) -> None:
        state["status"] = "FAIL"
        state["blockers"] = blockers

    return Step(
        to="report",
        change=_move(run, "report", fail, reason="contract"),
        message=f"no valid review from {', '.join(names)}: the run FAILED (report.md has the "
        "blocker)",
    )


def review_gate(run: Run) -> Step:
    dispatched = run.state["dispatch"]
    if dispatched is None or dispatched["iteration"] != run.state["iteration"]:
        return Step(
            [
                f"no reviewers dispatched for iteration {run.state['iteration']}: "
                "run `cc-pack dispatch` and then the reviewers it names"
            ]
        )
    have, records = contract_status(run)
    missing = [name for name, ok in have.items() if not ok]
    exhausted = [n for n in missing if roles.fresh_reviewers_left(run.state, run.config, n) == 0]
    if exhausted:
        return _contract_failed(run, exhausted)
    if missing:
        invalid = [
            r for r in records if not findings.trusted(r) and findings.record_reviewer(r) in missing
        ]
        detail = "".join(
            f"\n      {r['agent_id']} ({findings.record_reviewer(r)}) does not count: "
            f"{'; '.join(r.get('errors') or [findings.provenance(r) or 'invalid contract'])}"
            for r in invalid
        )
        asks = []
        for name in missing:
            left = roles.fresh_reviewers_left(run.state, run.config, name)
            gave_up = 1 + roles.setting(run.config, "contract.fresh_reviewers") - left
            asks.append(
                f"{name} (it gave up on the contract; spawn a fresh one, {left} attempt(s) left)"
                if gave_up
                else name
            )
        return Step(
            [
                f"no valid findings contract for iteration {run.state['iteration']} from: "
                f"{', '.join(asks)}; run them (a reviewer's final message is the contract; the "
                "SubagentStop hook stores it)" + detail
            ]
        )
    notes = [] if have else ["no reviewable changes: every changed file matches dispatch.skip"]
    aggregated = findings.aggregate(
        [r for r in records if findings.trusted(r)], run.state["iteration"]
    )
    blockers = findings.blocking(aggregated)
    if blockers:
        step = _loop_or_fail(run, blockers, f"{len(blockers)} CRITICAL/HIGH finding(s)")
        step.notes = notes
        return step
    counts = aggregated["counts"]
    return Step(
        to="verify",
        notes=notes,
        change=_move(run, "verify"),
        message=f"review passed (0 CRITICAL, 0 HIGH; {counts['MEDIUM']} MEDIUM, "
        f"{counts['LOW']} LOW): `cc-pack run advance` runs the tests",
    )


# --- verify ------------------------------------------------------------------------------------


def verify_gate(run: Run) -> Step:
    argv = verify.command(run.root, run.config.get("test_command"))
    outcome = verify.run(run.root, argv, run.path("verify.log"), confined_for(run, argv))
    record = {
        "command": " ".join(argv),
        "exit_code": outcome.exit_code,
        "seconds": round(outcome.seconds, 2),
        "log": run.rel("verify.log"),
    }

    def log(state: dict) -> None:
        event(state, "verify", **record)

    if outcome.passed:

        def passed(state: dict) -> None:
            log(state)
            state["status"] = "PASS"

        return Step(
            to="report",
            change=_move(run, "report", passed),
            message=f"tests passed ({record['command']}): the run PASSED",
        )
    result = "timed out" if outcome.exit_code is None else f"exit {outcome.exit_code}"
    blocker = {
        "severity": "HIGH",
        "source": "verify",
        "file": None,
        "line": None,
        "message": f"the test command failed ({result}): {record['command']}",
        "evidence": outcome.tail,
        "log": record["log"],
    }
    step = _loop_or_fail(run, [blocker], f"tests failed ({result})")
    inner = step.change

    def with_log(state: dict) -> None:
        inner(state)
        log(state)

    step.change = with_log
    return step


def confined_for(run: Run, argv: list[str]) -> Confined | None:
    """The test command and the step validations run the code the implementers wrote: inside the
    run's sandbox when it has one, with only scratch and scope.test_outputs writable."""
    recorded = run.state.get("sandbox")
    if not isinstance(recorded, dict) or recorded.get("kind") != "bwrap":
        return None
    return Confined(run.root, argv, roles.setting(run.config, "scope.test_outputs"), run.run_id)


GATES: dict[str, Callable[[Run], Step]] = {
    "research": research_gate,
    "plan": plan_gate,
    "approval": approval_gate,
    "implement": implement_gate,
    "review": review_gate,
    "verify": verify_gate,
}


def gate(run: Run) -> Step:
    if store.is_final(run.state):
        return Step(
            [
                f"the run has ended ({run.state['status']}): there is nothing to advance; "
                "start a new one with `cc-pack run start TASK`"
            ]
        )
    if run.phase in ("implement", "review", "verify") and (
        run.state["approval"]["status"] == "rejected"
    ):
        return rejected(run)
    return GATES[run.phase](run)


# --- the next legal step -----------------------------------------------------------------------


def record_hint(kind: str) -> str:
    """The record command the session can run: a heredoc on stdin, as the orchestrate skill does,
    because before implement the scope guard lets it write no file (``run record KIND FILE``
    stays for terminals and CI; ``--help`` shows both)."""
    return (
        f"`cc-pack run record {kind} - <<'CC_PACK_ARTIFACT'`, the {kind} text, then a line "
        "`CC_PACK_ARTIFACT`"
    )


def retry_hint(run: Run) -> str:
    """The fix printed under a refused gate."""
    if run.phase == "approval" and run.state["approval"]["status"] in ("none", "pending"):
        return "end your turn now; after the human answered, run `cc-pack run advance`"
    if run.phase in ("research", "plan") and run.state["status"] == "active":
        return (
            f"fix what is listed, record it again ({record_hint(run.phase)}), "
            "then `cc-pack run advance`"
        )
    return next_step(run)


def next_step(run: Run) -> str:
    """The exact next thing to do, for ``run status`` and the handoff packet."""
    state = run.state
    phase = state["phase"]
    if state["status"] == "PASS":
        return f"done: the run PASSED; `cc-pack report` prints {run.rel('report.md')}"
    if state["status"] == "FAIL":
        return (
            f"the run FAILED with {len(state['blockers'])} blocker(s): `cc-pack report` "
            "shows them; a new attempt starts with `cc-pack run start TASK`"
        )
    if state["status"] == "aborted":
        return "the run was aborted: start a new one with `cc-pack run start TASK`"
    if state["approval"]["status"] == "rejected" and phase != "plan":
        feedback = state["approval"].get("feedback") or "(no feedback given)"
        return (
            f"the human rejected the plan with this feedback: {feedback!r}. `cc-pack run "
            "advance` takes the run back to plan; revise the plan for that feedback and record "
            f"it with {record_hint('plan')} (the plan gate refuses the rejected plan unchanged)"
        )
    if phase == "research":
        if run.path("research.md").is_file():
            return "`cc-pack run advance`"
        return (
            "write the research (sections Key files, Risks, Open questions), record it with "
            f"{record_hint('research')}, then `cc-pack run advance`"
        )
    if phase == "plan":
        last = state["history"][-1]
        rejected = last.get("event") == "advance" and last.get("from") == "approval"
        prefix = (
            f"revise the plan for the human's feedback ({last.get('feedback')}); "
            if rejected
            else ""
        )
        if state["plan"] is None or rejected:
            return (
                prefix + f"record the plan (one ```json block with the steps) with "
                f"{record_hint('plan')}, then `cc-pack run advance`"
            )
        return "`cc-pack run advance`"
    if phase == "approval":
        if state["approval"]["status"] == "approved":
            return "`cc-pack run advance`"
        return WAIT_FOR_HUMAN
    if phase == "implement":
        fixes = " (fix the fix list first)" if state["fix_list"] else ""
        return f"implement the plan's steps inside the scope{fixes}, then `cc-pack run advance`"
    if phase == "review":
        if state["dispatch"] is None or state["dispatch"]["iteration"] != state["iteration"]:
            return "`cc-pack dispatch`, then run the reviewers it names in parallel"
        have, _ = contract_status(run)
        missing = [n for n, ok in have.items() if not ok]
        if missing:
            return (
                f"run the reviewers {', '.join(missing)} in parallel (each returns the "
                "findings contract), then `cc-pack run advance`"
            )
        return "`cc-pack run advance`"
    return "`cc-pack run advance` (runs the test command and writes verify.log)"
