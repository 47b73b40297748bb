"""Spawn gate, stop gate and approval capture: decide() tables and the real scripts."""

from __future__ import annotations

import json

import pytest
from hookenv import run_hook

import approval_capture
import spawn_gate
import stop_gate


def agent_event(project, subagent_type="researcher", **extra):
    return project.event(
        hook_event_name="PreToolUse",
        tool_name="Agent",
        tool_input={"description": "d", "prompt": "p", "subagent_type": subagent_type},
        **extra,
    )


SPAWN_TABLE = [
    # (phase, subagent_type, extra state, allowed)
    ("research", "researcher", {}, True),
    ("research", "cc-pack:researcher", {}, True),
    ("research", "planner", {}, False),
    ("research", "general-purpose", {}, False),
    ("plan", "planner", {}, True),
    ("plan", "implementer", {}, False),
    ("approval", "implementer", {}, False),
    ("implement", "implementer", {}, True),
    ("implement", "cc-pack:implementer", {"iteration": 3}, True),
    ("implement", "implementer", {"iteration": 4}, False),
    ("implement", "correctness-reviewer", {}, False),
    ("review", "correctness-reviewer", {}, False),  # nothing dispatched yet
    (
        "review",
        "correctness-reviewer",
        {"dispatch": {"iteration": 1, "reviewers": ["correctness-reviewer"]}},
        True,
    ),
    (
        "review",
        "security-reviewer",
        {"dispatch": {"iteration": 1, "reviewers": ["correctness-reviewer"]}},
        False,
    ),
    ("review", "implementer", {"dispatch": {"iteration": 1, "reviewers": []}}, False),
    ("verify", "implementer", {}, False),
    ("report", "researcher", {}, False),
]


@pytest.mark.parametrize("phase,agent,extra,allowed", SPAWN_TABLE)
def test_spawn_by_phase(project, phase, agent, extra, allowed):
    project.start(phase=phase, **extra)
    decision = spawn_gate.decide(agent_event(project, agent))
    assert (decision.action == "allow") == allowed, decision.message
    if not allowed:
        assert (
            f"phase {phase}" in decision.message and "cc-pack run status" in decision.message
        ) or ("dispatch" in decision.message or "iteration" in decision.message)


@pytest.mark.parametrize("started", [False, True])
def test_no_nesting_and_no_orchestrator_always(project, started):
    if started:
        project.start(phase="research")
    nested = agent_event(project, "researcher", agent_id="a1", agent_type="researcher")
    decision = spawn_gate.decide(nested)
    assert decision.action == "deny" and "no nesting" in decision.message
    for name in ("orchestrate", "cc-pack:orchestrate"):
        decision = spawn_gate.decide(agent_event(project, name))
        assert decision.action == "deny" and "orchestrator" in decision.message


def test_nesting_allowed_by_config(project):
    project.start(phase="research", config={"spawn": {"allow_nesting": True}})
    nested = agent_event(project, "researcher", agent_id="a1", agent_type="researcher")
    assert spawn_gate.decide(nested).action == "allow"


def test_no_run_allows_any_agent(project):
    assert spawn_gate.decide(agent_event(project, "general-purpose")).action == "allow"
    assert spawn_gate.decide(agent_event(project, "Explore")).action == "allow"


@pytest.mark.parametrize("status", ["FAIL", "PASS", "aborted"])
def test_no_implementer_after_the_run_failed(project, status):
    project.start(phase="report", status=status, iteration=3, blockers=[{"message": "m"}])
    decision = spawn_gate.decide(agent_event(project, "cc-pack:implementer"))
    if status == "FAIL":
        assert decision.action == "deny", decision
        assert "FAILED at the iteration cap (iteration 3 of 3)" in decision.message
    else:
        assert decision.action == "allow", decision.message
    # other agents are the session's own business once the run has ended
    assert spawn_gate.decide(agent_event(project, "general-purpose")).action == "allow"
    # another session's failed run does not bind this one
    other = agent_event(project, "implementer", session_id="sess-2")
    assert spawn_gate.decide(other).action == "allow"


def test_spawn_gate_process(project):
    project.start(phase="plan")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("spawn_gate", agent_event(project, "implementer"), env)
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert proc.returncode == 0 and out["permissionDecision"] == "deny"
    proc = run_hook("spawn_gate", agent_event(project, "planner"), env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    proc = run_hook("spawn_gate", b"{", env)
    assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


# --- stop gate -----------------------------------------------------------------------------------


def stop_event(project, active=False):
    return project.event(
        hook_event_name="Stop", stop_hook_active=active, last_assistant_message="x"
    )


@pytest.mark.parametrize(
    "phase,approval,blocks",
    [
        ("research", "none", True),
        ("implement", "approved", True),
        ("approval", "pending", False),
        ("approval", "approved", True),
        ("approval", "rejected", True),
        ("review", "approved", True),
    ],
)
def test_stop_gate_table(project, phase, approval, blocks):
    state = project.start(phase=phase)
    state["approval"]["status"] = approval
    project.start(phase=phase, approval=state["approval"])
    decision = stop_gate.decide(stop_event(project))
    assert (decision.action == "feedback") == blocks
    if blocks:
        assert f"phase {phase}" in decision.message and "cc-pack run" in decision.message


@pytest.mark.parametrize("status", ["PASS", "FAIL", "aborted"])
def test_stop_gate_never_blocks_finished_runs(project, status):
    project.start(status=status)
    assert stop_gate.decide(stop_event(project)).action == "allow"


def test_stop_gate_no_run(project):
    assert stop_gate.decide(stop_event(project)).action == "allow"


def test_stop_gate_caps_consecutive_blocks(project):
    project.start(phase="implement")
    actions = []
    for k in range(6):
        actions.append(stop_gate.decide_and_apply(stop_event(project, active=k > 0)).action)
    assert actions == ["feedback"] * 3 + ["allow", "feedback", "feedback"]
    assert project.state()["stop_blocks"] == 2


def test_stop_gate_process(project):
    project.start(phase="implement")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("stop_gate", stop_event(project), env)
    assert proc.returncode == 2 and proc.stdout == b"" and b"phase implement" in proc.stderr
    assert project.state()["stop_blocks"] == 1
    for bad in (b"", b"nope", b"[]"):
        proc = run_hook("stop_gate", bad, env)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


# --- approval capture ----------------------------------------------------------------------------


def prompt_event(project, prompt, prompt_id="p-1"):
    return project.event(hook_event_name="UserPromptSubmit", prompt=prompt, prompt_id=prompt_id)


def awaiting(project, **extra):
    state = project.start(phase="approval", **extra)
    state["approval"].update(status="pending", by=None)
    project.start(phase="approval", approval=state["approval"], **extra)


@pytest.mark.parametrize(
    "prompt,expected",
    [
        ("/orchestrate approve", ("approve", "")),
        ("  /cc-pack:orchestrate approve \n", ("approve", "")),
        ("/orchestrate reject use a smaller scope", ("reject", "use a smaller scope")),
        ("/orchestrate reject", ("malformed", "reject needs a reason")),
        ("/orchestrate approve looks good", ("malformed", "approve takes no text after it")),
        ("/orchestrate do the thing", None),
        ("please /orchestrate approve", None),
        ("/orchestrateapprove", None),
        ("approve", None),
    ],
)
def test_parse(prompt, expected):
    assert approval_capture.parse(prompt) == expected


def test_approve_records_with_prompt_id_time_and_scope(project):
    awaiting(project)
    decision = approval_capture.decide_and_apply(prompt_event(project, "/orchestrate approve"))
    assert decision.action == "context" and "cc-pack run advance" in decision.message
    approval = project.state()["approval"]
    assert approval["status"] == "approved" and approval["by"] == "user"
    assert approval["prompt_id"] == "p-1" and approval["at"].endswith("Z")
    assert approval["scope"] == project.state()["scope"]["patterns"]
    assert len(approval["history"]) == 1


def test_reject_records_feedback(project):
    awaiting(project)
    approval_capture.decide_and_apply(
        prompt_event(project, "/orchestrate reject split step 2", None)
    )
    approval = project.state()["approval"]
    assert approval["status"] == "rejected" and approval["feedback"] == "split step 2"
    assert approval["prompt_id"] is None


def test_decide_alone_writes_nothing(project):
    awaiting(project)
    approval_capture.decide(prompt_event(project, "/orchestrate approve"))
    assert project.state()["approval"]["status"] == "pending"


@pytest.mark.parametrize("phase", ["plan", "implement"])
def test_nothing_awaiting(project, phase):
    project.start(phase=phase)
    before = project.state()
    decision = approval_capture.decide_and_apply(prompt_event(project, "/orchestrate approve"))
    assert decision.action == "context" and "nothing awaits this answer" in decision.message
    assert project.state() == before


def approved_in(project, phase):
    state = project.start(phase=phase)
    state["approval"].update(status="approved", by="user")
    project.start(phase=phase, approval=state["approval"])


@pytest.mark.parametrize("phase", ["implement", "review", "verify"])
def test_reject_mid_run_sends_the_run_back(project, phase):
    approved_in(project, phase)
    decision = approval_capture.decide_and_apply(
        prompt_event(project, "/orchestrate reject also touch docs/")
    )
    assert "rejected" in decision.message and "cc-pack run advance" in decision.message
    approval = project.state()["approval"]
    assert approval["status"] == "rejected" and approval["feedback"] == "also touch docs/"


@pytest.mark.parametrize("phase", ["implement", "review"])
def test_approve_mid_run_records_nothing(project, phase):
    approved_in(project, phase)
    before = project.state()
    decision = approval_capture.decide_and_apply(prompt_event(project, "/orchestrate approve"))
    assert "nothing awaits this answer" in decision.message
    assert project.state() == before


def test_other_session_cannot_approve(project):
    awaiting(project, session_id="other")
    decision = approval_capture.decide_and_apply(prompt_event(project, "/orchestrate approve"))
    assert "nothing awaits this answer" in decision.message
    assert project.state()["approval"]["status"] == "pending"


def test_ordinary_prompt_is_silent(project):
    awaiting(project)
    assert approval_capture.decide(prompt_event(project, "fix the bug")).action == "allow"


def test_approval_process(project):
    awaiting(project)
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("approval_capture", prompt_event(project, "/orchestrate approve"), env)
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert proc.returncode == 0 and out["hookEventName"] == "UserPromptSubmit"
    assert "approved" in out["additionalContext"]
    assert project.state()["approval"]["status"] == "approved"
    proc = run_hook("approval_capture", prompt_event(project, "hello"), env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    proc = run_hook("approval_capture", b"\x00garbage", env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
