"""Helpers the e2e scenarios share: real git, the real ``cc-pack`` CLI, installing the pack, and
matchers that recognise the pack's own agents by their prompt files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fakeapi
import runner

REPO = Path(__file__).resolve().parents[2]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "e2e",
    "GIT_AUTHOR_EMAIL": "e2e@example.com",
    "GIT_COMMITTER_NAME": "e2e",
    "GIT_COMMITTER_EMAIL": "e2e@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, **GIT_ENV, HOME=str(repo.parent / "git-home"))
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def cc_pack(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """The real ``cc-pack`` CLI of this checkout, as a process (venv first on PATH, like the
    sessions, so hook commands find the same ``python3``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE")}
    env["PATH"] = f"{runner.VENV_BIN}:{env.get('PATH', runner.SYSTEM_PATH)}"
    done = subprocess.run(
        [sys.executable, "-m", "cc_pack", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"cc-pack {' '.join(args)} exited {done.returncode}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}"
        )
    return done


def install(project: Path, *, log: bool = True) -> Path:
    """``cc-pack init`` into ``project``; with ``log`` the hook decision log is switched on.
    Returns the decision log path."""
    cc_pack("init", str(project), cwd=project)
    state_dir = project / ".claude" / "cc-pack"
    state_dir.mkdir(exist_ok=True)
    path = state_dir / "decisions.jsonl"
    if log:
        path.touch()
    return path


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def agent_body(name: str) -> str:
    """The first line of the pack agent's prompt (what starts its subagent's ``system[2]``)."""
    text = (REPO / "agents" / f"{name}.md").read_text()
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return body.strip().splitlines()[0][:60]


def pack_agent(name: str) -> fakeapi.Matcher:
    return fakeapi.subagent(agent_body(name))


def commit_all(project: Path, message: str = "fixture") -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def write_notebook(path: Path) -> None:
    """A one-cell notebook (cell id ``c1``, source ``print(1)``) for NotebookEdit calls."""
    cell = {
        "cell_type": "code",
        "id": "c1",
        "metadata": {},
        "source": "print(1)",
        "outputs": [],
        "execution_count": None,
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
