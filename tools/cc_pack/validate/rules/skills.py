"""SK: skills (``skills/<dir>/SKILL.md``) and the ``skills:`` an agent preloads. The runtime name
of a skill is its directory name; a preloaded skill that does not resolve, or that the model may
not invoke (``disable-model-invocation: true``), is silently skipped."""

from __future__ import annotations

import re

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule, relative

RULES = (
    Rule(
        "SK001",
        "error",
        "skill directory without SKILL.md",
        "skill directory '{name}' has no SKILL.md, so Claude Code loads no skill from it",
        "add {name}/SKILL.md with frontmatter (name, description) or remove the directory",
        "skills/empty-skill/  (no SKILL.md)\n",
    ),
    Rule(
        "SK002",
        "error",
        "skill has no description",
        "skill '{name}' has no 'description'; the model cannot tell when to use it",
        "add `description:` saying what the skill does and when to use it",
        "---\nname: style-guide\n---\n",
    ),
    Rule(
        "SK003",
        "warning",
        "skill name differs from its directory",
        "skill name '{value}' differs from its directory '{name}'; the directory name wins at "
        "runtime (/{name})",
        "set `name: {name}` or rename the directory",
        "skills/style-guide/SKILL.md:\n---\nname: house-style\n---\n",
    ),
    Rule(
        "SK004",
        "error",
        "skill references a missing file",
        "'{ref}' does not exist (resolved to {target})",
        "create the file or fix the path (relative to the skill directory)",
        "Run ${CLAUDE_SKILL_DIR}/scripts/missing.sh\n",
    ),
    Rule(
        "SK005",
        "error",
        "preloaded skill does not resolve",
        "skills entry {entry!r} is not a skill of this {scope}, so nothing is preloaded",
        "{fix}",
        "---\nname: reviewer\ndescription: Reviews.\ntools: Read\nskills: [no-such-skill]\n---\n",
    ),
    Rule(
        "SK006",
        "warning",
        "unknown skill field",
        "unknown skill field '{key}' (Claude Code ignores it)",
        "remove it, or check its spelling against the documented fields",
        "---\ndescription: House style.\nauthor: me\n---\n",
    ),
    Rule(
        "SK007",
        "error",
        "invalid skill field value",
        "{key}: {value!r} is not valid",
        "use {allowed}",
        "---\ndescription: House style.\ncontext: background\n---\n",
    ),
    Rule(
        "SK008",
        "error",
        "preloaded skill is not model-invocable",
        "skills entry {entry!r} names a skill with `disable-model-invocation: true`; Claude Code "
        "preloads only skills the model may invoke, so it silently skips this one",
        "drop the entry, or remove `disable-model-invocation: true` from {skill} (to keep it out "
        "of the / menu, use `user-invocable: false`: such skills are still preloaded)",
        "skills/gates/SKILL.md: disable-model-invocation: true\n"
        "agents/checker.md:\n---\nname: checker\ndescription: Checks.\ntools: Read\n"
        "skills: [gates]\n---\n",
    ),
)

_SKILL_DIR_REF = re.compile(r"\$\{CLAUDE_SKILL_DIR\}/([^\s\"'`()<>\]\[]+)")
_PLUGIN_REF = re.compile(r"\$\{CLAUDE_PLUGIN_ROOT\}/([^\s\"'`()<>\]\[]+)")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def prompt_values(doc, emit, code: str) -> None:
    """Values shared by skills and commands (SK007 / CM002)."""
    data = doc.data

    def flag(key, allowed):
        emit(code, doc.path, doc.value_pos(key), key=key, value=data[key], allowed=allowed)

    if "model" in data and not vocab.valid_model(data["model"]):
        flag("model", "inherit, sonnet, opus, haiku, fable or a full claude model id")
    if (
        "effort" in data
        and data["effort"] not in vocab.EFFORTS
        and not (isinstance(data["effort"], int) and not isinstance(data["effort"], bool))
    ):
        flag("effort", ", ".join(vocab.EFFORTS) + " or an integer")
    for key in ("disable-model-invocation", "user-invocable"):
        if key in data and not isinstance(data[key], bool):
            flag(key, "true or false")
    if "shell" in data and data["shell"] not in vocab.SHELLS:
        flag("shell", " or ".join(vocab.SHELLS))
    for key in ("allowed-tools", "disallowed-tools", "disallowedTools"):
        if key in data and vocab.split_tools(data[key]) is None:
            flag(key, "a comma-separated string or a YAML list of tool names")
    if "context" in data and data["context"] not in vocab.CONTEXTS:
        flag("context", " or ".join(vocab.CONTEXTS))


def check(unit, emit) -> None:
    names = {skill.name for skill in unit.skills if skill.doc is not None}
    # preloading resolves through the skills the model may invoke (Claude Code 2.1.197)
    model_hidden = {
        skill.name: skill.doc.path
        for skill in unit.skills
        if skill.doc is not None
        and isinstance(skill.doc.data, dict)
        and skill.doc.data.get("disable-model-invocation") is True
    }
    for skill in unit.skills:
        doc = skill.doc
        if doc is None:
            emit("SK001", skill.dir, (1, 1), name=skill.name)
            continue
        if doc.data is not None:
            data = doc.data
            if data.get("description") in (None, ""):
                emit("SK002", doc.path, doc.key_pos("description"), name=skill.name)
            if isinstance(data.get("name"), str) and data["name"] != skill.name:
                emit("SK003", doc.path, doc.value_pos("name"), value=data["name"], name=skill.name)
            for key in data:
                if key not in vocab.SKILL_FIELDS:
                    emit("SK006", doc.path, doc.key_pos(key), key=key)
            prompt_values(doc, emit, "SK007")
        references(unit, skill, emit)
    for doc in unit.agents:
        if doc.data is None or "skills" not in doc.data:
            continue
        entries = vocab.split_tools(doc.data["skills"])
        if entries is None:
            emit(
                "SK005",
                doc.path,
                doc.value_pos("skills"),
                entry=doc.data["skills"],
                scope=_scope(unit),
                fix="write skills as a YAML list of skill names",
            )
            continue
        for index, entry in entries:
            bare = entry
            if unit.plugin and isinstance(entry, str) and entry.startswith(f"{unit.name}:"):
                bare = entry.split(":", 1)[1]
            if bare not in names:
                pos = doc.item_pos("skills", index, entry)
                known = ", ".join(sorted(names)) or "none"
                emit(
                    "SK005",
                    doc.path,
                    pos,
                    entry=entry,
                    scope=_scope(unit),
                    fix=f"use the directory name of one of its skills ({known})",
                )
            elif bare in model_hidden:
                emit(
                    "SK008",
                    doc.path,
                    doc.item_pos("skills", index, entry),
                    entry=entry,
                    skill=relative(model_hidden[bare], unit.root),
                )


def _scope(unit) -> str:
    return "plugin" if unit.plugin else "project"


def references(unit, skill, emit) -> None:
    doc = skill.doc
    for offset, line in enumerate(doc.body.split("\n")):
        if "(" not in line and "${" not in line:
            continue
        refs = [(m, skill.dir) for m in _SKILL_DIR_REF.finditer(line)]
        if unit.plugin:
            refs += [(m, unit.root) for m in _PLUGIN_REF.finditer(line)]
        for match in _LINK.finditer(line):
            target = match.group(1)
            if "://" in target or target.startswith(("#", "/", "mailto:", "$")):
                continue
            refs.append((match, skill.dir))
        for match, base in refs:
            ref = match.group(1).split("#", 1)[0].rstrip(".,;:")
            if not ref or any(c in ref for c in "{}*<>$"):
                continue
            target = base / ref
            if not target.exists():
                emit(
                    "SK004",
                    doc.path,
                    (doc.body_line + offset, match.start(1) + 1),
                    ref=ref,
                    target=relative(target, unit.root),
                )
