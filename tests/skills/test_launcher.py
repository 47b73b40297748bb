"""The orchestrate skill's launcher (skills/orchestrate/bin/cc-pack) as a real /bin/sh process:
which interpreter it picks, that arguments pass through untouched, and the one-line failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from realproc import REPO

LAUNCHER = REPO / "skills" / "orchestrate" / "bin" / "cc-pack"
NASTY = ["a b", "$(touch pwned)", "`touch pwned`", "*", ";", "", "--x=1 2", "it's", "\\n"]


def pack_copy(root: Path, *, tools: bool = False, pinned: str | None = None) -> Path:
    """A pack layout holding a copy of the launcher (optionally with tools/, or with a recorded
    interpreter: ``root`` is then the project's .claude/ and ``cc-pack/local.conf`` beside the
    skills says ``cli_python=<pinned>``, as `cc-pack init` writes it)."""
    target = root / "skills" / "orchestrate" / "bin" / "cc-pack"
    target.parent.mkdir(parents=True)
    if pinned is not None:
        (root / "cc-pack").mkdir()
        (root / "cc-pack" / "local.conf").write_text(f"# machine\ncli_python={pinned}\n")
    target.write_text(LAUNCHER.read_text())
    target.chmod(0o755)
    if tools:
        (root / "tools").symlink_to(REPO / "tools")
    return target


def bin_dir(path: Path, **links: str) -> Path:
    """A PATH directory holding only the named links (name -> target)."""
    path.mkdir()
    for name, target in links.items():
        (path / name.replace("_", "-")).symlink_to(target)
    return path


def launch(
    launcher: Path, *args: str, path: Path, env: dict | None = None, cwd: Path | None = None
):
    full = {"PATH": str(path), "HOME": os.environ.get("HOME", "/tmp"), **(env or {})}
    return subprocess.run(
        ["/bin/sh", str(launcher), *args],
        env=full,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_source_launcher_is_executable_posix_sh_and_the_same_on_every_machine():
    assert os.access(LAUNCHER, os.X_OK)
    text = LAUNCHER.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "PINNED" not in text  # nothing is written into it: the interpreter is in local.conf
    assert "eval" not in text.split()
    assert subprocess.run(["/bin/sh", "-n", str(LAUNCHER)], check=False).returncode == 0


def test_env_override_runs_the_cli(tmp_path):
    launcher = pack_copy(tmp_path / "pack")
    empty = bin_dir(tmp_path / "bin")
    result = launch(launcher, "--version", path=empty, env={"CC_PACK_PYTHON": sys.executable})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cc-pack, version")


def test_pinned_interpreter_runs_the_cli(tmp_path):
    launcher = pack_copy(tmp_path / "pack", pinned=sys.executable)
    empty = bin_dir(tmp_path / "bin")
    result = launch(launcher, "--version", path=empty)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cc-pack, version")


def test_broken_pin_falls_through_to_path(tmp_path):
    launcher = pack_copy(tmp_path / "pack", pinned=str(tmp_path / "gone" / "python"))
    stub = tmp_path / "stub"
    stub.write_text('#!/bin/sh\nprintf "via-path:%s\\n" "$@"\n')
    stub.chmod(0o755)
    path = bin_dir(tmp_path / "bin", cc_pack=str(stub))
    result = launch(launcher, "run", "status", path=path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["via-path:run", "via-path:status"]


def test_arguments_reach_the_cli_verbatim_and_are_never_evaluated(tmp_path):
    launcher = pack_copy(tmp_path / "pack")
    stub = tmp_path / "stub"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    stub.chmod(0o755)
    path = bin_dir(tmp_path / "bin", cc_pack=str(stub))
    work = tmp_path / "work"
    work.mkdir()
    (work / "file1").write_text("")
    result = launch(launcher, *NASTY, path=path, cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"[{a}]" for a in NASTY]
    assert sorted(p.name for p in work.iterdir()) == ["file1"]


def test_plugin_layout_uses_tools_dir(tmp_path):
    launcher = pack_copy(tmp_path / "plugin", tools=True)
    # python3 on PATH, but no cc-pack command and no pin: only <root>/tools can provide the CLI
    path = bin_dir(tmp_path / "bin", python3=sys.executable)
    result = launch(launcher, "--version", path=path, env={"PYTHONNOUSERSITE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cc-pack, version")


@pytest.mark.parametrize("self_on_path", [False, True])
def test_no_cli_anywhere_prints_one_line_and_exits_127(tmp_path, self_on_path):
    launcher = pack_copy(tmp_path / "pack")
    links = {"cc_pack": str(launcher)} if self_on_path else {}
    path = bin_dir(tmp_path / "bin", **links)
    result = launch(launcher, "run", "status", path=path)
    assert result.returncode == 127
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "pip install" in lines[0] and "CC_PACK_PYTHON" in lines[0]


def test_checkout_hint_names_the_pack_root(tmp_path):
    root = tmp_path / "checkout"
    launcher = pack_copy(root)
    (root / "pyproject.toml").write_text("[project]\nname = 'cc-pack'\n")
    result = launch(launcher, "--version", path=bin_dir(tmp_path / "bin"))
    assert result.returncode == 127
    assert f"pip install '{root.resolve()}'" in result.stderr


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash not installed")
def test_runs_under_dash(tmp_path):
    launcher = pack_copy(tmp_path / "pack")
    result = subprocess.run(
        [shutil.which("dash"), str(launcher), "--version"],
        env={"PATH": str(bin_dir(tmp_path / "bin")), "CC_PACK_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
