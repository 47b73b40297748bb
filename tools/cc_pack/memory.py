"""Project memory: what a run decided, kept in a committed Markdown file for the next run.

At PASS the run appends one dated entry (task, approved approach, the human's rejection
feedback verbatim, the risks its research settled) to ``memory.path`` (default
``.claude/memory/decisions.md``; ``memory: false`` turns it off). Entries cc-pack wrote carry a
marker line. Past ``memory.budget_tokens`` the oldest marked entries move to the archive file
beside it (``decisions.archive.md``): nothing is deleted, and text a person wrote is never moved.
``cc-pack validate`` warns when the file is still over the budget.
"""

from __future__ import annotations

import re
from pathlib import Path

from cc_pack import handoff
from cc_pack.state import Run
from cc_pack_hooks import store

MARK = "<!-- cc-pack run "
CHARS_PER_TOKEN = 4
HEADER = (
    "# Decisions\n\n"
    "What earlier cc-pack runs decided, newest last. Written at PASS; edit freely (entries "
    "without a `cc-pack run` marker are never moved).\n"
)
RISK_LINES = 5


def settings(config: dict) -> dict | None:
    memory = config.get("memory", {})
    if memory is False:
        return None
    memory = memory if isinstance(memory, dict) else {}
    return {
        "path": memory.get("path") or ".claude/memory/decisions.md",
        "budget_tokens": int(memory.get("budget_tokens") or 4000),
    }


def tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN


def _risks(run: Run) -> list[str]:
    try:
        text = run.path("research.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found, inside = [], False
    for line in text.splitlines():
        if line.startswith("#"):
            inside = line.lstrip("#").strip().lower() == "risks"
            continue
        if inside and line.strip().startswith(("-", "*")):
            found.append(line.strip().lstrip("-* ").strip())
    return found[:RISK_LINES]


def entry(run: Run) -> str:
    state = run.state
    day = (state.get("updated_at") or "")[:10]
    approval = state["approval"]
    lines = [
        f"{MARK}{state['run_id']} -->",
        f"## {day}: {' '.join(state['task'].split())}",
        "",
        f"- Approved by {approval.get('by')} at {approval.get('at')}; scope: "
        f"{', '.join(state['scope']['patterns'])}.",
        "- Approach:",
        *[f"  > {line}" for line in handoff.approach(run).splitlines()],
    ]
    for record in approval["history"]:
        if record.get("status") == "rejected":
            lines.append(f"- Rejected first, with the feedback: {record.get('feedback')!r}")
    risks = _risks(run)
    if risks:
        lines.append("- Risks settled:")
        lines += [f"  - {risk}" for risk in risks]
    lines.append(f"- Iterations: {state['iteration']}; report: {run.rel('report.md')}.")
    return "\n".join(lines) + "\n"


_ENTRY = re.compile(r"(?m)^(?=" + re.escape(MARK) + ")")


def append(run: Run) -> str | None:
    """Add the run's entry; returns the file (project-relative) or None when memory is off."""
    conf = settings(run.config)
    if conf is None:
        return None
    path = run.root / conf["path"]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = HEADER
    if f"{MARK}{run.run_id} -->" in text:
        return conf["path"]  # already recorded (an advance repeated after a crash)
    text = text.rstrip("\n") + "\n\n" + entry(run)
    text, moved = _trim(text, conf["budget_tokens"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if moved:
        archive = path.with_name(f"{path.stem}.archive{path.suffix}")
        before = archive.read_text(encoding="utf-8") if archive.exists() else ""
        store.write_atomic(str(archive), before + "".join(moved))
    store.write_atomic(str(path), text)
    return conf["path"]


def _trim(text: str, budget: int) -> tuple[str, list[str]]:
    """Move the oldest cc-pack entries out while the file is over the budget (never the newest,
    never text without a marker)."""
    parts = _ENTRY.split(text)
    head, entries = parts[0], parts[1:]
    moved = []
    while tokens(head + "".join(entries)) > budget and len(entries) > 1:
        moved.append(entries.pop(0))
    return head + "".join(entries), moved


def over_budget(project: Path, config: dict) -> tuple[str, int, int] | None:
    """(file, tokens, budget) when the memory file exceeds its budget, for ``cc-pack validate``."""
    conf = settings(config)
    if conf is None:
        return None
    try:
        text = (project / conf["path"]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    used = tokens(text)
    return (conf["path"], used, conf["budget_tokens"]) if used > conf["budget_tokens"] else None
