"""Render findings: ruff-like text, a stable JSON document, or SARIF 2.1.0."""

from __future__ import annotations

import os
from pathlib import Path

from cc_pack import __version__
from cc_pack.validate.result import Finding, Outcome

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_COLOURS = {
    "path": "\033[1m",
    "error": "\033[31m",
    "warning": "\033[33m",
    "hint": "\033[2m",
    "reset": "\033[0m",
}


def shown(path: Path, base: Path) -> str:
    """The path as the user should see it: relative to ``base`` (the cwd) when inside it."""
    full = Path(os.path.abspath(path))
    return full.relative_to(base).as_posix() if full.is_relative_to(base) else full.as_posix()


def summary(outcome: Outcome) -> dict:
    by_code: dict[str, int] = {}
    for finding in outcome.findings:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    return {
        "files": outcome.files,
        "errors": outcome.errors,
        "warnings": outcome.warnings,
        "by_code": dict(sorted(by_code.items())),
    }


def text(outcome: Outcome, base: Path, colour: bool) -> str:
    def paint(kind: str, value: str) -> str:
        return f"{_COLOURS[kind]}{value}{_COLOURS['reset']}" if colour else value

    lines = []
    for f in outcome.findings:
        where = paint("path", f"{shown(f.path, base)}:{f.line}:{f.column}:")
        lines.append(f"{where} {paint(f.severity, f.code)} {f.message}")
        lines.append(paint("hint", f"  hint: {f.hint}"))
    if outcome.findings:
        lines.append(
            f"Found {outcome.errors} error(s) and {outcome.warnings} warning(s) in "
            f"{outcome.files} file(s)."
        )
    else:
        lines.append(f"All checks passed ({outcome.files} file(s)).")
    return "\n".join(lines) + "\n"


def _record(f: Finding, base: Path) -> dict:
    return {
        "path": shown(f.path, base),
        "line": f.line,
        "column": f.column,
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "hint": f.hint,
    }


def as_json(outcome: Outcome, base: Path) -> str:
    import json

    document = {
        "version": JSON_VERSION,
        "findings": [_record(f, base) for f in outcome.findings],
        "summary": summary(outcome),
    }
    return json.dumps(document, indent=2) + "\n"


def sarif(outcome: Outcome, base: Path, rules: dict) -> str:
    """One run; every rule in the registry is listed so result ``ruleIndex`` values are stable."""
    import json

    codes = list(rules)
    driver_rules = [
        {
            "id": rule.code,
            "name": rule.summary,
            "shortDescription": {"text": rule.summary},
            "help": {"text": rule.hint},
            "defaultConfiguration": {"level": rule.severity},
        }
        for rule in rules.values()
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": codes.index(f.code),
            "level": f.severity,
            "message": {"text": f"{f.message}\nhint: {f.hint}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": shown(f.path, base), "uriBaseId": "SRCROOT"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in outcome.findings
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cc-pack validate",
                        "version": __version__,
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
