"""Approval capture: parsing, recording, mid-run rejects, the real script."""

from __future__ import annotations

import json

import pytest
from hookenv import run_hook

from cc_pack_hooks.rules import approval as approval_rules


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
    assert approval_rules.parse(prompt) == expected


def test_approve_records_with_prompt_id_time_and_scope(project):
    awaiting(project)
    decision = approval_rules.handle(prompt_event(project, "/orchestrate approve"))
    assert decision.action == "context" and "cc-pack run advance" in decision.message
    approval = project.state()["approval"]
    assert approval["status"] == "approved" and approval["by"] == "user"
    assert approval["prompt_id"] == "p-1" and approval["at"].endswith("Z")
    assert approval["scope"] == project.state()["scope"]["patterns"]
    assert len(approval["history"]) == 1


def test_reject_records_feedback(project):
    awaiting(project)
    approval_rules.handle(prompt_event(project, "/orchestrate reject split step 2", None))
    approval = project.state()["approval"]
    assert approval["status"] == "rejected" and approval["feedback"] == "split step 2"
    assert approval["prompt_id"] is None


def test_decide_alone_writes_nothing(project):
    awaiting(project)
    approval_rules.decide(prompt_event(project, "/orchestrate approve"))
    assert project.state()["approval"]["status"] == "pending"


@pytest.mark.parametrize("phase", ["plan", "implement"])
def test_nothing_awaiting(project, phase):
    project.start(phase=phase)
    before = project.state()
    decision = approval_rules.handle(prompt_event(project, "/orchestrate approve"))
    assert decision.action == "context" and "nothing awaits this answer" in decision.message
    assert project.state() == before


def approved_in(project, phase):
    state = project.start(phase=phase)
    state["approval"].update(status="approved", by="user")
    project.start(phase=phase, approval=state["approval"])


@pytest.mark.parametrize("phase", ["implement", "review", "verify"])
def test_reject_mid_run_sends_the_run_back(project, phase):
    approved_in(project, phase)
    decision = approval_rules.handle(prompt_event(project, "/orchestrate reject also touch docs/"))
    assert "rejected" in decision.message and "cc-pack run advance" in decision.message
    approval = project.state()["approval"]
    assert approval["status"] == "rejected" and approval["feedback"] == "also touch docs/"


@pytest.mark.parametrize("phase", ["implement", "review"])
def test_approve_mid_run_records_nothing(project, phase):
    approved_in(project, phase)
    before = project.state()
    decision = approval_rules.handle(prompt_event(project, "/orchestrate approve"))
    assert "nothing awaits this answer" in decision.message
    assert project.state() == before


def test_other_session_cannot_approve(project):
    awaiting(project, session_id="other")
    decision = approval_rules.handle(prompt_event(project, "/orchestrate approve"))
    assert "nothing awaits this answer" in decision.message
    assert project.state()["approval"]["status"] == "pending"


def test_ordinary_prompt_is_silent(project):
    awaiting(project)
    assert approval_rules.decide(prompt_event(project, "fix the bug")).action == "allow"


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
