"""Handoff injection, SessionStart: a session that owns (or may claim) the active run learns where
it stands the moment it starts, resumes or is compacted, without waiting for the model to run
``cc-pack run status``.

The text is short (under 300 tokens), built from the saved state, and names paths, never
contents: the run, its phase and iteration, which steps are done and which remain, open
blockers, and the full handoff (``handoff.md``, which the CLI rewrites at every phase change).
The next step is copied from ``handoff.md`` only while that file still describes the current
state (its stamp line); otherwise the text says to run ``cc-pack run handoff``.
"""

from __future__ import annotations

import os

from cc_pack_hooks import store
from cc_pack_hooks.runtime import Decision

HOOK = "handoff"
ON_ERROR = "silent"  # advisory: a session without the context still has `cc-pack run status`
TASK_CHARS = 160
STAMP = "<!-- cc-pack handoff: "


def stamp(state: dict) -> str:
    """What ``handoff.md`` must match to still be current."""
    approval = (state.get("approval") or {}).get("status")
    dispatch = state.get("dispatch") if isinstance(state.get("dispatch"), dict) else {}
    return (
        f"{STAMP}phase={state.get('phase')} iteration={state.get('iteration')} "
        f"approval={approval} dispatch={dispatch.get('iteration')} -->"
    )


def _next_from(path: str, state: dict) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0].strip() != stamp(state):
        return None
    for k, line in enumerate(lines):
        if line.strip() == "## Next step" and k + 2 < len(lines):
            return lines[k + 2].strip() or None
    return None


def _ids(steps: list, *statuses: str) -> list[str]:
    return [
        f"{s.get('id')}" + ("" if s.get("status") in ("done", "pending") else f" ({s['status']})")
        for s in steps
        if isinstance(s, dict) and s.get("status") in statuses
    ]


def short(state: dict, run_dir: str, project: str, source: str) -> str:
    task = " ".join(str(state.get("task") or "").split())
    if len(task) > TASK_CHARS:
        task = task[: TASK_CHARS - 1] + "…"
    rel = os.path.relpath(run_dir, project)
    approval = state.get("approval") or {}
    lines = [
        f"cc-pack: this session drives run {state.get('run_id')} (SessionStart {source}).",
        f"Task: {task}",
        f"Phase: {state.get('phase')}, iteration {state.get('iteration')} of "
        f"{state.get('max_iterations')}; plan approval: {approval.get('status')}"
        + (f" by {approval.get('by')}" if approval.get("by") else "")
        + ".",
    ]
    steps = state.get("steps") if isinstance(state.get("steps"), list) else []
    if steps:
        done = _ids(steps, "done")
        rest = _ids(steps, "pending", "active", "failed", "blocked")
        lines.append(
            f"Steps done: {', '.join(done) or 'none'}; remaining: {', '.join(rest) or 'none'}."
        )
    fixes = [i.get("id") for i in state.get("fix_list") or [] if isinstance(i, dict)]
    if fixes:
        lines.append(f"Fix list: {', '.join(str(f) for f in fixes)}.")
    open_items = len((state.get("audit") or {}).get("violations") or [])
    if open_items:
        lines.append(f"Open scope violations: {open_items}.")
    handoff = os.path.join(run_dir, "handoff.md")
    step = _next_from(handoff, state)
    lines.append(
        f"Next: {step}" if step else "Next: run `cc-pack run handoff` for the exact next step."
    )
    lines.append(
        f"Full handoff: {rel}/handoff.md (`cc-pack run handoff` prints it fresh); follow the "
        "orchestrate skill from there."
    )
    return "\n".join(lines)


def decide(event: dict) -> Decision:
    if event.get("hook_event_name") != "SessionStart":
        return Decision.allow()
    project = store.project_dir(event)
    found = store.active_state(project)
    if found is None:
        return Decision.allow()
    run_dir, state = found
    if state.get("status") != "active":
        return Decision.allow()
    session_id = event.get("session_id")
    owner = state.get("session_id")
    source = event.get("source") if isinstance(event.get("source"), str) else "startup"
    if owner is not None and owner != session_id:
        return Decision.context(
            f"cc-pack: run {state.get('run_id')} is active in this project but driven by "
            f"another session ({owner}). If that session is gone, `cc-pack run resume` here "
            "takes the run over; `cc-pack run status` shows it.",
            log={"other_session": owner},
        )
    return Decision.context(short(state, run_dir, project, source), log={"source": source})


def handle(event: dict) -> Decision:
    return decide(event)
