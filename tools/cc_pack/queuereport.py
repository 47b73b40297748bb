"""The queue's results: the table ``queue run`` and ``queue list`` print, and the combined report
(``queue/report.md``, ``.json``, ``.sarif``) that merges every task's run report, each finding
named with its task."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from cc_pack import taskqueue as tq
from cc_pack.state import now
from cc_pack_hooks import store

COLUMNS = ("task", "status", "iterations", "tokens", "cost", "report")


def row(task: dict) -> dict:
    result = task.get("result") or {}
    return {
        "id": task["id"],
        "task": task["task"],
        "status": task["status"],
        "run_status": result.get("status"),
        "iterations": result.get("iterations"),
        "tokens": result.get("tokens"),
        "cost_usd": result.get("cost_usd"),
        "report": result.get("report"),
        "reason": task.get("reason"),
        "wants": task.get("wants"),
        "attempts": len(task.get("attempts") or []),
        "scope": task.get("scope") or [],
        "branch": tq.branch(task["id"]) if task.get("run_id") else None,
    }


def _short(text: str, width: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(tasks: list[dict], root: Path) -> str:
    """A fixed-width table of the tasks (the report paths relative to the project)."""
    lines = [("id", *COLUMNS)]
    for task in tasks:
        info = row(task)
        report = info["report"] or "-"
        if report != "-":
            with contextlib.suppress(ValueError):
                report = str(Path(report).relative_to(root))
        lines.append(
            (
                info["id"],
                _short(info["task"]),
                info["status"],
                "-" if info["iterations"] is None else str(info["iterations"]),
                "-" if info["tokens"] is None else f"{info['tokens']:,}",
                "-" if info["cost_usd"] is None else f"${info['cost_usd']:.4f}",
                report,
            )
        )
    widths = [max(len(line[k]) for line in lines) for k in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
           for line in lines]  # fmt: skip
    for task in tasks:
        if task.get("reason"):
            out.append(f"{task['id']}: {task['reason']}")
    return "\n".join(out)


def build(root: Path) -> dict:
    tasks = tq.all_tasks(root)
    rows = [row(t) for t in tasks]
    counts = {status: 0 for status in tq.STATUSES}
    for item in rows:
        counts[item["status"]] += 1
    return {
        "generated_at": now(),
        "counts": counts,
        "tokens": sum(r["tokens"] or 0 for r in rows),
        "cost_usd": round(sum(r["cost_usd"] or 0 for r in rows), 6),
        "tasks": rows,
    }


def _task_report(item: dict, fmt: str) -> str | None:
    if not item["report"]:
        return None
    path = Path(item["report"]).with_suffix(f".{fmt}")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def to_markdown(combined: dict, root: Path) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in combined["counts"].items() if n)
    out = [
        "# cc-pack queue report",
        "",
        f"{len(combined['tasks'])} task(s): {counts or 'none'}; {combined['tokens']:,} tokens, "
        f"estimated ${combined['cost_usd']:.4f}.",
        "",
        "| id | task | status | iterations | tokens | cost | report |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in combined["tasks"]:
        cells = [
            item["id"],
            _short(item["task"], 60).replace("|", "\\|"),
            item["status"],
            "-" if item["iterations"] is None else str(item["iterations"]),
            "-" if item["tokens"] is None else f"{item['tokens']:,}",
            "-" if item["cost_usd"] is None else f"${item['cost_usd']:.4f}",
            f"`{item['report']}`" if item["report"] else "-",
        ]
        out.append("| " + " | ".join(cells) + " |")
    for item in combined["tasks"]:
        if item["reason"]:
            out += ["", f"**{item['id']}**: {item['reason']}"]
        text = _task_report(item, "md")
        if text:
            body = [f"#{line}" if line.startswith("#") else line for line in text.splitlines()]
            out += ["", f"## Task {item['id']}", "", *body]
    return "\n".join(out).rstrip() + "\n"


def to_sarif(combined: dict) -> str:
    """One SARIF log, one run per task report; each result carries the task's id."""
    from cc_pack import report as reports

    runs = []
    for item in combined["tasks"]:
        text = _task_report(item, "sarif")
        if not text:
            continue
        for run in json.loads(text).get("runs", []):
            run["automationDetails"] = {"id": f"cc-pack/queue/{item['id']}/"}
            run.setdefault("properties", {}).update(task_id=item["id"], queue_status=item["status"])
            for result in run.get("results", []):
                result.setdefault("properties", {})["task"] = item["id"]
                result["message"]["text"] = f"[{item['id']}] {result['message']['text']}"
            runs.append(run)
    return json.dumps({"$schema": reports.SARIF_SCHEMA, "version": "2.1.0", "runs": runs},
                      indent=2) + "\n"  # fmt: skip


def write_all(root: Path) -> dict[str, Path]:
    combined = build(root)
    base = tq.qdir(root)
    written = {
        "md": base / "report.md",
        "json": base / "report.json",
        "sarif": base / "report.sarif",
    }
    store.write_atomic(str(written["md"]), to_markdown(combined, root))
    store.write_atomic(str(written["json"]), json.dumps(combined, indent=2) + "\n")
    store.write_atomic(str(written["sarif"]), to_sarif(combined))
    return written
