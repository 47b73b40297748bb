"""The pinned Claude Code binaries the tests drive, in one place: the versions, where they live
(``$CC_PACK_CLAUDE_CACHE``, default ``~/.cache/cc-pack/claude-code``, the cache ``.ci/run``
fills), and installing a missing one with npm.

The e2e harness (``tests/e2e/runner.py``), the validator's oracle test and the benchmarks all
take their paths from here, and ``tests/conftest.py`` fetches the binaries once, before the first
test that needs one runs (a test that found its binary missing would otherwise skip while a later
one installs it)."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

VERSIONS = ("2.1.197", "2.1.330")
NPM_TIMEOUT = 600.0
DEFAULT_CACHE = "~/.cache/cc-pack/claude-code"


def in_ci() -> bool:
    """``CI`` is set (and not 0/false): every test must run, none may skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def cache_dir() -> Path:
    return Path(os.environ.get("CC_PACK_CLAUDE_CACHE") or DEFAULT_CACHE).expanduser()


def binary_path(version: str) -> Path:
    return cache_dir() / version / "node_modules" / ".bin" / "claude"


class BinaryMissing(Exception):
    """The pinned binary is not installed and could not be installed."""


def ensure_binary(version: str) -> Path:
    """The binary for ``version``, installing it with npm when missing (under a file lock, so
    that parallel test workers do not race)."""
    path = binary_path(version)
    if os.access(path, os.X_OK):
        return path
    cache = cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        lock = os.open(cache / f".{version}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BinaryMissing(f"{path} is missing and {cache} is not writable: {exc}") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.access(path, os.X_OK):  # another worker installed it while we waited
            return path
        argv = [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(cache / version),
            f"@anthropic-ai/claude-code@{version}",
        ]
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BinaryMissing(f"{path} is missing; `{' '.join(argv)}` failed: {exc}") from None
        if done.returncode != 0 or not os.access(path, os.X_OK):
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise BinaryMissing(
                f"{path} is missing; `{' '.join(argv)}` exited {done.returncode}: "
                + " | ".join(tail)
            )
        return path
    finally:
        os.close(lock)
