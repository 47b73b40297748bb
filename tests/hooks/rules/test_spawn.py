"""Spawn gate: the phase table, nesting, the orchestrator, the real script."""

from __future__ import annotations

import json

import pytest
from hookenv import run_hook

from cc_pack_hooks.rules import spawn


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
    decision = spawn.decide(agent_event(project, agent))
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
    decision = spawn.decide(nested)
    assert decision.action == "deny" and "no nesting" in decision.message
    for name in ("orchestrate", "cc-pack:orchestrate"):
        decision = spawn.decide(agent_event(project, name))
        assert decision.action == "deny" and "orchestrator" in decision.message


def test_nesting_allowed_by_config(project):
    project.start(phase="research", config={"spawn": {"allow_nesting": True}})
    nested = agent_event(project, "researcher", agent_id="a1", agent_type="researcher")
    assert spawn.decide(nested).action == "allow"


def test_no_run_allows_any_agent(project):
    assert spawn.decide(agent_event(project, "general-purpose")).action == "allow"
    assert spawn.decide(agent_event(project, "Explore")).action == "allow"


@pytest.mark.parametrize("status", ["FAIL", "PASS", "aborted"])
def test_no_implementer_after_the_run_failed(project, status):
    project.start(phase="report", status=status, iteration=3, blockers=[{"message": "m"}])
    decision = spawn.decide(agent_event(project, "cc-pack:implementer"))
    if status == "FAIL":
        assert decision.action == "deny", decision
        assert "FAILED at the iteration cap (iteration 3 of 3)" in decision.message
    else:
        assert decision.action == "allow", decision.message
    # other agents are the session's own business once the run has ended
    assert spawn.decide(agent_event(project, "general-purpose")).action == "allow"
    # another session's failed run does not bind this one
    other = agent_event(project, "implementer", session_id="sess-2")
    assert spawn.decide(other).action == "allow"


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
