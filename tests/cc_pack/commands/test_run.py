"""The run state machine through the real CLI on real git repositories: every legal transition,
every refused one, with the exact refusal text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from realproc import run_hook
from runproject import PLAN, RESEARCH, Project, contract, finding


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    return Project(tmp_path / "repo")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Project]:
    """Projects walked once to the approval, implement and review phases; tests use copies."""
    made = {}
    for phase, walk in (
        ("approval", "to_approval"),
        ("implement", "to_implement"),
        ("review", "to_review"),
    ):
        project = Project(tmp_path_factory.mktemp(phase) / "repo")
        project.start()
        getattr(project, walk)()
        assert project.state()["phase"] == phase
        made[phase] = project
    return made


@pytest.fixture
def at(templates, tmp_path: Path):
    def copy(phase: str) -> Project:
        return Project.copy_of(templates[phase], tmp_path / "repo")

    return copy


# --- start -------------------------------------------------------------------------------------


def test_start_prints_the_run_id_and_makes_it_active(proj: Project):
    run_id = proj.start()
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", run_id)
    state = proj.state()
    assert (state["run_id"], state["phase"], state["status"]) == (run_id, "research", "active")
    assert (state["iteration"], state["max_iterations"], state["auto_approve"]) == (1, 3, False)
    assert state["session_id"] is None
    assert state["audit"]["baseline"] == {}
    assert state["config"]["test_command"].endswith("check.py")
    assert json.loads((proj.root / ".claude/cc-pack/active.json").read_text()) == {"run_id": run_id}


def test_start_binds_the_session_and_snapshots_preexisting_changes(proj: Project):
    proj.write("README.md", "edited before the run\n")
    proj.write("notes.txt", "untracked\n")
    proj.ok("run", "start", "t", "--max-iterations", "5", env={"CLAUDE_CODE_SESSION_ID": "s-1"})
    state = proj.state()
    assert state["session_id"] == "s-1"
    assert state["max_iterations"] == 5
    assert sorted(state["audit"]["baseline"]) == ["README.md", "notes.txt"]
    assert len(state["audit"]["baseline"]["README.md"]) == 40  # a sha1


def test_second_start_is_refused_while_a_run_is_active(proj: Project):
    first = proj.start()
    err = proj.refused(1, "run", "start", "another")
    assert f"run {first} is still active (is in phase research); one run at a time" in err
    assert "fix: finish it, or end it with `cc-pack run abort`" in err


@pytest.mark.parametrize(
    "marker",
    [
        "CLAUDECODE=1",
        "CLAUDE_CODE_SESSION_ID=s-1",
        "CLAUDE_CODE_ENTRYPOINT=sdk-cli",
        "CLAUDE_CODE_EXECPATH=/opt/claude",
    ],
)
def test_auto_approve_is_refused_inside_claude_code(proj: Project, marker: str):
    """Defence in depth behind the scope guard: any variable Claude Code gives its Bash tool
    is enough (a model may unset one or two of them)."""
    name, _, value = marker.partition("=")
    err = proj.refused(1, "run", "start", "t", "--auto-approve", env={name: value})
    assert f"--auto-approve is refused inside a Claude Code session ({marker})" in err
    assert not (proj.root / ".claude/cc-pack/active.json").exists()


@pytest.mark.parametrize("flag", ["--auto", "--auto-a", "--auto-approve=1"])
def test_auto_approve_has_no_abbreviation(proj: Project, flag: str):
    """The scope guard also denies these forms; the CLI (click) takes none of them as the flag."""
    err = proj.refused(2, "run", "start", flag, "t")
    assert "No such option" in err or "does not take a value" in err
    assert not (proj.root / ".claude/cc-pack/active.json").exists()


def test_there_is_no_approve_verb(proj: Project):
    proj.start()
    for args in (("run", "approve"), ("approve",)):
        err = proj.refused(2, *args)
        assert "No such command 'approve'" in err
    assert proj.state()["approval"]["status"] == "none"


# --- recording from the session ---------------------------------------------------------------

# Before implement the scope guard lets the session write no file: every hint names the stdin form.
STDIN_HINT = re.compile(
    r"`(cc-pack run record (research|plan) - <<'CC_PACK_ARTIFACT')`, the \2 text, "
    r"then a line `CC_PACK_ARTIFACT`"
)


def _record_as_hinted(proj: Project, hint: str, kind: str, text: str) -> str:
    """Run the record command ``hint`` names as the session's Bash tool would (heredoc)."""
    found = STDIN_HINT.search(hint)
    assert found and found.group(2) == kind, hint
    assert " FILE" not in hint and f"{kind}.md`" not in hint, hint
    script = f"{found.group(1)}\n{text.rstrip()}\nCC_PACK_ARTIFACT\n"
    done = subprocess.run(
        ["bash", "-c", script], cwd=proj.root, env=proj.env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_hints_record_artifacts_on_stdin(proj: Project):
    start = proj.ok("run", "start", "t").stderr
    status = proj.ok("run", "status").stdout
    refused = proj.refused(1, "run", "advance")
    assert "research.md is missing" in refused
    for hint in (start, status, refused):
        STDIN_HINT.search(hint) or pytest.fail(hint)
    done = _record_as_hinted(proj, start, "research", "# R\n## Key files\n")
    assert "recorded research.md" in done
    retry = proj.refused(1, "run", "advance")
    assert "lacks the sections: Risks, Open questions" in retry
    _record_as_hinted(proj, retry, "research", RESEARCH)
    moved = proj.ok("run", "advance").stdout
    assert "research -> plan" in moved
    no_plan = proj.refused(1, "run", "advance")
    assert "no plan recorded yet" in no_plan
    done = _record_as_hinted(proj, moved, "plan", json.dumps(PLAN))
    assert "recorded plan.json" in done
    assert "plan.md" in proj.ok("run", "record", "--help").stdout  # the FILE form stays
    assert "FILE|-" in proj.ok("run", "record", "--help").stdout


def test_rejection_hint_records_on_stdin(at):
    proj = at("approval")
    proj.reject("split S1")
    message = proj.ok("run", "advance").stdout
    _record_as_hinted(proj, message, "plan", json.dumps(PLAN))
    assert proj.state()["plan"] == PLAN


# --- research ----------------------------------------------------------------------------------


def test_research_gate_names_what_is_missing(proj: Project):
    proj.start()
    err = proj.refused(1, "run", "advance")
    assert "the research gate did not pass:\n  - research.md is missing" in err
    proj.ok("run", "record", "research", "-", input="# R\n## Key files\n- a\n### risks\n")
    err = proj.refused(1, "run", "advance")
    assert "research.md lacks the sections: Open questions (Markdown headings" in err
    assert proj.state()["phase"] == "research"
    proj.ok("run", "record", "research", "-", input=RESEARCH)
    done = proj.ok("run", "advance")
    assert done.stdout.startswith("research -> plan")
    assert proj.state()["phase"] == "plan"


def test_skipping_a_phase_is_refused(proj: Project):
    proj.start()
    err = proj.refused(1, "run", "record", "plan", "-", input=json.dumps(PLAN))
    assert "plan can be recorded only in the plan phase; the run is in phase research" in err
    err = proj.refused(1, "dispatch")
    assert "dispatch runs in the review phase; the run is in phase research" in err
    err = proj.refused(1, "findings", "add", "-", input=json.dumps(contract("x")))
    assert "findings can be added in the review phase; the run is in phase research" in err
    assert proj.state()["phase"] == "research"
    assert proj.state()["plan"] is None


# --- plan --------------------------------------------------------------------------------------


def test_plan_gate_refuses_split_signals_with_the_split_to_make(proj: Project):
    proj.start()
    proj.to_plan()
    bad = {
        "steps": [
            {
                "id": "S1",
                "files": ["src/a.py", "src/b.py", "src/c.py", "lib/d.py", "lib/e.py"],
                "depends_on": [],
                "validation": "pytest",
                "parallel": True,
            },
            {
                "id": "S2",
                "files": ["src/a.py"],
                "depends_on": ["S9"],
                "validation": "pytest",
                "parallel": True,
            },
            {"id": "S3", "files": [], "depends_on": ["S4"], "validation": ""},
            {"id": "S4", "files": ["x.py"], "depends_on": ["S3"], "validation": "pytest"},
        ]
    }
    proj.ok("run", "record", "plan", "-", input=json.dumps(bad))
    err = proj.refused(1, "run", "advance")
    assert (
        'step "S1" changes 5 files (more than 4): split it into 2 steps, e.g. '
        "S1a: src/a.py, src/b.py, src/c.py; S1b: lib/d.py, lib/e.py" in err
    )
    assert 'step "S2" depends on "S9", which is not a step id' in err
    assert 'step "S3" lists no files' in err
    assert 'step "S3" has no validation command' in err
    assert "depends_on has a cycle: S3 -> S4 -> S3" in err
    assert 'steps "S1" and "S2" are marked parallel but both change src/a.py' in err
    assert proj.state()["phase"] == "plan"


def test_plan_passes_into_approval_with_the_scope_from_its_files(proj: Project):
    proj.start()
    proj.to_plan()
    proj.ok("scope", "set", "docs/**")
    proj.write("plan.md", "# Plan\n\nsome prose\n\n```json\n" + json.dumps(PLAN) + "\n```\n")
    proj.ok("run", "record", "plan", "plan.md")
    done = proj.ok("run", "advance")
    assert "plan -> approval" in done.stdout
    state = proj.state()
    assert state["phase"] == "approval"
    assert state["approval"]["status"] == "pending"
    assert state["scope"]["patterns"] == ["docs/**", "src/app.py", "src/util.py"]
    assert (proj.rdir / "plan.json").is_file()


def test_approval_waits_for_the_human(at):
    proj = at("approval")
    err = proj.refused(1, "run", "advance")
    assert (
        "waiting for the human: they type `/orchestrate approve` or "
        "`/orchestrate reject <feedback>`" in err
    )
    assert proj.state()["phase"] == "approval"


def test_rejection_goes_back_to_plan_with_the_feedback(at):
    proj = at("approval")
    proj.reject("split S1 into two")
    done = proj.ok("run", "advance")
    assert "approval -> plan" in done.stdout
    assert "the human rejected the plan: split S1 into two" in done.stdout
    state = proj.state()
    assert state["phase"] == "plan"
    assert state["approval"]["status"] == "none"
    assert state["approval"]["history"][-1]["feedback"] == "split S1 into two"
    status = proj.ok("run", "status").stdout
    assert "revise the plan for the human's feedback (split S1 into two)" in status


def test_approval_of_another_scope_is_refused(at):
    proj = at("approval")
    proj.approve(scope=["src/app.py"])
    err = proj.refused(1, "run", "advance")
    assert "the approval covered the scope ['src/app.py'] but the scope is now" in err
    assert proj.state()["phase"] == "approval"


def test_scope_changes_only_before_approval(at):
    proj = at("approval")
    proj.ok("scope", "set", "docs/**")  # still pending: allowed, and the approval must cover it
    proj.approve()
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "implement"
    err = proj.refused(1, "scope", "set", "anything/**")
    assert "the scope is frozen: the plan was approved (phase implement)" in err
    assert "/orchestrate reject" in err
    assert "anything/**" not in proj.state()["scope"]["patterns"]


def test_auto_approve_goes_from_plan_to_implement(proj: Project):
    proj.start("--auto-approve")
    proj.to_approval()
    state = proj.state()
    assert state["phase"] == "implement"
    assert state["approval"]["status"] == "approved"
    assert state["approval"]["by"] == "auto-approve"
    assert state["approval"]["scope"] == ["src/app.py", "src/util.py"]


# --- implement ---------------------------------------------------------------------------------


def test_implement_gate_needs_changes_in_scope_and_clean_lint(at):
    proj = at("implement")
    err = proj.refused(1, "run", "advance")
    assert "no changes yet: nothing differs from the state at `run start`" in err

    proj.implement()
    proj.write("other.py", "x = 1\n")
    err = proj.refused(1, "run", "advance")
    assert "changed outside the scope: other.py" in err
    (proj.root / "other.py").unlink()

    proj.write("src/util.py", "import sys\n\n\ndef helper():\n    return 1\n")
    err = proj.refused(1, "run", "advance")
    assert "lint on changed lines: 1 problem(s):\n      src/util.py:1:8: F401" in err
    # src/app.py keeps its committed unused import on an unchanged line: not the run's problem
    assert "src/app.py:1" not in err

    proj.write("src/util.py", "def helper():\n    return 1\n")
    done = proj.ok("run", "advance")
    assert "implement -> review: 2 changed file(s), all in scope, lint clean" in done.stdout
    assert proj.state()["dispatch"] is None


def test_open_violation_blocks_until_the_file_is_back(at):
    proj = at("implement")
    proj.implement()
    proj.write("README.md", "changed by a bash command\n")

    def violation(state):
        state["audit"]["violations"].append(
            {"path": "README.md", "at": "2026-11-22T10:00:00Z", "source": "bash-audit"}
        )

    proj.hook_write(violation)
    err = proj.refused(1, "run", "advance")
    assert "out-of-scope change recorded by bash-audit is still there: README.md" in err
    proj.write("README.md", "demo\n")  # back to its state at run start
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "review"


def test_rejection_after_approval_returns_to_plan(at):
    proj = at("implement")
    proj.reject("the scope must include docs/")
    done = proj.ok("run", "advance")
    assert "implement -> plan" in done.stdout
    assert proj.state()["phase"] == "plan"
    proj.ok("scope", "set", "docs/**")


# --- review ------------------------------------------------------------------------------------


def test_review_needs_dispatch_and_every_contract(at):
    proj = at("review")
    err = proj.refused(1, "run", "advance")
    assert "no reviewers dispatched for iteration 1: run `cc-pack dispatch`" in err
    names = proj.ok("dispatch").stdout.split()
    assert names == [
        "correctness-reviewer",
        "security-reviewer",
        "test-reviewer",
        "maintainability-reviewer",
    ]
    proj.add_findings(contract("cc-pack:correctness-reviewer", finding("LOW")))
    err = proj.refused(1, "run", "advance")
    assert (
        "no valid findings contract for iteration 1 from: security-reviewer, test-reviewer, "
        "maintainability-reviewer"
    ) in err
    for name in names[1:]:
        proj.hook_findings(contract(name))
    done = proj.ok("run", "advance")
    assert "review -> verify: review passed (0 CRITICAL, 0 HIGH; 0 MEDIUM, 1 LOW)" in done.stdout


def test_dispatch_json_and_skip_rules(at):
    proj = at("review")
    data = json.loads(proj.ok("dispatch", "--json").stdout)
    assert data["iteration"] == 1
    assert data["changed_files"] == ["src/app.py", "src/util.py"]
    assert data["plugin_names"][0] == "cc-pack:correctness-reviewer"
    assert proj.state()["dispatch"]["reviewers"] == data["reviewers"]


def test_docs_only_change_dispatches_nobody_and_review_passes(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start()
    plan = {"steps": [{"id": "D", "files": ["README.md"], "depends_on": [], "validation": "true"}]}
    proj.to_approval(plan)
    proj.approve()
    proj.ok("run", "advance")
    proj.write("README.md", "better docs\n")
    proj.ok("run", "advance")
    done = proj.ok("dispatch")
    assert done.stdout == ""
    assert "no reviewers: every changed file matches dispatch.skip" in done.stderr
    done = proj.ok("run", "advance")
    assert "no reviewable changes" in done.stderr
    assert proj.state()["phase"] == "verify"


def loop_once(proj: Project, severity: str = "HIGH") -> None:
    proj.ok("dispatch")
    for name in (
        "correctness-reviewer",
        "security-reviewer",
        "test-reviewer",
        "maintainability-reviewer",
    ):
        found = [finding(severity, message="off by one")] if name == "security-reviewer" else []
        proj.hook_findings(contract(name, *found))


def test_high_finding_loops_back_with_the_fix_list(at):
    proj = at("review")
    loop_once(proj)
    done = proj.ok("run", "advance")
    assert (
        "review -> implement: 1 CRITICAL/HIGH finding(s): back to implement for iteration 2"
        in done.stdout
    )
    state = proj.state()
    assert (state["phase"], state["iteration"], state["dispatch"]) == ("implement", 2, None)
    assert state["fix_list"] == [
        {**finding("HIGH", message="off by one"), "reviewers": ["security-reviewer"], "id": "F1"}
    ]
    status = proj.ok("run", "status").stdout
    assert "fix list" in status and "HIGH src/app.py:1: off by one" in status


def test_iteration_cap_ends_in_fail_never_a_fourth_loop(at):
    proj = at("review")
    for expected in (2, 3):
        loop_once(proj)
        proj.ok("run", "advance")
        assert proj.state()["iteration"] == expected
        # the fix iteration changes the file (the same findings on an unchanged file would be
        # the no-progress stop)
        app = proj.root / "src/app.py"
        app.write_text(app.read_text() + f"# fix {expected}\n")
        proj.ok("run", "advance")  # implement -> review
    loop_once(proj, "CRITICAL")
    done = proj.cc("run", "advance")
    assert done.returncode == 1
    assert "the iteration cap (3) is reached: the run FAILED" in done.stdout
    state = proj.state()
    assert (state["status"], state["phase"], state["iteration"]) == ("FAIL", "report", 3)
    assert state["blockers"][0]["severity"] == "CRITICAL"
    assert state["blockers"][0]["evidence"] == "src/app.py:1 shows it"
    report = json.loads((proj.rdir / "report.json").read_text())
    assert report["status"] == "FAIL" and report["blockers"] == state["blockers"]
    err = proj.refused(1, "run", "advance")
    assert "the run has ended (FAIL): there is nothing to advance" in err
    assert proj.state()["iteration"] == 3


# --- verify ------------------------------------------------------------------------------------


def to_verify(proj: Project) -> None:
    if proj.state()["phase"] == "research":
        proj.to_review()
    loop_once(proj, "MEDIUM")
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "verify"


def test_verify_pass_writes_the_reports(at):
    proj = at("review")
    to_verify(proj)
    done = proj.ok("run", "advance")
    assert "verify -> report: tests passed" in done.stdout
    state = proj.state()
    assert (state["status"], state["phase"]) == ("PASS", "report")
    assert "checking" in (proj.rdir / "verify.log").read_text()
    report = json.loads((proj.rdir / "report.json").read_text())
    assert report["status"] == "PASS"
    assert report["counts"] == {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 1, "LOW": 0}
    assert report["verify"]["exit_code"] == 0
    assert set(report["artifacts"]) >= {"research.md", "plan.md", "verify.log", "report.sarif"}
    assert (proj.rdir / "report.md").read_text().startswith("# cc-pack report: PASS")


def test_failing_tests_loop_back_then_fail_at_the_cap(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start("--max-iterations", "2")
    to_verify(proj)
    done = proj.ok("run", "advance", env={"CHECK_FAIL": "1"})
    assert "verify -> implement: tests failed (exit 1)" in done.stdout
    state = proj.state()
    assert (state["phase"], state["iteration"]) == ("implement", 2)
    assert state["fix_list"][0]["source"] == "verify"
    assert "checking" in state["fix_list"][0]["evidence"]
    proj.ok("run", "advance")
    loop_once(proj, "LOW")
    proj.ok("run", "advance")
    done = proj.cc("run", "advance", env={"CHECK_FAIL": "1"})
    assert done.returncode == 1
    state = proj.state()
    assert (state["status"], state["iteration"]) == ("FAIL", 2)
    assert state["blockers"][0]["message"].startswith("the test command failed (exit 1)")


def test_verify_without_a_test_command_asks_for_one(tmp_path: Path):
    proj = Project(tmp_path / "repo", config="test_command: null\n")
    proj.start()
    to_verify(proj)
    err = proj.refused(1, "run", "advance")
    assert "no test command: test_command is not set and no pytest project was found" in err
    assert proj.state()["phase"] == "verify"


# --- status, resume, abort ---------------------------------------------------------------------


def test_status_is_a_pasteable_handoff(at):
    proj = at("review")
    proj.ok("dispatch")
    proj.add_findings(contract("correctness-reviewer", finding("HIGH")))
    text = proj.ok("run", "status").stdout
    assert "phase: review (iteration 1 of 3, approval approved)" in text
    assert (
        "next: run the reviewers security-reviewer, test-reviewer, maintainability-reviewer" in text
    )
    assert "correctness-reviewer (contract stored)" in text
    assert "findings: 0 CRITICAL, 1 HIGH, 0 MEDIUM, 0 LOW" in text
    info = json.loads(proj.ok("run", "status", "--json").stdout)
    assert info["dispatch"]["contracts"]["correctness-reviewer"] is True
    assert info["artifacts"]["plan.json"].endswith("plan.json")


def test_abort_keeps_the_files_and_frees_the_slot(proj: Project):
    run_id = proj.start()
    rdir = proj.rdir
    done = proj.ok("run", "abort")
    assert f"run {run_id} aborted" in done.stdout
    assert json.loads((rdir / "state.json").read_text())["status"] == "aborted"
    assert not (proj.root / ".claude/cc-pack/active.json").exists()
    err = proj.refused(3, "run", "status")
    assert "no active run" in err and "cc-pack run start TASK" in err
    proj.start()


def test_resume_rebinds_to_the_new_session(proj: Project):
    proj.ok("run", "start", "t", env={"CLAUDE_CODE_SESSION_ID": "old"})
    done = proj.ok("run", "resume", env={"CLAUDE_CODE_SESSION_ID": "new"})
    assert "phase: research" in done.stdout
    assert proj.state()["session_id"] == "new"
    proj.ok("run", "resume")
    assert proj.state()["session_id"] is None


def test_from_backup_cannot_roll_back_a_sound_state(at):
    """state.prev.json is one write older: restoring it over a sound state would undo the
    human's rejection recorded by the hook. Only a corrupt state.json is replaced."""
    proj = at("implement")
    proj.reject("wrong files")
    before = (proj.rdir / "state.json").read_text()
    assert json.loads((proj.rdir / "state.prev.json").read_text())["approval"]["status"] == (
        "approved"
    )
    err = proj.refused(1, "run", "resume", "--from-backup")
    assert "state.json is sound: there is nothing to restore" in err
    assert "`cc-pack run resume` re-checks the run" in err
    assert (proj.rdir / "state.json").read_text() == before
    assert not list(proj.rdir.glob("state.broken-*.json"))


def test_a_human_reject_during_implement_widens_the_scope_through_plan(at):
    """The hook records `/orchestrate reject` typed mid-run; the CLI then goes back to plan,
    where the scope may change again before a new approval."""
    proj = at("implement")
    event = {
        "hook_event_name": "UserPromptSubmit",
        "session_id": "s-1",
        "cwd": str(proj.root),
        "prompt": "/orchestrate reject docs/ must change too",
        "prompt_id": "p-9",
    }
    done = run_hook(
        "approval_capture",
        json.dumps(event),
        env={**proj.env(), "CLAUDE_PROJECT_DIR": str(proj.root)},
    )
    assert done.returncode == 0, done.stderr
    assert "rejected" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    advanced = proj.ok("run", "advance")
    assert "the human rejected the plan: docs/ must change too" in advanced.stdout
    assert proj.state()["phase"] == "plan"
    proj.ok("scope", "set", "docs/**")


def test_start_without_the_pack_installed_warns_and_names_the_fix(proj: Project, tmp_path: Path):
    """No hook dir and no enabled plugin: nothing would enforce the run. A warning (exit 0),
    since the CLI cannot see a --plugin-dir session (README: run start)."""
    done = proj.ok("run", "start", "a task", env={"HOME": str(tmp_path / "home")})
    assert "warning: the pack is not installed in" in done.stderr
    assert "`cc-pack init`" in done.stderr
    proj.ok("run", "abort")
    by_plugin = proj.ok("run", "start", "a task", env={"CC_PACK_PLUGIN_ROOT": "/plugins/cc-pack"})
    assert "warning: the pack is not installed" not in by_plugin.stderr


def test_start_with_the_pack_installed_does_not_warn(proj: Project):
    proj.ok("init", "--python", sys.executable)
    done = proj.ok("run", "start", "a task")
    assert "warning: the pack is not installed" not in done.stderr


def test_start_with_the_plugin_enabled_in_settings_does_not_warn(proj: Project, tmp_path: Path):
    settings = proj.root / ".claude" / "settings.json"
    settings.write_text(json.dumps({"enabledPlugins": {"cc-pack@cc-pack": True}}))
    done = proj.ok("run", "start", "a task", env={"HOME": str(tmp_path / "home")})
    assert "warning: the pack is not installed" not in done.stderr


def test_status_json_without_a_run_prints_an_object_and_exits_3(proj: Project):
    done = proj.cc("run", "status", "--json")
    assert done.returncode == 3, done.stderr
    data = json.loads(done.stdout)
    assert data["active"] is False and data["run_id"] is None
    assert "cc-pack run start" in data["fix"]
    same = proj.cc("run", "status", "--format", "json")
    assert same.returncode == 3 and json.loads(same.stdout) == data
    text = proj.cc("run", "status")
    assert text.returncode == 3 and text.stdout == "" and "no active run" in text.stderr


def test_every_json_output_takes_format_json(proj: Project):
    run_id = proj.ok("run", "start", "a task").stdout.strip()
    status = json.loads(proj.ok("run", "status", "--format", "json").stdout)
    assert status["active"] is True and status["run_id"] == run_id
    assert json.loads(proj.ok("run", "status", "--json").stdout) == status
    refused = proj.cc("run", "advance", "--format", "json")
    assert refused.returncode == 1 and json.loads(refused.stdout)["ok"] is False
    aggregate = proj.ok("findings", "aggregate", "--format", "json").stdout
    assert json.loads(aggregate)["counts"]
    report = json.loads(proj.ok("report", "--json").stdout)
    again = json.loads(proj.ok("report", "--format", "json").stdout)
    assert report.pop("generated_at") and again.pop("generated_at")
    assert report == again and report["status"] == "active"
