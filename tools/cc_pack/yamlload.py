"""Reading YAML for cc-pack: the fast C loader when PyYAML was built with libyaml, the
pure-Python one otherwise (same results, slower), and a syntax error explained the way a user
can fix it (file, line, what to change) instead of the parser's own words.

PyYAML ships without libyaml on some platforms (and pip falls back to the pure-Python build
when no wheel fits), where ``yaml.CSafeLoader`` does not exist."""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

QUOTE_HINT = (
    'quote the value (`key: "a: b"`) or write it as a block scalar (`key: >-` and the text '
    "indented on the next lines): a plain value cannot contain ': '"
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], index: int) -> int | None:
    """The index of the nearest non-blank, non-comment line before ``index``."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def explain(exc: yaml.YAMLError, text: str) -> tuple[str, int | None, str]:
    """(message, 1-based line, fix) for a YAML syntax error in ``text``."""
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    lines = text.splitlines()
    if mark is None or not lines:
        return f"invalid YAML: {problem}", None, "fix the YAML syntax"
    index = min(mark.line, len(lines) - 1)
    line = lines[index]
    message = f"invalid YAML: {problem}"
    if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
        return message, index + 1, "indent with spaces: YAML does not allow tabs in indentation"
    if problem.startswith("mapping values are not allowed"):
        body = line.lstrip(" ")
        _key, sep, value = body.partition(": ")
        if sep and (": " in value or value.rstrip().endswith(":")):
            return message, index + 1, QUOTE_HINT
        prev = _previous(lines, index)
        if prev is not None and _indent(line) > _indent(lines[prev]):
            return (
                message,
                index + 1,
                f"indentation: this line is indented {_indent(line)} spaces, deeper than line "
                f"{prev + 1} ({_indent(lines[prev])} spaces), which already has a value; keys "
                "of one mapping start in the same column",
            )
        return message, index + 1, QUOTE_HINT
    if problem.startswith(("did not find expected key", "expected <block end>")):
        start = context.line if context is not None else None
        owner = f" (the mapping that starts on line {start + 1})" if start is not None else ""
        return (
            message,
            index + 1,
            f"indentation: this line is indented {_indent(line)} spaces, which matches none of "
            f"the keys above it{owner}; indent it exactly like its siblings",
        )
    if problem.startswith("could not find expected ':'") and context is not None:
        bad = min(context.line, len(lines) - 1)
        return (
            message,
            bad + 1,
            "this line is neither `key: value` nor a list item: add the ':' (or '- '), or "
            "indent it under the key it continues",
        )
    return (
        message,
        mark.line + 1,
        "fix the YAML syntax at this line (an unclosed bracket or quote is reported where "
        "the file ends)",
    )
