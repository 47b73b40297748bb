"""The rule registry: every code cc-pack validate can report, with its severity, message, fix
hint and an example, collected from one module per family. A family module declares ``RULES``
(its ``Rule`` entries) and ``check(unit, emit)``; adding a family = adding it to ``FAMILIES``.

Every rule is one of three kinds:

* ``runtime``: Claude Code does something other than the file says (drops it, ignores a field,
  fails, runs a command) — verified against the real client;
* ``policy``: cc-pack's orchestration discipline (no nesting, read-only reviewers, the
  orchestrator in the main thread). An error where the project opted in (it has a
  ``.claude/cc-pack.yaml`` or the pack is installed), a warning elsewhere;
* ``advice``: loads and works, but is fragile, costly or unconventional."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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
    "MC": "mcp",
    "MD": "memory",
    "BG": "budget",
}
KINDS = {
    "runtime": "runtime defect",
    "policy": "cc-pack policy",
    "advice": "advice",
}


class Rule:
    __slots__ = ("code", "example", "hint", "kind", "message", "other", "severity", "summary")

    def __init__(
        self,
        code: str,
        severity: str,  # "error" | "warning"
        summary: str,  # one line: what is wrong
        message: str,  # str.format template filled by the check
        hint: str,  # the fix; may use the same fields as ``message``
        example: str,  # a snippet that triggers the rule
        kind: str = "runtime",  # "runtime" | "policy" | "advice" (see the module docstring)
        other: str = "",  # when a finding gets the other severity ("error for a project agent")
    ):
        self.code, self.severity, self.summary = code, severity, summary
        self.message, self.hint, self.example = message, hint, example
        self.kind, self.other = kind, other


# emit(code, path, (line, column), **fields used by the rule's message and hint)
Emit = Callable[..., None]


def _load() -> tuple[dict[str, Rule], list]:
    rules: dict[str, Rule] = {}
    checks = []
    for prefix, name in FAMILIES.items():
        module = importlib.import_module(f"cc_pack.validate.rules.{name}")
        for rule in module.RULES:
            if not rule.code.startswith(prefix) or rule.code in rules or rule.kind not in KINDS:
                raise RuntimeError(f"rule {rule.code} is misplaced, defined twice or unkinded")
            rules[rule.code] = rule
        checks.append(module.check)
    return rules, checks


def matches(code: str, selectors: list[str]) -> bool:
    """A code matches a selector equal to it or to one of its prefixes (``SP``, ``SP00``)."""
    return any(code.startswith(sel) for sel in selectors)


def unknown_selectors(selectors: list[str]) -> list[str]:
    return [sel for sel in selectors if sel != "ALL" and not any(c.startswith(sel) for c in RULES)]


def severity_text(rule: Rule) -> str:
    if rule.kind == "policy":
        return "error if opted in, else warning"
    return f"{rule.severity} ({rule.other})" if rule.other else rule.severity


def markdown() -> str:
    """The rule reference in the README (between its ``rules`` markers) and
    ``--explain all``: every code with its kind, severity, an example and the fix."""
    out = [
        "Each code is stable. Severity `error` fails the run (exit 1); `warning` fails it only",
        "with `--strict`. This reference is generated (`cc-pack validate --explain all`).",
        "",
        "Kinds: a **runtime defect** is a file Claude Code does not load or run the way it says",
        "(checked against the real client, 2.1.197 and 2.1.330); a **cc-pack policy** is the",
        "discipline cc-pack's orchestration relies on (no nested spawning, read-only reviewers",
        "keyed on the configured `roles:`, the orchestrator in the main thread): an error where",
        "the project opted in (a `.claude/cc-pack.yaml`, or the pack installed: `.claude/hooks/",
        "cc-pack/` or cc-pack's hooks in a settings file), a warning elsewhere, so a third-party",
        "pack fails only on runtime defects; **advice** loads and works but is fragile, costly or",
        "unconventional.",
        "",
        "| code | kind | severity | what |",
        "|---|---|---|---|",
    ]
    out += [
        f"| [{r.code}](#{r.code.lower()}) | {KINDS[r.kind]} | {severity_text(r)} | {r.summary} |"
        for r in RULES.values()
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
            f"**{severity_text(rule)}**, {KINDS[rule.kind]} — {rule.summary}",
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
