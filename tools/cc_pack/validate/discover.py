"""Find what to check under the given paths and read it: plugins, projects (``.claude/``),
marketplaces and the single files inside them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cc_pack.errors import InputError
from cc_pack.validate import frontmatter, jsonfile, parallel
from cc_pack.validate.settings import Settings, opted_in_at, registers_cc_pack
from cc_pack.validate.unit import MISSING, Entry, HookSource, McpSource, Skill, Unit

COMPONENT_DIRS = ("agents", "skills", "commands")


class Discovery:
    """Units found so far (one per root and kind) and the files the user named, if any."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.units: dict[tuple[str, Path], Unit] = {}
        self.only: set[Path] | None = None  # report findings in these files only
        self.files = 0
        self.pending: list[frontmatter.Document] = []

    # -- reading -----------------------------------------------------------------------------

    def read(self, path: Path) -> str:
        try:
            # bytes, decoded as a whole: faster than a text stream, and \r\n stays as Claude Code
            # sees it (its quoting retry skips CRLF lines)
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
        except FileNotFoundError:
            raise
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 (byte {exc.start})", "save the file as UTF-8", path=str(path)
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot read: {exc.strerror}", "check the file's permissions", path=str(path)
            ) from None
        self.files += 1
        return text

    def markdown(self, path: Path) -> frontmatter.Document:
        """A document read and parsed by ``finish`` (all together: in two processes when there
        are enough of them)."""
        doc = frontmatter.Document(path, "")
        self.pending.append(doc)
        return doc

    def finish(self) -> None:
        """Read and parse the pending documents, then what depends on their metadata."""
        docs, self.pending = self.pending, []
        if len(docs) >= PARALLEL_MIN and _can_fork():
            by_child = parallel.fill(docs, self.read_doc)  # (self.read counts the parent's)
            self.files += by_child
        else:
            for doc in docs:
                self.read_doc(doc)
        for unit in self.units.values():
            self.frontmatter_hooks(unit)

    def read_doc(self, doc: frontmatter.Document) -> None:
        frontmatter.fill(doc, self.read(doc.path))

    def json(self, path: Path) -> jsonfile.JsonFile:
        return jsonfile.parse(path, self.read(path))

    # -- inputs ------------------------------------------------------------------------------

    def add_path(self, path: Path) -> None:
        # absolute (symlinks kept) so hook scripts resolve and paths print relative to the cwd
        path = Path(os.path.abspath(path))
        if not path.exists():
            raise InputError("no such file or directory", "check the path", path=str(path))
        if path.is_dir():
            self.add_dir(path)
        else:
            self.add_file(path)

    def add_dir(self, path: Path) -> bool:
        """Every unit rooted at ``path``; False when there is none."""
        if path.name == ".claude":
            self.project(path.parent)
            return True
        found = False
        meta = path / ".claude-plugin"
        if (meta / "marketplace.json").is_file():
            self.marketplace(path)
            found = True
        if (meta / "plugin.json").is_file():
            self.plugin(path)
            found = True
        if (path / ".claude").is_dir() or (
            not (meta / "plugin.json").is_file()
            and ((path / "CLAUDE.md").is_file() or (path / ".mcp.json").is_file())
        ):
            self.project(path)  # a project: its .claude/, or just a CLAUDE.md or .mcp.json
            found = True
        if not found and self.marketplace_plugin_of(path):
            found = True
        if not found and (
            meta.is_dir()
            or any((path / d).is_dir() for d in COMPONENT_DIRS)
            or (path / "hooks" / "hooks.json").is_file()
        ):
            self.plugin(path)  # without a manifest: PL001 says so
            found = True
        return found

    def add_file(self, path: Path) -> None:
        """A single file: check its whole unit (names must be unique, references resolve) but
        report findings in this file only."""
        resolved = path.resolve()
        root = _unit_root(resolved)
        if root is None:
            listed = _listing_plugin(resolved)
            if listed is not None:
                if not self.marketplace_plugin_of(listed):
                    self.plugin(listed)
                if self.only is None:
                    self.only = set()
                self.only.add(resolved)
                return
            raise InputError(
                "not a Claude Code file (agents/*.md, skills/*/SKILL.md, commands/*.md, a file a "
                "plugin manifest lists, hooks/hooks.json, settings.json, plugin.json, "
                "marketplace.json, .mcp.json, CLAUDE.md)",
                "pass the file's plugin or project directory instead",
                path=str(path),
            )
        if root.name == ".claude":
            self.project(root.parent)
        elif resolved.name == "CLAUDE.md":
            self.project(root)
        elif not self.add_dir(root):
            if resolved.name == ".mcp.json":
                self.project(root)
            else:
                self.plugin(root)
        if self.only is None:
            self.only = set()
        self.only.add(resolved)

    # -- units -------------------------------------------------------------------------------

    def _unit(self, kind: str, root: Path) -> Unit | None:
        key = (kind, root.resolve())
        if key in self.units:
            return None
        unit = self.units[key] = Unit(kind=kind, root=root, settings=self.settings)
        return unit

    def project(self, root: Path) -> None:
        unit = self._unit("project", root)
        if unit is None:
            return
        base = root / ".claude"
        unit.opted_in = opted_in_at(root)
        unit.agents = [self.markdown(p) for p in _markdown_under(base / "agents")]
        unit.skills = self.skill_dirs(base / "skills")
        unit.commands = [self.markdown(p) for p in _markdown_under(base / "commands")]
        for name in ("settings.json", "settings.local.json"):
            if (base / name).is_file():
                self.hook_file(unit, "settings", base / name)
        for md in (root / "CLAUDE.md", base / "CLAUDE.md"):
            if md.is_file():
                unit.claude_md.append((md, self.read(md)))
        if (root / ".mcp.json").is_file():
            self.mcp_file(unit, root / ".mcp.json")

    def plugin(self, root: Path, entry: Entry | None = None) -> None:
        """A plugin: its plugin.json, or (``entry``) the marketplace entry standing in for it.
        A manifest's ``agents``/``commands`` replace the default directories; an entry's add to
        them (Claude Code 2.1.197 and 2.1.330 load both)."""
        unit = self._unit("plugin", root)
        if unit is None:
            return
        manifest_path = root / ".claude-plugin" / "plugin.json"
        data: dict = {}
        if manifest_path.is_file():
            unit.manifest = self.json(manifest_path)
            if isinstance(unit.manifest.data, dict):
                data = unit.manifest.data
        elif entry is not None:
            unit.entry = entry
            data = entry.data
        name = data.get("name")
        unit.name = name if isinstance(name, str) and name else root.resolve().name

        listed = _manifest_paths(root, data.get("agents"))
        agents = [] if listed is not None and entry is None else _markdown_under(root / "agents")
        agents += [p for p in listed or [] if p.suffix == ".md" and p.is_file() and p not in agents]
        unit.agents = [self.markdown(p) for p in agents]

        listed = _manifest_paths(root, data.get("commands"))
        commands = []
        places = [root / "commands"] if listed is None or entry is not None else []
        for place in places + (listed or []):
            if place.is_dir():
                commands += [p for p in _markdown_under(place) if p not in commands]
            elif place.suffix == ".md" and place.is_file() and place not in commands:
                commands.append(place)
        unit.commands = [self.markdown(p) for p in commands]

        unit.skills = self.skill_dirs(root / "skills")
        listed = _manifest_paths(root, data.get("skills")) or []
        seen = {skill.dir.resolve() for skill in unit.skills} if listed else set()
        for entry in listed:
            extra = [Skill(entry, None)] if (entry / "SKILL.md").is_file() else []
            if not extra and entry.is_dir():
                extra = [Skill(Path(e.path), None) for e in os.scandir(entry) if e.is_dir()]
            for skill in extra:
                if skill.dir.resolve() not in seen and (skill.dir / "SKILL.md").is_file():
                    seen.add(skill.dir.resolve())
                    skill.doc = self.markdown(skill.dir / "SKILL.md")
                    unit.skills.append(skill)

        default_hooks = root / "hooks" / "hooks.json"
        if default_hooks.is_file():
            self.hook_file(unit, "plugin", default_hooks)
        locate = unit.manifest.locate if unit.manifest is not None else None
        source_path = manifest_path
        if unit.manifest is None and entry is not None:
            locate, source_path = entry.locate, entry.file.path
        manifest_hooks = data.get("hooks")
        items = manifest_hooks if isinstance(manifest_hooks, list) else [manifest_hooks]
        for index, item in enumerate(items):
            where = ("hooks", index) if isinstance(manifest_hooks, list) else ("hooks",)
            if isinstance(item, str) and item.startswith("./") and item.endswith(".json"):
                path = root / item
                if path.is_file() and path.resolve() != default_hooks.resolve():
                    self.hook_file(unit, "plugin", path)
            elif isinstance(item, dict) and locate is not None:
                # inline: the {event: [groups]} mapping itself
                unit.hooks.append(HookSource("plugin", source_path, item, where, locate))
        if (root / ".mcp.json").is_file():
            self.mcp_file(unit, root / ".mcp.json")
        servers = data.get("mcpServers")
        for index, item in enumerate(servers if isinstance(servers, list) else [servers]):
            where = ("mcpServers", index) if isinstance(servers, list) else ("mcpServers",)
            if isinstance(item, str) and item.startswith("./") and item.endswith(".json"):
                path = root / item
                if path.is_file() and path.resolve() != (root / ".mcp.json").resolve():
                    self.mcp_file(unit, path)
            elif isinstance(item, dict) and locate is not None:
                unit.mcp.append(McpSource(source_path, item, True, where, locate))
        unit.opted_in = opted_in_at(root) or any(
            registers_cc_pack(file.text) for _, file in unit.hook_files
        )

    def marketplace(self, root: Path) -> None:
        unit = self._unit("marketplace", root)
        if unit is None:
            return
        unit.manifest = self.json(root / ".claude-plugin" / "marketplace.json")
        for target, entry in _local_entries(unit.manifest, root):
            if (target / ".claude-plugin" / "plugin.json").is_file():
                self.plugin(target)
            else:  # the entry is the manifest (reference D.4)
                self.plugin(target, entry)

    def marketplace_plugin_of(self, root: Path) -> bool:
        """Check ``root`` as the plugin a marketplace above it lists without a plugin.json
        (its entry is the manifest)."""
        if (root / ".claude-plugin" / "plugin.json").is_file():
            return False
        real = root.resolve()
        for parent in real.parents:
            market = parent / ".claude-plugin" / "marketplace.json"
            if market.is_file():
                parsed = self.json(market)
                for target, entry in _local_entries(parsed, parent):
                    if target.resolve() == real:
                        self.plugin(root, entry)
                        return True
                return False
        return False

    def mcp_file(self, unit: Unit, path: Path) -> None:
        parsed = self.json(path)
        unit.mcp.append(McpSource(path, parsed.data, False, (), parsed.locate, parsed))

    # -- parts -------------------------------------------------------------------------------

    def skill_dirs(self, base: Path) -> list[Skill]:
        if not base.is_dir():
            return []
        skills = []
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                path = Path(entry.path)
                skill_md = path / "SKILL.md"
                doc = self.markdown(skill_md) if os.path.isfile(skill_md) else None
                skills.append(Skill(path, doc))
        return skills

    def hook_file(self, unit: Unit, origin: str, path: Path) -> None:
        parsed = self.json(path)
        unit.hook_files.append((origin, parsed))
        if parsed.error is None:
            value = parsed.data.get("hooks", MISSING) if isinstance(parsed.data, dict) else MISSING
            if origin == "settings" and value is MISSING:
                return  # settings without hooks are fine
            unit.hooks.append(HookSource(origin, path, value, ("hooks",), parsed.locate))

    def frontmatter_hooks(self, unit: Unit) -> None:
        for kind, doc in unit.documents():
            if kind != "command" and doc.data and "hooks" in doc.data:
                unit.hooks.append(
                    HookSource(kind, doc.path, doc.data["hooks"], ("hooks",), doc.locate)
                )


def _text(path: Path) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return ""


def _local_entries(manifest: jsonfile.JsonFile, root: Path) -> list[tuple[Path, Entry]]:
    """The marketplace's plugins with a local ./ source that is a directory."""
    data = manifest.data
    plugins = data.get("plugins") if isinstance(data, dict) else None
    found = []
    for index, item in enumerate(plugins if isinstance(plugins, list) else []):
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, str) and source.startswith("./") and (root / source).is_dir():
            found.append((root / source, Entry(manifest, ("plugins", index), item)))
    return found


def _listing_plugin(path: Path) -> Path | None:
    """The plugin directory whose manifest (or marketplace entry) lists ``path`` as one of its
    agents, commands or skills, for a file outside the default component directories."""
    for parent in path.parents:
        manifest = parent / ".claude-plugin" / "plugin.json"
        market = parent / ".claude-plugin" / "marketplace.json"
        candidates: list[tuple[Path, dict]] = []
        if manifest.is_file():
            data = jsonfile.parse(manifest, _text(manifest)).data
            candidates.append((parent, data if isinstance(data, dict) else {}))
        if market.is_file():
            parsed = jsonfile.parse(market, _text(market))
            candidates += [(target, entry.data) for target, entry in _local_entries(parsed, parent)]
        for root, data in candidates:
            for field in ("agents", "commands", "skills"):
                for listed in _manifest_paths(root, data.get(field)) or []:
                    listed = listed.resolve()
                    if listed == path or listed in path.parents:
                        return root
        if manifest.is_file():
            return None
    return None


def _markdown_under(base: Path) -> list[Path]:
    if not base.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath, f) for f in sorted(filenames) if f.endswith(".md")]
    return found


def _manifest_paths(root: Path, value) -> list[Path] | None:
    """The ``./`` paths a manifest field lists (None when the field is absent). Malformed entries
    are skipped here; the PL rules report them."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [root / item for item in items if isinstance(item, str) and item.startswith("./")]


def _unit_root(path: Path) -> Path | None:
    """The plugin or project directory (or ``.claude/``) a single file belongs to."""
    name, parents = path.name, path.parents
    if name == "CLAUDE.md":
        return path.parent
    if name in ("settings.json", "settings.local.json") and path.parent.name == ".claude":
        return path.parent
    if name in ("plugin.json", "marketplace.json") and path.parent.name == ".claude-plugin":
        return path.parent.parent
    if name == "hooks.json" and path.parent.name == "hooks":
        return path.parent.parent
    if name == ".mcp.json":
        return path.parent
    if name.endswith(".md"):
        for parent in parents:
            if parent.name in COMPONENT_DIRS:
                return parent.parent
    return None


PARALLEL_MIN = 400  # below this many documents a second process costs more than it saves


def _can_fork() -> bool:
    """Two processes: a second core, os.fork, and no other thread (a fork copies only the calling
    thread: a lock another one holds, the import lock say, would never be released)."""
    if os.environ.get("CC_PACK_VALIDATE_JOBS") == "1" or not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    return (os.cpu_count() or 1) > 1


def discover(paths: list[Path], settings: Settings) -> Discovery:
    found = Discovery(settings)
    for path in paths:
        found.add_path(path)
    found.finish()
    return found
