"""The pack's hook registrations, in one table.

`cc-pack init` merges them into a project's ``.claude/settings.json``; ``hooks/hooks.json`` (the
plugin's registrations) is generated from the same table and a test keeps the two in step.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

# Tool names as Claude Code 2.1.197 sends them (reference A.11). MultiEdit is not a tool there:
# a matcher naming it never fires, so it is left out (the scope guard still understands its shape).
FILE_WRITE_TOOLS = "Write|Edit|NotebookEdit"


@dataclass(frozen=True)
class HookSpec:
    event: str
    matcher: str | None  # None: the event has no matcher (Stop, UserPromptSubmit) or needs none
    script: str  # file name in hooks/
    timeout: int  # seconds; Claude Code's default is 600
    rule: str  # what it enforces (README table)
    fail: str  # failure policy (README table)


HOOKS: tuple[HookSpec, ...] = (
    HookSpec(
        "PreToolUse",
        f"{FILE_WRITE_TOOLS}|Bash",
        "scope_guard.py",
        30,
        "writes only inside the approved scope during implement; none in other phases; "
        "read-only roles never write; nothing but the CLI writes the run-state dir; "
        "`run abort`, `--auto-approve` and `--from-backup` are the human's",
        "deny with the reason",
    ),
    HookSpec(
        "PreToolUse",
        "Agent|Task",
        "spawn_gate.py",
        30,
        "no nesting; never the orchestrator as a subagent; only the agents the phase allows; "
        "no implementer after the run failed at its iteration cap",
        "deny with the reason",
    ),
    HookSpec(
        "PostToolUse",
        "Bash",
        "bash_audit.py",
        30,
        "git status after each Bash call; out-of-scope changes reported and recorded",
        "silent",
    ),
    HookSpec(
        "PostToolUseFailure",
        "Bash",
        "bash_audit.py",
        30,
        "the same audit after a failing Bash call",
        "silent",
    ),
    HookSpec(
        "PostToolUse",
        FILE_WRITE_TOOLS,
        "lint_after_edit.py",
        60,
        "lint the edited file; report diagnostics on the touched lines only",
        "silent",
    ),
    HookSpec(
        "UserPromptSubmit",
        None,
        "approval_capture.py",
        30,
        "records `/orchestrate approve|reject` typed by the human: the only approval path",
        "silent",
    ),
    HookSpec(
        "SubagentStop",
        None,
        "contract_check.py",
        30,
        "reviewers must end with a valid findings contract; stores it in the run",
        "silent",
    ),
    HookSpec(
        "Stop",
        None,
        "stop_gate.py",
        30,
        "the main thread cannot end its turn while its run is unfinished (except at approval)",
        "silent",
    ),
)


# The events the pack handles, in registration order.
EVENTS: tuple[str, ...] = tuple(dict.fromkeys(spec.event for spec in HOOKS))


def scripts() -> list[str]:
    return sorted({spec.script for spec in HOOKS})


def command(script_path: str, python: str = "python3") -> str:
    """The shell command Claude Code runs. ``-S`` skips site-packages: the hooks are stdlib only
    and start measurably faster without it. ``script_path`` may contain ``$VAR``/``${VAR}``
    references, so it is double-quoted rather than shell-escaped."""
    return f'{shlex.quote(python)} -S "{script_path}"'


def settings_hooks(script_dir: str, python: str = "python3") -> dict:
    """The ``hooks`` mapping for settings.json / hooks.json, scripts in ``script_dir``."""
    result: dict[str, list] = {}
    for spec in HOOKS:
        group: dict = {}
        if spec.matcher:
            group["matcher"] = spec.matcher
        group["hooks"] = [
            {
                "type": "command",
                "command": command(f"{script_dir}/{spec.script}", python),
                "timeout": spec.timeout,
            }
        ]
        result.setdefault(spec.event, []).append(group)
    return result


def readme_rows() -> list[str]:
    """The rows of the README's hook table."""

    def code(text: str) -> str:
        return "`" + text.replace("|", "\\|") + "`"

    rows = []
    for spec in HOOKS:
        matcher = code(spec.matcher) if spec.matcher else "(none)"
        rule = spec.rule.replace("|", "\\|")
        rows.append(f"| {code(spec.script)} | {spec.event} | {matcher} | {rule} | {spec.fail} |")
    return rows


def plugin_hooks_json() -> str:
    """The text of ``hooks/hooks.json`` for plugin installs."""
    doc = {
        "description": "cc-pack guard hooks: scope, spawn, approval, lint, contract and stop gates",
        "hooks": settings_hooks("${CLAUDE_PLUGIN_ROOT}/hooks"),
    }
    return json.dumps(doc, indent=2) + "\n"
