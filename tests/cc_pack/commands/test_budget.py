"""Budgets and the running total through the real CLI: `run start --budget N`, the running total
in `run status`, the warning once at warn_at, the spawn gate's refusal past the limit and the
next `run advance` ending the run FAIL (reason budget) with the partial report."""

from __future__ import annotations

import json
import time
from pathlib import Path

from realproc import run_hook
from runproject import Project


def stamp(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))


def spend(transcript: Path, mid: str, tokens: int) -> None:
    """One API response of ``tokens`` input tokens, as Claude Code writes it (a later second)."""
    record = {"type": "assistant", "timestamp": stamp(time.time() + 1),
              "message": {"id": mid, "model": "claude-opus-4-8", "role": "assistant",
                          "usage": {"input_tokens": tokens, "output_tokens": 0}}}  # fmt: skip
    with transcript.open("a") as fh:
        fh.write(json.dumps(record) + "\n")


def test_budget_warns_once_then_denies_agents_and_fails_the_run(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    home = tmp_path / "home"
    transcript = home / ".claude" / "projects" / "slug" / "s-1.jsonl"
    transcript.parent.mkdir(parents=True)
    transcript.write_text("")
    env = {"HOME": str(home), "CLAUDE_CODE_SESSION_ID": "s-1"}
    started = proj.ok("run", "start", "t", "--budget", "1000", env=env)
    assert "budget: 1000 run tokens, no per agent (warning at 80%)" in started.stderr
    assert proj.state()["config"]["budget"]["run_tokens"] == 1000

    spend(transcript, "m1", 850)
    status = proj.ok("run", "status", env={"HOME": str(home)}).stdout
    assert "usage: 850 tokens (input 850, output 0" in status
    assert "budget: 850 of 1,000 run tokens (85%)" in status
    first = proj.cc("run", "advance", env={"HOME": str(home)})  # research not recorded: refused
    assert first.returncode == 1
    assert "cc-pack budget: this run has used 850 of 1,000 run tokens" in first.stderr
    again = proj.cc("run", "advance", env={"HOME": str(home)})
    assert "cc-pack budget" not in again.stderr  # told once
    assert proj.state()["usage"]["warned"] is True

    spend(transcript, "m2", 200)
    spawn = {"description": "d", "prompt": "p", "subagent_type": "researcher"}
    event = {
        **{"session_id": "s-1", "cwd": str(proj.root), "transcript_path": str(transcript)},
        **{"hook_event_name": "PreToolUse", "tool_name": "Agent", "tool_input": spawn},
    }
    denied = run_hook("spawn_gate", json.dumps(event), env={"HOME": str(home)})
    out = json.loads(denied.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert (
        "token budget is spent (1,050 of 1,000 run tokens (105%))"
        in out["permissionDecisionReason"]
    )

    ended = proj.cc("run", "advance", env={"HOME": str(home)})
    assert ended.returncode == 1, ended.stderr  # a run that ends FAIL exits 1, as at the cap
    assert "token budget spent: 1,050 of 1,000 run tokens" in ended.stdout
    state = proj.state()
    assert (state["phase"], state["status"]) == ("report", "FAIL")
    [failure] = state["failures"]
    assert (failure["class"], failure["used"], failure["run_tokens"]) == ("budget", 1050, 1000)
    report = json.loads((proj.rdir / "report.json").read_text())
    assert report["status"] == "FAIL"
    assert report["usage"]["total"]["tokens"] == 1050
    assert report["usage"]["by_phase"] == {"research": {"input": 1050, "output": 0,
        "cache_read": 0, "cache_write": 0, "tokens": 1050}}  # fmt: skip
    assert report["usage"]["cost"]["usd"] == 1050 * 5.0 / 1e6
    assert report["usage"]["budget"]["exhausted"] is True
    md = (proj.rdir / "report.md").read_text()
    assert "token budget spent: 1,050 of 1,000 run tokens" in md
    assert "## Usage" in md
