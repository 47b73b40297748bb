"""The recorded hook-stdin corpus (``record_events.py``) is complete and machine-independent, so
the hook tests that replay it cover every event on every pinned version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runner import VERSIONS

from cc_pack import hookspec

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
EVENTS = hookspec.EVENTS  # every event the pack handles


def _events(version: str) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text())) for p in sorted((CORPUS / version).rglob("*.json"))]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_handled_event_was_recorded(version):
    seen = {(e["hook_event_name"], e.get("tool_name")) for _, e in _events(version)}
    for event in ("PreToolUse", "PostToolUse"):
        for tool in ("Write", "Edit", "NotebookEdit", "Bash", "Agent"):
            assert (event, tool) in seen, f"{version}: no {event} {tool} recorded"
    for event in ("PostToolUseFailure", "UserPromptSubmit", "SubagentStop", "Stop"):
        assert any(kind == event for kind, _ in seen), f"{version}: no {event} recorded"


@pytest.mark.parametrize("version", VERSIONS)
def test_corpus_is_normalised_and_filed_by_event(version):
    events = _events(version)
    assert events
    for path, event in events:
        assert path.parent.name == event["hook_event_name"] in EVENTS
        text = path.read_text()
        assert "/tmp/" not in text.replace("/tmp/claude-UID/", ""), path
        assert event["session_id"] == "SESSION_ID", path
        assert event["cwd"] == "/project", path


@pytest.mark.parametrize("version", VERSIONS)
def test_corpus_has_the_variants_hooks_depend_on(version):
    events = [e for _, e in _events(version)]
    stops = [e for e in events if e["hook_event_name"] == "SubagentStop"]
    assert any(e["stop_hook_active"] for e in stops)
    assert any(e["agent_type"] == "cc-pack:correctness-reviewer" for e in stops)
    prompts = {e["prompt"] for e in events if e["hook_event_name"] == "UserPromptSubmit"}
    assert {"/orchestrate approve", "/cc-pack:orchestrate approve"} <= prompts
    subagent_writes = [
        e
        for e in events
        if e["hook_event_name"] == "PreToolUse" and e["tool_name"] == "Write" and "agent_id" in e
    ]
    assert subagent_writes, "no subagent Write recorded"
