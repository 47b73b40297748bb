"""The queue end to end on the real client: three tasks, two workers, each task headless in its
own worktree (``claude -p "/orchestrate status"``) against the scripted model. One plan lies
inside its envelope (approved by envelope, PASS), one reaches outside it (needs-approval), one
spends its token budget (the spawn gate refuses an agent, ``run advance`` ends it FAIL, reason
budget, with the partial report). Then the combined report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import scripts
from fakeapi import Conversation, Request, reply, tool
from scenario import REPO, commit_all, install, pack_agent
from scripts import OPS, TESTS, cli, contract, contract_reply, record, say

from cc_pack import queuerun
from cc_pack import taskqueue as tq

pytestmark = pytest.mark.e2e

SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
TIMEOUT = 150
# the three tasks: text, envelope, budget
INSIDE = ("add sub() inside the envelope", ["src/**", "tests/**"], None)
OUTSIDE = ("add sub() reaching outside the envelope", ["src/**"], None)
SPENDER = ("add sub() on a tight budget", ["src/**", "tests/**"], 2000)
TESTS_WITH_SUB = scripts.TESTS_WITH_SUB
FIXED = scripts.FIXED


def in_tree(tid: str):
    """The main thread of the task whose worktree the launcher path names."""
    return lambda r: not r.is_subagent and f"/queue/worktrees/{tid}/" in r.text()


def agent(name: str, tid: str, **fields) -> object:
    lines = [f"Queue task: {tid}", f"Role: {name}", *(f"{k}: {v}" for k, v in fields.items())]
    return tool("Agent", subagent_type=name, description=f"{name} {tid}",
                prompt="\n".join(lines), run_in_background=False)  # fmt: skip


def up_to_the_plan(tid: str) -> list:
    return [
        cli("run status", "where the run stands"),
        reply("Research.", agent("researcher", tid, Area="calc.ops")),
        record("research", scripts.RESEARCH),
        cli("run advance"),
        reply("Plan.", agent("planner", tid)),
        record("plan", scripts.PLAN_MD),
        cli("run advance"),
    ]


def implementer(project: Path) -> list:
    wt = tq.worktree(project, "t1")
    return [
        reply(
            "reading",
            tool("Read", file_path=str(wt / OPS)),
            tool("Read", file_path=str(wt / TESTS)),
        ),
        reply(
            "writing S1",
            tool("Write", file_path=str(wt / OPS), content=FIXED),
            tool("Write", file_path=str(wt / TESTS), content=TESTS_WITH_SUB),
        ),
        scripts.returned("done", [OPS, TESTS], steps=["S1"]),
    ]


def reviewers_step(request: Request):
    names = scripts.last_json(request)["reviewers"]
    return reply("Review.", *(agent(n, "t1", Changed=f"{OPS}, {TESTS}") for n in names))


def conversations(project: Path) -> list[Conversation]:
    clean = {
        "correctness-reviewer": contract("correctness-reviewer", scripts.NO_DOCSTRING),
        "test-reviewer": contract("test-reviewer", scripts.NO_NEGATIVE),
    }
    inside = [
        *up_to_the_plan("t1"),  # the plan lies inside src/**, tests/**: approved by envelope
        cli("run status --json"),
        reply(
            "Implement.",
            agent(
                "implementer", "t1", steps="S1", **{"Plan steps": json.dumps(scripts.PLAN["steps"])}
            ),
        ),
        cli("run advance"),
        cli("dispatch --json"),
        reviewers_step,
        cli("run advance"),
        cli("run advance", "verify"),
        *scripts.report_steps(),
    ]
    outside = [*up_to_the_plan("t2"), say(scripts.APPROVAL_ASK)]  # tests/ is not in src/**
    spender = [
        # the first answer alone spends the task's 2,000 tokens
        reply(
            "",
            tool("Bash", command="true", description="noop"),
            usage={"input_tokens": 2500, "output_tokens": 10},
        ),
        reply("Research.", agent("researcher", "t3", Area="calc.ops")),  # the spawn gate refuses
        cli("run advance"),  # the budget is spent: the run ends FAIL
        *scripts.report_steps(),
    ]
    convs = [
        Conversation("t1", in_tree("t1"), inside),
        Conversation("t2", in_tree("t2"), outside),
        Conversation("t3", in_tree("t3"), spender),
        Conversation("researcher", pack_agent("researcher"), [scripts.researcher_reply]),
        Conversation("planner", pack_agent("planner"), [reply(scripts.PLAN_MD)]),
        Conversation("implementer", pack_agent("implementer"), implementer(project)),
    ]
    for name, value in clean.items():
        convs.append(Conversation(name, pack_agent(name), [contract_reply(value)] * 3))
    return convs


@pytest.fixture
def queued(project: Path) -> Path:
    scripts.setup_project(project)
    install(project, log=False)
    commit_all(project)
    return project


def cc(project: Path, env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cc_pack", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def test_three_tasks_two_workers_envelope_approval_and_budget(claude, api, queued):
    project = queued
    env = {**claude.env(), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    for text, scope, budget in (INSIDE, OUTSIDE, SPENDER):
        args = [a for g in scope for a in ("--scope", g)]
        args += ["--budget", str(budget)] if budget else []
        assert cc(project, env, "queue", "add", text, *args).returncode == 0
    api.add(*conversations(project))
    try:
        done = cc(project, env, "queue", "run", "--workers", "2", "--claude", str(claude.binary),
                  "--stall-seconds", "60", timeout=TIMEOUT)  # fmt: skip
    finally:  # no client outlives the test
        for task in tq.all_tasks(project):
            for attempt in task["attempts"]:
                queuerun.stop(attempt["client_pid"], attempt.get("client_start"))
    tasks = {t["id"]: t for t in tq.all_tasks(project)}
    assert api.errors == [], api.errors
    assert done.returncode == 1, done.stderr  # a task failed
    assert {k: t["status"] for k, t in tasks.items()} == {
        "t1": "done", "t2": "needs-approval", "t3": "failed"}, done.stderr  # fmt: skip

    def state(tid: str) -> dict:
        rdir = tq.worktree(project, tid) / ".claude/cc-pack/runs" / tasks[tid]["run_id"]
        return json.loads((rdir / "state.json").read_text())

    one, two, three = state("t1"), state("t2"), state("t3")
    assert (one["status"], one["approval"]["by"], one["approval"]["envelope"]) == (
        "PASS", "envelope", ["src/**", "tests/**"])  # fmt: skip
    assert (tq.worktree(project, "t1") / OPS).read_text() == FIXED  # the work is on its branch
    assert (project / OPS).read_text() == scripts.PROJECT_FILES[OPS]  # the checkout is untouched
    assert (two["phase"], two["approval"]["status"]) == ("approval", "pending")
    assert tasks["t2"]["wants"]["outside"] == [TESTS]
    assert (three["status"], three["failures"][-1]["class"]) == ("FAIL", "budget")
    denied = [r for r in api.requests_of("t3") if "token budget is spent" in r.tail_text()]
    assert denied, "the spawn gate's refusal never reached the model"
    assert not api.requests_of("researcher") or all(
        "Queue task: t3" not in r.first_user_text for r in api.requests_of("researcher")
    )

    # each run counted exactly what the fake served its sessions (15 tokens a reply unless set)
    def of_task(tid: str) -> list[Request]:
        return [r for r in api.requests if r.conversation == tid
                or (r.is_subagent and f"Queue task: {tid}" in r.first_user_text)]  # fmt: skip

    assert tasks["t1"]["result"]["tokens"] == 15 * len(of_task("t1"))
    assert tasks["t3"]["result"]["tokens"] == 2510 + 15 * (len(of_task("t3")) - 1)
    assert {row["type"] for row in one["usage"]["tally"]} >= {"orchestrator", "implementer"}

    base = project / ".claude/cc-pack/queue"
    combined = json.loads((base / "report.json").read_text())
    assert [(t["id"], t["status"], t["run_status"]) for t in combined["tasks"]] == [
        ("t1", "done", "PASS"),
        ("t2", "needs-approval", "active"),
        ("t3", "failed", "FAIL"),
    ]
    assert combined["tokens"] == sum(t["result"]["tokens"] for t in tasks.values())
    sarif = json.loads((base / "report.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    [t1_run] = [r for r in sarif["runs"] if r["properties"]["task_id"] == "t1"]
    assert t1_run["results"] and all(r["properties"]["task"] == "t1" for r in t1_run["results"])
    md = (base / "report.md").read_text()
    assert "**t2**: the plan reaches outside the envelope: tests/test_ops.py" in md
    assert "token budget spent" in md
    table = done.stdout.splitlines()
    assert [line.split()[0] for line in table[1:4]] == ["t1", "t2", "t3"]
