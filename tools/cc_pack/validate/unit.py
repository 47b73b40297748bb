"""What the rules look at: one ``Unit`` per plugin, project (``.claude/``) or marketplace, with its
components already read and parsed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cc_pack.validate.frontmatter import Document
from cc_pack.validate.jsonfile import JsonFile
from cc_pack.validate.settings import Settings

Position = tuple[int, int]
MISSING = object()


@dataclass(slots=True)
class Skill:
    dir: Path
    doc: Document | None  # None: the directory has no SKILL.md

    @property
    def name(self) -> str:
        return self.dir.name  # the runtime name is the directory's, whatever the frontmatter says


@dataclass(slots=True)
class HookSource:
    """A ``hooks`` mapping: a settings file, hooks.json, a manifest entry or frontmatter."""

    origin: str  # "settings" | "plugin" | "agent" | "skill"
    path: Path
    value: object  # the {event: [groups]} mapping, or MISSING
    base: tuple  # where ``value`` sits in its file
    locate: Callable[[tuple], Position]


@dataclass(slots=True)
class McpSource:
    """MCP server declarations: a ``.mcp.json`` file (``file``) or a manifest's inline map."""

    path: Path
    value: object  # the {"mcpServers": {...}} document, or the inline {name: config} map
    inline: bool  # value is the server map itself (plugin.json "mcpServers": {...})
    base: tuple
    locate: Callable[[tuple], Position]
    file: JsonFile | None = None


@dataclass(slots=True)
class Entry:
    """A marketplace entry that is its plugin's manifest (the plugin has no plugin.json)."""

    file: JsonFile  # the marketplace.json
    base: tuple  # ("plugins", index)
    data: dict

    def locate(self, path: tuple) -> Position:
        return self.file.locate((*self.base, *path))


@dataclass(slots=True)
class Unit:
    kind: str  # "plugin" | "project" | "marketplace"
    root: Path  # plugin root, project root or marketplace root
    settings: Settings
    name: str | None = None  # plugin name: agents are "<name>:<agent>" at runtime
    manifest: JsonFile | None = None  # plugin.json, or marketplace.json for a marketplace
    entry: Entry | None = None  # a plugin without plugin.json: its marketplace entry
    opted_in: bool = False  # policy rules are errors here (see Settings.opted_in)
    agents: list[Document] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    commands: list[Document] = field(default_factory=list)
    hook_files: list[tuple[str, JsonFile]] = field(default_factory=list)  # (origin, file)
    hooks: list[HookSource] = field(default_factory=list)
    claude_md: list[tuple[Path, str]] = field(default_factory=list)
    mcp: list[McpSource] = field(default_factory=list)

    @property
    def plugin(self) -> bool:
        return self.kind == "plugin"

    def documents(self):
        """(kind, document) for every markdown component."""
        for doc in self.agents:
            yield "agent", doc
        for skill in self.skills:
            if skill.doc is not None:
                yield "skill", skill.doc
        for doc in self.commands:
            yield "command", doc


def is_readme(path: Path) -> bool:
    return path.name.lower() == "readme.md"


def agent_name(doc: Document) -> str | None:
    """The name the agent is registered under (plugin agents fall back to the file stem)."""
    name = doc.data.get("name") if doc.data else None
    return name if isinstance(name, str) and name else None
