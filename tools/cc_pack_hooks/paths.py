"""Path normalisation before any scope decision.

A path a tool will write is resolved the way the kernel will resolve it: relative to the
caller's cwd, ``~`` expanded, symlinks followed (``os.path.realpath`` resolves the existing part
and keeps the rest, so a new file under a symlinked directory lands where the link points), and
``.``/``..``/``//`` collapsed. Only then is it compared with the project, the state dir and the
scope globs.
"""

from __future__ import annotations

import os

from cc_pack_hooks.runtime import BadEvent

STATE_PARTS = (".claude", "cc-pack")


def home() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


def resolve(raw: str, cwd: str) -> str:
    """The absolute, symlink-free path ``raw`` names when used from ``cwd``."""
    if "\0" in raw or "\0" in cwd:
        raise BadEvent("a path contains a NUL byte")
    if raw == "~" or raw.startswith("~/"):
        raw = home() + raw[1:]
    if not os.path.isabs(raw):
        raw = os.path.join(cwd, raw)
    return os.path.realpath(raw)


def relative(path: str, project: str) -> str | None:
    """``path`` (resolved) relative to the project with ``/`` separators; None when outside."""
    if path == project:
        return ""
    prefix = project.rstrip("/") + "/"
    if path.startswith(prefix):
        return path[len(prefix) :]
    return None


def in_state_dir(rel: str | None) -> bool:
    """Inside ``.claude/cc-pack`` (or it): compared case-insensitively, so a case-insensitive
    file system cannot be used to reach it as ``.Claude/CC-Pack``."""
    if rel is None:
        return False
    parts = rel.casefold().split("/")
    return tuple(parts[:2]) == STATE_PARTS


def holds_state_dir(rel: str | None) -> bool:
    """The project root, ``.claude`` or the state dir itself: removing or moving one of these
    removes the state dir."""
    if rel is None:
        return False
    if rel == "":
        return True
    parts = tuple(rel.casefold().split("/"))
    return STATE_PARTS[: len(parts)] == parts
