"""Plumbing shared by every cc-pack hook: one JSON event in, one answer out.

Each rules module (``cc_pack_hooks.rules.<hook>``) defines a pure ``decide(event) -> Decision``,
``handle(event)`` (decide, then record) and its ``HOOK`` name and ``ON_ERROR`` policy; the entry
file Claude Code starts calls ``runtime.run(module)``. This module owns everything around it:
reading stdin, answering on exactly one channel, the failure policy and the decision log.

Stdlib only, and not even ``json``: ``json.decoder`` imports ``re``, which alone costs about half
a bare interpreter start. The C scanner behind ``json`` does the parsing; the full module is
imported only on the error path, to describe malformed input.

Exit codes (documented in the README, the only ones a cc-pack hook uses):
  0  allow, or an answer in JSON on stdout (deny, additional context)
  2  feedback on stderr: blocks the tool (PreToolUse), reaches the model after the tool ran
     (PostToolUse), or keeps the (sub)agent working (Stop, SubagentStop)
"""

from __future__ import annotations

import _json
import os
import sys
import time

EXIT_OK = 0
EXIT_FEEDBACK = 2

# Claude Code refuses hookSpecificOutput whose hookEventName differs from the running event,
# so the name is taken from the event itself and only these events may carry context.
_CONTEXT_EVENTS = frozenset(
    {
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "UserPromptSubmit",
        "SessionStart",
        "SubagentStart",
        "SubagentStop",
        "Stop",
    }
)


class BadEvent(Exception):
    """stdin is not one JSON object of the shape the hook needs."""


class OverBudget(BaseException):
    """The hook ran past its time budget. A BaseException, so that no ``except Exception`` on
    the way swallows it."""


DEFAULT_BUDGET = 5.0  # seconds; every registration's timeout is at least 30


def _over_budget(signum, frame):
    raise OverBudget


def _arm(budget: float) -> None:
    """Interrupt the hook after ``budget`` seconds (a blocked system call is interrupted too), so
    that it answers within its budget instead of being cancelled by Claude Code's timeout, which
    would let the tool call run. ``_signal``, not ``signal``: the latter imports enum (5 ms)."""
    import _signal

    _signal.signal(_signal.SIGALRM, _over_budget)
    _signal.setitimer(_signal.ITIMER_REAL, budget)


class Decision:
    """What a hook answers. Build one with the class methods; never instantiate directly."""

    __slots__ = ("action", "log", "message")

    def __init__(self, action: str, message: str = "", log: dict | None = None):
        self.action = action
        self.message = message
        self.log = log

    @classmethod
    def allow(cls, log: dict | None = None) -> Decision:
        """Say nothing: Claude Code proceeds as if the hook were not there.

        Never answers ``permissionDecision: allow``: that would bypass the user's own permission
        prompts (reference A.6)."""
        return cls("allow", "", log)

    @classmethod
    def deny(cls, reason: str, log: dict | None = None) -> Decision:
        """PreToolUse: refuse the tool call; ``reason`` is the tool result the model reads."""
        return cls("deny", reason, log)

    @classmethod
    def feedback(cls, message: str, log: dict | None = None) -> Decision:
        """Exit 2, ``message`` on stderr: it reaches the model (blocking where the event can)."""
        return cls("feedback", message, log)

    @classmethod
    def notice(cls, text: str, log: dict | None = None) -> Decision:
        """Exit 0 with ``systemMessage``: let the event proceed and tell the human (Claude Code
        shows it to the user, never to the model)."""
        return cls("notice", text, log)

    @classmethod
    def context(cls, text: str, log: dict | None = None) -> Decision:
        """Exit 0 with ``additionalContext``: non-blocking text for the model."""
        return cls("context", text, log)

    def __repr__(self) -> str:
        return f"Decision({self.action!r}, {self.message!r})"


# --- JSON without the json module --------------------------------------------------------------


class _ScanContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    memo: dict = {}  # noqa: RUF012 - the C scanner reads it as an attribute

    @staticmethod
    def parse_constant(name: str):
        raise ValueError(f"{name} is not valid JSON")


_scan = _json.make_scanner(_ScanContext)
_WS = " \t\n\r"


def loads(text: str):
    """Parse one JSON document. Raises ``BadEvent`` with line and column on malformed input."""
    start = 0
    end = len(text)
    while start < end and text[start] in _WS:
        start += 1
    try:
        value, idx = _scan(text, start)
        while idx < end and text[idx] in _WS:
            idx += 1
        if idx == end:
            return value
    except (StopIteration, ValueError, SystemError, RecursionError):
        pass
    finally:
        _ScanContext.memo.clear()
    # Slow path, bad input only: let the full module describe what is wrong and where.
    import json

    try:
        return json.loads(text, parse_constant=_ScanContext.parse_constant)
    except json.JSONDecodeError as exc:
        raise BadEvent(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise BadEvent(f"not valid JSON ({exc})") from None


def dumps(value) -> str:
    """Compact JSON for the small dicts, lists and scalars hooks write."""
    if isinstance(value, str):
        return _json.encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return dumps(str(value))


# --- reading the event ---------------------------------------------------------------------------


def read_event(stream=None) -> dict:
    data = (stream or sys.stdin.buffer).read()
    if not data.strip():
        raise BadEvent("stdin is empty; Claude Code sends one JSON object per hook call")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadEvent(f"stdin is not UTF-8 (byte {exc.start})") from None
    event = loads(text)
    if not isinstance(event, dict):
        raise BadEvent(f"stdin is JSON {type(event).__name__}, expected an object")
    return event


def field(event: dict, name: str, kind: type = str, required: bool = True):
    """A top-level event field of the expected type, or ``BadEvent`` naming it."""
    value = event.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        got = "missing" if value is None else type(value).__name__
        raise BadEvent(f"field {name!r} should be {kind.__name__}, got {got}")
    return value


# --- answering ---------------------------------------------------------------------------------


def render(decision: Decision, event_name: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for a decision: exactly one channel carries the answer."""
    if decision.action == "deny":
        out = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": decision.message,
            }
        }
        return EXIT_OK, dumps(out) + "\n", ""
    if decision.action == "feedback":
        return EXIT_FEEDBACK, "", decision.message.rstrip("\n") + "\n"
    if decision.action == "notice":
        return EXIT_OK, dumps({"systemMessage": decision.message}) + "\n", ""
    if decision.action == "context" and event_name in _CONTEXT_EVENTS:
        out = {
            "hookSpecificOutput": {
                "hookEventName": event_name,
                "additionalContext": decision.message,
            }
        }
        return EXIT_OK, dumps(out) + "\n", ""
    return EXIT_OK, "", ""


def log_path(event: dict | None) -> str | None:
    """Where the decision log goes, or None: ``$CC_PACK_LOG``, else the run-state dir's
    ``decisions.jsonl`` if it exists (create it to turn logging on)."""
    path = os.environ.get("CC_PACK_LOG")
    if path:
        return path
    project = os.environ.get("CLAUDE_PROJECT_DIR") or (event or {}).get("cwd")
    if not isinstance(project, str) or not project:
        return None
    path = os.path.join(project, ".claude", "cc-pack", "decisions.jsonl")
    return path if os.path.isfile(path) else None


def write_log(path: str, record: dict) -> None:
    # One write on an O_APPEND descriptor: concurrent hooks never interleave or lose lines,
    # which buffered appends were measured to do.
    line = (dumps(record) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _fallback(hook: str, on_error: str, event_name: str, problem: str) -> Decision:
    if on_error == "deny" and event_name in ("PreToolUse", ""):
        return Decision.deny(
            f"cc-pack {hook} could not decide, so it denies: {problem}. "
            "If this persists, check the hook's input and the run state with `cc-pack run status`.",
            log={"error": problem},
        )
    return Decision.allow(log={"error": problem})


def main(decide, *, hook: str, on_error: str, budget: float = DEFAULT_BUDGET) -> None:
    """Run one hook process: stdin -> decide -> answer -> exit. Never raises.

    ``on_error`` is the hook's failure policy: ``"deny"`` for guards (a guard that cannot decide
    denies with the reason), ``"silent"`` for advisory hooks (they stay out of the way).
    ``budget``: seconds before the decision is abandoned and the failure policy answers."""
    started = time.perf_counter()
    event: dict | None = None
    event_name = ""
    try:
        _arm(budget)
        event = read_event()
        event_name = (
            event.get("hook_event_name") if isinstance(event.get("hook_event_name"), str) else ""
        )
        decision = decide(event)
    except BadEvent as exc:
        decision = _fallback(hook, on_error, event_name, f"bad input: {exc}")
    except OverBudget:
        decision = _fallback(
            hook, on_error, event_name, f"it took longer than its budget of {budget:g} s"
        )
    except Exception as exc:  # a hook must never hand Claude Code a traceback
        decision = _fallback(
            hook, on_error, event_name, f"internal error: {type(exc).__name__}: {exc}"
        )
    try:
        import _signal

        _signal.setitimer(_signal.ITIMER_REAL, 0)
    except BaseException:
        pass  # the answer below is all that is left to do
    try:
        code, out, err = render(decision, event_name)
    except Exception as exc:
        code, out, err = render(_fallback(hook, on_error, event_name, str(exc)), event_name)
    try:
        path = log_path(event)
        if path:
            record = {
                "ts": round(time.time(), 3),
                "hook": hook,
                "event": event_name,
                "session_id": (event or {}).get("session_id"),
                "agent_id": (event or {}).get("agent_id"),
                "agent_type": (event or {}).get("agent_type"),
                "tool_name": (event or {}).get("tool_name"),
                "decision": decision.action,
                "message": decision.message[:500],
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
            if decision.log:
                record["detail"] = decision.log
            write_log(path, record)
    except Exception:
        pass  # the log is optional; it never changes the answer
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    sys.exit(code)


def opted_in(project: str | None) -> bool:
    """Whether the project uses cc-pack: its configuration ``.claude/cc-pack.yaml``, its state dir
    ``.claude/cc-pack/`` (init, every run and every command that reads the run state create it)
    or the drop-in hooks ``.claude/hooks/cc-pack/``. A plugin installed at user scope runs its
    hooks in every project; in one that never opted in they answer nothing at all (README:
    plugin). The state dir and the hook dir are protected by the scope guard, so a session
    cannot opt a project out of its own run. Without ``$CLAUDE_PROJECT_DIR`` (Claude Code always
    sets it) the hook cannot tell, and decides as usual."""
    if not project:
        return True
    claude = os.path.join(project, ".claude")
    return (
        os.path.exists(os.path.join(claude, "cc-pack.yaml"))
        or os.path.isdir(os.path.join(claude, "cc-pack"))
        or os.path.isdir(os.path.join(claude, "hooks", "cc-pack"))
    )


def run(rules) -> None:
    """The entry files' one call: ``rules`` is a module of ``cc_pack_hooks.rules``.

    ``$CC_PACK_HOOK_BUDGET`` may lower the module's time budget (tests do), never raise it: a
    budget past the registered timeout would let Claude Code cancel the hook, and run the tool."""
    if not opted_in(os.environ.get("CLAUDE_PROJECT_DIR")):
        try:  # noqa: SIM105 - contextlib is one more import on the hooks' hot path
            sys.stdin.buffer.read()  # Claude Code writes the event; take it before leaving
        except Exception:
            pass
        sys.exit(EXIT_OK)
    budget = getattr(rules, "BUDGET", DEFAULT_BUDGET)
    try:  # noqa: SIM105 - contextlib is one more import on the hooks' hot path
        budget = min(budget, float(os.environ.get("CC_PACK_HOOK_BUDGET") or budget))
    except ValueError:
        pass
    main(rules.handle, hook=rules.HOOK, on_error=rules.ON_ERROR, budget=max(budget, 0.001))
