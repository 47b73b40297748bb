"""Real processes for tests: the cc-pack CLI, the hook entry files, git, and snapshots of the
trees they change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / "hooks"


def run_hook(name: str, stdin: bytes | str, env: dict | None = None, cwd=None):
    """A hook entry file as the plugin runs it (``python -S hooks/<name>.py`` with the hook
    package's folder on ``PYTHONPATH``); returns the CompletedProcess (bytes)."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CC_PACK")}
    full_env["PYTHONPATH"] = str(REPO / "tools")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-S", str(HOOKS / f"{name}.py")],
        input=stdin,
        capture_output=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """``cc-pack ARGS`` as a real process (the installed package, this interpreter)."""
    full_env = dict(os.environ)
    full_env.pop("CLAUDECODE", None)
    full_env.pop("CLAUDE_PROJECT_DIR", None)
    for name in ("CLAUDE_CODE_SESSION_ID", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_EXECPATH"):
        full_env.pop(name, None)  # a suite run from a Claude Code session must not look inside
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cc_pack", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env=dict(
            os.environ,
            GIT_AUTHOR_NAME="t",
            GIT_AUTHOR_EMAIL="t@example.com",
            GIT_COMMITTER_NAME="t",
            GIT_COMMITTER_EMAIL="t@example.com",
        ),
    ).stdout


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (outside .git) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
