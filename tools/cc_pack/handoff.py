"""What a session needs to carry a run on: the summary ``run status`` prints (short, pasteable,
naming the exact next command) and the handoff document ``cc-pack run handoff`` prints and the
CLI keeps as ``handoff.md`` in the run dir (the SessionStart hook points a new or compacted
session at it)."""

from __future__ import annotations

import contextlib

from cc_pack import costs, findings, phases, report, worktrees
from cc_pack.state import Run
from cc_pack_hooks import store, usage
from cc_pack_hooks.rules import handoff as handoff_rules

STEP_FIELDS = ("id", "title", "files", "depends_on", "parallel", "changes", "status", "owners",
               "context_tokens", "validation", "note", "claim")  # fmt: skip


def summary(run: Run) -> dict:
    state = run.state
    have, records = phases.contract_status(run)
    aggregated = findings.aggregate([r for r in records if findings.trusted(r)], state["iteration"])
    return {
        "run_id": state["run_id"],
        "task": state["task"],
        "status": state["status"],
        "phase": state["phase"],
        "iteration": state["iteration"],
        "max_iterations": state["max_iterations"],
        "next": phases.next_step(run),
        "approval": state["approval"]["status"],
        "scope": state["scope"]["patterns"],
        "artifacts": {n: run.rel(n) for n in report.ARTIFACTS if run.path(n).exists()},
        "run_dir": run.rel("."),
        "dispatch": None
        if state["dispatch"] is None
        else {"iteration": state["dispatch"]["iteration"], "contracts": have},
        "counts": aggregated["counts"],
        "fix_list": state["fix_list"],
        "blockers": state["blockers"],
        "session_id": state["session_id"],
        "sandbox": state.get("sandbox"),
        "steps": [
            {k: step.get(k) for k in STEP_FIELDS if k in step} for step in state.get("steps") or []
        ],
        "failures": state.get("failures") or [],
        "rejections": [
            {"at": r.get("at"), "feedback": r.get("feedback")}
            for r in [*state["approval"]["history"], state["approval"]]
            if r.get("status") == "rejected"
        ],
        "handoff": run.rel("handoff.md"),
        "waves": report.wave_costs(state),
        "trees": trees(run),
        "usage": {
            "total": usage.total(state),
            "cost_usd": costs.cost(state)["usd"],
            "budget": usage.status(state),
        },
        "usage_line": costs.line(state),
    }


def trees(run: Run) -> dict | None:
    """The run's step trees still on disk, with the commands that remove them (kept after a
    FAIL, an abort or a wave that did not merge)."""
    left = worktrees.listed(run.root, run.run_id)
    if not left:
        return None
    branches = sorted(
        {b for w in run.state.get("waves") or [] for b in (w.get("branches") or {}).values()}
    )
    return {
        "paths": [p.relative_to(run.root).as_posix() for p in left],
        "remove": worktrees.cleanup_commands(run.root, run.run_id, branches),
    }


def _item(item: dict) -> str:
    where = f"{item['file']}:{item['line']}: " if item.get("file") else ""
    return f"{item.get('severity', 'HIGH')} {where}{item.get('message', '')}"


def render(info: dict) -> str:
    lines = [
        f"run {info['run_id']}: {info['status']}",
        f"task: {info['task']}",
        f"phase: {info['phase']} (iteration {info['iteration']} of {info['max_iterations']}, "
        f"approval {info['approval']})",
        f"next: {info['next']}",
        f"scope: {', '.join(info['scope']) or '(none yet)'}",
        f"run dir: {info['run_dir']}",
    ]
    box = info.get("sandbox")
    if isinstance(box, dict):
        lines.append(
            "sandbox: bubblewrap (Bash confined to what the rules allow)"
            if box.get("kind")
            else f"sandbox: none ({box.get('reason')}); the Bash analysis is the boundary"
        )
    if info["artifacts"]:
        lines.append("artifacts: " + ", ".join(info["artifacts"].values()))
    if info["dispatch"]:
        contracts = ", ".join(
            f"{name} ({'contract stored' if ok else 'no contract yet'})"
            for name, ok in info["dispatch"]["contracts"].items()
        )
        lines.append(f"reviewers: {contracts or 'none (nothing to review)'}")
    counts = info["counts"]
    lines.append("findings: " + ", ".join(f"{counts[s]} {s}" for s in findings.SEVERITIES))
    if info["fix_list"]:
        lines.append("fix list (with evidence in the state; `cc-pack run status --json`):")
        lines += [f"  - {_item(item)}" for item in info["fix_list"]]
    if info["steps"]:
        lines.append("steps:")
        for step in info["steps"]:
            note = f" — {step['note']}" if step.get("note") else ""
            owners = f" ({', '.join(step['owners'])})" if step.get("owners") else ""
            lines.append(f"  - {step['id']} {step['status']}{owners}: {_validation(step)}{note}")
    for item in info["rejections"]:
        lines.append(f"rejected at {item['at']}: {item['feedback']!r}")
    if info["blockers"]:
        lines.append("blockers:")
        lines += [f"  - {_item(item)}" for item in info["blockers"]]
    if info["failures"]:
        lines.append("failures: " + ", ".join(
            f"{f['class']} (iteration {f['iteration']})" for f in info["failures"]))  # fmt: skip
    for wave in info["waves"]:
        lines.append(f"wave {wave['n']}: {wave['summary']}")
    if info["trees"]:
        lines.append("step trees left on disk: " + ", ".join(info["trees"]["paths"]))
        lines += [f"  remove with: {c}" for c in info["trees"]["remove"]]
    lines.append(info["usage_line"])
    lines.append(f"handoff: {info['handoff']} (`cc-pack run handoff`)")
    return "\n".join(lines)


# --- the handoff document ----------------------------------------------------------------------

APPROACH_LINES = 8


def approach(run: Run) -> str:
    """The plan's prose before its json block, in short: what the human approved."""
    path = run.path("plan.md")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "(no plan.md)"
    kept = []
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            break
        if line.strip():
            kept.append(line.rstrip())
    if len(kept) > APPROACH_LINES:
        kept = [*kept[:APPROACH_LINES], f"… (the rest is in {run.rel('plan.md')})"]
    return "\n".join(kept) or "(plan.md has no prose before its json block)"


def _validation(step: dict) -> str:
    check = step.get("validation") or {}
    if check.get("at") is None:
        return f"`{check.get('command')}` not run yet"
    code = check.get("exit_code")
    result = "timed out" if code is None else f"exit {code}"
    return f"`{check.get('command')}` → {result} at {check['at']} ({check.get('log')})"


def document(run: Run) -> str:
    """``handoff.md``: everything a fresh or compacted session needs to carry the run on. The
    first line is the stamp the SessionStart hook checks before it quotes the next step."""
    state = run.state
    approval = state["approval"]
    steps = state.get("steps") or []
    out = [
        handoff_rules.stamp(state),
        f"# Handoff: run {state['run_id']}",
        "",
        f"**Task:** {state['task']}",
        "",
        f"Status {state['status']}, phase **{state['phase']}**, iteration {state['iteration']} "
        f"of {state['max_iterations']}. Run dir: `{run.rel('.')}`.",
        "",
        "## Steps",
        "",
    ]
    done = [s for s in steps if s.get("status") == "done"]
    rest = [s for s in steps if s.get("status") != "done"]
    if not steps:
        out.append("No plan steps yet.")
    for step in done:
        out.append(f"- [x] {step['id']} {step.get('title', '')}: {_validation(step)}")
    for step in rest:
        owners = f", owners {', '.join(step['owners'])}" if step.get("owners") else ""
        note = f" — {step['note']}" if step.get("note") else ""
        out.append(
            f"- [ ] {step['id']} {step.get('title', '')} ({step.get('status')}{owners}; files "
            f"{', '.join(step.get('files') or []) or 'none'}): {_validation(step)}{note}"
        )
    if state["fix_list"]:
        out += ["", "Fix list (name the ids in the implementer's packet, `fix: F1`):"]
        out += [f"- {item.get('id', '?')}: {_item(item)}" for item in state["fix_list"]]
    out += ["", "## Decisions", ""]
    if approval["status"] == "approved":
        out.append(f"- Plan approved by {approval['by']} at {approval['at']}; scope frozen: "
                   f"{', '.join(state['scope']['patterns']) or '(empty)'}.")  # fmt: skip
    else:
        out.append(f"- Plan approval: {approval['status']}.")
    if state["plan"] is not None:
        quoted = [f"  > {line}" for line in approach(run).splitlines()]
        out += ["- Approach (plan.md):", "", *quoted]
    for record in [*approval["history"], approval]:
        if record.get("status") == "rejected":
            out.append(
                f"- Rejected at {record.get('at')} with the human's feedback, verbatim: "
                f"{record.get('feedback')!r}"
            )
    out += ["", "## Gotchas", ""]
    gotchas = []
    for item in state["audit"].get("violations") or []:
        gotchas.append(f"- scope violation ({item['source']}): {item['path']} at {item['at']}")
    for key, item in (state.get("contract_failures") or {}).items():
        gotchas.append(f"- contract failure {key}: {item}")
    for item in state.get("failures") or []:
        what = item.get("step") or item.get("agent_id") or ""
        gotchas.append(
            f"- failure ({item['class']}, iteration {item['iteration']}) {what}: "
            f"{item.get('message', '')}"
        )
    refusal = state.get("last_refusal")
    if isinstance(refusal, dict):
        gotchas.append(f"- the {refusal.get('phase')} gate refused at {refusal.get('at')}:")
        gotchas += [f"  - {p}" for p in refusal.get("problems") or []]
    for item in state["blockers"]:
        gotchas.append(f"- blocker: {_item(item)}")
    out += gotchas or ["None recorded."]
    out += ["", "## Next step", "", phases.next_step(run), ""]
    return "\n".join(out)


def save(run: Run) -> None:
    """Rewrite ``handoff.md`` (the CLI calls it after every phase change). Bookkeeping: a
    failure to write it never fails the command that moved the run."""
    with contextlib.suppress(OSError):
        store.write_atomic(str(run.path("handoff.md")), document(run))
