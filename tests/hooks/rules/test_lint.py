"""Lint after edit with the real ruff: touched lines only, formats, timeouts."""

from __future__ import annotations

import json

from hookenv import RUFF, run_hook

from cc_pack_hooks.rules import lint


def ruff_config(project):
    linter = {"glob": "**/*.py", "command": [RUFF, "check", "--output-format", "json", "--no-cache",
                                             "--isolated", "--select", "F", "{file}"],
              "format": "ruff-json"}  # fmt: skip
    project.start(status="PASS", config={"lint": {"timeout": 10, "linters": [linter]}})
    # the linter config comes from the compiled config when no active run governs the session
    (project.root / ".claude" / "cc-pack" / "config.json").write_text(
        json.dumps({"config": {"lint": {"timeout": 10, "linters": [linter]}}})
    )


def edit_event(project, path, patch, content=None):
    tool_input = {"file_path": str(path), "old_string": "a", "new_string": "b"}
    response = {"filePath": str(path), "structuredPatch": patch}
    if content is not None:
        tool_input = {"file_path": str(path), "content": content}
        response = {"type": "create", "filePath": str(path), "structuredPatch": []}
    return project.event(
        hook_event_name="PostToolUse",
        tool_name="Write" if content is not None else "Edit",
        tool_input=tool_input,
        tool_response=response,
    )


def test_lint_reports_only_touched_lines(project):
    ruff_config(project)
    path = project.root / "src" / "mod.py"
    path.write_text("import os\nimport sys\nx = 1\n")
    patch = [
        {
            "oldStart": 2,
            "oldLines": 1,
            "newStart": 2,
            "newLines": 1,
            "lines": ["-import re", "+import sys"],
        }
    ]
    decision = lint.decide(edit_event(project, path, patch))
    assert decision.action == "feedback"
    assert "src/mod.py:2:8 F401" in decision.message and ":1:" not in decision.message
    assert path.read_text() == "import os\nimport sys\nx = 1\n"  # never rewritten


def test_lint_clean_edit_is_silent(project):
    ruff_config(project)
    path = project.root / "src" / "mod.py"
    path.write_text("import os\nx = 1\n")
    patch = [
        {"oldStart": 2, "oldLines": 1, "newStart": 2, "newLines": 1, "lines": ["-x = 2", "+x = 1"]}
    ]
    assert lint.decide(edit_event(project, path, patch)).action == "allow"


def test_lint_new_file_all_lines_and_cap(project):
    ruff_config(project)
    path = project.root / "src" / "new.py"
    content = "".join(f"import m{k}\n" for k in range(25))
    path.write_text(content)
    decision = lint.decide(edit_event(project, path, None, content=content))
    assert decision.message.count("F401") == 20 and "(5 more)" in decision.message


def test_lint_missing_linter_and_timeout(project):
    path = project.root / "src" / "x.py"
    path.write_text("import os\n")
    for linter, expected in [
        (
            {"glob": "**/*.py", "command": ["no-such-linter-xyz", "{file}"], "format": "text"},
            "allow",
        ),
        (
            {"glob": "**/*.py", "command": ["sh", "-c", "sleep 5", "{file}"], "format": "text"},
            "context",
        ),
    ]:
        (project.root / ".claude" / "cc-pack" / "config.json").write_text(
            json.dumps({"config": {"lint": {"timeout": 0.3, "linters": [linter]}}})
        )
        decision = lint.decide(edit_event(project, path, None, content="import os\n"))
        assert decision.action == expected, decision
    assert decision.message.startswith("cc-pack lint: sh took longer than 0.3 s")


def test_lint_text_format():
    out = "a.py:3:5: E1 bad thing\na.py:7: warn\nnoise\n"
    assert lint.parse_text(out) == [(3, 5, "", "E1 bad thing"), (7, 1, "", "warn")]


def test_lint_process(project):
    ruff_config(project)
    path = project.root / "src" / "mod.py"
    path.write_text("import os\n")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("lint_after_edit", edit_event(project, path, None, content="import os\n"), env)
    assert proc.returncode == 2 and proc.stdout == b"" and b"src/mod.py:1:8 F401" in proc.stderr
    for bad in (b"", b"{]", b'{"tool_name": "Edit", "tool_input": 3}'):
        proc = run_hook("lint_after_edit", bad, env)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
