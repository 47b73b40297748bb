"""The pack's own markdown (agents/*.md, skills/*/SKILL.md) split into frontmatter and body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from realproc import REPO

AGENTS = REPO / "agents"
SKILLS = REPO / "skills"


@dataclass
class PackFile:
    path: Path
    meta: dict
    body: str


def load(path: Path) -> PackFile:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no frontmatter"
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, f"{path}: frontmatter never closed"
    meta = yaml.load(head, Loader=yaml.CSafeLoader)
    assert isinstance(meta, dict), f"{path}: frontmatter is not a mapping"
    return PackFile(path, meta, body)


def agents() -> list[PackFile]:
    return [load(p) for p in sorted(AGENTS.glob("*.md"))]


def skills() -> dict[str, PackFile]:
    """Skill name (its directory: Claude Code ignores frontmatter `name`) -> file."""
    return {p.parent.name: load(p) for p in sorted(SKILLS.glob("*/SKILL.md"))}


def tool_list(meta: dict) -> list[str]:
    tools = meta.get("tools")
    if isinstance(tools, str):
        return [t.strip() for t in tools.split(",") if t.strip()]
    return list(tools or [])


def listed_to_model(skill: PackFile) -> bool:
    return skill.meta.get("disable-model-invocation") is not True
