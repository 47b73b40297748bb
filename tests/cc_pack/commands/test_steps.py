"""Plan steps as units of work through the real CLI on real git repositories: the implement
gate runs every step's validation, the plan gate's context fit and its refusal of a rejected plan
resubmitted unchanged, the no-progress stop, the handoff, and project memory at PASS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runproject import PLAN, Project, contract, finding


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    project = Project(tmp_path / "repo")
    project.start()
    return project


def test_status_json_lists_the_steps(proj: Project):
    proj.to_implement()
    steps = json.loads(proj.ok("run", "status", "--json").stdout)["steps"]
    assert [(s["id"], s["status"], s["depends_on"]) for s in steps] == [
        ("S1", "pending", []),
        ("S2", "pending", ["S1"]),
    ]
    assert steps[0]["validation"] == {
        "command": "python check.py", "exit_code": None, "log": None, "at": None,
    }  # fmt: skip
    assert steps[0]["context_tokens"] > 0


def test_an_untouched_step_is_refused(proj: Project):
    proj.to_implement()
    proj.write("src/app.py", "import os\n\n\ndef main():\n    return 2\n")
    err = proj.refused(1, "run", "advance")
    assert 'step "S2" is unchanged: none of its files (src/util.py) differs' in err
    state = proj.state()
    assert state["phase"] == "implement"
    assert [s["status"] for s in state["steps"]] == ["done", "pending"]
    assert state["steps"][0]["validation"]["exit_code"] == 0
    assert (
        (proj.root / state["steps"][0]["validation"]["log"])
        .read_text()
        .startswith("$ python check.py\nchecking\n")
    )


def test_a_failing_validation_is_refused_with_its_log(proj: Project):
    proj.to_implement()
    proj.implement()
    err = proj.refused(1, "run", "advance", env={"CHECK_FAIL": "1"})
    log = f".claude/cc-pack/runs/{proj.state()['run_id']}/steps/S1.log"
    assert f'step "S1": its validation `python check.py` exited 1; the output is in {log}' in err
    state = proj.state()
    assert [s["status"] for s in state["steps"]] == ["failed", "failed"]
    assert {f["class"] for f in state["failures"]} == {"validation"}
    assert state["last_refusal"]["phase"] == "implement"
    proj.ok("run", "advance")  # fixed: the CLI's own rerun passes
    assert [s["status"] for s in proj.state()["steps"]] == ["done", "done"]


def test_a_step_that_changes_nothing_declares_it(proj: Project):
    plan = {"steps": [PLAN["steps"][0], {**PLAN["steps"][1], "files": [], "changes": "none"}]}
    proj.to_approval(plan)
    proj.approve()
    proj.ok("run", "advance")
    proj.write("src/app.py", "import os\n\n\ndef main():\n    return 2\n")
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "review"


def test_a_step_too_big_for_the_window_is_refused_with_the_split(tmp_path: Path):
    config = Project.default_config() + "plan:\n  context_window: 4000\n  context_share: 0.5\n"
    proj = Project(tmp_path / "repo", config)
    proj.write("src/util.py", "x = 1\n" * 2000)
    proj.start()
    proj.to_plan()
    proj.ok("run", "record", "plan", "-", input=json.dumps(PLAN))
    err = proj.refused(1, "run", "advance")
    assert 'step "S2" needs about' in err
    assert "over 50% of the implementer's 4,000-token window (2,000): split it" in err


def test_after_a_rejection_the_feedback_is_shown_and_the_same_plan_refused(proj: Project):
    proj.to_approval()
    proj.reject("split S1 in two, and keep util.py out")
    status = proj.ok("run", "status").stdout
    assert "the human rejected the plan with this feedback: 'split S1 in two, and keep " in status
    assert "rejected at 2026-11-22T10:00:00Z: 'split S1 in two, and keep util.py out'" in status
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "plan"
    handoff = proj.ok("run", "handoff").stdout
    assert "feedback, verbatim: 'split S1 in two, and keep util.py out'" in handoff
    assert "revise the plan for the human's feedback (split S1 in two" in handoff
    assert (proj.rdir / "handoff.md").read_text().split("\n", 1)[1] == handoff
    proj.ok("run", "record", "plan", "-", input=json.dumps(PLAN))
    err = proj.refused(1, "run", "advance")
    assert "this is the plan the human rejected, unchanged (their feedback: 'split S1" in err


def review_round(proj: Project, severity: str = "HIGH") -> None:
    proj.ok("dispatch")
    for name in proj.state()["dispatch"]["reviewers"]:
        found = [finding(severity, message="off by one")] if name == "security-reviewer" else []
        proj.hook_findings(contract(name, *found))


def test_the_same_blockers_on_unchanged_files_end_the_run_early(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start("--max-iterations", "5")
    proj.to_review()
    review_round(proj)
    proj.ok("run", "advance")
    state = proj.state()
    assert state["iteration"] == 2 and state["fix_list"][0]["id"] == "F1"
    proj.ok("run", "advance")  # implement -> review: nothing touched in iteration 2
    review_round(proj)
    done = proj.cc("run", "advance")
    assert done.returncode == 1
    assert "no progress: iteration 2 ends with the same 1 blocker(s) as iteration 1" in done.stdout
    state = proj.state()
    assert (state["status"], state["iteration"]) == ("FAIL", 2)
    stop = next(f for f in state["failures"] if f["class"] == "no progress")
    assert stop["evidence"]["previous"]["iteration"] == 1
    assert stop["evidence"]["current"]["files"] == stop["evidence"]["previous"]["files"]
    report = (proj.rdir / "report.md").read_text()
    assert "iteration 1:" in report and "iteration 2:" in report and "**no progress**" in report


def test_progress_on_the_file_keeps_the_loop_going(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start("--max-iterations", "5")
    proj.to_review()
    review_round(proj)
    proj.ok("run", "advance")
    proj.write("src/app.py", "import os\n\n\ndef main():\n    return 3\n")
    proj.ok("run", "advance")
    review_round(proj)
    proj.ok("run", "advance")
    assert (proj.state()["status"], proj.state()["iteration"]) == ("active", 3)


def pass_run(proj: Project) -> None:
    proj.to_review()
    review_round(proj, "LOW")
    proj.ok("run", "advance")
    proj.ok("run", "advance")
    assert proj.state()["status"] == "PASS"


def test_a_pass_appends_its_decisions_to_project_memory(proj: Project):
    pass_run(proj)
    memory = (proj.root / ".claude/memory/decisions.md").read_text()
    run_id = proj.state()["run_id"]
    assert memory.startswith("# Decisions\n")
    assert f"<!-- cc-pack run {run_id} -->\n## " in memory and ": add a util module\n" in memory
    assert "- Approved by user at 2026-11-22T10:00:00Z; scope: src/app.py, src/util.py." in memory


def test_memory_keeps_its_budget_by_archiving_the_oldest_entries(tmp_path: Path):
    config = Project.default_config() + "memory:\n  budget_tokens: 60\n"
    proj = Project(tmp_path / "repo", config)
    note = "# Decisions\n\nMine: never touch vendor/.\n"
    proj.write(".claude/memory/decisions.md", note + "<!-- cc-pack run old -->\n## old\n- x\n")
    proj.start()
    pass_run(proj)
    kept = (proj.root / ".claude/memory/decisions.md").read_text()
    assert kept.startswith(note) and "<!-- cc-pack run old -->" not in kept
    assert "cc-pack run old" in (proj.root / ".claude/memory/decisions.archive.md").read_text()


def test_memory_false_writes_nothing(tmp_path: Path):
    proj = Project(tmp_path / "repo", Project.default_config() + "memory: false\n")
    proj.start()
    pass_run(proj)
    assert not (proj.root / ".claude/memory").exists()
