"""cc-pack CLI calls inside Bash commands: which are the human's, and which one form runs outside
the sandbox.

The CLI is the only writer of the run state, and the state is read-only inside the sandbox. So
exactly one shape of command runs unconfined (``exempt``): one simple command, the orchestrate
skill's launcher called by its path, literal arguments, a subcommand the orchestrator needs, and
at most one here-document with a quoted delimiter (the artifact text, never expanded) — the forms
``skills/orchestrate/SKILL.md`` writes. Anything combined with it, disguised or expanded runs
confined, where the CLI cannot write the state.
"""

from __future__ import annotations

import os

from cc_pack_hooks.bash import words

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
    ("init",): (None, "`cc-pack init` installs, upgrades or (--uninstall) removes the guards"),
    ("findings", "add"): (
        None,
        "`cc-pack findings add` would store a reviewer contract no dispatched reviewer wrote",
    ),
    # the queue is the human's batch: its envelope is their approval in advance
    ("queue", "add"): (None, "`cc-pack queue add` queues a task with an approval envelope"),
    ("queue", "approve"): (None, "`cc-pack queue approve` approves a queued task's plan"),
    ("queue", "reject"): (None, "`cc-pack queue reject` answers a queued task's plan"),
    ("queue", "retry"): (None, "`cc-pack queue retry` queues a failed task again"),
    ("queue", "run"): (None, "`cc-pack queue run` starts headless runs"),
    ("report",): ("-o", "`cc-pack report -o FILE` writes a file the rules cannot check"),
    ("validate",): ("-o", "`cc-pack validate -o FILE` writes a file the rules cannot check"),
}
# The long form of a human-only flag given as its short one (click accepts both).
LONG = {"-o": "--output"}

# What the orchestrator runs (skills/orchestrate/SKILL.md); a subcommand not listed here, or an
# option not listed for it, makes the call an ordinary, confined command.
EXEMPT = {
    ("run", "start"): ("--max-iterations",),
    ("run", "status"): ("--json",),
    ("run", "record"): (),
    ("run", "advance"): ("--json",),
    ("run", "resume"): (),
    ("run", "handoff"): (),
    ("scope", "set"): (),
    ("scope", "show"): (),
    ("scope", "check"): (),
    ("scope", "audit"): (),
    ("dispatch",): ("--json",),
    ("findings", "aggregate"): ("--json",),
    ("report",): ("--format",),
}
LAUNCHER = ("skills", "orchestrate", "bin", "cc-pack")


def launchers(project: str) -> set[str]:
    """The launcher paths that count: the installed skill's, this repository's own (dogfood)
    and, in plugin mode, the plugin's."""
    found = {
        os.path.join(project, ".claude", *LAUNCHER),
        os.path.join(project, *LAUNCHER),
    }
    plugin = os.environ.get("CLAUDE_PLUGIN_ROOT")
    if plugin:
        found.add(os.path.join(plugin, *LAUNCHER))
    return {os.path.realpath(p) for p in found}


def exempt(command: str, project: str, cwd: str) -> bool:
    """Whether ``command`` is exactly one launcher call the orchestrator makes (see above)."""
    try:
        tokens = words.tokenize(command)
    except words.ShellSyntaxError:
        return False
    while tokens and isinstance(tokens[-1], words.Op) and tokens[-1].text == "\n":
        tokens.pop()
    argv: list = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if isinstance(tok, words.Op):
            # one here-document with a quoted delimiter, at the end: its body is never expanded
            if tok.text != "<<" or tok.fd is not None or k != len(tokens) - 2:
                return False
            delimiter = tokens[k + 1]
            if not isinstance(delimiter, words.Word) or not delimiter.quoted:
                return False
            k += 2
            continue
        if tok.expands or tok.glob or tok.brace or tok.tilde or tok.subs:
            return False
        argv.append(tok.text)
        k += 1
    if len(argv) < 2 or os.path.realpath(os.path.join(cwd, argv[0])) not in launchers(project):
        return False
    args = argv[1:]
    head = tuple(args[:2]) if tuple(args[:2]) in EXEMPT else tuple(args[:1])
    options = EXEMPT.get(head)
    if options is None:
        return False
    rest = args[len(head) :]
    k = 0
    while k < len(rest):
        arg = rest[k]
        if arg.startswith("-") and arg != "-":
            name = arg.partition("=")[0]
            if name not in options:
                return False
            if name in ("--max-iterations", "--format") and "=" not in arg:
                k += 1
        k += 1
    return True


def refusal(argv: list) -> str | None:
    """Why this ``cc-pack`` call is the human's, or None. ``argv``: its ``words.Word``s, the
    program first."""
    args = argv[1:]
    head = [w for w in args if w.expands or not w.text.startswith("-")][:2]
    if any(w.expands for w in head):
        shown = " ".join(w.text for w in head)
        what = (
            f"which cc-pack command this is ({shown}) is only known to the shell, and it may "
            "be one of the human's (spell the arguments literally)"
        )
    else:
        texts = tuple(w.text for w in head)
        found = HUMAN_ONLY.get(texts) or HUMAN_ONLY.get(texts[:1])
        if found is None:
            return None
        flag, what = found
        if flag is not None and not any(
            w.expands or _abbreviates(w.text, flag) or _abbreviates(w.text, LONG.get(flag, ""))
            for w in args
        ):
            return None
    return (
        f"cc-pack scope guard: {what}; only the human can do that: ask the user to run it in "
        "their own terminal."
    )


def _abbreviates(arg: str, flag: str) -> bool:
    """``--auto-approve``, ``--auto-approve=x``, a prefix such as ``--auto``, or a short flag
    with its value attached (``-ofile``); click refuses prefixes today, denying them costs
    nothing and survives a change."""
    if not flag:
        return False
    if len(flag) == 2:  # a short option: -o, -oFILE
        return arg == flag or (arg.startswith(flag) and not arg.startswith("--"))
    name = arg.partition("=")[0]
    return len(name) >= 3 and flag.startswith(name)
