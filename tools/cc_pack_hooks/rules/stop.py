"""Stop gate: Stop (main thread). Advisory: fails silent.

While this session's run is active, the turn may not end: the feedback names the phase and the
next step. It never blocks without a run, while the human's approval is pending (the turn must
end so the human can answer), or after the run finished.

Blocks count as consecutive only while the model does nothing in between: any tool call since
the last block (seen in the transcript Claude Code names, read from where the last block left
it) or a new prompt resets the count. ``stop_hook_active`` cannot tell: Claude Code keeps it true
for the rest of the turn after the first block (tests/e2e/test_facts_nested_clients.py). After
``MAX_BLOCKS`` idle blocks (below Claude Code's own cap of 8) the turn ends, with a message to the
human that the run is still active and what to type.
"""

from __future__ import annotations

import os

from cc_pack_hooks import session, store
from cc_pack_hooks.runtime import Decision

HOOK = "stop-gate"
ON_ERROR = "silent"  # advisory: stays out of the way

MAX_BLOCKS = 3
TOOL_USE = b'"type":"tool_use"'


def _size(path: object) -> int | None:
    try:
        return os.path.getsize(path) if isinstance(path, str) and path else None
    except OSError:
        return None


def worked_since(mark: object, event: dict) -> bool:
    """Whether the model did anything since the block ``mark`` recorded: a new prompt, or a
    tool call in the transcript after the offset the block saw."""
    if not isinstance(mark, dict):
        return True
    if mark.get("prompt_id") != event.get("prompt_id"):
        return True
    path, offset = event.get("transcript_path"), mark.get("offset")
    if not isinstance(path, str) or not isinstance(offset, int):
        return False
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return TOOL_USE in fh.read()
    except OSError:
        return False


def evaluate(event: dict) -> tuple[Decision, dict | None, session.RunView | None]:
    """(decision, the stop fields to save or None, run)."""
    if event.get("hook_event_name", "Stop") != "Stop" or event.get("agent_id") is not None:
        return Decision.allow(), None, None
    run = session.view(event)
    state = run.state
    if state is None:
        return Decision.allow(), None, run
    blocks = state.get("stop_blocks") if isinstance(state.get("stop_blocks"), int) else 0
    phase = state.get("phase")
    approval = state.get("approval") if isinstance(state.get("approval"), dict) else {}
    if phase == "approval" and approval.get("status") in ("pending", "none", None):
        reset = {"stop_blocks": 0, "stop_mark": None} if blocks else None
        return Decision.allow(log={"waiting": "approval"}), reset, run
    if worked_since(state.get("stop_mark"), event):
        blocks = 0
    run_id = state.get("run_id")
    if blocks >= MAX_BLOCKS:
        return (
            Decision.notice(
                f"cc-pack: run {run_id} is still active (phase {phase}, iteration "
                f"{state.get('iteration')}), but the model stopped {blocks} times in a row "
                "without doing anything. Type `/orchestrate resume` to let it continue, or end "
                "the run with `cc-pack run abort` in your terminal.",
                log={"released_after": blocks},
            ),
            {"stop_blocks": 0, "stop_mark": None},
            run,
        )
    if phase == "approval":
        step = f"the human {approval.get('status')} the plan: run `cc-pack run advance`"
    else:
        step = (
            "run `cc-pack run status` for the next step and continue "
            "(`cc-pack run advance` once the phase's gate is met)"
        )
    mark = {"prompt_id": event.get("prompt_id"), "offset": _size(event.get("transcript_path"))}
    return (
        Decision.feedback(
            f"cc-pack: run {run_id} is still active (phase {phase}, iteration "
            f"{state.get('iteration')}); do not stop yet: {step}.",
            log={"phase": phase, "blocks": blocks + 1},
        ),
        {"stop_blocks": blocks + 1, "stop_mark": mark},
        run,
    )


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, fields, run = evaluate(event)
    session.bind(run)
    if run is not None and run.run_dir and fields is not None:
        try:
            store.update_state(run.run_dir, lambda s: s.update(fields))
        except Exception as exc:  # a safety valve; failing to save it must not change the answer
            decision.log = {**(decision.log or {}), "record_error": str(exc)}
    return decision
