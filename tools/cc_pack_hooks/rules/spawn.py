"""Spawn gate: PreToolUse on Agent|Task. Fails closed.

Always: no nesting (a call carrying ``agent_id`` comes from a subagent; config
``spawn.allow_nesting`` lifts this) and never the orchestrator as a subagent. During an active run
of this session, only the agents the phase allows: researchers in research, planners in plan,
implementers in implement while iterations remain, the dispatched reviewers in review. After
this session's run FAILED at the iteration cap, no implementer: the fix loop is over.
"""

from __future__ import annotations

from cc_pack_hooks import owners, roles, runtime, session, store, usage
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
    spent, warning = usage.gate(state, event.get("transcript_path"))
    if spent:
        return Decision.deny(f"cc-pack spawn gate: {spent}", log={**log, "budget": "spent"}), run
    if warning:
        log["budget_warning"] = True
    if roles.role_of(name, run.config) == "implementer" and owners.steps_of(state):
        spawn, reason = _assignment(state, tool_input.get("prompt"))
        if reason:
            return Decision.deny(f"cc-pack spawn gate: {reason}", log=log), run
        log["spawn"] = spawn
    if warning:  # told once: handle() records that it was
        return Decision.context(warning, log=log), run
    return Decision.allow(log=log), run


def _assignment(state: dict, prompt: object) -> tuple[dict | None, str | None]:
    """(the spawn record, or why the implementer may not start): the packet must name its steps
    (``steps: S1``) or fix items (``fix: F1``), they must exist and be ready, and no live
    implementer may own any of their files."""
    step_ids = owners.packet_ids(prompt, "steps")
    fix_ids = owners.packet_ids(prompt, "fix")
    steps, items = owners.steps_of(state), owners.fix_items(state)
    if not step_ids and not fix_ids:
        return None, (
            "the handoff packet names no work: add a line `steps: S1, S2` (the plan's step ids) "
            "or, from iteration 2, `fix: F1` (the fix list's ids); each implementer owns "
            "exactly the files of what it is given. `cc-pack run status` lists them."
        )
    unknown = [s for s in step_ids if s not in steps] + [f for f in fix_ids if f not in items]
    if unknown:
        return None, (
            f"the packet names {', '.join(unknown)}, which the run does not have (steps: "
            f"{', '.join(steps) or 'none'}; fix items: {', '.join(items) or 'none'})."
        )
    for sid in step_ids:
        # a dependency is ready once the gate passed it or its implementer returned done
        waiting = [
            d
            for d in steps[sid].get("depends_on") or []
            if (steps.get(d) or {}).get("status") != "done" and not _returned(state, d)
        ]
        if waiting:
            return None, (
                f"step {sid} depends on {', '.join(waiting)}, not done yet: hand those over "
                "first (or together, to one implementer)."
            )
    files = owners.files_for(state, step_ids, fix_ids)
    taken = owners.claims(state)
    clash = [(f, taken[f]) for f in files if f in taken]
    if clash:
        path, holder = clash[0]
        return None, (
            f"{path} belongs to {holder}, which a live implementer owns: two implementers never "
            "own the same file. Wait for it to return, or give the steps to one implementer."
        )
    trees = {owners.tree_of(steps[sid]) for sid in step_ids}
    if len(trees) > 1 or (fix_ids and trees - {None}):
        return None, (
            "the packet mixes steps of different trees (a parallel wave gives each step its own "
            "tree): one implementer per step of a parallel wave."
        )
    tree = next(iter(trees), None)
    return {"steps": step_ids, "fix": fix_ids, "files": files, "tree": tree,
            "prompt_key": owners.prompt_key(prompt)}, None  # fmt: skip


def _returned(state: dict, step_id: str) -> bool:
    for record in (state.get("owners") or {}).values():
        if (
            isinstance(record, dict)
            and step_id in record.get("steps", [])
            and not record.get("live")
        ):
            return record.get("status") == "done"
    return False


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
    if (decision.log or {}).get("budget_warning") and run is not None and run.run_dir:
        try:
            store.update_state(run.run_dir, lambda s: usage.of(s).__setitem__("warned", True))
        except Exception as exc:  # bookkeeping: the warning may come once more, nothing worse
            decision.log["warn_error"] = str(exc)
    spawn = (decision.log or {}).get("spawn")
    tool_use_id = event.get("tool_use_id")
    if spawn and run is not None and run.run_dir and isinstance(tool_use_id, str):
        import time

        from cc_pack_hooks import paths

        # the files as they are when the work is handed over: the return packet's claims are
        # checked against them, even for an implementer that never makes a tool call
        base = {f: paths.signature(f"{run.project}/{f}") for f in spawn["files"]}
        record = {**spawn, "base": base,
                  "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
        try:
            store.update_state(
                run.run_dir, lambda s: s.setdefault("spawns", {}).__setitem__(tool_use_id, record)
            )
        except Exception as exc:
            return Decision.deny(
                f"cc-pack spawn gate: could not record which steps this implementer owns "
                f"({exc}); it may not start. `cc-pack run status` shows the run.",
                log={"error": str(exc)},
            )
    return decision
