"""Parallel waves through the real CLI on real git repositories: each parallel step in its own
tree and branch from the run's state, the fan-in merging them back, a textual conflict (both
sides recorded, nothing half-merged, the run back in implement), a semantic conflict caught by
the validation rerun on the merged tree, coupling in history serialising two steps, and the
trees' cleanup after a clean merge against their keeping after FAIL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realproc import git
from runproject import Project

CHECK = "python check.py"


def plan(*steps: dict) -> dict:
    return {"steps": list(steps)}


def step(sid: str, files: list[str], validation: str = CHECK, **extra) -> dict:
    return {"id": sid, "title": sid, "files": files, "depends_on": [], "validation": validation,
            "parallel": True, **extra}  # fmt: skip


TWO = plan(step("S1", ["src/app.py"]), step("S2", ["src/util.py"]))


def implementing(tmp_path: Path, the_plan: dict, *extra: str, before=None) -> Project:
    proj = Project(tmp_path / "repo")
    if before:
        before(proj)
    proj.start(*extra)
    proj.to_approval(the_plan)
    proj.approve()
    proj.ok("run", "advance")
    assert proj.state()["phase"] == "implement"
    return proj


def wave(proj: Project) -> dict:
    return json.loads(proj.ok("run", "wave", "--json").stdout)


def branches(proj: Project) -> list[str]:
    return git(proj.root, "branch", "--list", "cc-pack/*", "--format=%(refname:short)").split()


@pytest.mark.parametrize("ignored", [False, True], ids=["plain", "trees-git-ignored"])
def test_parallel_steps_work_in_their_own_trees_and_merge_cleanly(tmp_path: Path, ignored: bool):
    def users_work(p: Project) -> None:
        p.write("notes.txt", "the user's own uncommitted work\n")
        if ignored:  # as cc-pack init writes it
            p.write(".gitignore", ".claude/cc-pack/\n__pycache__/\n.claude/worktrees/\n")

    proj = implementing(tmp_path, TWO, before=users_work)
    head = git(proj.root, "rev-parse", "HEAD").strip()
    started = wave(proj)
    assert started["parallel"] and started["steps"] == ["S1", "S2"]
    trees = {sid: proj.root / rel for sid, rel in started["trees"].items()}
    assert trees["S1"] == proj.root / f".claude/worktrees/cc-pack/{proj.state()['run_id']}/S1"
    assert sorted(branches(proj)) == [f"cc-pack/{proj.state()['run_id']}/{s}" for s in ("S1", "S2")]
    # the trees start from the run's state, uncommitted work included; nothing of the user moved
    assert (trees["S2"] / "notes.txt").read_text() == "the user's own uncommitted work\n"
    assert git(proj.root, "rev-parse", "HEAD").strip() == head
    assert "steps: S1\ntree: " in started["packets"][0]["packet"]
    (trees["S1"] / "src/app.py").write_text("import os\n\n\ndef main():\n    return 2\n")
    (trees["S2"] / "src/util.py").write_text("def helper():\n    return 1\n")
    assert proj.state()["steps"][0]["tree"] == started["trees"]["S1"]
    done = proj.ok("run", "advance")
    assert "wave 1 merged (S1, S2): 2 file(s)" in done.stderr
    assert (proj.root / "src/util.py").read_text() == "def helper():\n    return 1\n"
    assert "return 2" in (proj.root / "src/app.py").read_text()
    state = proj.state()
    assert state["phase"] == "review"
    assert state["waves"][0]["status"] == "merged"
    assert [s["tree"] for s in state["steps"]] == [None, None]
    assert branches(proj) == [] and not list((proj.root / ".claude/worktrees/cc-pack").glob("*/*"))
    assert git(proj.root, "rev-parse", "HEAD").strip() == head  # still the user's HEAD
    assert git(proj.root, "diff", "--cached", "--name-only") == ""  # and their index


def test_a_step_that_writes_outside_its_files_in_its_tree_is_not_merged(tmp_path: Path):
    proj = implementing(tmp_path, TWO)
    trees = {sid: proj.root / rel for sid, rel in wave(proj)["trees"].items()}
    (trees["S1"] / "src/app.py").write_text("X = 1\n")
    (trees["S1"] / "README.md").write_text("taken over\n")
    err = proj.refused(1, "run", "advance")
    assert "files outside their step changed in wave 1's trees:" in err
    assert "S1/README.md" in err and "nothing was merged" in err
    assert (proj.root / "README.md").read_text() == "demo\n"


def test_a_textual_conflict_records_both_sides_and_leaves_nothing_half_merged(tmp_path: Path):
    # disjoint file names, but one step makes `src/gen` a file and the other a directory
    the_plan = plan(step("S1", ["src/gen"]), step("S2", ["src/gen/mod.py"]))
    proj = implementing(tmp_path, the_plan)
    trees = {sid: proj.root / rel for sid, rel in wave(proj)["trees"].items()}
    (trees["S1"] / "src/gen").write_text("generated\n")
    (trees["S2"] / "src/gen").mkdir()
    (trees["S2"] / "src/gen/mod.py").write_text("M = 1\n")
    done = proj.cc("run", "advance")
    assert done.returncode == 0, done.stderr
    assert "wave 1 did not merge cleanly: back to implement for iteration 2" in done.stdout
    state = proj.state()
    assert (state["phase"], state["iteration"]) == ("implement", 2)
    [item] = state["fix_list"]
    assert item["source"] == "merge" and item["steps"] == ["S1", "S2"] and item["id"] == "F1"
    assert "merging S2 into S1 conflicts in" in item["message"]
    assert "as S1 left it" in item["evidence"] and "as S2 left it" in item["evidence"]
    # S1 merged, S2 not at all: the main tree holds S1's file and nothing of S2
    assert (proj.root / "src/gen").read_text() == "generated\n"
    assert state["waves"][0]["status"] == "failed"
    # the trees and branches stay for the fix, and status says how to remove them
    status = proj.ok("run", "status").stdout
    assert "step trees left on disk:" in status and "remove with: git worktree remove" in status


def test_a_semantic_conflict_is_caught_by_the_validation_on_the_merged_tree(tmp_path: Path):
    uses = "python -c \"import sys; sys.path.insert(0, 'src'); import app, util; util.check()\""
    the_plan = plan(step("S1", ["src/app.py"]), step("S2", ["src/util.py"], validation=uses))
    proj = implementing(tmp_path, the_plan)
    trees = {sid: proj.root / rel for sid, rel in wave(proj)["trees"].items()}
    # S1 renames main(); S2 calls main(): each passes alone, the merge breaks
    (trees["S1"] / "src/app.py").write_text("def run():\n    return 1\n")
    (trees["S2"] / "src/util.py").write_text(
        "import app\n\n\ndef check():\n    return app.main()\n"
    )
    done = proj.cc("run", "advance")
    assert done.returncode == 0, done.stderr
    state = proj.state()
    assert state["iteration"] == 2 and state["phase"] == "implement"
    [item] = state["fix_list"]
    assert item["source"] == "merge-validation"
    assert "step S2's validation" in item["message"] and "fails once merged with S1" in item[
        "message"]  # fmt: skip
    assert (proj.root / "src/util.py").exists()  # the clean merge is the fix iteration's start


def test_coupling_in_history_runs_two_parallel_steps_one_after_the_other(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    for n in range(2):
        proj.write("src/app.py", f"V = {n}\n")
        proj.write("src/util.py", f"V = {n}\n")
        git(proj.root, "add", "-A")
        git(proj.root, "commit", "-qm", f"together {n}")
    proj.start()
    proj.to_approval(TWO)
    proj.approve()
    proj.ok("run", "advance")
    started = wave(proj)
    assert started["steps"] == ["S1"] and not started["parallel"]
    assert started["held"] == [
        {"step": "S2", "reason": "coupled to S1 by history: 2 of the last 3 commits changed "
         "files of both"}
    ]  # fmt: skip
    err = proj.refused(1, "run", "wave")
    assert "wave 1 (S1) is still running" in err


def test_trees_are_kept_after_fail_and_status_lists_them(tmp_path: Path):
    the_plan = plan(step("S1", ["src/gen"]), step("S2", ["src/gen/mod.py"]))
    proj = implementing(tmp_path, the_plan, "--max-iterations", "1")
    trees = {sid: proj.root / rel for sid, rel in wave(proj)["trees"].items()}
    (trees["S1"] / "src/gen").write_text("generated\n")
    (trees["S2"] / "src/gen").mkdir()
    (trees["S2"] / "src/gen/mod.py").write_text("M = 1\n")
    done = proj.cc("run", "advance")
    assert done.returncode == 1 and "the run FAILED" in done.stdout
    assert trees["S2"].is_dir() and f"cc-pack/{proj.state()['run_id']}/S2" in branches(proj)
    info = json.loads(proj.ok("run", "status", "--json").stdout)
    assert any(p.endswith("/S2") for p in info["trees"]["paths"])
    assert "git worktree prune" in info["trees"]["remove"]


@pytest.mark.parametrize("phase", ["research"])
def test_waves_belong_to_implement(tmp_path: Path, phase: str):
    proj = Project(tmp_path / "repo")
    proj.start()
    assert "waves run in the implement phase" in proj.refused(1, "run", "wave")


def test_watch_once_prints_one_plain_frame(tmp_path: Path):
    proj = implementing(tmp_path, TWO)
    wave(proj)
    out = proj.ok("run", "watch", "--once").stdout
    assert "phase implement" in out and "S1" in out and ".claude/worktrees/cc-pack/" in out
    assert "wave 1 (parallel: S1, S2): active" in out
    assert "last hook decisions: off" in out


def test_abort_keeps_the_trees_and_names_the_commands_that_remove_them(tmp_path: Path):
    proj = implementing(tmp_path, TWO)
    run_id = proj.state()["run_id"]
    trees = {sid: proj.root / rel for sid, rel in wave(proj)["trees"].items()}
    (trees["S1"] / "src/app.py").write_text("unmerged work\n")
    out = proj.ok("run", "abort").stdout
    assert trees["S1"].is_dir() and (trees["S1"] / "src/app.py").read_text() == "unmerged work\n"
    assert "its step trees are kept" in out and "git worktree remove --force" in out
    assert f"git branch -D cc-pack/{run_id}/S1" in out
