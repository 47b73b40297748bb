"""Contract check: SubagentStop (no matcher; reviewers are picked here by role). Advisory: fails
silent (a reviewer is never trapped by a hook fault).

The reviewer's final message (``last_assistant_message``) must be the findings JSON, whole or in
one fenced ```json block, valid against the contract schema. Invalid: block (exit 2) with every
field-level error and the expected shape, so the next turn fixes it; after ``contract.retry_cap``
blocks the reviewer may stop and a contract failure is recorded. Valid, during this session's
run: the contract is stored as ``findings/<agent_id>.json`` (nothing depends on the orchestrator
copying text). Without a run: validate and block once (``stop_hook_active``), store nothing.
"""

from __future__ import annotations

import os
import time

from cc_pack_hooks import contract, returns, roles, runtime, session, store
from cc_pack_hooks.runtime import Decision

HOOK = "contract-check"
ON_ERROR = "silent"  # advisory: stays out of the way
# an implementer's return reruns its validations (returns.RERUN_CAP each); registered with 300
BUDGET = 250.0


def evaluate(event: dict) -> tuple[Decision, dict | None, session.RunView | None]:
    """(decision, effect, run); effect = {"kind": "store"|"retry"|"give_up", ...}."""
    if event.get("hook_event_name", "SubagentStop") != "SubagentStop":
        return Decision.allow(), None, None
    run = session.view(event)
    role = roles.role_of(event.get("agent_type"), run.config)
    if role == "implementer" and run.state is not None:
        decision, effect = returns.evaluate(event, run)
        return decision, ({**effect, "implementer": True} if effect else None), run
    if role != "reviewer":
        return Decision.allow(), None, None
    agent_id = event.get("agent_id")
    agent_id = agent_id if isinstance(agent_id, str) and agent_id else None
    agent_type = roles.agent_name(event.get("agent_type"))
    schema_path = contract.find_schema(run.project)
    if schema_path is None:
        return Decision.allow(log={"error": "findings.schema.json not found"}), None, run
    schema = contract.load_schema(schema_path)
    value, problem = contract.extract(event.get("last_assistant_message"))
    errors = [problem] if problem else contract.validate(value, schema)
    state = run.state
    stored = state is not None and agent_id is not None and _safe_name(agent_id)
    base = {"agent_id": agent_id, "agent_type": agent_type}
    if not errors:
        effect = {**base, "kind": "store", "contract": value} if stored else None
        return Decision.allow(log={"valid": agent_type}), effect, run
    cap = roles.setting(run.config, "contract.retry_cap")
    if stored:
        retries = (
            state.get("contract_retries") if isinstance(state.get("contract_retries"), dict) else {}
        )
        used = retries.get(agent_id, 0) if isinstance(retries.get(agent_id), int) else 0
        give_up = used >= cap
    else:
        used = 1 if event.get("stop_hook_active") is True else 0
        give_up = used >= min(cap, 1)
    log = {"errors": len(errors), "retry": used}
    if give_up:
        effect = (
            {
                **base,
                "kind": "give_up",
                "errors": errors,
                "contract": value if problem is None else None,
            }
            if stored
            else None
        )
        return Decision.allow(log={**log, "gave_up": True}), effect, run
    listed = "\n".join(f"- {e}" for e in errors[:30])
    more = f"\n- ({len(errors) - 30} more)" if len(errors) > 30 else ""
    message = (
        f"cc-pack contract check: your final message is not a valid findings contract "
        f"({len(errors)} problem{'s' if len(errors) != 1 else ''}):\n{listed}{more}\n"
        f"Expected shape (the whole message, or one ```json block):\n{contract.shape(schema)}\n"
        "Send the corrected JSON as your final message; an empty findings list is valid."
    )
    effect = {**base, "kind": "retry"} if stored else None
    return Decision.feedback(message, log=log), effect, run


def _safe_name(agent_id: str) -> bool:
    return "/" not in agent_id and not agent_id.startswith(".") and "\0" not in agent_id


def wrapper(effect: dict, iteration: object) -> dict:
    record = {
        "agent_id": effect["agent_id"],
        "agent_type": effect["agent_type"],
        "iteration": iteration,
        "stored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "valid": effect["kind"] == "store",
        # the only source the review gate counts besides the human's own `findings add`
        "source": "subagent-stop",
    }
    if effect["kind"] != "store":
        record["errors"] = effect["errors"]
    record["contract"] = effect.get("contract")
    return record


def apply(run: session.RunView, effect: dict) -> None:
    rdir = run.run_dir
    kind = effect["kind"]

    def change(state: dict) -> None:
        if state.get("session_id") is None:
            state["session_id"] = run.session_id
        if effect.get("implementer"):
            returns.apply(state, effect, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            return
        if kind == "retry":
            retries = state.setdefault("contract_retries", {})
            retries[effect["agent_id"]] = int(retries.get(effect["agent_id"], 0)) + 1
        elif kind == "give_up":
            failures = state.setdefault("contract_failures", {})
            key = roles.failure_key(state.get("iteration"), effect["agent_type"])
            failures[key] = int(failures.get(key, 0)) + 1
        if kind != "retry":
            folder = os.path.join(rdir, "findings")
            os.makedirs(folder, exist_ok=True)
            store.write_atomic(
                os.path.join(folder, f"{effect['agent_id']}.json"),
                runtime.dumps(wrapper(effect, state.get("iteration"))) + "\n",
            )

    store.update_state(rdir, change)


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, effect, run = evaluate(event)
    if effect is not None and run is not None and run.run_dir:
        try:
            apply(run, effect)
        except Exception as exc:  # advisory: the verdict stands even if storing fails
            decision.log = {**(decision.log or {}), "store_error": str(exc)}
    return decision
