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


def in_any_state_dir(path: str) -> bool:
    """Inside some project's ``.claude/cc-pack`` (``path`` resolved, absolute): the queue keeps a
    task's worktree, and its run state, inside the main checkout's state dir, outside the
    task's own project."""
    parts = path.casefold().split("/")
    return any(tuple(parts[k : k + 2]) == STATE_PARTS for k in range(len(parts) - 1))


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


HOOK_PARTS = (".claude", "hooks", "cc-pack")


def in_hook_dir(rel: str | None) -> bool:
    """Inside the installed hooks ``.claude/hooks/cc-pack`` (or it), case-insensitively."""
    if rel is None:
        return False
    return tuple(rel.casefold().split("/")[:3]) == HOOK_PARTS


def holds_hook_dir(rel: str | None) -> bool:
    """The project root, ``.claude``, ``.claude/hooks`` or the hook dir itself."""
    if rel is None:
        return False
    if rel == "":
        return True
    parts = tuple(rel.casefold().split("/"))
    return HOOK_PARTS[: len(parts)] == parts


def settings_files(project: str) -> list[str]:
    """The Claude Code settings files whose entries can switch cc-pack's hooks or its Bash
    sandbox off (project, local, user, and the config dir's)."""
    config = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(home(), ".claude")
    return [
        os.path.join(project, ".claude", "settings.json"),
        os.path.join(project, ".claude", "settings.local.json"),
        os.path.join(config, "settings.json"),
        os.path.join(config, "settings.local.json"),
        "/etc/claude-code/managed-settings.json",
    ]


def settings_file(path: str, project: str) -> bool:
    """Whether resolved ``path`` is one of ``settings_files`` (compared case-insensitively)."""
    folded = path.casefold()
    return any(os.path.realpath(p).casefold() == folded for p in settings_files(project))


def same_file_as_protected(info: os.stat_result, project: str) -> bool:
    """Whether ``info`` (a file with several names) is one of cc-pack's own files by inode."""
    key = (info.st_dev, info.st_ino)
    for folder in (
        os.path.join(project, *STATE_PARTS),
        os.path.join(project, *HOOK_PARTS),
    ):
        for root, _dirs, files in os.walk(folder):
            for name in files:
                try:
                    other = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                if (other.st_dev, other.st_ino) == key:
                    return True
    for path in settings_files(project):
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == key:
            return True
    return False


def signature(path: str) -> str:
    """The content of ``path`` in short: a sha1 of its bytes, of a symlink's target, or
    ``missing``."""
    try:
        if os.path.islink(path):
            data = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError:
        return "missing"
    try:  # the builtin module: hashlib loads OpenSSL (3 ms)
        from _sha1 import sha1
    except ImportError:
        from hashlib import sha1
    return sha1(data).hexdigest()
