"""Token usage read from the transcripts the real client writes, on both pinned versions: the
tally of ``cc_pack_hooks.usage`` equals the usage the fake API served, exactly, per agent type,
with each message counted once however many content-block records repeat it; and the cost
estimate of ``cc_pack.costs`` equals what Claude Code itself prices the same tokens at."""

from __future__ import annotations

import pytest
from fakeapi import Conversation, main_thread, reply, subagent, tool

from cc_pack import costs
from cc_pack_hooks import roles, usage

pytestmark = pytest.mark.e2e


def served(i: int, o: int, cr: int, cw: int) -> dict:
    return {
        "input_tokens": i,
        "output_tokens": o,
        "cache_read_input_tokens": cr,
        "cache_creation_input_tokens": cw,
        "start_output_tokens": 3,  # message_start's figure: message_delta's wins
    }


def test_usage_totals_equal_what_was_served(claude, api, project):
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "implementer.md").write_text(
        "---\nname: implementer\ndescription: test\ntools: Bash\nmodel: haiku\n---\n"
        "You are AGENT-IMPL.\n"
    )
    (agents / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: test\ntools: Read\nmodel: sonnet\n---\n"
        "You are AGENT-REVIEW.\n"
    )
    spawn = [
        tool(
            "Agent",
            description=f"{name} it",
            prompt="do it",
            subagent_type=name,
            run_in_background=False,
        )
        for name in ("implementer", "reviewer")
    ]
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("spawning", *spawn, usage=served(101, 11, 1001, 10001)),
                reply("main done", usage=served(152, 12, 1002, 10002)),
            ],
        ),
        Conversation(
            "impl",
            subagent("You are AGENT-IMPL"),
            [
                # two tool_use blocks: three records of one message id in the transcript
                reply(
                    "two calls",
                    tool("Bash", command="true"),
                    tool("Bash", command="true"),
                    usage=served(201, 21, 2001, 20001),
                ),
                reply("child done", usage=served(202, 22, 2002, 20002)),
            ],
        ),
        Conversation(
            "review",
            subagent("You are AGENT-REVIEW"),
            [reply("reviewed", usage=served(301, 31, 3001, 30001))],
        ),
    )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()
    [main] = (claude.home / ".claude" / "projects").glob(f"*/{run.session_id}.jsonl")

    state = {"config": roles.DEFAULT_CONFIG}
    usage.mark(state, "research", 0)
    usage.note_session(state, run.session_id, str(main), 0)
    assert usage.collect(state)
    assert usage.by(state, "type") == {
        "orchestrator": {"input": 253, "output": 23, "cache_read": 2003, "cache_write": 20003,
                         "tokens": 253 + 23 + 2003 + 20003},
        "implementer": {"input": 403, "output": 43, "cache_read": 4003, "cache_write": 40003,
                        "tokens": 403 + 43 + 4003 + 40003},
        "reviewer": {"input": 301, "output": 31, "cache_read": 3001, "cache_write": 30001,
                     "tokens": 301 + 31 + 3001 + 30001},
    }  # fmt: skip
    assert sorted(r["messages"] for r in usage.of(state)["tally"]) == [1, 2, 2]
    assert usage.collect(state) is False  # read once: a second tally adds nothing
    assert usage.total(state)["tokens"] == 276 + 2003 + 20003 + 446 + 4003 + 40003 + 33334

    # Claude Code's own price for the same tokens (stream-json modelUsage.costUSD), per model:
    # the default opus, haiku and sonnet of each version
    spent = costs.cost(state)
    assert spent["unpriced"] == []
    assert len(spent["by_model"]) == 3
    for model, figures in run.result["modelUsage"].items():
        ours = costs.price_for(model, roles.DEFAULT_CONFIG["pricing"]["models"])
        assert ours is not None, model
        counted = {"input": figures["inputTokens"], "output": figures["outputTokens"],
                   "cache_read": figures["cacheReadInputTokens"],
                   "cache_write": figures["cacheCreationInputTokens"]}  # fmt: skip
        priced = sum(counted[f] * ours[1][f] for f in counted) / 1e6
        assert priced == pytest.approx(figures["costUSD"], rel=1e-9), (model, ours)
    assert spent["usd"] == pytest.approx(
        run.result["total_cost_usd"], abs=1e-6
    )  # ours rounds to 6 places
