"""Machine-local facts: which interpreters this machine's hooks and CLI launcher run.

They live in ``.claude/cc-pack/local.conf`` (git-ignored with the rest of the run-state dir), so
every committed file is the same on every machine. ``cc-pack init`` writes it on each machine, and
any cc-pack command that finds it missing in a project with the pack installed writes it too.
The two POSIX sh launchers read it with ``read`` alone (``key=value`` lines, no quoting):
``hooks/run-hook`` takes ``hook_python``, ``skills/orchestrate/bin/cc-pack`` takes ``cli_python``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PATH = Path(".claude/cc-pack/local.conf")
HEADER = (
    "# cc-pack: this machine's interpreters, written by `cc-pack init` (git-ignored: each\n"
    "# machine has its own; delete it and any cc-pack command writes it again)\n"
)


class NoPython(Exception):
    """No usable Python 3.10+ interpreter; the message says which one was tried and why."""


def read(root: Path) -> dict[str, str]:
    try:
        lines = (root / PATH).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    pairs = (line.partition("=") for line in lines if not line.startswith("#"))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def render(values: dict[str, str]) -> str:
    return HEADER + "".join(f"{key}={value}\n" for key, value in sorted(values.items()))


def real_interpreter(candidate: str) -> tuple[str, bool]:
    """(absolute path of the interpreter ``candidate`` runs, whether ``candidate`` is a shim).

    A pyenv or asdf shim is a script that works out the version on every call (several
    interpreter starts' worth); the hooks must run the interpreter behind it directly."""
    found = shutil.which(candidate) or candidate
    if not os.path.isfile(found) or not os.access(found, os.X_OK):
        raise NoPython(f"{candidate}: no such executable")
    probe = subprocess.run(
        [found, "-S", "-c", "import sys; print(sys.executable, '%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    lines = probe.stdout.split()
    try:
        executable, version = lines[0], tuple(int(x) for x in lines[1].split("."))
    except (IndexError, ValueError):
        raise NoPython(f"{found} did not run as Python ({probe.stderr.strip()[:200]})") from None
    if version < (3, 10):
        raise NoPython(f"{found} is Python {'.'.join(map(str, version))}; the hooks need 3.10+")
    if not os.path.isabs(executable):
        executable = os.path.abspath(found)
    return executable, "/shims/" in found


def facts(hook_python: str) -> dict[str, str]:
    """What this machine records: the hooks' interpreter and the one that runs this CLI."""
    return {"hook_python": hook_python, "cli_python": sys.executable}


def ensure(root: Path) -> None:
    """Write the file when the pack is installed here and the file is missing (a teammate's fresh
    clone). Quiet: a failure leaves the launchers on their fallbacks (python3 on PATH)."""
    if (root / PATH).exists() or not (root / ".claude" / "hooks" / "cc-pack").is_dir():
        return
    try:
        hook_python, _ = real_interpreter("python3")
    except (NoPython, OSError, subprocess.SubprocessError):
        hook_python = sys.executable
    try:
        (root / PATH).parent.mkdir(parents=True, exist_ok=True)
        (root / PATH).write_text(render(facts(hook_python)), encoding="utf-8")
    except OSError:
        pass
