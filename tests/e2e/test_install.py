"""The pack as the real Claude Code loads it (foundation issue): after ``cc-pack init`` in a git
repository, and as a plugin through ``--plugin-dir``, the session lists the pack's agents and the
``orchestrate`` skill, and a Write tool call runs the pack's PreToolUse hook (seen in the hook
decision log)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fakeapi import Conversation, main_thread, reply, tool
from scenario import REPO, cc_pack

from realproc import git

pytestmark = pytest.mark.e2e

AGENTS = sorted(p.stem for p in (REPO / "agents").glob("*.md"))
PLUGIN_PARTS = (".claude-plugin", "agents", "skills", "hooks", "tools")


def _log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _script_write(api, target: Path) -> None:
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("writing", tool("Write", file_path=str(target), content="from the model\n")),
                reply("done"),
            ],
        )
    )


def _assert_scope_guard_saw_write(log: list[dict], target: Path) -> None:
    writes = [r for r in log if r.get("event") == "PreToolUse" and r.get("tool_name") == "Write"]
    assert writes, f"the pack's PreToolUse hook logged no Write: {log}"
    assert any("scope" in r.get("hook", "") for r in writes), writes


def test_dropin_install_is_loaded_and_its_hooks_run(claude, api, project):
    cc_pack("init", str(project), cwd=project)
    state_dir = project / ".claude" / "cc-pack"
    state_dir.mkdir(exist_ok=True)
    (state_dir / "decisions.jsonl").touch()  # exists = hook decision log on
    target = project / "notes.txt"
    _script_write(api, target)

    run = claude.run("write the notes")

    assert run.returncode == 0, run.describe()
    init = run.init
    assert not init.get("plugin_errors"), init.get("plugin_errors")
    assert set(AGENTS) <= set(init["agents"]), init["agents"]
    assert "orchestrate" in init["slash_commands"], init["slash_commands"]
    assert target.read_text() == "from the model\n"  # no run active: the guard allows
    assert not run.result_for("Write")["is_error"]
    _assert_scope_guard_saw_write(_log(state_dir / "decisions.jsonl"), target)
    assert api.errors == []


def test_plugin_dir_is_loaded_namespaced_and_its_hooks_run(claude, api, project, tmp_path):
    plugin = tmp_path / "plugin"
    for part in PLUGIN_PARTS:
        shutil.copytree(
            REPO / part, plugin / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    log = tmp_path / "decisions.jsonl"
    claude.extra_env["CC_PACK_LOG"] = str(log)
    target = project / "notes.txt"
    _opt_in(project)
    _script_write(api, target)

    run = claude.run("write the notes", plugin_dir=plugin)

    assert run.returncode == 0, run.describe()
    init = run.init
    assert not init.get("plugin_errors"), init.get("plugin_errors")
    # 2.1.330 also lists its built-in plugins
    ours = [p for p in init["plugins"] if p["name"] == "cc-pack"]
    assert len(ours) == 1 and ours[0]["path"] == str(plugin), init["plugins"]
    assert {f"cc-pack:{a}" for a in AGENTS} <= set(init["agents"]), init["agents"]
    assert not set(AGENTS) & set(init["agents"]), "plugin agents must be namespaced"
    assert "cc-pack:orchestrate" in init["slash_commands"], init["slash_commands"]
    assert target.read_text() == "from the model\n"
    _assert_scope_guard_saw_write(_log(log), target)
    assert api.errors == []


def _opt_in(project: Path) -> None:
    (project / ".claude").mkdir(exist_ok=True)
    (project / ".claude" / "cc-pack.yaml").write_text("version: 1\n")


def _checkout(where: Path) -> Path:
    """A committed copy of this repository's tracked files as they are in the working tree (a
    clone would miss uncommitted work), plus what a contributor's checkout also holds and git
    ignores: a virtual environment."""
    tracked = (
        subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source, dest = REPO / name, where / name
        if not os.path.lexists(source):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest, follow_symlinks=False)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-qm", "cc-pack")
    (where / ".venv" / "lib").mkdir(parents=True)
    (where / ".venv" / "lib" / "big.bin").write_bytes(b"x" * 4096)
    return where


def test_a_local_marketplace_installs_only_the_plugin_and_it_is_inert_until_opted_in(
    claude, api, project, tmp_path
):
    """What `claude plugin install` copies from a local marketplace is the plugin entry's source
    directory, symlinks followed, ignoring .gitignore: the entry points at plugin/ (links to the
    five parts), so no .venv and no tests/ reach ~/.claude/plugins/cache. Installed at user
    scope its hooks run in every project; in one that has not opted in they answer nothing."""
    market = _checkout(tmp_path / "market")
    for argv in (["marketplace", "add", str(market)], ["install", "cc-pack@cc-pack"]):
        done = subprocess.run(
            [str(claude.binary), "plugin", *argv],
            env=claude.env(),
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    cache = claude.home / ".claude" / "plugins" / "cache" / "cc-pack" / "cc-pack"
    (installed,) = cache.iterdir()
    assert sorted(p.name for p in installed.iterdir()) == sorted(PLUGIN_PARTS)
    assert not any(p.is_symlink() for p in installed.rglob("*"))  # links were copied as files
    assert not list(installed.rglob("big.bin")) and not list(installed.rglob("conftest.py"))
    assert (installed / "tools" / "cc_pack_hooks" / "runtime.py").is_file()

    log = tmp_path / "decisions.jsonl"
    claude.extra_env["CC_PACK_LOG"] = str(log)
    target = project / "notes.txt"
    _script_write(api, target)
    run = claude.run("write the notes")
    assert run.returncode == 0, run.describe()
    assert "cc-pack:orchestrate" in run.init["slash_commands"], run.init["slash_commands"]
    assert target.read_text() == "from the model\n"
    assert not log.exists() or not _log(log), "a hook answered in a project that did not opt in"

    _opt_in(project)
    target.unlink()
    _script_write(api, target)
    run = claude.run("write the notes again")
    assert run.returncode == 0, run.describe()
    _assert_scope_guard_saw_write(_log(log), target)
    assert api.errors == []
