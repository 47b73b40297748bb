"""Scope guard: PreToolUse on Write|Edit|NotebookEdit|MultiEdit|Bash. Fails closed.

Always, run or not: only the ``cc-pack`` CLI writes ``.claude/cc-pack/`` (any tool, any form,
symlinks included); read-only roles (researchers, planners, reviewers) write nothing.
During an active run of this session: in ``implement`` only paths matching the approved scope
(and inside the project) may change; every other phase changes no files; in strict mode
(``scope.strict``, the default) a Bash command whose writes cannot be analysed is denied, in
lenient mode it passes and is recorded; ``cc-pack run abort`` and ``run start --auto-approve``
are the human's, not the session's.
"""

from __future__ import annotations

import os

import globs
import paths
import roles
import runtime
import session
from runtime import BadEvent, Decision

FILE_FIELDS = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
STATE_MENTIONS = ("cc-pack/", ".claude/cc-pack", "state.json", "active.json")


class Guard:
    """What one tool call is checked against."""

    __slots__ = ("cwd", "patterns", "project", "role", "run", "who")

    def __init__(self, event: dict, run: session.RunView):
        self.run = run
        self.project = run.project
        cwd = event.get("cwd")
        usable = isinstance(cwd, str) and cwd and "\0" not in cwd
        self.cwd = os.path.realpath(cwd) if usable else self.project
        self.role = roles.role_of(event.get("agent_type"), run.config)
        self.who = roles.agent_name(event.get("agent_type"))
        scope = (run.state or {}).get("scope")
        patterns = scope.get("patterns") if isinstance(scope, dict) else None
        self.patterns = (
            [p for p in patterns if isinstance(p, str)] if isinstance(patterns, list) else []
        )

    def scope_text(self) -> str:
        return ", ".join(self.patterns) if self.patterns else "(empty)"

    def refuse(self, path: str, recursive: bool = False) -> str | None:
        """Why writing ``path`` (resolved) is not allowed, or None."""
        rel = paths.relative(path, self.project)
        shown = rel if rel else path
        if paths.in_state_dir(rel) or (recursive and paths.holds_state_dir(rel)):
            return (
                f"cc-pack scope guard: {shown} is cc-pack's run state; only the `cc-pack` CLI "
                "writes .claude/cc-pack/. Use its commands instead (`cc-pack run status` shows "
                "the next step)."
            )
        if self.role in roles.READ_ONLY_ROLES:
            return (
                f"cc-pack scope guard: {self.who} is a read-only role ({self.role}) and never "
                f"writes files ({shown}). Put what should change into your final report instead."
            )
        state = self.run.state
        if state is None:
            return None
        phase = state.get("phase")
        if phase != "implement":
            return (
                f"cc-pack scope guard: phase {phase} does not change files ({shown}); "
                "next step: `cc-pack run status`."
            )
        if rel is None:
            return (
                f"cc-pack scope guard: {path} is outside the project {self.project}; during "
                f"implement only files in the approved scope may change ({self.scope_text()})."
            )
        in_scope = globs.match_any(self.patterns, rel) and (
            not recursive or not os.path.isdir(path) or self.covers_tree(rel)
        )
        if not in_scope:
            what = "the directory tree " if recursive and os.path.isdir(path) else ""
            return (
                f"cc-pack scope guard: {what}{rel} is outside the approved scope of run "
                f"{state.get('run_id')} (scope: {self.scope_text()}). Change only files in "
                "the scope. If this file must change, say so in your report: widening the scope "
                "needs a new plan and the human's approval (`cc-pack run status`)."
            )
        return None

    def covers_tree(self, rel: str) -> bool:
        """Whether everything under ``rel`` is in scope: some ``X/**`` with X matching ``rel``
        or one of its parents."""
        parts = rel.split("/")
        prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
        return any(
            p.rstrip("/").endswith("/**") and globs.match_any([p.rstrip("/")[:-3]], prefix)
            for p in self.patterns
            for prefix in prefixes
        ) or "**" in [p.strip().strip("/") for p in self.patterns]


def evaluate(event: dict) -> tuple[Decision, session.RunView | None]:
    tool = event.get("tool_name")
    if not isinstance(tool, str) or (tool != "Bash" and tool not in FILE_FIELDS):
        return Decision.allow(), None
    tool_input = runtime.field(event, "tool_input", dict)
    run = session.view(event)
    guard = Guard(event, run)
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise BadEvent("tool_input.command should be a string")
        return _bash(command, guard), run
    name = FILE_FIELDS[tool]
    raw = tool_input.get(name)
    if not isinstance(raw, str) or not raw:
        raise BadEvent(f"tool_input.{name} should be a non-empty string")
    candidates = [paths.resolve(raw, guard.cwd)]
    if raw.startswith("~"):  # a tool may take `~` literally or expand it: both must be allowed
        candidates.append(os.path.realpath(os.path.join(guard.cwd, raw)))
    for path in candidates:
        reason = guard.refuse(path)
        if reason:
            return Decision.deny(reason, log={"path": path}), run
    return Decision.allow(log={"path": candidates[0]} if run.state else None), run


def _bash(command: str, guard: Guard) -> Decision:
    import bashwrites

    analysis = bashwrites.analyse(command, guard.cwd)
    for write in analysis.writes:
        for path in write.paths:
            reason = guard.refuse(path, write.recursive)
            if reason:
                return Decision.deny(
                    f"{reason} (Bash: {write.command} {write.text})", log={"path": path}
                )
    for target in analysis.links:
        rel = paths.relative(target, guard.project)
        if paths.in_state_dir(rel) or paths.holds_state_dir(rel):
            return Decision.deny(
                f"cc-pack scope guard: a link to {rel or target} would be a way into cc-pack's "
                "run state, which only the `cc-pack` CLI writes. Read the state with "
                "`cc-pack run status` instead.",
                log={"link": target},
            )
    folded = command.casefold()
    unknown = analysis.opaque + analysis.runs_code
    if unknown and any(m in folded for m in STATE_MENTIONS):
        return Decision.deny(
            f"cc-pack scope guard: this command mentions cc-pack's run state and cannot be "
            f"analysed ({unknown[0]}); only the `cc-pack` CLI writes .claude/cc-pack/. Use "
            "`cc-pack run status` to read it.",
            log={"opaque": unknown},
        )
    if analysis.opaque and guard.role in roles.READ_ONLY_ROLES:
        return Decision.deny(
            f"cc-pack scope guard: {guard.who} is a read-only role and this command may write "
            f"files ({analysis.opaque[0]}). Use read-only commands (cat, grep, git diff, ...).",
            log={"opaque": analysis.opaque},
        )
    state = guard.run.state
    if state is None:
        return Decision.allow()
    for argv in analysis.cli:
        reason = _cli_refusal(argv)
        if reason:
            return Decision.deny(reason, log={"cli": argv})
    if analysis.opaque:
        if roles.setting(guard.run.config, "scope.strict"):
            return Decision.deny(
                f"cc-pack scope guard: cannot tell what this command writes: "
                f"{'; '.join(analysis.opaque[:3])}. scope.strict is on during run "
                f"{state.get('run_id')} (phase {state.get('phase')}, scope: {guard.scope_text()}). "
                "Use a form the guard can check: the Edit/Write tools, or plain commands with "
                "literal paths (no -c code, eval, xargs, find -exec or $(...) targets).",
                log={"opaque": analysis.opaque},
            )
        return Decision.allow(log={"lenient": analysis.opaque})
    return Decision.allow(log={"runs_code": analysis.runs_code} if analysis.runs_code else None)


def _cli_refusal(argv: list[str]) -> str | None:
    args = [a for a in argv[1:] if not a.startswith("-") or a == "--auto-approve"]
    if args[:2] == ["run", "abort"]:
        what = "`cc-pack run abort` ends the run"
    elif args[:2] == ["run", "start"] and "--auto-approve" in args:
        what = "`cc-pack run start --auto-approve` skips the human's approval"
    else:
        return None
    return (
        f"cc-pack scope guard: {what}; only the human can do that, during an active run: "
        "ask the user to run it in their own terminal."
    )


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def decide_and_apply(event: dict) -> Decision:
    decision, run = evaluate(event)
    session.bind(run)
    return decision


if __name__ == "__main__":
    runtime.main(decide_and_apply, hook="scope-guard", on_error="deny")
