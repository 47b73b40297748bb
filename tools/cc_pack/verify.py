"""The verify phase: the project's test command, run as an argv (never through a shell), its
output kept in the run's ``verify.log``."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cc_pack.confine import read_only_note
from cc_pack.errors import CheckFailed
from cc_pack_hooks.sandbox import Confined

TIMEOUT_ENV = "CC_PACK_VERIFY_TIMEOUT"
DEFAULT_TIMEOUT = 1800.0
TAIL_LINES = 40


@dataclass
class Outcome:
    argv: list[str]
    exit_code: int | None  # None: timed out
    seconds: float
    tail: str

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def _has_pytest_config(root: Path) -> bool:
    markers = {
        "pytest.ini": "",
        "pyproject.toml": "[tool.pytest",
        "setup.cfg": "[tool:pytest]",
        "tox.ini": "[pytest]",
    }
    for name, section in markers.items():
        path = root / name
        if path.is_file() and section in path.read_text(encoding="utf-8", errors="replace"):
            return True
    return (root / "conftest.py").is_file()


def detect(root: Path) -> list[str] | None:
    """The test command of a pytest project, or None. A uv project (``uv.lock``) runs its tests
    in its own environment, which a bare ``python`` on PATH does not have."""
    if not ((root / "tests").is_dir() or _has_pytest_config(root)):
        return None
    if (root / "uv.lock").is_file():
        return ["uv", "run", "pytest", "-q"]
    python = "python" if shutil.which("python") else "python3"
    return [python, "-m", "pytest", "-q"]


def command(root: Path, configured: str | None) -> list[str]:
    if configured:
        argv = shlex.split(configured)
        if not argv:
            raise CheckFailed("test_command is empty", "set test_command in .claude/cc-pack.yaml")
        return argv
    detected = detect(root)
    if detected is not None:
        return detected
    raise CheckFailed(
        "no test command: test_command is not set and no pytest project was found",
        "set test_command in .claude/cc-pack.yaml (e.g. `test_command: npm test`); "
        "the config snapshot is taken at `run start`, so start a new run afterwards",
    )


def timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def run(root: Path, argv: list[str], log: Path, confined: Confined | None = None) -> Outcome:
    """Run the tests with output streamed into ``log`` (a crash leaves what was written);
    ``confined``: inside the run's sandbox (the code the implementers wrote runs there)."""
    limit = timeout()
    started = time.monotonic()
    if confined is not None and shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        raise CheckFailed(
            f"the test command {argv[0]!r} is not installed or not on PATH",
            "install it or set test_command in .claude/cc-pack.yaml",
        )
    with open(log, "wb") as out:
        out.write(f"$ {shlex.join(argv)}\n".encode())
        if confined is not None:
            out.write(b"(inside the run's sandbox)\n")
        out.flush()
        try:
            done = subprocess.run(
                confined.argv if confined is not None else argv,
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=limit,
                check=False,
            )
            code: int | None = done.returncode
        except FileNotFoundError:
            raise CheckFailed(
                f"the test command {argv[0]!r} is not installed or not on PATH",
                "install it or set test_command in .claude/cc-pack.yaml",
            ) from None
        except subprocess.TimeoutExpired:
            code = None
            out.write(f"\ncc-pack: timed out after {limit:g}s ({TIMEOUT_ENV})\n".encode())
        if confined is not None:
            notes = confined.finish()
            out.flush()
            text = log.read_text(encoding="utf-8", errors="replace")
            hint = read_only_note(text) if code != 0 else None
            for line in [*notes, *([hint] if hint else [])]:
                out.write(f"cc-pack sandbox: {line}\n".encode())
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return Outcome(argv, code, time.monotonic() - started, "\n".join(lines[-TAIL_LINES:]))
