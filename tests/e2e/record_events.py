"""Record the real hook stdin of every event cc-pack handles, from each pinned Claude Code.

Run on demand (after a Claude Code version bump, or when a hook needs a field it has not seen):

    .venv/bin/python tests/e2e/record_events.py                 # both pinned versions
    .venv/bin/python tests/e2e/record_events.py --version 2.1.330 --out /tmp/events

It drives scripted sessions (fake Messages API on loopback, fresh HOME, a scratch git repo) in
which a recording hook is registered for PreToolUse (Write, Edit, NotebookEdit, Bash, Agent),
PostToolUse, PostToolUseFailure, UserPromptSubmit, SubagentStop and Stop, in drop-in mode
(``.claude/settings.json``) and plugin mode (``--plugin-dir``, agent types ``cc-pack:…``). The
recording hook blocks the first Stop and the first reviewer SubagentStop once, so the corpus also
holds the ``stop_hook_active: true`` variants.

Each stdin is written to ``tests/fixtures/events/<version>/<Event>/<name>.json`` with machine
details normalised: the project dir becomes ``/project``, HOME ``/home``, Claude Code's per-project
slug ``-project``, the session id ``SESSION_ID`` (and other sessions ``SESSION_ID_2``…), agent ids
``agent-1``…, prompt ids ``prompt-1``…, and ``duration_ms`` 0. The old corpus of a version is
replaced. The hook unit tests replay these files, so a hook can never again rely on a field
Claude Code does not send.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # claudebin
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeapi import Conversation, FakeAPI, main_thread, reply, subagent, tool
from runner import VERSIONS, Claude, ensure_binary
from scenario import write_notebook

from cc_pack import hookspec

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "tests" / "fixtures" / "events"

EVENTS = hookspec.EVENTS  # every event the pack handles
TOOL_MATCHER = "Write|Edit|NotebookEdit|Bash|Agent"

# The hook that records: stdin verbatim into $REC_DIR, and one block of the first Stop and of the
# first reviewer SubagentStop so that the stop_hook_active variants are seen too.
RECORDER = r"""
import os, sys, time
data = sys.stdin.buffer.read()
out = os.environ["REC_DIR"]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "%d-%d.json" % (time.time_ns(), os.getpid())), "wb") as fh:
    fh.write(data)
text = data.decode("utf-8", "replace")
def once(flag):
    path = os.path.join(out, flag)
    if os.path.exists(path):
        return False
    open(path, "w").close()
    return True
if '"hook_event_name":"Stop"' in text and once("stop.blocked"):
    sys.stderr.write("recorder: one more turn, please")
    sys.exit(2)
if '"hook_event_name":"SubagentStop"' in text and 'reviewer"' in text and once("sub.blocked"):
    sys.stderr.write("recorder: answer with the JSON contract")
    sys.exit(2)
"""

CONTRACT = {
    "reviewer": "correctness-reviewer",
    "summary": "one problem",
    "findings": [
        {
            "severity": "LOW",
            "file": "src/app.py",
            "line": 2,
            "message": "greeting is terse",
            "evidence": "return 'hi'",
        }
    ],
}


def _agent(name: str, tools: str) -> str:
    return (
        f"---\nname: {name}\ndescription: recorder {name}\ntools: {tools}\n---\n"
        f"You are RECORDER-{name.upper()}.\n"
    )


def _hooks(command: str) -> dict:
    hooks: dict[str, list] = {}
    for event in EVENTS:
        group: dict = {"hooks": [{"type": "command", "command": command, "timeout": 30}]}
        if event.startswith(("Pre", "Post")):
            group["matcher"] = TOOL_MATCHER
        hooks[event] = [group]
    return hooks


def _git(repo: Path, *args: str) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="r",
        GIT_AUTHOR_EMAIL="r@example.com",
        GIT_COMMITTER_NAME="r",
        GIT_COMMITTER_EMAIL="r@example.com",
    )
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _project(root: Path) -> Path:
    proj = root / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "app.py").write_text("def greet():\n    return 'hi'\n")
    write_notebook(proj / "nb.ipynb")
    _git(proj, "init", "-q", "-b", "main")
    _git(proj, "add", "-A")
    _git(proj, "commit", "-qm", "init")
    return proj


def _dropin_script(proj: Path, api: FakeAPI) -> None:
    """Main thread: every file tool, Bash ok and failing, sync and background subagents, a
    nested spawn; an implementer that writes; a reviewer that answers in prose first."""
    src = proj / "src"
    main_steps = [
        reply(
            "reading",
            tool("Read", file_path=str(src / "app.py")),
            tool("Read", file_path=str(proj / "nb.ipynb")),
        ),
        reply("new file", tool("Write", file_path=str(src / "new.py"), content="X = 1\n")),
        reply(
            "edit",
            tool("Edit", file_path=str(src / "app.py"), old_string="'hi'", new_string="'hello'"),
        ),
        reply(
            "overwrite",
            tool(
                "Write", file_path=str(src / "app.py"), content="def greet():\n    return 'hey'\n"
            ),
        ),
        reply(
            "notebook",
            tool(
                "NotebookEdit",
                notebook_path=str(proj / "nb.ipynb"),
                cell_id="c1",
                new_source="print(2)",
                edit_mode="replace",
            ),
        ),
        reply(
            "bash",
            tool(
                "Bash",
                command="echo hi > out.txt && git status --short",
                description="write and look",
            ),
        ),
        reply("bash fails", tool("Bash", command="echo oops >&2; exit 3", description="fail")),
        reply(
            "implement",
            tool(
                "Agent",
                description="implement",
                prompt="implement step s1",
                subagent_type="implementer",
                run_in_background=False,
            ),
        ),
        reply(
            "review",
            tool(
                "Agent",
                description="review",
                prompt="review the change",
                subagent_type="correctness-reviewer",
                run_in_background=False,
            ),
        ),
        reply(
            "research",
            tool(
                "Agent",
                description="research",
                prompt="research the area",
                subagent_type="researcher",
            ),
        ),
    ]
    # the tail: Stop is blocked once, a background agent may notify, then the approval turn
    main_steps += [reply("Plan ready: awaiting approval.")] * 6
    api.add(
        Conversation("main", main_thread(), main_steps),
        Conversation(
            "implementer",
            subagent("You are RECORDER-IMPLEMENTER"),
            [
                reply("", tool("Write", file_path=str(src / "impl.py"), content="Y = 2\n")),
                reply("", tool("Bash", command="git diff --stat", description="look")),
                reply("implemented step s1"),
            ],
        ),
        Conversation(
            "reviewer",
            subagent("You are RECORDER-CORRECTNESS-REVIEWER"),
            [
                reply(
                    "",
                    tool(
                        "Agent",
                        description="nested",
                        prompt="nested look",
                        subagent_type="researcher",
                        run_in_background=False,
                    ),
                ),
                reply("The change looks fine to me."),
                reply("```json\n" + json.dumps(CONTRACT) + "\n```"),
            ],
        ),
        Conversation(
            "researcher",
            subagent("You are RECORDER-RESEARCHER"),
            [
                reply("", tool("Bash", command="git ls-files", description="list")),
                reply("research notes: src/app.py is the entry point"),
            ],
        ),
    )


def _plugin(root: Path) -> Path:
    plugin = root / "plugin"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text(
        json.dumps(
            {
                "name": "cc-pack",
                "version": "0.0.0",
                "description": "recorder",
                "author": {"name": "recorder"},
            }
        )
    )
    (plugin / "agents").mkdir()
    (plugin / "agents" / "correctness-reviewer.md").write_text(
        _agent("correctness-reviewer", "Read, Bash")
    )
    (plugin / "agents" / "implementer.md").write_text(
        _agent("implementer", "Read, Edit, Write, NotebookEdit, Bash")
    )
    (plugin / "skills" / "orchestrate").mkdir(parents=True)
    (plugin / "skills" / "orchestrate" / "SKILL.md").write_text(
        "---\ndescription: recorder orchestrate\n---\nORCHESTRATE $ARGUMENTS\n"
    )
    (plugin / "hooks").mkdir()
    (plugin / "hooks" / "record.py").write_text(RECORDER)
    hooks = _hooks('python3 -S "${CLAUDE_PLUGIN_ROOT}/hooks/record.py"')
    (plugin / "hooks" / "hooks.json").write_text(json.dumps({"hooks": hooks}))
    return plugin


def _plugin_script(proj: Path, api: FakeAPI) -> None:
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "implement",
                    tool(
                        "Agent",
                        description="implement",
                        prompt="step s1",
                        subagent_type="cc-pack:implementer",
                        run_in_background=False,
                    ),
                ),
                reply(
                    "review",
                    tool(
                        "Agent",
                        description="review",
                        prompt="review it",
                        subagent_type="cc-pack:correctness-reviewer",
                        run_in_background=False,
                    ),
                ),
                *[reply("awaiting approval")] * 4,
            ],
        ),
        Conversation(
            "implementer",
            subagent("You are RECORDER-IMPLEMENTER"),
            [
                reply(
                    "", tool("Write", file_path=str(proj / "src" / "plugin.py"), content="Z = 3\n")
                ),
                reply("implemented"),
            ],
        ),
        Conversation(
            "reviewer",
            subagent("You are RECORDER-CORRECTNESS-REVIEWER"),
            [
                reply("prose first"),
                reply(json.dumps(CONTRACT)),
            ],
        ),
    )


# --- normalising and naming ---------------------------------------------------------------------


class Normaliser:
    def __init__(self, proj: Path, home: Path):
        self.pairs = []
        for real in {str(proj), os.path.realpath(proj)}:
            self.pairs.append((real, "/project"))
            self.pairs.append(
                (real.replace("/", "-").replace(".", "-").replace("_", "-"), "-project")
            )
        for real in {str(home), os.path.realpath(home)}:
            self.pairs.append((real, "/home"))
        self.pairs.sort(key=lambda p: -len(p[0]))
        self.ids: dict[str, str] = {}

    def _id(self, value: str, kind: str) -> str:
        if value not in self.ids:
            n = sum(1 for v in self.ids.values() if v.startswith(kind)) + 1
            self.ids[value] = (
                kind
                if n == 1 and kind == "SESSION_ID"
                else f"{kind}_{n}"
                if kind == "SESSION_ID"
                else f"{kind}-{n}"
            )
        return self.ids[value]

    def text(self, text: str) -> str:
        for real, fake in self.pairs:
            text = text.replace(real, fake)
        for value, fake in self.ids.items():
            text = text.replace(value, fake)
        # Claude Code's per-user temp dir (2.1.330 task output files)
        return re.sub(r"/tmp/claude-\d+/", "/tmp/claude-UID/", text)

    def event(self, event: dict) -> dict:
        for key, kind in (
            ("session_id", "SESSION_ID"),
            ("agent_id", "agent"),
            ("prompt_id", "prompt"),
        ):
            if isinstance(event.get(key), str):
                self._id(event[key], kind)
        # agent ids also appear inside tool responses and task notifications
        for match in re.findall(r"agentId[\"']?:\s*[\"']?([0-9a-f]{16,})", json.dumps(event)):
            self._id(match, "agent")
        out = json.loads(self.text(json.dumps(event)))
        if "duration_ms" in out:
            out["duration_ms"] = 0
        return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:40] or "x"


def name_for(event: dict, prefix: str) -> str:
    kind = event.get("hook_event_name", "")
    caller = (event.get("agent_type") or "main").split(":")[-1]
    if kind in ("PreToolUse", "PostToolUse", "PostToolUseFailure"):
        tool_input = event.get("tool_input") or {}
        tool_name = event.get("tool_name", "")
        if tool_name == "Agent":
            detail = str(tool_input.get("subagent_type", "default")).split(":")[-1]
        elif tool_name == "Bash":
            detail = str(tool_input.get("description") or tool_input.get("command", ""))
        else:
            path = tool_input.get("file_path") or tool_input.get("notebook_path") or ""
            detail = os.path.basename(path)
            response = event.get("tool_response")
            if isinstance(response, dict) and response.get("type") in ("create", "update"):
                detail += "-" + response["type"]
        name = f"{tool_name}-{caller}-{_slug(detail)}"
    elif kind == "SubagentStop":
        name = caller + ("-stop_hook_active" if event.get("stop_hook_active") else "")
    elif kind == "Stop":
        name = "main" + ("-stop_hook_active" if event.get("stop_hook_active") else "")
    elif kind == "UserPromptSubmit":
        prompt = str(event.get("prompt", ""))
        if prompt.startswith("<task-notification>"):
            name = "task-notification"
        else:
            name = _slug(prompt.lstrip("/").replace(":", "-"))
    else:
        name = "event"
    return prefix + name


def collect(rec_dir: Path, normaliser: Normaliser, prefix: str, out: Path) -> list[Path]:
    written = []
    for raw in sorted(rec_dir.glob("*.json"), key=lambda p: int(p.name.split("-")[0])):
        event = normaliser.event(json.loads(raw.read_text()))
        folder = out / event["hook_event_name"]
        folder.mkdir(parents=True, exist_ok=True)
        base = name_for(event, prefix)
        path = folder / f"{base}.json"
        n = 2
        while path.exists():
            path = folder / f"{base}-{n}.json"
            n += 1
        path.write_text(json.dumps(event, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


# --- sessions -----------------------------------------------------------------------------------


def record_version(version: str, out_root: Path) -> list[Path]:
    binary = ensure_binary(version)
    out = out_root / version
    if out.exists():
        shutil.rmtree(out)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="cc-pack-rec-") as tmp:
        root = Path(tmp)
        # drop-in mode
        proj = _project(root / "dropin")
        agents = proj / ".claude" / "agents"
        agents.mkdir(parents=True)
        for name, tools in (
            ("implementer", "Read, Edit, Write, NotebookEdit, Bash"),
            ("correctness-reviewer", "Read, Bash, Agent"),
            ("researcher", "Read, Bash"),
        ):
            (agents / f"{name}.md").write_text(_agent(name, tools))
        skill = proj / ".claude" / "skills" / "orchestrate"
        skill.mkdir(parents=True)
        (skill / "SKILL.md").write_text(
            "---\ndescription: recorder orchestrate\n---\nORCHESTRATE $ARGUMENTS\n"
        )
        (proj / ".claude" / "record.py").write_text(RECORDER)
        hooks = _hooks('python3 -S "$CLAUDE_PROJECT_DIR/.claude/record.py"')
        (proj / ".claude" / "settings.json").write_text(json.dumps({"hooks": hooks}))
        rec = root / "dropin" / "rec"
        with FakeAPI() as api:
            _dropin_script(proj, api)
            claude = Claude(
                binary, version, root / "dropin" / "home", proj, api.url, {"REC_DIR": str(rec)}
            )
            first = claude.run("/orchestrate add a greeting")
            second = claude.run("/orchestrate approve", resume=first.session_id)
            _check(api, first, second)
        norm = Normaliser(proj, root / "dropin" / "home")
        written += collect(rec, norm, "", out)

        # plugin mode
        proj = _project(root / "plugin")
        plugin = _plugin(root / "plugin")
        rec = root / "plugin" / "rec"
        with FakeAPI() as api:
            _plugin_script(proj, api)
            claude = Claude(
                binary, version, root / "plugin" / "home", proj, api.url, {"REC_DIR": str(rec)}
            )
            first = claude.run("/cc-pack:orchestrate add a greeting", plugin_dir=plugin)
            second = claude.run(
                "/cc-pack:orchestrate approve", resume=first.session_id, plugin_dir=plugin
            )
            _check(api, first, second)
        norm = Normaliser(proj, root / "plugin" / "home")
        norm.pairs.insert(0, (str(plugin), "/plugin"))
        written += collect(rec, norm, "plugin-", out)
    return written


def _check(api: FakeAPI, *runs) -> None:
    problems = list(api.errors)
    problems += [f"claude exited {r.returncode}: {r.stderr[-500:]}" for r in runs if r.returncode]
    if problems:
        details = "\n\n".join(r.describe() for r in runs)
        raise SystemExit(
            "recording session went off script:\n" + "\n".join(problems) + "\n\n" + details
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--version",
        action="append",
        choices=VERSIONS,
        help="record only this version (repeatable; default: all pinned)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="corpus root")
    args = parser.parse_args(argv)
    for version in args.version or VERSIONS:
        written = record_version(version, args.out)
        print(f"{version}: {len(written)} events -> {args.out / version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
