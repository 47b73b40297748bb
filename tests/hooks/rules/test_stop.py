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


def test_stop_gate_caps_consecutive_idle_blocks_and_tells_the_human(project, tmp_path):
    project.start(phase="implement")
    transcript = tmp_path / "t.jsonl"
    transcript.write_text('{"type":"user"}\n')
    event = {**stop_event(project), "transcript_path": str(transcript), "prompt_id": "p1"}
    actions = [stop.handle({**event, "stop_hook_active": k > 0}).action for k in range(5)]
    assert actions == ["feedback"] * 3 + ["notice", "feedback"]
    released = stop.decide({**event, "stop_hook_active": True})
    assert released.action == "feedback"  # counting restarted after the release
    project.start(phase="implement", stop_blocks=3, stop_mark={"prompt_id": "p1", "offset": 0})
    notice = stop.decide({**event, "stop_hook_active": True})
    assert notice.action == "notice" and "/orchestrate resume" in notice.message
    assert "still active" in notice.message


def test_work_between_stops_resets_the_count(project, tmp_path):
    """stop_hook_active stays true for the rest of the turn, so it cannot tell: a tool call in
    the transcript since the last block, or a new prompt, is what resets the count."""
    project.start(phase="implement")
    transcript = tmp_path / "t.jsonl"
    transcript.write_text('{"type":"user"}\n')
    event = {**stop_event(project, active=True), "transcript_path": str(transcript),
             "prompt_id": "p1"}  # fmt: skip
    for _ in range(10):
        assert stop.handle(event).action == "feedback"
        with open(transcript, "a") as fh:  # the model does real work before stopping again
            fh.write('{"type":"assistant","message":{"content":[{"type":"tool_use"}]}}\n')
    assert project.state()["stop_blocks"] == 1
    # the last tool call came after the last block: three idle blocks more, then the release
    for expected in ("feedback", "feedback", "feedback", "notice"):
        assert stop.handle(event).action == expected
    assert stop.handle({**event, "prompt_id": "p2"}).action == "feedback"  # a new prompt


def test_stop_gate_process(project):
    project.start(phase="implement")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("stop_gate", stop_event(project), env)
    assert proc.returncode == 2 and proc.stdout == b"" and b"phase implement" in proc.stderr
    assert project.state()["stop_blocks"] == 1
    for bad in (b"", b"nope", b"[]"):
        proc = run_hook("stop_gate", bad, env)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
