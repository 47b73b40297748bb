"""Run state for guard scenarios that start mid-run (implement, review, …) without driving the
whole orchestration first.

``write_run`` writes ``.claude/cc-pack/active.json`` and ``runs/<id>/state.json`` exactly as the
CLI would, and validates the state against ``tools/cc_pack/schemas/state.schema.json`` before
writing, so a fixture can never drift from the contract the hooks read. The whole-run scenarios
use the real ``cc-pack run …`` commands instead.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import jsonschema

from cc_pack import pack
from cc_pack.config import Config, compile_config

RUN_ID = "e2e-run"
CHECK = f"{sys.executable} -c pass"  # a step validation that passes, inside the sandbox too
STAMP = "2026-11-22T00:00:00Z"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((pack.schemas_dir() / "state.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def state(
    *,
    phase: str,
    scope: list[str] | None = None,
    approved: bool | None = None,
    reviewers: list[str] | None = None,
    iteration: int = 1,
    max_iterations: int = 3,
    config: dict | None = None,
    sandbox: bool = False,
    **overrides,
) -> dict:
    """A schema-valid state.json dict. ``approved`` defaults to True from implement on;
    ``sandbox``: the run confines Bash with bubblewrap, as `run start` records on a machine
    that has it and a wired session."""
    if approved is None:
        approved = phase in ("implement", "review", "verify", "report")
    doc = {
        "schema_version": 1,
        "rev": 1,
        "run_id": RUN_ID,
        "task": "e2e scenario task",
        "created_at": STAMP,
        "updated_at": STAMP,
        "session_id": None,
        "phase": phase,
        "status": "active",
        "iteration": iteration,
        "max_iterations": max_iterations,
        "auto_approve": False,
        "approval": {
            "status": "approved" if approved else ("pending" if phase == "approval" else "none"),
            "prompt_id": "prompt-e2e" if approved else None,
            "at": STAMP if approved else None,
            "feedback": None,
            "by": "user" if approved else None,
            "scope": list(scope or []) if approved else [],
            "history": [],
        },
        "scope": {"patterns": list(scope or [])},
        "plan": None,
        "dispatch": {"iteration": iteration, "reviewers": reviewers} if reviewers else None,
        "fix_list": [],
        "audit": {"baseline": {}, "violations": []},
        "contract_failures": {},
        "contract_retries": {},
        "stop_blocks": 0,
        "blockers": [],
        "config": config if config is not None else compile_config(Config()),
        "history": [{"at": STAMP, "event": "start"}],
    }
    if sandbox:
        doc["sandbox"] = {"kind": "bwrap", "mode": "auto", "reason": None}
    doc.update(overrides)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "fixture state violates the schema: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors
    )
    return doc


def write_run(project: Path, **kwargs) -> Path:
    """Make a run active in ``project``; returns its state.json path."""
    doc = state(**kwargs)
    root = project / ".claude" / "cc-pack"
    rdir = root / "runs" / doc["run_id"]
    rdir.mkdir(parents=True, exist_ok=True)
    (rdir / "state.json").write_text(json.dumps(doc, indent=2) + "\n")
    (root / "active.json").write_text(json.dumps({"run_id": doc["run_id"]}) + "\n")
    return rdir / "state.json"


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def plan_step(sid: str, *files: str) -> dict:
    """A parallel plan step as the plan gate records it, validated by ``CHECK``."""
    return {
        "id": sid,
        "title": f"write {files[0]}",
        "files": list(files),
        "depends_on": [],
        "parallel": True,
        "changes": "files",
        "status": "pending",
        "owners": [],
        "context_tokens": 2100,
        "validation": {"command": CHECK, "exit_code": None, "log": None, "at": None},
        "note": None,
    }


def return_packet(sid: str, path: str) -> str:
    """An implementer's honest return packet for step ``sid`` that changed ``path``."""
    return json.dumps(
        {
            "status": "done",
            "steps": [sid],
            "changed_files": [path],
            "validation": [{"step": sid, "command": CHECK, "exit_code": 0}],
        }
    )
