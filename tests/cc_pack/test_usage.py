"""Token usage from transcripts of the verified shape (agents_runtime.md section 3: one record per
content block repeating the message id and its final usage; subagents in <session>/subagents;
sidechain records; a line still being written), the price table, and the approval envelope."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cc_pack import costs, envelope
from cc_pack_hooks import roles, usage


def stamp(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at % 1 * 1000):03d}Z"


def message(mid: str, at: float, i: int, o: int, cr: int = 0, cw: int = 0, *, blocks: int = 1,
            model: str = "claude-opus-4-8", sidechain: bool = False) -> str:  # fmt: skip
    record = {
        "type": "assistant",
        "timestamp": stamp(at),
        "isSidechain": sidechain,
        "message": {
            "id": mid,
            "model": model,
            "role": "assistant",
            "usage": {"input_tokens": i, "output_tokens": o, "cache_read_input_tokens": cr,
                      "cache_creation_input_tokens": cw, "service_tier": "standard"},
        },
    }  # fmt: skip
    return "".join(json.dumps(record) + "\n" for _ in range(blocks))


def prompt(pid: str, at: float) -> str:
    return json.dumps({"type": "user", "promptId": pid, "timestamp": stamp(at)}) + "\n"


@pytest.fixture
def session(tmp_path: Path):
    main = tmp_path / "projects" / "slug" / "s-1.jsonl"
    main.parent.mkdir(parents=True)
    main.write_text("")
    agents = main.with_suffix("") / "subagents"
    agents.mkdir(parents=True)
    state = {"config": roles.DEFAULT_CONFIG}
    usage.mark(state, "research", 1000.0)
    usage.note_session(state, "s-1", str(main), 1000.0)
    return main, agents, state


def test_each_message_counts_once_however_many_block_records(session):
    main, _, state = session
    main.write_text(prompt("p1", 1001) + message("m1", 1002, 10, 2, 100, 1000, blocks=3))
    assert usage.collect(state)
    assert usage.total(state) == {"input": 10, "output": 2, "cache_read": 100,
                                  "cache_write": 1000, "tokens": 1112}  # fmt: skip
    with main.open("a") as fh:  # the same message again (records written later), then a new one
        fh.write(message("m1", 1002, 10, 2, 100, 1000) + message("m2", 1003, 5, 1))
    usage.collect(state)
    assert usage.total(state)["tokens"] == 1112 + 6
    assert usage.collect(state) is False


def test_a_line_being_written_waits_for_its_newline(session):
    main, _, state = session
    whole = message("m1", 1002, 10, 2)
    main.write_text(whole[:-20])
    usage.collect(state)
    assert usage.total(state)["tokens"] == 0
    main.write_text(whole)
    usage.collect(state)
    assert usage.total(state)["tokens"] == 12


def test_subagents_count_from_their_own_transcript_by_type(session):
    main, agents, state = session
    main.write_text(
        message("m1", 1002, 10, 2) + message("s1", 1003, 99, 99, sidechain=True)  # not twice
    )
    (agents / "agent-a1.jsonl").write_text(message("s1", 1003, 7, 3, model="claude-haiku-4-5"))
    (agents / "agent-a1.meta.json").write_text(json.dumps({"agentType": "cc-pack:implementer"}))
    (agents / "agent-a2.jsonl").write_text(message("s2", 1004, 1, 1))  # no meta file
    usage.collect(state)
    assert {k: v["tokens"] for k, v in usage.by(state, "type").items()} == {
        "orchestrator": 12, "implementer": 10, "unknown": 2,
    }  # fmt: skip
    assert {k: v["tokens"] for k, v in usage.by(state, "agent").items()} == {
        "main": 12, "a1": 10, "a2": 2,
    }  # fmt: skip


def test_messages_go_to_the_phase_they_were_written_in(session):
    main, _, state = session
    main.write_text(message("m0", 999, 50, 50) + message("m1", 1002, 10, 2))  # m0: before the run
    usage.collect(state)
    usage.mark(state, "plan", 1010.0)
    with main.open("a") as fh:
        fh.write(message("m2", 1011, 4, 4))
    usage.collect(state)
    assert {k: v["tokens"] for k, v in usage.by(state, "phase").items()} == {
        "research": 12, "plan": 8,
    }  # fmt: skip


def test_a_new_prompt_after_the_end_is_not_the_runs(session):
    main, _, state = session
    main.write_text(prompt("p1", 1001) + message("m1", 1002, 10, 2))
    usage.mark(state, "report", 1005.0, final=True)
    with main.open("a") as fh:  # the same turn's final words count, the next prompt's do not
        fh.write(message("m2", 1006, 1, 1) + prompt("p2", 1100) + message("m3", 1101, 500, 500))
    usage.collect(state)
    assert usage.total(state)["tokens"] == 14


def test_the_budget_warns_at_its_mark_and_is_spent_past_either_limit(session):
    main, agents, state = session
    state["config"] = {**roles.DEFAULT_CONFIG, "budget": {"run_tokens": 100, "agent_tokens": 30,
                                                          "warn_at": 0.5}}  # fmt: skip
    main.write_text(message("m1", 1002, 20, 5))
    usage.collect(state)
    info = usage.status(state)
    assert (info["warn"], info["exhausted"]) == (False, False)
    (agents / "agent-a1.jsonl").write_text(message("s1", 1003, 20, 9))
    usage.collect(state)
    assert (usage.status(state)["warn"], usage.status(state)["exhausted"]) == (True, False)
    denied, warning = usage.gate(state, None)
    assert denied is None and "past the warning mark (50%)" in warning
    usage.of(state)["warned"] = True
    assert usage.gate(state, None) == (None, None)  # told once
    with (agents / "agent-a1.jsonl").open("a") as fh:
        fh.write(message("s2", 1004, 1, 1))  # a1: 31 > 30 each agent may use
    denied, _ = usage.gate(state, None)
    assert "unknown a1 used 31 tokens, over the 30 each agent may use" in denied
    assert usage.total(state)["tokens"] == 54  # the gate read a copy: the state is untouched


def test_prices_by_longest_prefix_then_alias():
    table = roles.DEFAULT_CONFIG["pricing"]["models"]
    assert costs.price_for("claude-sonnet-5-5-20270101", table)[0] == "claude-sonnet-5-5"
    assert costs.price_for("claude-sonnet-5-20261101", table)[0] == "claude-sonnet-5"
    assert costs.price_for("us.anthropic.claude-haiku-9", table)[0] == "haiku"
    assert costs.price_for("served-main", table) is None
    state = {"config": roles.DEFAULT_CONFIG, "usage": usage.empty()}
    state["usage"]["tally"] = [
        {"agent": "main", "type": "orchestrator", "phase": "plan", "model": "claude-opus-4-8",
         "messages": 1, "input": 1_000_000, "output": 0, "cache_read": 0, "cache_write": 0},
        {"agent": "main", "type": "orchestrator", "phase": "plan", "model": "served-main",
         "messages": 1, "input": 5, "output": 0, "cache_read": 0, "cache_write": 0},
    ]  # fmt: skip
    spent = costs.cost(state)
    assert (spent["usd"], spent["unpriced"]) == (5.0, ["served-main"])


@pytest.mark.parametrize(
    "globs,patterns,outside",
    [
        (["src/**"], ["src/app.py", "src/util/x.py"], []),
        (["src/**"], ["src/*.py", "src/a/**"], []),
        (["src/**"], ["src/../etc/passwd.py"], ["src/../etc/passwd.py"]),
        (["src/**"], ["src/app.py", "README.md"], ["README.md"]),
        (["src/*.py"], ["src/*.py"], []),
        (["src/*.py"], ["src/**"], ["src/**"]),  # wider than the envelope
        (["src/*.py"], ["src/a/b.py"], ["src/a/b.py"]),
        (["s*/**"], ["src/a.py"], []),
        (["s*/**"], ["src/**"], ["src/**"]),  # a glob under a glob: unsure, so the human decides
        (["**"], ["anything/**"], []),
        ([], ["src/app.py"], ["src/app.py"]),
    ],
)
def test_envelope_contains_conservatively(globs, patterns, outside):
    assert envelope.check({"envelope": {"task": "t", "globs": globs}}, patterns) == (
        globs,
        outside,
    )


def test_no_envelope_no_decision_and_an_empty_scope_is_outside():
    assert envelope.check({}, ["src/a.py"]) is None
    assert envelope.check({"envelope": {"task": "t", "globs": ["**"]}}, []) == (
        ["**"],
        ["(an empty scope)"],
    )
