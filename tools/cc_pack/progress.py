"""The no-progress stop: a fix loop whose blockers come back unchanged on unchanged files ends
the run early instead of spending the remaining iterations.

Two blockers are the same when they point at the same file, at overlapping line ranges (within
``SLACK`` lines), and share the rule id or the normalised message. A blocker without a file (the
failing test command) points at every file of the plan's steps. Each loop back to implement
records its blockers and the signatures of the files they point at (``state.iterations``); the
next loop compares.
"""

from __future__ import annotations

from cc_pack import findings
from cc_pack_hooks import paths

SLACK = 3


def _span(blocker: dict) -> tuple[int, int] | None:
    line = blocker.get("line")
    if not isinstance(line, int):
        return None
    end = blocker.get("end_line")
    return line, end if isinstance(end, int) and end >= line else line


def same(a: dict, b: dict) -> bool:
    if a.get("file") != b.get("file") or a.get("source") != b.get("source"):
        return False
    sa, sb = _span(a), _span(b)
    if (sa is None) != (sb is None):
        return False
    if sa and sb and (sa[0] > sb[1] + SLACK or sb[0] > sa[1] + SLACK):
        return False
    if a.get("rule_id") and a.get("rule_id") == b.get("rule_id"):
        return True
    return findings.normalise(a.get("message") or "") == findings.normalise(b.get("message") or "")


def compact(blocker: dict) -> dict:
    keep = ("severity", "source", "file", "line", "end_line", "rule_id", "message")
    return {k: blocker[k] for k in keep if blocker.get(k) is not None}


def pointed_at(state: dict, blockers: list[dict]) -> list[str]:
    files: dict[str, None] = {}
    for blocker in blockers:
        if blocker.get("file"):
            files.setdefault(blocker["file"], None)
        else:
            for step in state.get("steps") or []:
                for path in step.get("files") or []:
                    files.setdefault(path, None)
    return sorted(files)


def snapshot(root: str, state: dict, blockers: list[dict]) -> dict:
    """What ``state.iterations`` keeps for this loop."""
    return {
        "iteration": state["iteration"],
        "blockers": [compact(b) for b in blockers],
        "files": {f: paths.signature(f"{root}/{f}") for f in pointed_at(state, blockers)},
    }


def stalled(root: str, state: dict, blockers: list[dict]) -> dict | None:
    """The previous iteration's record when this one repeats it exactly (same blockers, their
    files untouched since), else None."""
    previous = next(
        (
            r
            for r in reversed(state.get("iterations") or [])
            if isinstance(r, dict) and r.get("iteration") == state["iteration"] - 1
        ),
        None,
    )
    if previous is None or not blockers:
        return None
    before = previous.get("blockers") or []
    if len(before) != len(blockers):
        return None
    if not all(any(same(b, p) for p in before) for b in blockers) or not all(
        any(same(p, b) for b in blockers) for p in before
    ):
        return None
    recorded = previous.get("files") or {}
    if set(recorded) != set(pointed_at(state, blockers)):
        return None
    if any(paths.signature(f"{root}/{f}") != sig for f, sig in recorded.items()):
        return None
    return previous
