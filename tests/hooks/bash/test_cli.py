"""The one command shape that runs outside the sandbox: the orchestrate skill's own CLI calls.
Anything combined with it, disguised or expanded is an ordinary, confined command."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc_pack_hooks.bash import cli


@pytest.fixture
def launcher(tmp_path: Path) -> tuple[str, str]:
    project = tmp_path / "proj"
    path = project / ".claude" / "skills" / "orchestrate" / "bin" / "cc-pack"
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\n")
    return str(project), str(path)


HEREDOC = "run record plan - <<'CC_PACK_ARTIFACT'\n# plan\n$(touch x) `id`\nCC_PACK_ARTIFACT"
EXEMPT = [
    "run status",
    "run status --json",
    "run advance",
    "run start 'add a feature' --max-iterations 2",
    "run start task --max-iterations=2",
    "run record research -",
    HEREDOC,
    "dispatch --json",
    "findings aggregate --json",
    "report --format sarif",
    "scope set 'src/**'",
    "run resume",
]
CONFINED = [
    "run abort",
    "run start x --auto-approve",
    "run resume --from-backup",
    "init",
    "findings add x",
    "report -o x",
    "validate .",
    "run status; touch x",
    "run status && echo x > y",
    "run status | tee x",
    "run status > out.txt",
    "run status 2>err",
    "run status &",
    "run status $(touch x)",
    "run status `id`",
    "run status $HOME",
    "run record plan - <<CC_PACK_ARTIFACT\n$(touch x)\nCC_PACK_ARTIFACT",
    HEREDOC + "\ntouch after",
    "run status *",
    "run status ~",
]


@pytest.mark.parametrize("args", EXEMPT)
def test_the_skills_own_calls_run_unconfined(launcher, args):
    project, path = launcher
    assert cli.exempt(f'"{path}" {args}', project, project), args


@pytest.mark.parametrize("args", CONFINED)
def test_anything_else_runs_confined(launcher, args):
    project, path = launcher
    assert not cli.exempt(f'"{path}" {args}', project, project), args


@pytest.mark.parametrize(
    "command",
    [
        "cc-pack run status",  # not the launcher: it could be anything on PATH
        "python -m cc_pack run status",
        "env cc-pack run status",
        "X=1 {path} run status",
        "{path}x run status",
        "sh {path} run status",
        "/tmp/elsewhere/skills/orchestrate/bin/cc-pack run status",
    ],
)
def test_only_the_launcher_itself_called_by_its_path(launcher, command):
    project, path = launcher
    assert not cli.exempt(command.format(path=path), project, project)


def test_a_relative_launcher_path_resolves_from_the_cwd(launcher):
    project, _ = launcher
    assert cli.exempt(".claude/skills/orchestrate/bin/cc-pack run status", project, project)
