"""Bash audit with the real git: recording, baseline, bytecode, no git."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hookenv import run_hook

from cc_pack_hooks.rules import audit


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(project):
    git(project.root, "init", "-q")
    (project.root / ".gitignore").write_text(".claude/cc-pack/\n")
    (project.root / "setup.py").write_text("old\n")
    git(project.root, "add", "-A")
    git(project.root, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init")
    return project


def audit_event(project):
    return project.event(
        hook_event_name="PostToolUse",
        tool_name="Bash",
        tool_input={"command": "make"},
        tool_response={},
        tool_use_id="t1",
    )


def test_audit_reports_and_records_out_of_scope_changes(repo):
    repo.start()
    (repo.root / "src" / "app.py").write_text("x = 2\n")  # in scope
    (repo.root / "setup.py").write_text("new\n")
    decision = audit.handle(audit_event(repo))
    assert decision.action == "feedback" and "setup.py" in decision.message
    assert "src/app.py" not in decision.message
    assert [v["path"] for v in repo.state()["audit"]["violations"]] == ["setup.py"]
    # reported once, then silent while it stays
    assert audit.handle(audit_event(repo)).action == "allow"
    # reverted by the human: resolved
    (repo.root / "setup.py").write_text("old\n")
    audit.handle(audit_event(repo))
    assert repo.state()["audit"]["violations"] == []


def test_audit_ignores_the_packs_own_bytecode(repo):
    repo.start()
    cache = repo.root / ".claude" / "hooks" / "cc-pack" / "cc_pack_hooks" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "runtime.cpython-311.pyc").write_bytes(b"x")
    (repo.root / "src" / "__pycache__").mkdir()
    (repo.root / "src" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"x")
    assert audit.decide(audit_event(repo)).action == "allow"


def test_audit_respects_the_baseline(repo):
    (repo.root / "setup.py").write_text("dirty before the run\n")
    import hashlib

    sha = hashlib.sha1(b"dirty before the run\n").hexdigest()
    repo.start(audit={"baseline": {"setup.py": sha}, "violations": []})
    assert audit.decide(audit_event(repo)).action == "allow"
    (repo.root / "setup.py").write_text("changed during the run\n")
    assert audit.decide(audit_event(repo)).action == "feedback"


def test_audit_silent_without_git_or_run(project):
    project.start()
    (project.root / "setup.py").write_text("x")
    assert audit.decide(audit_event(project)).action == "allow"


def test_audit_process(repo):
    repo.start()
    (repo.root / "stray.txt").write_text("x")
    env = {"CLAUDE_PROJECT_DIR": str(repo.root)}
    proc = run_hook("bash_audit", audit_event(repo), env)
    assert proc.returncode == 2 and b"stray.txt" in proc.stderr and proc.stdout == b""
    proc = run_hook("bash_audit", b"", env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_no_git_binary_needed_for_non_git(project, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    project.start()
    assert audit.changed_paths(str(project.root), project.state()) is None
    assert shutil.which("git") is None and os.environ["PATH"] == "/nonexistent"
