"""The run summary that ``run status`` prints and a subagent handoff packet can carry: short,
pasteable, and naming the exact next command."""

from __future__ import annotations

from cc_pack import findings, phases, report
from cc_pack.state import Run


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
    if info["blockers"]:
        lines.append("blockers:")
        lines += [f"  - {_item(item)}" for item in info["blockers"]]
    return "\n".join(lines)
