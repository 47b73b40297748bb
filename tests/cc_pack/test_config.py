"""The project configuration: strict validation with lines, and the compiled JSON for hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        # a key indented under one that already has a value
        ("version: 1\nlint:\n  timeout: 10\n    linters: []\n", 4, "deeper than line 3"),
        # a key between two indentation levels
        ("scope:\n    strict: true\n  sandbox: auto\n", 3, "indent it exactly like its siblings"),
        ("dispatch:\n  skip:\n    - a\n   - b\n", 4, "indented 3 spaces"),
        ("scope:\n\tstrict: true\n", 2, "not allow tabs"),
        ("version: 1\njust text\nmax_iterations: 2\n", 2, "neither `key: value`"),
        # the one case the quoting hint is for
        ("test_command: pytest: -q\n", 1, "a plain value cannot contain ': '"),
    ],
)
def test_yaml_syntax_errors_get_the_hint_that_fixes_them(
    tmp_path: Path, text: str, line: int, hint: str
):
    write(tmp_path, text)
    with pytest.raises(InputError) as info:
        config.load(tmp_path)
    assert info.value.line == line, info.value.render()
    assert hint in info.value.fix, info.value.fix
    if "': '" not in hint:
        assert "quote" not in info.value.fix


def test_without_libyaml_the_cli_reads_the_config_with_the_pure_python_loader(tmp_path: Path):
    """PyYAML built without libyaml has no CSafeLoader: the CLI must fall back, not exit 70.
    The import of the C extension is made to fail the way it does on such an install."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text('import sys\nsys.modules["yaml._yaml"] = None\n')
    project = tmp_path / "proj"
    write(project, "max_iterations: 2\nscope:\n    strict: true\n  sandbox: auto\n")
    (project / ".git").mkdir()
    env = {"PYTHONPATH": f"{shim}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    probe = "import yaml; print(yaml.__with_libyaml__, hasattr(yaml, 'CSafeLoader'))"
    hidden = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **env},
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert hidden.stdout.split() == ["False", "False"]  # the shim really hides libyaml
    check = run_cli("run", "status", cwd=project, env=env)
    assert check.returncode == 3, check.stderr  # no run: exit 3, after reading the YAML
    assert "internal error" not in check.stderr
    assert "cc-pack.yaml:4: invalid YAML" in check.stderr
    assert "indent it exactly like its siblings" in check.stderr
    write(project, "max_iterations: 2\n")
    fine = run_cli("run", "status", cwd=project, env=env)
    assert fine.returncode == 3 and "warning" not in fine.stderr, fine.stderr
    assert json.loads((project / config.COMPILED_FILE).read_text())["config"]["max_iterations"] == 2
