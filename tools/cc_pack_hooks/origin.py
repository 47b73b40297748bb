"""Whether the Claude Code client this hook runs for was started by a person, or by a tool call of
another client (a model that runs ``claude -p '/orchestrate approve' --continue`` from Bash
reopens the same conversation, with the same session id: reference 0.12).

``started_by_a_tool()`` returns why it was, or None when nothing says so. The signals, strongest
first (tests/e2e/test_facts_nested_clients.py and tests/e2e/test_routes.py replay them):

* the hook runs inside a cc-pack sandbox (its marker, or the run state is read-only here): the
  client was started from a confined Bash call; inside the sandbox it also cannot write anything;
* the client process inherited a Claude Code tool environment (``CLAUDECODE``,
  ``CLAUDE_CODE_SESSION_ID``, ``AI_AGENT``): Claude Code sets them for its tool calls, a person's
  shell does not have them;
* any process above the client has them: the client descends from a tool call, however it was
  started (``env -i``, a script, ``python -c``, a renamed binary, ``node``).

A client started with its markers removed *and* re-parented away from the tool call (``setsid``
from an unconfined Bash) carries no signal: without the sandbox that case cannot be told from a
person's ``claude --resume``; with it, the tool call's processes die with the call and nothing
inside can write the run state. Linux reads /proc; elsewhere only the environment is checked.
"""

from __future__ import annotations

import os

MARKERS = (b"CLAUDECODE=", b"CLAUDE_CODE_SESSION_ID=", b"AI_AGENT=")
SANDBOX_MARK = "CC_PACK_SANDBOX"
LAUNCHER = b"/run-hook"  # cc-pack's hook launcher: /bin/sh -c '. "$0" || exit 2' …/run-hook …


def _read(pid: int, name: str) -> bytes | None:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _parent(pid: int) -> int | None:
    stat = _read(pid, "stat")
    if stat is None:
        return None
    try:  # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        return int(stat[stat.rindex(b")") + 2 :].split()[1])
    except (ValueError, IndexError):
        return None


def _has_markers(pid: int) -> bool:
    environ = _read(pid, "environ")
    if environ is None:
        return False
    return any(entry.startswith(MARKERS) for entry in environ.split(b"\0"))


def ancestors(pid: int | None = None) -> list[int]:
    """Process ids from the parent of ``pid`` (default: this process) up to init."""
    found = []
    current = os.getpid() if pid is None else pid
    for _ in range(256):
        parent = _parent(current)
        if not parent or parent in found:
            break
        found.append(parent)
        current = parent
    return found


def started_by_a_tool(state_dir: str | None = None) -> str | None:
    if os.environ.get(SANDBOX_MARK):
        return "it runs inside a cc-pack sandbox, so a confined tool call started it"
    if state_dir and os.path.isdir(state_dir) and not _writable(state_dir):
        return "the run state is read-only here, as inside a confined tool call"
    if not os.path.isdir("/proc/self"):
        return None
    chain = ancestors()
    # Skip this hook's own launcher processes: the first other one is the client.
    k = 0
    while k < len(chain) and _is_launcher(chain[k]):
        k += 1
    if k >= len(chain):
        return None
    client = chain[k]
    if _has_markers(client):
        return f"the client (pid {client}) carries the environment Claude Code gives its tool calls"
    for pid in chain[k + 1 :]:
        if _has_markers(pid):
            return f"the client (pid {client}) descends from a Claude Code tool call (pid {pid})"
    return None


def _is_launcher(pid: int) -> bool:
    argv = (_read(pid, "cmdline") or b"").split(b"\0")
    return len(argv) > 3 and argv[1] == b"-c" and argv[3].endswith(LAUNCHER)


def _writable(path: str) -> bool:
    if not os.access(path, os.W_OK):
        return False
    try:
        return not (os.statvfs(path).f_flag & 1)  # ST_RDONLY: a read-only bind mount
    except OSError:
        return False
