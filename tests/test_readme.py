"""Every command of the README's Quickstart and Contributing sections, run as written in a fresh
place: a new repository for the user, a new checkout and virtual environment for the contributor.

What has to differ from a newcomer's machine, and why (the commands themselves are not edited):
- the install source. ``pipx install git+https://…`` needs the network and the published
  repository; the test installs a wheel built from this working tree into a fresh virtual
  environment, which is what pipx does, and ``git clone`` clones a committed copy of this working
  tree instead of the URL;
- the dependencies. PyPI is not asked for cc-pack's dependencies: ``PYTHONPATH`` names the site
  packages of the interpreter running the tests, so pip finds them installed (it never uninstalls
  outside its own environment). The build backend comes from pip's cache, as in ``.ci/run``;
- the contributor's test command runs a subset of the suite (the same command, two test files
  appended): CI runs it whole, and ``test_ci_runs_the_readme_test_command`` holds the two in step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from realproc import REPO, git

README = (REPO / "README.md").read_text(encoding="utf-8")
URL = "https://github.com/cc-pack/cc-pack"
SITE = sysconfig.get_paths()["purelib"]


def section(heading: str) -> str:
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def blocks(heading: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(heading), flags=re.S)


def commands(heading: str) -> list[str]:
    (block,) = blocks(heading, "sh")
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def env_with(path_dirs: list[Path], home: Path) -> dict[str, str]:
    keep = ("LANG", "TERM", "TMPDIR", "CC_PACK_CLAUDE_CACHE", "CI")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PATH=os.pathsep.join([*map(str, path_dirs), "/usr/bin", "/bin"]),
        HOME=str(home),
        GIT_AUTHOR_NAME="New User",
        GIT_AUTHOR_EMAIL="new@example.com",
        GIT_COMMITTER_NAME="New User",
        GIT_COMMITTER_EMAIL="new@example.com",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def sh(line: str, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["sh", "-ec", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"$ {line}\n{done.stdout}\n{done.stderr}"
    return done


def checkout(where: Path) -> Path:
    """A committed copy of the tracked files as they are in this working tree."""
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if os.path.lexists(REPO / name):
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, where / name, follow_symlinks=False)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "cc-pack")
    return where


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return checkout(tmp_path_factory.mktemp("upstream") / "cc-pack")


def test_the_quickstart_as_written(source: Path, tmp_path: Path):
    install, *rest = commands("Quickstart")
    assert install == f"pipx install git+{URL}"
    assert f"`uv tool install git+{URL}`" in section("Quickstart")
    assert rest == [
        "cd your-repo && cc-pack init",
        'git add .claude .gitignore && git commit -m "Add cc-pack"',
    ]
    home = tmp_path / "home"
    home.mkdir()
    # what pipx does: a venv of its own and the package from the repository in it
    wheels = tmp_path / "wheels"
    tool = tmp_path / "pipx" / "venvs" / "cc-pack"
    subprocess.run([sys.executable, "-m", "venv", str(tool)], check=True, timeout=120)
    env = env_with([tool / "bin"], home)
    sh(f"'{tool}/bin/pip' wheel -q --no-deps -w '{wheels}' '{source}'", tmp_path, env)
    (wheel,) = wheels.glob("cc_pack-*.whl")
    sh(f"'{tool}/bin/pip' install -q --no-deps --no-index '{wheel}'", tmp_path, env)
    site = next((tool / "lib").glob("python3*/site-packages"))
    (site / "_deps.pth").write_text(SITE + "\n")  # the dependencies, already installed here
    assert shutil.which("cc-pack", path=env["PATH"]) == str(tool / "bin" / "cc-pack")

    repo = tmp_path / "your-repo"
    repo.mkdir()
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "init", "-q", "-b", "main")
    sh("git add -A && git commit -qm start", repo, env)
    done = sh("\n".join(rest), tmp_path, env)  # one shell, as typed: the cd carries over
    assert "Add cc-pack" in done.stdout
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert (repo / ".claude/skills/orchestrate/SKILL.md").is_file()
    for name in git(repo, "ls-files").split():
        data = (repo / name).read_bytes()
        for machine in (str(tmp_path), str(tool), sys.executable):
            assert machine.encode() not in data, f"{name} holds the machine path {machine}"
    # the session reaches the CLI through the skill's launcher, cc-pack not on its PATH
    launcher = repo / ".claude/skills/orchestrate/bin/cc-pack"
    status = subprocess.run(
        [str(launcher), "run", "status", "--json"],
        cwd=repo,
        env={**env_with([], home), "CLAUDE_PROJECT_DIR": str(repo)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 3, status.stderr
    assert json.loads(status.stdout)["active"] is False


def test_the_contributor_set_up_as_written(source: Path, tmp_path: Path):
    lines = commands("Contributing")
    assert lines == [
        f"git clone {URL} && cd cc-pack",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'",
        ".venv/bin/python -m pytest",
    ]
    home = tmp_path / "home"
    home.mkdir()
    env = env_with([Path(sys.executable).parent], home)  # a python3 >= 3.11 first on PATH
    env["PYTHONPATH"] = SITE
    script = "\n".join(
        [
            lines[0].replace(URL, str(source)),
            lines[1],
            f"{lines[2]} -q -p no:cacheprovider tests/cc_pack/test_version.py "
            "tests/hooks/test_optin.py",
            ".venv/bin/python -c 'import cc_pack; print(cc_pack.__file__)'",
        ]
    )
    done = sh(script, tmp_path, env, timeout=600)
    clone = tmp_path / "cc-pack"
    assert done.stdout.strip().splitlines()[-1] == str(clone / "tools/cc_pack/__init__.py")
    assert re.search(r"\d+ passed", done.stdout), done.stdout
    assert (clone / ".venv/bin/ruff").exists() or Path(SITE, "ruff").exists()


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    test = commands("Contributing")[2]
    assert "python3 -m venv .venv\n" in ci and " -e '.[dev]'\n" in ci
    assert f"\n{test}\n" in ci


def test_the_pre_commit_snippet_works_as_written(tmp_path: Path):
    """The README's pre-commit configuration, verbatim, with the real pre-commit: a broken agent
    fails with the finding, the fixed one passes."""
    (snippet,) = blocks("Commands", "yaml")
    repo = tmp_path / "repo"
    (repo / ".claude/agents").mkdir(parents=True)
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    agent = repo / ".claude/agents/worker.md"
    agent.write_text("---\nname: worker\ndescription: Does the work.\nmodel: gpt-9\n---\nW.\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    cli = shutil.which("cc-pack", path=str(Path(sys.executable).parent))
    assert cli, "cc-pack is installed beside the test interpreter"
    env = env_with([Path(sys.executable).parent], tmp_path / "home")
    if os.environ.get("PYTHONPATH"):  # a worktree's sources ahead of the editable install
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(PRE_COMMIT_HOME=str(tmp_path / "store"), NO_COLOR="1")
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    broken = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "AG006" in broken.stdout and "worker.md" in broken.stdout, broken.stdout
    agent.write_text("---\nname: worker\ndescription: Does the work.\nmodel: sonnet\n---\nW.\n")
    fixed = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
