"""Colour and libyaml, across the CLI: ``NO_COLOR`` / ``FORCE_COLOR`` decide colour (here on
validate's text report, the one coloured output), and validate reads frontmatter with the
pure-Python YAML loader when PyYAML has no libyaml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from realproc import run_cli

BROKEN = "---\nname: worker\ndescription: Does the work.\nmodel: gpt-9\ntools: Read\n---\nW.\n"
ESC = "\x1b["


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    agent = tmp_path / ".claude" / "agents" / "worker.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(BROKEN)
    return tmp_path


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({}, False),  # not a terminal
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
        ({"NO_COLOR": ""}, False),
    ],
)
def test_colour_follows_force_color_and_no_color(broken: Path, env: dict, coloured: bool):
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-m", "cc_pack", "validate", "."],
        cwd=broken,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "AG006" in done.stdout
    assert (ESC in done.stdout) is coloured, repr(done.stdout)


def test_colour_is_never_written_to_a_file(broken: Path):
    done = run_cli("validate", ".", "-o", "out.txt", cwd=broken, env={"FORCE_COLOR": "1"})
    assert done.returncode == 1
    assert ESC not in (broken / "out.txt").read_text()


# validate parses simple frontmatter itself; an anchor and a flow mapping take the YAML loader
COMPLEX = (
    '---\nname: worker\ndescription: &d "Does the work."\nmodel: gpt-9\n'
    "metadata:\n  a: {b: 1}\n---\nW.\n"
)


def test_validate_without_libyaml_uses_the_pure_python_loader(broken: Path, tmp_path: Path):
    (broken / ".claude/agents/worker.md").write_text(COMPLEX)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text('import sys\nsys.modules["yaml._yaml"] = None\n')
    env = {"PYTHONPATH": f"{shim}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    probe = run_cli("validate", ".", cwd=broken, env=env)
    plain = run_cli("validate", ".", cwd=broken)
    assert probe.returncode == 1, probe.stderr
    assert "internal error" not in probe.stderr
    assert probe.stdout == plain.stdout and "AG006" in probe.stdout
    probe_code = "import yaml; print(hasattr(yaml, 'CSafeLoader'))"
    check = subprocess.run([sys.executable, "-c", probe_code], env={**os.environ, **env},
                           capture_output=True, text=True)  # fmt: skip
    assert check.stdout.strip() == "False"  # the shim really hides libyaml


def _leaves(command, path=()):
    import click

    if isinstance(command, click.Group):
        for name in command.list_commands(None):
            yield from _leaves(command.get_command(None, name), (*path, name))
    else:
        yield path, command


def test_every_command_with_json_output_spells_it_format_json():
    """One spelling: a command that has ``--json`` also takes ``--format json`` (and the other
    way round), so a script can use ``--format json`` everywhere."""
    import click

    from cc_pack import cli

    seen = 0
    for path, command in _leaves(cli.main.group):
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        fmt = next((p for p in command.params if "--format" in p.opts), None)
        has_json_format = fmt is not None and isinstance(fmt.type, click.Choice) and (
            "json" in fmt.type.choices)  # fmt: skip
        if "--json" in names or has_json_format:
            seen += 1
            assert has_json_format, f"cc-pack {' '.join(path)}: --json without --format json"
            if path != ("validate",):  # validate's fast path predates --json
                assert "--json" in names, f"cc-pack {' '.join(path)}: no --json short form"
    assert seen >= 9
