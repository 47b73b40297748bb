"""Approval capture: UserPromptSubmit. Advisory: fails silent. The only writer of approvals.

A model cannot type a user prompt, but it can start a second client that does (``claude -p
'/orchestrate approve' --continue`` from Bash): a prompt from a client a tool call started is
never recorded (``origin``; inside the sandbox such a client cannot write the state at all).
Otherwise a raw prompt of exactly ``/orchestrate approve`` or
``/orchestrate reject <feedback>`` (``/cc-pack:orchestrate ...`` in plugin mode) while this
session's run waits in phase approval is the human's decision. A reject also counts later, in
implement, review or verify: it sends the approved run back to plan (to widen its scope). The
answer is recorded in the run state with the prompt id, the time and the scope it covers; the
model is told what was recorded and that ``cc-pack run advance`` moves on. Every other prompt
passes untouched.
"""

from __future__ import annotations

import time

from cc_pack_hooks import origin, session, store
from cc_pack_hooks.runtime import Decision

HOOK = "approval-capture"
ON_ERROR = "silent"  # advisory: stays out of the way

COMMANDS = ("/orchestrate", "/cc-pack:orchestrate")
REJECTABLE = ("implement", "review", "verify")


def parse(prompt: str) -> tuple[str, str] | None:
    """("approve"|"reject"|"malformed", feedback or hint) for an approval prompt, else None."""
    text = prompt.strip()
    command = next(
        (c for c in COMMANDS if text.startswith(c + " ") or text.startswith(c + "\n")), None
    )
    if command is None:
        return None
    parts = text[len(command) :].split(None, 1)
    verb = parts[0] if parts else ""
    tail = parts[1].strip() if len(parts) > 1 else ""
    if verb == "approve":
        return ("approve", "") if not tail else ("malformed", "approve takes no text after it")
    if verb == "reject":
        return ("reject", tail) if tail else ("malformed", "reject needs a reason")
    return None


def evaluate(event: dict) -> tuple[Decision, dict | None, session.RunView | None]:
    prompt = event.get("prompt")
    if not isinstance(prompt, str) or "orchestrate" not in prompt[:40]:
        return Decision.allow(), None, None
    parsed = parse(prompt)
    if parsed is None:
        return Decision.allow(), None, None
    verb, detail = parsed
    run = session.view(event)
    state = run.state
    if verb == "malformed":
        return (
            Decision.context(
                f"cc-pack: nothing was recorded: {detail}. The human approves with exactly "
                "`/orchestrate approve` or rejects with `/orchestrate reject <what to change>`."
            ),
            None,
            run,
        )
    approval = state.get("approval") if state else None
    if not _answerable(state, approval, verb):
        where = (
            "no cc-pack run of this session is active"
            if state is None
            else f"run {state.get('run_id')} is in phase {state.get('phase')} "
            f"(approval {approval.get('status') if isinstance(approval, dict) else 'none'})"
        )
        return (
            Decision.context(
                f"cc-pack: nothing awaits this answer ({where}); the {verb} was not recorded. "
                "`cc-pack run status` shows the run."
            ),
            None,
            run,
        )
    why = origin.started_by_a_tool(store.state_dir(run.project))
    if why:
        return (
            Decision.context(
                f"cc-pack: nothing was recorded: this `/orchestrate {verb}` came from a Claude "
                f"Code client that a tool call started ({why}), and only a person approves or "
                "rejects a plan. Tell the human to type it in the Claude Code session they "
                "started themselves.",
                log={"refused": why},
            ),
            None,
            run,
        )
    scope = state.get("scope") if isinstance(state.get("scope"), dict) else {}
    patterns = scope.get("patterns") if isinstance(scope.get("patterns"), list) else []
    prompt_id = event.get("prompt_id") if isinstance(event.get("prompt_id"), str) else None
    record = {
        "status": "approved" if verb == "approve" else "rejected",
        "prompt_id": prompt_id,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "feedback": detail or None,
        "by": "user",
        "scope": list(patterns),
    }
    if verb == "approve":
        text = (
            f"cc-pack: the human approved the plan of run {state.get('run_id')} (scope: "
            f"{', '.join(patterns) or '(empty)'}); recorded. Next step: `cc-pack run advance` "
            "to enter implement."
        )
    else:
        text = (
            f"cc-pack: the human rejected the plan of run {state.get('run_id')}: {detail!r}; "
            "recorded. Next step: `cc-pack run advance` to return to plan, then revise the plan "
            "with this feedback."
        )
    return Decision.context(text, log={"approval": record["status"]}), record, run


def _answerable(state: dict | None, approval: object, verb: str) -> bool:
    """Approve answers a pending approval. Reject answers it too, and also pulls an approved run
    back to plan from implement, review or verify: the human's way to widen the scope."""
    if state is None or not isinstance(approval, dict) or state.get("status") != "active":
        return False
    phase, status = state.get("phase"), approval.get("status")
    if phase == "approval" and status == "pending":
        return True
    return verb == "reject" and phase in REJECTABLE and status == "approved"


def apply(run: session.RunView, record: dict) -> None:
    verb = "reject" if record["status"] == "rejected" else "approve"

    def change(state: dict) -> None:
        if state.get("session_id") is None:
            state["session_id"] = run.session_id
        approval = state.get("approval")
        if not _answerable(state, approval, verb):
            raise RuntimeError("the run no longer awaits this answer")
        history = approval.get("history") if isinstance(approval.get("history"), list) else []
        approval.update(record)
        approval["history"] = [*history, dict(record)]

    store.update_state(run.run_dir, change)


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, record, run = evaluate(event)
    if record is not None and run is not None and run.run_dir:
        try:
            apply(run, record)
        except Exception as exc:
            return Decision.context(
                f"cc-pack: the approval could not be recorded ({exc}); nothing changed. "
                "Run `cc-pack run status` and ask the human to answer again.",
                log={"error": str(exc)},
            )
    else:
        session.bind(run)
    return decision
