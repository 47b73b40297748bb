"""The queue as real processes on real git repositories: ``cc-pack queue`` commands, concurrent
``queue run`` workers, worktrees and branches, the approval envelope, health (a stalled client
stopped by PID and retried once), a worker killed with SIGKILL mid-task and recovered, the
combined report. The client is tests/queueclient.py, a real process in the task's worktree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cc_pack import taskqueue as tq
from realproc import git
from runproject import Project

CLIENT = Path(__file__).resolve().parents[2] / "queueclient.py"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Project:
    """A repository with the pack installed and committed, as the queue requires (made once)."""
    project = Project(tmp_path_factory.mktemp("installed") / "repo")
    project.ok("init")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "cc-pack init")
    return project


@pytest.fixture
def proj(installed: Project, tmp_path: Path) -> Project:
    return Project.copy_of(installed, tmp_path / "repo")


@pytest.fixture
def fake(tmp_path: Path) -> dict:
    """The stand-in client as an executable, and the env `queue run` gives it."""
    exe = tmp_path / "bin" / "claude"
    exe.parent.mkdir()
    exe.write_text(f'#!/bin/sh\nexec {sys.executable} {CLIENT} "$@"\n')
    exe.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "client.log"
    log.write_text("")
    return {"exe": str(exe), "log": log, "env": {"HOME": str(home), "QUEUE_CLIENT_LOG": str(log),
            "PYTHONPATH": os.environ.get("PYTHONPATH", "")}}  # fmt: skip


def queue_run(proj: Project, fake: dict, *extra: str, timeout: float = 120):
    return proj.cc("queue", "run", "--claude", fake["exe"], *extra, env=fake["env"],
                   timeout=timeout)  # fmt: skip


def tasks(proj: Project) -> dict[str, dict]:
    return {t["id"]: t for t in tq.all_tasks(proj.root)}


def run_state(proj: Project, tid: str) -> dict:
    task = tasks(proj)[tid]
    wt = tq.worktree(proj.root, tid)
    return json.loads((wt / ".claude/cc-pack/runs" / task["run_id"] / "state.json").read_text())


# --- the commands ---------------------------------------------------------------------------------


def test_add_list_and_export(proj: Project):
    assert proj.ok("queue", "add", "first", "--scope", "src/**", "--scope", "docs/*.md",
                   "--max-iterations", "2", "--budget", "5000").stdout.strip() == "t1"  # fmt: skip
    assert proj.ok("queue", "add", "second").stdout.strip() == "t2"
    listed = json.loads(proj.ok("queue", "list", "--json").stdout)
    assert [(t["id"], t["status"], t["scope"]) for t in listed] == [
        ("t1", "pending", ["src/**", "docs/*.md"]),
        ("t2", "pending", []),
    ]
    table = proj.ok("queue", "list").stdout
    assert table.splitlines()[0].split() == ["id", "task", "status", "iterations", "tokens",
                                             "cost", "report"]  # fmt: skip
    matrix = json.loads(proj.ok("queue", "export", "--github-matrix").stdout)
    assert matrix == {"include": [
        {"id": "t1", "task": "first", "scope": "src/**\ndocs/*.md", "max_iterations": 2,
         "budget": 5000},
        {"id": "t2", "task": "second", "scope": "", "max_iterations": 0, "budget": 0},
    ]}  # fmt: skip
    assert proj.ok("queue", "status").stdout.startswith("2 pending, 0 active")


@pytest.mark.parametrize(
    "args,says",
    [
        (["add", "x", "--scope", "/etc/**"], "--scope '/etc/**' is not a glob inside the project"),
        (["add", "x", "--scope", "../up/**"], "--scope '../up/**' is not a glob inside"),
        (["add", "  "], "TASK is empty"),
        (["approve", "t9"], "no queued task t9"),
        (["retry", "t1"], "task t1 is pending, not failed"),
        (["approve", "t1"], "task t1 is pending, not needs-approval"),
    ],
)
def test_bad_input_is_one_message_exit_2(proj: Project, args, says):
    proj.ok("queue", "add", "x")
    err = proj.refused(2, "queue", *args)
    assert says in err and "fix:" in err


@pytest.mark.parametrize("verb", [["add", "x"], ["run"], ["approve", "t1"],
                                  ["reject", "t1", "no"], ["retry", "t1"]])  # fmt: skip
def test_the_humans_queue_commands_are_refused_inside_claude_code(proj: Project, verb):
    err = proj.refused(1, "queue", *verb, env={"CLAUDECODE": "1"})
    assert f"`cc-pack queue {verb[0]}` is the human's command" in err
    assert not (proj.root / ".claude/cc-pack/queue/pending/t2.json").exists()


# --- running ----------------------------------------------------------------------------------


def test_eight_workers_run_each_task_exactly_once(proj: Project, fake: dict):
    for k in range(12):
        proj.ok("queue", "add", f"pass number {k}", "--scope", "src/**")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "cc_pack", "queue", "run", "--claude", fake["exe"]],
            cwd=proj.root,
            env=proj.env(fake["env"]),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
    started = fake["log"].read_text().split("\n")[:-1]
    assert sorted(started) == sorted(f"t{k} /orchestrate status" for k in range(1, 13))
    done = tasks(proj)
    assert {t["status"] for t in done.values()} == {"done"}
    assert {len(t["attempts"]) for t in done.values()} == {1}
    assert len({t["worker"] for t in done.values()}) > 1  # the work was shared
    branches = git(
        proj.root, "branch", "--format=%(refname:short)", "--list", "cc-pack/queue/*"
    ).split()
    assert sorted(branches) == sorted(f"cc-pack/queue/t{k}" for k in range(1, 13))
    report = json.loads((proj.root / ".claude/cc-pack/queue/report.json").read_text())
    assert report["counts"]["done"] == 12
    assert report["tokens"] == 12 * 1100  # each client's one message, read from its transcript


def test_envelope_approves_inside_and_stops_outside_until_queue_approve(proj, fake):
    proj.ok("queue", "add", "inside the envelope", "--scope", "src/**")
    proj.ok("queue", "add", "outside the envelope", "--scope", "src/**")
    proj.ok("queue", "add", "inside but no envelope")
    first = queue_run(proj, fake, "--workers", "2")
    assert first.returncode == 5, first.stderr  # none failed, some wait for the human
    now = tasks(proj)
    assert [now[t]["status"] for t in ("t1", "t2", "t3")] == ["done", "needs-approval",
                                                            "needs-approval"]  # fmt: skip
    approval = run_state(proj, "t1")["approval"]
    assert (approval["by"], approval["envelope"], approval["scope"]) == (
        "envelope", ["src/**"], ["src/app.py"])  # fmt: skip
    assert now["t2"]["wants"]["outside"] == ["README.md"]
    assert now["t2"]["wants"]["scope"] == ["src/app.py", "README.md"]
    assert now["t3"]["wants"]["outside"] == ["src/app.py"]  # no --scope: the human decides
    assert "the plan reaches outside the envelope: README.md" in first.stdout
    pending = run_state(proj, "t2")
    assert (pending["phase"], pending["approval"]["status"]) == ("approval", "pending")

    proj.ok("queue", "approve", "t2")
    proj.ok("queue", "reject", "t3", "smaller please")
    approved = run_state(proj, "t2")["approval"]
    assert (approved["by"], approved["via"], approved["status"]) == ("user", "queue approve",
                                                                     "approved")  # fmt: skip
    assert run_state(proj, "t3")["approval"]["feedback"] == "smaller please"
    second = queue_run(proj, fake)
    after = tasks(proj)
    assert after["t2"]["status"] == "done", second.stderr
    assert run_state(proj, "t2")["phase"] == "report"
    # the rejected plan went back to plan; the stand-in does not replan, so that session fails
    assert run_state(proj, "t3")["phase"] == "plan"
    assert after["t3"]["status"] == "failed"
    assert second.returncode == 1


def test_a_stalled_client_is_stopped_and_retried_once_in_a_fresh_session(proj, fake):
    proj.ok("queue", "add", "hang-once then pass", "--scope", "src/**")
    proj.ok("queue", "add", "hang always", "--scope", "src/**")
    done = queue_run(proj, fake, "--workers", "2", "--stall-seconds", "1.5")
    assert done.returncode == 1
    got = tasks(proj)
    assert got["t1"]["status"] == "done"
    assert [a["outcome"] for a in got["t1"]["attempts"]] == ["stalled", "done"]
    assert [a["prompt"] for a in got["t1"]["attempts"]] == ["/orchestrate status",
                                                            "/orchestrate resume"]  # fmt: skip
    assert got["t2"]["status"] == "failed"
    assert [a["outcome"] for a in got["t2"]["attempts"]] == ["stalled", "stalled"]
    assert "no progress for 1.5s" in got["t2"]["reason"]
    for task in got.values():  # every hanging client was stopped by its PID
        for attempt in task["attempts"]:
            assert not tq.alive(attempt["client_pid"])


def test_a_worker_killed_mid_task_is_recovered_by_the_next_run(proj, fake):
    proj.ok("queue", "add", "slow but fine", "--scope", "src/**")
    worker = subprocess.Popen(
        [sys.executable, "-m", "cc_pack", "queue", "run", "--claude", fake["exe"]],
        cwd=proj.root, env=proj.env(fake["env"]), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "t1" not in fake["log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    task = tasks(proj)["t1"]
    assert task["status"] == "active"
    client = task["attempts"][0]["client_pid"]
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert tq.alive(client)  # the orphaned client still runs
    assert "worker " in proj.ok("queue", "status").stdout
    assert "(dead: `queue run` recovers it)" in proj.ok("queue", "status").stdout

    again = queue_run(proj, fake)
    assert again.returncode == 0, again.stderr
    assert "t1: recovered from a dead worker: pending" in again.stderr
    assert not tq.alive(client)
    task = tasks(proj)["t1"]
    assert task["status"] == "done"
    assert [a["outcome"] for a in task["attempts"]] == ["worker died", "done"]


def test_failed_task_the_table_the_combined_report_and_retry(proj, fake):
    proj.ok("queue", "add", "pass quickly", "--scope", "src/**")
    proj.ok("queue", "add", "fail at verify", "--scope", "src/**")
    done = queue_run(proj, fake, "--workers", "2")
    assert done.returncode == 1
    rows = [line.split()[:3] for line in done.stdout.splitlines()[1:3]]
    assert rows == [["t1", "pass", "quickly"], ["t2", "fail", "at"]]
    assert "t2: the run ended FAIL (verify): tests fail" in done.stdout
    base = proj.root / ".claude/cc-pack/queue"
    combined = json.loads((base / "report.json").read_text())
    assert [(t["id"], t["status"], t["run_status"]) for t in combined["tasks"]] == [
        ("t1", "done", "PASS"), ("t2", "failed", "FAIL")]  # fmt: skip
    assert combined["tokens"] == 2 * 1100
    assert combined["cost_usd"] == pytest.approx(2 * (1000 * 5 + 100 * 25) / 1e6)
    md = (base / "report.md").read_text()
    assert "| t2 | fail at verify | failed | 1 | 1,100 |" in md
    assert "## Task t1" in md and "## Task t2" in md
    sarif = json.loads((base / "report.sarif").read_text())
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == [
        "cc-pack/queue/t1/", "cc-pack/queue/t2/"]  # fmt: skip
    assert [r["properties"]["task_id"] for r in sarif["runs"]] == ["t1", "t2"]

    proj.ok("queue", "retry", "t2")
    assert tasks(proj)["t2"]["status"] == "pending"
    assert tasks(proj)["t2"]["attempts"] == []


def test_a_checkout_without_the_pack_fails_its_tasks_with_the_fix(tmp_path: Path, fake: dict):
    bare = Project(tmp_path / "bare")  # no `cc-pack init`: no guard would run
    bare.ok("queue", "add", "pass anyway", "--scope", "src/**")
    done = queue_run(bare, fake)
    assert done.returncode == 1
    [task] = tq.all_tasks(bare.root)
    assert task["status"] == "failed" and task["attempts"] == []
    assert "the pack's hooks are not in the commit the worktree checked out" in task["reason"]
    assert fake["log"].read_text() == ""  # no client was started


def test_a_missing_client_binary_is_one_message(proj: Project):
    proj.ok("queue", "add", "x")
    err = proj.refused(2, "queue", "run", "--claude", "/nonexistent/claude")
    assert "Claude Code binary not found: /nonexistent/claude" in err


# --- forging the envelope or the approval -------------------------------------------------------


def test_no_session_can_forge_an_envelope_a_task_or_an_approval(proj: Project, fake: dict):
    """The model, in the main checkout or in the task's worktree, writes the queue's task file,
    the run state holding the envelope, or calls the human's queue commands: all denied by the
    real scope guard process, and the task still waits for the human."""
    from realproc import run_hook

    proj.ok("queue", "add", "outside the envelope", "--scope", "src/**")
    assert queue_run(proj, fake).returncode == 5
    wt = tq.worktree(proj.root, "t1")
    rdir = wt / ".claude/cc-pack/runs" / tasks(proj)["t1"]["run_id"]
    task_file = proj.root / ".claude/cc-pack/queue/needs-approval/t1.json"
    forged = json.dumps({"envelope": {"task": "t1", "globs": ["**"]}})

    def attempt(project: Path, tool: str, tool_input: dict) -> dict:
        event = {
            **{"session_id": "model-session", "cwd": str(project), "transcript_path": "/dev/null"},
            **{"hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input},
        }
        done = run_hook("scope_guard", json.dumps(event), env={"CLAUDE_PROJECT_DIR": str(project)})
        assert done.stdout, (project, tool_input, done.returncode, done.stderr)
        return json.loads(done.stdout)["hookSpecificOutput"]

    writes = [
        (proj.root, task_file),  # the task file, from the main checkout
        (proj.root, proj.root / ".claude/cc-pack/queue/pending/t9.json"),  # a new task
        (proj.root, rdir / "state.json"),  # the task's run state, from the main checkout
        (wt, rdir / "state.json"),  # the run state, from the task's own session
        (wt, task_file),  # the queue, from the task's session (outside its project)
    ]
    for project, path in writes:
        out = attempt(project, "Write", {"file_path": str(path), "content": forged})
        assert out["permissionDecision"] == "deny", (project, path)
    launcher = wt / ".claude/skills/orchestrate/bin/cc-pack"
    for command in ("cc-pack queue approve t1", f"{launcher} queue approve t1",
                    "python -m cc_pack queue add x --scope '**'"):  # fmt: skip
        out = attempt(wt, "Bash", {"command": command})
        assert out["permissionDecision"] == "deny", command
        assert "only the human can do that" in out["permissionDecisionReason"]
    assert tasks(proj)["t1"]["status"] == "needs-approval"
    state = run_state(proj, "t1")
    assert state["approval"]["status"] == "pending"
    assert state["envelope"] == {"task": "t1", "globs": ["src/**"]}
