"""Benchmark cc-pack validate on a generated pack (1,000 agents, 300 skills, 200 commands, hooks)
and on a small one (the C.6 baseline plugin: 5 files).

Run: python tests/bench/bench_validate.py [--repeat N]. Prints a table; not part of pytest.
Compares, on the same trees and in the same run (the commands alternate, so load from other
processes hits all alike; best of N): reading and YAML-parsing the files only (CSafeLoader, the
in-process floor), cc-pack validate in-process and as a whole process (``cc-pack validate``, the
console script), agnix (``pip install agnix``, Rust, all cores) and ``claude plugin validate``.
Goals (issue 15): the whole process as fast as agnix on the big tree, under 0.08 s on the small
pack. Processes run with bytecode caching on (PYTHONDONTWRITEBYTECODE unset), as an installed
cc-pack runs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def alternate(commands: dict[str, list[str]], repeat: int, env: dict) -> dict[str, float]:
    """Best wall time of each command as a process, the commands run in turn ``repeat`` times
    (one warm-up round first: bytecode written, files in the page cache)."""
    best = {name: float("inf") for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, capture_output=True, env=env, check=False)
            if round_:
                best[name] = min(best[name], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    from cc_pack.validate import run
    from cc_pack.validate.rules import RULES  # noqa: F401 - import cost outside the timings
    from cc_pack.validate.settings import Settings

    bin_dir = Path(sys.executable).parent
    cc_pack = [str(bin_dir / "cc-pack"), "validate", "--format", "json"]
    agnix = shutil.which("agnix", path=str(bin_dir)) or shutil.which("agnix")
    baseline = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "c6"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pack"
        generate(root)
        small = Path(tmp) / "small"  # outside this repository, whose own config would apply
        shutil.copytree(baseline / "00-valid-baseline", small)
        (small / "expected.txt").unlink()
        files = read_and_parse(root)
        outcome = run([root], Settings())
        assert outcome.errors == 0, outcome.findings[:3]

        floor, validate = paired(
            lambda: read_and_parse(root), lambda: run([root], Settings()), args.repeat
        )
        commands = {"cc-pack validate": [*cc_pack, str(root)]}
        if agnix:
            commands["agnix"] = [agnix, str(root)]
        commands["python -c pass"] = [sys.executable, "-c", "pass"]
        big = alternate(commands, args.repeat, env)
        small_commands = {"cc-pack validate": [*cc_pack, str(small)]}
        if agnix:
            small_commands["agnix"] = [agnix, str(small)]
        tiny = alternate(small_commands, args.repeat, env)
        claude = None
        if CLAUDE.is_file():
            claude_env = dict(
                env,
                HOME=tmp,
                DISABLE_AUTOUPDATER="1",
                DISABLE_TELEMETRY="1",
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
            )
            command = [str(CLAUDE), "plugin", "validate", str(root)]
            claude = timed(
                lambda: subprocess.run(command, capture_output=True, env=claude_env, check=False),
                max(1, args.repeat // 2),
            )

    print(
        f"{files} files (1000 agents, 300 skills, 200 commands, hooks.json, plugin.json); "
        f"best of {args.repeat} runs; {os.cpu_count()} cores"
    )
    print(f"{'in-process':40} {'seconds':>9} {'x floor':>8}")
    for name, seconds in (
        ("read + yaml-parse only (floor)", floor),
        ("cc-pack validate", validate),
    ):
        print(f"{name:40} {seconds:9.3f} {seconds / floor:8.2f}")
    print(f"\n{'as a process':40} {'big tree':>9} {'small':>8}")
    for name, seconds in big.items():
        small_time = tiny.get(name)
        print(f"{name:40} {seconds:9.3f} {'' if small_time is None else f'{small_time:8.3f}'}")
    if claude is not None:
        print(f"{'claude plugin validate (2.1.197)':40} {claude:9.3f}")
    if agnix:
        ratio = big["cc-pack validate"] / big["agnix"]
        print(f"\ncc-pack / agnix on the big tree: {ratio:.2f}x (goal <= 1.00)")
    else:
        print("\nagnix not installed: pip install agnix (a wheel) for the comparison")
    print(f"cc-pack on the small pack: {tiny['cc-pack validate']:.3f} s (goal < 0.080)")


if __name__ == "__main__":
    main()
