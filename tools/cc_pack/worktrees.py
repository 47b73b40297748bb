"""Git plumbing for parallel waves: a tree per step, created from the run's current state, and the
merge back.

Why cc-pack makes the trees rather than Claude Code's ``isolation: "worktree"`` (measured on both
pinned versions, tests/e2e/test_facts_agents_runtime.py): Claude Code checks its tree out from
HEAD, so the user's uncommitted work and the waves merged earlier in the run would be missing
unless cc-pack committed them on the user's branch; its branch names are its own; and its tree is
deleted when the agent changed nothing. Here the base of a wave is a commit object made from the
work tree through a private index (HEAD, the branch and the user's index never move), kept alive
by a ref under ``refs/cc-pack/``; each step gets ``cc-pack/<run>/<step>`` checked out at
``.claude/worktrees/cc-pack/<run>/<step>``.

Fan-in happens in an integration tree beside them: the step branches are merged in dependency
order then plan order with real ``git merge`` (a conflict is aborted there, so nothing
half-merged is ever left), and the result reaches the main work tree as one diff from the base,
applied only if the main tree still equals the base. Every git call runs with the repository's
own code off (hooks, fsmonitor, filters: ``cc_pack_hooks.gitview``) and a fixed identity.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cc_pack_hooks import gitview

ROOT = Path(".claude") / "worktrees" / "cc-pack"
IDENTITY = ("user.name=cc-pack", "user.email=cc-pack@localhost", "commit.gpgsign=false")
TIMEOUT = 120.0


class GitFailed(Exception):
    """A git step failed; the message names it and git's own words."""


def _env(extra: dict | None = None) -> dict:
    env = gitview._env()
    env.update(extra or {})
    return env


def _config() -> list[str]:
    out = []
    for item in (*gitview.SAFE, *IDENTITY, "merge.conflictStyle=merge"):
        out += ["-c", item]
    return out


def run_git(cwd: Path, *args: str, env: dict | None = None, stdin: str | None = None,
            check: bool = True) -> subprocess.CompletedProcess:  # fmt: skip
    try:
        done = subprocess.run(
            ["git", *_config(), *args], cwd=cwd, env=_env(env), input=stdin,
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise GitFailed("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitFailed(f"git {args[0]} took longer than {TIMEOUT:g} s") from None
    if check and done.returncode != 0:
        raise GitFailed(f"git {' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()}")
    return done


def git(cwd: Path, *args: str, env: dict | None = None, check: bool = True) -> str:
    return run_git(cwd, *args, env=env, check=check).stdout


def tree_dir(root: Path, run_id: str, name: str) -> Path:
    return root / ROOT / run_id / name


def branch(run_id: str, step_id: str) -> str:
    return f"cc-pack/{run_id}/{step_id}"


def snapshot(root: Path, message: str) -> str:
    """A commit of the work tree as it is (tracked and untracked files, ignored ones left out),
    parented on HEAD, made through a private index: nothing the user has moves."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        head = gitview.head(str(root))
        if head:
            git(root, "read-tree", head, env=env)
        trees = ROOT.parent.as_posix()
        # git refuses a pathspec (even an exclude) that names an ignored path: where init
        # git-ignored .claude/worktrees/ the plain add already leaves the step trees out
        ignored = run_git(root, "check-ignore", "-q", f"{trees}/", check=False).returncode == 0
        git(root, "add", "-A", "--", ".", *([] if ignored else [f":(exclude){trees}"]), env=env)
        tree = git(root, "write-tree", env=env).strip()
    parents = ["-p", head] if head else []
    return git(root, "commit-tree", tree, *parents, "-m", message).strip()


def keep(root: Path, ref: str, commit: str) -> None:
    git(root, "update-ref", ref, commit)


def add(root: Path, path: Path, branch_name: str, base: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "-q", "-b", branch_name, str(path), base)


def changed_in(tree: Path) -> list[str]:
    """Files that differ from the tree's branch head, untracked ones included."""
    out = git(tree, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    return sorted(entry[3:] for entry in out.split("\0") if len(entry) > 3)


def commit_all(tree: Path, message: str) -> str | None:
    """Commit whatever the step's implementer left in its tree; the new commit, or None when
    it changed nothing."""
    git(tree, "add", "-A")
    if not git(tree, "status", "--porcelain"):
        return None
    git(tree, "commit", "-q", "--no-verify", "-m", message)
    return git(tree, "rev-parse", "HEAD").strip()


def same_tree(root: Path, commit: str) -> bool:
    """Whether the main work tree still holds exactly ``commit``'s files."""
    return _tree_of(root, snapshot(root, "cc-pack: compare")) == _tree_of(root, commit)


def _tree_of(root: Path, commit: str) -> str:
    return git(root, "rev-parse", f"{commit}^{{tree}}").strip()


@dataclass
class Merged:
    """The outcome of one wave's fan-in."""

    head: str | None = None  # the integration commit after the last merge that succeeded
    merged: list[str] = field(default_factory=list)  # step ids, in merge order
    conflicts: list[dict] = field(default_factory=list)  # {"step", "files", "sides", "message"}
    broken: str | None = None  # a validation failing after a clean merge


def merge(root: Path, integration: Path, base: str, order: list[tuple[str, str]],
          after_each) -> Merged:  # fmt: skip
    """Merge ``order`` = [(step id, branch)] one by one into a detached integration tree at
    ``base``. A conflicting merge is aborted (nothing half-merged stays) and the next branch
    is merged. ``after_each(step ids merged so far, tree)`` runs the merged steps' validations
    after each clean merge and returns a problem or None; a problem stops the fan-in there."""
    if integration.exists():
        remove_tree(root, integration)
    integration.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "-q", "--detach", str(integration), base)
    result = Merged(head=base)
    for step_id, name in order:
        done = run_git(integration, "merge", "--no-ff", "--no-verify", "-q", "-m",
                       f"cc-pack: merge {step_id}", name, check=False)  # fmt: skip
        if done.returncode != 0:
            raw = git(integration, "diff", "--name-only", "--diff-filter=U").split()
            sides = {f: _sides(integration, f, result.merged, step_id) for f in raw}
            # a file/directory conflict parks the file as `path~HEAD`: name the path itself
            files = sorted({f.rsplit("~", 1)[0] if "~" in f.rsplit("/", 1)[-1] else f
                            for f in raw})  # fmt: skip
            git(integration, "merge", "--abort", check=False)
            result.conflicts.append({
                "step": step_id, "files": files, "sides": sides,
                "message": (done.stdout + done.stderr).strip()[-2000:],
            })  # fmt: skip
            continue
        result.merged.append(step_id)
        result.head = git(integration, "rev-parse", "HEAD").strip()
        problem = after_each(list(result.merged), integration)
        if problem:
            result.broken = problem
            return result
    return result


def touched(root: Path, base: str, branch_name: str) -> set[str]:
    """The files a step branch changed since the wave's base."""
    return set(git(root, "diff", "--name-only", "--no-renames", base, branch_name).split())


def _sides(tree: Path, path: str, merged: list[str], incoming: str) -> dict:
    """Both versions of a conflicted file: what the steps merged so far made of it (``ours``)
    and what the incoming step made of it (``theirs``)."""
    out = {}
    for stage, label in (("2", ", ".join(merged) or "base"), ("3", incoming)):
        text = git(tree, "show", f":{stage}:{path}", check=False)
        out[label] = text[-4000:]
    return out


def apply(root: Path, base: str, head: str) -> list[str]:
    """Bring ``base..head`` into the main work tree (only the work tree: the index and HEAD are
    not touched); returns the files it changed."""
    names = git(root, "diff", "--name-only", "--no-renames", base, head).split("\n")
    diff = git(root, "diff", "--binary", "--no-renames", "--no-ext-diff", base, head)
    if diff:
        run_git(root, "apply", "--whitespace=nowarn", stdin=diff)
    return [n for n in names if n]


def remove_tree(root: Path, path: Path) -> None:
    git(root, "worktree", "remove", "--force", str(path), check=False)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    git(root, "worktree", "prune", check=False)


def remove_branch(root: Path, name: str) -> None:
    git(root, "branch", "-D", name, check=False)


def remove_ref(root: Path, ref: str) -> None:
    git(root, "update-ref", "-d", ref, check=False)


def listed(root: Path, run_id: str) -> list[Path]:
    """The run's trees that exist on disk."""
    folder = root / ROOT / run_id
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def cleanup_commands(root: Path, run_id: str, branches: list[str]) -> list[str]:
    """What the human runs to remove a run's trees and branches (kept after FAIL or abort)."""
    trees = [f"git worktree remove --force {p.relative_to(root)}" for p in listed(root, run_id)]
    return [*trees, *(f"git branch -D {b}" for b in branches), "git worktree prune"]
