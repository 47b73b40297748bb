"""FM: the YAML frontmatter of agents, skills and commands, as Claude Code reads it (see
``cc_pack.validate.frontmatter``: YAML 1.2, one quoting retry). A file whose frontmatter does not
parse even after the retry loads with empty metadata: a project agent is then dropped (it has no
name), a plugin agent is named after its file with a placeholder description, a skill or command
is listed with the first line of its body."""

from __future__ import annotations

import re

from cc_pack.validate.rules import Rule
from cc_pack.validate.unit import is_readme

RULES = (
    Rule(
        "FM001",
        "warning",
        "no frontmatter block",
        "no YAML frontmatter: {consequence}",
        "start the file with a --- line, the YAML fields (name, description, ...) and a --- line",
        "You review code.\n",
        other="error for a project agent, which is dropped",
    ),
    Rule(
        "FM002",
        "error",
        "frontmatter is not valid YAML, even after Claude Code's retry",
        "frontmatter YAML does not parse, even with Claude Code's quoting retry: {problem} "
        "(this {kind} loads with empty metadata{consequence})",
        "{fix}",
        "---\nname: reviewer\ndescription: Use this agent when\n  <example>Context: a diff"
        "</example>\n---\n",
    ),
    Rule(
        "FM003",
        "warning",
        "frontmatter is valid only after Claude Code's quoting retry",
        "frontmatter is not valid YAML ({problem}); Claude Code loads it only because it retries "
        "with such values quoted (Claude Code 2.1.197's `claude plugin validate` and other YAML "
        "readers reject it)",
        'quote the value (`description: "..."`) or write it as a block scalar '
        "(`description: >-` and the text indented on the next lines)",
        "---\nname: reviewer\ndescription: Reviews code. Use when: the diff is ready\n---\n",
        kind="advice",
    ),
    Rule(
        "FM004",
        "error",
        "frontmatter is not a mapping",
        "frontmatter is a {found}, not a mapping of fields (this {kind} loads with empty "
        "metadata{consequence})",
        "write the frontmatter as `key: value` lines",
        "---\n- name: reviewer\n---\n",
    ),
    Rule(
        "FM005",
        "error",
        "frontmatter is never closed",
        "the opening --- has no closing ---, so Claude Code sees no frontmatter: {consequence}",
        "end the frontmatter with a line holding only ---",
        "---\nname: reviewer\ndescription: Reviews code.\nYou review code.\n",
    ),
    Rule(
        "FM006",
        "warning",
        "duplicate frontmatter key",
        "duplicate key '{key}': Claude Code keeps the last value and ignores the others",
        "keep one '{key}' line",
        "---\nname: reviewer\nname: checker\n---\n",
    ),
    Rule(
        "FM007",
        "warning",
        "name or description is not a string",
        "'{key}' is a {found}, not a string ({consequence})",
        "write '{key}' as text (quote it if YAML reads it as a number, list or date)",
        "---\nname: 42\ndescription: Reviews code.\n---\n",
        other="error for a project agent, which is dropped",
    ),
    Rule(
        "FM008",
        "error",
        "file starts with a byte-order mark",
        "the file starts with a UTF-8 byte-order mark, so Claude Code 2.1.197 sees no "
        "frontmatter: {consequence} (2.1.330 strips the mark)",
        "save the file as UTF-8 without a BOM",
        "\\ufeff---\nname: reviewer\n---\n",
    ),
    Rule(
        "FM009",
        "warning",
        "YAML silently changes a value",
        "{what}, so '{key}' is {value!r} at runtime",
        "{fix}",
        "---\nname: reviewer\ndescription: Fixes issue #12 in the parser\n---\n",
    ),
)

_TYPES = {list: "list", dict: "mapping", int: "number", float: "number", bool: "boolean"}
_MULTILINE = ("could not find expected ':'", "mapping values are not allowed")
_COMMENT = re.compile(r"\s+#")
# free-text fields, where a ' #' is part of the text (elsewhere it is usually a real comment)
_PROSE = frozenset(["description", "when_to_use", "when-to-use", "argument-hint"])


def check(unit, emit) -> None:
    for kind, doc in unit.documents():
        if is_readme(doc.path) and not doc.present and kind in ("agent", "command"):
            # documentation: in .claude/agents/ Claude Code drops it (no name), as its author
            # wants; in a plugin's agents/ or in commands/ AG013 / CM006 say what it becomes
            continue
        check_document(unit, kind, doc, emit)


def lost(unit, kind: str, doc) -> str:
    """What Claude Code makes of a file whose metadata is lost."""
    stem = doc.path.name[:-3]
    if kind == "agent":
        if unit.plugin:
            return (
                f"it loads as '{unit.name}:{stem}' with the placeholder description "
                f"'Agent from {unit.name} plugin'"
            )
        return "Claude Code drops this agent, which has no name or description"
    return f"the {kind} is listed with the first line of its body as its description"


def check_document(unit, kind: str, doc, emit) -> None:
    project_agent = kind == "agent" and not unit.plugin
    severe = "error" if project_agent else None
    if doc.bom:
        emit("FM008", doc.path, (1, 1), consequence=lost(unit, kind, doc))
    if not doc.present:
        emit("FM001", doc.path, (1, 1), severity=severe, consequence=lost(unit, kind, doc))
        return
    if not doc.closed:
        emit("FM005", doc.path, (1, 1), consequence=lost(unit, kind, doc))
        return
    dropped = ", so Claude Code drops it" if project_agent else ""
    if kind == "agent" and unit.plugin:
        dropped = f": it is named after its file, with the description 'Agent from {unit.name} "
        dropped += "plugin'"
    if doc.error is not None:
        multiline = doc.error.problem.startswith(_MULTILINE)
        fix = (
            "a value that goes on over several lines must be a block scalar: `description: >-` "
            "and the text indented on the next lines (or quote the whole value)"
            if multiline
            else "fix the YAML at this position; quote values that contain YAML punctuation"
        )
        emit(
            "FM002",
            doc.path,
            (doc.error.line, doc.error.column),
            problem=doc.error.problem,
            kind=kind,
            consequence=dropped,
            fix=fix,
        )
        return
    if doc.repaired is not None:
        where = (doc.repaired.line, doc.repaired.column)
        emit("FM003", doc.path, where, problem=doc.repaired.problem)
    if doc.data is None:
        found = "list" if doc.node is not None and doc.node.id == "sequence" else "scalar"
        emit("FM004", doc.path, (doc.first_line, 1), found=found, kind=kind, consequence=dropped)
        return
    for key, where in doc.duplicates:
        emit("FM006", doc.path, where, key=key)
    for key in ("name", "description"):
        value = doc.data.get(key)
        if value is None or isinstance(value, str):
            continue
        structured = isinstance(value, list | dict)
        if not (structured or project_agent):
            continue  # a number or boolean reads as its text
        if project_agent:
            consequence = "Claude Code drops this agent"
        elif key == "description":
            consequence = (
                f"it is ignored: the placeholder 'Agent from {unit.name} plugin' is listed"
                if kind == "agent"
                else f"it is ignored: the {kind} is listed with the first line of its body"
            )
        else:
            consequence = "it is ignored"
        emit(
            "FM007",
            doc.path,
            doc.value_pos(key),
            severity=severe,
            key=key,
            found=_TYPES.get(type(value), type(value).__name__),
            consequence=consequence,
        )
    altered(doc, emit)


def altered(doc, emit) -> None:
    """FM009: a top-level one-line value YAML shortens without a word: a ' #' starts a comment,
    a leading '!word' is a tag, a '---' inside the block ends the frontmatter."""
    node = None if doc.fast else doc.node  # the fast path takes no comment and no tag
    lines = None
    for knode, vnode in node.value if node is not None and node.id == "mapping" else ():
        if vnode.id != "scalar" or vnode.style:
            continue
        if vnode.tag.startswith("!") and vnode.tag != "!" and vnode.value:
            emit(
                "FM009",
                doc.path,
                doc.pos(vnode),
                what=f"'{vnode.tag}' at the start of the value is a YAML tag and is dropped",
                key=knode.value,
                value=vnode.value,
                fix="quote the value",
            )
            continue
        if vnode.start_mark.line != vnode.end_mark.line:
            continue
        if lines is None:
            lines = doc.text.lstrip("\ufeff").split("\n")
        line_no = vnode.end_mark.line + doc.first_line - 1
        if line_no >= len(lines) or line_no + 1 in doc.shifts:
            continue
        rest = lines[line_no][vnode.end_mark.column :]
        if knode.value in _PROSE and _COMMENT.match(rest):
            emit(
                "FM009",
                doc.path,
                doc.pos(vnode),
                what="the text from ' #' on is a YAML comment",
                key=knode.value,
                value=vnode.value,
                fix="quote the value if the '#' belongs to it",
            )
    line, column = doc.close_pos
    if column > 1:  # the closing --- is not at the start of its line: it ended a value
        text = doc.text.lstrip("\ufeff").split("\n")[line - 1][: column - 1]
        key = text.split(":", 1)[0].strip() if ":" in text else ""
        if key in doc.data:
            emit(
                "FM009",
                doc.path,
                (line, column),
                what="'---' inside the frontmatter ends it there",
                key=key,
                value=doc.data[key],
                fix="quote the value, or avoid '---' in the frontmatter",
            )
