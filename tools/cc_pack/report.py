"""The run report in three forms from one model: ``report.json`` for machines, ``report.sarif``
(SARIF 2.1.0) for code-scanning tools, ``report.md`` for the human."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from cc_pack import __version__, costs, findings
from cc_pack.state import Run, now
from cc_pack_hooks import store, usage

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
DEFAULT_RULE = "cc-pack/review"
ARTIFACTS = (
    "research.md",
    "plan.md",
    "plan.json",
    "verify.log",
    "report.md",
    "report.json",
    "report.sarif",
)
FORMATS = ("md", "json", "sarif")


def build(run: Run) -> dict:
    state = run.state
    aggregated = findings.aggregate(
        findings.for_iteration(findings.load_records(run.rdir), state["iteration"]),
        state["iteration"],
    )
    verify = next((e for e in reversed(state["history"]) if e["event"] == "verify"), None)
    final = store.is_final(state)
    artifacts = {
        name: run.rel(name)
        for name in ARTIFACTS
        if run.path(name).exists() or (final and name.startswith("report."))
    }
    return {
        "status": state["status"],
        "task": state["task"],
        "run_id": state["run_id"],
        "phase": state["phase"],
        "iterations": state["iteration"],
        "max_iterations": state["max_iterations"],
        "counts": aggregated["counts"],
        "findings": aggregated["findings"],
        "reviewers": aggregated["reviewers"],
        "blockers": state["blockers"],
        "steps": [
            {k: step.get(k) for k in ("id", "title", "status", "owners", "validation", "note")}
            for step in state.get("steps") or []
        ],
        "failures": state.get("failures") or [],
        "waves": wave_costs(state),
        "verify": None
        if verify is None
        else {k: verify.get(k) for k in ("command", "exit_code", "seconds", "log")},
        "scope": state["scope"]["patterns"],
        "approval": {k: state["approval"].get(k) for k in ("status", "by", "at", "envelope")},
        "usage": costs.section(state),
        "artifacts": artifacts,
        "generated_at": now(),
    }


def _seconds(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()


def wave_costs(state: dict) -> list[dict]:
    """Per wave: its wall time against its steps' implementer times added up (what the same
    steps would have taken one after the other), and the tokens its implementers used, so the
    human can judge whether running them in parallel paid off."""
    owners = state.get("owners") or {}
    # the tally's agent is the id of the subagent transcript, the hooks' agent_id
    spent = usage.by(state, "agent") if state.get("usage") else {}
    out = []
    for wave in state.get("waves") or []:
        wall = _seconds(wave.get("started_at"), wave.get("ended_at"))
        mine = [
            (agent, o)
            for agent, o in owners.items()
            if isinstance(o, dict) and set(o.get("steps") or []) & set(wave["steps"])
        ]
        spans = [_seconds(o.get("at"), o.get("returned_at")) for _, o in mine]
        sequential = sum(x for x in spans if x is not None) if spans else None
        counted = [spent[agent]["tokens"] for agent, _ in mine if agent in spent]
        tokens = sum(counted) if counted else None
        kind = "in parallel" if wave["parallel"] else "alone"
        summary = f"{', '.join(wave['steps'])} {kind}, {wave['status']}"
        if wall is not None:
            summary += f", {wall:.0f} s wall"
        if sequential is not None and wave["parallel"]:
            summary += f" against {sequential:.0f} s for its steps one after the other"
        if tokens is not None:
            summary += f", {tokens:,} tokens"
        out.append({"n": wave["n"], "steps": wave["steps"], "parallel": wave["parallel"],
                    "status": wave["status"], "wall_seconds": wall,
                    "sequential_seconds": sequential, "tokens": tokens,
                    "summary": summary})  # fmt: skip
    return out


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2) + "\n"


def to_sarif(report: dict) -> str:
    rules: dict[str, dict] = {}
    results = []
    for item in report["findings"]:
        rule = item.get("rule_id") or DEFAULT_RULE
        rules.setdefault(
            rule,
            {
                "id": rule,
                "shortDescription": {"text": "reviewer finding" if rule == DEFAULT_RULE else rule},
            },
        )
        region = {
            "startLine": item["line"],
            "endLine": max(item.get("end_line", item["line"]), item["line"]),
        }
        properties = {
            "severity": item["severity"],
            "reviewers": item["reviewers"],
            "evidence": item["evidence"],
        }
        if item.get("suggested_fix"):
            properties["suggestedFix"] = item["suggested_fix"]
        results.append(
            {
                "ruleId": rule,
                "level": SARIF_LEVELS[item["severity"]],
                "message": {"text": item["message"]},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": quote(item["file"]),
                                "uriBaseId": "%SRCROOT%",
                            },
                            "region": region,
                        }
                    }
                ],
                "properties": properties,
            }
        )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cc-pack",
                        "version": __version__,
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"cc-pack/{report['run_id']}"},
                "results": results,
                "properties": {
                    "status": report["status"],
                    "task": report["task"],
                    "iterations": report["iterations"],
                    "counts": report["counts"],
                },
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(report: dict) -> str:
    counts = report["counts"]
    out = [
        f"# cc-pack report: {report['status']}",
        "",
        f"**Task:** {report['task']}",
        "",
        f"Run `{report['run_id']}`: status **{report['status']}**, phase {report['phase']}, "
        f"iteration {report['iterations']} of {report['max_iterations']}.",
        "",
        "| CRITICAL | HIGH | MEDIUM | LOW |",
        "|---|---|---|---|",
        "| " + " | ".join(str(counts[s]) for s in findings.SEVERITIES) + " |",
        "",
    ]
    verify = report.get("verify")
    if verify:
        result = "timed out" if verify["exit_code"] is None else f"exit {verify['exit_code']}"
        out += [f"Tests: `{verify['command']}` → {result} (log: `{verify['log']}`).", ""]
    out += ["## Findings", ""]
    if report["findings"]:
        out += ["| severity | location | message | reviewers |", "|---|---|---|---|"]
        for item in report["findings"]:
            where = f"{item['file']}:{item['line']}"
            out.append(
                f"| {item['severity']} | `{_cell(where)}` | {_cell(item['message'])} | "
                f"{_cell(', '.join(item['reviewers']))} |"
            )
    else:
        out.append("No findings.")
    out.append("")
    serious = [f for f in report["findings"] if f["severity"] in findings.BLOCKING]
    if serious:
        out += ["## Evidence (CRITICAL and HIGH)", ""]
        for item in serious:
            out += [
                f"### {item['severity']} `{item['file']}:{item['line']}`: {item['message']}",
                "",
                _quote(item["evidence"]),
                "",
            ]
            if item.get("suggested_fix"):
                out += [f"Suggested fix: {item['suggested_fix']}", ""]
    if report["blockers"]:
        out += ["## Blockers", ""]
        for item in report["blockers"]:
            where = f"`{item['file']}:{item['line']}` " if item.get("file") else ""
            out += [
                f"- **{item.get('severity', 'HIGH')}** {where}{item.get('message', '')}",
                "",
                _quote(item.get("evidence", "")),
                "",
            ]
    if report.get("steps"):
        out += ["## Steps", "", "| step | status | validation | log |", "|---|---|---|---|"]
        for step in report["steps"]:
            check = step.get("validation") or {}
            code = check.get("exit_code")
            result = "not run" if check.get("at") is None else (
                "timed out" if code is None else f"exit {code}")  # fmt: skip
            out.append(
                f"| {_cell(step['id'])} {_cell(step.get('title') or '')} | {step['status']} | "
                f"`{_cell(check.get('command') or '')}` → {result} | {check.get('log') or ''} |"
            )
        out.append("")
    if report.get("waves"):
        out += ["## Waves", ""]
        out += [f"- wave {w['n']}: {w['summary']}" for w in report["waves"]]
        out.append("")
    if report.get("failures"):
        out += ["## Failures", ""]
        for item in report["failures"]:
            what = item.get("step") or item.get("agent_id") or ""
            out.append(
                f"- iteration {item.get('iteration')}: **{item['class']}** "
                f"{_cell(what)} {_cell(item.get('message', ''))}".rstrip()
            )
        out.append("")
    out += _usage_lines(report.get("usage"))
    out += ["## Artifacts", ""]
    out += [f"- {name}: `{path}`" for name, path in report["artifacts"].items()]
    return "\n".join(out).rstrip() + "\n"


def _usage_lines(section: dict | None) -> list[str]:
    if not section:
        return []
    total, spent = section["total"], section["cost"]
    out = [
        "## Usage",
        "",
        f"{total['tokens']:,} tokens, estimated ${spent['usd']:.4f} (list prices of "
        f"{spent['prices_as_of']}; excludes {section['excludes']}).",
        "",
        "| by | tokens | input | output | cache read | cache write |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("phase", "by_phase"), ("agent type", "by_agent_type")):
        for name, row in section[key].items():
            out.append(
                f"| {label} {_cell(name)} | {row['tokens']:,} | {row['input']:,} | "
                f"{row['output']:,} | {row['cache_read']:,} | {row['cache_write']:,} |"
            )
    if spent["unpriced"]:
        out += ["", f"No price for: {', '.join(spent['unpriced'])} (add them under `pricing`)."]
    budget = section["budget"]
    if budget["run_tokens"] or budget["agent_tokens"]:
        state = "spent" if budget["exhausted"] else "held"
        limit, each = budget["run_tokens"] or "none", budget["agent_tokens"] or "none"
        out += ["", f"Budget {state}: {budget['used']:,} tokens used; run limit {limit}, "
                f"per agent {each}."]  # fmt: skip
    return [*out, ""]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in (text or "(none)").splitlines())


RENDERERS = {"md": to_markdown, "json": to_json, "sarif": to_sarif}


def render(report: dict, fmt: str) -> str:
    return RENDERERS[fmt](report)


def write_all(run: Run) -> list[Path]:
    """report.md, report.json and report.sarif in the run directory."""
    report = build(run)
    written = []
    for fmt in FORMATS:
        target = run.path(f"report.{fmt}")
        store.write_atomic(str(target), render(report, fmt))
        written.append(target)
    return written
