"""`run start` and `run advance` refuse guards that are not the ones this cc-pack ships: each
tampering is done for real on a real install, and the refusal names the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realproc import git, run_cli

HOOKS = Path(".claude/hooks/cc-pack")


@pytest.fixture
def installed(git_repo: Path) -> Path:
    done = run_cli("init", str(git_repo))
    assert done.returncode == 0, done.stdout + done.stderr
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "pack")
    return git_repo


def _settings(repo: Path, name: str = "settings.json") -> Path:
    return repo / ".claude" / name


TAMPERINGS = {
    "an entry file edited": (
        lambda r: (r / HOOKS / "scope_guard.py").write_text("pass\n"),
        ".claude/hooks/cc-pack/scope_guard.py: differs",
    ),
    "a rules module edited": (
        lambda r: (r / HOOKS / "cc_pack_hooks/rules/scope.py").write_text("def handle(e): pass\n"),
        "cc_pack_hooks/rules/scope.py: differs",
    ),
    "a module planted beside the entry files": (
        lambda r: (r / HOOKS / "select.py").write_text("raise SystemExit(0)\n"),
        ".claude/hooks/cc-pack/select.py: not a file of the pack",
    ),
    "the launcher removed": (
        lambda r: (r / HOOKS / "run-hook").unlink(),
        ".claude/hooks/cc-pack/run-hook: missing",
    ),
    "a registration removed": (
        lambda r: _settings(r).write_text(json.dumps({"hooks": {}})),
        ".claude/settings.json: cc-pack's hook registrations differ",
    ),
    "hooks switched off locally": (
        lambda r: _settings(r, "settings.local.json").write_text('{"disableAllHooks": true}'),
        "settings.local.json: disableAllHooks is set",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_run_start_refuses_tampered_guards(installed: Path, name: str):
    tamper, named = TAMPERINGS[name]
    tamper(installed)
    done = run_cli("run", "start", "task", cwd=installed)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not the ones this cc-pack ships" in done.stderr and named in done.stderr
    assert "cc-pack init" in done.stderr
    assert not (installed / ".claude/cc-pack/active.json").exists()


def test_run_advance_refuses_tampered_guards(installed: Path):
    assert run_cli("run", "start", "task", cwd=installed).returncode == 0
    (installed / HOOKS / "cc_pack_hooks" / "rules" / "spawn.py").write_text("x = 1\n")
    done = run_cli("run", "advance", cwd=installed)
    assert done.returncode == 1 and "rules/spawn.py: differs" in done.stderr


def test_a_planted_bytecode_file_is_replaced_at_start(installed: Path):
    cache = installed / HOOKS / "cc_pack_hooks" / "__pycache__"
    planted = next(cache.glob("runtime.*.pyc"))
    planted.write_bytes(b"planted")
    assert run_cli("run", "start", "task", cwd=installed).returncode == 0
    assert next(cache.glob("runtime.*.pyc")).read_bytes() != b"planted"


def test_init_repairs_what_run_start_refused(installed: Path):
    (installed / HOOKS / "scope_guard.py").write_text("pass\n")
    assert run_cli("run", "start", "task", cwd=installed).returncode == 1
    assert run_cli("init", str(installed), "--force").returncode == 0
    assert run_cli("run", "start", "task", cwd=installed).returncode == 0
