"""The project configuration: strict validation with lines, and the compiled JSON for hooks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cc_pack import config
from cc_pack.errors import InputError
from realproc import run_cli


def write(project: Path, text: str) -> None:
    (project / ".claude").mkdir(parents=True, exist_ok=True)
    (project / ".claude/cc-pack.yaml").write_text(text)


def test_absent_file_means_defaults(tmp_path: Path):
    assert config.load(tmp_path) == config.Config()


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("max_iterations: 2\nscope:\n  strict: yes please\n", 3, "scope.strict"),
        ("max_iterations: 2\nbogus: 1\n", 2, "bogus: Extra inputs are not permitted"),
        (
            "lint:\n  linters:\n    - glob: '*.py'\n      command: [ruff]\n",
            4,
            "must contain {file}",
        ),
        ("max_iterations: 0\n", 1, "max_iterations"),
        ("scope: [1\n", 2, "invalid YAML"),
        ("description: a: b\n", 1, "invalid YAML"),
        ("- just\n- a list\n", 1, "must be a YAML mapping"),
    ],
)
def test_bad_config_names_file_line_and_fix(tmp_path: Path, text: str, line: int, needle: str):
    write(tmp_path, text)
    with pytest.raises(InputError) as info:
        config.load(tmp_path)
    err = info.value
    assert err.line == line, err.render()
    assert needle in err.message
    assert err.fix
    assert err.render().startswith(f"cc-pack: error: {tmp_path}/.claude/cc-pack.yaml:{line}: ")


def test_sync_compiles_and_recompiles_when_the_yaml_changes(tmp_path: Path):
    write(tmp_path, "max_iterations: 2\n")
    assert config.sync(tmp_path)["max_iterations"] == 2
    compiled = json.loads((tmp_path / config.COMPILED_FILE).read_text())
    assert compiled["config"]["max_iterations"] == 2
    write(tmp_path, "max_iterations: 5\n")
    stamp = os.stat(tmp_path / config.CONFIG_FILE)
    os.utime(tmp_path / config.CONFIG_FILE, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    assert config.sync(tmp_path)["max_iterations"] == 5


def test_log_true_turns_the_decision_log_on(tmp_path: Path):
    write(tmp_path, "log: true\n")
    config.sync(tmp_path)
    assert (tmp_path / ".claude/cc-pack/decisions.jsonl").is_file()


def test_compiled_defaults_are_json():
    compiled = config.compile_config(config.Config())
    assert json.loads(json.dumps(compiled)) == compiled
    assert compiled["validate"]["budget_tokens"] == 1500
    assert compiled["roles"]["orchestrator"] == "orchestrate"


def test_cli_reports_a_broken_config_without_traceback(git_repo: Path):
    write(git_repo, "scope:\n  strict: [\n")
    done = run_cli("run", "start", "a task", cwd=git_repo)
    assert done.returncode == 2, done.stderr
    assert ".claude/cc-pack.yaml:" in done.stderr
    assert "Traceback" not in done.stderr
