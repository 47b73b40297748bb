"""CM: slash commands (``commands/**/*.md``). They load as prompt skills and share the skill
frontmatter; arguments are 0-based (``$0`` is the first)."""

from __future__ import annotations

import re

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule
from cc_pack.validate.rules.skills import prompt_values

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
    ),
)

_POSITIONAL = re.compile(r"\$(\d+)|\$ARGUMENTS\[(\d+)\]")


def check(unit, emit) -> None:
    for doc in unit.commands:
        if doc.data is not None:
            for key in doc.data:
                if key not in vocab.COMMAND_FIELDS:
                    emit("CM001", doc.path, doc.key_pos(key), key=key)
            prompt_values(doc, emit, "CM002")
            if doc.data.get("description") in (None, ""):
                emit("CM004", doc.path, doc.key_pos("description"))
        positional(doc, emit)


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
