"""YAML frontmatter of agents, skills and commands, read the way Claude Code reads it.

Claude Code (2.1.197 and 2.1.330, function ``jm``/``bkr`` around ``Bun.YAML.parse``):

* the block is ``^---\\s*\\n([\\s\\S]*?)---\\s*\\n?``: it ends at the first ``---`` anywhere after
  the opening line, not only on a line of its own;
* it is parsed as YAML 1.2 (core schema: ``yes``/``on`` stay strings, ``True`` is a boolean,
  unknown tags are ignored, a duplicate key keeps its last value);
* when that fails, it retries once after double-quoting every top-level ``key: value`` line
  whose value holds ``: `` or one of ``{ } [ ] * & # ! | > % @`` or a backquote (a value already
  quoted, or a ``[...]`` that parses as a list, is left alone) and turning leading tabs into two
  spaces each; only when the retry fails too does the file load with empty metadata.

libyaml composes the node tree (kept beside the data so every rule can point at the line and
column of the key or value it complains about); the typing above is applied here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

Position = tuple[int, int]  # 1-based line, column

_BLOCK = re.compile(r"---\s*\n(.*?)---\s*\n?", re.S)
_OPENING = re.compile(r"---\s*\n")
# the retry: a top-level key (letters, '_' and '-' only) and its one-line value; JavaScript's '.'
# stops at \r, \u2028 and \u2029, so a CRLF line never matches
_KEY_LINE = re.compile(r"([a-zA-Z_-]+):\s+([^\n\r\u2028\u2029]+)")
_NEEDS_QUOTES = re.compile(r"[{}\[\]*&#!|>%@`]|: ")

# YAML 1.2 core schema, as Bun.YAML resolves plain scalars
_NULL = frozenset(["", "~", "null", "Null", "NULL"])
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}


@dataclass(slots=True)
class YamlError:
    line: int
    column: int
    problem: str


@dataclass(slots=True)
class Document:
    """One markdown file with optional frontmatter. ``data`` is the metadata Claude Code uses:
    the frontmatter mapping, or None when there is none or it could not be used (see
    ``present``, ``closed``, ``error``)."""

    path: Path
    text: str
    present: bool = False  # the file opens with a --- line
    closed: bool = False  # ... and Claude Code finds the closing ---
    error: YamlError | None = None  # neither parse worked: the file loads with empty metadata
    repaired: YamlError | None = None  # the first parse failed here; the quoting retry worked
    data: dict | None = None
    node: yaml.Node | None = None
    body: str = ""
    body_line: int = 1  # the file line the body starts on
    first_line: int = 2  # the file line the frontmatter text starts on
    close_pos: Position = (0, 0)  # where the closing --- starts
    bom: bool = False
    duplicates: list[tuple[str, Position]] = field(default_factory=list)
    shifts: dict[int, tuple[int, int]] = field(default_factory=dict)  # retried line: (col, delta)

    def pos(self, node: yaml.Node) -> Position:
        """File position of a node (its marks are relative to the frontmatter text, which may
        be the retried text: a quoted value moved right, a tab became two spaces)."""
        line = node.start_mark.line + self.first_line
        column = node.start_mark.column + 1
        shift = self.shifts.get(line)
        if shift is not None and column >= shift[0]:
            column = max(1, column + shift[1])
        return (line, column)

    def key_pos(self, key: str) -> Position:
        """Where ``key`` is written, or the frontmatter's first line when it is absent."""
        if isinstance(self.node, yaml.MappingNode):
            for knode, _ in self.node.value:
                if knode.value == key:
                    return self.pos(knode)
        return (self.first_line, 1) if self.present else (1, 1)

    def value_pos(self, key: str) -> Position:
        node = self.value_node(key)
        return self.pos(node) if node is not None else self.key_pos(key)

    def value_node(self, key: str) -> yaml.Node | None:
        if isinstance(self.node, yaml.MappingNode):
            for knode, vnode in self.node.value:
                if knode.value == key:
                    return vnode
        return None

    def item_pos(self, key: str, index: int, item: object) -> Position:
        """Where one entry of a list-like field is: its list item, or its place inside a
        one-line comma string (``tools: Read, Agent``)."""
        node = self.value_node(key)
        if node is None:
            return self.key_pos(key)
        if node.id == "sequence":
            return self.locate((key, index))
        line, column = self.pos(node)
        offset = node.value.find(item) if isinstance(item, str) and node.id == "scalar" else -1
        if offset < 0 or node.start_mark.line != node.end_mark.line:
            return (line, column)
        return (line, column + offset + (1 if node.style in ("'", '"') else 0))

    def locate(self, path: tuple) -> Position:
        """Position of a nested value (``("hooks", "PreToolUse", 0, "matcher")``): the deepest
        node that exists on the way."""
        node = self.node
        where = self.key_pos(path[0]) if path else (1, 1)
        for part in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == part), None)
                if match is None:
                    break
                where, node = self.pos(match[0]), match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                where = self.pos(node)
            else:
                break
        return where


class _Loader(yaml.CSafeLoader):
    """libyaml's composer; tags are not resolved here (``build`` types the scalars)."""

    def resolve(self, kind, value, implicit):
        return ""


def _scalar(node: yaml.ScalarNode):
    value = node.value
    if node.style or node.tag == "tag:yaml.org,2002:str":
        return value  # quoted, literal, folded ('' is libyaml's plain style) or !!str
    if value in _NULL:
        return "" if node.tag == "!" else None  # Bun: `key: !` is "", `key: !foo` is null
    if value in _BOOL:
        return _BOOL[value]
    if _INT.fullmatch(value):
        return int(value)
    if value[:2] == "0o" and len(value) > 2 and all(c in "01234567" for c in value[2:]):
        return int(value[2:], 8)
    if value[:2] == "0x" and len(value) > 2:
        try:
            return int(value[2:], 16)
        except ValueError:
            return value
    if _FLOAT.fullmatch(value):
        return float(value)
    return _SPECIAL_FLOAT.get(value, value)


class Rejected(yaml.YAMLError):
    """libyaml accepted something Bun.YAML refuses."""

    def __init__(self, line: int, column: int, problem: str):
        super().__init__(problem)
        self.line, self.column, self.problem = line, column, problem


def build(node: yaml.Node, lines: list[str] | None = None):
    """The value of a composed node, typed as Claude Code's YAML parser types it. With the
    source ``lines``, also refuse what libyaml accepts but Bun.YAML does not: a quoted value
    whose continuation lines are not indented past the key (or dash) that owns it."""
    seen: dict = {}

    def walk(node: yaml.Node, owner: int):
        if isinstance(node, yaml.ScalarNode):
            if (
                lines is not None
                and node.style in ('"', "'")
                and node.start_mark.line != node.end_mark.line
            ):
                for number in range(node.start_mark.line + 1, node.end_mark.line + 1):
                    text = lines[number] if number < len(lines) else ""
                    if text.strip() and len(text) - len(text.lstrip(" ")) <= owner:
                        raise Rejected(
                            number,
                            0,
                            "a quoted value continues on a line that is not indented past its key",
                        )
            return _scalar(node)
        key = id(node)
        if key in seen:  # an alias of a node already built
            return seen[key]
        inner = -1 if node.flow_style else node.start_mark.column
        if isinstance(node, yaml.SequenceNode):
            out: list = []
            seen[key] = out
            out.extend(walk(item, inner) for item in node.value)
            return out
        result: dict = {}
        seen[key] = result
        merged: list[dict] = []
        for knode, vnode in node.value:
            value = walk(vnode, -1 if node.flow_style else knode.start_mark.column)
            if isinstance(knode, yaml.ScalarNode) and knode.value == "<<" and not knode.style:
                # a merge key: its mapping(s) fill in the other keys
                merged += (
                    [value]
                    if isinstance(value, dict)
                    else [v for v in value or [] if isinstance(v, dict)]
                )
                continue
            result[_key_text(walk(knode, -1))] = value
        for extra in merged:
            for name, value in extra.items():
                result.setdefault(name, value)
        return result

    return walk(node, -1)


def _key_text(value) -> str:
    """How a key reads once it is a JavaScript object key."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join("" if v is None else _key_text(v) for v in value)
    return str(value)


def compose(source: str) -> yaml.Node | None:
    loader = _Loader(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError) -> tuple[int, int, str]:
    """(line, column) relative to the parsed text, 0-based, and the problem."""
    if isinstance(exc, Rejected):
        return exc.line, exc.column, exc.problem
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            return mark.line, mark.column, exc.problem or str(exc)
        return 0, 0, exc.problem or str(exc)
    return 0, 0, str(exc)


def retry_text(source: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """Claude Code's second attempt: the quoting rewrite, then leading tabs as spaces. Returns
    the text and, per rewritten line (0-based), where columns moved: (from column, delta)."""
    shifts: dict[int, tuple[int, int]] = {}
    lines = source.split("\n")
    for index, line in enumerate(lines):
        match = _KEY_LINE.fullmatch(line)
        if match is None:
            continue
        key, value = match.group(1), match.group(2)
        if (value[0] == '"' and value[-1] == '"') or (value[0] == "'" and value[-1] == "'"):
            continue
        if value[0] == "[" and value[-1] == "]" and _is_list(value):
            continue
        if _NEEDS_QUOTES.search(value):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            lines[index] = f'{key}: "{escaped}"'
            spaces = match.start(2) - len(key) - 1
            # the quote opens at column len(key) + 3; the value started len(key) + 1 + spaces + 1
            shifts[index] = (len(key) + 3, spaces - 1)
    for index, line in enumerate(lines):
        if line[:1] == "\t":
            width = len(line) - len(line.lstrip("\t"))
            lines[index] = "  " * width + line[width:]
            shifts[index] = (width * 2 + 1, -width)
    text = "\n".join(lines)
    return text, shifts


def _is_list(value: str) -> bool:
    try:
        node = compose(value)
    except yaml.YAMLError:
        return False
    return isinstance(node, yaml.SequenceNode)


def _load(source: str) -> tuple[yaml.Node | None, object]:
    node = compose(source)
    if node is None:
        return None, {}
    return node, build(node, source.split("\n") if "\n" in source else None)


def parse(path: Path, text: str) -> Document:
    doc = Document(path=path, text=text)
    if text.startswith("\ufeff"):
        doc.bom = True
        text = text[1:]
    if not text.startswith("---"):
        doc.body = text
        return doc
    opening = _OPENING.match(text)
    if opening is None:
        doc.body = text
        return doc
    doc.present = True
    block = _BLOCK.match(text)
    if block is None:
        doc.body = text
        return doc
    doc.closed = True
    source = block.group(1)
    doc.first_line = text.count("\n", 0, block.start(1)) + 1
    close = block.end(1)
    doc.close_pos = (text.count("\n", 0, close) + 1, close - text.rfind("\n", 0, close))
    doc.body = text[block.end() :]
    doc.body_line = text.count("\n", 0, block.end()) + 1
    try:
        node, data = _load(source)
    except yaml.YAMLError as exc:
        line, column, problem = _yaml_error(exc)
        first = YamlError(line + doc.first_line, column + 1, problem)
        retried, shifts = retry_text(source)
        shifts = {k + doc.first_line: v for k, v in shifts.items()}
        try:
            node, data = _load(retried)
        except yaml.YAMLError as again:
            line, column, problem = _yaml_error(again)
            line, column = line + doc.first_line, column + 1
            shift = shifts.get(line)
            if shift is not None and column >= shift[0]:
                column = max(1, column + shift[1])
            doc.error = YamlError(line, column, problem)
            return doc
        doc.repaired = first
        doc.shifts = shifts
    doc.node = node
    if node is not None and not isinstance(node, yaml.MappingNode):
        return doc  # FM004: a list or a scalar
    doc.data = data
    if node is not None:
        seen: set = set()
        for knode, _ in node.value:
            if knode.value in seen:
                doc.duplicates.append((knode.value, doc.pos(knode)))
            seen.add(knode.value)
    return doc
