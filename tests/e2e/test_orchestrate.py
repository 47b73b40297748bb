"""Whole `/orchestrate` runs through the real Claude Code (orchestrator issue, e2e issue scenarios
1, 2, 3 and 5): the scripted main thread follows the skill, the real CLI moves the run, the real
hooks record the approval, lint the edits, store the contracts and gate the spawns and stops.

Each scenario asserts the files on disk, the run state, report.json (and report.sarif), the
denials in the final ``result`` lines and what reached the model. The scripts (`scripts.py`)
decide nothing: expected counts below are derived by hand from the contracts the scripted
reviewers return."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import scripts
from fakeapi import Request
from scenario import REPO, commit_all, install, read_log

pytestmark = pytest.mark.e2e

PLUGIN_PARTS = (".claude-plugin", "agents", "skills", "hooks", "tools")
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
TIMEOUT = 90


# --- setting up ---------------------------------------------------------------------------------


@pytest.fixture
def dropin(project):
    """A tiny Python package with a pytest test, the pack installed by `cc-pack init`."""
    scripts.setup_project(project)
    log = install(project)
    commit_all(project)
    return {
        "log": log,
        "options": {},
        "launcher": project / ".claude/skills/orchestrate/bin/cc-pack",
    }


@pytest.fixture
def plugin(project, tmp_path, claude):
    """The same package; the pack comes from a temporary copy given to `--plugin-dir`."""
    scripts.setup_project(project)
    with (project / ".gitignore").open("a") as fh:
        fh.write(".claude/cc-pack/\n")
    commit_all(project)
    root = tmp_path / "plugin"
    for part in PLUGIN_PARTS:
        shutil.copytree(
            REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    log = tmp_path / "decisions.jsonl"
    claude.extra_env["CC_PACK_LOG"] = str(log)
    return {
        "log": log,
        "options": {"plugin_dir": root},
        "launcher": root / "skills/orchestrate/bin/cc-pack",
    }


# --- reading the outcome ------------------------------------------------------------------------


def run_dir(project: Path) -> Path:
    active = json.loads((project / ".claude/cc-pack/active.json").read_text())
    return project / ".claude/cc-pack/runs" / active["run_id"]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def cli_calls(run) -> list[dict]:
    """The main thread's launcher calls: ``{"launcher", "args", "is_error", "text"}``."""
    results = {r["tool_use_id"]: r for r in run.tool_results()}
    calls = []
    for use in run.tool_uses():
        command = use["input"].get("command", "") if use["name"] == "Bash" else ""
        if "/bin/cc-pack" not in command:
            continue
        path, _, args = command[1:].partition('" ')
        result = results.get(use["id"], {"is_error": None, "text": "(no result)"})
        calls.append({"launcher": path, "args": args, **result})
    return calls


def assert_cli_ok(run, *may_fail: str) -> list[dict]:
    """Every launcher call succeeded, except perhaps those starting with ``may_fail``."""
    calls = cli_calls(run)
    assert calls, run.describe()
    for call in calls:
        if any(call["args"].startswith(a) for a in may_fail):
            continue
        assert call["is_error"] is False, (
            f"cc-pack {call['args'][:60]!r}: is_error={call['is_error']}\n{call['text']}"
        )
    return calls


def subagent_calls(run, kind: str = "") -> list[dict]:
    return [
        u for u in run.tool_uses() if u["name"] == "Agent" and kind in u["input"]["subagent_type"]
    ]


def agent_message_with(api, predicate) -> list[dict]:
    """The Agent tool_use blocks of the first assistant message (as Claude Code sent it back
    to the model) whose Agent calls satisfy ``predicate``."""
    for request in api.main_requests():
        for message in request.messages:
            if message.get("role") != "assistant" or isinstance(message.get("content"), str):
                continue
            calls = [
                b
                for b in message["content"]
                if b.get("type") == "tool_use" and b.get("name") == "Agent"
            ]
            if calls and predicate(calls):
                return calls
    raise AssertionError("no assistant message with those Agent calls reached the model")


def first_request(api, name: str) -> Request:
    found = api.requests_of(name)
    assert found, f"conversation {name} never ran; errors: {api.errors}"
    return found[0]


def report_files(rdir: Path) -> dict:
    report = load(rdir / "report.json")
    sarif = load(rdir / "report.sarif")
    jsonschema.Draft4Validator(load(SARIF_SCHEMA)).validate(sarif)
    assert (rdir / "report.md").read_text().startswith(f"# cc-pack report: {report['status']}")
    return {"json": report, "sarif": sarif}


# --- the runs -------------------------------------------------------------------------------------


def drive(claude, api, story, project, setup) -> tuple:
    """`/orchestrate <task>`, then the human's `/orchestrate approve` in the same session."""
    api.add(*scripts.conversations(story, project))
    first = claude.run(story.prompt(), timeout=TIMEOUT, **setup["options"])
    assert first.returncode == 0, first.describe()
    state_after_first = load(run_dir(project) / "state.json")
    second = claude.run(
        f"{story.command} approve", resume=first.session_id, timeout=TIMEOUT, **setup["options"]
    )
    return first, state_after_first, second


def check_first_turn(first, state, api, story, setup) -> None:
    """Research in parallel, a plan, and the turn ends at approval (the stop gate lets it)."""
    calls = assert_cli_ok(first)
    assert {c["launcher"] for c in calls} == {str(setup["launcher"])}, calls
    assert [c["args"].split(" -")[0].split(" '")[0] for c in calls] == [
        "run start",
        "run record research",
        "run advance",
        "run record plan",
        "run advance",
    ]
    assert state["phase"] == "approval" and state["approval"]["status"] == "pending", state
    assert state["session_id"] == first.session_id
    assert state["plan"]["steps"][0]["files"] == [scripts.OPS, scripts.TESTS]
    # the stop gate let the turn end: the approval question is the turn's last word
    assert first.result["result"] == scripts.APPROVAL_ASK, first.describe()
    assert first.permission_denials == []
    researchers = agent_message_with(api, lambda calls: len(calls) == 2)
    assert [c["input"]["subagent_type"] for c in researchers] == [story.prefix + "researcher"] * 2
    assert all(c["input"]["run_in_background"] is False for c in researchers)
    assert len(api.requests_of("researcher")) == 2 and len(api.requests_of("planner")) == 1


def check_lint_loop(api) -> None:
    """The lint hook reported the unused import on the line the implementer wrote; the next
    edit fixed it and drew no report."""
    turns = api.requests_of("implementer-1")
    reported = turns[2].tail_text()
    assert "F401" in reported and f"{scripts.OPS}:1:" in reported, reported
    assert f"{scripts.TESTS}:" not in reported  # the clean file drew no report
    assert "F401" not in turns[3].tail_text()


def check_reviews(run, api, story, iteration: int) -> None:
    """`cc-pack dispatch` picked exactly the two reviewers, spawned in one message."""
    want = [story.prefix + n for n in scripts.DISPATCHED]
    spawned = agent_message_with(
        api,
        lambda calls: (
            [f"Iteration: {iteration}\n" in c["input"]["prompt"] for c in calls] == [True, True]
            and all("reviewer" in c["input"]["subagent_type"] for c in calls)
        ),
    )
    assert [c["input"]["subagent_type"] for c in spawned] == want
    for name in scripts.DISPATCHED:
        assert len(api.requests_of(f"{name}-{iteration}")) == 1, "the contract was sent back"


def check_happy(project, setup, claude, api, story) -> None:
    first, state1, second = drive(claude, api, story, project, setup)
    check_first_turn(first, state1, api, story, setup)
    assert second.returncode == 0, second.describe()
    assert api.errors == [], api.errors

    # approval: recorded by the UserPromptSubmit hook and told to the model
    rdir = run_dir(project)
    state = load(rdir / "state.json")
    approval = state["approval"]
    assert approval["status"] == "approved" and approval["by"] == "user", approval
    assert approval["prompt_id"] and approval["scope"] == [scripts.OPS, scripts.TESTS]
    resumed = [r for r in api.requests_of("main") if r.step == 8]
    assert resumed and "the human approved the plan" in resumed[0].tail_text()

    calls = assert_cli_ok(second)
    assert [c["args"] for c in calls] == [
        "run advance",
        *(["run status --json", "run advance", "dispatch --json", "run advance"] * 2),
        "run advance",
        "report --format json",
    ]
    check_lint_loop(api)
    check_reviews(second, api, story, 1)
    check_reviews(second, api, story, 2)

    # iteration 2 got the HIGH (with its evidence) from the CLI, through the orchestrator
    packet = first_request(api, "implementer-2").first_user_text
    assert scripts.REVERSED["message"] in packet and scripts.REVERSED["evidence"] in packet
    # verify ran the real tests against the fixed code
    assert (project / scripts.OPS).read_text() == scripts.FIXED
    assert (project / scripts.TESTS).read_text() == scripts.TESTS_WITH_SUB
    verify_log = (rdir / "verify.log").read_text()
    assert "2 passed" in verify_log, verify_log
    assert "tests passed" in calls[-2]["text"]

    # run state
    assert state["status"] == "PASS" and state["phase"] == "report"
    assert state["iteration"] == 2 and state["max_iterations"] == 3
    assert state["session_id"] == first.session_id == second.session_id
    assert state["audit"]["violations"] == [] and state["contract_failures"] == {}
    assert [f["message"] for f in state["fix_list"]] == [scripts.REVERSED["message"]]
    moves = [(e["from"], e["to"]) for e in state["history"] if e["event"] == "advance"]
    assert moves == [
        ("research", "plan"),
        ("plan", "approval"),
        ("approval", "implement"),
        ("implement", "review"),
        ("review", "implement"),
        ("implement", "review"),
        ("review", "verify"),
        ("verify", "report"),
    ]
    stored = [load(p) for p in sorted((rdir / "findings").glob("*.json"))]
    assert sorted((r["iteration"], r["agent_type"], r["valid"]) for r in stored) == [
        (i, n, True) for i in (1, 2) for n in scripts.DISPATCHED
    ]
    for record in stored:
        assert record["contract"] == story.contracts[record["iteration"]][record["agent_type"]]

    # the report: iteration 2's contracts, merged. By hand: the two docstring findings are one
    # (same file, line, normalised message) LOW by both reviewers; the MEDIUM stays; no HIGH.
    reports = report_files(rdir)
    report = reports["json"]
    assert report["status"] == "PASS" and report["task"] == scripts.TASK
    assert report["iterations"] == 2 and report["blockers"] == []
    assert report["counts"] == {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 1, "LOW": 1}
    assert [(f["severity"], f["file"], f["line"], f["reviewers"]) for f in report["findings"]] == [
        ("MEDIUM", scripts.TESTS, 9, ["test-reviewer"]),
        ("LOW", scripts.OPS, 1, ["correctness-reviewer", "test-reviewer"]),
    ]
    assert report["verify"]["exit_code"] == 0
    assert {"report.json", "report.sarif", "verify.log"} <= set(report["artifacts"])
    assert [r["level"] for r in reports["sarif"]["runs"][0]["results"]] == ["warning", "note"]
    # the final message carries report.json as the CLI printed it
    assert json.dumps(report["counts"], indent=2).replace("\n", "\n  ") in second.result["result"]
    assert second.permission_denials == []
    # the hooks really ran: the decision log saw the approval, the lint and the contracts
    hooks = {r.get("hook") for r in read_log(setup["log"])}
    assert {"approval-capture", "lint-after-edit", "contract-check", "spawn-gate"} <= hooks


def test_happy_path_dropin(claude, api, dropin, project):
    check_happy(project, dropin, claude, api, scripts.happy())


def test_happy_path_plugin(claude, api, plugin, project):
    story = scripts.happy().plugin()
    check_happy(project, plugin, claude, api, story)
    assert not (project / ".claude" / "agents").exists(), "plugin mode must not need init"


def test_iteration_cap_fails_the_run_and_no_implementer_follows(claude, api, dropin, project):
    story = scripts.capped()
    _, _, second = drive(claude, api, story, project, dropin)
    assert second.returncode == 0, second.describe()
    assert api.errors == [], api.errors
    calls = assert_cli_ok(second, "run advance")
    failed = [c for c in calls if c["is_error"]]
    assert len(failed) == 1 and "FAILED" in failed[0]["text"], failed  # the last review advance

    rdir = run_dir(project)
    state = load(rdir / "state.json")
    assert state["status"] == "FAIL" and state["phase"] == "report"
    assert state["iteration"] == 2 == state["max_iterations"]
    [blocker] = state["blockers"]
    assert blocker["message"] == scripts.REVERSED["message"]

    # the spawn gate refused a third implementer; the model was told why
    [extra] = [u for u in subagent_calls(second, "implementer") if "Iteration: 3" in str(u)]
    assert extra["id"] in {d["tool_use_id"] for d in second.permission_denials}
    told = api.requests_of("main")[-2].tail_text()
    assert "spawn gate" in told and "FAIL" in told, told
    assert api.requests_of("implementer-3") == []
    assert len(api.requests_of("implementer-2")) >= 1

    report = report_files(rdir)["json"]
    assert report["status"] == "FAIL" and report["iterations"] == 2
    # by hand: iteration 2's contracts = one HIGH (correctness) and one MEDIUM (test)
    assert report["counts"] == {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 1, "LOW": 0}
    [blocker] = report["blockers"]
    assert (blocker["severity"], blocker["file"], blocker["line"]) == ("HIGH", scripts.OPS, 6)
    assert blocker["evidence"] == scripts.REVERSED["evidence"]
    markdown = (rdir / "report.md").read_text()
    assert "## Blockers" in markdown and "> return b - a" in markdown
    # iteration 2 changed the file (a docstring), not the bug: progress, so no early stop
    beside = scripts.BUGGY.replace("def add(a, b):\n", 'def add(a, b):\n    """a + b"""\n')
    assert (project / scripts.OPS).read_text() == beside


def test_a_killed_session_is_resumed_by_a_new_one(claude, api, dropin, project):
    story = scripts.interrupted()
    findings = lambda: run_dir(project) / "findings"  # noqa: E731
    api.add(*scripts.conversations(story, project, kill=claude.kill, findings_dir=findings))
    first = claude.run(story.prompt(), timeout=TIMEOUT)
    second = claude.run(f"{story.command} approve", resume=first.session_id, timeout=TIMEOUT)
    assert second.returncode != 0 and not second.of("result"), "the session was not killed"

    rdir = run_dir(project)
    crashed = load(rdir / "state.json")
    assert crashed["phase"] == "review" and crashed["status"] == "active"
    assert crashed["session_id"] == first.session_id
    stored = [load(p) for p in (rdir / "findings").glob("*.json")]
    assert [r["agent_type"] for r in stored] == ["correctness-reviewer"]

    third = claude.run(f"{story.command} resume", timeout=TIMEOUT)
    assert third.returncode == 0, third.describe()
    assert third.session_id != first.session_id
    assert api.errors == [], api.errors
    calls = assert_cli_ok(third)
    assert [c["args"] for c in calls] == [
        "run resume",
        "run status --json",
        "run advance",
        "run advance",
        "report --format json",
    ]
    status = json.loads(calls[1]["text"][calls[1]["text"].find("{") :])
    assert status["dispatch"]["contracts"] == {
        "correctness-reviewer": True,
        "test-reviewer": False,
    }
    # only the missing reviewer ran again, now under the new session
    assert [u["input"]["subagent_type"] for u in subagent_calls(third)] == ["test-reviewer"]
    state = load(rdir / "state.json")
    assert state["status"] == "PASS" and state["session_id"] == third.session_id
    assert any(e["event"] == "resume" for e in state["history"])
    report = report_files(rdir)["json"]
    # by hand: correctness LOW (stored before the crash) + test MEDIUM (after the resume)
    assert report["counts"] == {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 1, "LOW": 1}
    assert report["reviewers"] == scripts.DISPATCHED
    assert third.permission_denials == []
