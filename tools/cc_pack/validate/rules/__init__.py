"""The rule registry: every code cc-pack validate can report, with its severity, message, fix
hint and an example, collected from one module per family. A family module declares ``RULES``
(its ``Rule`` entries) and ``check(unit, emit)``; adding a family = adding it to ``FAMILIES``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# order = report order of the families in the README's rule reference
FAMILIES = {
    "FM": "frontmatter",
    "AG": "agents",
    "SP": "spawn",
    "RL": "roles",
    "SK": "skills",
    "CM": "commands",
    "HK": "hooks",
    "PL": "plugin",
    "BG": "budget",
}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str  # "error" | "warning"
    summary: str  # one line: what is wrong
    message: str  # str.format template filled by the check
    hint: str  # the fix; may use the same fields as ``message``
    example: str  # a snippet that triggers the rule


# emit(code, path, (line, column), **fields used by the rule's message and hint)
Emit = Callable[..., None]


def _load() -> tuple[dict[str, Rule], list]:
    rules: dict[str, Rule] = {}
    checks = []
    for prefix, name in FAMILIES.items():
        module = importlib.import_module(f"cc_pack.validate.rules.{name}")
        for rule in module.RULES:
            if not rule.code.startswith(prefix) or rule.code in rules:
                raise RuntimeError(f"rule {rule.code} is misplaced or defined twice")
            rules[rule.code] = rule
        checks.append(module.check)
    return rules, checks


def matches(code: str, selectors: list[str]) -> bool:
    """A code matches a selector equal to it or to one of its prefixes (``SP``, ``SP00``)."""
    return any(code.startswith(sel) for sel in selectors)


def unknown_selectors(selectors: list[str]) -> list[str]:
    return [sel for sel in selectors if sel != "ALL" and not any(c.startswith(sel) for c in RULES)]


def markdown() -> str:
    """The rule reference in the README (between its ``rules`` markers) and
    ``--explain all``: every code with its severity, an example and the fix."""
    out = [
        "Each code is stable. Severity `error` fails the run (exit 1); `warning` fails it only",
        "with `--strict`. This reference is generated (`cc-pack validate --explain all`).",
        "",
        "| code | severity | what |",
        "|---|---|---|",
    ]
    out += [
        f"| [{r.code}](#{r.code.lower()}) | {r.severity} | {r.summary} |" for r in RULES.values()
    ]
    for prefix, name in FAMILIES.items():
        out += ["", f"### {prefix}: {name}"]
        for rule in RULES.values():
            if rule.code.startswith(prefix):
                out += ["", explain(rule, level=4)]
    return "\n".join(out) + "\n"


def explain(rule: Rule, level: int = 3) -> str:
    hint = _generic(rule.hint)
    return "\n".join(
        [
            f"{'#' * level} {rule.code}",
            "",
            f"**{rule.severity}** — {rule.summary}",
            "",
            "Example:",
            "",
            "```",
            rule.example.rstrip("\n"),
            "```",
            "",
            f"Fix: {hint}",
        ]
    )


def _generic(template: str) -> str:
    """A hint template with its fields shown as <field>, for documentation."""
    import string

    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if field is not None:
            parts.append(f"<{field}>")
    return "".join(parts)


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


RULES, CHECKS = _load()
