"""``cc-pack run watch``: the run, live, in the terminal.

One frame: the run (task, phase, iteration, elapsed), each step (status, owners, where it works,
``git diff --stat`` of its files there), the waves, and the last hook decision of each agent from
the decision log (``log: true`` in the config writes it). In a terminal the frame is redrawn every
``--interval`` seconds (click's ``clear``, already a dependency: the frame is a few dozen lines
and needs no layout engine, so no terminal library is added); ``--once`` or a pipe prints one
plain frame.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from cc_pack import state as runstate
from cc_pack import worktrees
from cc_pack.errors import RunStateError
from cc_pack_hooks import gitview

LOG_TAIL = 256 * 1024


def _elapsed(since: str | None) -> str:
    if not since:
        return "?"
    start = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seconds = int((datetime.now(UTC) - start).total_seconds())
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


def _diffstat(root: Path, step: dict, base: str | None) -> str:
    tree = step.get("tree")
    try:
        if tree and (root / tree).is_dir():
            out = worktrees.git(root / tree, "diff", "--shortstat", "HEAD", "--", *step["files"])
        else:
            args = ["diff", "--shortstat", *([base] if base else []), "--", *step["files"]]
            out = gitview.git(str(root), *args).decode()
    except (worktrees.GitFailed, gitview.GitError, OSError):
        return "(git unavailable)"
    return out.strip() or "no change"


def last_decisions(root: Path, since: float) -> dict[str, dict]:
    """agent id (or "main") -> the last decision a hook logged for it since ``since``."""
    path = root / ".claude" / "cc-pack" / "decisions.jsonl"
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - LOG_TAIL))
            lines = fh.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return {}
    found: dict[str, dict] = {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and float(record.get("ts") or 0) >= since:
            found[record.get("agent_id") or "main"] = record
    return found


def frame(root: Path) -> str:
    try:
        run = runstate.load_active(root)
    except RunStateError as exc:
        return f"cc-pack: {exc.message}"
    state = run.state
    lines = [
        f"run {state['run_id']} · {state['status']} · phase {state['phase']} · iteration "
        f"{state['iteration']}/{state['max_iterations']} · {_elapsed(state.get('created_at'))}",
        f"task: {state['task']}",
        "",
    ]
    base = state["audit"].get("base_commit")
    steps = state.get("steps") or []
    if steps:
        lines.append("steps:")
    for step in steps:
        where = step.get("tree") or "main tree"
        owners = ", ".join(step.get("owners") or []) or "-"
        lines.append(
            f"  {step['id']:<4} {step['status']:<8} owners {owners:<22} {where}: "
            f"{_diffstat(root, step, base)}"
        )
    for wave in state.get("waves") or []:
        kind = "parallel" if wave["parallel"] else "alone"
        lines.append(
            f"wave {wave['n']} ({kind}: {', '.join(wave['steps'])}): {wave['status']}"
            + (f", held back {', '.join(h['step'] for h in wave['held'])}" if wave["held"] else "")
        )
    started = datetime.strptime(state["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    decisions = last_decisions(root, started.replace(tzinfo=UTC).timestamp())
    lines.append("")
    if not (root / ".claude" / "cc-pack" / "decisions.jsonl").exists():
        lines.append("last hook decisions: off (`log: true` in .claude/cc-pack.yaml writes them)")
    elif not decisions:
        lines.append("last hook decisions: none yet")
    else:
        lines.append("last hook decisions:")
        for agent, record in sorted(decisions.items()):
            when = time.strftime("%H:%M:%S", time.localtime(record.get("ts") or 0))
            what = record.get("tool_name") or record.get("event")
            text = (record.get("message") or "").split("\n")[0][:80]
            lines.append(f"  {agent:<20} {when} {record.get('hook')} {what}: "
                         f"{record.get('decision')} {text}".rstrip())  # fmt: skip
    return "\n".join(lines)


def loop(root: Path, *, once: bool, interval: float) -> None:
    if once:
        click.echo(frame(root))
        return
    try:
        while True:
            text = frame(root)
            click.clear()
            click.echo(text)
            click.echo(f"\n(every {interval:g} s; Ctrl-C stops)")
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
