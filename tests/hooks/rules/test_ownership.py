"""Ownership as real hook processes: the spawn gate reads the packet's steps, the scope guard
binds the child by Claude Code's meta file and limits it to its steps' files, and the return
check holds the implementer's packet to git and to the validations it reruns."""

from __future__ import annotations

import json
import sys

import pytest
from hookenv import run_hook

PY = sys.executable


def step(sid: str, files: list[str], validation: str, **extra) -> dict:
    return {
        "id": sid, "title": sid, "files": files, "depends_on": [], "parallel": True,
        "changes": "files", "status": "pending", "owners": [], "context_tokens": 100,
        "validation": {"command": validation, "exit_code": None, "log": None, "at": None},
        "note": None, **extra,
    }  # fmt: skip


@pytest.fixture
def run(project, tmp_path):
    (project.root / "src" / "util.py").write_text("y = 1\n")
    ok = f"{PY} -c pass"
    project.start(steps=[step("S1", ["src/app.py"], ok), step("S2", ["src/util.py"], ok)])
    transcript = tmp_path / "sess.jsonl"
    transcript.write_text("")
    (tmp_path / "sess" / "subagents").mkdir(parents=True)
    project.transcript = transcript
    return project


def spawn(project, prompt: str, tool_use_id: str):
    event = project.event(
        hook_event_name="PreToolUse", tool_name="Agent", tool_use_id=tool_use_id,
        tool_input={"description": "d", "prompt": prompt, "subagent_type": "implementer"},
    )  # fmt: skip
    return run_hook("spawn_gate", event)


def child_started(project, agent_id: str, tool_use_id: str) -> None:
    """What Claude Code writes by the child's first tool call (reference: agents runtime)."""
    meta = project.transcript.parent / "sess" / "subagents" / f"agent-{agent_id}.meta.json"
    meta.write_text(json.dumps({"agentType": "implementer", "toolUseId": tool_use_id}))


def write(project, agent_id: str, rel: str, tool="Write"):
    event = project.event(
        hook_event_name="PreToolUse", tool_name=tool, tool_use_id=f"w-{agent_id}-{rel}",
        agent_id=agent_id, agent_type="implementer", transcript_path=str(project.transcript),
        tool_input={"file_path": str(project.root / rel), "content": "z = 2\n"}
        if tool == "Write" else {"command": f"echo z > {rel}"},
    )  # fmt: skip
    return run_hook("scope_guard", event)


def reason(done) -> str | None:
    if not done.stdout.strip():
        return None
    out = json.loads(done.stdout)["hookSpecificOutput"]
    return out["permissionDecisionReason"] if out["permissionDecision"] == "deny" else None


def test_a_packet_must_name_its_steps(run):
    why = reason(spawn(run, "implement the plan", "tu0"))
    assert "the handoff packet names no work: add a line `steps: S1, S2`" in why
    why = reason(spawn(run, "steps: S9", "tu0"))
    assert "the packet names S9, which the run does not have (steps: S1, S2" in why


def test_two_implementers_never_own_the_same_file(run):
    assert reason(spawn(run, "Your work.\nsteps: S1\n", "tu1")) is None
    assert run.state()["spawns"]["tu1"]["files"] == ["src/app.py"]
    why = reason(spawn(run, "steps: S1", "tu2"))
    assert "src/app.py belongs to S1, which a live implementer owns" in why
    assert reason(spawn(run, "steps: S2", "tu2")) is None


def test_a_dependency_must_be_done_first(run):
    state = run.state()
    state["steps"][1]["depends_on"] = ["S1"]
    run.start(steps=state["steps"])
    why = reason(spawn(run, "steps: S2", "tu1"))
    assert "step S2 depends on S1, not done yet" in why


def test_each_implementer_writes_only_its_own_steps_files(run):
    spawn(run, "steps: S1", "tu1")
    spawn(run, "steps: S2", "tu2")
    child_started(run, "a1", "tu1")
    child_started(run, "a2", "tu2")
    assert reason(write(run, "a1", "src/app.py")) is None
    assert reason(write(run, "a2", "src/util.py")) is None
    owners = run.state()["owners"]
    assert owners["a1"]["steps"] == ["S1"] and owners["a1"]["files"] == ["src/app.py"]
    assert owners["a1"]["live"] is True and "tu1" not in run.state()["spawns"]
    assert [s["status"] for s in run.state()["steps"]] == ["active", "active"]
    why = reason(write(run, "a1", "src/util.py"))
    assert "src/util.py is not a file of the steps implementer owns (S1: src/app.py)" in why
    assert "it belongs to S2 (a2)" in why
    why = reason(write(run, "a1", "src/util.py", tool="Bash"))
    assert why and "src/util.py" in why


def test_an_implementer_the_gate_cannot_place_writes_nothing(run):
    spawn(run, "steps: S1", "tu1")
    why = reason(write(run, "stranger", "src/app.py"))
    assert "cannot tell which plan steps implementer (stranger) owns" in why


def test_binding_by_the_prompt_when_there_is_no_meta_file(run):
    spawn(run, "steps: S2\nmake util", "tu7")
    child = run.transcript.parent / "sess" / "subagents" / "agent-a7.jsonl"
    child.write_text(json.dumps({"type": "user", "message": {"role": "user",
                     "content": "steps: S2\nmake util"}}) + "\n")  # fmt: skip
    assert reason(write(run, "a7", "src/util.py")) is None
    assert run.state()["owners"]["a7"]["tool_use_id"] == "tu7"


def finish(project, agent_id: str, packet: dict | str, active=False):
    event = project.event(
        hook_event_name="SubagentStop", agent_id=agent_id, agent_type="implementer",
        transcript_path=str(project.transcript), stop_hook_active=active,
        last_assistant_message=packet if isinstance(packet, str) else json.dumps(packet),
    )  # fmt: skip
    return run_hook("contract_check", event)


def packet(**fields) -> dict:
    ok = f"{PY} -c pass"
    base = {"status": "done", "steps": ["S1"], "changed_files": ["src/app.py"],
            "validation": [{"step": "S1", "command": ok, "exit_code": 0}]}  # fmt: skip
    return {**base, **fields}


def bound(run) -> None:
    spawn(run, "steps: S1", "tu1")
    child_started(run, "a1", "tu1")
    assert reason(write(run, "a1", "src/app.py")) is None


def test_a_claim_that_lies_about_a_changed_file_is_sent_back(run):
    bound(run)
    done = finish(run, "a1", packet())
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "changed_files lists src/app.py, but it is unchanged since you started" in err
    assert "Files you changed, as git sees them: (none)" in err
    # the shape shown is the return packet's, never the reviewers' findings contract
    assert '{"status": done|partial|blocked, "steps": [string], "fix"?: [string]' in err
    assert '"reviewer"' not in err
    (run.root / "src" / "app.py").write_text("x = 2\n")
    done = finish(run, "a1", packet(changed_files=[]), active=True)
    assert "src/app.py changed, but changed_files does not list it" in done.stderr.decode()
    done = finish(run, "a1", packet(), active=True)
    assert done.returncode == 0, done.stderr
    owner = run.state()["owners"]["a1"]
    assert (owner["live"], owner["status"], owner["changed"]) == (False, "done", ["src/app.py"])
    assert owner["reruns"]["S1"]["exit_code"] == 0
    assert run.state()["steps"][0]["claim"] == {"status": "done", "exit_code": 0}


def test_prose_instead_of_a_packet_is_sent_back_naming_the_return_packet(run):
    bound(run)
    done = finish(run, "a1", "I am done.")
    assert done.returncode == 2
    assert "no return packet JSON found" in done.stderr.decode()


def test_a_validation_claimed_passing_is_rerun_and_the_difference_named(run):
    state = run.state()
    state["steps"][0]["validation"]["command"] = f"{PY} -c 'raise SystemExit(3)'"
    run.start(steps=state["steps"])
    bound(run)
    (run.root / "src" / "app.py").write_text("x = 2\n")
    claim = packet(validation=[{"step": "S1", "command": f"{PY} -c 'raise SystemExit(3)'",
                                "exit_code": 0}])  # fmt: skip
    done = finish(run, "a1", claim)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "validation `" in err and "exited 0; cc-pack ran it and it exited 3" in err
    assert "steps/S1.log" in err


def test_blocked_is_recorded_on_the_step_with_its_reason(run):
    bound(run)
    done = finish(run, "a1", packet(status="blocked", changed_files=[], validation=[],
                                    reason="the API it needs does not exist"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = run.state()["steps"][0]
    assert first["status"] == "blocked"
    assert first["note"] == "blocked: the API it needs does not exist"
    assert run.state()["owners"]["a1"]["live"] is False


def test_a_packet_that_never_matches_is_recorded_as_a_contract_failure(run):
    bound(run)
    for active in (False, True, True):
        done = finish(run, "a1", "all done!", active=active)
    assert done.returncode == 0
    state = run.state()
    assert state["owners"]["a1"]["status"] == "contract"
    assert state["failures"][0]["class"] == "contract"
