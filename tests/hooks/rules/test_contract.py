"""Contract check: storing, blocking to the cap, non-reviewers, the real script."""

from __future__ import annotations

import json

from hookenv import VALID_CONTRACT as VALID
from hookenv import run_hook

from cc_pack_hooks.rules import contract as contract_rules


def stop_event(project, message, agent_type="cc-pack:security-reviewer", active=False):
    return project.event(
        hook_event_name="SubagentStop", agent_id="ag1", agent_type=agent_type,
        last_assistant_message=message, stop_hook_active=active,
    )  # fmt: skip


def test_contract_valid_is_stored(project):
    project.start(phase="review", iteration=2)
    decision = contract_rules.handle(stop_event(project, json.dumps(VALID)))
    assert decision.action == "allow"
    stored = json.loads((project.run_dir() / "findings" / "ag1.json").read_text())
    assert stored["valid"] is True and stored["contract"] == VALID
    assert stored["agent_type"] == "security-reviewer" and stored["iteration"] == 2


def test_contract_invalid_blocks_until_the_cap(project):
    project.start(phase="review")
    bad = json.dumps({"reviewer": "r", "summary": "s", "findings": [{"severity": "critical"}]})
    first = contract_rules.handle(stop_event(project, bad))
    assert first.action == "feedback"
    assert "findings[0].severity: 'critical' is not one of" in first.message
    assert "Expected shape" in first.message
    second = contract_rules.handle(stop_event(project, bad, active=True))
    assert second.action == "feedback"
    third = contract_rules.handle(stop_event(project, bad, active=True))
    assert third.action == "allow"
    state = project.state()
    assert state["contract_retries"] == {"ag1": 2}
    assert state["contract_failures"] == {f"{state['iteration']}/security-reviewer": 1}
    stored = json.loads((project.run_dir() / "findings" / "ag1.json").read_text())
    assert stored["valid"] is False and stored["errors"]


def test_contract_without_run_blocks_once_and_stores_nothing(project):
    assert contract_rules.decide(stop_event(project, "LGTM")).action == "feedback"
    assert contract_rules.decide(stop_event(project, "LGTM", active=True)).action == "allow"
    assert not (project.root / ".claude" / "cc-pack" / "runs").exists()


def test_contract_ignores_non_reviewers(project):
    for agent in ("implementer", "other:security-reviewer", "general-purpose"):
        assert (
            contract_rules.decide(stop_event(project, "LGTM", agent_type=agent)).action == "allow"
        )


def test_contract_process(project):
    project.start(phase="review")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("contract_check", stop_event(project, "LGTM"), env)
    assert (
        proc.returncode == 2
        and proc.stdout == b""
        and b"not a valid findings contract" in proc.stderr
    )
    proc = run_hook("contract_check", stop_event(project, json.dumps(VALID)), env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    proc = run_hook("contract_check", b"[", env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
