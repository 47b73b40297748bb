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
        "warning",
        "skill directory without SKILL.md",
        "skill directory '{name}' has no SKILL.md, so Claude Code loads no skill from it",
        "add {name}/SKILL.md with frontmatter (name, description) or remove the directory",
        "skills/empty-skill/  (no SKILL.md)\n",
    ),
    Rule(
        "SK002",
        "warning",
        "skill has no description",
        "skill '{name}' has no 'description': Claude Code lists the first line of its body "
        "instead, so the model can hardly tell when to use it",
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
    Rule(
        "SK009",
        "error",
        "the body runs a shell command when the skill is invoked",
        "Claude Code runs {pattern} when the skill is invoked{where}",
        "{fix}",
        "Example:\n```markdown\nCurrent branch: !`git branch --show-current`\n```\n",
        other="warning outside a code block, when allowed-tools does not permit the command",
    ),
)

_SKILL_DIR_REF = re.compile(r"\$\{CLAUDE_SKILL_DIR\}/([^\s\"'`()<>\]\[]+)")
_PLUGIN_REF = re.compile(r"\$\{CLAUDE_PLUGIN_ROOT\}/([^\s\"'`()<>\]\[]+)")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_PLACEHOLDER = ("{", "}", "*", "<", ">", "$", "...", "…", "path/to/", "your-")
# Claude Code's `!` commands (2.1.197 and 2.1.330, function Bfe): ```! blocks, and !`cmd` at the
# start of a line or after whitespace once ordinary `code` spans are masked
_BANG_BLOCK = re.compile(r"```!\s*\n?([\s\S]*?)\n?```")
_BANG = re.compile(r"(?:^|(?<=\s))!`([^`]+)`", re.M)
_MASKED_SPAN = re.compile(r"`[^`\n]+`")


def fences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the markdown fenced code blocks (``` or ~~~) in ``text``."""
    if "```" not in text and "~~~" not in text:
        return []
    spans = []
    offset = 0
    opened = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if opened is None:
            if match and not line.lstrip().startswith("```!"):
                opened = (offset, match.group(1))
        elif match and match.group(1)[0] == opened[1][0] and len(match.group(1)) >= len(opened[1]):
            spans.append((opened[0], offset + len(line)))
            opened = None
        offset += len(line) + 1
    if opened is not None:
        spans.append((opened[0], len(text)))
    return spans


def shell_commands(body: str) -> list[tuple[int, str, str]]:
    """(offset, command, pattern) of every command Claude Code runs when it expands ``body``."""
    found = []
    for match in _BANG_BLOCK.finditer(body):
        command = match.group(1).strip()
        if command:
            found.append((match.start(), command, "the ```! block"))
    if "!`" in body:

        def mask(match: re.Match) -> str:
            before = body[match.start() - 1] if match.start() else ""
            if before in ("!", "`"):
                return match.group()
            return "`" + " " * (len(match.group()) - 2) + "`"

        masked = _MASKED_SPAN.sub(mask, body)
        for match in _BANG.finditer(masked):
            command = match.group(1).strip()
            if command:
                found.append((match.start(), command, f"!`{command}`"))
    return sorted(found)


def _permits(rules: list, command: str) -> bool:
    """Whether allowed-tools entries pre-approve the Bash ``command``."""
    for entry in rules:
        parsed = vocab.parse_tool(entry) if isinstance(entry, str) else None
        if parsed is None or parsed[0] != "Bash":
            continue
        spec = parsed[1]
        if spec is None or spec.strip() in ("*", ":*"):
            return True
        spec = spec.strip()
        prefix = spec[:-2] if spec.endswith(":*") else spec[:-1] if spec.endswith("*") else None
        if command == spec or (prefix is not None and command.startswith(prefix.rstrip())):
            return True
    return False


def body_commands(doc, kind: str, code: str, emit) -> None:
    """SK009 / CM005: the ``!`` commands of a skill or command body."""
    body = doc.body
    if "!`" not in body and "```!" not in body:
        return
    allowed = [e for _, e in vocab.split_tools((doc.data or {}).get("allowed-tools")) or []]
    blocks = fences(body)
    for offset, command, pattern in shell_commands(body):
        line = doc.body_line + body.count("\n", 0, offset)
        column = offset - body.rfind("\n", 0, offset)
        fenced = any(start <= offset < end for start, end in blocks)
        if fenced:
            where = (
                ", also inside a code block: the example is executed, and the "
                f"{kind} fails to load when that shell command is not permitted"
            )
            fix = (
                "escape the `!` (write \\!`...`), or put the `!` inside the code span "
                "(`!git ...`), so the example is shown, not run"
            )
            severity = None
        elif _permits(allowed, command):
            continue
        else:
            where = (
                f"; allowed-tools does not permit it, so the {kind} fails to load unless the "
                "user's permissions allow that shell command (read-only ones pass)"
            )
            fix = (
                f"add `allowed-tools: Bash({command.split()[0]}:*)` to pre-approve it, or escape "
                "the `!` (\\!`...`) if it is an example"
            )
            severity = "warning"
        emit(
            code,
            doc.path,
            (line, column),
            severity=severity,
            pattern=pattern,
            where=where,
            fix=fix,
        )


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
        if key in data and not vocab.boolean(data[key]):
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
        and vocab.is_true(skill.doc.data.get("disable-model-invocation"))
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
        body_commands(doc, "skill", "SK009", emit)
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
    """SK004: files the skill points Claude at (markdown links, ``${CLAUDE_SKILL_DIR}/...``,
    ``${CLAUDE_PLUGIN_ROOT}/...``) in its prose. Code blocks, code spans and placeholders are
    examples, not references."""
    doc = skill.doc
    body = doc.body
    if "(" not in body and "${" not in body:
        return
    if "`" not in body and "~~~" not in body:
        lines = [(0, body)]  # no code at all: the body in one piece, numbered by offset
    else:
        blocks = fences(body)
        lines, offset = [], 0
        for line in body.split("\n"):
            start, offset = offset, offset + len(line) + 1
            if ("(" in line or "${" in line) and not any(a <= start < b for a, b in blocks):
                lines.append((start, _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)))
    for start, text in lines:
        refs = [(m, skill.dir) for m in _SKILL_DIR_REF.finditer(text)]
        if unit.plugin:
            refs += [(m, unit.root) for m in _PLUGIN_REF.finditer(text)]
        for match in _LINK.finditer(text):
            target = match.group(1)
            if "://" in target or target.startswith(("#", "/", "mailto:", "$")):
                continue
            refs.append((match, skill.dir))
        for match, base in refs:
            ref = match.group(1).split("#", 1)[0].rstrip(".,;:")
            if not ref or any(p in ref for p in _PLACEHOLDER):
                continue
            target = base / ref
            if not target.exists():
                at = start + match.start(1)
                line_start = body.rfind("\n", 0, at) + 1
                emit(
                    "SK004",
                    doc.path,
                    (doc.body_line + body.count("\n", 0, at), at - line_start + 1),
                    ref=ref,
                    target=relative(target, unit.root),
                )
