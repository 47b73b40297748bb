"""Context footprint: what the pack adds to every main-thread request, measured on the wire.

For each pinned Claude Code version, one scripted one-turn session (`hello`, answered by the fake
Messages API) in three projects: without the pack, with it installed by `cc-pack init`, and with
it loaded through `--plugin-dir`. The recorded first main-thread request bodies are compared line
by line (system prompt, tool descriptions and schemas, message text): the lines only the pack's
run has are its footprint, attributed to the agent or skill they list, or to a hook (text naming
cc-pack), else ``other`` (e.g. the git status snapshot; lines that merely changed, like commit
hashes, cancel out in the net figure). Tokens are estimated as chars / 4.

Run on demand (not part of pytest): `python tests/bench/bench_context.py` (~10 s). Prints the
table and the breakdown; exits 1 when a figure exceeds the goal of 600 tokens.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))  # claudebin
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import fakeapi  # noqa: E402
import runner  # noqa: E402
from scenario import commit_all, git, install  # noqa: E402

GOAL_TOKENS = 600
PLUGIN_PARTS = (".claude-plugin", "agents", "skills", "hooks", "tools")
AGENTS = sorted(p.stem for p in (REPO / "agents").glob("*.md"))
SKILLS = sorted(p.parent.name for p in (REPO / "skills").glob("*/SKILL.md"))
# variant -> its directory name: equally long, and no word the prompts use (paths show in them)
VARIANTS = {"base": "vzq1", "drop": "vzq2", "plug": "vzq3"}


def request_lines(body: dict, variant: str) -> list[str]:
    """Every line of text the model reads in a request body (the variant's directory name,
    which shows in paths, replaced)."""
    texts: list[str] = []
    system = body.get("system") or []
    texts += [system] if isinstance(system, str) else [b.get("text", "") for b in system]
    for spec in body.get("tools") or []:
        texts.append(spec.get("description", ""))
        texts.append(json.dumps(spec.get("input_schema", {}), indent=1))
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
            continue
        for block in content or []:
            if block.get("type") == "text":
                texts.append(block.get("text", ""))
    return [line.replace(variant, "VARIANT") for text in texts for line in text.splitlines()]


def first_request(version: str, home: Path, project: Path, plugin: Path | None) -> dict:
    api = fakeapi.FakeAPI(
        [fakeapi.Conversation("main", fakeapi.main_thread(), [fakeapi.reply("hi")])]
    )
    with api:
        claude = runner.Claude(runner.binary_path(version), version, home, project, api.url)
        run = claude.run("hello", plugin_dir=plugin, timeout=60)
        if run.returncode != 0 or not api.main_requests():
            raise SystemExit(f"claude {version} failed:\n{run.describe()}")
        return api.main_requests()[0].body


def new_project(root: Path, install_pack: bool = False) -> Path:
    """The same git history shape in every variant (two commits, clean tree): the git status
    snapshot is in the first request."""
    project = root / "proj"
    project.mkdir(parents=True)
    git(project, "init", "-q", "-b", "main")
    (project / "README.md").write_text("demo project\n")
    commit_all(project, "init")
    if install_pack:
        install(project, log=False)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "pack", "--allow-empty")
    return project


def owner(line: str, prefix: str) -> str:
    text = line.strip()
    for kind, names in (("agent", AGENTS), ("skill", SKILLS)):
        for name in names:
            for form in (f"- {prefix}{name}:", f'"{prefix}{name}"', f"{prefix}{name}:"):
                if text.startswith(form):
                    return f"{kind} {name}"
    return "hook" if "cc-pack" in text else "other"


def footprint(base: list[str], packed: list[str], prefix: str) -> tuple[int, dict[str, int]]:
    added = Counter(packed) - Counter(base)
    removed = Counter(base) - Counter(packed)
    parts: Counter[str] = Counter({"hook": 0, "other": 0})  # shown even when nothing
    for line, n in added.items():
        parts[owner(line, prefix)] += (len(line) + 1) * n
    for line, n in removed.items():
        parts["other"] -= (len(line) + 1) * n
    return sum(parts.values()), dict(parts)


def measure(version: str, tmp: Path) -> dict[str, tuple[int, dict[str, int]]]:
    lines = {}
    for variant, dirname in VARIANTS.items():
        root = tmp / version / dirname
        plugin = None
        if variant == "plug":
            plugin = tmp / version / "plugin"
            for part in PLUGIN_PARTS:
                shutil.copytree(
                    REPO / part, plugin / part, ignore=shutil.ignore_patterns("__pycache__")
                )
        project = new_project(root, install_pack=variant == "drop")
        body = first_request(version, root / "home", project, plugin)
        lines[variant] = request_lines(body, dirname)
    base, dropin, plugged = lines["base"], lines["drop"], lines["plug"]
    return {
        "drop-in": footprint(base, dropin, ""),
        "plugin": footprint(base, plugged, "cc-pack:"),
    }


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ccbench-")).resolve()
    try:
        results = {v: measure(v, tmp) for v in runner.VERSIONS}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    over = False
    print(f"{'version':<9} {'mode':<8} {'chars':>6} {'tokens':>6}  goal <= {GOAL_TOKENS}")
    for version, modes in results.items():
        for mode, (chars, _) in modes.items():
            tokens = round(chars / 4)
            over |= tokens > GOAL_TOKENS
            mark = "ok" if tokens <= GOAL_TOKENS else "OVER"
            print(f"{version:<9} {mode:<8} {chars:>6} {tokens:>6}  {mark}")
    print()
    for version, modes in results.items():
        for mode, (_, parts) in modes.items():
            print(f"{version} {mode}:")
            for part, chars in sorted(parts.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {part:<32} {chars:>6} chars {round(chars / 4):>5} tokens")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
