"""What git's view of the work tree cannot show: the repository's own control files and the
ignored files, taken at ``run start`` and compared after each Bash call — needed only where the
sandbox could not apply (inside it ``.git/`` is read-only and nothing outside the writable set
can change).

``.git/``: its configuration, hooks, info (excludes), HEAD and refs, module configs — everything
that changes what git or a later command runs — but not objects, logs or the index (git itself
rewrites those; index tricks are caught by ``gitview``). Ignored files: their type, size, mode,
mtime and link target, at most ``LIMIT`` of them (a large virtualenv is summarised as "too many
to watch" and left to the sandbox).
"""

from __future__ import annotations

import os

from cc_pack_hooks import gitview, runtime, store

LIMIT = 20000
GIT_SKIP = ("objects", "logs", "index", "lost-found")
FILE = "tree-baseline.json"


def _sig(path: str) -> str:
    try:
        info = os.lstat(path)
    except OSError:
        return "missing"
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    return f"{info.st_mode:o}:{info.st_size}:{info.st_mtime_ns}:{info.st_nlink}"


def _git_dir_files(root: str) -> list[str]:
    git_dir = os.path.join(root, ".git")
    found = []
    if not os.path.isdir(git_dir):
        return [".git"]  # a gitfile (worktree): watch the pointer itself
    for folder, dirs, files in os.walk(git_dir):
        rel_dir = os.path.relpath(folder, root)
        if rel_dir == ".git":
            dirs[:] = [d for d in dirs if d not in GIT_SKIP]
            files = [f for f in files if f not in GIT_SKIP and not f.endswith(".lock")]
        found += [os.path.join(rel_dir, f) for f in files]
        found += [os.path.join(rel_dir, d) for d in dirs if os.path.islink(os.path.join(folder, d))]
    return found


def snapshot(project: str) -> dict:
    root = gitview.top(project)
    if root is None:
        return {}
    names = _git_dir_files(root)
    try:
        out = gitview.git(project, "ls-files", "-z", "--others", "--ignored", "--exclude-standard")
        ignored = [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]
    except gitview.GitError:
        ignored = []
    ignored = [n for n in ignored if not n.startswith(".claude/cc-pack/")]
    watched = "all" if len(ignored) <= LIMIT else f"too many to watch ({len(ignored)})"
    if watched != "all":
        ignored = []
    files = {name: _sig(os.path.join(root, name)) for name in [*names, *ignored]}
    return {"root": root, "files": files, "ignored": watched}


def save(rdir: str, project: str) -> None:
    store.write_atomic(os.path.join(rdir, FILE), runtime.dumps(snapshot(project)) + "\n")


def changes(rdir: str, project: str) -> list[str]:
    """Paths (relative to the work tree root) that differ from the baseline, new ones included
    for ``.git/``."""
    try:
        base = store.read_json(os.path.join(rdir, FILE))
    except (FileNotFoundError, store.StateError):
        return []
    root = base.get("root") if isinstance(base, dict) else None
    files = base.get("files") if isinstance(base, dict) else None
    if not isinstance(root, str) or not isinstance(files, dict):
        return []
    found = [name for name, sig in files.items() if _sig(os.path.join(root, name)) != sig]
    found += [name for name in _git_dir_files(root) if name not in files]
    return sorted(set(found))
