"""Facts about Claude Code's agent runtime that cc-pack relies on, replayed on both pinned versions.

Each test drives the real binary against the fake Messages API and asserts one fact of the report
the README's reference facts (binding a child agent to its Agent call, ``isolation: "worktree"``,
token usage in transcripts, SessionStart after compaction and resume, SubagentStop blocking).
Every hook script is written into ``tmp_path``; nothing of cc-pack's own hooks is used.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import runner
from fakeapi import (
    Conversation,
    Request,
    both,
    first_user_contains,
    main_thread,
    reply,
    subagent,
    tool,
)
from scenario import git

pytestmark = pytest.mark.e2e

PY = sys.executable

# One recording hook for every test: stdin, the hook's cwd and CLAUDE_PROJECT_DIR into
# <rec>/<ns>-<pid>.json, plus what a mode asks it to look at (argv[2]).
RECORDER = r"""
import json, os, subprocess, sys, time
rec_dir, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
ev = json.loads(sys.stdin.read())
rec = {"stdin": ev, "cwd": os.getcwd(), "project_dir": os.environ.get("CLAUDE_PROJECT_DIR"),
       "mode": mode}
main_tp = ev.get("transcript_path") or ""
subdir = main_tp[:-len(".jsonl")] + "/subagents"

def agent_files(agent_id):
    base = os.path.join(subdir, "agent-" + agent_id)
    meta = base + ".meta.json"
    out = {"meta": None, "jsonl_exists": os.path.exists(base + ".jsonl")}
    if os.path.exists(meta):
        with open(meta) as fh:
            out["meta"] = json.load(fh)
    return out

def usage_records(path):
    out = []
    with open(path) as fh:
        for line in fh:
            e = json.loads(line)
            m = e.get("message")
            if isinstance(m, dict) and m.get("role") == "assistant" and m.get("usage"):
                out.append({"id": m.get("id"), "model": m.get("model"), "usage": m["usage"],
                            "blocks": [b.get("type") for b in m.get("content") or []],
                            "texts": [b.get("text") for b in m.get("content") or []
                                      if b.get("type") == "text"]})
    return out

name = ev.get("hook_event_name")
if mode == "probe-start" and name == "SubagentStart":
    # a synchronous SubagentStart hook: does anything about this child exist yet?
    t0, seen = time.time(), None
    while time.time() - t0 < 1.0 and not seen:
        files = agent_files(ev["agent_id"])
        if files["meta"] or files["jsonl_exists"]:
            seen = files
        time.sleep(0.05)
    rec["seen_during_hook"] = seen
    rec["subagent_dir_listing"] = sorted(os.listdir(subdir)) if os.path.isdir(subdir) else []
if mode == "async-start" and name == "SubagentStart":
    t0 = time.time()
    while time.time() - t0 < 5 and not agent_files(ev["agent_id"])["meta"]:
        time.sleep(0.02)
    rec["files"] = agent_files(ev["agent_id"])
if ev.get("agent_id") and name == "PreToolUse":
    rec["files"] = agent_files(ev["agent_id"])
if mode == "usage":
    if name == "SubagentStop":
        path = ev["agent_transcript_path"]
        rec["records_at_once"] = usage_records(path)
        t0 = time.time()
        while time.time() - t0 < 3:
            records = usage_records(path)
            if any(ev["last_assistant_message"] in r["texts"] for r in records):
                break
            time.sleep(0.02)
        rec["records_after_wait"] = records
        rec["waited"] = time.time() - t0
    elif name == "PostToolUse" and ev.get("tool_name") == "Agent":
        agent_id = ev["tool_response"]["agentId"]
        rec["records"] = usage_records(os.path.join(subdir, "agent-" + agent_id + ".jsonl"))
    elif name in ("Stop", "SessionEnd"):
        rec["records"] = usage_records(main_tp)
with open(os.path.join(rec_dir, "%d-%d.json" % (time.time_ns(), os.getpid())), "w") as fh:
    json.dump(rec, fh)
if mode.startswith("wtcreate=") and name == "WorktreeCreate":
    path = mode.split("=", 1)[1]
    subprocess.run(["git", "worktree", "add", "-q", "--detach", path], cwd=ev["cwd"],
                   capture_output=True, check=True)
    print(path)
"""


class Hooks:
    """Writes the recorder into tmp_path and registers it in the project's settings."""

    def __init__(self, tmp_path: Path, project: Path):
        self.dir = tmp_path / "rec"
        self.dir.mkdir()
        self.script = tmp_path / "recorder.py"
        self.script.write_text(RECORDER)
        self.project = project
        self.settings: dict = {"hooks": {}}

    def command(self, mode: str = "") -> str:
        return f"{PY} {self.script} {self.dir} {mode}".strip()

    def add(self, event: str, command: str, matcher: str | None = None, **extra) -> None:
        group: dict = {"hooks": [{"type": "command", "command": command, "timeout": 30, **extra}]}
        if matcher is not None:
            group["matcher"] = matcher
        self.settings["hooks"].setdefault(event, []).append(group)

    def record(self, event: str, mode: str = "", matcher: str | None = None, **extra) -> None:
        self.add(event, self.command(mode), matcher, **extra)

    def write(self) -> None:
        claude_dir = self.project / ".claude"
        claude_dir.mkdir(exist_ok=True)
        (claude_dir / "settings.json").write_text(json.dumps(self.settings))

    def records(self, event: str | None = None, tool_name: str | None = None) -> list[dict]:
        out = []
        for path in sorted(self.dir.glob("*.json")):
            rec = json.loads(path.read_text())
            stdin = rec["stdin"]
            if event and stdin.get("hook_event_name") != event:
                continue
            if tool_name and stdin.get("tool_name") != tool_name:
                continue
            out.append(rec)
        return out


def write_agent(project: Path, name: str, tools: str = "Read, Write, Edit, Bash") -> str:
    """A project agent whose subagent requests start with ``You are AGENT-<NAME>``."""
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True, exist_ok=True)
    (agents / f"{name}.md").write_text(
        f"---\nname: {name}\ndescription: test {name}\ntools: {tools}\n---\n"
        f"You are AGENT-{name.upper()}.\n"
    )
    return f"You are AGENT-{name.upper()}"


def agent_call(prompt: str, **extra) -> object:
    return tool(
        "Agent",
        description=prompt[:20],
        prompt=prompt,
        subagent_type="implementer",
        run_in_background=False,
        **extra,
    )


def child_of(body: str, marker: str):
    return both(subagent(body), first_user_contains(marker))


def other_claude(claude: runner.Claude, tmp_path: Path, name: str, project: Path):
    return runner.Claude(
        claude.binary, claude.version, tmp_path / f"home-{name}", project, claude.base_url
    )


# --- 1. binding a child agent to its Agent call -------------------------------------------------


def test_child_agent_is_bound_to_its_agent_call_only_through_the_meta_file(
    claude, api, project, tmp_path
):
    """Two parallel implementers of one type: SubagentStart carries agent_id/agent_type and
    nothing that names the Agent call, and no file about the child exists while a synchronous
    SubagentStart hook runs; from then on ``<session>/subagents/agent-<id>.meta.json`` holds the
    call's ``toolUseId`` (an async SubagentStart hook and the child's first PreToolUse both see
    it). The child's hook stdin has agent_id and the *main* transcript_path; the agent transcript's
    first record is the prompt; PostToolUse(Agent) gives agentId only when the child is done."""
    body = write_agent(project, "implementer")
    hooks = Hooks(tmp_path, project)
    hooks.record("PreToolUse", matcher="*")
    hooks.record("PostToolUse", matcher="Agent")
    hooks.record("SubagentStart", "probe-start")
    hooks.record("SubagentStart", "async-start", **{"async": True})
    hooks.record("SubagentStop")
    hooks.write()
    calls = [agent_call(f"Implement plan step {s}. STEP-MARK-{s}") for s in "AB"]
    api.add(Conversation("main", main_thread(), [reply("fan out", *calls), reply("all done")]))
    for s in "AB":
        api.add(
            Conversation(
                f"impl{s}",
                child_of(body, f"STEP-MARK-{s}"),
                [
                    reply("", tool("Write", file_path=str(project / f"{s}.txt"), content=s)),
                    reply(f'done {s}\n```json\n{{"step": "{s}"}}\n```'),
                ],
            )
        )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()

    pre_agent = hooks.records("PreToolUse", "Agent")
    assert len(pre_agent) == 2
    call_prompt = {}  # tool_use_id -> prompt, what PreToolUse(Agent) can record
    for rec in pre_agent:
        stdin = rec["stdin"]
        assert "agent_id" not in stdin
        call_prompt[stdin["tool_use_id"]] = stdin["tool_input"]["prompt"]

    sync_starts = [r for r in hooks.records("SubagentStart") if r["mode"] == "probe-start"]
    assert len(sync_starts) == 2
    for rec in sync_starts:
        stdin = rec["stdin"]
        assert set(stdin) == {
            "session_id",
            "transcript_path",
            "cwd",
            "prompt_id",
            "agent_id",
            "agent_type",
            "hook_event_name",
        }
        assert stdin["agent_type"] == "implementer"
        assert rec["seen_during_hook"] is None  # neither meta.json nor the transcript, for 1 s
        assert f"agent-{stdin['agent_id']}.meta.json" not in rec["subagent_dir_listing"]

    async_starts = [r for r in hooks.records("SubagentStart") if r["mode"] == "async-start"]
    assert len(async_starts) == 2
    for rec in async_starts:
        meta = rec["files"]["meta"]
        assert meta["agentType"] == "implementer"
        assert meta["toolUseId"] in call_prompt

    main_transcript = pre_agent[0]["stdin"]["transcript_path"]
    bound = {}  # agent_id -> prompt, through meta.json at the child's first tool call
    for rec in hooks.records("PreToolUse", "Write"):
        stdin = rec["stdin"]
        assert stdin["agent_type"] == "implementer"
        assert stdin["transcript_path"] == main_transcript
        assert "agent_transcript_path" not in stdin
        meta = rec["files"]["meta"]
        bound[stdin["agent_id"]] = call_prompt[meta["toolUseId"]]
        # the binding is right: the child that writes A.txt is the one prompted with STEP-MARK-A
        step = Path(stdin["tool_input"]["file_path"]).stem
        assert f"STEP-MARK-{step}" in bound[stdin["agent_id"]]
    assert len(bound) == 2

    subagents = Path(main_transcript[: -len(".jsonl")]) / "subagents"
    for agent_id, prompt in bound.items():
        first = json.loads((subagents / f"agent-{agent_id}.jsonl").read_text().splitlines()[0])
        assert first["type"] == "user" and first["agentId"] == agent_id
        assert first["message"]["content"] == prompt

    for rec in hooks.records("PostToolUse", "Agent"):
        response = rec["stdin"]["tool_response"]
        assert response["status"] == "completed"
        assert bound[response["agentId"]] == rec["stdin"]["tool_input"]["prompt"]


def test_agent_without_run_in_background_runs_in_background_on_330_only(claude, api, project):
    """In ``-p``, an Agent call that omits ``run_in_background`` is a foreground call on 2.1.197
    but is launched in the background on 2.1.330: PostToolUse(Agent) then fires at once with
    ``status: async_launched`` and the agentId, before the child has done anything."""
    body = write_agent(project, "implementer")
    hooks = Hooks(project.parent, project)
    hooks.record("PostToolUse", matcher="Agent")
    hooks.write()
    call = tool("Agent", description="d", prompt="BG-PROMPT", subagent_type="implementer")
    api.add(
        Conversation("main", main_thread(), [reply("", call)] + [reply("main done")] * 3),
        Conversation("impl", subagent(body), [reply("child done")]),
    )
    run = claude.run("go")
    assert run.returncode == 0, run.describe()
    [rec] = hooks.records("PostToolUse", "Agent")
    response = rec["stdin"]["tool_response"]
    if claude.version == "2.1.197":
        assert response["status"] == "completed"
        assert response["content"] == [{"type": "text", "text": "child done"}]
    else:
        assert response["status"] == "async_launched"
        assert response["isAsync"] is True
        assert response["agentId"] and "content" not in response


# --- 2. isolation: "worktree" -------------------------------------------------------------------


def test_worktree_isolation_paths_cwd_and_cleanup(claude, api, project, tmp_path):
    """Two parallel isolated implementers. Each child runs in ``.claude/worktrees/agent-<id>``
    on branch ``worktree-agent-<id>``, checked out from HEAD (not from the dirty working tree);
    its hooks get that worktree as stdin ``cwd`` and as their working directory while
    CLAUDE_PROJECT_DIR stays the main checkout (and is unset inside the child's Bash); a Write to
    the main checkout's path is refused before any hook; the worktree with changes is kept (the
    parent gets worktreePath/worktreeBranch), the one without is removed with its branch; the
    main checkout's git status then shows ``?? .claude/worktrees/``."""
    body = write_agent(project, "implementer")
    hooks = Hooks(tmp_path, project)
    hooks.record("PreToolUse", matcher="Write|Bash")
    hooks.record("PostToolUse", matcher="Agent")
    hooks.record("SubagentStart")
    hooks.write()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "claude files")
    (project / "README.md").write_text("DIRTY, not committed\n")

    def writes(req: Request):
        wt = re.search(r"PWD=(\S+)", req.text()).group(1)
        return reply(
            "",
            tool("Write", file_path=f"{wt}/child.txt", content="from child\n"),
            tool("Bash", command="echo bash > viabash.txt", description="write"),
            tool("Write", file_path=str(project / "escape.txt"), content="escaped\n"),
        )

    where = tool(
        "Bash", command="echo PWD=$(pwd) PD=$CLAUDE_PROJECT_DIR; cat README.md", description="w"
    )
    calls = [agent_call(f"isolated STEP-{s}", isolation="worktree") for s in ("CHANGE", "NONE")]
    status = tool("Bash", command="git status --porcelain", description="status")
    api.add(
        Conversation("main", main_thread(), [reply("", *calls), reply("", status), reply("ok")]),
        Conversation(
            "change", child_of(body, "STEP-CHANGE"), [reply("", where), writes, reply("did")]
        ),
        Conversation("none", child_of(body, "STEP-NONE"), [reply("", where), reply("nothing")]),
    )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()

    by_prompt = {r["stdin"]["tool_input"]["prompt"]: r for r in hooks.records("PostToolUse")}
    changed = by_prompt["isolated STEP-CHANGE"]["stdin"]["tool_response"]
    unchanged = by_prompt["isolated STEP-NONE"]["stdin"]["tool_response"]
    wt = project / ".claude" / "worktrees" / f"agent-{changed['agentId']}"
    assert changed["worktreePath"] == str(wt)
    assert changed["worktreeBranch"] == f"worktree-agent-{changed['agentId']}"
    assert "worktreePath" not in unchanged and "worktreeBranch" not in unchanged

    results = {r["tool_use_id"]: r["text"] for r in run.tool_results()}
    texts = [results[u["id"]] for u in run.tool_uses() if u["name"] == "Agent"]
    changed_text = next(t for t in texts if changed["agentId"] in t)
    unchanged_text = next(t for t in texts if unchanged["agentId"] in t)
    assert f"worktreePath: {wt}\nworktreeBranch: worktree-agent-{changed['agentId']}" in (
        changed_text
    )
    assert "worktreePath:" not in unchanged_text

    # the child's hooks: cwd = its worktree, CLAUDE_PROJECT_DIR = the main checkout
    child_recs = [r for r in hooks.records() if r["stdin"].get("agent_id") == changed["agentId"]]
    assert {r["stdin"]["hook_event_name"] for r in child_recs} == {"SubagentStart", "PreToolUse"}
    for rec in child_recs:
        assert rec["stdin"]["cwd"] == str(wt) and rec["cwd"] == str(wt)
        assert rec["project_dir"] == str(project)
    [pwd] = [r for r in run.tool_results() if r["text"].startswith(f"PWD={wt} ")]
    assert pwd["text"] == f"PWD={wt} PD=\ndemo project"  # HEAD's README, not the dirty one
    # Write and Bash land in the worktree; the main checkout's path was refused, hook-less
    assert (wt / "child.txt").read_text() == "from child\n"
    assert (wt / "viabash.txt").read_text() == "bash\n"
    assert not (project / "escape.txt").exists()
    assert not any("escape.txt" in json.dumps(r["stdin"]) for r in hooks.records())
    refused = [r for r in run.tool_results() if r["is_error"]]
    assert [r["text"] for r in refused] == [
        f"<tool_use_error>This agent is isolated in the worktree {wt}. Edit the worktree copy "
        "of this file instead of the shared-checkout path.</tool_use_error>"
    ]
    # kept with changes, removed without
    branches = git(project, "branch", "--format=%(refname:short)").split()
    assert sorted(branches) == sorted(["main", changed["worktreeBranch"]])
    assert sorted(p.name for p in (project / ".claude" / "worktrees").iterdir()) == [wt.name]
    assert "?? .claude/worktrees/" in results[run.tool_uses()[-1]["id"]]
    # meta.json knows the worktree too
    transcript = hooks.records("SubagentStart")[0]["stdin"]["transcript_path"]
    meta_path = Path(transcript[:-6]) / "subagents" / f"agent-{changed['agentId']}.meta.json"
    meta = json.loads(meta_path.read_text())
    assert meta["worktreePath"] == str(wt) and meta["worktreeBranch"] == changed["worktreeBranch"]


def test_worktree_create_hook_replaces_git_and_its_worktree_is_never_removed(
    claude, api, project, tmp_path
):
    """A WorktreeCreate hook takes over creation: stdin has only ``name`` (``agent-<id>``) and
    the main checkout as ``cwd``; the path it prints becomes the child's cwd; Claude Code keeps
    that worktree although the child changed nothing, and no WorktreeRemove hook fires."""
    body = write_agent(project, "implementer")
    custom = tmp_path / "custom-wt"
    hooks = Hooks(tmp_path, project)
    hooks.record("WorktreeCreate", f"wtcreate={custom}")
    hooks.record("WorktreeRemove")
    hooks.record("SubagentStart")
    hooks.record("PostToolUse", matcher="Agent")
    hooks.write()
    api.add(
        Conversation(
            "main", main_thread(), [reply("", agent_call("iso", isolation="worktree")), reply("k")]
        ),
        Conversation(
            "impl", subagent(body), [reply("", tool("Bash", command="pwd")), reply("nothing")]
        ),
    )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()
    [create] = hooks.records("WorktreeCreate")
    [start] = hooks.records("SubagentStart")
    assert set(create["stdin"]) == {
        "session_id",
        "transcript_path",
        "cwd",
        "prompt_id",
        "hook_event_name",
        "name",
    }
    assert create["stdin"]["name"] == f"agent-{start['stdin']['agent_id']}"
    assert create["stdin"]["cwd"] == str(project)
    assert start["stdin"]["cwd"] == str(custom)
    assert run.result_for("Bash")["text"] == str(custom)
    [post] = hooks.records("PostToolUse")
    assert post["stdin"]["tool_response"]["worktreePath"] == str(custom)
    agent_text = run.result_for("Agent")["text"]
    assert f"worktreePath: {custom}\n" in agent_text
    if claude.version == "2.1.197":
        assert "worktreeBranch: undefined" in agent_text
    else:
        assert "worktreeBranch" not in agent_text
    assert custom.is_dir() and str(custom) in git(project, "worktree", "list")
    assert hooks.records("WorktreeRemove") == []


def test_worktree_isolation_needs_a_commit_a_git_repo_or_a_path_from_the_hook(
    claude, tmp_path, api
):
    """The Agent call fails (is_error tool_result, no child) in a git repo without a commit, in
    a directory that is not a git repo, and when a WorktreeCreate hook prints no path."""
    body_line = "You are AGENT-IMPLEMENTER"
    api.add(
        Conversation(
            "main",
            main_thread(),
            [reply("", agent_call("iso", isolation="worktree")), reply("k")] * 3,
        ),
        Conversation("impl", subagent(body_line), [reply("should not run")]),
    )
    cases = {}
    for name in ("nocommit", "nogit", "silenthook"):
        proj = tmp_path / name / "proj"
        proj.mkdir(parents=True)
        (proj / "README.md").write_text("x\n")
        if name != "nogit":
            git(proj, "init", "-q", "-b", "main")
        if name == "silenthook":
            git(proj, "add", "-A")
            git(proj, "commit", "-qm", "init")
            hooks = Hooks(tmp_path / name, proj)
            hooks.record("WorktreeCreate")  # records, prints nothing
            hooks.write()
        write_agent(proj, "implementer")
        run = other_claude(claude, tmp_path, name, proj).run("go")
        assert run.returncode == 0, run.describe()
        cases[name] = run.result_for("Agent")
    assert all(r["is_error"] for r in cases.values())
    assert api.requests_of("impl") == []
    assert cases["nocommit"]["text"].startswith(
        'Failed to resolve base branch "HEAD": git rev-parse'
    )
    assert cases["nogit"]["text"] == (
        "Cannot create agent worktree: not in a git repository and no WorktreeCreate hooks are "
        "configured. Configure WorktreeCreate/WorktreeRemove hooks in settings.json to use "
        "worktree isolation with other VCS systems."
    )
    assert cases["silenthook"]["text"] == (
        "WorktreeCreate hook failed: hook succeeded but returned no worktree path (command: echo "
        "the path to stdout; http/callback: return hookSpecificOutput.worktreePath)"
    )


# --- 3. token usage -----------------------------------------------------------------------------


def served(i, o, cr, cc, **extra) -> dict:
    return {
        "input_tokens": i,
        "output_tokens": o,
        "cache_read_input_tokens": cr,
        "cache_creation_input_tokens": cc,
        "start_output_tokens": 3,  # what message_start says; message_delta's output_tokens wins
        **extra,
    }


FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


def dedup_sum(records: list[dict]) -> tuple[dict, int]:
    """Sum of usage over records, one per message id; and how many distinct ids."""
    first = {}
    for r in records:
        first.setdefault(r["id"], r["usage"])
    return {f: sum(u[f] for u in first.values()) for f in FIELDS}, len(first)


def test_usage_is_per_content_block_record_and_sums_once_per_message_id(
    claude, api, project, tmp_path
):
    """Every assistant content block is its own transcript record repeating the message id and
    the message's final usage (message_delta's output_tokens and input_tokens win over
    message_start's); ``message.model`` is the model the server named. Summed once per message id,
    the main transcript gives exactly the main thread's usage and the agent transcript exactly the
    child's. The Agent tool_response ``usage`` is only the child's *last* response and
    ``totalTokens`` its four fields added up. At SubagentStop the agent transcript may still lack
    the last message (waiting for it works); at PostToolUse(Agent) it is complete."""
    body = write_agent(project, "implementer")
    hooks = Hooks(tmp_path, project)
    for event in ("SubagentStop", "Stop", "SessionEnd"):
        hooks.record(event, "usage")
    hooks.record("PostToolUse", "usage", matcher="Agent")
    hooks.write()
    main_usage = [served(101, 11, 1001, 10001), served(102, 12, 1002, 10002)]
    main_usage[1]["delta_extra"] = {"input_tokens": 152}  # message_delta restates input_tokens
    sub_usage = [served(201, 21, 2001, 20001), served(202, 22, 2002, 20002)]
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("spawning", agent_call("do it"), usage=main_usage[0], model="served-main"),
                reply("main done", usage=main_usage[1], model="served-main"),
            ],
        ),
        Conversation(
            "impl",
            subagent(body),
            [
                reply(
                    "two calls",
                    tool("Bash", command="true"),
                    tool("Bash", command="true"),
                    usage=sub_usage[0],
                    model="served-sub",
                ),
                reply("child done", usage=sub_usage[1], model="served-sub"),
            ],
        ),
    )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()

    [end] = hooks.records("SessionEnd")
    main_records = end["records"]
    assert [(r["id"], r["blocks"]) for r in main_records] == [
        (main_records[0]["id"], ["text"]),
        (main_records[0]["id"], ["tool_use"]),
        (main_records[2]["id"], ["text"]),
    ]
    assert main_records[0]["usage"] == main_records[1]["usage"]
    assert {r["model"] for r in main_records} == {"served-main"}
    totals, messages = dedup_sum(main_records)
    assert messages == 2
    assert totals == {
        "input_tokens": 101 + 152,
        "output_tokens": 11 + 12,
        "cache_read_input_tokens": 1001 + 1002,
        "cache_creation_input_tokens": 10001 + 10002,
    }
    # stream-json's result.usage is the main thread alone; modelUsage adds the subagents
    assert {f: run.result["usage"][f] for f in FIELDS} == totals
    [model_usage] = run.result["modelUsage"].values()
    assert model_usage["inputTokens"] == 101 + 152 + 201 + 202
    assert model_usage["outputTokens"] == 11 + 12 + 21 + 22

    [post] = hooks.records("PostToolUse")
    sub_records = post["records"]  # read at PostToolUse(Agent): complete
    assert [r["blocks"] for r in sub_records] == [["text"], ["tool_use"], ["tool_use"], ["text"]]
    assert {r["model"] for r in sub_records} == {"served-sub"}
    assert not {r["id"] for r in sub_records} & {r["id"] for r in main_records}
    sub_totals, _ = dedup_sum(sub_records)
    assert sub_totals == {
        "input_tokens": 201 + 202,
        "output_tokens": 21 + 22,
        "cache_read_input_tokens": 2001 + 2002,
        "cache_creation_input_tokens": 20001 + 20002,
    }
    response = post["stdin"]["tool_response"]
    assert {f: response["usage"][f] for f in FIELDS} == {
        "input_tokens": 202,
        "output_tokens": 22,
        "cache_read_input_tokens": 2002,
        "cache_creation_input_tokens": 20002,
    }
    assert response["totalTokens"] == 202 + 22 + 2002 + 20002
    assert response["resolvedModel"] != "served-sub"  # the requested model, not the served one

    [stop] = hooks.records("SubagentStop")
    at_once = {r["id"] for r in stop["records_at_once"]}
    assert at_once <= {r["id"] for r in sub_records}  # a prefix: the last may be missing
    assert stop["records_after_wait"] == sub_records and stop["waited"] < 2


# --- 4. SessionStart after compaction, on resume and at startup ---------------------------------

SESSION_START = r"""
import json, os, sys, time
ev = json.load(sys.stdin)
src = ev["source"]
if sys.argv[1] == "json":
    ctx = "HANDOFF-JSON source=%s" % src
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "SessionStart",
                                             "additionalContext": ctx}}))
else:
    print("HANDOFF-PLAIN source=%s" % src)
"""


def handoff_hooks(tmp_path: Path, project: Path) -> Hooks:
    script = tmp_path / "session_start.py"
    script.write_text(SESSION_START)
    hooks = Hooks(tmp_path, project)
    hooks.record("SessionStart")
    hooks.record("PreCompact")
    hooks.add("SessionStart", f"{PY} {script} json")
    hooks.add("SessionStart", f"{PY} {script} plain")
    hooks.write()
    return hooks


def system_texts(req: Request) -> list[str]:
    out = []
    for m in req.messages:
        if m.get("role") == "system":
            content = m["content"]
            out.append(
                content
                if isinstance(content, str)
                else "\n".join(b.get("text", "") for b in content)
            )
    return out


def is_compaction(req: Request) -> bool:
    return "Do NOT call any tools" in req.tail_text()


# the compaction call's own token figures, to find (or not) in the transcript afterwards
SUMMARY = reply(
    "<analysis>a</analysis>\n<summary>SUMMARY-MARKER</summary>",
    usage={"input_tokens": 4242, "output_tokens": 42},
)


def test_manual_compact_fires_session_start_compact_whose_output_reaches_the_next_request(
    claude, api, project, tmp_path
):
    """``/compact`` (stream-json input): SessionStart fires with ``source: compact``; its
    ``additionalContext`` and its plain stdout both reach the first request after compaction, as
    lines of a role:system message (``SessionStart hook additional context: …`` and
    ``SessionStart:compact hook success: …``), while the startup output is gone with the old
    history; the summary is the first user message."""
    hooks = handoff_hooks(tmp_path, project)
    api.add(
        Conversation("compact", is_compaction, [SUMMARY] * 5),
        Conversation("main", main_thread(), [lambda r: reply(f"answer {r.assistant_turns}")] * 6),
    )
    run = claude.run(stdin_messages=["one", "two", "/compact keep it short", "after compact"])
    assert run.returncode == 0 and api.errors == [], run.describe()
    sources = [r["stdin"]["source"] for r in hooks.records("SessionStart")]
    assert sources == ["startup", "compact"]
    [pre] = hooks.records("PreCompact")
    assert pre["stdin"]["trigger"] == "manual"
    first = api.main_requests()[0]
    [startup] = [t for t in system_texts(first) if "HANDOFF" in t]
    assert "SessionStart hook additional context: HANDOFF-JSON source=startup" in startup
    assert "SessionStart:startup hook success: HANDOFF-PLAIN source=startup" in startup
    compact_index = next(i for i, r in enumerate(api.requests) if r.conversation == "compact")
    after = api.requests[compact_index + 1]
    assert "SUMMARY-MARKER" in after.first_user_text
    assert "after compact" in after.tail_text()
    [system] = [t for t in system_texts(after) if "HANDOFF" in t]
    assert "SessionStart hook additional context: HANDOFF-JSON source=compact" in system
    assert "SessionStart:compact hook success: HANDOFF-PLAIN source=compact" in system
    assert "source=startup" not in after.text()


def test_auto_compaction_mid_turn_also_delivers_the_session_start_output(
    claude, api, project, tmp_path
):
    """With ``CLAUDE_CODE_AUTO_COMPACT_WINDOW=100000`` and a served ``input_tokens`` of 95000,
    both versions compact automatically in the middle of a ``-p`` turn (PreCompact trigger
    ``auto``, once more after a first ``too_few_groups`` failure), SessionStart ``compact`` fires
    and its context is in the next request, which continues the turn."""
    hooks = handoff_hooks(tmp_path, project)
    big = {"input_tokens": 95000, "output_tokens": 10}
    continued = lambda r: "continued from a previous conversation" in r.text()  # noqa: E731
    api.add(
        Conversation("compact", is_compaction, [SUMMARY] * 5),
        Conversation(
            "after", both(main_thread(), continued), [reply("finished after compaction")] * 5
        ),
        Conversation(
            "main",
            main_thread(),
            [
                reply("", tool("Bash", command="echo one"), usage=big),
                reply("", tool("Bash", command="echo two"), usage=big),
                reply("never reached"),
            ],
        ),
    )
    claude.extra_env["CLAUDE_CODE_AUTO_COMPACT_WINDOW"] = "100000"
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()
    assert run.result["result"] == "finished after compaction"
    triggers = [r["stdin"]["trigger"] for r in hooks.records("PreCompact")]
    assert triggers == ["auto", "auto"]
    assert [r["stdin"]["source"] for r in hooks.records("SessionStart")] == ["startup", "compact"]
    [after] = api.requests_of("after")
    assert any(
        "SessionStart hook additional context: HANDOFF-JSON source=compact" in t
        for t in system_texts(after)
    )
    boundary = run.of("system", "compact_boundary")
    assert [b["compact_metadata"]["trigger"] for b in boundary] == ["auto"]
    # the compaction call's tokens are in no transcript record (nor in result.usage); only
    # stream-json's modelUsage counts them
    transcript = Path(hooks.records("SessionStart")[0]["stdin"]["transcript_path"])
    inputs = []
    for line in transcript.read_text().splitlines():
        message = json.loads(line).get("message")
        if isinstance(message, dict) and message.get("role") == "assistant":
            if "usage" in message:
                inputs.append(message["usage"]["input_tokens"])
            else:  # 2.1.330 re-writes the preserved segment: no id, no usage, never counted
                assert message.get("id") is None
    assert inputs == [95000, 95000, 10]
    assert run.result["usage"]["input_tokens"] == 95000 + 95000 + 10
    [model_usage] = run.result["modelUsage"].values()
    assert model_usage["inputTokens"] == 95000 + 95000 + 10 + 4242


RESUME_START = r"""
import json, os, sys
ev = json.load(sys.stdin)
counter = sys.argv[1]
n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
open(counter, "w").write(str(n))
label = {1: "first", 2: "second", 3: "second", 4: "fourth"}[n]  # the 3rd repeats the 2nd
ctx = "HANDOFF %s source=%s" % (label, ev["source"])
print(json.dumps({"hookSpecificOutput": {"hookEventName": "SessionStart",
                                         "additionalContext": ctx}}))
"""


def test_session_start_on_resume_is_appended_unless_identical_to_one_already_sent(
    claude, api, project, tmp_path
):
    """SessionStart fires with ``startup`` and then ``resume`` for ``--resume``/``--continue``;
    each output is appended to the conversation as a new role:system message in the next request
    — except an output identical to one already in the conversation, which is not sent again."""
    script = tmp_path / "resume_start.py"
    script.write_text(RESUME_START)
    hooks = Hooks(tmp_path, project)
    hooks.record("SessionStart")
    hooks.add("SessionStart", f"{PY} {script} {tmp_path / 'counter'}")
    hooks.write()
    api.add(Conversation("main", main_thread(), [lambda r: reply(f"a{r.assistant_turns}")] * 6))
    first = claude.run("p1")
    sid = first.session_id
    claude.run("p2", resume=sid)
    claude.run("p3", continue_=True)
    last = claude.run("p4", resume=sid)
    assert last.session_id == sid and last.result["result"] == "a3"
    assert [r["stdin"]["source"] for r in hooks.records("SessionStart")] == [
        "startup",
        "resume",
        "resume",
        "resume",
    ]
    contexts = [
        re.findall(
            r"SessionStart hook additional context: (HANDOFF \w+ source=\w+)",
            "\n".join(system_texts(r)),
        )
        for r in api.main_requests()
    ]
    first, second, fourth = (
        "HANDOFF first source=startup",
        "HANDOFF second source=resume",
        "HANDOFF fourth source=resume",
    )
    assert contexts == [[first], [first, second], [first, second], [first, second, fourth]]
    # each one is a role:system message of its own, right after the prompt it came with
    roles = [m["role"] for m in api.main_requests()[-1].messages]
    pairs = ["user", "system", "assistant", "user", "system", "assistant", "user"]
    assert roles == [*pairs, "assistant", "user", "system"]


# --- 5. SubagentStop for an implementer ---------------------------------------------------------

BLOCK_ONCE = r"""
import json, sys
ev = json.load(sys.stdin)
if ev["stop_hook_active"]:
    sys.exit(0)
if sys.argv[1] == "exit2":
    sys.stderr.write("IMPL-BLOCK: add the tests too")
    sys.exit(2)
print(json.dumps({"decision": "block", "reason": "IMPL-BLOCK: add the tests too"}))
"""

FINAL_1 = 'Step s1 done.\n```json\n{"step": "s1", "status": "done", "files": ["a.py"]}\n```'
FINAL_2 = 'Step s1 done.\n```json\n{"step": "s1", "files": ["a.py", "test_a.py"]}\n```\nbye'


@pytest.mark.parametrize("how", ["exit2", "json"])
def test_subagent_stop_block_gives_the_implementer_another_turn(
    claude, api, project, tmp_path, how
):
    """``last_assistant_message`` is the final text verbatim, fenced JSON block included. A
    SubagentStop block (exit 2 + stderr, or ``{"decision":"block"}``) gives the subagent another
    turn with ``Stop hook feedback:`` as the last user message (2.1.330 adds a role:system line
    for the JSON form); the second SubagentStop has ``stop_hook_active: true`` and the parent's
    tool_response carries the new final text (2.1.330's tool_result text indents it by 2)."""
    body = write_agent(project, "implementer")
    script = tmp_path / "block_once.py"
    script.write_text(BLOCK_ONCE)
    hooks = Hooks(tmp_path, project)
    hooks.record("SubagentStop")
    hooks.record("PostToolUse", matcher="Agent")
    hooks.add("SubagentStop", f"{PY} {script} {how}")
    hooks.write()
    api.add(
        Conversation("main", main_thread(), [reply("", agent_call("implement s1")), reply("ok")]),
        Conversation("impl", subagent(body), [reply(FINAL_1), reply(FINAL_2), reply("THIRD")]),
    )
    run = claude.run("go")
    assert run.returncode == 0 and api.errors == [], run.describe()
    stops = [r["stdin"] for r in hooks.records("SubagentStop")]
    assert [(s["stop_hook_active"], s["last_assistant_message"]) for s in stops] == [
        (False, FINAL_1),
        (True, FINAL_2),
    ]
    child = api.requests_of("impl")
    assert len(child) == 2
    command = f"{PY} {script} {how}"
    feedback = {
        "exit2": f"Stop hook feedback:\n[{command}]: IMPL-BLOCK: add the tests too",
        "json": "Stop hook feedback:\nIMPL-BLOCK: add the tests too",
    }[how]
    last_user = [m for m in child[1].messages if m["role"] == "user"][-1]
    user_text = (
        last_user["content"]
        if isinstance(last_user["content"], str)
        else "\n".join(b.get("text", "") for b in last_user["content"])
    )
    assert user_text.endswith(feedback)
    extra = f'SubagentStop hook blocking error from command: "{command}": IMPL-BLOCK'
    has_extra = any(extra in t for t in system_texts(child[1]))
    assert has_extra == (how == "json" and claude.version != "2.1.197")
    [post] = hooks.records("PostToolUse")
    assert post["stdin"]["tool_response"]["content"][-1] == {"type": "text", "text": FINAL_2}
    text = run.result_for("Agent")["text"]
    if claude.version == "2.1.197":
        assert text.startswith(FINAL_2 + "\nagentId: ")
    else:
        assert "\n".join("  " + line for line in FINAL_2.splitlines()) + "\nagentId: " in text
