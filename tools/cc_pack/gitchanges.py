"""What the run changed, seen through real git: ``git status --porcelain -z`` for the files and
``git diff -U0`` for the lines.

A file git already showed as changed at ``run start`` is in the run's baseline with a hash of its
content then; it counts as the run's change only once that content differs."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

# The run state lives here; git-ignored by `cc-pack init`, and never part of the change.
STATE_PREFIX = ".claude/cc-pack/"
DELETED = "deleted"


class NotGit(Exception):
    """The project is not inside a git work tree."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise NotGit("git is not installed") from None


def _prefix(root: Path) -> str:
    """The project's path inside its git work tree (``""`` at the top), or ``NotGit``."""
    done = _git(root, "rev-parse", "--show-prefix")
    if done.returncode != 0:
        raise NotGit(done.stderr.decode(errors="replace").strip() or "not a git repository")
    return done.stdout.decode().strip()


def is_git(root: Path) -> bool:
    try:
        _prefix(root)
    except NotGit:
        return False
    return True


def status(root: Path) -> dict[str, str]:
    """Project-relative path -> two-letter porcelain status, for every changed or untracked file."""
    prefix = _prefix(root)
    done = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    if done.returncode != 0:
        raise NotGit(done.stderr.decode(errors="replace").strip())
    changed = {}
    for entry in done.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if not path.startswith(prefix):
            continue  # outside the project (it sits deeper in a larger repository)
        path = path[len(prefix) :]
        if path.startswith(STATE_PREFIX):
            continue
        changed[path] = code
    return changed


def signature(root: Path, path: str) -> str:
    """sha1 of the file's bytes (of the target for a symlink), or ``deleted``."""
    full = root / path
    try:
        if full.is_symlink():
            return "symlink:" + hashlib.sha1(os.readlink(full).encode()).hexdigest()
        return hashlib.sha1(full.read_bytes()).hexdigest()
    except FileNotFoundError:
        return DELETED
    except IsADirectoryError:
        return "directory"


def baseline(root: Path) -> dict[str, str]:
    """The files already changed before the run, with their content signature."""
    return {path: signature(root, path) for path in status(root)}


def run_changes(root: Path, base: dict[str, str]) -> list[str]:
    """The files the run changed: changed now and not as in the baseline, plus baseline files
    whose content moved (including ones put back to their committed state)."""
    current = status(root)
    changed = {p for p in current if p not in base or signature(root, p) != base[p]}
    changed |= {p for p in base if p not in current and signature(root, p) != base[p]}
    return sorted(changed)


def changed_lines(root: Path, path: str) -> set[int] | None:
    """Line numbers added or modified in ``path`` against HEAD; None means every line (a new file,
    or a repository without commits)."""
    if _git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0:
        return None
    tracked = _git(root, "ls-files", "--error-unmatch", "--", path)
    if tracked.returncode != 0:
        return None
    done = _git(root, "diff", "--no-ext-diff", "--no-color", "-U0", "HEAD", "--", path)
    lines: set[int] = set()
    for raw in done.stdout.decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("@@"):
            continue
        # @@ -a[,b] +c[,d] @@ : new lines c .. c+d-1 (d defaults to 1; 0 is a pure deletion)
        new = raw.split(" ")[2].lstrip("+")
        start, _, count = new.partition(",")
        lines.update(range(int(start), int(start) + (int(count) if count else 1)))
    return lines
