"""Asking git what changed without running the repository's code, and without being fooled by a
commit, an index bit or a redirected work tree (real git, real planted configuration)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cc_pack_hooks import gitview
from realproc import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.py").write_text("a\n")
    (root / "b.py").write_text("b\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "i")
    return root


def test_planted_fsmonitor_filters_and_textconv_never_run(repo: Path, tmp_path: Path):
    marker = tmp_path / "PWNED"
    for key in ("core.fsmonitor", "filter.x.clean", "filter.x.process", "diff.x.textconv"):
        git(repo, "config", key, f"touch {marker}-{key.replace('.', '_')}; cat")
    git(repo, "config", "filter.x.required", "true")
    (repo / ".gitattributes").write_text("* filter=x diff=x\n")
    (repo / "a.py").write_text("changed\n")
    # plain git runs them (and may fail on them): the threat is real
    subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, check=False)
    assert list(tmp_path.glob("PWNED-*")), "the planted configuration did not run in plain git"
    for found in tmp_path.glob("PWNED-*"):
        found.unlink()
    assert gitview.changed(str(repo), None) == [".gitattributes", "a.py"]
    assert not list(tmp_path.glob("PWNED-*"))


def test_a_commit_during_the_run_does_not_hide_a_change(repo: Path):
    base = gitview.head(str(repo))
    (repo / "b.py").write_text("out of scope\n")
    git(repo, "commit", "-qam", "launder")
    assert gitview.changed(str(repo), base) == ["b.py"]
    assert gitview.changed(str(repo), None) == []  # against HEAD it would be gone


@pytest.mark.parametrize("bit", ["--assume-unchanged", "--skip-worktree"])
def test_index_bits_do_not_hide_a_change(repo: Path, bit: str):
    base = gitview.head(str(repo))
    git(repo, "update-index", bit, "b.py")
    (repo / "b.py").write_text("hidden?\n")
    assert "b.py" not in git(repo, "status", "--porcelain")
    assert gitview.changed(str(repo), base) == ["b.py"]
    assert gitview.changed(str(repo), base, index_bits=False) == []  # the sandbox's case


def test_core_worktree_cannot_point_the_audit_elsewhere(repo: Path, tmp_path: Path):
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    git(repo, "config", "core.worktree", str(decoy))
    (repo / "a.py").write_text("changed\n")
    assert gitview.changed(str(repo), None) == ["a.py"]


def test_outside_a_repository(tmp_path: Path):
    assert gitview.changed(str(tmp_path), None) is None
