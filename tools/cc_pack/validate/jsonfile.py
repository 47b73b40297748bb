"""JSON files (hooks.json, settings, plugin and marketplace manifests) with the line and column
of every key, so findings point into the file. ``json`` parses and reports syntax errors; a small
scanner over the already-valid text records positions."""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path

Position = tuple[int, int]


class JsonFile:
    __slots__ = ("data", "error", "path", "positions", "text")

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.data: object = None
        self.error: tuple[int, int, str] | None = None  # line, column, message
        self.positions: dict[tuple, Position] = {}

    def locate(self, path: tuple) -> Position:
        """The position of the key (or array item) at ``path``, else of its nearest parent."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return (1, 1)


def parse(path: Path, text: str) -> JsonFile:
    result = JsonFile(path=path, text=text)
    try:
        result.data = json.loads(text)
    except json.JSONDecodeError as exc:
        result.error = (exc.lineno, exc.colno, exc.msg)
        return result
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def where(offset: int) -> Position:
        line = bisect_right(starts, offset)
        return (line, offset - starts[line - 1] + 1)

    _Scanner(text, result.positions, where).value(_skip(text, 0), ())
    return result


_WS = " \t\r\n"
_scanstring = json.decoder.scanstring


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


class _Scanner:
    """Walks text that ``json.loads`` accepted, recording where each member starts."""

    def __init__(self, text: str, positions: dict, where):
        self.text = text
        self.positions = positions
        self.where = where

    def value(self, i: int, path: tuple) -> int:
        text = self.text
        ch = text[i]
        if ch == "{":
            i = _skip(text, i + 1)
            while text[i] != "}":
                key_at = i
                key, i = _scanstring(text, i + 1)
                self.positions[(*path, key)] = self.where(key_at)
                i = _skip(text, _skip(text, i) + 1)  # past ':'
                i = _skip(text, self.value(i, (*path, key)))
                if text[i] == ",":
                    i = _skip(text, i + 1)
            return i + 1
        if ch == "[":
            i = _skip(text, i + 1)
            index = 0
            while text[i] != "]":
                self.positions[(*path, index)] = self.where(i)
                i = _skip(text, self.value(i, (*path, index)))
                if text[i] == ",":
                    i = _skip(text, i + 1)
                index += 1
            return i + 1
        if ch == '"':
            return _scanstring(text, i + 1)[1]
        while i < len(text) and text[i] not in ",]}" + _WS:
            i += 1
        return i
