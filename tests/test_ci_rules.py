"""The suite's run-wide rules (tests/conftest.py), on a small suite of their own run by pytest as
a process: under CI a skip is a failure; the pinned binaries are fetched after collection, before
the first test that needs one, and the cache setting is followed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CONFTEST = f"""
import importlib.util, sys
sys.path.insert(0, {str(TESTS)!r})
spec = importlib.util.spec_from_file_location("suite_conftest", {str(TESTS / "conftest.py")!r})
suite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite)
pytest_collection_finish = suite.pytest_collection_finish
pytest_runtest_makereport = suite.pytest_runtest_makereport
"""

SKIPS = """
import pytest

def test_needs_bwrap():
    pytest.skip("bwrap not installed")

def test_plain():
    pass
"""

USES_BINARY = """
import os
import claudebin

def test_binary_is_there_before_the_test():
    path = claudebin.binary_path("{version}")
    assert os.access(path, os.X_OK), path
"""


def run_suite(tmp_path: Path, files: dict[str, str], env: dict) -> subprocess.CompletedProcess:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    for name, text in files.items():
        (suite / name).write_text(text)
    full = {k: v for k, v in os.environ.items() if k not in ("CI", "CC_PACK_CLAUDE_CACHE")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(suite)],
        cwd=suite,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_skip_fails(tmp_path: Path, ci: str):
    done = run_suite(tmp_path, {"test_s.py": SKIPS}, {"CI": ci})
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed" in done.stdout, done.stdout
    assert "skipped under CI, which must run every test: bwrap not installed" in done.stdout


@pytest.mark.parametrize("ci", [None, "false", "0"])
def test_outside_ci_a_skip_stays_a_skip(tmp_path: Path, ci: str | None):
    done = run_suite(tmp_path, {"test_s.py": SKIPS}, {} if ci is None else {"CI": ci})
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped" in done.stdout, done.stdout


def test_the_binaries_come_from_the_cache_setting_and_are_there_before_a_test(tmp_path: Path):
    """A cache dir holding a stand-in binary: found there (no npm call), before the test."""
    import claudebin

    cache = tmp_path / "cache"
    for version in claudebin.VERSIONS:
        binary = cache / version / "node_modules" / ".bin" / "claude"
        binary.parent.mkdir(parents=True)
        binary.write_text("#!/bin/sh\necho stand-in\n")
        binary.chmod(0o755)
    files = {"test_b.py": USES_BINARY.format(version=claudebin.VERSIONS[0])}
    done = run_suite(tmp_path, files, {"CI": "true", "CC_PACK_CLAUDE_CACHE": str(cache)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fetching" not in done.stdout


def test_a_binary_that_cannot_be_fetched_fails_under_ci(tmp_path: Path):
    """The cache setting points where nothing can be installed: the fetch step says why, and the
    test that needs the binary fails instead of skipping."""
    import claudebin

    files = {
        "test_b.py": USES_BINARY.format(version=claudebin.VERSIONS[0])
        + "\n\nimport pytest\n\n@pytest.fixture(autouse=True)\ndef need():\n"
        + "    if not os.access(claudebin.binary_path('2.1.197'), os.X_OK):\n"
        + "        pytest.skip('claude binary not found')\n"
    }
    done = run_suite(tmp_path, files, {"CI": "true", "CC_PACK_CLAUDE_CACHE": "/dev/null/cache"})
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
    assert "fetching Claude Code 2.1.197 into /dev/null/cache/2.1.197" in done.stdout
    assert "unavailable" in done.stdout
    assert "skipped under CI, which must run every test: claude binary not found" in done.stdout
