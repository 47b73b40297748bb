"""A real git project driven through the real ``cc-pack`` CLI, for the run-engine tests.

The project has a committed test script (``check.py``: fails when ``CHECK_FAIL=1``, sleeps
``CHECK_SLEEP`` seconds first), a config that runs it as the test command and real ruff as the
linter, and helpers that write the hook-owned fields exactly as the hooks do (``store``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cc_pack_hooks import store
from realproc import git

BIN = Path(sys.executable).parent
CHECK = """import os, sys, time
time.sleep(float(os.environ.get("CHECK_SLEEP", "0")))
print("checking")
sys.exit(1 if os.environ.get("CHECK_FAIL") == "1" else 0)
"""
PLAN = {
    "steps": [
        {
            "id": "S1",
            "title": "app",
            "files": ["src/app.py"],
            "depends_on": [],
            "validation": "python check.py",
            "parallel": False,
        },
        {
            "id": "S2",
            "title": "util",
            "files": ["src/util.py"],
            "depends_on": ["S1"],
            "validation": "python check.py",
            "parallel": False,
        },
    ]
}
RESEARCH = "# Research\n\n## Key files\n- src/app.py\n\n## Risks\nnone\n\n## Open questions\nnone\n"


def contract(reviewer: str, *findings: dict) -> dict:
    return {"reviewer": reviewer, "summary": "reviewed", "findings": list(findings)}


def finding(
    severity: str, file: str = "src/app.py", line: int = 1, message: str = "problem", **extra
) -> dict:
    return {
        "severity": severity,
        "file": file,
        "line": line,
        "message": message,
        "evidence": f"{file}:{line} shows it",
        **extra,
    }


class Project:
    def __init__(self, root: Path, config: str | None = None, *, create: bool = True):
        self.root = root
        if create:
            self._create(config)

    @classmethod
    def copy_of(cls, template: Project, root: Path) -> Project:
        """A copy of a project walked to some phase once (the walk costs a dozen CLI calls)."""
        shutil.copytree(template.root, root, symlinks=True)
        return cls(root, create=False)

    def _create(self, config: str | None) -> None:
        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text(".claude/cc-pack/\n__pycache__/\n")
        (root / "README.md").write_text("demo\n")
        (root / "check.py").write_text(CHECK)
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("import os\n\n\ndef main():\n    return 1\n")
        (root / ".claude").mkdir()
        (root / ".claude" / "cc-pack.yaml").write_text(config or self.default_config())
        git(root, "add", "-A")
        git(root, "commit", "-qm", "init")

    @staticmethod
    def default_config() -> str:
        return (
            f"test_command: '{sys.executable} check.py'\n"
            "lint:\n  linters:\n    - glob: '**/*.py'\n"
            f"      command: ['{BIN / 'ruff'}', check, --output-format, json, --no-cache, "
            "--isolated, '{file}']\n"
            "      format: ruff-json\n"
        )

    # --- the CLI -------------------------------------------------------------------------------

    def env(self, extra: dict | None = None) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CLAUDE", "CC_PACK_", "CHECK_"))
        }
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env.update(extra or {})
        return env

    def cc(
        self, *args: str, input: str | None = None, env: dict | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cc_pack", *args],
            cwd=self.root,
            env=self.env(env),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str, **kw) -> subprocess.CompletedProcess:
        done = self.cc(*args, **kw)
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def refused(self, code: int, *args: str, **kw) -> str:
        """Run a command that must fail with ``code``; returns its stderr."""
        done = self.cc(*args, **kw)
        assert done.returncode == code, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done.stderr

    # --- the state -----------------------------------------------------------------------------

    @property
    def rdir(self) -> Path:
        run_id = json.loads((self.root / ".claude/cc-pack/active.json").read_text())["run_id"]
        return self.root / ".claude/cc-pack/runs" / run_id

    def state(self) -> dict:
        return json.loads((self.rdir / "state.json").read_text())

    def hook_write(self, change) -> dict:
        """Write state the way a hook does (store.update_state: lock, atomic replace)."""
        return store.update_state(str(self.rdir), change)

    def approve(self, scope: list[str] | None = None) -> None:
        def change(state):
            state["approval"].update(
                status="approved",
                by="user",
                prompt_id="p-1",
                at="2026-11-22T10:00:00Z",
                scope=list(state["scope"]["patterns"] if scope is None else scope),
            )

        self.hook_write(change)

    def reject(self, feedback: str) -> None:
        def change(state):
            state["approval"].update(
                status="rejected",
                by="user",
                prompt_id="p-2",
                at="2026-11-22T10:00:00Z",
                feedback=feedback,
            )

        self.hook_write(change)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def hook_findings(self, data: dict, agent_id: str | None = None) -> None:
        """Store a contract as the SubagentStop hook does: findings/<agent_id>.json."""
        iteration = self.state()["iteration"]
        agent_id = agent_id or f"a{iteration}-{data['reviewer'].replace(':', '-')}"
        record = {
            "agent_id": agent_id,
            "agent_type": data["reviewer"].removeprefix("cc-pack:"),
            "iteration": iteration,
            "stored_at": "2026-11-22T10:00:00Z",
            "valid": True,
            "source": "subagent-stop",
            "contract": data,
        }
        store.write_atomic(str(self.rdir / "findings" / f"{agent_id}.json"), json.dumps(record))

    def add_findings(self, data: dict) -> None:
        self.ok("findings", "add", "-", input=json.dumps(data))

    # --- walking the phases --------------------------------------------------------------------

    def start(self, *extra: str) -> str:
        return self.ok("run", "start", "add a util module", *extra).stdout.strip()

    def to_plan(self) -> None:
        self.write("research.md", RESEARCH)
        self.ok("run", "record", "research", "research.md")
        (self.root / "research.md").unlink()
        self.ok("run", "advance")

    def to_approval(self, plan: dict | None = None) -> None:
        self.to_plan()
        self.ok("run", "record", "plan", "-", input=json.dumps(plan or PLAN))
        self.ok("run", "advance")

    def to_implement(self) -> None:
        self.to_approval()
        self.approve()
        self.ok("run", "advance")

    def implement(self) -> None:
        self.write("src/app.py", "import os\n\n\ndef main():\n    return 2\n")
        self.write("src/util.py", "def helper():\n    return 1\n")

    def to_review(self) -> None:
        self.to_implement()
        self.implement()
        self.ok("run", "advance")
