"""The pack's agent definitions: the role rules of issues 3 and 5 that Claude Code itself does
not check (reference C.5), and the preload trap verified with 2.1.197 (notes/facts.md)."""

from __future__ import annotations

import re

import pytest

import packfiles

NAMES = {
    "researcher",
    "planner",
    "implementer",
    "correctness-reviewer",
    "security-reviewer",
    "test-reviewer",
    "maintainability-reviewer",
}
# tools of Claude Code 2.1.197 an agent of this pack may use (reference section 0)
REAL_TOOLS = {"Read", "Bash", "Edit", "Write", "NotebookEdit", "WebFetch", "WebSearch", "Skill"}
WRITERS = {"Edit", "Write", "NotebookEdit"}
MODELS = {"sonnet", "opus", "haiku", "fable", "inherit"}
AGENTS = packfiles.agents()


def test_the_pack_has_exactly_its_seven_agents():
    assert {a.path.stem for a in AGENTS} == NAMES


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.path.stem)
def test_frontmatter(agent):
    meta = agent.meta
    assert meta["name"] == agent.path.stem
    assert isinstance(meta["description"], str) and meta["description"].strip()
    assert meta["model"] in MODELS
    tools = packfiles.tool_list(meta)
    assert tools, "an explicit tools list: omitted tools inherit Agent (nesting)"
    assert set(tools) <= REAL_TOOLS, set(tools) - REAL_TOOLS
    assert not {"Agent", "Task"} & set(tools)


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.path.stem)
def test_body_sections(agent):
    headings = re.findall(r"^## (.+)$", agent.body, re.M)
    for section in ("Process", "Output", "Constraints"):
        assert section in headings
    assert agent.body.lstrip().startswith("You are"), "a role line first"


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.path.stem)
def test_read_only_roles_cannot_write(agent):
    name = agent.path.stem
    tools = set(packfiles.tool_list(agent.meta))
    if name == "implementer":
        assert tools >= WRITERS
    else:
        assert not WRITERS & tools


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.path.stem)
def test_preloaded_skills_exist_and_can_be_preloaded(agent):
    skills = packfiles.skills()
    for name in agent.meta.get("skills", []):
        assert name in skills, f"skills: {name} has no skills/{name}/SKILL.md"
        # 2.1.197 resolves `skills:` through the model-invocable list: a skill with
        # disable-model-invocation: true is silently not preloaded
        assert packfiles.listed_to_model(skills[name]), name
    if agent.path.stem.endswith("-reviewer"):
        assert "output-contract" in agent.meta.get("skills", [])
        assert f'"reviewer": "{agent.path.stem}"' in agent.body
