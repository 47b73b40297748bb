"""AG: agent definitions (``agents/**/*.md``). Claude Code drops a project agent without a name
or description (a plugin agent is named after its file and gets a placeholder description),
ignores unknown fields and bad values, and sends any ``model`` verbatim."""

from __future__ import annotations

import re

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule
from cc_pack.validate.unit import agent_name, is_readme

RULES = (
    Rule(
        "AG001",
        "error",
        "project agent has no name",
        "agent has no 'name': Claude Code silently drops a project agent without one",
        "add `name: {stem}`",
        "---\ndescription: Reviews code.\n---\n",
    ),
    Rule(
        "AG002",
        "warning",
        "agent has no description",
        "agent has no 'description': {consequence}",
        "add `description:` saying what the agent does and when to use it",
        "---\nname: reviewer\n---\n",
        other="error for a project agent, which is dropped",
    ),
    Rule(
        "AG003",
        "error",
        "two agents share a name",
        "agent name '{name}' is also used by {other} (one silently replaces the other)",
        "rename one of them",
        "agents/a.md: name: reviewer\nagents/b.md: name: reviewer\n",
    ),
    Rule(
        "AG004",
        "warning",
        "agent name differs from its file name",
        "agent name '{name}' differs from the file name '{stem}'",
        "rename the file to {name}.md or set `name: {stem}`",
        "agents/reviewer.md:\n---\nname: code-checker\n---\n",
        kind="advice",
    ),
    Rule(
        "AG005",
        "warning",
        "unknown agent field",
        "unknown agent field '{key}' (Claude Code ignores it)",
        "remove it, or check its spelling against the documented fields",
        "---\nname: reviewer\ndescription: Reviews code.\ncapabilities: [review]\n---\n",
    ),
    Rule(
        "AG006",
        "error",
        "model is not an alias or a model id",
        "model '{value}' is not inherit, sonnet, opus, haiku, fable or a full claude model id "
        "(it is sent to the API verbatim and the agent fails)",
        "use an alias (`model: sonnet`), `inherit`, or a full id such as claude-sonnet-5",
        "---\nname: reviewer\ndescription: Reviews code.\nmodel: gpt-4\n---\n",
    ),
    Rule(
        "AG007",
        "error",
        "unknown tool",
        "'{tool}' in {key} is not a Claude Code tool (the agent silently lacks it)",
        "use a tool name such as Read, Bash, Edit, Write, WebFetch, Skill, or mcp__server__tool",
        "---\nname: reviewer\ndescription: Reviews code.\ntools: Read, Frobnicate\n---\n",
    ),
    Rule(
        "AG008",
        "warning",
        "tool from an older Claude Code",
        "'{tool}' in {key} is not a tool in Claude Code 2.1.197 or 2.1.330 (the agent gets "
        "nothing for it)",
        "{fix}",
        "---\nname: reviewer\ndescription: Reviews code.\ntools: Read, MultiEdit\n---\n",
    ),
    Rule(
        "AG009",
        "error",
        "malformed tools entry",
        "{key} entry {entry!r} is malformed",
        "write tools as `Name` or `Name(rule)`, separated by commas or as a YAML list",
        "---\nname: reviewer\ndescription: Reviews code.\ntools: Read, Bash(git diff\n---\n",
    ),
    Rule(
        "AG010",
        "error",
        "invalid field value",
        "{key}: {value!r} is not valid (Claude Code logs and ignores it)",
        "use {allowed}",
        "---\nname: reviewer\ndescription: Reviews code.\npermissionMode: yolo\n---\n",
    ),
    Rule(
        "AG011",
        "warning",
        "invalid color",
        "color {value!r} is not a Claude Code colour (ignored)",
        "use one of {allowed}",
        "---\nname: reviewer\ndescription: Reviews code.\ncolor: chartreuse\n---\n",
    ),
    Rule(
        "AG012",
        "warning",
        "agent name is not lowercase-kebab",
        "agent name {name!r} is not lowercase letters, digits and hyphens (hard to call as "
        "subagent_type, and a leading '-' is rejected)",
        "use a name such as {suggestion}",
        "---\nname: Code Reviewer!\ndescription: Reviews code.\n---\n",
        kind="advice",
    ),
    Rule(
        "AG013",
        "warning",
        "README.md in a plugin's agents/ is an agent",
        "Claude Code loads every .md in a plugin's agents/: this README is the agent "
        "'{plugin}:{stem}', listed to the model in every session",
        'move it out of agents/ (or list the real agents in plugin.json "agents")',
        "my-plugin/agents/README.md\n",
    ),
)

_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def check(unit, emit) -> None:
    seen: dict[str, object] = {}
    checks = value_checks(unit)
    for doc in unit.agents:
        path = doc.path
        stem = path.name[:-3]
        if is_readme(path) and unit.plugin and not doc.present:
            emit("AG013", path, (1, 1), plugin=unit.name, stem=stem)
            continue
        if doc.data is None:
            continue  # FM rules said why
        data = doc.data
        name = agent_name(doc)
        if data.get("name") in (None, "") and not unit.plugin:
            emit("AG001", path, doc.key_pos("name"), stem=stem)
        if data.get("description") in (None, ""):
            if unit.plugin:
                consequence = (
                    f"Claude Code lists it with the placeholder 'Agent from {unit.name} plugin', "
                    "so the model cannot tell when to use it"
                )
            else:
                consequence = "Claude Code silently drops a project agent without one"
            emit(
                "AG002",
                path,
                doc.key_pos("description"),
                severity=None if unit.plugin else "error",
                consequence=consequence,
            )
        if name is not None:
            if name in seen:
                emit("AG003", path, doc.value_pos("name"), name=name, other=seen[name].path.name)
            else:
                seen[name] = doc
            if name != stem:
                emit("AG004", path, doc.value_pos("name"), name=name, stem=stem)
            if not _KEBAB.fullmatch(name):
                suggestion = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or stem
                emit("AG012", path, doc.value_pos("name"), name=name, suggestion=suggestion)
        for key in data:
            if key not in vocab.AGENT_FIELDS:
                emit("AG005", path, doc.key_pos(key), key=key)
        if "model" in data and not vocab.valid_model(data["model"]):
            emit("AG006", path, doc.value_pos("model"), value=data["model"])
        for key in ("tools", "disallowedTools"):
            if key in data:
                check_tools(doc, key, emit)
        check_values(doc, checks, emit)


def check_tools(doc, key: str, emit) -> None:
    entries = vocab.split_tools(doc.data[key])
    if entries is None:
        emit("AG009", doc.path, doc.value_pos(key), key=key, entry=doc.data[key])
        return
    for index, entry in entries:
        if isinstance(entry, str) and entry in vocab.KNOWN_TOOLS:
            continue  # the common case, decided without parsing
        parsed = vocab.parse_tool(entry) if isinstance(entry, str) else None
        if parsed is None:
            emit("AG009", doc.path, doc.item_pos(key, index, entry), key=key, entry=entry)
            continue
        name = parsed[0]
        if name in vocab.KNOWN_TOOLS or vocab.is_mcp(name):
            continue
        where = doc.item_pos(key, index, entry)
        if name in vocab.LEGACY_TOOLS:
            emit("AG008", doc.path, where, key=key, tool=name, fix=vocab.LEGACY_TOOLS[name])
        else:
            emit("AG007", doc.path, where, key=key, tool=name)


def _bool(value) -> bool:
    return isinstance(value, bool)


def _max_turns(value) -> bool:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _effort(value) -> bool:
    return value in vocab.EFFORTS or (
        isinstance(value, int) and not isinstance(value, bool) and value > 0
    )


def value_checks(unit) -> dict:
    """field -> (is it valid, what is allowed); plugin agents allow fewer isolation modes."""
    isolation = ("worktree",) if unit.plugin else vocab.ISOLATION
    return {
        "permissionMode": (
            lambda v: v in vocab.PERMISSION_MODES,
            ", ".join(vocab.PERMISSION_MODES),
        ),
        "effort": (_effort, ", ".join(vocab.EFFORTS) + " or a positive integer"),
        "memory": (lambda v: v in vocab.MEMORY, ", ".join(vocab.MEMORY)),
        "isolation": (
            lambda v: v in isolation,
            ", ".join(isolation) + (" (plugin agents)" if unit.plugin else ""),
        ),
        "background": (_bool, "true or false"),
        "maxTurns": (_max_turns, "a positive integer"),
    }


def check_values(doc, checks: dict, emit) -> None:
    for key, (valid, allowed) in checks.items():
        if key in doc.data and not valid(doc.data[key]):
            emit(
                "AG010", doc.path, doc.value_pos(key), key=key, value=doc.data[key], allowed=allowed
            )
    if "color" in doc.data and doc.data["color"] not in vocab.COLORS:
        emit(
            "AG011",
            doc.path,
            doc.value_pos("color"),
            value=doc.data["color"],
            allowed=", ".join(vocab.COLORS),
        )
