"""Hook start-to-answer time as a ratio to a bare interpreter (`python -c pass`, same venv),
p50 over RUNS real processes each, for the hooks exactly as `cc-pack init` installs them.

Run: `python tests/bench/bench_hooks.py [--compare REF] [--launcher [--shims DIR]]`. With
``--compare`` the tree that the cc-pack of git revision REF installs is measured in the same run,
alternating with this one, so a regression shows against the same machine noise. With
``--launcher`` the guards are also measured as Claude Code starts them, the registered command
(``/bin/sh`` sourcing ``run-hook``, which picks the interpreter), in a project installed the
default way (`cc-pack init`, no ``--python``) with ``--shims`` (default ``~/.pyenv/shims``) first
on PATH: a pyenv machine. Its ratio is to ``python -c pass`` of the interpreter behind the shim.
Prints tables; asserts nothing (timing is not a test): compare the ratio column with the
budgets."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "hooks")]
from hookenv import Project  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
PY = sys.executable
SCOPE = [f"src/pkg{k}/**" for k in range(16)] + [
    "tests/test_*.py",
    "docs/*.md",
    "README.md",
    "setup.cfg",
]
BASH = "cd src && sed -i 's/a/b/' pkg3/mod.py && git diff | tee pkg3/d.txt"
BUDGETS = {"scope_guard": 1.3, "spawn_gate": 1.3, "lint_after_edit": 2.0, "contract_check": 3}


def p50(argv, stdin=b"", env=None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, input=stdin, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def installed_project(tmp: Path, name: str, tools: Path) -> Path:
    """A git project with the pack installed by the cc-pack whose sources are in ``tools``."""
    root = tmp / name
    for d in ("src/pkg3", "tests"):
        (root / d).mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    env = {**os.environ, "PYTHONPATH": str(tools)}
    for marker in ("CLAUDECODE", "CLAUDE_CODE_SESSION_ID", "CLAUDE_PROJECT_DIR"):
        env.pop(marker, None)
    done = subprocess.run([PY, "-m", "cc_pack", "init", str(root), "--python", PY],
                          capture_output=True, text=True, env=env, cwd=tools)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"init of {name} failed: {done.stdout}{done.stderr}")
    return root


def events(root: Path) -> dict[str, tuple[str, dict]]:
    project = Project(root)
    ruff = str(Path(PY).parent / "ruff")
    argv = [ruff, "check", "--output-format", "json", "--no-cache", "{file}"]
    linter = {"glob": "**/*.py", "command": argv, "format": "ruff-json"}
    project.start(phase="implement", scope={"patterns": SCOPE},
                  config={"lint": {"timeout": 10, "linters": [linter]}})  # fmt: skip
    edited = root / "src" / "pkg3" / "mod.py"
    edited.write_text("import os\n\n\ndef f(x):\n    return x + 1\n")
    patch = [{"oldStart": 5, "oldLines": 1, "newStart": 5, "newLines": 1,
              "lines": ["-    return x", "+    return x + 1"]}]  # fmt: skip
    reviewer = {"reviewer": "security-reviewer", "summary": "s", "findings": [
        {"severity": "HIGH", "file": "src/a.py", "line": k + 1, "message": "m", "evidence": "e"}
        for k in range(5)]}  # fmt: skip
    return {
        "scope_guard (Write)": ("scope_guard", project.event(
            hook_event_name="PreToolUse", tool_name="Write",
            tool_input={"file_path": str(root / "src/pkg3/new.py"), "content": "x = 1\n"})),
        "scope_guard (Bash)": ("scope_guard", project.event(
            hook_event_name="PreToolUse", tool_name="Bash",
            tool_input={"command": BASH})),
        "spawn_gate": ("spawn_gate", project.event(
            hook_event_name="PreToolUse", tool_name="Agent",
            tool_input={"description": "d", "subagent_type": "cc-pack:implementer"})),
        "lint_after_edit": ("lint_after_edit", project.event(
            hook_event_name="PostToolUse", tool_name="Edit",
            tool_input={"file_path": str(edited), "old_string": "x", "new_string": "x + 1"},
            tool_response={"filePath": str(edited), "structuredPatch": patch})),
        "contract_check": ("contract_check", project.event(
            hook_event_name="SubagentStop", agent_id="ag1", agent_type="cc-pack:security-reviewer",
            last_assistant_message="```json\n" + json.dumps(reviewer) + "\n```",
            stop_hook_active=False)),
        "approval_capture": ("approval_capture", project.event(
            hook_event_name="UserPromptSubmit", prompt="please continue")),
        "stop_gate (no run)": ("stop_gate", {"hook_event_name": "Stop", "session_id": "other",
                                             "cwd": str(root), "stop_hook_active": False}),
        "bash_audit (git)": ("bash_audit", project.event(
            hook_event_name="PostToolUse", tool_name="Bash", tool_input={"command": "ls"},
            tool_response={})),
    }  # fmt: skip


def measure(root: Path, name: str, event: dict) -> float:
    env = {**os.environ, "CLAUDE_PROJECT_DIR": str(root)}
    env.pop("CC_PACK_LOG", None)
    # Claude Code hooks normally run with bytecode caching on; a PYTHONDONTWRITEBYTECODE set for
    # the test session would make every run recompile the hook modules (about 8 ms)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [PY, "-S", str(root / ".claude" / "hooks" / "cc-pack" / f"{name}.py")]
    subprocess.run(argv, input=json.dumps(event).encode(), capture_output=True, env=env)
    return p50(argv, json.dumps(event).encode(), env)


def launcher_table(tmp: Path, shims: Path) -> None:
    """The registered hook commands of a default install on a machine whose python3 is a shim."""
    path = f"{shims}{os.pathsep}{os.environ.get('PATH', '')}"
    shim = shutil.which("python3", path=str(shims))
    if shim is None:
        sys.exit(f"no python3 in {shims}")
    root = tmp / "pyenv"
    for d in ("src/pkg3", "tests"):
        (root / d).mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    env = {**os.environ, "PYTHONPATH": str(REPO / "tools"), "PATH": path}
    for marker in ("CLAUDECODE", "CLAUDE_CODE_SESSION_ID", "CLAUDE_PROJECT_DIR"):
        env.pop(marker, None)
    done = subprocess.run([PY, "-m", "cc_pack", "init", str(root)], capture_output=True,
                          text=True, env=env)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"init failed: {done.stdout}{done.stderr}")
    conf = (root / ".claude" / "cc-pack" / "local.conf").read_text()
    real = next(line.split("=", 1)[1] for line in conf.splitlines()
                if line.startswith("hook_python="))  # fmt: skip
    settings = json.loads((root / ".claude" / "settings.json").read_text())
    registered = {}
    for groups in settings["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                args = handler.get("args") or []
                if len(args) >= 4:  # -c, the source line, run-hook, entry, policy
                    # Claude Code substitutes the variable in exec-form arguments itself
                    args = [a.replace("${CLAUDE_PROJECT_DIR}", str(root)) for a in args]
                    registered.setdefault(args[3], [handler["command"], *args])
    hook_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CC_PACK_LOG")}
    hook_env.update(PATH=path, CLAUDE_PROJECT_DIR=str(root))
    hook_env.pop("PYTHONDONTWRITEBYTECODE", None)
    table = events(root)
    bare = p50([real, "-c", "pass"], env=hook_env)
    bare_s = p50([real, "-S", "-c", "pass"], env=hook_env)
    shimmed = p50([shim, "-c", "pass"], env=hook_env)
    print(f"\nlauncher, default install, python3 = {shim} (a shim for {real})")
    print(
        f"{real} -c pass: {bare:.1f} ms   -S -c pass: {bare_s:.1f} ms   "
        f"the shim -c pass: {shimmed:.1f} ms ({shimmed / bare:.1f}x)"
    )
    print(f"{'registered command':28} {'p50 ms':>8} {'ratio':>7} {'budget':>7}      {'vs -S':>7}")
    for label, (name, event) in table.items():
        if name not in ("scope_guard", "spawn_gate"):
            continue
        argv = registered[name]
        data = json.dumps(event).encode()
        first = subprocess.run(argv, input=data, capture_output=True, env=hook_env)
        if first.returncode != 0 or first.stderr:  # a launcher that failed would look fast
            sys.exit(f"{label}: exit {first.returncode}: {first.stderr.decode()}")
        ms = p50(argv, data, hook_env)
        mark = "ok" if ms / bare <= BUDGETS[name] else "OVER"
        print(
            f"{label:28} {ms:8.1f} {ms / bare:6.2f}x {BUDGETS[name]:>7} {mark:4}"
            f" {ms / bare_s:6.2f}x"
        )


def worktree(ref: str, tmp: Path) -> Path:
    path = tmp / "ref"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(path), ref],
                   check=True)  # fmt: skip
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="REF", help="also measure what REF installs")
    parser.add_argument("--launcher", action="store_true", help="also the registered commands")
    parser.add_argument("--shims", type=Path, default=Path("~/.pyenv/shims").expanduser())
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp()).resolve()
    trees = {"this": installed_project(tmp, "this", REPO / "tools")}
    ref_tree = worktree(args.compare, tmp) if args.compare else None
    try:
        if ref_tree:
            trees[args.compare] = installed_project(tmp, "ref-proj", ref_tree / "tools")
        tables = {name: events(root) for name, root in trees.items()}
        env = {**os.environ}
        bare = p50([PY, "-c", "pass"], env=env)
        bare_s = p50([PY, "-S", "-c", "pass"], env=env)
        print(f"python -c pass: {bare:.1f} ms   python -S -c pass: {bare_s:.1f} ms   runs: {RUNS}")
        head = f"{'hook':28} {'p50 ms':>8} {'ratio':>7} {'budget':>7}"
        if ref_tree:
            head += f"   {args.compare[:10]:>10} {'ratio':>7}"
        print(head)
        for label, (name, _) in tables["this"].items():
            ms = measure(trees["this"], name, tables["this"][label][1])
            budget = BUDGETS.get(name)
            mark = "" if budget is None else ("ok" if ms / bare <= budget else "OVER")
            line = f"{label:28} {ms:8.1f} {ms / bare:6.2f}x {budget or '-':>7} {mark:4}"
            if ref_tree:
                old = measure(trees[args.compare], name, tables[args.compare][label][1])
                line += f" {old:10.1f} {old / bare:6.2f}x"
            print(line)
        if args.launcher:
            launcher_table(tmp, args.shims)
    finally:
        if ref_tree:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(ref_tree)],
                           check=False)  # fmt: skip


if __name__ == "__main__":
    main()
