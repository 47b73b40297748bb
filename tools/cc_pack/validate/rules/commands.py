"""CM: slash commands (``commands/**/*.md``). They load as prompt skills and share the skill
frontmatter; arguments are 0-based (``$0`` is the first)."""

from __future__ import annotations

import re

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule
from cc_pack.validate.rules.skills import body_commands, prompt_values
from cc_pack.validate.unit import is_readme

RULES = (
    Rule(
        "CM001",
        "warning",
        "unknown command field",
        "unknown command field '{key}' (Claude Code ignores it)",
        "remove it, or check its spelling against the documented fields",
        "---\ndescription: Orchestrate.\ncategory: workflow\n---\n",
    ),
    Rule(
        "CM002",
        "error",
        "invalid command field value",
        "{key}: {value!r} is not valid",
        "use {allowed}",
        "---\ndescription: Orchestrate.\nmodel: gpt-4\n---\n",
    ),
    Rule(
        "CM003",
        "warning",
        "$1 used without $0",
        "the body uses ${index} but never $0: arguments are 0-based, so ${index} is the argument "
        "number {human}",
        "use $0 for the first argument ($ARGUMENTS for all of them)",
        "---\ndescription: Compare.\n---\nCompare $1 with $2\n",
    ),
    Rule(
        "CM004",
        "warning",
        "command has no description",
        "command has no 'description'; listings show its first line instead",
        "add `description:` saying what the command does",
        "---\nargument-hint: <task>\n---\n",
        kind="advice",
    ),
    Rule(
        "CM005",
        "error",
        "the body runs a shell command when the command is invoked",
        "Claude Code runs {pattern} when the command is invoked{where}",
        "{fix}",
        "Example:\n```markdown\nCurrent branch: !`git branch --show-current`\n```\n",
        other="warning outside a code block, when allowed-tools does not permit the command",
    ),
    Rule(
        "CM006",
        "warning",
        "README.md in commands/ is a command",
        "Claude Code loads every .md in commands/: this README is the command '/{name}', listed "
        "to the model as a skill",
        "move it out of commands/",
        "commands/README.md\n",
    ),
)

_POSITIONAL = re.compile(r"\$(\d+)|\$ARGUMENTS\[(\d+)\]")


def check(unit, emit) -> None:
    for doc in unit.commands:
        if is_readme(doc.path) and not doc.present:
            name = f"{unit.name}:{doc.path.stem}" if unit.plugin else doc.path.stem
            emit("CM006", doc.path, (1, 1), name=name)
            continue
        if doc.data is not None:
            for key in doc.data:
                if key not in vocab.COMMAND_FIELDS:
                    emit("CM001", doc.path, doc.key_pos(key), key=key)
            prompt_values(doc, emit, "CM002")
            if doc.data.get("description") in (None, ""):
                emit("CM004", doc.path, doc.key_pos("description"))
        positional(doc, emit)
        body_commands(doc, "command", "CM005", emit)


def positional(doc, emit) -> None:
    first = None
    for offset, line in enumerate(doc.body.split("\n")):
        for match in _POSITIONAL.finditer(line):
            index = int(match.group(1) or match.group(2))
            if index == 0:
                return
            if first is None and match.group(1):
                first = (doc.body_line + offset, match.start() + 1, index)
    if first is not None:
        line, col, index = first
        emit("CM003", doc.path, (line, col), index=index, human=index + 1)
