"""FM: the YAML frontmatter of agents, skills and commands. Claude Code loads a file whose
frontmatter does not parse with empty metadata: every field silently dropped."""

from __future__ import annotations

from cc_pack.validate.rules import Rule

RULES = (
    Rule(
        "FM001",
        "error",
        "no frontmatter block",
        "no YAML frontmatter: this {kind} has no name or description at runtime",
        "start the file with a --- line, the YAML fields (name, description, ...) and a --- line",
        "You review code.\n",
    ),
    Rule(
        "FM002",
        "error",
        "frontmatter is not valid YAML",
        "frontmatter YAML does not parse: {problem} (Claude Code loads it with empty metadata)",
        "fix the YAML at this position; quote values that contain YAML punctuation",
        "---\nname: reviewer\ndescription: [unclosed\n---\n",
    ),
    Rule(
        "FM003",
        "error",
        "plain value contains ': '",
        "a plain value contains ': ', which YAML reads as a nested mapping (Claude Code then "
        "loads this {kind} with empty metadata)",
        "write long values as a block scalar: `description: >-` and the text indented on the "
        "next lines (or quote the whole value)",
        "---\nname: reviewer\ndescription: Reviews code. Use when: the diff is ready\n---\n",
    ),
    Rule(
        "FM004",
        "error",
        "frontmatter is not a mapping",
        "frontmatter is a {found}, not a mapping of fields",
        "write the frontmatter as `key: value` lines",
        "---\n- name: reviewer\n---\n",
    ),
    Rule(
        "FM005",
        "error",
        "frontmatter is never closed",
        "the opening --- has no closing --- line",
        "end the frontmatter with a line holding only ---",
        "---\nname: reviewer\ndescription: Reviews code.\nYou review code.\n",
    ),
    Rule(
        "FM006",
        "error",
        "duplicate frontmatter key",
        "duplicate key '{key}' (Claude Code's YAML parser rejects the whole frontmatter)",
        "keep one '{key}' line",
        "---\nname: reviewer\nname: checker\n---\n",
    ),
    Rule(
        "FM007",
        "error",
        "name or description is not a string",
        "'{key}' is a {found}, not a string",
        "write '{key}' as text (quote it if YAML reads it as a number, list or date)",
        "---\nname: 42\ndescription: Reviews code.\n---\n",
    ),
)

_TYPES = {list: "list", dict: "mapping", int: "number", float: "number", bool: "boolean"}


def check(unit, emit) -> None:
    for kind, doc in unit.documents():
        check_document(kind, doc, emit)


def check_document(kind: str, doc, emit) -> None:
    if not doc.present:
        emit("FM001", doc.path, (1, 1), kind=kind)
        return
    if not doc.closed:
        emit("FM005", doc.path, (1, 1))
        return
    if doc.error is not None:
        where = (doc.error.line, doc.error.column)
        if doc.error.problem.startswith("mapping values are not allowed"):
            emit("FM003", doc.path, where, kind=kind)
        else:
            emit("FM002", doc.path, where, problem=doc.error.problem)
        return
    if doc.data is None:
        found = "list" if doc.node is not None and doc.node.id == "sequence" else "scalar"
        emit("FM004", doc.path, (2, 1), found=found)
        return
    for key, where in doc.duplicates:
        emit("FM006", doc.path, where, key=key)
    for key in ("name", "description"):
        value = doc.data.get(key)
        if value is not None and not isinstance(value, str):
            emit(
                "FM007",
                doc.path,
                doc.value_pos(key),
                key=key,
                found=_TYPES.get(type(value), type(value).__name__),
            )
