"""Scope guard (entry file ``hooks/scope_guard.py``): PreToolUse on Write|Edit|NotebookEdit|Bash
(MultiEdit's shape is understood too, though no Claude Code version we test has that tool).
Fails closed.

Always, run or not: only the ``cc-pack`` CLI writes ``.claude/cc-pack/`` (any tool, any form,
symlinks included); read-only roles (researchers, planners, reviewers) write nothing.
During an active run of this session: in ``implement`` only paths matching the approved scope
(and inside the project) may change; every other phase changes no files; in strict mode
(``scope.strict``, the default) a Bash command whose writes cannot be analysed is denied, in
lenient mode it passes and is recorded.

Always, run or not, in any form the analysis can see (wrappers, ``env -u``, ``python -m cc_pack``,
the skill's launcher, abbreviated or ``=`` options): ``cc-pack run abort``, ``run start
--auto-approve`` and ``run resume --from-backup`` are the human's, not the session's. A call whose
arguments only the shell knows, or unanalysable code naming the CLI and one of those words, is
denied too: the model must have no way to approve, end the run or roll its state back.
"""

from __future__ import annotations

import os

from cc_pack_hooks import globs, paths, roles, runtime, session
from cc_pack_hooks.runtime import BadEvent, Decision

HOOK = "scope-guard"
ON_ERROR = "deny"  # a guard that cannot decide denies

FILE_FIELDS = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
STATE_MENTIONS = ("cc-pack/", ".claude/cc-pack", "state.json", "active.json")
# (subcommand words) -> (the flag that makes the call the human's, or None: always; why)
HUMAN_ONLY = {
    ("run", "abort"): (None, "`cc-pack run abort` ends the run, and with it its guards"),
    ("run", "start"): (
        "--auto-approve",
        "`cc-pack run start --auto-approve` skips the human's approval",
    ),
    ("run", "resume"): (
        "--from-backup",
        "`cc-pack run resume --from-backup` rolls the run state back one write (it could undo "
        "the human's rejection)",
    ),
}
CLI_MENTIONS = ("cc-pack", "cc_pack")
HUMAN_MENTIONS = ("abort", "--au", "--from", "approve", "backup")


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
    from cc_pack_hooks.bash import writes

    analysis = writes.analyse(command, guard.cwd)
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
    for argv in analysis.cli:
        reason = _cli_refusal(argv)
        if reason:
            return Decision.deny(reason, log={"cli": [w.text for w in argv]})
    folded = command.casefold()
    unknown = analysis.opaque + analysis.runs_code
    if (
        unknown
        and any(m in folded for m in CLI_MENTIONS)
        and any(m in folded for m in HUMAN_MENTIONS)
    ):
        return Decision.deny(
            f"cc-pack scope guard: this command names the cc-pack CLI and a step that is the "
            f"human's (abort, --auto-approve, --from-backup), and cannot be analysed "
            f"({unknown[0]}). Call `cc-pack` directly with literal arguments; ending, "
            "auto-approving or rolling back a run is for the user, in their own terminal.",
            log={"opaque": unknown},
        )
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


def _cli_refusal(argv: list) -> str | None:
    """Why this ``cc-pack`` call is the human's, or None. ``argv``: its ``words.Word``s,
    the program first."""
    args = argv[1:]
    head = [w for w in args if w.expands or not w.text.startswith("-")][:2]
    if any(w.expands for w in head):
        shown = " ".join(w.text for w in head)
        what = (
            f"which cc-pack command this is ({shown}) is only known to the shell, and it may "
            "be one of the human's (spell the arguments literally)"
        )
    else:
        found = HUMAN_ONLY.get(tuple(w.text for w in head))
        if found is None:
            return None
        flag, what = found
        if flag is not None and not any(w.expands or _abbreviates(w.text, flag) for w in args):
            return None
    return (
        f"cc-pack scope guard: {what}; only the human can do that: ask the user to run it in "
        "their own terminal."
    )


def _abbreviates(arg: str, flag: str) -> bool:
    """``--auto-approve``, ``--auto-approve=x`` or a prefix such as ``--auto`` (click refuses
    prefixes and values for flags today; denying them costs nothing and survives a change)."""
    name = arg.partition("=")[0]
    return len(name) >= 3 and flag.startswith(name)


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, run = evaluate(event)
    session.bind(run)
    return decision
