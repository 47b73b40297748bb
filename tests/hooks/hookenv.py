"""Helpers for the hook tests: a real project directory with a real run state, and the hook
entry files run as real processes (``realproc.run_hook``: stdin -> exit, stdout, stderr)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import realproc

REPO = realproc.REPO

RUFF = str(Path(sys.executable).parent / "ruff")
SCHEMA = json.loads((REPO / "skills" / "output-contract" / "findings.schema.json").read_text())
VALID_CONTRACT = {
    "reviewer": "security-reviewer",
    "summary": "one issue",
    "findings": [
        {"severity": "HIGH", "file": "src/a.py", "line": 3, "message": "m", "evidence": "e"},
    ],
}

SESSION = "sess-1"
SCOPE = ["src/**", "tests/test_app.py", "docs/*.md"]


def make_state(run_id: str = "r1", **overrides) -> dict:
    """A run state valid against tools/cc_pack/schemas/state.schema.json."""
    state = {
        "schema_version": 1,
        "rev": 1,
        "run_id": run_id,
        "task": "add a feature",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "session_id": SESSION,
        "phase": "implement",
        "status": "active",
        "iteration": 1,
        "max_iterations": 3,
        "auto_approve": False,
        "approval": {
            "status": "approved",
            "prompt_id": None,
            "at": None,
            "feedback": None,
            "by": "user",
            "history": [],
        },
        "scope": {"patterns": list(SCOPE)},
        "plan": None,
        "dispatch": None,
        "fix_list": [],
        "audit": {"baseline": {}, "violations": []},
        "contract_failures": {},
        "contract_retries": {},
        "stop_blocks": 0,
        "blockers": [],
        "config": {},
        "history": [],
    }
    for key, value in overrides.items():
        state[key] = value
    return state


class Project:
    def __init__(self, root: Path):
        self.root = root

    def start(self, **overrides) -> dict:
        state = make_state(**overrides)
        rdir = self.run_dir(state["run_id"])
        rdir.mkdir(parents=True, exist_ok=True)
        (rdir / "state.json").write_text(json.dumps(state))
        (self.root / ".claude" / "cc-pack" / "active.json").write_text(
            json.dumps({"run_id": state["run_id"]})
        )
        return state

    def run_dir(self, run_id: str = "r1") -> Path:
        return self.root / ".claude" / "cc-pack" / "runs" / run_id

    def state(self, run_id: str = "r1") -> dict:
        return json.loads((self.run_dir(run_id) / "state.json").read_text())

    def event(self, **fields) -> dict:
        base = {"session_id": SESSION, "cwd": str(self.root), "transcript_path": "/dev/null"}
        base.update(fields)
        return base


def run_hook(name: str, stdin: bytes | str | dict, env: dict | None = None, cwd=None):
    """The hook as Claude Code runs it; returns CompletedProcess (bytes)."""
    return realproc.run_hook(
        name, json.dumps(stdin) if isinstance(stdin, dict) else stdin, env, cwd
    )
