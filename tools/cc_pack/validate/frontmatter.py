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

The node tree is kept beside the data so every rule can point at the line and column of the key
or value it complains about. Most frontmatter is a few ``key: value`` lines: ``simple`` reads
those itself (no YAML import at all for a pack of such files); anything else goes to libyaml,
whose tree is typed here. Known divergences from Bun.YAML, both in YAML nobody writes on
purpose: libyaml refuses a plain scalar that starts with ``,`` and an empty implicit key
(``- : x``), which Bun accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

Position = tuple[int, int]  # 1-based line, column

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


class YamlError:
    __slots__ = ("column", "line", "problem")

    def __init__(self, line: int, column: int, problem: str):
        self.line, self.column, self.problem = line, column, problem

    def __repr__(self) -> str:
        return f"YamlError({self.line}, {self.column}, {self.problem!r})"


class Mark:
    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column  # 0-based, relative to the frontmatter text


class Node:
    """The shape of a libyaml node, for the trees ``simple`` builds: ``id`` is "scalar",
    "sequence" or "mapping"; a mapping's ``value`` is a list of (key node, value node)."""

    __slots__ = ("end_mark", "flow_style", "id", "start_mark", "style", "tag", "value")

    def __init__(self, kind, value, start, end, style="", flow_style=False):
        self.id, self.value, self.start_mark, self.end_mark = kind, value, start, end
        self.style, self.flow_style, self.tag = style, flow_style, ""


class Document:
    """One markdown file with optional frontmatter. ``data`` is the metadata Claude Code uses:
    the frontmatter mapping, or None when there is none or it could not be used (see
    ``present``, ``closed``, ``error``)."""

    __slots__ = (
        "_node",
        "body",
        "body_line",
        "bom",
        "close_pos",
        "closed",
        "data",
        "duplicates",
        "error",
        "fast",
        "first_line",
        "path",
        "present",
        "repaired",
        "shifts",
        "spec",
        "text",
    )

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.present = False  # the file opens with a --- line
        self.closed = False  # ... and Claude Code finds the closing ---
        self.error: YamlError | None = None  # neither parse worked: empty metadata
        self.repaired: YamlError | None = None  # the first parse failed; the retry worked
        self.data: dict | None = None
        self._node = None
        self.spec = None  # the fast path's tree, until ``node`` builds it
        self.fast = False  # read by the fast path: no comment, no tag, nothing the retry fixed
        self.body = ""
        self.body_line = 1  # the file line the body starts on
        self.first_line = 2  # the file line the frontmatter text starts on
        self.close_pos: Position = (0, 0)  # where the closing --- starts
        self.bom = False
        self.duplicates: list[tuple[str, Position]] = []
        self.shifts: dict[int, tuple[int, int]] = {}  # retried line: (column, delta)

    @property
    def node(self):
        """The frontmatter's node tree (None without frontmatter)."""
        if self._node is None and self.spec is not None:
            self._node, self.spec = materialize(self.spec), None
        return self._node

    @node.setter
    def node(self, value) -> None:
        self._node = value

    def pos(self, node) -> Position:
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
        if getattr(self.node, "id", None) == "mapping":
            for knode, _ in self.node.value:
                if knode.value == key:
                    return self.pos(knode)
        return (self.first_line, 1) if self.present else (1, 1)

    def value_pos(self, key: str) -> Position:
        node = self.value_node(key)
        return self.pos(node) if node is not None else self.key_pos(key)

    def value_node(self, key: str):
        if getattr(self.node, "id", None) == "mapping":
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
            if node is not None and node.id == "mapping":
                match = next(((k, v) for k, v in node.value if k.value == part), None)
                if match is None:
                    break
                where, node = self.pos(match[0]), match[1]
            elif node is not None and node.id == "sequence" and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                where = self.pos(node)
            else:
                break
        return where


_LOADER = None


def _loader():
    """libyaml's composer, imported on first use; tags are not resolved there (``build``
    types the scalars)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        # PyYAML built without libyaml has no CSafeLoader: the pure-Python one composes the
        # same nodes (plain style None instead of ''), only slower.
        class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            def resolve(self, kind, value, implicit):
                return ""

        _LOADER = Loader
    return _LOADER


def _scalar(node):
    value = node.value
    if node.style or node.tag == "tag:yaml.org,2002:str":
        return value  # quoted, literal, folded ('' is libyaml's plain style) or !!str
    if value in _NULL:
        return "" if node.tag == "!" else None  # Bun: `key: !` is "", `key: !foo` is null
    return plain(value)


_TYPED_FIRST = frozenset("0123456789+-.~nNtTfF")


def plain(value: str):
    """A plain scalar typed by the YAML 1.2 core schema."""
    if value[:1] not in _TYPED_FIRST and value:
        return value  # no null, boolean or number starts with anything else
    if value in _NULL:
        return None
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


class Rejected(Exception):
    """libyaml accepted something Bun.YAML refuses."""

    def __init__(self, line: int, column: int, problem: str):
        super().__init__(problem)
        self.line, self.column, self.problem = line, column, problem


def build(node, lines: list[str] | None = None):
    """The value of a composed node, typed as Claude Code's YAML parser types it. With the
    source ``lines``, also refuse what libyaml accepts but Bun.YAML does not: a quoted value
    whose continuation lines are not indented past the key (or dash) that owns it."""
    seen: dict = {}

    def walk(node, owner: int):
        if node.id == "scalar":
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
        if node.id == "sequence":
            out: list = []
            seen[key] = out
            out.extend(walk(item, inner) for item in node.value)
            return out
        result: dict = {}
        seen[key] = result
        merged: list[dict] = []
        for knode, vnode in node.value:
            value = walk(vnode, -1 if node.flow_style else knode.start_mark.column)
            if knode.id == "scalar" and knode.value == "<<" and not knode.style:
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


class ParseError(Exception):
    def __init__(self, line: int, column: int, problem: str):
        super().__init__(problem)
        self.line, self.column, self.problem = line, column, problem


def compose(source: str):
    """libyaml's node tree of ``source``; ParseError when it is not YAML."""
    import yaml

    loader = _loader()(source)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        raise ParseError(mark.line if mark else 0, mark.column if mark else 0, problem) from None
    except yaml.YAMLError as exc:
        raise ParseError(0, 0, str(exc)) from None
    finally:
        loader.dispose()


def _yaml_error(exc: Exception) -> tuple[int, int, str]:
    """(line, column) relative to the parsed text, 0-based, and the problem."""
    return exc.line, exc.column, exc.problem


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
    except ParseError:
        return False
    return node is not None and node.id == "sequence"


# --- the fast path -------------------------------------------------------------------------------

_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEYS: set[str] = set()  # keys already seen to be plain


def _key(key: str) -> bool:
    if _SIMPLE_KEY.fullmatch(key):
        _KEYS.add(key)
        return True
    return False


# what may not start a plain scalar, or must not appear in one, for ``simple`` to take it
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_HEADERS = frozenset([">", ">-", "|", "|-"])


def _safe_plain(text: str) -> bool:
    return (
        bool(text)
        and text[0] not in _INDICATORS
        and ": " not in text
        and text[-1] != ":"
        and " #" not in text
        and text[-1] != " "
    )


def simple(source: str):
    """(tree, data, duplicates) for frontmatter made only of top-level ``key: value`` lines
    whose values are one-line plain or quoted scalars, one-line ``[a, b]`` lists of plain items,
    ``- item`` lists or ``>``/``|`` block scalars of evenly indented lines; None for anything
    else (libyaml reads it). ``tree`` is a compact spec of the node tree (``materialize`` builds
    it when a rule needs positions). Gives exactly what the libyaml path gives: a test holds it
    to that."""
    if "\t" in source or "\r" in source or "#" in source or source[-1:] != "\n":
        return None  # (the frontmatter of a file ends with a newline unless '---' cut it)
    lines = source.split("\n")
    lines.pop()
    pairs: list = []
    data: dict = {}
    duplicates: list = []
    i, count = 0, len(lines)
    keys = _KEYS
    while i < count:
        row, line = i, lines[i]
        if not line:
            i += 1
            continue
        colon = line.find(":")
        key = line[:colon]
        if colon < 1 or line[-1] == " " or (key not in keys and not _key(key)):
            return None
        text = line[colon + 1 :]
        if text:
            if text[0] != " " or text[1:2] == " ":
                return None  # `key:value` is one plain scalar; `key:  value`: libyaml decides
            text = text[1:]
        else:
            text = None
        size = colon
        start = size + 2
        continued = i + 1 < count and lines[i + 1][:1] == " "
        if text is None:
            if continued:  # `key:` then `  - item` lines
                values, items, i = _block_list(lines, i + 1)
                if values is None:
                    return None
                first = items[0]
                vspec = ("sequence", items, first[2], first[3] - 2, i, 0, False)
                value: object = values
            else:
                vspec = ("scalar", "", row, size + 1, row, size + 1, "")
                value = None
                i += 1
        elif text in _BLOCK_HEADERS:
            block, i = _block_scalar(lines, i + 1, text)
            if block is None:
                return None
            vspec = ("scalar", block, row, start, i, 0, text[0])
            value = block
        elif continued:
            return None  # a value going on over several lines: libyaml decides
        elif text[0] == "[":
            parsed = _flow_list(text, row, start)
            if parsed is None:
                return None
            vspec, value = parsed
            i += 1
        elif text[0] in "\"'":
            quote, inner = text[0], text[1:-1]
            if len(text) < 2 or text[-1] != quote or quote in inner or "\\" in inner:
                return None
            vspec = ("scalar", inner, row, start, row, start + len(text), quote)
            value = inner
            i += 1
        else:
            if not _safe_plain(text):
                return None
            vspec = ("scalar", text, row, start, row, start + len(text), "")
            value = plain(text)
            i += 1
        if key in data:
            duplicates.append((key, row))
        pairs.append((("scalar", key, row, 0, row, size, ""), vspec))
        data[key] = value
    if not pairs:
        return None
    return ("mapping", pairs, 0, 0, count, 0, False), data, duplicates


def materialize(spec) -> Node:
    """The Node tree of a spec: (kind, value, line, column, end line, end column, style or flow
    style[, tag]), as ``simple`` and ``parallel.to_spec`` write them."""
    kind, value, line, column, end_line, end_column, style = spec[:7]
    start, end = Mark(line, column), Mark(end_line, end_column)
    if kind == "scalar":
        node = Node(kind, value, start, end, style)
    elif kind == "sequence":
        node = Node(kind, [materialize(item) for item in value], start, end, "", style)
    else:
        node = Node(kind, [(materialize(k), materialize(v)) for k, v in value], start, end)
    if len(spec) > 7:
        node.tag = spec[7]
    return node


def _block_scalar(lines: list[str], i: int, header: str):
    """A ``>``/``|`` block whose lines all have the same indentation and no blank line between
    them: (text, next line) or (None, i)."""
    body = []
    indent = None
    while i < len(lines) and lines[i][:1] == " ":
        line = lines[i]
        width = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = width
        if width != indent or line[-1] == " ":
            return None, i
        body.append(line[indent:])
        i += 1
    if not body:
        return None, i
    text = (" " if header[0] == ">" else "\n").join(body)
    return (text if header.endswith("-") else text + "\n"), i


def _flow_list(text: str, line: int, start: int):
    """A one-line ``[a, b]`` of plain items: (spec, values) or None."""
    if text[-1] != "]" or "[" in text[1:] or "]" in text[:-1] or "{" in text or "}" in text:
        return None
    inner = text[1:-1]
    items, values = [], []
    if inner.strip():
        offset = start + 1
        for piece in inner.split(","):
            item = piece.strip()
            if not _safe_plain(item) or ":" in item:
                return None
            column = offset + len(piece) - len(piece.lstrip(" "))
            items.append(("scalar", item, line, column, line, column + len(item), ""))
            values.append(plain(item))
            offset += len(piece) + 1
    return ("sequence", items, line, start, line, start + len(text), True), values


def _block_list(lines: list[str], i: int):
    """``  - item`` lines of one-line plain items: (values, specs, next line) or (None, ...)."""
    values, items = [], []
    indent = None
    while i < len(lines) and lines[i][:1] == " ":
        line = lines[i]
        width = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = width
        item = line[width + 2 :]
        if width != indent or not line.startswith("- ", width) or not _safe_plain(item):
            return None, items, i
        if ":" in item:
            return None, items, i  # `- key: value` is a mapping
        column = width + 2
        items.append(("scalar", item, i, column, i, column + len(item), ""))
        values.append(plain(item))
        i += 1
    return values, items, i


def _load(source: str):
    """(node, data), or (spec, data, duplicates) from the fast path."""
    fast = simple(source)
    if fast is not None:
        return fast
    node = compose(source)
    if node is None:
        return None, {}
    return node, build(node, source.split("\n") if "\n" in source else None)


def parse(path: Path, text: str) -> Document:
    doc = Document(path, text)
    fill(doc, text)
    return doc


def fill(doc: Document, text: str) -> Document:
    """Read ``text`` into ``doc`` (a Document made before the file was read)."""
    doc.text = text
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
    # the block regex, by hand: ^---\s*\n([\s\S]*?)---\s*\n? (str.find beats the lazy scan)
    begin = opening.end()
    close = text.find("---", begin)
    if close < 0:
        doc.body = text
        return doc
    end = close + 3
    size = len(text)
    while end < size and text[end].isspace():
        end += 1
    doc.closed = True
    source = text[begin:close]
    doc.first_line = text.count("\n", 0, begin) + 1
    line_start = text.rfind("\n", 0, close)
    doc.body_line = doc.first_line + text.count("\n", begin, end)
    doc.close_pos = (doc.first_line + text.count("\n", begin, close), close - line_start)
    doc.body = text[end:]
    try:
        loaded = _load(source)
    except (ParseError, Rejected) as exc:
        line, column, problem = _yaml_error(exc)
        first = YamlError(line + doc.first_line, column + 1, problem)
        retried, shifts = retry_text(source)
        shifts = {k + doc.first_line: v for k, v in shifts.items()}
        try:
            loaded = _load(retried)
        except (ParseError, Rejected) as again:
            line, column, problem = _yaml_error(again)
            line, column = line + doc.first_line, column + 1
            shift = shifts.get(line)
            if shift is not None and column >= shift[0]:
                column = max(1, column + shift[1])
            doc.error = YamlError(line, column, problem)
            return doc
        doc.repaired = first
        doc.shifts = shifts
    if len(loaded) == 3:  # the fast path: a mapping; its nodes are built when asked for
        spec, doc.data, duplicates = loaded
        doc.spec, doc.fast = spec, doc.repaired is None
        doc.duplicates = [(key, (row + doc.first_line, 1)) for key, row in duplicates]
        return doc
    node, data = loaded
    doc.node = node
    if node is not None and node.id != "mapping":
        return doc  # FM004: a list or a scalar
    doc.data = data
    if node is not None:
        seen: set = set()
        for knode, _ in node.value:
            if knode.value in seen:
                doc.duplicates.append((knode.value, doc.pos(knode)))
            seen.add(knode.value)
    return doc
