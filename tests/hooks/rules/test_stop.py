"""Stop gate: the phase table, the block cap, the real script."""

from __future__ import annotations

import pytest
from hookenv import run_hook

from cc_pack_hooks.rules import stop


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
    decision = stop.decide(stop_event(project))
    assert (decision.action == "feedback") == blocks
    if blocks:
        assert f"phase {phase}" in decision.message and "cc-pack run" in decision.message


@pytest.mark.parametrize("status", ["PASS", "FAIL", "aborted"])
def test_stop_gate_never_blocks_finished_runs(project, status):
    project.start(status=status)
    assert stop.decide(stop_event(project)).action == "allow"


def test_stop_gate_no_run(project):
    assert stop.decide(stop_event(project)).action == "allow"


def test_stop_gate_caps_consecutive_blocks(project):
    project.start(phase="implement")
    actions = []
    for k in range(6):
        actions.append(stop.handle(stop_event(project, active=k > 0)).action)
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
