"""Fail closed: every way an installed hook can break makes a guard deny with the reason and an
advisory hook stay silent — never exit 1, never silence from a guard, always in bounded time.

Each case breaks a real install (``cc-pack init``) and runs the hook exactly as registered in
``.claude/settings.json`` (exec form: ``/bin/sh -c '. "$0" || exit 2' run-hook <entry> <policy>``),
because Claude Code lets the tool call run on any exit code but 0 and 2 (reference 0.14)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from realproc import git, run_cli

HOOK_DIR = Path(".claude/hooks/cc-pack")
GUARDS = ["scope_guard", "spawn_gate"]
ADVISORY = ["bash_audit", "lint_after_edit", "approval_capture", "contract_check", "stop_gate"]


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    repo = tmp_path / "proj"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    done = run_cli("init", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    return repo


def registered(repo: Path, entry: str) -> list[str]:
    settings = json.loads((repo / ".claude/settings.json").read_text())
    for groups in settings["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                if entry in handler.get("args", []):
                    return [
                        part.replace("${CLAUDE_PROJECT_DIR}", str(repo))
                        for part in [handler["command"], *handler["args"]]
                    ]
    raise AssertionError(f"{entry} is not registered")


def event_for(repo: Path, entry: str) -> dict:
    base = {"session_id": "s1", "cwd": str(repo), "transcript_path": "/dev/null"}
    if entry == "spawn_gate":
        agent = {"description": "d", "prompt": "p", "subagent_type": "x"}
        return {**base, "hook_event_name": "PreToolUse", "tool_name": "Agent", "tool_input": agent}
    if entry == "scope_guard":
        return {**base, "hook_event_name": "PreToolUse", "tool_name": "Write",
                "tool_input": {"file_path": str(repo / "app.py"), "content": "y"}}  # fmt: skip
    events = {
        "bash_audit": {"hook_event_name": "PostToolUse", "tool_name": "Bash",
                       "tool_input": {"command": "ls"}, "tool_response": {}},
        "lint_after_edit": {"hook_event_name": "PostToolUse", "tool_name": "Write",
                            "tool_input": {"file_path": str(repo / "app.py"), "content": "x"},
                            "tool_response": {"type": "create"}},
        "approval_capture": {"hook_event_name": "UserPromptSubmit", "prompt": "hello"},
        "contract_check": {"hook_event_name": "SubagentStop", "agent_id": "a1",
                           "agent_type": "correctness-reviewer", "last_assistant_message": "{}",
                           "stop_hook_active": False},
        "stop_gate": {"hook_event_name": "Stop", "stop_hook_active": False},
    }  # fmt: skip
    return {**base, **events[entry]}


def call(repo: Path, entry: str, stdin=None, env: dict | None = None, timeout: float = 40):
    data = stdin if stdin is not None else json.dumps(event_for(repo, entry))
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo.parent / "home"),
        "CLAUDE_PROJECT_DIR": str(repo),
        **(env or {}),
    }
    started = time.monotonic()
    done = subprocess.run(
        registered(repo, entry),
        input=data.encode() if isinstance(data, str) else data,
        capture_output=True,
        env=full_env,
        cwd=repo,
        timeout=timeout,
        check=False,
    )
    return done, time.monotonic() - started


def assert_denied(done, *words: str) -> str:
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    answer = json.loads(done.stdout)["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny", answer
    reason = answer["permissionDecisionReason"]
    for word in words:
        assert word in reason, reason
    return reason


def assert_silent(done) -> None:
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == b""


def module(repo: Path, rel: str) -> Path:
    return repo / HOOK_DIR / "cc_pack_hooks" / rel


BREAKAGES = {
    # a module that does not parse
    "syntax error in the rules module": lambda repo, entry: module(
        repo, f"rules/{RULES[entry]}.py"
    ).write_text("def broken(:\n"),
    # a shared module that raises while importing
    "runtime raises on import": lambda repo, entry: module(repo, "runtime.py").write_text(
        "raise RuntimeError('corrupted')\n"
    ),
    # the package gone
    "package deleted": lambda repo, entry: [
        p.unlink() for p in sorted((repo / HOOK_DIR / "cc_pack_hooks").rglob("*.py"))
    ],
    # the interpreter kills itself (a signal, not an exit code)
    "killed by a signal": lambda repo, entry: module(repo, "store.py").write_text(
        "import os\nos.kill(os.getpid(), 9)\n"
    ),
    # the entry file itself corrupted
    "entry file corrupted": lambda repo, entry: (repo / HOOK_DIR / f"{entry}.py").write_text(
        "import sys\nsys.exit(1)\n"
    ),
}
RULES = {
    "scope_guard": "scope",
    "spawn_gate": "spawn",
    "bash_audit": "audit",
    "lint_after_edit": "lint",
    "approval_capture": "approval",
    "contract_check": "contract",
    "stop_gate": "stop",
}


@pytest.mark.parametrize("entry", GUARDS)
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_install_makes_a_guard_deny(installed: Path, entry: str, breakage: str):
    BREAKAGES[breakage](installed, entry)
    for cache in installed.rglob("__pycache__"):
        for pyc in cache.iterdir():
            pyc.unlink()
    done, _ = call(installed, entry)
    assert_denied(done, f"cc-pack {entry} denied this call", "cc-pack init")


@pytest.mark.parametrize("entry", ADVISORY)
@pytest.mark.parametrize("breakage", ["syntax error in the rules module", "killed by a signal"])
def test_a_broken_install_leaves_an_advisory_hook_silent(installed, entry, breakage):
    BREAKAGES[breakage](installed, entry)
    for pyc in installed.rglob("*.pyc"):
        pyc.unlink()
    done, _ = call(installed, entry)
    assert_silent(done)


@pytest.mark.parametrize("entry", GUARDS)
def test_no_interpreter_denies_and_names_the_fix(installed: Path, entry: str, tmp_path: Path):
    (installed / ".claude/cc-pack/local.conf").write_text("hook_python=/nonexistent/python3\n")
    bare = tmp_path / "bin"  # a PATH with sh's own tools but no python3
    bare.mkdir()
    done, _ = call(installed, entry, env={"PATH": str(bare)})
    assert_denied(done, "no Python 3 interpreter was found", "cc-pack init")


def test_a_missing_entry_file_blocks(installed: Path):
    (installed / HOOK_DIR / "scope_guard.py").unlink()
    done, _ = call(installed, "scope_guard")
    assert done.returncode == 2  # python: can't open file -> a blocking error, not "allow"
    assert b"scope_guard.py" in done.stderr


def test_a_missing_launcher_blocks(installed: Path):
    (installed / HOOK_DIR / "run-hook").unlink()
    done, _ = call(installed, "scope_guard")
    assert done.returncode == 2, (done.returncode, done.stderr)


@pytest.mark.parametrize("entry", GUARDS)
@pytest.mark.parametrize(
    "stdin",
    [b"", b"not json", b"[1, 2]", b'{"hook_event_name": "PreToolUse", "tool_name": "Bash"}',
     b"\xff\xfe", b'{"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": 3}'],
)  # fmt: skip
def test_malformed_input_makes_a_guard_deny(installed: Path, entry: str, stdin: bytes):
    if entry == "spawn_gate":  # the same malformations, on the tool the gate handles
        stdin = stdin.replace(b"Write", b"Agent").replace(b"Bash", b"Agent")
    done, _ = call(installed, entry, stdin=stdin)
    assert_denied(done, "denies")


def test_a_pathological_command_is_denied_within_the_budget(installed: Path):
    """The analysis gives up at its budget (5 s, lowered here to 0.3 s) and denies; the hook is
    registered with a 30 s timeout, so Claude Code never cancels it (which would allow)."""
    run_cli("run", "start", "t", cwd=installed)
    command = " ; ".join(f"echo $(echo $(echo {k}))" for k in range(20000))
    stdin = json.dumps({**event_for(installed, "scope_guard"), "tool_name": "Bash",
                        "tool_input": {"command": command}})  # fmt: skip
    done, took = call(installed, "scope_guard", stdin=stdin, env={"CC_PACK_HOOK_BUDGET": "0.3"})
    assert_denied(done, "budget")
    assert took < 5, took


def test_the_budget_cannot_be_raised_from_the_environment(installed: Path):
    from cc_pack_hooks.rules import scope

    assert scope.BUDGET if hasattr(scope, "BUDGET") else True
    run_cli("run", "start", "t", cwd=installed)
    command = " ; ".join(f"echo $(echo $(echo {k}))" for k in range(20000))
    stdin = json.dumps({**event_for(installed, "scope_guard"), "tool_name": "Bash",
                        "tool_input": {"command": command}})  # fmt: skip
    done, took = call(installed, "scope_guard", stdin=stdin, env={"CC_PACK_HOOK_BUDGET": "999"})
    assert done.returncode == 0
    assert took < 25, took  # at most the module's own budget, far below the registered 30 s
