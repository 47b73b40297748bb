"""Handoff injection (SessionStart) as a real process: short, from the saved state, paths only,
the next step quoted only while handoff.md still describes the state."""

from __future__ import annotations

import json

from hookenv import SESSION, run_hook

from cc_pack_hooks.rules import handoff


def started(project, source="compact", session=SESSION):
    done = run_hook("handoff_inject", project.event(hook_event_name="SessionStart",
                                                    source=source, session_id=session))  # fmt: skip
    assert done.returncode == 0, done.stderr
    if not done.stdout.strip():
        return None
    out = json.loads(done.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "SessionStart"
    return out["additionalContext"]


def test_no_run_no_context(project):
    assert started(project) is None


def test_the_owning_session_learns_where_the_run_stands(project):
    steps = [
        {"id": "S1", "status": "done"},
        {"id": "S2", "status": "active"},
        {"id": "S3", "status": "pending"},
    ]
    state = project.start(steps=steps, iteration=2, fix_list=[{"id": "F1", "file": "src/a.py"}])
    text = started(project, "compact")
    assert "this session drives run r1 (SessionStart compact)" in text
    assert "Phase: implement, iteration 2 of 3; plan approval: approved by user." in text
    assert "Steps done: S1; remaining: S2 (active), S3." in text
    assert "Fix list: F1." in text
    assert "Next: run `cc-pack run handoff` for the exact next step." in text
    assert ".claude/cc-pack/runs/r1/handoff.md" in text
    assert len(text) // 4 < 300  # the token budget, by the same rule of thumb as the plan gate
    # a handoff.md that still describes the state gives its next step
    (project.run_dir() / "handoff.md").write_text(
        f"{handoff.stamp(state)}\n# Handoff\n\n## Next step\n\nimplement S2, then advance\n"
    )
    assert "Next: implement S2, then advance" in started(project, "resume")
    state["phase"] = "review"
    project.start(**{k: v for k, v in state.items() if k != "run_id"})
    assert "Next: run `cc-pack run handoff`" in started(project, "startup")


def test_a_long_task_is_cut_and_contents_never_copied(project):
    project.start(task="x" * 5000)
    text = started(project)
    assert len(text) < 1200 and "…" in text


def test_a_run_driven_by_another_session_is_only_pointed_at(project):
    project.start(session_id="other")
    text = started(project, "startup", session="mine")
    assert "driven by another session (other)" in text
    assert "`cc-pack run resume` here takes the run over" in text


def test_an_ended_run_says_nothing(project):
    project.start(status="PASS", phase="report")
    assert started(project) is None
