"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from realproc import git, run_cli


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty git repository with one commit."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("demo\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo
