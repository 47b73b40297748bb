"""The real pre-commit framework runs the hook from .pre-commit-hooks.yaml: a broken agent fails
with the finding, the fixed agent passes.

The hook repository is a temporary git copy of this package (so uncommitted work is what gets
tested and the lead's commits do not matter). ``pre-commit try-repo`` builds the hook's virtualenv
afresh in a temporary store on every call (~20 s here), so it runs once, for the broken agent; the
fix is checked the way a user runs it, ``pre-commit run`` with a .pre-commit-config.yaml (one more
build, ~11 s). Two builds per session, both in this one test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from realproc import git
from validate_cases import REPO

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
PACKAGE_FILES = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "tools",
    "hooks",
    "agents",
    "skills",
    ".claude-plugin",
)
# a runtime defect (a tool that does not exist), so the run fails in a repo without cc-pack too
BROKEN = "---\nname: worker\ndescription: Does the work.\ntools: Read, Frobnicate\n---\nWork.\n"
FIXED = "---\nname: worker\ndescription: Does the work.\ntools: Read, Bash\n---\nWork.\n"


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A committed git copy of the package: (path, commit)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "cc-pack")
    for name in PACKAGE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hook")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "CLAUDE"))}
    env.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    started = time.monotonic()
    done = subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(f"pre-commit {args[0]}: {time.monotonic() - started:.1f}s")
    return done


def test_pre_commit_fails_on_a_broken_agent_and_passes_once_fixed(hook_repo, git_repo, tmp_path):
    repo_path, rev = hook_repo
    agent = git_repo / "agents" / "worker.md"
    agent.parent.mkdir()
    agent.write_text(BROKEN)
    (git_repo / ".claude-plugin").mkdir()
    (git_repo / ".claude-plugin" / "plugin.json").write_text(
        '{"name": "demo", "version": "1.0.0", "description": "Demo.", "author": {"name": "T"}}\n'
    )
    git(git_repo, "add", "-A")

    tried = _run(
        ["try-repo", str(repo_path), "cc-pack-validate", "--all-files"],
        git_repo,
        tmp_path / "try-store",
    )
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert "cc-pack validate" in tried.stdout and "Failed" in tried.stdout
    assert (
        "agents/worker.md:4:14: AG007 'Frobnicate' in tools is not a Claude Code tool"
        in tried.stdout
    )
    assert "hint: use a tool name such as Read" in tried.stdout

    (git_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {repo_path}\n  rev: {rev}\n  hooks:\n  - id: cc-pack-validate\n"
    )
    agent.write_text(FIXED)
    git(git_repo, "add", "-A")
    fixed = _run(["run", "--all-files"], git_repo, tmp_path / "store")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "cc-pack validate" in fixed.stdout and "Passed" in fixed.stdout
