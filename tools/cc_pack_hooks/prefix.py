"""The decision behind ``hooks/bash-sandbox`` (CLAUDE_CODE_SHELL_PREFIX): given the shell string
Claude Code built for one Bash tool call, run it as is, inside bubblewrap, or not at all.

``main([string, project, shell])``:

* not a Bash tool string (a shell-form hook or an MCP server also goes through the prefix; only
  tool strings end with ``&& pwd -P >| <cwd file>``): run it as is;
* the tickets the scope guard left for this session and command (``sandbox.find_tickets``):
  all "direct" (the exact CLI call the orchestrate skill makes) -> as is; otherwise -> inside
  bubblewrap with the intersection of their writable sets;
* no ticket: as is when this session has no active run; inside bubblewrap with nothing of the
  project writable when it has one (fail closed: a command the guard never saw);
* bubblewrap missing or failing to start while a sandbox is required: the command does not run,
  exit 126 with the reason on stderr (the model reads it).
"""

from __future__ import annotations

import os
import sys

from cc_pack_hooks import sandbox, store
from cc_pack_hooks.bash import words

EXIT_NOT_RUN = 126


def parse(string: str) -> tuple[str, str] | None:
    """(the model's command, Claude Code's cwd file) of a Bash tool string, or None. The
    command is one quoted word after Claude Code's ``eval``, so no word the model wrote can look
    like that ``eval`` or like the tail (tests/e2e/test_facts_sandbox_wiring.py)."""
    if sandbox.TAIL not in string:
        return None
    try:
        tokens = words.tokenize(string)
    except words.ShellSyntaxError:
        return None
    texts = [(type(t) is words.Word, t.text) for t in tokens]
    evals = [k for k, (is_word, text) in enumerate(texts) if is_word and text == "eval"]
    tail = [text for _, text in texts[-4:]]
    if not evals or evals[-1] + 1 >= len(texts) or tail[:3] != ["pwd", "-P", ">|"]:
        return None
    return texts[evals[-1] + 1][1], tail[3]


def _exec(shell: str, string: str):
    os.execv(shell, [shell, "-c", string])


def _refuse(reason: str) -> int:
    sys.stderr.write(f"cc-pack sandbox: {reason}; the command did not run.\n")
    sys.stderr.flush()
    return EXIT_NOT_RUN


def policy(project: str, session: str, command: str) -> dict | None:
    """The ticket to apply, or None to run the command as is."""
    found = sandbox.combine(sandbox.find_tickets(project, session, command))
    if found is not None:
        return found
    try:
        active = store.active_state(project)
    except store.StateError:
        # unreadable state: treat it as a run that confines this session (fail closed)
        active = ("", {"status": "active", "session_id": session, "sandbox": {"kind": "bwrap"}})
    if active is None:
        return None
    state = active[1]
    if state.get("status") != "active" or not store.session_owns(state, session):
        return None
    recorded = state.get("sandbox")
    if not isinstance(recorded, dict) or recorded.get("kind") is None:
        return None  # a run without a sandbox: the scope guard's analysis is the boundary
    return {"mode": "sandbox", "patterns": [], "run_id": state.get("run_id"), "why": "no ticket"}


def main(args: list[str]) -> int:
    if len(args) != 3:
        return _refuse("called without the shell string, the project and the shell")
    string, project, shell = args
    parsed = parse(string)
    if parsed is None:
        _exec(shell, string)
    command, cwd_file = parsed
    session = os.environ.get("CLAUDE_CODE_SESSION_ID", "")
    project = os.path.realpath(project)
    chosen = policy(project, session, command)
    if chosen is None or chosen.get("mode") == "direct":
        _exec(shell, string)
    return confine(project, chosen, string, cwd_file, shell)


def confine(project: str, ticket: dict, string: str, cwd_file: str, shell: str) -> int:
    exe = sandbox.bwrap()
    if exe is None:
        return _refuse(
            "this cc-pack run confines Bash with bubblewrap, which is not installed "
            "(Debian/Ubuntu: apt install bubblewrap)"
        )
    scratch = ticket.get("scratch") or sandbox.scratch_dir(project, ticket.get("run_id"))
    sandbox.prepare_scratch(scratch)
    mounts = sandbox.Mounts(project, list(ticket.get("patterns") or [])).plan()
    extra = []
    if cwd_file.startswith("/"):
        try:
            with open(cwd_file, "a"):
                pass
            extra.append(cwd_file)
        except OSError:
            pass  # Claude Code only loses the cd carry-over; the command still runs confined
    argv = sandbox.argv(
        project,
        mounts,
        scratch,
        [shell, "-c", string],
        os.getcwd(),
        extra,
        env_mark=str(ticket.get("run_id") or "1"),
    )
    # posix_spawn, not subprocess: importing subprocess costs half an interpreter start
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ)
    except OSError as exc:
        return _refuse(f"bubblewrap did not start ({exc.strerror})")
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    code = 128 - code if code < 0 else code
    notes = sandbox.sweep(mounts, sandbox.quarantine_dir(project, ticket.get("run_id")))
    if mounts.notes or notes:
        sys.stderr.write("".join(f"cc-pack sandbox: {line}\n" for line in [*mounts.notes, *notes]))
    return code
