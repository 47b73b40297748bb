"""What the run changed, seen through git (``cc_pack_hooks.gitview``: the repository's own code
never runs, and the comparison is with the commit the run started from) for the files, and
``git diff -U0`` for the lines.

A file that already differed from that commit at ``run start`` is in the run's baseline with a
hash of its content then; it counts as the run's change only once that content differs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cc_pack_hooks import gitview

DELETED = "deleted"


class NotGit(Exception):
    """The project is not inside a git work tree."""


def is_git(root: Path) -> bool:
    return gitview.top(str(root)) is not None


def head(root: Path) -> str | None:
    """The commit a run starts from (None: no commit yet)."""
    return gitview.head(str(root))


def changed(root: Path, base: str | None) -> list[str]:
    """Project-relative paths that differ from ``base`` or are new (``NotGit`` outside git)."""
    try:
        found = gitview.changed(str(root), base)
    except gitview.GitError as exc:
        raise NotGit(str(exc)) from None
    if found is None:
        raise NotGit("not a git repository")
    return found


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


def baseline(root: Path, base: str | None) -> dict[str, str]:
    """The files that already differ from ``base`` before the run, with their signature."""
    return {path: signature(root, path) for path in changed(root, base)}


def run_changes(root: Path, base: dict[str, str], commit: str | None = None) -> list[str]:
    """The files the run changed: changed now and not as in the baseline, plus baseline files
    whose content moved (including ones put back to their committed state)."""
    current = set(changed(root, commit))
    result = {p for p in current if p not in base or signature(root, p) != base[p]}
    result |= {p for p in base if p not in current and signature(root, p) != base[p]}
    return sorted(result)


def changed_lines(root: Path, path: str, commit: str | None = None) -> set[int] | None:
    """Line numbers added or modified in ``path`` against the run's start commit; None means
    every line (a new file, or a repository without commits)."""
    project = str(root)
    base = commit or gitview.head(project)
    if base is None:
        return None
    try:
        gitview.git(project, "cat-file", "-e", f"{base}:{_in_repo(root, path)}")
        out = gitview.git(project, "diff", "--no-ext-diff", "--no-textconv", "--no-color",
                          "-U0", base, "--", str(root / path))  # fmt: skip
    except gitview.GitError:
        return None
    lines: set[int] = set()
    for raw in out.decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("@@"):
            continue
        # @@ -a[,b] +c[,d] @@ : new lines c .. c+d-1 (d defaults to 1; 0 is a pure deletion)
        new = raw.split(" ")[2].lstrip("+")
        start, _, count = new.partition(",")
        lines.update(range(int(start), int(start) + (int(count) if count else 1)))
    return lines


def _in_repo(root: Path, path: str) -> str:
    top = gitview.top(str(root))
    return os.path.relpath(root / path, top) if top else path
