"""Run state under stress: concurrent writers, kill -9 at any point, corrupt or unknown files.
Real processes throughout: the CLI, and workers using the same store functions the hooks use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cc_pack import state as runstate
from runproject import PLAN, Project, contract, finding

WORKER = """
import sys
from pathlib import Path
from cc_pack_hooks import store
from cc_pack import findings
rdir, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def bump(state):
    state["contract_retries"][name] = state["contract_retries"].get(name, 0) + 1
for i in range(count):
    findings.store_manual(rdir, {"reviewer": name, "summary": str(i), "findings": []}, 1)
    store.update_state(str(rdir), bump)
"""


def workers(proj: Project, count: int, n: int = 8) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(proj.rdir), f"w{i}", str(count)],
            env=proj.env(),
            start_new_session=True,
        )
        for i in range(n)
    ]


def assert_consistent(proj: Project) -> dict:
    state = proj.state()
    assert runstate.schema_errors(state) == []
    leftovers = [p.name for p in proj.rdir.rglob("*") if ".tmp." in p.name]
    assert leftovers == []
    for path in (proj.rdir / "findings").glob("*.json"):
        json.loads(path.read_text())  # never a torn file
    return state


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    project = Project(tmp_path / "repo")
    project.start()
    return project


# --- concurrency -------------------------------------------------------------------------------


def test_eight_processes_two_hundred_updates_each_lose_nothing(proj: Project):
    rev = proj.state()["rev"]
    procs = workers(proj, 200)
    assert [p.wait(timeout=120) for p in procs] == [0] * 8
    state = proj.state()
    assert state["contract_retries"] == {f"w{i}": 200 for i in range(8)}
    assert state["rev"] == rev + 1600
    assert len(list((proj.rdir / "findings").glob("manual-*.json"))) == 1600
    assert_consistent(proj)


def test_parallel_cli_findings_adds_lose_nothing(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start("--auto-approve")
    proj.to_approval()
    proj.implement()
    proj.ok("run", "advance")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cc_pack", "findings", "add", "-"],
            cwd=proj.root,
            env=proj.env(),
            stdin=subprocess.PIPE,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(8)
    ]
    for i, proc in enumerate(procs):
        proc.stdin.write(json.dumps(contract(f"r{i}", finding("LOW", line=i + 1))))
        proc.stdin.close()
    assert [p.wait(timeout=60) for p in procs] == [0] * 8
    state = assert_consistent(proj)
    assert len([e for e in state["history"] if e["event"] == "findings-add"]) == 8
    counts = json.loads(proj.ok("findings", "aggregate", "--json").stdout)["counts"]
    assert counts["LOW"] == 8


# --- crash -------------------------------------------------------------------------------------


def test_kill_9_while_writers_run_then_resume(proj: Project):
    procs = workers(proj, 100_000, n=4)
    deadline = time.monotonic() + 20
    while len(list((proj.rdir / "findings").glob("*.json"))) < 40:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for proc in procs:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = proj.ok("run", "resume")
    assert "phase: research" in done.stdout
    state = assert_consistent(proj)
    assert sum(state["contract_retries"].values()) >= 30


def to_verify(proj: Project) -> None:
    proj.to_review()
    proj.ok("dispatch")
    for name in (
        "correctness-reviewer",
        "security-reviewer",
        "test-reviewer",
        "maintainability-reviewer",
    ):
        proj.hook_findings(contract(name))
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "verify"


def test_kill_9_during_advance_then_resume_and_finish(proj: Project):
    to_verify(proj)
    advance = subprocess.Popen(
        [sys.executable, "-m", "cc_pack", "run", "advance"],
        cwd=proj.root,
        env=proj.env({"CHECK_SLEEP": "30"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = proj.rdir / "verify.log"
    deadline = time.monotonic() + 20
    while not (log.exists() and log.read_text().startswith("$ ")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(advance.pid, signal.SIGKILL)  # the CLI and the test command it started
    advance.wait()
    done = proj.ok("run", "resume")
    assert "phase: verify" in done.stdout
    assert assert_consistent(proj)["status"] == "active"
    proj.ok("run", "advance")
    assert proj.state()["status"] == "PASS"


def test_crash_after_the_final_save_resume_writes_the_reports(proj: Project):
    to_verify(proj)
    done = proj.cc("run", "advance", env={"CC_PACK_CRASH_AT": "advance-state-written"})
    assert done.returncode == -signal.SIGKILL
    assert proj.state()["status"] == "PASS"
    assert not (proj.rdir / "report.json").exists()
    done = proj.ok("run", "resume")
    assert "repaired: report files written" in done.stdout
    assert json.loads((proj.rdir / "report.json").read_text())["status"] == "PASS"


def test_crash_between_plan_files_and_state_resume_takes_the_plan_over(proj: Project):
    proj.to_plan()
    done = proj.cc(
        "run",
        "record",
        "plan",
        "-",
        input=json.dumps(PLAN),
        env={"CC_PACK_CRASH_AT": "record-artifact-written"},
    )
    assert done.returncode == -signal.SIGKILL
    assert proj.state()["plan"] is None and (proj.rdir / "plan.json").exists()
    done = proj.ok("run", "resume")
    assert "plan.json was written but not yet in the state: taken over" in done.stdout
    assert [s["id"] for s in proj.state()["plan"]["steps"]] == ["S1", "S2"]
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "approval"


@pytest.mark.parametrize("point", ["findings-before-write", "findings-written"])
def test_crash_during_a_findings_write(proj: Project, point: str):
    proj.to_review()
    proj.ok("dispatch")
    done = proj.cc(
        "findings",
        "add",
        "-",
        input=json.dumps(contract("r", finding("HIGH"))),
        env={"CC_PACK_CRASH_AT": point},
    )
    assert done.returncode == -signal.SIGKILL
    proj.ok("run", "resume")
    assert_consistent(proj)
    stored = list((proj.rdir / "findings").glob("*.json"))
    assert len(stored) == (1 if point == "findings-written" else 0)
    aggregated = json.loads(proj.ok("findings", "aggregate", "--json").stdout)
    assert aggregated["counts"]["HIGH"] == len(stored)


# --- bad state files ---------------------------------------------------------------------------


def test_corrupt_state_is_an_error_then_restored_from_the_backup(proj: Project):
    proj.ok("run", "resume")  # a second save: state.prev.json exists
    good = proj.state()
    (proj.rdir / "state.json").write_text('{"schema_version": 1, "phase": ')
    err = proj.refused(3, "run", "status")
    assert f"{proj.rdir / 'state.json'}: corrupt: not valid JSON (line 1" in err
    assert "cc-pack run resume --from-backup" in err
    proj.refused(3, "run", "advance")
    done = proj.ok("run", "resume", "--from-backup")
    assert "restored" in done.stdout
    restored = proj.state()
    assert restored["history"][: len(good["history"]) - 1] == good["history"][:-1]
    broken = list(proj.rdir.glob("state.broken-*.json"))
    assert [b.read_text() for b in broken] == ['{"schema_version": 1, "phase": ']


def test_unknown_schema_version_is_refused_not_reset(proj: Project):
    state = proj.state()
    state["schema_version"] = 2
    (proj.rdir / "state.json").write_text(json.dumps(state))
    err = proj.refused(3, "run", "status")
    assert "has schema_version 2; this cc-pack reads version 1" in err
    assert json.loads((proj.rdir / "state.json").read_text())["schema_version"] == 2


def test_state_breaking_the_schema_names_the_field(proj: Project):
    state = proj.state()
    state["phase"] = "deploy"
    del state["scope"]
    (proj.rdir / "state.json").write_text(json.dumps(state))
    err = proj.refused(3, "run", "status")
    assert "does not match the state schema: (top level): 'scope' is a required property" in err
    assert "phase: 'deploy' is not one of" in err


def test_backup_that_is_bad_too_is_refused(proj: Project):
    (proj.rdir / "state.json").write_text("{")
    err = proj.refused(3, "run", "resume", "--from-backup")
    assert "has no backup (state.prev.json)" in err
    assert (proj.rdir / "state.json").read_text() == "{"


def test_corrupt_active_pointer_is_cleared_by_abort(proj: Project):
    rdir = proj.rdir
    (proj.root / ".claude/cc-pack/active.json").write_text("[]")
    err = proj.refused(3, "run", "status")
    assert "active.json: has no valid run_id" in err
    proj.ok("run", "abort")
    assert not (proj.root / ".claude/cc-pack/active.json").exists()
    assert (rdir / "state.json").exists()
