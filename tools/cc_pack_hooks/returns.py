"""The implementer's return packet as a contract, checked at SubagentStop like the reviewers'
findings: its shape (``skills/handoff-protocol/return.schema.json``) and its claims against what
git shows — the files that changed among the ones it owns, since it was bound to its steps.

A mismatch sends the implementer back with the exact difference (up to ``contract.retry_cap``
times); then the failure is recorded with its class ``contract``. ``blocked`` and ``partial``
are recorded on the steps with the reason and shown in ``run status``. Either way the
implementer stops owning its files, so another may take them.
"""

from __future__ import annotations

import os
import time

from cc_pack_hooks import contract, owners, paths, roles, session, stepcheck
from cc_pack_hooks.runtime import Decision

SCHEMA_TAIL = os.path.join("skills", "handoff-protocol", "return.schema.json")
RERUN_CAP = 200.0  # seconds for all reruns: the contract hook's budget is 250 (timeout 300)


def changed_files(project: str, owner: dict) -> list[str]:
    base = owner.get("base") if isinstance(owner.get("base"), dict) else {}
    return [
        f for f in owner.get("files") or []
        if paths.signature(os.path.join(project, f)) != base.get(f)
    ]  # fmt: skip


def differences(value: dict, owner: dict, actual: list[str], state: dict) -> list[str]:
    """The claims git contradicts, each saying exactly what differs."""
    found = []
    tree = owner.get("tree") if isinstance(owner.get("tree"), str) else None
    # an implementer in its own tree names its files as the plan does (src/a.py)
    claimed = {
        f"{tree}/{p}" if tree and not p.startswith(f"{tree}/") else p
        for p in value.get("changed_files") or []
    }
    for path in sorted(claimed - set(actual)):
        if path in (owner.get("files") or []):
            found.append(f"changed_files lists {path}, but it is unchanged since you started")
        else:
            found.append(f"changed_files lists {path}, which is not a file of your steps")
    for path in sorted(set(actual) - claimed):
        found.append(f"{path} changed, but changed_files does not list it")
    wanted, named = set(owner.get("steps") or []), set(value.get("steps") or [])
    if wanted != named:
        found.append(f"steps is {sorted(named)}, but the handoff packet gave you {sorted(wanted)}")
    plan = {sid: step for sid, step in owners.steps_of(state).items() if sid in wanted}
    reported = {}
    for item in value.get("validation") or []:
        if item.get("step") not in wanted:
            found.append(f"validation names step {item.get('step')!r}, which is not yours")
            continue
        reported[item["step"]] = item
        command = ((plan[item["step"]].get("validation") or {}).get("command") or "").strip()
        if command and item.get("command", "").strip() != command:
            found.append(
                f"validation of {item['step']} ran `{item.get('command')}`, but the plan's "
                f"command is `{command}`: run that one"
            )
    if value.get("status") == "done":
        for sid in sorted(wanted - set(reported)):
            found.append(f"status is done, but validation has no entry for {sid}: run it")
    if value.get("status") in ("partial", "blocked") and not str(value.get("reason", "")).strip():
        found.append(f"status {value.get('status')} needs a reason: what stopped you")
    return found


def rerun(run: session.RunView, value: dict, owner: dict) -> tuple[list[str], dict[str, dict]]:
    """Run the validations the packet reports as passing, as the implement gate will: (the
    claims the runs contradict, the validation records). A timeout is no contradiction (the
    gate runs it again with the full ``plan.validation_timeout``)."""
    plan = run.config.get("plan") if isinstance(run.config.get("plan"), dict) else {}
    timeout = min(float(plan.get("validation_timeout", RERUN_CAP)), RERUN_CAP)
    box = run.state.get("sandbox") if isinstance(run.state.get("sandbox"), dict) else {}
    confine = None
    if box.get("kind") == "bwrap":
        confine = (run.state.get("run_id"), roles.setting(run.config, "scope.test_outputs"))
    steps = owners.steps_of(run.state)
    found, records = [], {}
    deadline = time.monotonic() + RERUN_CAP
    for item in value.get("validation") or []:
        if item.get("exit_code") != 0 or item.get("step") not in steps:
            continue
        left = min(timeout, deadline - time.monotonic())
        if left < 1:
            break  # out of the hook's budget: the gate runs the rest
        command = (steps[item["step"]].get("validation") or {}).get("command") or item["command"]
        tree = owner.get("tree") if isinstance(owner.get("tree"), str) else None
        record = stepcheck.run(run.project, run.run_dir, item["step"], command, left, confine,
                               cwd=os.path.join(run.project, tree) if tree else None)  # fmt: skip
        records[item["step"]] = record
        code = record["exit_code"]
        if code not in (0, None):
            found.append(
                f"you report {item['step']}'s validation `{command}` exited 0; cc-pack ran it "
                f"and it exited {code} (output in {record['log']})"
            )
    return found, records


def evaluate(event: dict, run: session.RunView) -> tuple[Decision, dict | None]:
    """(decision, effect) for an implementer's SubagentStop in a run with steps."""
    state = run.state
    agent_id = event.get("agent_id")
    owner = (
        (state.get("owners") or {}).get(agent_id) if state and isinstance(agent_id, str) else None
    )
    bind = None
    if not isinstance(owner, dict) and state and owners.steps_of(state):
        # it never made a tool call the scope guard saw: bind it now, by its spawn record
        found = owners.resolve(state, event)
        if found is not None:
            owner = bind = owners.owner_record(run.project, found)
    if not isinstance(owner, dict) or not owners.steps_of(state):
        return Decision.allow(), None
    schema_path = contract.find_schema(run.project, SCHEMA_TAIL)
    if schema_path is None:
        return Decision.allow(log={"error": "return.schema.json not found"}), None
    schema = contract.load_schema(schema_path)
    value, problem = contract.extract(event.get("last_assistant_message"), "return packet")
    errors = [problem] if problem else contract.validate(value, schema)
    actual = changed_files(run.project, owner)
    if not errors:
        errors = differences(value, owner, actual, state)
    reruns: dict[str, dict] = {}
    if not errors and value.get("status") == "done":
        errors, reruns = rerun(run, value, owner)
    base = {"agent_id": agent_id, "actual": actual, "reruns": reruns, "bind": bind}
    if not errors:
        return Decision.allow(log={"return": value.get("status")}), {
            **base, "kind": "returned", "packet": value,
        }  # fmt: skip
    retries = (
        state.get("contract_retries") if isinstance(state.get("contract_retries"), dict) else {}
    )
    used = retries.get(agent_id, 0) if isinstance(retries.get(agent_id), int) else 0
    if used >= roles.setting(run.config, "contract.retry_cap"):
        return Decision.allow(log={"gave_up": len(errors)}), {
            **base, "kind": "give_up", "errors": errors,
        }  # fmt: skip
    listed = "\n".join(f"- {e}" for e in errors[:20])
    return (
        Decision.feedback(
            "cc-pack return check: your return packet does not match what you did "
            f"({len(errors)} problem{'s' if len(errors) != 1 else ''}):\n{listed}\n"
            f"Files you changed, as git sees them: {', '.join(actual) or '(none)'}.\n"
            f"Expected shape (the whole final message, or one ```json block):\n"
            f"{contract.shape(schema)}\nSend the corrected packet as your final message.",
            log={"mismatch": len(errors), "retry": used},
        ),
        {**base, "kind": "retry"},
    )


def apply(state: dict, effect: dict, now: str) -> None:
    """Record the outcome under the lock (the contract hook's ``apply`` calls it)."""
    agent_id = effect["agent_id"]
    if effect.get("bind"):
        owners.bind(state, agent_id, {**effect["bind"], "at": now})
    owner = (state.get("owners") or {}).get(agent_id)
    if not isinstance(owner, dict):
        return
    if effect["kind"] == "retry":
        retries = state.setdefault("contract_retries", {})
        retries[agent_id] = int(retries.get(agent_id, 0)) + 1
        return
    owner["live"] = False
    owner["returned_at"] = now
    owner["changed"] = effect["actual"]
    if effect.get("reruns"):
        owner["reruns"] = effect["reruns"]
    if effect["kind"] == "give_up":
        owner["status"] = "contract"
        state.setdefault("failures", []).append({
            "class": "contract", "iteration": state.get("iteration"), "at": now,
            "agent_id": agent_id, "steps": owner.get("steps"), "message": "; ".join(
                effect["errors"][:5]),
        })  # fmt: skip
        return
    packet = effect["packet"]
    owner["status"] = packet["status"]
    claims = {v["step"]: v["exit_code"] for v in packet.get("validation") or []}
    for step in state.get("steps") or []:
        if step.get("id") not in owner.get("steps", []):
            continue
        step["claim"] = {"status": packet["status"], "exit_code": claims.get(step["id"])}
        if packet["status"] in ("partial", "blocked"):
            step["status"] = "blocked"
            step["note"] = f"{packet['status']}: {packet.get('reason', '')}"
