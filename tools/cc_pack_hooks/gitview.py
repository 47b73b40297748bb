"""What changed in the work tree, asked of git in a way the repository cannot subvert.

``git status`` executes code the repository configures: ``core.fsmonitor`` (observed: a planted
command ran inside the audit), clean/smudge/process filters named by ``.gitattributes``,
``core.worktree`` pointing the audit at another tree. Every call here runs git with system and
global config off and, on the command line (which outranks the repository's config), fsmonitor,
hooks, the pager, external diff, submodule recursion and every configured filter switched off,
and the git dir and work tree given explicitly.

``changed(project, base)`` compares the work tree with the commit the run started from, not with
the index or HEAD: a commit made during the run does not clear a change, and neither do index
bits (``update-index --assume-unchanged``/``--skip-worktree``), whose files are hashed directly.
Stdlib only (the audit hook imports it); the CLI uses the same functions.
"""

from __future__ import annotations

import os

from cc_pack_hooks import paths, process

TIMEOUT = 10.0
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
SAFE = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.bare=false",
    "core.untrackedCache=false",
    "diff.external=",
    "submodule.recurse=false",
    "status.submoduleSummary=false",
)
_ENV_DROP = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_EXTERNAL_DIFF",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CEILING_DIRECTORIES",
)


WAVE_TREES = ".claude/worktrees/cc-pack/"


class GitError(Exception):
    """git is missing, timed out or refused."""


def top(project: str) -> str | None:
    """The work tree root holding ``project``: the nearest directory with a ``.git``."""
    d = project
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", GIT_OPTIONAL_LOCKS="0",
               GIT_TERMINAL_PROMPT="0", LC_ALL="C")  # fmt: skip
    return env


def _raw(root: str, args: list[str], extra: tuple[str, ...] = ()) -> bytes:
    argv = ["git", f"--git-dir={os.path.join(root, '.git')}", f"--work-tree={root}"]
    for item in (*SAFE, *extra):
        argv += ["-c", item]
    result = process.run([*argv, *args], root, TIMEOUT, env=_env())
    if result.missing:
        raise GitError("git is not installed")
    if result.timed_out:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT:g} s")
    if result.code != 0:
        raise GitError(f"git {args[0]} exited {result.code}")
    return result.stdout


def _filters(root: str) -> tuple[str, ...]:
    """Every configured filter driver, switched off (reading config runs nothing)."""
    try:
        out = _raw(root, ["config", "-z", "--get-regexp", r"^filter\."])
    except GitError:
        return ()  # exit 1: no filter configured
    names = set()
    for entry in out.split(b"\0"):
        key = entry.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        if key.count(".") >= 2:
            names.add(key[len("filter.") : key.rindex(".")])
    off = []
    for name in sorted(names):
        off += [f"filter.{name}.{k}=" for k in ("clean", "smudge", "process")]
        off.append(f"filter.{name}.required=false")
    return tuple(off)


def git(project: str, *args: str) -> bytes:
    """``git ARGS`` for the work tree holding ``project``, with the repository's code off."""
    root = top(project)
    if root is None:
        raise GitError("not a git repository")
    return _raw(root, list(args), _filters(root))


def head(project: str) -> str | None:
    try:
        return git(project, "rev-parse", "--verify", "-q", "HEAD^{commit}").decode().strip()
    except GitError:
        return None


def changed(project: str, base: str | None, *, index_bits: bool = True) -> list[str] | None:
    """Project-relative paths that differ from commit ``base`` (None: HEAD, or nothing when
    there is no commit) or are untracked and not ignored; None outside a git work tree.
    ``index_bits``: also hash the files the index marks assume-unchanged or skip-worktree
    (needed only where the index was writable, i.e. without the sandbox)."""
    root = top(project)
    if root is None:
        return None
    extra = _filters(root)
    base = base or head(project) or EMPTY_TREE
    found = set()
    # `git diff <commit>`, not diff-index: it re-checks the content of files whose stat data
    # moved (a copied tree), in memory only (GIT_OPTIONAL_LOCKS=0: the index is not written)
    out = _raw(root, ["diff", "-z", "--name-only", "--no-renames", "--no-ext-diff",
                      "--no-textconv", "--ignore-submodules=dirty", base, "--"], extra)  # fmt: skip
    found.update(_names(out))
    found.update(_names(_raw(root, ["ls-files", "-z", "--others", "--exclude-standard"], extra)))
    if index_bits:
        found.update(_laundered(root, base, extra))
    rel_root = paths.relative(os.path.realpath(project), os.path.realpath(root))
    prefix = f"{rel_root}/" if rel_root else ""
    result = []
    for name in sorted(found):
        if prefix and not name.startswith(prefix):
            continue
        rel = name[len(prefix) :]
        # a parallel wave's trees are cc-pack's own; fan-in audits each against its step
        if rel and not paths.in_state_dir(rel) and not rel.startswith(WAVE_TREES):
            result.append(rel)
    return result


def _names(out: bytes) -> list[str]:
    return [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]


def _laundered(root: str, base: str, extra: tuple[str, ...]) -> list[str]:
    """Files the index tells git not to look at: compare their bytes with ``base`` directly."""
    hidden = []
    for entry in _names(_raw(root, ["ls-files", "-z", "-v"], extra)):
        tag, _, name = entry.partition(" ")
        if tag.islower() or tag == "S":
            hidden.append(name)
    changed_names = []
    for name in hidden:
        path = os.path.join(root, name)
        try:
            want = _raw(root, ["rev-parse", "-q", "--verify", f"{base}:{name}"], extra).strip()
        except GitError:
            want = b""
        try:
            have = _raw(root, ["hash-object", "--no-filters", "--", path], extra).strip()
        except GitError:
            have = b""
        if want != have:
            changed_names.append(name)
    return changed_names
