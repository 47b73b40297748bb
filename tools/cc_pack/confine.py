"""The CLI's side of the OS sandbox: whether a run gets one (``decide``), and running the code the
implementers wrote inside it is ``cc_pack_hooks.sandbox.Confined`` (the hooks rerun step
validations too).

The hooks' side (tickets, mounts, the shell prefix) is ``cc_pack_hooks.sandbox``; this module
only adds what needs the CLI: the configuration, the settings files, and the human-facing lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cc_pack.errors import CheckFailed
from cc_pack_hooks import sandbox

LOCAL_SETTINGS = Path(".claude/settings.local.json")


@dataclass
class Decision:
    kind: str | None  # "bwrap", or None: the Bash analysis only
    mode: str
    reason: str | None

    def record(self) -> dict:
        return {"kind": self.kind, "mode": self.mode, "reason": self.reason}

    def line(self) -> str:
        if self.kind:
            return "sandbox: bubblewrap confines this run's Bash to what the rules allow"
        return f"sandbox: none ({self.reason}); the scope guard's Bash analysis is the boundary"


def wired(root: Path) -> str | None:
    """Why this project's sessions would not send Bash through cc-pack's prefix, or None."""
    expected = os.path.realpath(sandbox.prefix_path(str(root)))
    try:
        data = json.loads((root / LOCAL_SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    env = data.get("env") if isinstance(data, dict) else None
    written = env.get(sandbox.PREFIX_KEY) if isinstance(env, dict) else None
    if not written or os.path.realpath(written) != expected:
        return f"{LOCAL_SETTINGS} does not set {sandbox.PREFIX_KEY} to {expected}"
    if not os.access(expected, os.X_OK):
        return f"{expected} is missing or not executable"
    if os.environ.get("CLAUDE_CODE_SESSION_ID"):
        live = os.environ.get(sandbox.PREFIX_KEY) or ""
        if not live or os.path.realpath(live) != expected:
            return (
                f"this Claude Code session does not use it yet ({sandbox.PREFIX_KEY} is "
                f"{live or 'not set'}); restart Claude Code"
            )
    return None


def decide(root: Path, mode: str) -> Decision:
    """The sandbox a new run gets. ``required`` refuses without one; ``auto`` falls back only
    where this machine cannot sandbox at all: a machine that can, but whose session is not
    wired, is refused too (a missing wiring there is an install to finish, or tampering)."""
    if mode == "off":
        return Decision(None, mode, "scope.sandbox is off")
    installed = os.path.isfile(sandbox.prefix_path(str(root)))
    problem = (
        sandbox.unavailable()
        if installed
        else (
            "the pack is not installed in this project (`cc-pack init` installs the sandbox; a "
            "plugin install has none)"
        )
    )
    if problem:
        if mode == "required":
            raise CheckFailed(
                f"scope.sandbox is required, but {problem}",
                "install bubblewrap, or set scope.sandbox: auto in .claude/cc-pack.yaml",
            )
        return Decision(None, mode, problem)
    missing = wired(root)
    if missing:
        raise CheckFailed(
            f"this machine can confine Bash with bubblewrap, but the sandbox is not wired: "
            f"{missing}",
            "run `cc-pack init` in a terminal (it writes the machine-local wiring), restart "
            "Claude Code, then start the run again; or set scope.sandbox: off to run without it",
        )
    return Decision("bwrap", mode, None)


READ_ONLY_HINT = "Read-only file system"


def read_only_note(output: str) -> str | None:
    """What to tell the human when a confined test failed on a read-only path."""
    if READ_ONLY_HINT not in output:
        return None
    return (
        "the tests tried to write a path that is read-only inside the sandbox (only the "
        "scratch dir, TMPDIR, and scope.test_outputs are writable there): add what they must "
        "write to scope.test_outputs in .claude/cc-pack.yaml, or point it at $TMPDIR"
    )
