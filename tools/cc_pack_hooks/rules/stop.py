"""Stop gate: Stop (main thread). Advisory: fails silent.

While this session's run is active, the turn may not end: the feedback names the phase and the
next step. It never blocks without a run, while the human's approval is pending (the turn must
end so the human can answer), or after the run finished. ``stop_blocks`` counts consecutive
blocks and lets go after ``MAX_BLOCKS`` (below Claude Code's own cap of 8).
"""

from __future__ import annotations

from cc_pack_hooks import session, store
from cc_pack_hooks.runtime import Decision

HOOK = "stop-gate"
ON_ERROR = "silent"  # advisory: stays out of the way

MAX_BLOCKS = 3


def evaluate(event: dict) -> tuple[Decision, dict | None, session.RunView | None]:
    """(decision, new value of stop_blocks or None for no write, run)."""
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
        return Decision.allow(log={"waiting": "approval"}), (0 if blocks else None), run
    if event.get("stop_hook_active") is True and blocks >= MAX_BLOCKS:
        return Decision.allow(log={"released_after": blocks}), 0, run
    count = blocks + 1 if event.get("stop_hook_active") is True else 1
    if phase == "approval":
        step = f"the human {approval.get('status')} the plan: run `cc-pack run advance`"
    else:
        step = (
            "run `cc-pack run status` for the next step and continue "
            "(`cc-pack run advance` once the phase's gate is met)"
        )
    return (
        Decision.feedback(
            f"cc-pack: run {state.get('run_id')} is still active (phase {phase}, iteration "
            f"{state.get('iteration')}); do not stop yet: {step}.",
            log={"phase": phase, "blocks": count},
        ),
        count,
        run,
    )


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, blocks, run = evaluate(event)
    session.bind(run)
    if run is not None and run.run_dir and blocks is not None:
        try:
            store.update_state(run.run_dir, lambda s: s.__setitem__("stop_blocks", blocks))
        except Exception as exc:  # a safety valve; failing to save it must not change the answer
            decision.log = {**(decision.log or {}), "record_error": str(exc)}
    return decision
