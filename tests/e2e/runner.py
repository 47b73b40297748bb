"""Running the real Claude Code headless against the fake API, and reading what it printed.

``Claude`` wraps one pinned binary with a fresh ``HOME`` and project directory; ``run()`` starts
``claude -p … --output-format stream-json --verbose`` in its own process group with the
environment of reference Appendix 4, waits with a hard timeout, then kills by PID whatever it
started (``reap``: its group and every descendant, including the detached Bash shells) and
parses stdout into a ``Transcript``. A second user prompt in the same session
(``/orchestrate approve``) is ``run(prompt, resume=first.session_id)``.

Where the binaries live and how a missing one is installed is ``tests/claudebin.py`` (shared with
the validator's oracle test); its names are re-exported here for the e2e tests.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from claudebin import VERSIONS, BinaryMissing, binary_path, cache_dir, ensure_binary, in_ci

__all__ = [
    "VERSIONS",
    "BinaryMissing",
    "Claude",
    "Transcript",
    "binary_path",
    "cache_dir",
    "ensure_binary",
    "in_ci",
    "reap",
]

CALL_TIMEOUT = 120.0
PR_SET_CHILD_SUBREAPER = 36

VENV_BIN = Path(sys.executable).parent
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


# --- what Claude Code printed -------------------------------------------------------------------


@dataclass
class Transcript:
    """One ``claude -p`` process: its stream-json events, exit code and stderr."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    events: list[dict] = field(default_factory=list)

    @classmethod
    def parse(cls, argv, returncode, stdout, stderr, seconds, timed_out=False) -> Transcript:
        events = []
        for line in stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    events.append(json.loads(line))
        return cls(argv, returncode, stdout, stderr, seconds, timed_out, events)

    def of(self, kind: str, subtype: str | None = None) -> list[dict]:
        return [
            e
            for e in self.events
            if e.get("type") == kind and (subtype is None or e.get("subtype") == subtype)
        ]

    @property
    def init(self) -> dict:
        found = self.of("system", "init")
        assert found, f"no init line in stream-json output\n{self.describe()}"
        return found[0]

    @property
    def result(self) -> dict:
        found = self.of("result")
        assert found, f"no result line in stream-json output\n{self.describe()}"
        return found[-1]

    @property
    def session_id(self) -> str:
        return self.init["session_id"]

    @property
    def permission_denials(self) -> list[dict]:
        return self.result.get("permission_denials") or []

    def tool_uses(self) -> list[dict]:
        """Every tool_use block the model emitted (main thread and subagents), in order."""
        out = []
        for event in self.of("assistant"):
            for block in event.get("message", {}).get("content") or []:
                if block.get("type") == "tool_use":
                    out.append(block)
        return out

    def tool_results(self) -> list[dict]:
        """Every tool_result as ``{"tool_use_id", "is_error", "text"}``, in order."""
        out = []
        for event in self.of("user"):
            content = event.get("message", {}).get("content")
            if not isinstance(content, list):
                continue
            for block in content:
                if block.get("type") != "tool_result":
                    continue
                inner = block.get("content")
                if isinstance(inner, list):
                    inner = "\n".join(b.get("text", "") for b in inner if isinstance(b, dict))
                out.append(
                    {
                        "tool_use_id": block.get("tool_use_id"),
                        "is_error": bool(block.get("is_error")),
                        "text": inner or "",
                    }
                )
        return out

    def result_for(self, tool_name: str, nth: int = 0) -> dict:
        """The tool_result answering the ``nth`` call of ``tool_name``."""
        ids = [u["id"] for u in self.tool_uses() if u.get("name") == tool_name]
        assert len(ids) > nth, f"no call #{nth} of {tool_name}; calls: {self.tool_uses()}"
        results = {r["tool_use_id"]: r for r in self.tool_results()}
        assert ids[nth] in results, f"no result for {tool_name} call {ids[nth]}\n{self.describe()}"
        return results[ids[nth]]

    def describe(self) -> str:
        """Enough of the run to debug a failed assertion."""
        lines = [
            f"argv: {self.argv}",
            f"exit {self.returncode} after {self.seconds:.1f}s"
            + (" (TIMED OUT)" if self.timed_out else ""),
        ]
        for event in self.events:
            kind = event.get("type")
            if kind == "system" and event.get("subtype") == "init":
                lines.append(
                    f"init: agents={event.get('agents')} plugin_errors={event.get('plugin_errors')}"
                )
            elif kind in ("assistant", "user"):
                for block in event.get("message", {}).get("content") or []:
                    if not isinstance(block, dict):
                        continue
                    if block.get("type") == "text":
                        lines.append(f"{kind}: text {block['text'][:300]!r}")
                    elif block.get("type") == "tool_use":
                        lines.append(
                            f"{kind}: tool_use {block['name']} {json.dumps(block['input'])[:300]}"
                        )
                    elif block.get("type") == "tool_result":
                        inner = block.get("content")
                        lines.append(
                            f"{kind}: tool_result is_error={block.get('is_error')} "
                            f"{str(inner)[:300]!r}"
                        )
            elif kind == "result":
                lines.append(f"result: {json.dumps(event)[:800]}")
        if self.stderr.strip():
            lines.append("stderr: " + self.stderr.strip()[-1500:])
        return "\n".join(lines)


# --- running it ---------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def _descendants(roots: list[int], tree: dict[int, list[int]]) -> list[int]:
    seen: list[int] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        todo.extend(tree.get(pid, []))
    return seen


_subreaper = False


def _become_subreaper() -> None:
    """Claude Code starts Bash commands detached (own session), so killing its process group
    misses them, and when claude exits they are re-parented. As a child subreaper this process
    inherits them instead of init, so ``reap`` can still find and kill them by PID."""
    global _subreaper
    if not _subreaper:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        _subreaper = True


def reap(pid: int, known_children: set[int]) -> None:
    """SIGKILL ``pid``, its process group and every process it started (also those re-parented
    to us), each by PID; then collect the ones that became our children."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for _ in range(3):  # a dying shell may fork once more; repeat until nothing is left
        tree = _children()
        orphans = [p for p in tree.get(os.getpid(), []) if p not in known_children]
        victims = [p for p in _descendants([pid, *orphans], tree) if p != os.getpid()]
        if not victims:
            break
        for victim in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(victim, signal.SIGKILL)
        for victim in victims:
            if victim != pid and victim in tree.get(os.getpid(), []) + orphans:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(victim, 0)


class Claude:
    """One pinned Claude Code binary in one sandbox: fresh HOME, one project dir, one fake API."""

    def __init__(
        self,
        binary: Path,
        version: str,
        home: Path,
        project: Path,
        base_url: str,
        env: dict[str, str] | None = None,
    ):
        self.binary = Path(binary)
        self.version = version
        self.home = Path(home)
        self.project = Path(project)
        self.base_url = base_url
        self.extra_env = dict(env or {})
        self.transcripts: list[Transcript] = []
        self._running: tuple[int, set[int]] | None = None  # (pid, children before it started)
        self.home.mkdir(parents=True, exist_ok=True)
        self.project.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        env = {
            "HOME": str(self.home),
            "PATH": f"{VENV_BIN}:{SYSTEM_PATH}",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "ANTHROPIC_BASE_URL": self.base_url,
            "ANTHROPIC_API_KEY": "sk-ant-fake-e2e",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_AUTOUPDATER": "1",
            "DISABLE_ERROR_REPORTING": "1",
            # --dangerously-skip-permissions refuses to run as root without it
            "IS_SANDBOX": "1",
        }
        env.update(self.extra_env)
        return env

    def argv(
        self,
        prompt: str | None,
        *,
        skip_permissions: bool = True,
        permission_mode: str | None = None,
        plugin_dir: Path | None = None,
        resume: str | None = None,
        continue_: bool = False,
        stream_input: bool = False,
        extra: list[str] | None = None,
    ) -> list[str]:
        argv = [str(self.binary), "-p"]
        if prompt is not None:
            argv.append(prompt)
        argv += ["--output-format", "stream-json", "--verbose"]
        if stream_input:
            argv += ["--input-format", "stream-json"]
        if skip_permissions:
            argv.append("--dangerously-skip-permissions")
        if permission_mode:
            argv += ["--permission-mode", permission_mode]
        if plugin_dir is not None:
            argv += ["--plugin-dir", str(plugin_dir)]
        if resume:
            argv += ["--resume", resume]
        if continue_:
            argv.append("--continue")
        return argv + list(extra or [])

    def kill(self) -> bool:
        """SIGKILL the running ``claude -p`` and everything it started, by PID (a crash in
        mid-run; callable from a fake API thread while ``run`` waits). False: none running."""
        running = self._running
        if running is None:
            return False
        reap(*running)
        return True

    def run(
        self,
        prompt: str | None = None,
        *,
        timeout: float = CALL_TIMEOUT,
        stdin_messages: list[str] | None = None,
        cwd: Path | None = None,
        **options,
    ) -> Transcript:
        """One ``claude -p`` process. ``stdin_messages`` sends user turns with
        ``--input-format stream-json`` instead of a prompt argument."""
        stream_input = stdin_messages is not None
        argv = self.argv(prompt, stream_input=stream_input, **options)
        stdin_data = ""
        if stream_input:
            stdin_data = "".join(
                json.dumps({"type": "user", "message": {"role": "user", "content": text}}) + "\n"
                for text in stdin_messages
            )
        _become_subreaper()
        known = set(_children().get(os.getpid(), []))
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=cwd or self.project,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self._running = (proc.pid, known)
        timed_out = False
        try:
            out, err = proc.communicate(stdin_data, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            reap(proc.pid, known)
            out, err = proc.communicate()
        finally:
            self._running = None
            # hooks and Bash commands may outlive claude, some in their own sessions
            reap(proc.pid, known)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        transcript = Transcript.parse(
            argv, proc.returncode, out, err, time.monotonic() - started, timed_out
        )
        self.transcripts.append(transcript)
        return transcript
