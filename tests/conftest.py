"""Fixtures and run-wide rules shared by the whole suite.

Two rules make the first test run an honest one:

- the pinned Claude Code binaries are fetched once, after collection and before the first test,
  whenever a selected test needs them (an e2e test, or a module that uses ``claudebin``): a test
  that ran before a later fixture installed them would otherwise skip;
- under CI (``CI`` set and not ``0``/``false``) a skipped test fails: a missing binary, bwrap or
  shell must break the build, not shrink it silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import claudebin
from realproc import git, run_cli


def _needs_claude(item: pytest.Item) -> bool:
    if item.get_closest_marker("e2e") is not None:
        return True
    module = getattr(item, "module", None)
    return module is not None and any(value is claudebin for value in vars(module).values())


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any(_needs_claude(item) for item in session.items):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for version in claudebin.VERSIONS:
        path = claudebin.binary_path(version)
        if os.access(path, os.X_OK):
            continue
        if reporter is not None:
            reporter.write_line(
                f"fetching Claude Code {version} into {path.parents[2]} "
                "(npm, once: both versions take about 600 MB)"
            )
        try:
            claudebin.ensure_binary(version)
        except claudebin.BinaryMissing as exc:
            # The tests that need it fail (CI) or skip with this reason (locally).
            if reporter is not None:
                reporter.write_line(f"Claude Code {version} unavailable: {exc}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and claudebin.in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {reason}"
    return report


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty git repository with one commit."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("demo\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo
