"""Telling a client a person started from one a tool call started, with real process trees: a
probe stands in for the hook, sourced by a launcher named like cc-pack's, under a "client"
process whose environment and ancestry the test controls."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from realproc import REPO

CLEAN = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "tools")}
TOOL = {**CLEAN, "CLAUDECODE": "1", "CLAUDE_CODE_SESSION_ID": "s-1"}


@pytest.fixture
def probe(tmp_path: Path) -> list[str]:
    """The argv of a 'client' that runs the probe through a launcher like cc-pack's."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\nfrom cc_pack_hooks import origin\n"
        "print(origin.started_by_a_tool(sys.argv[1] if len(sys.argv) > 1 else None))\n"
    )
    launcher = tmp_path / "run-hook"
    launcher.write_text(f'out=$("{sys.executable}" -S "{script}" "$1"); printf "%s" "$out"\n')
    return ["/bin/sh", "-c", '. "$0"', str(launcher)]


def client(argv: list[str], env: dict, extra: str = "") -> str:
    """Run the probe under a "client" (a ``sh`` standing in for claude) that the test's ``sh``
    (``env``: a person's shell, or a tool call's) starts through ``extra`` (a disguise). The
    trailing ``; true`` keeps each shell a process of its own instead of exec-ing the last
    command."""
    inner = shlex.join(["/bin/sh", "-c", shlex.join(argv) + "; true"])
    done = subprocess.run(
        ["/bin/sh", "-c", f"{extra} {inner}; true"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_client_a_person_started_carries_no_signal(probe):
    if any(k in os.environ for k in ("CLAUDECODE", "CLAUDE_CODE_SESSION_ID", "AI_AGENT")):
        pytest.skip("the suite itself runs inside Claude Code: every child descends from it")
    assert client(probe, CLEAN) == "None"


def test_a_client_with_the_tool_environment_is_flagged(probe):
    # started from a tool call without any disguise: it inherited the markers
    assert "carries the environment Claude Code gives its tool calls" in client(probe, TOOL)


@pytest.mark.parametrize(
    "disguise",
    [
        "env -i PATH=/usr/bin:/bin PYTHONPATH={tools}",
        "env -u CLAUDECODE -u CLAUDE_CODE_SESSION_ID",
        "/bin/sh -c 'exec \"$@\"' sh env -i PATH=/usr/bin:/bin PYTHONPATH={tools}",
        "{python} -c 'import os,sys; os.execvpe(sys.argv[1], sys.argv[1:], "
        '{{"PATH": "/usr/bin:/bin", "PYTHONPATH": "{tools}"}})\'',
    ],
)
def test_a_client_started_from_a_tool_call_is_flagged_however_it_was_started(probe, disguise):
    extra = disguise.format(tools=REPO / "tools", python=sys.executable)
    assert "descends from a Claude Code tool call" in client(probe, TOOL, extra)


def test_the_sandbox_marker_and_a_read_only_state_dir(probe, tmp_path):
    assert "inside a cc-pack sandbox" in client(probe, {**CLEAN, "CC_PACK_SANDBOX": "r1"})
    state = tmp_path / "state"
    state.mkdir()
    # a read-only bind mount, as inside the sandbox (permission bits would not stop root)
    bwrap = ["bwrap", "--bind", "/", "/", "--ro-bind", str(state), str(state), "--"]
    done = subprocess.run([*bwrap, *probe, str(state)], env=CLEAN, capture_output=True,
                          text=True, timeout=30, check=False)  # fmt: skip
    assert "read-only" in done.stdout, done.stderr
