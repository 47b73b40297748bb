"""cc-pack validate: lint Claude Code agent packs. ``discover`` finds and parses the files,
``rules`` checks them (one module per family, a registry of codes), ``report`` renders the
findings; this module runs the three in order."""

from __future__ import annotations

from pathlib import Path

from cc_pack.validate.discover import discover
from cc_pack.validate.result import Finding, Outcome
from cc_pack.validate.settings import Settings


def run(paths: list[Path], settings: Settings) -> Outcome:
    from cc_pack.validate.rules import CHECKS, RULES, matches

    found = discover(paths, settings)
    findings: list[Finding] = []
    seen: set[tuple] = set()
    select = [s for s in settings.select if s != "ALL"] or [""]
    only = found.only

    for unit in found.units.values():
        opted_in = settings.opted_in or unit.opted_in

        def emit(
            code: str,
            path: Path,
            where: tuple[int, int],
            /,
            severity: str | None = None,
            _opted_in: bool = opted_in,
            **fields,
        ) -> None:
            """Report one finding. ``severity`` overrides the rule's (a rule whose ``other``
            says when); a policy rule is an error only where the project opted in."""
            rule = RULES[code]
            if not matches(code, select) or matches(code, settings.ignore):
                return
            real = path.resolve()
            if only is not None and real not in only:
                return
            message = rule.message.format(**fields)
            key = (real, where, code, message)
            if key in seen:
                return  # the same file reached through two units (a symlinked .claude/agents)
            seen.add(key)
            level = severity or rule.severity
            if rule.kind == "policy" and not _opted_in:
                level = "warning"
            findings.append(
                Finding(path, where[0], where[1], code, level, message, rule.hint.format(**fields))
            )

        for check in CHECKS:
            check(unit, emit)
    findings.sort(key=Finding.sort_key)
    return Outcome(findings, found.files)
