"""The real ``claude plugin validate --strict`` (Claude Code 2.1.197) on each reference C.6 plugin:
its verdict still matches the one recorded in expected.txt, and wherever it reports an error
(a ✘ line) about a file Claude Code does not load as written, cc-pack validate reports an error
too. Where the recorded runtime consequence is "none" the 2.1.197 validator is stricter than the
loader (it skips the loader's quoting retry): cc-pack reports a warning there, not an error."""

from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import claudebin
from validate_cases import C6, expected, findings

DEFAULT_BIN = claudebin.binary_path("2.1.197")  # follows $CC_PACK_CLAUDE_CACHE
CASES = sorted(p for p in C6.iterdir() if p.is_dir())


def claude_bin() -> Path | None:
    path = Path(os.environ.get("CC_PACK_CLAUDE_BIN") or DEFAULT_BIN)
    return path if path.is_file() and os.access(path, os.X_OK) else None


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """case name -> (exit code, output) of the real validator; four cases at a time (each
    run is mostly start-up, ~0.6 s alone)."""
    binary = claude_bin()
    if binary is None:
        message = f"claude binary not found (CC_PACK_CLAUDE_BIN or {DEFAULT_BIN})"
        if claudebin.in_ci():
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("claude-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE", "ANTHROPIC"))}
    env.update(
        HOME=str(home),
        DISABLE_AUTOUPDATER="1",
        DISABLE_TELEMETRY="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
    )

    def one(case: Path):
        done = subprocess.run(
            [str(binary), "plugin", "validate", "--strict", str(case)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        return case.name, (done.returncode, done.stdout + done.stderr)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        result = dict(pool.map(one, CASES))
    print(f"claude plugin validate x{len(CASES)}: {time.monotonic() - started:.1f}s")
    return result


def claude_verdict(rc: int, output: str) -> str:
    if "✘ Found" in output:  # "✘ Found N error(s):"; warnings print "⚠ Found"
        return "error"
    if rc != 0:
        return "warning"  # only warnings, failed by --strict
    return "pass"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_claude_agrees_with_the_recorded_verdict(case, verdicts):
    rc, output = verdicts[case.name]
    assert claude_verdict(rc, output) == expected(case)[0]["claude"], output


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cc_pack_reports_an_error_wherever_claude_does(case, verdicts):
    rc, output = verdicts[case.name]
    ours = findings(case)
    if claude_verdict(rc, output) == "error":
        if expected(case)[0]["runtime"].startswith("none"):
            assert ours and not any(f.severity == "error" for f in ours), output
        else:
            assert any(f.severity == "error" for f in ours), output
    if case.name.startswith("00-"):
        assert rc == 0 and ours == []
