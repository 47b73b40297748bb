"""Without the sandbox, the audit also watches what git cannot show: .git/ control files and
ignored files, against their snapshot at run start (real git, real files)."""

from __future__ import annotations

from pathlib import Path

from cc_pack_hooks import treebase
from realproc import git


def test_git_control_files_and_ignored_files_are_watched(tmp_path: Path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text("build/\n.env\n")
    (repo / ".env").write_text("SECRET=1\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.bin").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "i")
    rdir = tmp_path / "run"
    rdir.mkdir()
    treebase.save(str(rdir), str(repo))
    assert treebase.changes(str(rdir), str(repo)) == []
    git(repo, "status")  # git rewriting its index is not a change
    (repo / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\ntouch pwned\n")
    with open(repo / ".git" / "config", "a") as fh:
        fh.write("[core]\n\tfsmonitor = touch pwned\n")
    (repo / ".env").write_text("SECRET=2\n")
    (repo / "build" / "out.bin").chmod(0o777)
    assert treebase.changes(str(rdir), str(repo)) == [
        ".env",
        ".git/config",
        ".git/hooks/pre-commit",
        "build/out.bin",
    ]
