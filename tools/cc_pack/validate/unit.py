"""What the rules look at: one ``Unit`` per plugin, project (``.claude/``) or marketplace, with its
components already read and parsed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cc_pack.validate.frontmatter import Document
from cc_pack.validate.jsonfile import JsonFile
from cc_pack.validate.settings import Settings

Position = tuple[int, int]
Locate = Callable[[tuple], Position]
MISSING = object()


class Skill:
    __slots__ = ("dir", "doc")

    def __init__(self, dir: Path, doc: Document | None):
        self.dir = dir
        self.doc = doc  # None: the directory has no SKILL.md

    @property
    def name(self) -> str:
        return self.dir.name  # the runtime name is the directory's, whatever the frontmatter says


class HookSource:
    """A ``hooks`` mapping: a settings file, hooks.json, a manifest entry or frontmatter."""

    __slots__ = ("base", "locate", "origin", "path", "value")

    def __init__(self, origin: str, path: Path, value, base: tuple, locate: Locate):
        self.origin = origin  # "settings" | "plugin" | "agent" | "skill"
        self.path = path
        self.value = value  # the {event: [groups]} mapping, or MISSING
        self.base = base  # where ``value`` sits in its file
        self.locate = locate


class McpSource:
    """MCP server declarations: a ``.mcp.json`` file (``file``) or a manifest's inline map."""

    __slots__ = ("base", "file", "inline", "locate", "path", "value")

    def __init__(self, path, value, inline: bool, base: tuple, locate: Locate, file=None):
        self.path = path
        self.value = value  # the {"mcpServers": {...}} document, or the inline {name: config}
        self.inline = inline  # value is the server map itself (plugin.json "mcpServers": {...})
        self.base = base
        self.locate = locate
        self.file: JsonFile | None = file


class Entry:
    """A marketplace entry that is its plugin's manifest (the plugin has no plugin.json)."""

    __slots__ = ("base", "data", "file")

    def __init__(self, file: JsonFile, base: tuple, data: dict):
        self.file = file  # the marketplace.json
        self.base = base  # ("plugins", index)
        self.data = data

    def locate(self, path: tuple) -> Position:
        return self.file.locate((*self.base, *path))


class Unit:
    __slots__ = (
        "agents",
        "claude_md",
        "commands",
        "entry",
        "hook_files",
        "hooks",
        "kind",
        "manifest",
        "mcp",
        "name",
        "opted_in",
        "root",
        "settings",
        "skills",
    )

    def __init__(self, kind: str, root: Path, settings: Settings):
        self.kind = kind  # "plugin" | "project" | "marketplace"
        self.root = root  # plugin root, project root or marketplace root
        self.settings = settings
        self.name: str | None = None  # plugin name: agents are "<name>:<agent>" at runtime
        self.manifest: JsonFile | None = None  # plugin.json, or a marketplace's marketplace.json
        self.entry: Entry | None = None  # a plugin without plugin.json: its marketplace entry
        self.opted_in = False  # policy rules are errors here (see Settings.opted_in)
        self.agents: list[Document] = []
        self.skills: list[Skill] = []
        self.commands: list[Document] = []
        self.hook_files: list[tuple[str, JsonFile]] = []  # (origin, file)
        self.hooks: list[HookSource] = []
        self.claude_md: list[tuple[Path, str]] = []
        self.mcp: list[McpSource] = []

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
