"""Fixtures of the end-to-end suite: every test runs once per pinned Claude Code version, against
its own fake Messages API, in a fresh HOME and a fresh git repository.

A missing binary is installed from npm (``runner.ensure_binary``); when that fails the test
fails under ``CI`` (a skipped e2e suite proves nothing) and is skipped with the reason locally.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fakeapi
import runner
from scenario import git


@pytest.fixture(scope="session", params=runner.VERSIONS, ids=lambda v: f"cc{v}")
def claude_version(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def claude_binary(claude_version: str) -> Path:
    try:
        return runner.ensure_binary(claude_version)
    except runner.BinaryMissing as exc:
        if runner.in_ci():
            pytest.fail(f"Claude Code {claude_version} unavailable in CI: {exc}")
        pytest.skip(f"Claude Code {claude_version} unavailable: {exc}")


@pytest.fixture
def api():
    with fakeapi.FakeAPI() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with one commit, the project Claude Code runs in."""
    repo = tmp_path / "proj"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("demo project\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo


@pytest.fixture
def claude(
    claude_binary: Path, claude_version: str, tmp_path: Path, api: fakeapi.FakeAPI, project: Path
) -> runner.Claude:
    return runner.Claude(claude_binary, claude_version, tmp_path / "home", project, api.url)
