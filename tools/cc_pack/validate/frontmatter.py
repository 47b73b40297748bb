"""YAML frontmatter of agents, skills and commands, parsed once with ``yaml.CSafeLoader``.

The composed node tree is kept beside the data so every rule can point at the line and column of
the key or value it complains about, without a second parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

Position = tuple[int, int]  # 1-based line, column


@dataclass(slots=True)
class YamlError:
    line: int
    column: int
    problem: str


@dataclass(slots=True)
class Document:
    """One markdown file with optional frontmatter. ``data`` is the frontmatter mapping, or None
    when there is none or it could not be used (see ``present``, ``closed``, ``error``)."""

    path: Path
    text: str
    present: bool = False  # the file opens with a --- line
    closed: bool = False  # ... and a closing --- line follows
    error: YamlError | None = None
    data: dict | None = None
    node: yaml.Node | None = None
    body: str = ""
    body_line: int = 1  # the file line the body starts on
    duplicates: list[tuple[str, Position]] = field(default_factory=list)

    def key_pos(self, key: str) -> Position:
        """Where ``key`` is written, or the frontmatter's first line when it is absent."""
        if isinstance(self.node, yaml.MappingNode):
            for knode, _ in self.node.value:
                if knode.value == key:
                    return _pos(knode)
        return (2, 1) if self.present else (1, 1)

    def value_pos(self, key: str) -> Position:
        node = self.value_node(key)
        return _pos(node) if node is not None else self.key_pos(key)

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
        line, column = _pos(node)
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
                where, node = _pos(match[0]), match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                where = _pos(node)
            else:
                break
        return where


def _pos(node: yaml.Node) -> Position:
    # node marks are relative to the frontmatter text, which starts on the file's line 2
    return (node.start_mark.line + 2, node.start_mark.column + 1)


def _is_fence(line: str) -> bool:
    return line.rstrip() == "---"


def _closing_fence(text: str, first_end: int) -> tuple[int, int] | None:
    """(start, end) offsets of the closing --- line (end = where the body begins), found without
    splitting the whole file into lines."""
    pos = first_end
    while pos >= 0:
        start = pos + 1
        if text.startswith("---", start):
            line_end = text.find("\n", start)
            line = text[start:] if line_end < 0 else text[start:line_end]
            if _is_fence(line):
                return start, len(text) if line_end < 0 else line_end + 1
        pos = text.find("\n", start)
    return None


def parse(path: Path, text: str) -> Document:
    doc = Document(path=path, text=text)
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if not _is_fence(first):
        doc.body = text
        return doc
    doc.present = True
    close = _closing_fence(text, first_end)
    if close is None:
        return doc
    start, end = close
    doc.closed = True
    doc.body = text[end:]
    doc.body_line = text.count("\n", 0, end) + 1
    source = text[first_end + 1 : start]
    loader = yaml.CSafeLoader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        doc.error = YamlError(line, col, exc.problem or str(exc))
        return doc
    except yaml.YAMLError as exc:
        doc.error = YamlError(2, 1, str(exc))
        return doc
    finally:
        loader.dispose()
    doc.node = node
    doc.data = data if isinstance(data, dict) else None
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for knode, _ in node.value:
            if knode.value in seen:
                doc.duplicates.append((knode.value, _pos(knode)))
            seen.add(knode.value)
    elif node is not None:
        doc.data = None
    return doc
