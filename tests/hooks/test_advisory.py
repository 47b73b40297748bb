"""Lint after edit (real ruff), contract check (validator vs jsonschema), Bash audit (real git),
and the default-config copy."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hookenv import REPO, run_hook

import bash_audit
import contract
import contract_check
import edit_lint
import lint_after_edit
import roles

RUFF = str(Path(sys.executable).parent / "ruff")
SCHEMA_PATH = REPO / "skills" / "output-contract" / "findings.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def test_default_config_copy_matches_the_cli():
    from cc_pack.config import Config, compile_config

    assert compile_config(Config()) == roles.DEFAULT_CONFIG


# --- lint ----------------------------------------------------------------------------------------


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
    decision = lint_after_edit.decide(edit_event(project, path, patch))
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
    assert lint_after_edit.decide(edit_event(project, path, patch)).action == "allow"


def test_lint_new_file_all_lines_and_cap(project):
    ruff_config(project)
    path = project.root / "src" / "new.py"
    content = "".join(f"import m{k}\n" for k in range(25))
    path.write_text(content)
    decision = lint_after_edit.decide(edit_event(project, path, None, content=content))
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
        decision = lint_after_edit.decide(edit_event(project, path, None, content="import os\n"))
        assert decision.action == expected, decision
    assert decision.message.startswith("cc-pack lint: sh took longer than 0.3 s")


def test_lint_text_format():
    out = "a.py:3:5: E1 bad thing\na.py:7: warn\nnoise\n"
    assert edit_lint.parse_text(out) == [(3, 5, "", "E1 bad thing"), (7, 1, "", "warn")]


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


# --- contract ------------------------------------------------------------------------------------

VALID = {
    "reviewer": "security-reviewer",
    "summary": "one issue",
    "findings": [
        {"severity": "HIGH", "file": "src/a.py", "line": 3, "message": "m", "evidence": "e"},
    ],
}


def test_schema_uses_only_supported_keywords():
    contract.check_schema(SCHEMA)


def test_field_errors():
    bad = json.loads(json.dumps(VALID))
    bad["findings"] = [dict(VALID["findings"][0]) for _ in range(3)]
    bad["findings"][2]["severity"] = "critical"
    bad["findings"][1]["line"] = 0
    del bad["findings"][0]["evidence"]
    bad["extra"] = 1
    errors = contract.validate(bad, SCHEMA)
    assert "findings[2].severity: 'critical' is not one of CRITICAL, HIGH, MEDIUM, LOW" in errors
    assert "findings[1].line: 0 is less than the minimum of 1" in errors
    assert "findings[0]: missing required field 'evidence'" in errors
    assert any(e.startswith("(root): unexpected field 'extra'") for e in errors)


def _mutate(value, rng):
    """A random small change (often breaking the contract, sometimes not)."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        choice = rng.random()
        if choice < 0.2:
            del value[key]
        elif choice < 0.3:
            value["x" + key] = 1
        else:
            value[key] = _mutate(value[key], rng)
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        k = rng.randrange(len(value))
        value[k] = _mutate(value[k], rng)
        return value
    return rng.choice(["", "x", "critical", "LOW", 0, -1, 1, 2.0, 2.5, True, None, [], {}, "HIGH"])


def _random_contract(rng):
    findings = []
    for _ in range(rng.randrange(4)):
        item = {"severity": rng.choice(["CRITICAL", "HIGH", "MEDIUM", "LOW"]), "file": "a.py",
                "line": rng.randrange(1, 50), "message": "m", "evidence": "e"}  # fmt: skip
        for key, value in (("end_line", 60), ("rule_id", "R1"), ("suggested_fix", "f")):
            if rng.random() < 0.3:
                item[key] = value
        findings.append(item)
    return {"reviewer": "r", "summary": rng.choice(["", "s"]), "findings": findings}


def test_validator_agrees_with_jsonschema_on_a_corpus():
    rng = random.Random(4)
    reference = jsonschema.Draft202012Validator(SCHEMA)
    verdicts = {True: 0, False: 0}
    for k in range(1500):
        value = _random_contract(rng)
        for _ in range(k % 4):
            value = _mutate(value, rng)
        expected = reference.is_valid(value)
        assert (not contract.validate(value, SCHEMA)) == expected, value
        verdicts[expected] += 1
    assert verdicts[True] >= 250 and verdicts[False] >= 250


@pytest.mark.parametrize(
    "message,ok",
    [
        (json.dumps(VALID), True),
        ("Here it is:\n```json\n" + json.dumps(VALID) + "\n```\n", True),
        ("```json\n{}\n```\n```json\n{}\n```", False),
        ("LGTM", False),
        ("", False),
        ("{broken", False),
    ],
)
def test_extract(message, ok):
    value, problem = contract.extract(message)
    assert (problem is None and value == VALID) == ok


def stop_event(project, message, agent_type="cc-pack:security-reviewer", active=False):
    return project.event(
        hook_event_name="SubagentStop", agent_id="ag1", agent_type=agent_type,
        last_assistant_message=message, stop_hook_active=active,
    )  # fmt: skip


def test_contract_valid_is_stored(project):
    project.start(phase="review", iteration=2)
    decision = contract_check.decide_and_apply(stop_event(project, json.dumps(VALID)))
    assert decision.action == "allow"
    stored = json.loads((project.run_dir() / "findings" / "ag1.json").read_text())
    assert stored["valid"] is True and stored["contract"] == VALID
    assert stored["agent_type"] == "security-reviewer" and stored["iteration"] == 2


def test_contract_invalid_blocks_until_the_cap(project):
    project.start(phase="review")
    bad = json.dumps({"reviewer": "r", "summary": "s", "findings": [{"severity": "critical"}]})
    first = contract_check.decide_and_apply(stop_event(project, bad))
    assert first.action == "feedback"
    assert "findings[0].severity: 'critical' is not one of" in first.message
    assert "Expected shape" in first.message
    second = contract_check.decide_and_apply(stop_event(project, bad, active=True))
    assert second.action == "feedback"
    third = contract_check.decide_and_apply(stop_event(project, bad, active=True))
    assert third.action == "allow"
    state = project.state()
    assert state["contract_retries"] == {"ag1": 2}
    assert state["contract_failures"] == {"security-reviewer": 1}
    stored = json.loads((project.run_dir() / "findings" / "ag1.json").read_text())
    assert stored["valid"] is False and stored["errors"]


def test_contract_without_run_blocks_once_and_stores_nothing(project):
    assert contract_check.decide(stop_event(project, "LGTM")).action == "feedback"
    assert contract_check.decide(stop_event(project, "LGTM", active=True)).action == "allow"
    assert not (project.root / ".claude" / "cc-pack" / "runs").exists()


def test_contract_ignores_non_reviewers(project):
    for agent in ("implementer", "other:security-reviewer", "general-purpose"):
        assert (
            contract_check.decide(stop_event(project, "LGTM", agent_type=agent)).action == "allow"
        )


def test_contract_process(project):
    project.start(phase="review")
    env = {"CLAUDE_PROJECT_DIR": str(project.root)}
    proc = run_hook("contract_check", stop_event(project, "LGTM"), env)
    assert (
        proc.returncode == 2
        and proc.stdout == b""
        and b"not a valid findings contract" in proc.stderr
    )
    proc = run_hook("contract_check", stop_event(project, json.dumps(VALID)), env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    proc = run_hook("contract_check", b"[", env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


# --- bash audit ----------------------------------------------------------------------------------


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(project):
    git(project.root, "init", "-q")
    (project.root / ".gitignore").write_text(".claude/cc-pack/\n")
    (project.root / "setup.py").write_text("old\n")
    git(project.root, "add", "-A")
    git(project.root, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init")
    return project


def audit_event(project):
    return project.event(
        hook_event_name="PostToolUse",
        tool_name="Bash",
        tool_input={"command": "make"},
        tool_response={},
        tool_use_id="t1",
    )


def test_audit_reports_and_records_out_of_scope_changes(repo):
    repo.start()
    (repo.root / "src" / "app.py").write_text("x = 2\n")  # in scope
    (repo.root / "setup.py").write_text("new\n")
    decision = bash_audit.decide_and_apply(audit_event(repo))
    assert decision.action == "feedback" and "setup.py" in decision.message
    assert "src/app.py" not in decision.message
    assert [v["path"] for v in repo.state()["audit"]["violations"]] == ["setup.py"]
    # reported once, then silent while it stays
    assert bash_audit.decide_and_apply(audit_event(repo)).action == "allow"
    # reverted by the human: resolved
    (repo.root / "setup.py").write_text("old\n")
    bash_audit.decide_and_apply(audit_event(repo))
    assert repo.state()["audit"]["violations"] == []


def test_audit_ignores_the_packs_own_bytecode(repo):
    repo.start()
    cache = repo.root / ".claude" / "hooks" / "cc-pack" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "runtime.cpython-311.pyc").write_bytes(b"x")
    (repo.root / "src" / "__pycache__").mkdir()
    (repo.root / "src" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"x")
    assert bash_audit.decide(audit_event(repo)).action == "allow"


def test_audit_respects_the_baseline(repo):
    (repo.root / "setup.py").write_text("dirty before the run\n")
    import hashlib

    sha = hashlib.sha1(b"dirty before the run\n").hexdigest()
    repo.start(audit={"baseline": {"setup.py": sha}, "violations": []})
    assert bash_audit.decide(audit_event(repo)).action == "allow"
    (repo.root / "setup.py").write_text("changed during the run\n")
    assert bash_audit.decide(audit_event(repo)).action == "feedback"


def test_audit_silent_without_git_or_run(project):
    project.start()
    (project.root / "setup.py").write_text("x")
    assert bash_audit.decide(audit_event(project)).action == "allow"


def test_audit_process(repo):
    repo.start()
    (repo.root / "stray.txt").write_text("x")
    env = {"CLAUDE_PROJECT_DIR": str(repo.root)}
    proc = run_hook("bash_audit", audit_event(repo), env)
    assert proc.returncode == 2 and b"stray.txt" in proc.stderr and proc.stdout == b""
    proc = run_hook("bash_audit", b"", env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_no_git_binary_needed_for_non_git(project, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    project.start()
    assert bash_audit.changed_paths(str(project.root)) is None
    assert shutil.which("git") is None and os.environ["PATH"] == "/nonexistent"
