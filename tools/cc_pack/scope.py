"""The run's scope: the project-relative globs (``cc_pack_hooks.globs``, the scope guard's matcher)
naming the files the run may change, and the audit of what it did change."""

from __future__ import annotations

import os
from pathlib import Path

from cc_pack import gitchanges
from cc_pack.errors import CheckFailed
from cc_pack_hooks import globs

# Phases in which the scope may still change; afterwards only a new approval widens it.
OPEN_PHASES = ("research", "plan")


def can_change(state: dict) -> bool:
    return state["phase"] in OPEN_PHASES or (
        state["phase"] == "approval" and state["approval"]["status"] in ("none", "pending")
    )


def ensure_changeable(state: dict) -> None:
    if not can_change(state):
        raise CheckFailed(
            f"the scope is frozen: the plan was approved (phase {state['phase']}); "
            "widening it needs a new approval",
            "ask the human to type `/orchestrate reject <why the scope must grow>`: the run goes "
            "back to plan, where the scope can change and be approved again",
        )


def normalise(root: Path, path: str) -> str | None:
    """``path`` (absolute, or relative to the cwd) as a project-relative path with symlinks and
    ``..`` resolved; None when it lies outside the project."""
    full = Path(os.path.realpath(os.path.join(os.getcwd(), path)))
    try:
        rel = full.relative_to(root.resolve())
    except ValueError:
        return None
    return rel.as_posix() if str(rel) != "." else None


def inside(patterns: list[str], rel: str) -> bool:
    return globs.match_any(patterns, rel)


def open_violations(root: Path, state: dict, changes: list[str]) -> list[dict]:
    """Out-of-scope changes the hooks recorded that are still there. A violation is over once
    its file is back to its baseline state (no longer among the run's changes)."""
    pending = set(changes)
    still = []
    for violation in state["audit"]["violations"]:
        path = violation["path"]
        if os.path.isabs(path):
            rel = normalise(root, path)
            if rel is None:  # outside the project: git cannot see it, its existence decides
                if os.path.lexists(path):
                    still.append(violation)
                continue
            path = rel
        if path in pending:
            still.append(violation)
    return still


def audit(root: Path, state: dict) -> tuple[list[str], list[str], list[dict]]:
    """(the run's changed files, those outside the scope, open violations)."""
    changes = gitchanges.run_changes(
        root, state["audit"]["baseline"], state["audit"].get("base_commit")
    )
    outside = [p for p in changes if not inside(state["scope"]["patterns"], p)]
    return changes, outside, open_violations(root, state, changes)
