"""The CLI and the hooks share one named package: importing cc-pack edits no import path, shadows
no third-party module, and every dependency of the CLI on the hooks is an import by name."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from cc_pack import pack
from realproc import REPO

PLUMBING = ("store", "runtime", "paths", "process", "session", "roles", "contract", "globs")


def test_importing_cc_pack_leaves_sys_path_alone():
    code = (
        "import sys; before = list(sys.path)\n"
        "import cc_pack, cc_pack.cli, cc_pack.state, cc_pack.phases, cc_pack.install\n"
        "print(sys.path == before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr


def test_a_third_party_module_named_like_a_hook_module_is_not_shadowed(tmp_path: Path):
    for name in PLUMBING:
        (tmp_path / f"{name}.py").write_text(f"WHO = 'third-party {name}'\n")
    names = ", ".join(PLUMBING)
    code = (
        "import cc_pack.state, cc_pack.phases, cc_pack.report, cc_pack.install\n"
        f"import {names}\n"
        f"print(all(m.WHO.startswith('third-party') for m in ({names},)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "True", done.stderr


def _python_files(*folders: str):
    for folder in folders:
        yield from (REPO / folder).rglob("*.py")


def test_no_module_edits_sys_path():
    offenders = []
    for path in _python_files("tools", "hooks"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            target = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "path"
                and getattr(target.value.value, "id", None) == "sys"
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_the_cli_imports_the_hook_modules_by_the_package_name():
    """A bare ``import store`` would only work with the hooks folder on sys.path."""
    bare = []
    for path in _python_files("tools/cc_pack", "tools/cc_pack_hooks", "hooks"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bare += [
                f"{path.relative_to(REPO)}:{node.lineno} {n}"
                for n in names
                if n.partition(".")[0] in (*PLUMBING, "shellwords", "bashwrites", "write_scope")
            ]
    assert bare == []


def test_hooks_folder_holds_only_entry_files_and_the_plugin_registrations():
    files = sorted(p.name for p in pack.hooks_dir().iterdir() if p.name != "__pycache__")
    from cc_pack import hookspec

    assert files == sorted([*hookspec.hook_files(), "hooks.json"])
    for script in [*hookspec.scripts(), hookspec.SHELL_PREFIX[1]]:
        body = (pack.hooks_dir() / script).read_text()
        tree = ast.parse(body)
        assert len(tree.body) <= 4, f"{script} should only wire a rules module to the runtime"


def test_every_hook_has_one_rules_module_named_after_it():
    from cc_pack import hookspec

    for spec in hookspec.HOOKS:
        module = pack.hook_package_dir() / "rules" / f"{spec.rules}.py"
        assert module.is_file(), spec
        entry = (pack.hooks_dir() / spec.script).read_text()
        assert f"from cc_pack_hooks.rules import {spec.rules}\n" in entry


def test_the_repositorys_own_settings_run_the_checkout_hooks():
    """Dogfood: this repository's .claude/settings.json registers the entry files of hooks/ with
    the package from tools/, generated from the same table as everything else."""
    import json

    from cc_pack import hookspec

    data = json.loads((REPO / ".claude" / "settings.json").read_text())
    assert data == {"hooks": hookspec.settings_hooks("${CLAUDE_PROJECT_DIR}/hooks")}
