"""`cc-pack init` on real temporary repositories, run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cc_pack import hookspec, pack
from realproc import git, run_cli, snapshot

PY = sys.executable  # a direct interpreter: no pyenv-shim note in the output


def init(repo: Path, *extra: str, env: dict | None = None):
    return run_cli("init", str(repo), "--python", PY, *extra, env=env)


def pack_agent_names() -> list[str]:
    return sorted(p.name for p in pack.agents_dir().glob("*.md"))


def registered(repo: Path) -> list[list[str]]:
    """Every cc-pack registration as the argv Claude Code spawns (exec form)."""
    data = json.loads((repo / ".claude/settings.json").read_text())
    found = []
    for groups in data["hooks"].values():
        for group in groups:
            for hook in group["hooks"]:
                argv = [hook["command"], *hook.get("args", [])]
                if any(".claude/hooks/cc-pack/" in part for part in argv):
                    found.append([a.replace("${CLAUDE_PROJECT_DIR}", str(repo)) for a in argv])
    return found


def registered_scripts(repo: Path) -> list[Path]:
    """The entry file each registration runs (the launcher's first argument)."""
    return [Path(argv[3]).parent / f"{argv[4]}.py" for argv in registered(repo)]


def test_empty_repo_gets_agents_skills_hooks_settings_and_gitignore(git_repo: Path):
    result = init(git_repo)
    assert result.returncode == 0, result.stderr
    assert "/orchestrate" in result.stdout
    for name in pack_agent_names():
        assert (git_repo / ".claude/agents" / name).read_bytes() == (
            pack.agents_dir() / name
        ).read_bytes()
    assert (git_repo / ".claude/skills/orchestrate/SKILL.md").is_file()
    assert (git_repo / ".claude/skills/output-contract/findings.schema.json").is_file()
    scripts = registered_scripts(git_repo)
    assert len(scripts) == len(hookspec.HOOKS)
    assert all(p.is_file() for p in scripts)
    assert {p.name for p in scripts} == set(hookspec.scripts())
    assert ".claude/cc-pack/" in (git_repo / ".gitignore").read_text().splitlines()
    # no machine path in a committed file: the interpreters are in the git-ignored local.conf
    settings = (git_repo / ".claude/settings.json").read_text()
    assert PY not in settings and str(git_repo) not in settings
    launcher = git_repo / ".claude/skills/orchestrate/bin/cc-pack"
    assert os.access(launcher, os.X_OK)
    assert launcher.read_bytes() == (pack.skills_dir() / "orchestrate/bin/cc-pack").read_bytes()
    local = (git_repo / ".claude/cc-pack/local.conf").read_text()
    assert f"hook_python={PY}\n" in local and f"cli_python={sys.executable}\n" in local


def test_launcher_runs_the_cli(git_repo: Path):
    assert init(git_repo).returncode == 0
    launcher = git_repo / ".claude/skills/orchestrate/bin/cc-pack"
    env = {k: v for k, v in os.environ.items() if k != "CC_PACK_PYTHON"}
    env["PATH"] = "/usr/bin:/bin"  # no cc-pack on PATH: the recorded interpreter must do it
    out = subprocess.run(
        [str(launcher), "--version"], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "cc-pack" in out.stdout


def test_hooks_run_from_any_cwd(git_repo: Path):
    """Registered commands use $CLAUDE_PROJECT_DIR, so a subdirectory cwd works."""
    assert init(git_repo).returncode == 0
    sub = git_repo / "deep" / "er"
    sub.mkdir(parents=True)
    argv = next(a for a in registered(git_repo) if "stop_gate" in a)
    event = json.dumps(
        {
            "hook_event_name": "Stop",
            "session_id": "s",
            "cwd": str(sub),
            "stop_hook_active": False,
            "last_assistant_message": "done",
        }
    )
    out = subprocess.run(
        argv,
        cwd=sub,
        input=event,
        capture_output=True,
        text=True,
        env=dict(os.environ, CLAUDE_PROJECT_DIR=str(git_repo)),
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr


def test_existing_settings_hooks_and_permissions_are_kept(git_repo: Path):
    claude = git_repo / ".claude"
    claude.mkdir()
    mine = {
        "permissions": {"allow": ["Bash(ls:*)"], "deny": ["Read(./.env)"]},
        "env": {"FOO": "1"},
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x.sh"}]}],
            "SessionStart": [{"hooks": [{"type": "command", "command": "hello.sh"}]}],
        },
    }
    (claude / "settings.json").write_text(json.dumps(mine, indent=4) + "\n")
    (claude / "agents").mkdir()
    (claude / "agents/my-agent.md").write_text("---\nname: my-agent\ndescription: mine\n---\nHi\n")
    assert init(git_repo).returncode == 0
    data = json.loads((claude / "settings.json").read_text())
    assert data["permissions"] == mine["permissions"]
    assert data["env"] == mine["env"]
    assert data["hooks"]["PreToolUse"][0] == mine["hooks"]["PreToolUse"][0]
    assert data["hooks"]["SessionStart"][0] == mine["hooks"]["SessionStart"][0]
    assert len(data["hooks"]["SessionStart"]) == 2  # theirs + the handoff injection
    assert len(data["hooks"]["PreToolUse"]) == 3  # theirs + scope guard + spawn gate
    assert (claude / "settings.json").read_text().startswith('{\n    "')  # their indentation
    assert (claude / "agents/my-agent.md").read_text().startswith("---\nname: my-agent")


def test_second_run_changes_nothing(git_repo: Path):
    assert init(git_repo).returncode == 0
    before = snapshot(git_repo)
    mtimes = {p: p.stat().st_mtime_ns for p in git_repo.rglob("*") if p.is_file()}
    again = init(git_repo)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert snapshot(git_repo) == before
    assert {p: p.stat().st_mtime_ns for p in git_repo.rglob("*") if p.is_file()} == mtimes


def test_conflicting_agent_is_refused_then_forced_with_backup(git_repo: Path):
    name = pack_agent_names()[0]
    agents = git_repo / ".claude/agents"
    agents.mkdir(parents=True)
    (agents / name).write_text("---\nname: theirs\ndescription: user file\n---\nmine\n")
    before = snapshot(git_repo)
    refused = init(git_repo)
    assert refused.returncode == 1
    assert f".claude/agents/{name}" in refused.stderr
    assert "--force" in refused.stderr
    assert snapshot(git_repo) == before  # nothing was written

    forced = init(git_repo, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (agents / name).read_bytes() == (pack.agents_dir() / name).read_bytes()
    assert (agents / f"{name}.cc-pack-backup").read_text().endswith("mine\n")

    undone = run_cli("init", str(git_repo), "--uninstall")
    assert undone.returncode == 0, undone.stderr
    assert snapshot(git_repo) == before  # their agent back, our files gone


def test_uninstall_restores_untouched_settings_byte_for_byte(git_repo: Path):
    claude = git_repo / ".claude"
    claude.mkdir()
    # odd spacing survives only if the bytes are restored
    original = '{"model": "sonnet",   "hooks": {}}\n'
    (claude / "settings.json").write_text(original)
    (git_repo / ".gitignore").write_text("node_modules\n")
    before = snapshot(git_repo)
    assert init(git_repo).returncode == 0
    assert (claude / "settings.json").read_text() != original
    undone = run_cli("init", str(git_repo), "--uninstall")
    assert undone.returncode == 0, undone.stderr
    assert snapshot(git_repo) == before


def test_uninstall_keeps_user_edits_made_after_init(git_repo: Path):
    assert init(git_repo).returncode == 0
    settings = git_repo / ".claude/settings.json"
    data = json.loads(settings.read_text())
    data["permissions"] = {"allow": ["Bash(make:*)"]}
    settings.write_text(json.dumps(data, indent=2) + "\n")
    undone = run_cli("init", str(git_repo), "--uninstall")
    assert undone.returncode == 0, undone.stderr
    left = json.loads(settings.read_text())
    assert left == {"permissions": {"allow": ["Bash(make:*)"]}}
    assert not (git_repo / ".claude/hooks/cc-pack").exists()
    assert not (git_repo / ".claude/agents").exists()


def test_uninstall_without_manifest_removes_unchanged_pack_files(git_repo: Path):
    assert init(git_repo).returncode == 0
    (git_repo / ".claude/cc-pack/install.json").unlink()
    undone = run_cli("init", str(git_repo), "--uninstall")
    assert undone.returncode == 0, undone.stderr
    assert not list((git_repo / ".claude").rglob("*.md"))
    assert not (git_repo / ".claude/hooks/cc-pack/runtime.py").exists()


def test_uninstall_keeps_runs(git_repo: Path):
    assert init(git_repo).returncode == 0
    run = git_repo / ".claude/cc-pack/runs/r1"
    run.mkdir(parents=True)
    (run / "state.json").write_text("{}")
    assert run_cli("init", str(git_repo), "--uninstall").returncode == 0
    assert (run / "state.json").read_text() == "{}"


def test_broken_settings_is_refused_and_untouched(git_repo: Path):
    claude = git_repo / ".claude"
    claude.mkdir()
    (claude / "settings.json").write_text('{\n  "hooks": {\n    "Stop": [,]\n  }\n}\n')
    before = snapshot(git_repo)
    result = init(git_repo)
    assert result.returncode == 2
    assert ".claude/settings.json:3:" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(git_repo) == before


def test_settings_with_wrong_hooks_type_is_refused(git_repo: Path):
    (git_repo / ".claude").mkdir()
    (git_repo / ".claude/settings.json").write_text('{"hooks": []}')
    result = init(git_repo)
    assert result.returncode == 2
    assert '"hooks" must map event names' in result.stderr


def test_dry_run_changes_nothing(git_repo: Path):
    before = snapshot(git_repo)
    result = init(git_repo, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "create   .claude/agents/" in result.stdout
    assert "merge" in result.stdout or "create   .claude/settings.json" in result.stdout
    assert snapshot(git_repo) == before


def test_missing_directory(tmp_path: Path):
    result = init(tmp_path / "nope")
    assert result.returncode == 2
    assert "no such directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_directory(tmp_path: Path):
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() == 0:
        # root ignores permission bits; the immutable attribute binds root too
        subprocess.run(["chattr", "+i", str(target)], check=True)
    else:
        target.chmod(0o555)
    try:
        result = init(target)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(target)], check=True)
        target.chmod(0o755)
    assert result.returncode == 4, result.stderr
    assert "not writable" in result.stderr
    assert not (target / ".claude").exists()


def test_non_git_directory_works_and_says_so(tmp_path: Path):
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "not a git repository" in result.stderr
    assert (tmp_path / ".claude/settings.json").is_file()


def test_pyenv_shim_is_detected(git_repo: Path, tmp_path: Path):
    shims = tmp_path / "pyenv" / "shims"
    shims.mkdir(parents=True)
    shim = shims / "python3"
    shim.write_text(f'#!/usr/bin/env bash\n# pyenv shim\nexec "{PY}" "$@"\n')
    shim.chmod(0o755)
    env = {"PATH": f"{shims}:/usr/bin:/bin"}
    result = run_cli("init", str(git_repo), env=env)
    assert result.returncode == 0, result.stderr
    assert f"python3 is a shim ({shim})" in result.stderr
    # the hooks run the interpreter behind the shim, recorded for this machine only
    assert f"hook_python={PY}\n" in (git_repo / ".claude/cc-pack/local.conf").read_text()
    assert str(shim) not in (git_repo / ".claude/settings.json").read_text()


def test_python_option_must_exist(git_repo: Path):
    result = run_cli("init", str(git_repo), "--python", "/nonexistent/python9")
    assert result.returncode == 2
    assert "no such executable" in result.stderr


def test_config_created_once_and_kept(git_repo: Path):
    assert init(git_repo).returncode == 0
    config = git_repo / ".claude/cc-pack.yaml"
    assert config.read_text().startswith("# cc-pack configuration")
    config.write_text("version: 1\nmax_iterations: 2\n")
    assert init(git_repo).returncode == 0
    assert config.read_text() == "version: 1\nmax_iterations: 2\n"
    assert run_cli("init", str(git_repo), "--uninstall").returncode == 0
    assert config.read_text() == "version: 1\nmax_iterations: 2\n"  # edited: kept


def test_upgrade_replaces_our_unmodified_files(git_repo: Path):
    assert init(git_repo).returncode == 0
    manifest = git_repo / ".claude/cc-pack/install.json"
    data = json.loads(manifest.read_text())
    runtime = git_repo / ".claude/hooks/cc-pack/cc_pack_hooks/runtime.py"
    runtime.write_text("# an older pack version\n")
    # pretend init wrote that older content
    import hashlib

    data["files"][".claude/hooks/cc-pack/cc_pack_hooks/runtime.py"] = hashlib.sha256(
        runtime.read_bytes()
    ).hexdigest()
    manifest.write_text(json.dumps(data))
    result = init(git_repo)
    assert result.returncode == 0, result.stderr
    assert "update" in result.stdout
    assert runtime.read_bytes() == (pack.hook_package_dir() / "runtime.py").read_bytes()


RELEASE_0_1_0 = Path(__file__).resolve().parents[2] / "fixtures" / "upgrade" / "0.1.0"


def release_0_1_0_tree(repo: Path) -> None:
    """What `cc-pack init` 0.1.0 left in a repository (flat hook modules), committed."""
    shutil.copytree(RELEASE_0_1_0 / ".claude", repo / ".claude", dirs_exist_ok=True)
    shutil.copy(RELEASE_0_1_0 / "gitignore", repo / ".gitignore")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "cc-pack 0.1.0")


def test_upgrade_from_0_1_0_replaces_the_flat_modules_by_the_package(git_repo: Path):
    release_0_1_0_tree(git_repo)
    before = snapshot(git_repo)
    hook_dir = git_repo / ".claude/hooks/cc-pack"
    flat = ["runtime.py", "store.py", "write_scope.py", "shellwords.py", "bashwrites.py"]
    assert all((hook_dir / name).is_file() for name in flat)
    result = init(git_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any((hook_dir / name).exists() for name in flat), result.stdout
    assert "no longer part of the pack" in result.stdout
    assert (hook_dir / "cc_pack_hooks" / "rules" / "scope.py").is_file()
    installed = sorted(p.name for p in hook_dir.iterdir() if p.is_file())
    assert installed == hookspec.hook_files()
    # the upgraded guard runs and decides
    event = {"hook_event_name": "PreToolUse", "tool_name": "Write", "session_id": "s",
             "cwd": str(git_repo), "tool_input": {"file_path": str(git_repo / ".claude/cc-pack/x"),
                                                  "content": ""}}  # fmt: skip
    done = subprocess.run([PY, "-S", str(hook_dir / "scope_guard.py")], input=json.dumps(event),
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "CLAUDE_PROJECT_DIR": str(git_repo)})  # fmt: skip
    assert done.returncode == 0 and '"permissionDecision":"deny"' in done.stdout, done.stderr
    ignore = (git_repo / ".gitignore").read_text().splitlines()
    assert ".claude/hooks/cc-pack/**/__pycache__/" in ignore
    assert ".claude/hooks/cc-pack/__pycache__/" not in ignore
    assert ignore.count("# cc-pack run state and hook bytecode") == 1
    assert (hook_dir / "cc_pack_hooks" / "rules" / "__pycache__").is_dir()  # precompiled
    assert "__pycache__" not in git(git_repo, "status", "--porcelain", "--untracked-files=all")
    # uninstall after the upgrade removes exactly what the two installs added
    assert run_cli("init", str(git_repo), "--uninstall").returncode == 0
    after = snapshot(git_repo)
    leftover = {p for p in after if p.startswith(".claude/")}
    assert leftover == set(), leftover
    assert set(after) <= set(before) | {".gitignore"}


def test_plugin_hooks_json_matches_the_table():
    assert (pack.hooks_dir() / "hooks.json").read_text() == hookspec.plugin_hooks_json()


def test_every_registered_script_exists_in_the_pack():
    for script in hookspec.scripts():
        assert (pack.hooks_dir() / script).is_file(), script


def test_init_commits_cleanly_with_git(git_repo: Path):
    """What init writes is committable and the run-state dir stays out of git."""
    assert init(git_repo).returncode == 0
    state = git_repo / ".claude/cc-pack/runs/x"
    state.mkdir(parents=True)
    (state / "state.json").write_text("{}")
    status = git(git_repo, "status", "--porcelain", "--untracked-files=all")
    assert ".claude/cc-pack/" not in status
    # the hooks are precompiled at install, and their bytecode is ignored too
    assert list((git_repo / ".claude/hooks/cc-pack/__pycache__").glob("*.pyc"))
    assert "__pycache__" not in status
    assert ".claude/agents/" in status


def test_readme_hook_table_matches_the_table():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    for row in hookspec.readme_rows():
        assert row in readme, f"README's hook table is stale; expected row:\n{row}"


def clone(repo: Path, where: Path) -> Path:
    """A teammate's checkout: what git has, nothing git ignores (no install record)."""
    subprocess.run(["git", "clone", "-q", str(repo), str(where)], check=True)
    return where


def test_upgrade_from_0_1_0_on_a_clone_without_the_install_record(git_repo: Path, tmp_path: Path):
    """The record is git-ignored: on a clone the shipped hashes of 0.1.0 must tell the pack's
    files from the user's, so the upgrade replaces them instead of conflicting on each one."""
    release_0_1_0_tree(git_repo)
    theirs = clone(git_repo, tmp_path / "clone")
    assert not (theirs / ".claude/cc-pack/install.json").exists()
    result = init(theirs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CONFLICT" not in result.stdout
    assert "update   .claude/agents/implementer.md  (the pack's 0.1.0 file)" in result.stdout
    hook_dir = theirs / ".claude/hooks/cc-pack"
    assert sorted(p.name for p in hook_dir.iterdir() if p.is_file()) == hookspec.hook_files()
    launcher = theirs / ".claude/skills/orchestrate/bin/cc-pack"  # 0.1.0 pinned a path into it
    assert launcher.read_bytes() == (pack.skills_dir() / "orchestrate/bin/cc-pack").read_bytes()


def test_upgrade_on_a_clone_keeps_a_0_1_0_file_the_user_changed(git_repo: Path, tmp_path: Path):
    release_0_1_0_tree(git_repo)
    agent = git_repo / ".claude/agents/planner.md"
    agent.write_text(agent.read_text() + "\nAlso: our house rules.\n")
    flat = git_repo / ".claude/hooks/cc-pack/paths.py"  # a module 0.2 no longer ships
    flat.write_text(flat.read_text() + "# patched by us\n")
    git(git_repo, "commit", "-qam", "our changes")
    theirs = clone(git_repo, tmp_path / "clone")
    before = snapshot(theirs)
    result = init(theirs)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CONFLICT .claude/agents/planner.md" in result.stdout
    assert "keep     .claude/hooks/cc-pack/paths.py  (no longer part of the pack, but changed" in (
        result.stdout
    )
    assert "CONFLICT .claude/agents/implementer.md" not in result.stdout
    assert snapshot(theirs) == before  # a conflict writes nothing


def test_two_clones_with_different_interpreters_enforce_with_no_conflict(
    git_repo: Path, tmp_path: Path
):
    """Done-when of issue 16: one initialised repository, two machines (two interpreters),
    no conflict, no machine path in git, the guards of both deny."""
    mine, other = sys.executable, sys._base_executable
    assert mine != other
    assert run_cli("init", str(git_repo), "--python", mine).returncode == 0
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "cc-pack")
    tracked = git(git_repo, "ls-files").split()
    for name in tracked:
        text = (git_repo / name).read_bytes()
        assert mine.encode() not in text and str(git_repo).encode() not in text, name
    theirs = clone(git_repo, tmp_path / "teammate")
    result = run_cli("init", str(theirs), "--python", other)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CONFLICT" not in result.stdout
    assert git(theirs, "status", "--porcelain", "--untracked-files=all") == ""
    verbs = ("create", "update", "replace", "merge", "append", "remove")
    changed = {line.split()[1] for line in result.stdout.splitlines() if line.split()[:1] in [
        [v] for v in verbs]}  # fmt: skip
    assert ".claude/cc-pack/local.conf" in changed
    assert changed <= {".claude/cc-pack/local.conf", ".claude/settings.local.json"}, changed
    assert f"hook_python={other}\n" in (theirs / ".claude/cc-pack/local.conf").read_text()
    again = run_cli("init", str(theirs), "--python", other)
    assert "nothing changed" in again.stdout
    for repo in (git_repo, theirs):
        argv = next(a for a in registered(repo) if "scope_guard" in a)
        event = {"hook_event_name": "PreToolUse", "tool_name": "Write", "session_id": "s",
                 "cwd": str(repo), "tool_input": {"file_path": str(repo / ".claude/cc-pack/x"),
                                                  "content": ""}}  # fmt: skip
        env = {**os.environ, "CLAUDE_PROJECT_DIR": str(repo)}
        done = subprocess.run(argv, input=json.dumps(event), capture_output=True, text=True,
                              env=env, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert '"permissionDecision":"deny"' in done.stdout, done.stdout


def test_init_without_a_directory_installs_at_the_git_root(git_repo: Path):
    """Claude Code reads .claude/ from the directory it starts in (the repository root), so
    `cc-pack init` typed in src/ must not create src/.claude."""
    src = git_repo / "src"
    src.mkdir()
    result = run_cli("init", "--python", PY, cwd=src)
    assert result.returncode == 0, result.stderr
    assert f"installing at the git root {git_repo}" in result.stderr
    assert (git_repo / ".claude/settings.json").is_file()
    assert not (src / ".claude").exists()


def test_init_of_an_explicit_subdirectory_installs_there_and_says_where_to_start(git_repo: Path):
    sub = git_repo / "services" / "api"
    sub.mkdir(parents=True)
    result = run_cli("init", ".", "--python", PY, cwd=sub)
    assert result.returncode == 0, result.stderr
    assert (sub / ".claude/settings.json").is_file()
    assert not (git_repo / ".claude").exists()
    assert f"Claude Code loads this .claude/ only when it is started in {sub}" in result.stderr


def _bin_without(tmp_path: Path, *missing: str) -> str:
    """A PATH with git, sh and python3 but without ``missing``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("git", "sh", "python3", "python", "ruff", "uv"):
        found = shutil.which(name)
        if found and name not in missing and not (bin_dir / name).exists():
            (bin_dir / name).symlink_to(found)
    return str(bin_dir)


def test_init_says_when_the_configured_linter_is_missing(git_repo: Path, tmp_path: Path):
    without = run_cli("init", str(git_repo), "--python", PY,
                      env={"PATH": _bin_without(tmp_path, "ruff")})  # fmt: skip
    assert without.returncode == 0, without.stderr
    assert "lint: `ruff` (the linter for **/*.py) is not installed" in without.stderr
    (git_repo / ".claude/cc-pack/local.conf").unlink()
    ruff = Path(sys.executable).with_name("ruff")
    with_ruff = run_cli("init", str(git_repo), "--python", PY,
                        env={"PATH": f"{ruff.parent}:/usr/bin:/bin"})  # fmt: skip
    assert with_ruff.returncode == 0, with_ruff.stderr
    assert "is not installed" not in with_ruff.stderr


def test_init_shows_the_test_command_it_detected(git_repo: Path):
    none = init(git_repo, "--dry-run")
    assert "tests: none detected" in none.stderr
    (git_repo / "tests").mkdir()
    plain = init(git_repo, "--dry-run")
    assert (
        "python -m pytest -q` (detected" in plain.stderr
        or "python3 -m pytest -q` (detected" in (plain.stderr)
    )
    (git_repo / "uv.lock").write_text("version = 1\n")
    uv = init(git_repo, "--dry-run")
    assert "tests: `uv run pytest -q` (detected; set test_command" in uv.stderr
    (git_repo / ".claude").mkdir()
    (git_repo / ".claude/cc-pack.yaml").write_text("test_command: make check\n")
    configured = init(git_repo, "--dry-run")
    assert "tests: `make check` (test_command in .claude/cc-pack.yaml)" in configured.stderr


def test_uninstall_on_a_broken_settings_file_names_the_line_and_the_fix(git_repo: Path):
    assert init(git_repo).returncode == 0
    settings = git_repo / ".claude/settings.json"
    settings.write_text(settings.read_text().replace('"hooks": {', '"hooks": {,', 1))
    before = snapshot(git_repo)
    result = run_cli("init", str(git_repo), "--uninstall")
    assert result.returncode == 2, result.stdout + result.stderr
    line = next(i for i, text in enumerate(settings.read_text().splitlines(), 1) if "{," in text)
    assert f".claude/settings.json:{line}: not valid JSON" in result.stderr
    assert "Then run `cc-pack init --uninstall` again" in result.stderr
    assert "run init again" not in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(git_repo) == before


def test_the_run_worktrees_are_git_ignored(git_repo: Path):
    """A run's implementers work in git worktrees under .claude/worktrees/cc-pack/: a checkout
    inside the repository must never show up as something to commit."""
    assert init(git_repo).returncode == 0
    assert ".claude/worktrees/" in (git_repo / ".gitignore").read_text().splitlines()
    (git_repo / ".claude/worktrees/cc-pack/step-1").mkdir(parents=True)
    (git_repo / ".claude/worktrees/cc-pack/step-1/app.py").write_text("x = 1\n")
    assert ".claude/worktrees" not in git(
        git_repo, "status", "--porcelain", "--untracked-files=all"
    )


def test_uninstall_on_a_clone_of_a_0_1_0_install_removes_what_0_1_0_installed(
    git_repo: Path, tmp_path: Path
):
    """No install record on a clone: the shipped hashes say which files are the pack's, also
    the ones only an earlier release installed; a file the user changed is kept."""
    release_0_1_0_tree(git_repo)
    planner = git_repo / ".claude/agents/planner.md"
    planner.write_text(planner.read_text() + "\nAlso: our house rules.\n")
    git(git_repo, "commit", "-qam", "ours")
    theirs = clone(git_repo, tmp_path / "clone")
    result = run_cli("init", str(theirs), "--uninstall")
    assert result.returncode == 0, result.stdout + result.stderr
    hook_dir = theirs / ".claude/hooks/cc-pack"
    assert not (hook_dir / "write_scope.py").exists(), result.stdout  # 0.1.0 only
    assert not (theirs / ".claude/agents/implementer.md").exists()
    assert (theirs / ".claude/agents/planner.md").read_text().endswith("our house rules.\n")
