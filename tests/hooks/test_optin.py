"""A plugin installed at user scope runs its hooks in every project: in one that never opted in to
cc-pack (no .claude/cc-pack.yaml, no .claude/cc-pack/, no drop-in hooks) each hook must answer
nothing at all, whatever the event; once the project opts in, the same event is decided."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cc_pack import hookspec
from realproc import run_hook

ENTRIES = [name.removesuffix(".py") for name in hookspec.scripts()]


def guarded_write(project: Path) -> str:
    """A Write the scope guard denies in every opted-in project, run or no run."""
    return json.dumps(
        {
            "hook_event_name": "PreToolUse",
            "session_id": "s",
            "cwd": str(project),
            "tool_name": "Write",
            "tool_input": {
                "file_path": str(project / ".claude/cc-pack/active.json"),
                "content": "",
            },
        }
    )


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_hook_is_silent_in_a_project_that_has_not_opted_in(tmp_path: Path, entry: str):
    project = tmp_path / "elsewhere"
    (project / "src").mkdir(parents=True)
    bad = project / "src" / "bad.py"
    bad.write_text("import os\n")  # unused import: the lint hook would complain in an opted-in one
    event = json.loads(guarded_write(project))
    event["tool_input"]["file_path"] = str(bad) if entry == "lint_after_edit" else event[
        "tool_input"]["file_path"]  # fmt: skip
    done = run_hook(entry, json.dumps(event), env={"CLAUDE_PROJECT_DIR": str(project)})
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b""), entry
    assert not (project / ".claude").exists()  # and leaves no trace


@pytest.mark.parametrize(
    "opt_in", [".claude/cc-pack.yaml", ".claude/cc-pack/", ".claude/hooks/cc-pack/"]
)
def test_an_opted_in_project_is_guarded(tmp_path: Path, opt_in: str):
    project = tmp_path / "mine"
    project.mkdir()
    silent = run_hook(
        "scope_guard", guarded_write(project), env={"CLAUDE_PROJECT_DIR": str(project)}
    )
    assert silent.stdout == b""
    (project / opt_in).parent.mkdir(parents=True, exist_ok=True)
    if opt_in.endswith("/"):
        (project / opt_in).mkdir()
    else:
        (project / opt_in).write_text("version: 1\n")
    done = run_hook("scope_guard", guarded_write(project), env={"CLAUDE_PROJECT_DIR": str(project)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
