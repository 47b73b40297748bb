"""Hook start-to-answer time as a ratio to a bare interpreter (`python -c pass`, same venv),
p50 over RUNS real processes each. Run: `python tests/bench/bench_hooks.py`. Prints a table;
it asserts nothing (timing is not a test): compare the ratio column with the budgets."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOOKS = REPO / "hooks"
sys.path.insert(0, str(REPO / "tests" / "hooks"))
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


def main() -> None:
    tmp = Path(tempfile.mkdtemp()).resolve()
    root = tmp / "proj"
    for d in ("src/pkg3", "tests", ".claude/cc-pack"):
        (root / d).mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text(".claude/cc-pack/\n")
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
    events = {
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
    env = {**os.environ, "CLAUDE_PROJECT_DIR": str(root)}
    env.pop("CC_PACK_LOG", None)
    # Claude Code hooks normally run with bytecode caching on; a PYTHONDONTWRITEBYTECODE set for
    # the test session would make every run recompile the hook modules (about 8 ms)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name, event in events.values():  # warm the bytecode cache and the page cache
        subprocess.run([PY, "-S", str(HOOKS / f"{name}.py")], input=json.dumps(event).encode(),
                       capture_output=True, env=env)  # fmt: skip
    bare = p50([PY, "-c", "pass"], env=env)
    bare_s = p50([PY, "-S", "-c", "pass"], env=env)
    ruff_alone = p50([ruff, "check", "--output-format", "json", "--no-cache", str(edited)], env=env)
    print(f"python -c pass: {bare:.1f} ms   python -S -c pass: {bare_s:.1f} ms   "
          f"ruff alone: {ruff_alone:.1f} ms ({ruff_alone / bare:.2f}x)   runs: {RUNS}")  # fmt: skip
    print(f"{'hook':28} {'p50 ms':>8} {'ratio':>7} {'budget':>7}")
    for label, (name, event) in events.items():
        ms = p50([PY, "-S", str(HOOKS / f"{name}.py")], json.dumps(event).encode(), env)
        budget = BUDGETS.get(name)
        mark = "" if budget is None else ("ok" if ms / bare <= budget else "OVER")
        print(f"{label:28} {ms:8.1f} {ms / bare:6.2f}x {budget or '-':>7} {mark}")


if __name__ == "__main__":
    main()
