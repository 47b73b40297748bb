"""The repository passes the real `claude plugin validate --strict`, as a marketplace and as a
plugin, on every pinned Claude Code version."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def validate(binary: Path, target: Path, home: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run(
        [str(binary), "plugin", "validate", "--strict", str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.e2e
@pytest.mark.parametrize(
    "target", [".", ".claude-plugin/plugin.json"], ids=["marketplace", "plugin"]
)
def test_claude_plugin_validate_strict_passes(claude_binary: Path, tmp_path: Path, target: str):
    done = validate(claude_binary, REPO / target, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation passed" in done.stdout
    assert "✘" not in done.stdout.split("These plugin directory checks")[-1]


@pytest.mark.e2e
def test_claude_plugin_validate_catches_a_broken_manifest(claude_binary: Path, tmp_path: Path):
    """The check above can fail: the same command on a manifest without a name does."""
    broken = tmp_path / "broken" / ".claude-plugin"
    broken.mkdir(parents=True)
    (broken / "plugin.json").write_text('{"version": "1.0.0"}')
    home = tmp_path / "home"
    home.mkdir()
    done = validate(claude_binary, broken.parent, home)
    assert done.returncode == 1
