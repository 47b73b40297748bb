"""Find what to check under the given paths and read it: plugins, projects (``.claude/``),
marketplaces and the single files inside them."""

from __future__ import annotations

import os
from pathlib import Path

from cc_pack.errors import InputError
from cc_pack.validate import frontmatter, jsonfile
from cc_pack.validate.settings import Settings
from cc_pack.validate.unit import MISSING, HookSource, Skill, Unit

COMPONENT_DIRS = ("agents", "skills", "commands")


class Discovery:
    """Units found so far (one per root and kind) and the files the user named, if any."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.units: dict[tuple[str, Path], Unit] = {}
        self.only: set[Path] | None = None  # report findings in these files only
        self.files = 0

    # -- reading -----------------------------------------------------------------------------

    def read(self, path: Path) -> str:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
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
        return frontmatter.parse(path, self.read(path))

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
        if (path / ".claude").is_dir():
            self.project(path)
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
            raise InputError(
                "not a Claude Code file (agents/*.md, skills/*/SKILL.md, commands/*.md, "
                "hooks/hooks.json, settings.json, plugin.json, marketplace.json, CLAUDE.md)",
                "pass the file's plugin or project directory instead",
                path=str(path),
            )
        if root.name == ".claude":
            self.project(root.parent)
        elif resolved.name == "CLAUDE.md":
            self.project(root)
        elif not self.add_dir(root):
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
        unit.agents = [self.markdown(p) for p in _markdown_under(base / "agents")]
        unit.skills = self.skill_dirs(base / "skills")
        unit.commands = [self.markdown(p) for p in _markdown_under(base / "commands")]
        for name in ("settings.json", "settings.local.json"):
            if (base / name).is_file():
                self.hook_file(unit, "settings", base / name)
        for md in (root / "CLAUDE.md", base / "CLAUDE.md"):
            if md.is_file():
                unit.claude_md.append((md, self.read(md)))
        self.frontmatter_hooks(unit)

    def plugin(self, root: Path) -> None:
        unit = self._unit("plugin", root)
        if unit is None:
            return
        manifest_path = root / ".claude-plugin" / "plugin.json"
        data: dict = {}
        if manifest_path.is_file():
            unit.manifest = self.json(manifest_path)
            if isinstance(unit.manifest.data, dict):
                data = unit.manifest.data
        name = data.get("name")
        unit.name = name if isinstance(name, str) and name else root.resolve().name

        listed = _manifest_paths(root, data.get("agents"))
        agents = (
            _markdown_under(root / "agents")
            if listed is None
            else [p for p in listed if p.suffix == ".md" and p.is_file()]
        )
        unit.agents = [self.markdown(p) for p in agents]

        listed = _manifest_paths(root, data.get("commands"))
        commands = []
        for entry in [root / "commands"] if listed is None else listed:
            if entry.is_dir():
                commands += _markdown_under(entry)
            elif entry.suffix == ".md" and entry.is_file():
                commands.append(entry)
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
        manifest_hooks = data.get("hooks")
        entries = manifest_hooks if isinstance(manifest_hooks, list) else [manifest_hooks]
        for index, entry in enumerate(entries):
            where = ("hooks", index) if isinstance(manifest_hooks, list) else ("hooks",)
            if isinstance(entry, str) and entry.startswith("./") and entry.endswith(".json"):
                path = root / entry
                if path.is_file() and path.resolve() != default_hooks.resolve():
                    self.hook_file(unit, "plugin", path)
            elif isinstance(entry, dict):  # inline: the {event: [groups]} mapping itself
                unit.hooks.append(
                    HookSource("plugin", manifest_path, entry, where, unit.manifest.locate)
                )
        self.frontmatter_hooks(unit)

    def marketplace(self, root: Path) -> None:
        unit = self._unit("marketplace", root)
        if unit is None:
            return
        unit.manifest = self.json(root / ".claude-plugin" / "marketplace.json")
        data = unit.manifest.data
        plugins = data.get("plugins") if isinstance(data, dict) else None
        for entry in plugins if isinstance(plugins, list) else []:
            source = entry.get("source") if isinstance(entry, dict) else None
            if isinstance(source, str) and source.startswith("./"):
                target = root / source
                if (target / ".claude-plugin" / "plugin.json").is_file():
                    self.plugin(target)

    # -- parts -------------------------------------------------------------------------------

    def skill_dirs(self, base: Path) -> list[Skill]:
        if not base.is_dir():
            return []
        skills = []
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                path = Path(entry.path)
                try:
                    skills.append(Skill(path, self.markdown(path / "SKILL.md")))
                except FileNotFoundError:
                    skills.append(Skill(path, None))
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
    if name.endswith(".md"):
        for parent in parents:
            if parent.name in COMPONENT_DIRS:
                return parent.parent
    return None


def discover(paths: list[Path], settings: Settings) -> Discovery:
    found = Discovery(settings)
    for path in paths:
        found.add_path(path)
    return found
