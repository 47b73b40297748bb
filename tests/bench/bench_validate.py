"""Benchmark cc-pack validate on a generated pack (1,000 agents, 300 skills, 200 commands, hooks).

Run: python tests/bench/bench_validate.py [--repeat N]. Prints a table; not part of pytest.
Compares, on the same tree: reading and YAML-parsing the files only (CSafeLoader, the floor),
cc-pack validate in-process, as a process, and ``claude plugin validate``. Target: in-process
validate <= 1.3x read+parse."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CLAUDE = Path(
    os.environ.get("CC_PACK_CLAUDE_BIN")
    or "/root/.cache/cc-pack/claude-code/2.1.197/node_modules/.bin/claude"
)


def generate(root: Path, agents=1000, skills=300, commands=200) -> None:
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "plugin.json").write_text(
        json.dumps(
            {
                "name": "bench",
                "version": "1.0.0",
                "description": "Benchmark pack.",
                "author": {"name": "bench"},
            }
        )
    )
    for kind in ("agents", "commands", "hooks", "skills"):
        (root / kind).mkdir()
    for i in range(agents):
        (root / "agents" / f"agent-{i}.md").write_text(
            f"---\nname: agent-{i}\ndescription: >-\n  Agent number {i}. Use it when the task "
            f"needs step {i}: it reads code and reports.\ntools: Read, Bash(git diff:*), WebFetch\n"
            f"model: sonnet\nmaxTurns: 20\nskills: [skill-{i % skills}]\n---\n"
            f"You are agent {i}.\n\n## Process\n1. Read.\n2. Report.\n" + "Context line.\n" * 40
        )
    for i in range(skills):
        (root / "skills" / f"skill-{i}").mkdir()
        (root / "skills" / f"skill-{i}" / "SKILL.md").write_text(
            f"---\nname: skill-{i}\ndescription: Skill {i} for the bench.\n"
            f"allowed-tools: Read, Bash\n---\nDo skill {i}. See [notes](SKILL.md).\n"
            + "Instruction line.\n"
            * 30
        )
    for i in range(commands):
        (root / "commands" / f"cmd-{i}.md").write_text(
            f"---\ndescription: Command {i}.\nargument-hint: <task>\n---\nRun {i}: $ARGUMENTS\n"
        )
    (root / "hooks" / "guard.py").write_text("import sys\nsys.exit(0)\n")
    (root / "hooks" / "hooks.json").write_text(
        json.dumps(
            {
                "hooks": {
                    "PreToolUse": [
                        {
                            "matcher": "Write|Edit",
                            "hooks": [
                                {
                                    "type": "command",
                                    "command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/guard.py",
                                }
                            ],
                        }
                    ],
                    "SubagentStop": [
                        {
                            "matcher": "bench:agent-1",
                            "hooks": [
                                {
                                    "type": "command",
                                    "command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/guard.py",
                                }
                            ],
                        }
                    ],
                }
            }
        )
    )


def read_and_parse(root: Path) -> int:
    """The floor: read every file and parse its frontmatter (or JSON), nothing else."""
    count = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(".md"):
                text = Path(path).read_text(encoding="utf-8")
                end = text.find("\n---", 3)
                yaml.load(text[4:end], Loader=yaml.CSafeLoader)
                count += 1
            elif name.endswith(".json"):
                json.loads(Path(path).read_text(encoding="utf-8"))
                count += 1
    return count


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return min(samples)


def paired(floor, candidate, repeat: int) -> tuple[float, float]:
    """Best-of-N of two functions run alternately, so load from other processes on the machine
    hits both alike (a ratio of medians taken minutes apart is mostly noise)."""
    first, second = [], []
    for _ in range(repeat):
        for fn, samples in ((floor, first), (candidate, second)):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
    return min(first), min(second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    from cc_pack.validate import run
    from cc_pack.validate.rules import RULES  # noqa: F401 - import cost outside the timings
    from cc_pack.validate.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pack"
        generate(root)
        files = read_and_parse(root)
        outcome = run([root], Settings())
        assert outcome.errors == 0, outcome.findings[:3]

        floor, validate = paired(
            lambda: read_and_parse(root), lambda: run([root], Settings()), args.repeat
        )
        rows = [
            ("read + yaml-parse only (floor)", floor),
            ("cc-pack validate, in-process", validate),
        ]
        process = [sys.executable, "-m", "cc_pack", "validate", "--format", "json", str(root)]
        rows.append(
            (
                "cc-pack validate, as a process",
                timed(
                    lambda: subprocess.run(process, capture_output=True, check=False), args.repeat
                ),
            )
        )
        rows.append(
            (
                "python -c pass (interpreter start)",
                timed(
                    lambda: subprocess.run([sys.executable, "-c", "pass"], check=False), args.repeat
                ),
            )
        )
        if CLAUDE.is_file():
            env = dict(
                os.environ,
                HOME=tmp,
                DISABLE_AUTOUPDATER="1",
                DISABLE_TELEMETRY="1",
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
            )
            command = [str(CLAUDE), "plugin", "validate", str(root)]
            rows.append(
                (
                    "claude plugin validate (2.1.197)",
                    timed(
                        lambda: subprocess.run(command, capture_output=True, env=env, check=False),
                        max(1, args.repeat // 2),
                    ),
                )
            )

    floor = rows[0][1]
    print(
        f"{files} files (1000 agents, 300 skills, 200 commands, hooks.json, plugin.json); "
        f"best of {args.repeat} runs"
    )
    print(f"{'what':40} {'seconds':>9} {'x floor':>8}")
    for name, seconds in rows:
        print(f"{name:40} {seconds:9.3f} {seconds / floor:8.2f}")
    ratio = rows[1][1] / floor
    print(f"in-process ratio {ratio:.2f} (target <= 1.30): {'OK' if ratio <= 1.3 else 'OVER'}")


if __name__ == "__main__":
    main()
