"""Spawn gate: PreToolUse on Agent|Task. Fails closed.

Always: no nesting (a call carrying ``agent_id`` comes from a subagent; config
``spawn.allow_nesting`` lifts this) and never the orchestrator as a subagent. During an active run
of this session, only the agents the phase allows: researchers in research, planners in plan,
implementers in implement while iterations remain, the dispatched reviewers in review. After
this session's run FAILED at the iteration cap, no implementer: the fix loop is over.
"""

from __future__ import annotations

from cc_pack_hooks import roles, runtime, session, store
from cc_pack_hooks.runtime import BadEvent, Decision

HOOK = "spawn-gate"
ON_ERROR = "deny"  # a guard that cannot decide denies

NEXT = "next legal step: `cc-pack run status`"


def evaluate(event: dict) -> tuple[Decision, session.RunView | None]:
    if event.get("tool_name") not in ("Agent", "Task"):
        return Decision.allow(), None
    tool_input = runtime.field(event, "tool_input", dict)
    raw = tool_input.get("subagent_type", "general-purpose")
    if not isinstance(raw, str):
        raise BadEvent("tool_input.subagent_type should be a string")
    run = session.view(event)
    name = roles.agent_name(raw) or "general-purpose"
    log = {"subagent_type": raw}
    if roles.is_orchestrator(raw, run.config):
        return Decision.deny(
            f"cc-pack spawn gate: {raw} is the orchestrator; it runs only in the main thread as "
            "the `/orchestrate` skill, never as a subagent.",
            log=log,
        ), run
    caller = event.get("agent_id")
    if caller is not None and not roles.setting(run.config, "spawn.allow_nesting"):
        who = roles.agent_name(event.get("agent_type")) or "a subagent"
        return Decision.deny(
            f"cc-pack spawn gate: {who} may not spawn subagents (no nesting: spawn.allow_nesting "
            "is off). Do the work with your own tools, or return and let the main thread "
            "delegate it.",
            log=log,
        ), run
    state = run.state
    nested = _nested(run) if state is None else None
    if nested:
        return Decision.deny(
            f"cc-pack spawn gate: this Claude Code client was started by a tool call while a "
            f"run is active ({nested}); it may not spawn subagents. Return, and let the "
            "session that owns the run delegate the work.",
            log=log,
        ), run
    if state is None:
        reason = _after_failure(run, name)
        if reason:
            return Decision.deny(f"cc-pack spawn gate: {reason}.", log=log), run
        return Decision.allow(log=log), run
    reason = _phase_refusal(state, name, run.config)
    if reason:
        return Decision.deny(f"cc-pack spawn gate: {reason}; {NEXT}.", log=log), run
    return Decision.allow(log=log), run


def _nested(run: session.RunView) -> str | None:
    from cc_pack_hooks.rules import scope

    return scope._nested_in_a_run(run)


def _after_failure(run: session.RunView, name: str) -> str | None:
    """The run stays the active one after it FAILED (until a new start or an abort): an
    implementer spawned now would be the loop past the cap that the gates forbid."""
    if roles.role_of(name, run.config) != "implementer":
        return None
    found = store.active_state(run.project)
    if found is None:
        return None
    ended = found[1]
    if ended.get("status") != "FAIL" or not store.session_owns(ended, run.session_id):
        return None
    return (
        f"run {ended.get('run_id')} FAILED at the iteration cap (iteration "
        f"{ended.get('iteration')} of {ended.get('max_iterations')}); no implementer may follow. "
        "Report the blockers (`cc-pack report`); only the human starts a new attempt "
        "(`cc-pack run start TASK`)"
    )


def _phase_refusal(state: dict, name: str, config) -> str | None:
    phase = state.get("phase")
    role = roles.role_of(name, config)
    if phase == "research":
        allowed = role == "researcher"
    elif phase == "plan":
        allowed = role == "planner"
    elif phase == "implement":
        iteration, cap = state.get("iteration"), state.get("max_iterations")
        if role == "implementer" and isinstance(iteration, int) and isinstance(cap, int):
            if iteration > cap:
                return f"iteration {iteration} exceeds max_iterations {cap}"
            return None
        allowed = False
    elif phase == "review":
        dispatch = state.get("dispatch")
        chosen = dispatch.get("reviewers") if isinstance(dispatch, dict) else None
        if role == "reviewer" and not isinstance(chosen, list):
            return "no reviewers are dispatched yet: run `cc-pack dispatch` first"
        allowed = role == "reviewer" and name in chosen
        if not allowed and role == "reviewer":
            return f"{name} is not dispatched for this iteration (dispatched: {', '.join(chosen)})"
        if allowed and roles.fresh_reviewers_left(state, config, name) == 0:
            return (
                f"{name} gave up on the findings contract with every attempt of this iteration "
                "used; `cc-pack run advance` ends the run FAIL with that blocker"
            )
    elif phase == "approval":
        return f"phase approval waits for the human; {name} cannot start before approval"
    else:
        allowed = False
    if allowed:
        return None
    return f"phase {phase} does not spawn {name}"


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, run = evaluate(event)
    session.bind(run)
    return decision
