"""The pack's hook registrations, in one table.

`cc-pack init` merges them into a project's ``.claude/settings.json``; ``hooks/hooks.json`` (the
plugin's registrations) is generated from the same table and a test keeps the two in step. Each
``script`` is an entry file in ``hooks/`` wired to the rules module ``cc_pack_hooks.rules.<rules>``,
whose ``ON_ERROR`` is the failure policy the README's table shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# Tool names as Claude Code 2.1.197 sends them (reference A.11). MultiEdit is not a tool there:
# a matcher naming it never fires, so it is left out (the scope guard still understands its shape).
FILE_WRITE_TOOLS = "Write|Edit|NotebookEdit"


@dataclass(frozen=True)
class HookSpec:
    event: str
    matcher: str | None  # None: the event has no matcher (Stop, UserPromptSubmit) or needs none
    script: str  # entry file name in hooks/
    rules: str  # its rules module in cc_pack_hooks.rules
    timeout: int  # seconds; Claude Code's default is 600
    rule: str  # what it enforces (README table)

    @property
    def fail(self) -> str:
        """The failure policy, as the rules module declares it."""
        import importlib

        module = importlib.import_module(f"cc_pack_hooks.rules.{self.rules}")
        return "deny with the reason" if module.ON_ERROR == "deny" else "silent"


HOOKS: tuple[HookSpec, ...] = (
    HookSpec(
        "PreToolUse",
        f"{FILE_WRITE_TOOLS}|Bash",
        "scope_guard.py",
        "scope",
        30,
        "writes only inside the approved scope during implement; none in other phases; "
        "read-only roles never write; nothing but the CLI writes the run-state dir; "
        "`run abort`, `--auto-approve` and `--from-backup` are the human's",
    ),
    HookSpec(
        "PreToolUse",
        "Agent|Task",
        "spawn_gate.py",
        "spawn",
        30,
        "no nesting; never the orchestrator as a subagent; only the agents the phase allows; "
        "no implementer after the run failed at its iteration cap",
    ),
    HookSpec(
        "PostToolUse",
        "Bash",
        "bash_audit.py",
        "audit",
        30,
        "git status after each Bash call; out-of-scope changes reported and recorded",
    ),
    HookSpec(
        "PostToolUseFailure",
        "Bash",
        "bash_audit.py",
        "audit",
        30,
        "the same audit after a failing Bash call",
    ),
    HookSpec(
        "PostToolUse",
        FILE_WRITE_TOOLS,
        "lint_after_edit.py",
        "lint",
        60,
        "lint the edited file; report diagnostics on the touched lines only",
    ),
    HookSpec(
        "UserPromptSubmit",
        None,
        "approval_capture.py",
        "approval",
        30,
        "records `/orchestrate approve|reject` typed by the human: the only approval path",
    ),
    HookSpec(
        "SubagentStop",
        None,
        "contract_check.py",
        "contract",
        300,
        "reviewers must end with a valid findings contract, implementers with a return packet "
        "that matches git and the validations cc-pack reruns; stores them in the run",
    ),
    HookSpec(
        "SessionStart",
        None,
        "handoff_inject.py",
        "handoff",
        30,
        "a session that starts, resumes or is compacted while it drives a run is told where "
        "the run stands (short handoff from the saved state, the full one's path)",
    ),
    HookSpec(
        "Stop",
        None,
        "stop_gate.py",
        "stop",
        30,
        "the main thread cannot end its turn while its run is unfinished (except at approval)",
    ),
)


# The events the pack handles, in registration order.
EVENTS: tuple[str, ...] = tuple(dict.fromkeys(spec.event for spec in HOOKS))


def scripts() -> list[str]:
    return sorted({spec.script for spec in HOOKS})


LAUNCHER = "run-hook"  # the POSIX sh file in hooks/ every registration sources
# Sourced rather than run, so that a missing launcher makes `.` fail and the command exit 2
# (which blocks), not 127 (which Claude Code treats as "allow").
SOURCE_LAUNCHER = '. "$0" || exit 2'
# The Bash sandbox: the program CLAUDE_CODE_SHELL_PREFIX names, and the entry file it runs.
SHELL_PREFIX = ("bash-sandbox", "bash_sandbox.py")


def hook_files() -> list[str]:
    """Every file of hooks/ but hooks.json: what init installs into .claude/hooks/cc-pack/."""
    return sorted([*scripts(), LAUNCHER, *SHELL_PREFIX])


def handler(spec: HookSpec, hook_dir: str) -> dict:
    """One registration, in exec form: Claude Code spawns ``/bin/sh`` directly (no shell of its
    own, no ``CLAUDE_CODE_SHELL_PREFIX``) and substitutes ``${CLAUDE_PROJECT_DIR}`` /
    ``${CLAUDE_PLUGIN_ROOT}`` in ``hook_dir``. The launcher picks the interpreter and turns every
    failure into the answer of the hook's policy."""
    entry = spec.script.removesuffix(".py")
    policy = "deny" if spec.fail.startswith("deny") else "silent"
    return {
        "type": "command",
        "command": "/bin/sh",
        "args": ["-c", SOURCE_LAUNCHER, f"{hook_dir}/{LAUNCHER}", entry, policy],
        "timeout": spec.timeout,
    }


def settings_hooks(hook_dir: str) -> dict:
    """The ``hooks`` mapping for settings.json / hooks.json, entry files in ``hook_dir``."""
    result: dict[str, list] = {}
    for spec in HOOKS:
        group: dict = {}
        if spec.matcher:
            group["matcher"] = spec.matcher
        group["hooks"] = [handler(spec, hook_dir)]
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
        rows.append(
            f"| {code(spec.script)} | {code('rules/' + spec.rules + '.py')} | {spec.event} | "
            f"{matcher} | {rule} | {spec.fail} |"
        )
    return rows


def plugin_hooks_json() -> str:
    """The text of ``hooks/hooks.json`` for plugin installs."""
    doc = {
        "description": "cc-pack guard hooks: scope, spawn, approval, lint, contract and stop gates",
        "hooks": settings_hooks("${CLAUDE_PLUGIN_ROOT}/hooks"),
    }
    return json.dumps(doc, indent=2) + "\n"
