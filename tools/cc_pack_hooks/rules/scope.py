"""Scope guard (entry file ``hooks/scope_guard.py``): PreToolUse on Write|Edit|NotebookEdit|Bash
(MultiEdit's shape is understood too, though no Claude Code version we test has that tool).
Fails closed.

Always, run or not: nothing writes cc-pack's own files — the run state ``.claude/cc-pack/``, the
installed hooks ``.claude/hooks/cc-pack/``, and cc-pack's entries in the settings files (its hook
registrations, the Bash sandbox prefix, ``disableAllHooks``); read-only roles (researchers,
planners, reviewers) write nothing; the CLI's human steps (``run abort``, ``--auto-approve``,
``--from-backup``, ``init``, ``findings add``, ``-o FILE``) are the human's, in every form the
analysis can see (wrappers, ``env -u``, ``python -m cc_pack``, the skill's launcher, abbreviated or
``=`` options), and a call whose arguments only the shell knows is denied too.

During an active run of this session: in ``implement`` an implementer changes only paths that
match the approved scope; nobody else changes project files, and no phase but implement changes
any. The file tools run inside Claude Code, so this guard is their boundary: the target is fully
resolved, and a hard-linked file (another name may be outside the scope) is refused.

Bash during a run (and Bash of a read-only role at any time) runs inside the OS sandbox
(``cc_pack_hooks.sandbox``) when the run has one: this guard then leaves the ticket that tells the
sandbox what the caller may write, denies early only what its analysis is sure of, and lets the
kernel decide the rest. Without a sandbox the analysis is the boundary: in strict mode
(``scope.strict``, the default) a command whose writes cannot be analysed is denied.
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
# Unanalysable code that names cc-pack's own files is denied: its state, and its hooks (piping a
# forged event into an entry file would run the hook's rules on the model's say-so).
STATE_MENTIONS = (
    ".claude/cc-pack",
    "cc-pack/runs",
    "cc-pack/tickets",
    "state.json",
    "active.json",
    ".claude/hooks/cc-pack",
    "cc_pack_hooks",
    "approval_capture",
)
CLI_MENTIONS = ("cc-pack", "cc_pack")
HUMAN_MENTIONS = ("abort", "--au", "--from", "approve", "backup", "init", "findings")
NEXT = "`cc-pack run status` shows the next step"


class Guard:
    """What one tool call is checked against."""

    __slots__ = (
        "binding",
        "cwd",
        "event",
        "nested",
        "owned",
        "patterns",
        "project",
        "role",
        "run",
        "who",
    )

    def __init__(self, event: dict, run: session.RunView):
        self.event = event
        self.run = run
        self.project = run.project
        cwd = event.get("cwd")
        usable = isinstance(cwd, str) and cwd and "\0" not in cwd
        self.cwd = os.path.realpath(cwd) if usable else self.project
        self.role = roles.role_of(event.get("agent_type"), run.config)
        self.who = roles.agent_name(event.get("agent_type")) or "the main thread"
        scope = (run.state or {}).get("scope")
        patterns = scope.get("patterns") if isinstance(scope, dict) else None
        self.patterns = (
            [p for p in patterns if isinstance(p, str)] if isinstance(patterns, list) else []
        )
        self.nested = None if run.state is not None else _nested_in_a_run(run)
        self.binding, self.owned = _ownership(event, run.state, self.role)

    def scope_text(self) -> str:
        return ", ".join(self.patterns) if self.patterns else "(empty)"

    @property
    def confined(self) -> bool:
        """The rules restrict this caller's writes: a run governs it, it is a read-only role, or
        its client was started by a tool call while a run is active (``nested``)."""
        return bool(self.run.state is not None or self.role in roles.READ_ONLY_ROLES or self.nested)

    def writable(self) -> list[str]:
        """The project-relative globs this caller may write now: an implementer in implement
        writes the files of what it owns (the whole scope in a run without steps)."""
        state = self.run.state
        if state is None or state.get("phase") != "implement" or self.role != "implementer":
            return []
        return list(self.patterns) if self.owned is None else list(self.owned)

    def protected(self, path: str, recursive: bool = False) -> str | None:
        """Why ``path`` (resolved) is cc-pack's own and never written by a tool, or None."""
        rel = paths.relative(path, self.project)
        shown = rel if rel else path
        if (
            paths.in_state_dir(rel)
            or (recursive and paths.holds_state_dir(rel))
            or (rel is None and paths.in_any_state_dir(path))
        ):
            return (
                f"cc-pack scope guard: {shown} is cc-pack's run state; only the `cc-pack` CLI "
                f"writes .claude/cc-pack/. Use its commands instead ({NEXT})."
            )
        if paths.in_hook_dir(rel) or (recursive and paths.holds_hook_dir(rel)):
            return (
                f"cc-pack scope guard: {shown} is part of cc-pack's installed guard hooks; no "
                "tool changes them. The human upgrades or repairs them with `cc-pack init` in "
                "a terminal."
            )
        if paths.settings_file(path, self.project):
            return (
                f"cc-pack scope guard: {shown} is a Claude Code settings file that holds "
                "cc-pack's hook registrations or its Bash sandbox; Bash never writes it (edit "
                "it with the Edit tool, leaving cc-pack's entries alone, or ask the human)."
            )
        return None

    def refuse(self, path: str, recursive: bool = False) -> str | None:
        """Why writing ``path`` (resolved) is not allowed, or None."""
        reason = self.protected(path, recursive)
        if reason:
            return reason
        rel = paths.relative(path, self.project)
        shown = rel if rel else path
        if self.role in roles.READ_ONLY_ROLES:
            return (
                f"cc-pack scope guard: {self.who} is a read-only role ({self.role}) and never "
                f"writes files ({shown}). Put what should change into your final report instead."
            )
        if self.nested:
            return (
                f"cc-pack scope guard: this Claude Code client was started by a tool call while "
                f"a run is active ({self.nested}), so it writes nothing ({shown}). Do the work "
                "in the session that owns the run, through its implementers."
            )
        state = self.run.state
        if state is None:
            return None
        phase = state.get("phase")
        if phase != "implement":
            return f"cc-pack scope guard: phase {phase} does not change files ({shown}); {NEXT}."
        if self.role != "implementer":
            return (
                f"cc-pack scope guard: during implement only implementers change files, and "
                f"{self.who} is none ({shown}); hand the change to an implementer."
            )
        if rel is None:
            return (
                f"cc-pack scope guard: {path} is outside the project {self.project}; during "
                f"implement only files in the approved scope may change ({self.scope_text()})."
            )
        if self.owned is not None:
            return self._refuse_unowned(rel, recursive and os.path.isdir(path))
        in_scope = globs.match_any(self.patterns, rel) and (
            not recursive or not os.path.isdir(path) or globs.covers(self.patterns, rel)
        )
        if not in_scope:
            what = "the directory tree " if recursive and os.path.isdir(path) else ""
            return (
                f"cc-pack scope guard: {what}{rel} is outside the approved scope of run "
                f"{state.get('run_id')} (scope: {self.scope_text()}). Change only files in "
                "the scope. If this file must change, say so in your report: widening the scope "
                f"needs a new plan and the human's approval ({NEXT})."
            )
        return None

    def _refuse_unowned(self, rel: str, tree: bool) -> str | None:
        if rel in self.owned and not tree:
            return None
        agent = self.event.get("agent_id")
        if not self.binding:
            return (
                f"cc-pack scope guard: cannot tell which plan steps {self.who} ({agent}) owns, so "
                f"it changes no file ({rel}). The orchestrator names them in the handoff packet "
                "(a line `steps: S1`), and the spawn gate records them."
            )
        owned = ", ".join(self.owned) or "(none)"
        holder = _holder(self.run.state, rel, agent)
        whose = f"; it belongs to {holder}" if holder else ""
        tree = self.binding.get("tree")
        if tree and rel.startswith(".claude/worktrees/"):
            whose += f"; that is another step's tree: yours is {tree}"
        elif tree:
            whose += (
                f". Your step works in its own git tree, {tree}: change {tree}/{rel} there "
                "(cd into it for Bash), never the main tree"
            )
        return (
            f"cc-pack scope guard: {rel} is not a file of the steps {self.who} owns "
            f"({', '.join(self.binding.get('steps', []) + self.binding.get('fix', []))}: "
            f"{owned}){whose}. Change only your own files; if this one must change too, say so "
            f"in your return packet ({NEXT})."
        )

    def box(self) -> tuple[str | None, str | None]:
        """(sandbox kind or None, why Bash may not run at all or None).

        A run records at start whether it has a sandbox; a read-only role outside a run gets
        one when this machine has bubblewrap. Either way the session must really send its Bash
        through cc-pack's prefix: Claude Code gives the hooks the same environment it builds the
        Bash calls from, so a settings file changed to drop the prefix shows here."""
        from cc_pack_hooks import sandbox  # Bash only: a file tool's call does not pay for it

        state = self.run.state
        if state is not None:
            recorded = state.get("sandbox")
            kind = recorded.get("kind") if isinstance(recorded, dict) else None
        else:
            kind = "bwrap" if sandbox.bwrap() else None
        if kind is None:
            return None, None
        wired = os.environ.get("CLAUDE_CODE_SHELL_PREFIX") or ""
        ours = sandbox.expected_prefixes(self.project)
        if wired and os.path.realpath(wired) in ours:
            return kind, None
        if state is None:
            return None, None  # a read-only role in a session without the prefix: the analysis
        return None, (
            f"cc-pack scope guard: run {state.get('run_id')} confines Bash in an OS sandbox, but "
            "this session does not send Bash through it (CLAUDE_CODE_SHELL_PREFIX is "
            f"{wired or 'not set'}). Ask the human to run `cc-pack init` in a terminal, then "
            "restart Claude Code; no Bash runs until then."
        )


def evaluate(event: dict) -> tuple[Decision, session.RunView | None, dict | None]:
    """(decision, run, the sandbox ticket to leave or None). A new ownership binding rides on
    the decision's log (``bind``) for ``handle`` to save."""
    tool = event.get("tool_name")
    if not isinstance(tool, str) or (tool != "Bash" and tool not in FILE_FIELDS):
        return Decision.allow(), None, None
    tool_input = runtime.field(event, "tool_input", dict)
    run = session.view(event)
    guard = Guard(event, run)
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise BadEvent("tool_input.command should be a string")
        decision, ticket = _bash(command, guard)
        return _with_binding(decision, guard), run, ticket
    name = FILE_FIELDS[tool]
    raw = tool_input.get(name)
    if not isinstance(raw, str) or not raw:
        raise BadEvent(f"tool_input.{name} should be a non-empty string")
    candidates = [paths.resolve(raw, guard.cwd)]
    if raw.startswith("~"):  # a tool may take `~` literally or expand it: both must be allowed
        candidates.append(os.path.realpath(os.path.join(guard.cwd, raw)))
    for path in candidates:
        if paths.settings_file(path, guard.project):
            reason = _settings_edit(path, tool, tool_input)
        else:
            reason = guard.refuse(path) or _hard_link(path, guard)
        if reason:
            return _with_binding(Decision.deny(reason, log={"path": path}), guard), run, None
    decision = Decision.allow(log={"path": candidates[0]} if run.state else None)
    return _with_binding(decision, guard), run, None


def _with_binding(decision: Decision, guard: Guard) -> Decision:
    if guard.binding and guard.binding.get("new"):
        decision.log = {**(decision.log or {}), "bind": guard.binding}
    return decision


def _save_binding(run: session.RunView, event: dict, binding: dict) -> None:
    """Bind the implementer to the steps its packet named: the files it owns, with their
    content signatures at the spawn (the return packet's claims are checked against them)."""
    import time

    from cc_pack_hooks import owners, store

    agent = event.get("agent_id")
    record = owners.owner_record(run.project, binding)
    record["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    store.update_state(run.run_dir, lambda state: owners.bind(state, agent, record))


def _ownership(event: dict, state: dict | None, role: str | None):
    """(the implementer's binding, the files it owns) in a run with steps, else (None, None).
    An unbound implementer is bound here from its spawn record (``owners.resolve``); the
    binding is saved by ``handle``."""
    from cc_pack_hooks import owners

    if state is None or role != "implementer" or not owners.steps_of(state):
        return None, None
    agent = event.get("agent_id")
    bound = (state.get("owners") or {}).get(agent) if isinstance(agent, str) else None
    if isinstance(bound, dict):
        return bound, list(bound.get("files") or [])
    found = owners.resolve(state, event)
    if found is None:
        return {}, []
    return {**found, "new": True}, list(found.get("files") or [])


def _holder(state: dict, rel: str, agent: object) -> str | None:
    from cc_pack_hooks import owners

    for aid, record in owners.live(state).items():
        if aid != agent and rel in (record.get("files") or []):
            return f"{', '.join(record.get('steps', []) + record.get('fix', []))} ({aid})"
    return None


def _nested_in_a_run(run: session.RunView) -> str | None:
    """Why this client counts as started from inside a run: one is active in the project (for
    another session) and the client descends from a tool call (``origin``)."""
    from cc_pack_hooks import origin, store

    try:
        found = store.active_state(run.project)
    except store.StateError:
        found = ("", {"status": "active"})
    if found is None or found[1].get("status") != "active":
        return None
    return origin.started_by_a_tool(store.state_dir(run.project))


def _hard_link(path: str, guard: Guard) -> str | None:
    """A file with another name: writing it writes that name too, and it may be outside the
    scope (the red team forged the run state through an in-scope name hard-linked to it)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if info.st_nlink < 2 or info.st_mode & 0o170000 != 0o100000:  # several names, a regular file
        return None
    if not guard.confined and not paths.same_file_as_protected(info, guard.project):
        return None
    rel = paths.relative(path, guard.project) or path
    return (
        f"cc-pack scope guard: {rel} has {info.st_nlink} hard links, so writing it would also "
        "change a file by another name, maybe outside the scope. Leave it as it is and say so "
        "in your report."
    )


def _settings_edit(path: str, tool: str, tool_input: dict) -> str | None:
    """A settings file may change, but not cc-pack's entries in it."""
    from cc_pack_hooks import settingsguard

    return settingsguard.refusal(path, tool, tool_input)


def _bash(command: str, guard: Guard) -> tuple[Decision, dict | None]:
    # the Bash analysis is imported only for Bash: the file tools' calls stay cheap
    from cc_pack_hooks.bash import cli, writes

    analysis = writes.analyse(command, guard.cwd)
    # What holds always, run or not: cc-pack's own files and the human's CLI steps.
    for write in analysis.writes:
        for path in write.paths:
            reason = guard.protected(path, write.recursive)
            if reason:
                return _deny(f"{reason} (Bash: {write.command} {write.text})", path=path), None
    for target in analysis.links:
        rel = paths.relative(target, guard.project)
        if paths.in_state_dir(rel) or paths.holds_state_dir(rel) or paths.in_hook_dir(rel):
            return _deny(
                f"cc-pack scope guard: a link to {rel or target} would be a way into cc-pack's "
                "own files, which no tool writes. Read the state with `cc-pack run status`.",
                link=target,
            ), None
    for argv in analysis.cli:
        reason = cli.refusal(argv)
        if reason:
            return _deny(reason, cli=[w.text for w in argv]), None
    if analysis.clients and guard.confined:
        return _deny(
            f"cc-pack scope guard: this command starts another Claude Code client "
            f"({analysis.clients[0]}) during a run. It would run outside this run's rules for "
            "you (and cannot approve anything): do the work with your own tools, or return and "
            f"let the main thread delegate it; {NEXT}.",
            clients=analysis.clients,
        ), None
    folded = command.casefold()
    unknown = analysis.opaque + analysis.runs_code
    if (
        unknown
        and any(m in folded for m in CLI_MENTIONS)
        and any(m in folded for m in HUMAN_MENTIONS)
    ):
        return _deny(
            "cc-pack scope guard: this command names the cc-pack CLI and a step that may be "
            f"the human's (abort, --auto-approve, --from-backup, init, findings add), and "
            f"cannot be analysed ({unknown[0]}). Call `cc-pack` directly with literal "
            "arguments; those steps are for the user, in their own terminal.",
            opaque=unknown,
        ), None
    if unknown and any(m in folded for m in STATE_MENTIONS):
        return _deny(
            f"cc-pack scope guard: this command mentions cc-pack's run state and cannot be "
            f"analysed ({unknown[0]}); only the `cc-pack` CLI writes .claude/cc-pack/. Use "
            "`cc-pack run status` to read it.",
            opaque=unknown,
        ), None
    if not guard.confined:
        if not guard.event.get("agent_id") and cli.exempt(command, guard.project, guard.cwd):
            # Outside a run the prefix keeps cc-pack's own files read-only in the kernel; the
            # orchestrator's exact CLI call (`run start` creates the run) runs as is.
            ticket = {"mode": "direct", "patterns": [], "run_id": None, "role": guard.role,
                      "agent_id": None, "tool_use_id": guard.event.get("tool_use_id")}  # fmt: skip
            return Decision.allow(log={"sandbox": "direct"}), ticket
        return Decision.allow(), None
    kind, blocked = guard.box()
    if blocked:
        return _deny(blocked), None
    if kind is not None:
        return _sandboxed(command, guard, analysis)
    return _analysed(guard, analysis), None


def _sandboxed(command: str, guard: Guard, analysis) -> tuple[Decision, dict | None]:
    """With the OS sandbox: deny early only the writes the analysis is sure of (a friendlier
    message than the kernel's), and let the kernel decide whatever the analysis cannot see."""
    from cc_pack_hooks import sandbox
    from cc_pack_hooks.bash import cli

    state = guard.run.state or {}
    ticket = {
        "mode": "sandbox",
        "patterns": guard.writable(),
        "run_id": state.get("run_id"),
        "role": guard.role,
        "agent_id": guard.event.get("agent_id"),
        "tool_use_id": guard.event.get("tool_use_id"),
        "scratch": sandbox.scratch_dir(guard.project, state.get("run_id")),
    }
    # the orchestrator's own CLI calls only: a subagent never writes the run state
    main_thread = not guard.event.get("agent_id")
    if state and main_thread and cli.exempt(command, guard.project, guard.cwd):
        return Decision.allow(log={"sandbox": "direct"}), {**ticket, "mode": "direct"}
    for write in analysis.writes:
        for path in write.paths:
            reason = guard.refuse(path, write.recursive)
            if reason:
                return _deny(f"{reason} (Bash: {write.command} {write.text})", path=path), None
    return Decision.allow(log={"sandbox": ticket["patterns"]}), ticket


def _analysed(guard: Guard, analysis) -> Decision:
    """Without a sandbox the analysis is the boundary."""
    for write in analysis.writes:
        for path in write.paths:
            reason = guard.refuse(path, write.recursive)
            if reason:
                return _deny(f"{reason} (Bash: {write.command} {write.text})", path=path)
    if analysis.opaque and guard.role in roles.READ_ONLY_ROLES:
        return _deny(
            f"cc-pack scope guard: {guard.who} is a read-only role and this command may write "
            f"files ({analysis.opaque[0]}). Use read-only commands (cat, grep, git diff, ...).",
            opaque=analysis.opaque,
        )
    state = guard.run.state
    if state is None:
        return Decision.allow()
    if analysis.opaque:
        if roles.setting(guard.run.config, "scope.strict"):
            return _deny(
                f"cc-pack scope guard: cannot tell what this command writes: "
                f"{'; '.join(analysis.opaque[:3])}. scope.strict is on during run "
                f"{state.get('run_id')} (phase {state.get('phase')}, scope: {guard.scope_text()}) "
                "and this machine has no OS sandbox. Use a form the guard can check: the "
                "Edit/Write tools, or plain commands with literal paths (no -c code, eval, "
                "xargs, find -exec or $(...) targets).",
                opaque=analysis.opaque,
            )
        return Decision.allow(log={"lenient": analysis.opaque})
    return Decision.allow(log={"runs_code": analysis.runs_code} if analysis.runs_code else None)


def _deny(reason: str, **log) -> Decision:
    return Decision.deny(reason, log=log or None)


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, run, ticket = evaluate(event)
    session.bind(run)
    binding = (decision.log or {}).pop("bind", None) if decision.log else None
    if binding and run is not None and run.run_dir:
        try:
            _save_binding(run, event, binding)
        except Exception as exc:
            return Decision.deny(
                f"cc-pack scope guard: could not record which steps this implementer owns "
                f"({exc}); it may not write yet. `cc-pack run status` shows the run.",
                log={"bind_error": str(exc)},
            )
    if ticket is not None and run is not None:
        from cc_pack_hooks import sandbox

        session_id = event.get("session_id") if isinstance(event.get("session_id"), str) else ""
        try:
            sandbox.write_ticket(run.project, session_id, event["tool_input"]["command"], ticket)
        except OSError as exc:
            # Inside a sandbox (a client started from a confined Bash) the state is read-only:
            # without its ticket the command would run unconfined by this session's rules.
            return Decision.deny(
                f"cc-pack scope guard: could not leave the sandbox ticket for this command "
                f"({exc.strerror}); it may not run. A Claude Code client started from a "
                "confined Bash call cannot run commands of its own.",
                log={"ticket_error": str(exc)},
            )
    return decision
