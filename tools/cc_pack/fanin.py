"""Fan-in: a finished parallel wave merged back into the run's work tree.

Each step's tree is committed on its branch; the branches are merged in plan order (a wave's
steps never depend on each other) into an integration tree at the wave's base; after each merge
the merged steps' validations run there, and once all are merged the test command runs there
too. What merged cleanly is then applied to the main work tree as one diff from the base, and
only while the main tree still equals that base. A textual conflict stops the merge at the last
good one and is reported with both sides; a validation or test failure after a clean merge is a
failure of the wave (a semantic conflict). Trees, branches and the base ref are removed after a
clean fan-in, and kept otherwise (``run status`` lists them with the commands to remove them).
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field

from cc_pack import verify, worktrees
from cc_pack.state import Run
from cc_pack_hooks import roles, stepcheck


@dataclass
class Outcome:
    applied: list[str] = field(default_factory=list)  # main-tree files the merge changed
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # steps whose tree has no change
    conflicts: list[dict] = field(default_factory=list)  # textual, each with both sides
    broken: dict | None = None  # semantic: {"steps", "message"}
    validations: dict[str, dict] = field(default_factory=dict)
    problem: str | None = None  # fan-in could not happen at all (the main tree moved)
    seconds: float = 0.0


def _confine(run: Run) -> tuple[str, list[str]] | None:
    recorded = run.state.get("sandbox")
    if isinstance(recorded, dict) and recorded.get("kind") == "bwrap":
        return run.run_id, roles.setting(run.config, "scope.test_outputs")
    return None


def _timeout(run: Run) -> float:
    plan = run.config.get("plan") if isinstance(run.config.get("plan"), dict) else {}
    return float(plan.get("validation_timeout", 600))


def merge(run: Run, wave: dict) -> Outcome:
    started = time.monotonic()
    out = Outcome()
    root, base = run.root, wave["base"]
    if not worktrees.same_tree(root, base):
        changed = worktrees.git(root, "diff", "--name-only", base).split()
        out.problem = (
            f"the main work tree changed while wave {wave['n']} ran in its own trees "
            f"({', '.join(changed[:5]) or 'untracked files'}): put it back, then advance again"
        )
        return out
    steps = {s["id"]: s for s in run.state.get("steps") or []}
    strays = []
    for sid in wave["steps"]:
        changed = worktrees.changed_in(root / wave["trees"][sid])
        strays += [f"{wave['trees'][sid]}/{f}" for f in changed if f not in steps[sid]["files"]]
    if strays:
        out.problem = (
            f"files outside their step changed in wave {wave['n']}'s trees: "
            f"{', '.join(strays[:8])}; put them back (nothing was merged)"
        )
        return out
    order = []
    for sid in wave["steps"]:
        tree = root / wave["trees"][sid]
        if worktrees.commit_all(tree, f"cc-pack {run.run_id}: {sid}") is None:
            out.unchanged.append(sid)
        else:
            order.append((sid, wave["branches"][sid]))
    integration = worktrees.tree_dir(root, run.run_id, f"merge-{wave['n']}")

    def after_each(merged: list[str], tree) -> str | None:
        for sid in merged:
            command = steps[sid]["validation"]["command"]
            record = stepcheck.run(str(root), str(run.rdir), f"{sid}.merged", command,
                                   _timeout(run), _confine(run), cwd=str(tree))  # fmt: skip
            out.validations[sid] = record
            if record["exit_code"] != 0:
                others = ", ".join(s for s in merged if s != sid) or "nothing else"
                return (
                    f"step {sid}'s validation `{command}` fails once merged with {others} "
                    f"(exit {record['exit_code']}; {record['log']})"
                )
        return None

    result = worktrees.merge(root, integration, base, order, after_each)
    out.merged = list(result.merged)
    for conflict in result.conflicts:
        # the steps merged before it that changed the same files: one implementer gets them all
        conflict["with"] = [
            sid for sid in result.merged
            if _overlap(worktrees.touched(root, base, wave["branches"][sid]), conflict["files"])
        ]  # fmt: skip
        out.conflicts.append(conflict)
    if result.broken:
        out.broken = {"steps": list(result.merged), "message": result.broken}
    elif result.merged:
        argv = verify.command(root, run.config.get("test_command"))
        record = stepcheck.run(str(root), str(run.rdir), f"wave-{wave['n']}.tests",
                               shlex.join(argv), verify.timeout(), _confine(run),
                               cwd=str(integration))  # fmt: skip
        if record["exit_code"] != 0:
            out.broken = {
                "steps": list(result.merged),
                "message": f"the test command `{shlex.join(argv)}` fails on the merged wave "
                f"(exit {record['exit_code']}; {record['log']})",
            }
    if result.head and result.head != base:
        out.applied = worktrees.apply(root, base, result.head)
    worktrees.remove_tree(root, integration)
    if not out.conflicts and out.broken is None:
        cleanup(run, wave)
    out.seconds = time.monotonic() - started
    return out


def _overlap(touched: set[str], conflicted: list[str]) -> bool:
    """Same file, or one inside the other (a file/directory conflict)."""
    return any(
        a == b or a.startswith(f"{b}/") or b.startswith(f"{a}/")
        for a in touched
        for b in conflicted
    )


def cleanup(run: Run, wave: dict) -> None:
    from cc_pack import waves

    for sid, rel in wave["trees"].items():
        worktrees.remove_tree(run.root, run.root / rel)
        worktrees.remove_branch(run.root, wave["branches"][sid])
    worktrees.remove_ref(run.root, waves.base_ref(run.run_id, wave["n"]))
