"""Lint on changed lines: the configured linters run on the run's changed files, and only the
diagnostics on lines the run added or modified count (old debt is not the run's to fix)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cc_pack import gitchanges
from cc_pack_hooks import globs
from cc_pack_hooks.sandbox import Confined


@dataclass
class Diagnostic:
    path: str
    line: int
    col: int
    code: str
    message: str

    def __str__(self) -> str:
        code = f"{self.code} " if self.code else ""
        return f"{self.path}:{self.line}:{self.col}: {code}{self.message}"


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _parse_ruff(root: Path, output: str) -> list[Diagnostic]:
    found = []
    for item in json.loads(output or "[]"):
        location = item.get("location") or {}
        found.append(
            Diagnostic(
                _rel(root, item.get("filename", "")),
                int(location.get("row", 1)),
                int(location.get("column", 1)),
                item.get("code") or "",
                item.get("message", ""),
            )
        )
    return found


def _parse_text(root: Path, output: str) -> list[Diagnostic]:
    """``path:line[:col]: message`` lines (gcc style, shellcheck -f gcc, eslint unix, ...)."""
    found = []
    for raw in output.splitlines():
        parts = raw.split(":", 3)
        if len(parts) < 3 or not parts[1].strip().isdigit():
            continue
        if len(parts) == 4 and parts[2].strip().isdigit():
            col, message = int(parts[2]), parts[3]
        else:
            col, message = 1, ":".join(parts[2:])
        found.append(Diagnostic(_rel(root, parts[0]), int(parts[1]), col, "", message.strip()))
    return found


PARSERS = {"ruff-json": _parse_ruff, "text": _parse_text}


def _rel(root: Path, path: str) -> str:
    full = os.path.realpath(os.path.join(root, path))
    return os.path.relpath(full, os.path.realpath(root)).replace(os.sep, "/")


def lint_changes(
    root: Path,
    config: dict,
    changed: list[str],
    commit: str | None = None,
    confine_run: str | None = None,
) -> LintResult:
    """Diagnostics on the run's changed lines. ``confine_run``: the run's id when it has a
    sandbox: a linter's configuration may be code the implementers wrote, so it runs inside."""
    result = LintResult()
    settings = config.get("lint", {})
    timeout = float(settings.get("timeout", 10))
    for linter in settings.get("linters", []):
        targets = [p for p in changed if globs.match(linter["glob"], p) and (root / p).is_file()]
        for path in targets:
            argv = [part.replace("{file}", path) for part in linter["command"]]
            exe = shutil.which(argv[0]) or shutil.which(argv[0], path=str(root / ".venv/bin"))
            if confine_run and exe:
                argv = Confined(root, [exe, *argv[1:]], [], confine_run).argv
            try:
                done = subprocess.run(
                    argv, cwd=root, capture_output=True, text=True, timeout=timeout, check=False
                )
            except FileNotFoundError:
                result.notes.append(f"linter {argv[0]} is not installed: {path} not linted")
                break
            except subprocess.TimeoutExpired:
                result.notes.append(f"linter {argv[0]} timed out after {timeout:g}s on {path}")
                continue
            try:
                diagnostics = PARSERS[linter.get("format", "text")](root, done.stdout)
            except (ValueError, TypeError, AttributeError):
                result.notes.append(f"linter {argv[0]} printed output cc-pack cannot read")
                continue
            lines = gitchanges.changed_lines(root, path, commit)
            result.diagnostics += [
                d for d in diagnostics if d.path == path and (lines is None or d.line in lines)
            ]
    return result
