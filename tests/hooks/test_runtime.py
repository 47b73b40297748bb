"""The shared hook runtime, as real processes: stdin in, exit code + stdout + stderr out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc_pack import pack
from cc_pack_hooks import runtime

PROBE = """\
import os
from cc_pack_hooks import runtime
from cc_pack_hooks.runtime import Decision, field


def decide(event):
    tool = field(event, "tool_name")
    if tool == "Write":
        return Decision.deny("no writes here", log={"why": "probe"})
    if tool == "Boom":
        raise RuntimeError("kaboom")
    if tool == "Feedback":
        return Decision.feedback("fix line 3")
    if tool == "Context":
        return Decision.context("note for the model")
    return Decision.allow()


if __name__ == "__main__":
    runtime.main(decide, hook="probe", on_error=os.environ.get("PROBE_POLICY", "deny"))
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    """A hook laid out as `init` installs them: the entry file beside a copy of the package."""
    hook_dir = tmp_path / "hooks"
    hook_dir.mkdir()
    shutil.copytree(pack.hook_package_dir(), hook_dir / "cc_pack_hooks")
    (hook_dir / "probe.py").write_text(PROBE)
    return hook_dir / "probe.py"


def run(probe: Path, stdin: bytes | str, policy: str = "deny", env: dict | None = None):
    data = stdin.encode() if isinstance(stdin, str) else stdin
    full_env = {"PATH": os.environ["PATH"], "PROBE_POLICY": policy, **(env or {})}
    return subprocess.run(
        [sys.executable, "-S", str(probe)],
        input=data,
        capture_output=True,
        env=full_env,
        timeout=30,
        check=False,
    )


def event(tool: object, **extra) -> str:
    return json.dumps(
        {
            "hook_event_name": "PreToolUse",
            "session_id": "s1",
            "cwd": "/tmp",
            "tool_name": tool,
            "tool_input": {},
            **extra,
        }
    )


def test_deny_is_json_on_stdout_with_exit_0(probe: Path):
    done = run(probe, event("Write"))
    assert done.returncode == 0
    assert done.stderr == b""
    assert json.loads(done.stdout) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "no writes here",
        }
    }


def test_allow_says_nothing(probe: Path):
    done = run(probe, event("Read"))
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


def test_feedback_is_exit_2_on_stderr_only(probe: Path):
    done = run(probe, event("Feedback"))
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr == b"fix line 3\n"


def test_context_names_the_running_event(probe: Path):
    done = run(probe, event("Context", hook_event_name="PostToolUse"))
    assert done.returncode == 0
    assert done.stderr == b""
    assert json.loads(done.stdout) == {
        "hookSpecificOutput": {
            "hookEventName": "PostToolUse",
            "additionalContext": "note for the model",
        }
    }


BAD_INPUTS = {
    "malformed": ('{"tool_name": "Write",', "not valid JSON (line 1, column 23"),
    "empty": ("", "stdin is empty"),
    "whitespace": ("  \n ", "stdin is empty"),
    "array": ("[1, 2]", "expected an object"),
    "wrong_type": (event(5), "field 'tool_name' should be str, got int"),
    "missing_field": (
        '{"hook_event_name": "PreToolUse"}',
        "field 'tool_name' should be str, got missing",
    ),
    "not_utf8": (b'{"tool_name": "\xff\xfe"}', "stdin is not UTF-8"),
    "nan": ('{"tool_name": NaN}', "not valid JSON"),
    "trailing": (event("Read") + " {}", "not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_a_guard_that_cannot_decide_denies_with_the_reason(probe: Path, name: str):
    stdin, reason = BAD_INPUTS[name]
    done = run(probe, stdin)
    assert done.returncode == 0
    assert done.stderr == b""
    out = json.loads(done.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert "cc-pack probe could not decide" in out["permissionDecisionReason"]
    assert reason in out["permissionDecisionReason"]


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_an_advisory_hook_stays_silent_on_bad_input(probe: Path, name: str):
    done = run(probe, BAD_INPUTS[name][0], policy="silent")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


def test_an_exception_in_decide_never_reaches_claude_code_as_a_traceback(probe: Path):
    done = run(probe, event("Boom"))
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr + done.stdout
    reason = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "internal error: RuntimeError: kaboom" in reason


def test_one_megabyte_event(probe: Path):
    big = event("Write", tool_input={"file_path": "/tmp/x", "content": "x" * (1 << 20)})
    done = run(probe, big)
    assert done.returncode == 0
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_deeply_nested_input_is_bad_input_not_a_crash(probe: Path):
    done = run(probe, "[" * 100000 + "]" * 100000)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_decision_log_lines_are_whole_under_concurrency(probe: Path, tmp_path: Path):
    log = tmp_path / "decisions.jsonl"
    payload = event("Write", tool_input={"content": "y" * 5000})
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: run(probe, payload, env={"CC_PACK_LOG": str(log)}), range(40))
        )
    assert all(r.returncode == 0 for r in results)
    lines = log.read_text().splitlines()
    assert len(lines) == 40
    records = [json.loads(line) for line in lines]
    assert {r["decision"] for r in records} == {"deny"}
    assert {r["hook"] for r in records} == {"probe"}
    assert records[0]["detail"] == {"why": "probe"}


def test_decision_log_is_off_unless_asked(probe: Path, tmp_path: Path):
    project = tmp_path / "proj"
    (project / ".claude" / "cc-pack").mkdir(parents=True)
    env = {"CLAUDE_PROJECT_DIR": str(project)}
    run(probe, event("Write"), env=env)
    assert not (project / ".claude/cc-pack/decisions.jsonl").exists()
    (project / ".claude/cc-pack/decisions.jsonl").touch()  # exists = on
    run(probe, event("Write"), env=env)
    assert len((project / ".claude/cc-pack/decisions.jsonl").read_text().splitlines()) == 1


def test_runtime_does_not_import_json_or_re_on_the_hot_path(probe: Path, tmp_path: Path):
    check = probe.parent / "imports.py"
    check.write_text(
        "import sys, io\nfrom cc_pack_hooks import runtime\n"
        'sys.stdin = io.TextIOWrapper(io.BytesIO(b\'{"tool_name": "Read"}\'))\n'
        "runtime.read_event(sys.stdin.buffer)\n"
        "print(sorted(m for m in ('json', 're', 'subprocess') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-S", str(check)], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "[]", done.stderr


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_and_dumps_agree_with_the_json_module(value):
    assert runtime.loads(json.dumps(value)) == value
    assert json.loads(runtime.dumps(value)) == value


def test_non_json_constants_are_refused():
    for text in ("NaN", "Infinity", "-Infinity", '{"a": NaN}'):
        with pytest.raises(runtime.BadEvent):
            runtime.loads(text)
