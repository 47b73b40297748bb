"""PL: plugin manifests (``.claude-plugin/plugin.json``), marketplaces
(``.claude-plugin/marketplace.json``) and what Claude Code ignores in plugin agents."""

from __future__ import annotations

import re

from cc_pack.validate.rules import Rule
from cc_pack.validate.vocab import JSON_TYPES

RULES = (
    Rule(
        "PL001",
        "error",
        "plugin directory without a manifest",
        "no .claude-plugin/plugin.json: Claude Code does not load this directory as a plugin",
        'add .claude-plugin/plugin.json with at least {{"name": "{name}"}}',
        "my-plugin/agents/reviewer.md  (no my-plugin/.claude-plugin/)\n",
    ),
    Rule(
        "PL002",
        "error",
        "manifest is not valid JSON",
        "invalid JSON: {problem} (the plugin does not load)",
        "fix the JSON syntax at this position",
        '{"name": "pack", }\n',
    ),
    Rule(
        "PL003",
        "error",
        "manifest has no name",
        "{what} has no 'name' string",
        'add "name": "<kebab-case-name>"',
        '{"version": "1.0.0"}\n',
    ),
    Rule(
        "PL004",
        "error",
        "name contains spaces or characters Claude Code refuses",
        "name {name!r} contains {what} ({consequence})",
        'use kebab-case: "{suggestion}"',
        '{"name": "Pack X"}\n',
    ),
    Rule(
        "PL005",
        "warning",
        "name is not kebab-case",
        "name {name!r} is not kebab-case (marketplace sync requires it)",
        'use "{suggestion}"',
        '{"name": "Pack_X"}\n',
        kind="advice",
    ),
    Rule(
        "PL006",
        "error",
        "author is not an object",
        "author must be an object with a name, not a {found}",
        'write "author": {{"name": "..."}}',
        '{"name": "pack", "author": "T"}\n',
    ),
    Rule(
        "PL007",
        "error",
        "component path does not start with ./",
        "{field} path {value!r} must start with ./ (relative to the plugin root)",
        'write "./{fixed}"',
        '{"name": "pack", "agents": ["agents/reviewer.md"]}\n',
    ),
    Rule(
        "PL008",
        "error",
        "component path not found",
        "{field} path {value!r} does not exist (the runtime reports a load failure)",
        "create it or fix the path",
        '{"name": "pack", "agents": ["./agents/missing.md"]}\n',
    ),
    Rule(
        "PL009",
        "error",
        "agents entry is not a .md file",
        "agents entry {value!r} must be a .md file (directories are invalid)",
        'list the files: "agents": ["./agents/reviewer.md", ...], or drop the field to load '
        "agents/ automatically",
        '{"name": "pack", "agents": "./agents/"}\n',
    ),
    Rule(
        "PL010",
        "error",
        "skills entry is not a directory",
        "skills entry {value!r} must be a skill directory, not a file",
        'point at the directory: "{fixed}"',
        '{"name": "pack", "skills": ["./skills/style-guide/SKILL.md"]}\n',
    ),
    Rule(
        "PL011",
        "error",
        "manifest lists the default hooks file",
        "hooks/hooks.json is loaded automatically; listing it again fails at runtime with "
        "'Duplicate hooks file detected'",
        'remove {value!r} from "hooks" (list only additional hook files)',
        '{"name": "pack", "hooks": "./hooks/hooks.json"}\n',
    ),
    Rule(
        "PL012",
        "warning",
        "plugin agent sets a field plugins ignore",
        "plugin agents ignore '{key}'",
        "{fix}",
        "---\nname: reviewer\ndescription: Reviews.\npermissionMode: plan\n---\n  (plugin agent)\n",
    ),
    Rule(
        "PL013",
        "warning",
        "unknown manifest field",
        "unknown field '{key}' in {file} (Claude Code ignores it)",
        "remove it, or check its spelling",
        '{"name": "pack", "foo": 1}\n',
    ),
    Rule(
        "PL014",
        "warning",
        "manifest lacks recommended metadata",
        "no '{key}' in {file}",
        "{fix}",
        '{"name": "pack"}\n',
        kind="advice",
    ),
    Rule(
        "PL015",
        "error",
        "manifest field has the wrong type",
        "{field} must be {expected}, not {found} ({consequence})",
        "{fix}",
        '{"name": "pack", "repository": {"type": "git", "url": "https://github.com/o/pack"}}\n',
    ),
    Rule(
        "PL016",
        "warning",
        "CLAUDE.md at the plugin root",
        "CLAUDE.md at a plugin root is not loaded by Claude Code",
        "move the instructions into a skill or an agent prompt",
        "my-plugin/CLAUDE.md\n",
    ),
    Rule(
        "PL017",
        "error",
        "marketplace field missing or invalid",
        "{problem}",
        "{fix}",
        '{"name": "market", "plugins": []}  (no owner)\n',
    ),
    Rule(
        "PL018",
        "error",
        "marketplace plugin source does not resolve",
        "plugin {name!r}: {problem}",
        "{fix}",
        '{"plugins": [{"name": "pack", "source": "./plugins/missing"}]}\n',
    ),
    Rule(
        "PL019",
        "error",
        "duplicate plugin name in a marketplace",
        "plugin name {name!r} appears twice in the marketplace",
        "give each plugin a unique name",
        '{"plugins": [{"name": "a", "source": "./a"}, {"name": "a", "source": "./b"}]}\n',
    ),
    Rule(
        "PL020",
        "warning",
        "marketplace version differs from plugin.json",
        "plugin {name!r}: marketplace version {entry!r} differs from plugin.json {actual!r} "
        "(plugin.json wins at install time)",
        "keep one version, in plugin.json",
        '{"plugins": [{"name": "a", "source": "./a", "version": "2.0.0"}]}\n',
    ),
    Rule(
        "PL021",
        "error",
        "marketplace name is reserved",
        "marketplace name {name!r} {problem}: Claude Code refuses the marketplace",
        "choose a name of your own (kebab-case, without claude/anthropic/official)",
        '{"name": "inline", "owner": {"name": "me"}, "plugins": []}\n',
    ),
    Rule(
        "PL022",
        "warning",
        "name reserved for Anthropic",
        "{what} {name!r} is reserved for Anthropic: {consequence}",
        "choose a name of your own, for what the {thing} does",
        '{"name": "claude-helpers"}\n',
    ),
)

PLUGIN_FIELDS = frozenset(
    [
        "$schema",
        "name",
        "displayName",
        "version",
        "description",
        "homepage",
        "repository",
        "license",
        "keywords",
        "author",
        "defaultEnabled",
        "dependencies",
        "commands",
        "agents",
        "skills",
        "hooks",
        "mcpServers",
        "lspServers",
        "outputStyles",
        "themes",
        "workflows",
        "monitors",
        "channels",
        "settings",
        "userConfig",
        "binaries",
        "experimental",
    ]
)
ENTRY_FIELDS = PLUGIN_FIELDS | {"source", "category", "tags", "strict", "relevance"}
MARKET_FIELDS = frozenset(
    [
        "$schema",
        "name",
        "owner",
        "plugins",
        "version",
        "description",
        "metadata",
        "forceRemoveDeletedPlugins",
        "allowCrossMarketplaceDependenciesOn",
        "renames",
    ]
)
PATH_FIELDS = (
    "commands",
    "agents",
    "skills",
    "hooks",
    "outputStyles",
    "workflows",
    "mcpServers",
    "lspServers",
)
# plugin.json's string fields: 2.1.197 refuses to load a plugin whose value has another type
# (2.1.330 ignores the bad metadata but still refuses a non-string version), and
# `claude plugin validate` rejects it on both
STRING_FIELDS = ("version", "description", "displayName", "homepage", "repository", "license")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
# marketplace names (2.1.197 and 2.1.330): reserved outright, or for Anthropic's own marketplaces
MARKET_RESERVED = {
    "inline": "is reserved for --plugin-dir session plugins",
    "builtin": "is reserved for built-in plugins",
    "skills-dir": "is reserved for plugins loaded from .claude/skills/",
}
OFFICIAL_MARKETS = frozenset(
    [
        "claude-code-marketplace",
        "claude-code-plugins",
        "claude-plugins-official",
        "anthropic-marketplace",
        "anthropic-plugins",
        "agent-skills",
        "anthropic-agent-skills",
        "life-sciences",
        "knowledge-work-plugins",
        "claude-for-legal",
        "claude-for-financial-services",
        "financial-services-plugins",
        "claude-community",
        "claude-plugins-community",
    ]
)
_IMPERSONATES = re.compile(
    r"official[^a-z0-9]*(anthropic|claude)|(?:anthropic|claude)[^a-z0-9]*official"
    r"|^(?:anthropic|claude)[^a-z0-9]*(marketplace|plugins|official)",
    re.I,
)
_NON_ASCII = re.compile(r"[^\u0020-\u007e]")
# plugin names 2.1.330's `claude plugin validate` refuses as passing for Anthropic's own
_RESERVED_PLUGIN = re.compile(
    r"(?:claude|anthropics?|cc-plugin)-.*|claude|anthropics?|claude-code|claude-mods"
)
_OFFICIAL_BESIDE = re.compile(
    r"official[^a-z0-9]*(anthropic|claude)|(anthropic|claude)[^a-z0-9]*official"
)
IGNORED_IN_PLUGIN_AGENTS = {
    "hooks": "move per-agent hooks into the plugin's hooks/hooks.json, keyed on agent_type",
    "permissionMode": "remove it; plugin agents run in the session's permission mode",
    "mcpServers": "declare MCP servers in the plugin's .mcp.json or plugin.json",
}
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _kebab(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "my-plugin"


LOAD_FAILS = (
    "Claude Code 2.1.197 refuses to load the plugin and `claude plugin validate` rejects it; "
    "2.1.330 ignores the field"
)


def check(unit, emit) -> None:
    if unit.kind == "marketplace":
        marketplace(unit, emit)
        return
    if not unit.plugin:
        return
    for doc in unit.agents:
        for key, fix in IGNORED_IN_PLUGIN_AGENTS.items():
            if doc.data and key in doc.data:
                emit("PL012", doc.path, doc.key_pos(key), key=key, fix=fix)
    if (unit.root / "CLAUDE.md").is_file() and not (unit.root / ".claude").is_dir():
        emit("PL016", unit.root / "CLAUDE.md", (1, 1))
    manifest = unit.manifest
    if manifest is None and unit.entry is not None:
        # no plugin.json: the marketplace entry is the manifest; the marketplace's own check
        # covers the entry's name and fields, this one the components it lists
        entry = unit.entry
        for field in PATH_FIELDS:
            if field in entry.data:
                paths(unit, field, entry.data[field], entry.file.path, entry.locate, emit)
        return
    if manifest is None:
        emit("PL001", unit.root, (1, 1), name=_kebab(unit.root.resolve().name))
        return
    if manifest.error is not None:
        line, col, problem = manifest.error
        emit("PL002", manifest.path, (line, col), problem=problem)
        return
    data = manifest.data
    if not isinstance(data, dict):
        emit(
            "PL015",
            manifest.path,
            (1, 1),
            field="plugin.json",
            expected="an object",
            found=JSON_TYPES.get(type(data), "a value"),
            consequence="the plugin does not load",
            fix='write {"name": "..."}',
        )
        return
    path, at = manifest.path, manifest.locate
    name_check(data, path, at, (), "plugin.json", emit)
    plugin_name(data, path, at, (), emit)
    for key in data:
        if key not in PLUGIN_FIELDS:
            emit("PL013", path, at((key,)), key=key, file="plugin.json")
    for key, fix in (
        ("version", 'add "version": "1.0.0"'),
        ("description", 'add "description": "what the plugin does"'),
        ("author", 'add "author": {"name": "..."}'),
    ):
        if key not in data:
            emit("PL014", path, (1, 1), key=key, file="plugin.json", fix=fix)
    types(data, path, at, (), emit)
    for field in PATH_FIELDS:
        if field in data:
            paths(unit, field, data[field], path, at, emit)


def name_check(data, path, at, base, what, emit) -> None:
    name = data.get("name")
    where = at((*base, "name"))
    if not isinstance(name, str) or not name.strip():
        emit("PL003", path, where, what=what)
    elif " " in name:
        emit(
            "PL004",
            path,
            where,
            name=name,
            what="spaces",
            consequence="rejected by Claude Code",
            suggestion=_kebab(name),
        )
    elif any(c in name for c in ":@/\\") or not name.isprintable():
        emit(
            "PL004",
            path,
            where,
            name=name,
            what="':', '@', a path separator or a control character",
            consequence="Claude Code 2.1.330 refuses to load it: it is not a valid plugin name",
            suggestion=_kebab(name),
        )
    elif not _KEBAB.fullmatch(name):
        emit("PL005", path, where, name=name, suggestion=_kebab(name))


def plugin_name(data, path, at, base, emit) -> None:
    name = data.get("name")
    if not isinstance(name, str):
        return
    lower = name.lower()
    if _RESERVED_PLUGIN.fullmatch(lower) or _OFFICIAL_BESIDE.search(lower):
        emit(
            "PL022",
            path,
            at((*base, "name")),
            what="plugin name",
            name=name,
            consequence="Claude Code 2.1.330's `claude plugin validate` rejects it as passing "
            "for one of Anthropic's own (names starting claude-, anthropic-, cc-plugin-, ...)",
            thing="plugin",
        )


def _found(value) -> str:
    return JSON_TYPES.get(type(value), "a value")


ENTRY_FAILS = (
    "Claude Code cannot install the plugin from this entry, and `claude plugin validate` "
    "rejects the marketplace"
)


def types(data, path, at, base, emit) -> None:
    """PL015/PL006 on a plugin.json (``base`` empty) or a marketplace entry."""
    fails = ENTRY_FAILS if base else LOAD_FAILS
    for key in STRING_FIELDS:
        if key in data and not isinstance(data[key], str):
            fix = (
                'write the URL as a string: "repository": "https://github.com/owner/repo"'
                if key == "repository"
                else f'write "{key}" as a string'
            )
            emit(
                "PL015",
                path,
                at((*base, key)),
                field=key,
                expected="a string",
                found=_found(data[key]),
                consequence="Claude Code refuses to load the plugin"
                if key == "version" and not base
                else fails,
                fix=fix,
            )
    homepage = data.get("homepage")
    if isinstance(homepage, str) and not _URL.fullmatch(homepage):
        emit(
            "PL015",
            path,
            at((*base, "homepage")),
            field="homepage",
            expected="a URL",
            found=repr(homepage),
            consequence=fails,
            fix='write a full URL: "https://..."',
        )
    if "defaultEnabled" in data and not isinstance(data["defaultEnabled"], bool):
        emit(
            "PL015",
            path,
            at((*base, "defaultEnabled")),
            field="defaultEnabled",
            expected="true or false",
            found=_found(data["defaultEnabled"]),
            consequence=fails if base else "Claude Code refuses to load the plugin",
            fix='write "defaultEnabled": true (no quotes)',
        )
    if "keywords" in data and not (
        isinstance(data["keywords"], list) and all(isinstance(k, str) for k in data["keywords"])
    ):
        emit(
            "PL015",
            path,
            at((*base, "keywords")),
            field="keywords",
            expected="a list of strings",
            found=_found(data["keywords"]),
            consequence=fails,
            fix='write "keywords": ["a", "b"]',
        )
    author = data.get("author")
    if "author" in data and not (isinstance(author, dict) and isinstance(author.get("name"), str)):
        found = (
            "object without a name"
            if isinstance(author, dict)
            else JSON_TYPES.get(type(author), "value").split(" ", 1)[-1]
        )
        emit("PL006", path, at((*base, "author")), found=found)


def paths(unit, field, value, path, at, emit) -> None:
    if isinstance(value, dict):
        if field == "commands":  # name -> {source | content, ...}
            for name, spec in value.items():
                source = spec.get("source") if isinstance(spec, dict) else None
                if isinstance(source, str):
                    one_path(unit, field, source, path, at((field, name)), emit)
        return  # inline hooks / servers: checked by their own rules
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        where = at((field, index)) if isinstance(value, list) else at((field,))
        if isinstance(item, str):
            one_path(unit, field, item, path, where, emit)
        elif not (isinstance(item, dict) and field in ("hooks", "mcpServers", "lspServers")):
            emit(
                "PL015",
                path,
                where,
                field=field,
                expected="a ./path string",
                found=JSON_TYPES.get(type(item), "a value"),
                consequence="the manifest fails validation",
                fix=f'write "{field}": ["./..."]',
            )


def one_path(unit, field, value: str, path, where, emit) -> None:
    if field in ("mcpServers",) and "://" in value:
        return
    if not value.startswith("./"):
        emit("PL007", path, where, field=field, value=value, fixed=value.lstrip("./"))
        return
    target = unit.root / value
    if field == "hooks" and target.resolve() == (unit.root / "hooks" / "hooks.json").resolve():
        emit("PL011", path, where, value=value)
        return
    if not target.exists():
        emit("PL008", path, where, field=field, value=value)
    elif field == "agents" and not (target.is_file() and target.suffix == ".md"):
        emit("PL009", path, where, value=value)
    elif field == "skills" and not target.is_dir():
        emit(
            "PL010",
            path,
            where,
            value=value,
            fixed="./" + str(target.parent.relative_to(unit.root))
            if target.name == "SKILL.md"
            else value,
        )
    elif field == "hooks" and not value.endswith(".json"):
        emit(
            "PL015",
            path,
            where,
            field="hooks",
            expected="a ./path ending in .json",
            found=repr(value),
            consequence="the manifest fails validation",
            fix="point at a .json hooks file",
        )


def marketplace(unit, emit) -> None:
    manifest = unit.manifest
    if manifest.error is not None:
        line, col, problem = manifest.error
        emit("PL002", manifest.path, (line, col), problem=problem)
        return
    data, path, at = manifest.data, manifest.path, manifest.locate
    if not isinstance(data, dict):
        emit(
            "PL017",
            path,
            (1, 1),
            problem="marketplace.json is not an object",
            fix='write {"name": ..., "owner": {"name": ...}, "plugins": [...]}',
        )
        return
    name_check(data, path, at, (), "marketplace.json", emit)
    market_name(data, path, at, emit)
    for key in data:
        if key not in MARKET_FIELDS:
            emit("PL013", path, at((key,)), key=key, file="marketplace.json")
    owner = data.get("owner")
    if not (isinstance(owner, dict) and isinstance(owner.get("name"), str)):
        emit(
            "PL017",
            path,
            at(("owner",)),
            problem="marketplace 'owner' must be an object with a name",
            fix='add "owner": {"name": "..."}',
        )
    plugins = data.get("plugins")
    if not isinstance(plugins, list):
        emit(
            "PL017",
            path,
            at(("plugins",)),
            problem="marketplace 'plugins' must be a list",
            fix='add "plugins": [{"name": ..., "source": "./..."}]',
        )
        return
    seen: set[str] = set()
    for index, entry in enumerate(plugins):
        base = ("plugins", index)
        if not isinstance(entry, dict):
            emit(
                "PL017",
                path,
                at(base),
                problem="a plugins entry must be an object",
                fix='write {"name": ..., "source": "./..."}',
            )
            continue
        name_check(entry, path, at, base, f"plugins[{index}]", emit)
        plugin_name(entry, path, at, base, emit)
        types(entry, path, at, base, emit)
        name = entry.get("name")
        if isinstance(name, str):
            if name in seen:
                emit("PL019", path, at((*base, "name")), name=name)
            seen.add(name)
        for key in entry:
            if key not in ENTRY_FIELDS:
                emit("PL013", path, at((*base, key)), key=key, file="marketplace.json")
        source(unit, entry, path, at, base, emit)


def market_name(data, path, at, emit) -> None:
    name = data.get("name")
    if not isinstance(name, str):
        return
    lower = name.lower()
    where = at(("name",))
    if lower in MARKET_RESERVED:
        emit("PL021", path, where, name=name, problem=MARKET_RESERVED[lower])
    elif lower in OFFICIAL_MARKETS:
        emit(
            "PL022",
            path,
            where,
            what="marketplace name",
            name=name,
            consequence="`claude plugin marketplace add` refuses it unless it comes from "
            "github.com/anthropics/",
            thing="marketplace",
        )
    elif _NON_ASCII.search(name) or _IMPERSONATES.search(name):
        emit("PL021", path, where, name=name, problem="impersonates an official Anthropic name")


def source(unit, entry, path, at, base, emit) -> None:
    name, value = entry.get("name"), entry.get("source")
    where = at((*base, "source"))
    if isinstance(value, dict):
        if value.get("source") not in ("github", "url", "git-subdir", "npm"):
            emit(
                "PL018",
                path,
                where,
                name=name,
                problem="source type must be github, url, git-subdir or npm",
                fix='write {"source": "github", "repo": "owner/name"}',
            )
        return
    if not isinstance(value, str) or not value.startswith("./"):
        emit(
            "PL018",
            path,
            where,
            name=name,
            problem=f"source {value!r} is neither a ./path nor a source object",
            fix='write "./plugins/<name>" (relative to the marketplace root)',
        )
        return
    target = unit.root / value
    manifest = target / ".claude-plugin" / "plugin.json"
    if not target.is_dir():
        emit(
            "PL018",
            path,
            where,
            name=name,
            problem=f"{value} is not a directory",
            fix="fix the path (relative to the directory holding .claude-plugin/)",
        )
    elif "version" in entry and manifest.is_file():
        import json

        try:
            actual = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (ValueError, OSError, AttributeError):
            return  # the plugin's own PL002 reports it
        if actual is not None and actual != entry["version"]:
            emit(
                "PL020",
                path,
                at((*base, "version")),
                name=name,
                entry=entry["version"],
                actual=actual,
            )
