"""The pack's skills: the orchestrator entry point, the contract skill's example against the
schema, the planner's example against the plan gate, the CLI verbs the prompts call, and the
per-request listing cost (issue 6 goal: at most 600 tokens for the whole pack)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

import packfiles
from cc_pack import plan
from cc_pack.cli import main as cli_main
from realproc import REPO

SKILLS = packfiles.skills()
ORCHESTRATE = SKILLS["orchestrate"]
LISTING_BUDGET_TOKENS = 600


def test_the_pack_has_its_five_skills():
    assert set(SKILLS) == {
        "orchestrate",
        "output-contract",
        "handoff-protocol",
        "quality-gates",
        "failure-modes",
    }
    for name, skill in SKILLS.items():
        assert skill.meta.get("name", name) == name
        assert isinstance(skill.meta["description"], str) and skill.meta["description"].strip()


def test_orchestrate_runs_in_the_main_thread_and_only_by_the_human():
    meta = ORCHESTRATE.meta
    assert meta["disable-model-invocation"] is True
    assert meta.get("context", "inline") == "inline"
    assert "agent" not in meta
    assert meta["argument-hint"]
    assert "$ARGUMENTS" in ORCHESTRATE.body
    # pre-approves the launcher, so the Bash calls need no permission prompt (verified 2.1.197)
    assert meta["allowed-tools"] == "Bash(${CLAUDE_SKILL_DIR}/bin/cc-pack:*)"


def test_orchestrate_spawns_agents_in_the_foreground():
    # 2.1.330 runs Agent calls in the background by default: the orchestrator would advance
    # before the subagents returned (verified with the e2e suite)
    assert "`run_in_background: false`" in ORCHESTRATE.body
    assert "without `model`, `run_in_background`" not in ORCHESTRATE.body


def test_orchestrate_calls_the_cli_only_through_the_launcher():
    for block in re.findall(r"```bash\n(.*?)```", ORCHESTRATE.body, re.S):
        for line in block.splitlines():
            if "cc-pack" in line:
                assert line.startswith('"${CLAUDE_SKILL_DIR}/bin/cc-pack" '), line
    # the pipe form needs a manual permission prompt even with the allow rule (verified 2.1.197)
    assert "| cc-pack" not in ORCHESTRATE.body and "' | \"" not in ORCHESTRATE.body


def test_every_cli_command_the_prompts_name_exists():
    ctx = cli_main.make_context("cc-pack", [], resilient_parsing=True)
    named = set()
    for skill in SKILLS.values():
        named |= set(
            re.findall(r"cc-pack (run \w+|scope \w+|findings \w+|dispatch|report)", skill.body)
        )
    assert {"run start", "run status", "run record", "run advance", "dispatch"} <= named
    for words in sorted(named):
        group, _, sub = words.partition(" ")
        command = cli_main.get_command(ctx, group)
        assert command is not None, words
        if sub:
            assert command.get_command(ctx, sub) is not None, words


def test_skill_dir_references_exist():
    for name, skill in SKILLS.items():
        base = REPO / "skills" / name
        for ref in re.findall(r"\$\{CLAUDE_SKILL_DIR\}/([^\s`'\")]+)", skill.body):
            assert (base / ref).exists(), f"{name}: {ref}"


def test_output_contract_example_is_a_valid_contract():
    schema_path = REPO / "skills" / "output-contract" / "findings.schema.json"
    schema = json.loads(schema_path.read_text())
    body = SKILLS["output-contract"].body
    assert "${CLAUDE_SKILL_DIR}/findings.schema.json" in body
    example = json.loads(re.search(r"```json\n(.*?)```", body, re.S).group(1))
    jsonschema.validate(example, schema)
    assert example["findings"], "the example shows a finding"


def test_planner_example_passes_the_plan_gate():
    planner = next(a for a in packfiles.agents() if a.path.stem == "planner")
    parsed = plan.parse(planner.body, "agents/planner.md", REPO)
    assert plan.check(parsed) == []


def listing_chars(prefix: str = "") -> dict[str, int]:
    """What Claude Code lists to the model on every main-thread request: one line per agent
    (`- name: description (Tools: …)`) and per model-invocable skill (`- name: description`)."""
    cost = {}
    for agent in packfiles.agents():
        tools = ", ".join(packfiles.tool_list(agent.meta))
        line = f"- {prefix}{agent.meta['name']}: {agent.meta['description']} (Tools: {tools})"
        cost[agent.meta["name"]] = len(line) + 1
    for name, skill in SKILLS.items():
        if packfiles.listed_to_model(skill):
            cost[name] = len(f"- {prefix}{name}: {skill.meta['description']}") + 1
    return cost


@pytest.mark.parametrize("prefix", ["", "cc-pack:"], ids=["drop-in", "plugin"])
def test_listing_cost_within_budget(prefix):
    total = sum(listing_chars(prefix).values())
    assert total / 4 <= LISTING_BUDGET_TOKENS, listing_chars(prefix)
    assert not packfiles.listed_to_model(ORCHESTRATE)
