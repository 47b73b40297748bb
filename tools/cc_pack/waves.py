"""Waves: which plan steps run now, and together or one after the other.

Sequential is the default: a wave is the first ready step (its dependencies done) working in the
main tree. Steps the plan marks ``parallel`` earn a shared wave only when their files are
disjoint and history does not couple them: if at least ``plan.coupling_commits`` of the last
``plan.history_commits`` commits changed a file of each, they run one after the other, and the
reason is recorded. A wave of two or more steps gets a git tree per step (``worktrees``); the
implement gate merges them back (``fanin``).
"""

from __future__ import annotations

from pathlib import Path

from cc_pack import worktrees
from cc_pack.errors import CheckFailed
from cc_pack.state import Run, now
from cc_pack_hooks import gitview

DEFAULT_HISTORY = 200
DEFAULT_COUPLING = 2


def settings(run: Run) -> tuple[int, int]:
    plan = run.config.get("plan") if isinstance(run.config.get("plan"), dict) else {}
    return (
        int(plan.get("history_commits", DEFAULT_HISTORY)),
        int(plan.get("coupling_commits", DEFAULT_COUPLING)),
    )


def history(root: Path, commits: int) -> list[set[str]]:
    """The files each of the last ``commits`` commits changed (repository-relative)."""
    if commits <= 0 or gitview.head(str(root)) is None:
        return []
    out = gitview.git(str(root), "log", f"-n{commits}", "--no-renames", "--name-only",
                      "--format=%x00", "HEAD").decode("utf-8", "surrogateescape")  # fmt: skip
    return [set(filter(None, chunk.split("\n"))) for chunk in out.split("\0") if chunk.strip()]


def coupling(log: list[set[str]], a: list[str], b: list[str]) -> int:
    """How many commits changed a file of ``a`` and a file of ``b``."""
    sa, sb = set(a), set(b)
    return sum(1 for files in log if files & sa and files & sb)


def active(state: dict) -> dict | None:
    for wave in reversed(state.get("waves") or []):
        if wave.get("status") == "active":
            return wave
    return None


def ready(state: dict) -> list[dict]:
    done = {s["id"] for s in state.get("steps") or [] if s.get("status") == "done"}
    return [
        s
        for s in state.get("steps") or []
        if s.get("status") in ("pending", "failed") and set(s.get("depends_on") or []) <= done
    ]


def choose(run: Run) -> tuple[list[dict], list[dict]]:
    """(the steps of the next wave, the parallel candidates held back with the reason)."""
    candidates = ready(run.state)
    if not candidates:
        raise CheckFailed(
            "no plan step is ready: every step is done, running, or waits for a dependency",
            "`cc-pack run status` shows the steps; `cc-pack run advance` checks the phase",
        )
    first = candidates[0]
    if not first.get("parallel"):
        return [first], []
    commits, threshold = settings(run)
    log = history(run.root, commits)
    chosen, held = [first], []
    for step in candidates[1:]:
        if not step.get("parallel"):
            continue
        reason = None
        for other in chosen:
            shared = sorted(set(step["files"]) & set(other["files"]))
            if shared:
                reason = f"shares {', '.join(shared)} with {other['id']}"
                break
            together = coupling(log, step["files"], other["files"])
            if together >= threshold:
                reason = (
                    f"coupled to {other['id']} by history: {together} of the last "
                    f"{len(log)} commits changed files of both"
                )
                break
        if reason:
            held.append({"step": step["id"], "reason": reason})
        else:
            chosen.append(step)
    return chosen, held


def start(run: Run) -> tuple[dict, callable]:
    """Plan the next wave and make its trees: (the wave record, the state change saving it)."""
    if active(run.state):
        wave = active(run.state)
        raise CheckFailed(
            f"wave {wave['n']} ({', '.join(wave['steps'])}) is still running",
            "let its implementers return, then `cc-pack run advance` merges it",
        )
    chosen, held = choose(run)
    n = len(run.state.get("waves") or []) + 1
    wave = {
        "n": n,
        "iteration": run.state["iteration"],
        "steps": [s["id"] for s in chosen],
        "parallel": len(chosen) > 1,
        "held": held,
        "trees": {},
        "branches": {},
        "base": None,
        "status": "active",
        "started_at": now(),
        "ended_at": None,
    }
    if wave["parallel"]:
        base = worktrees.snapshot(run.root, f"cc-pack {run.run_id}: wave {n} base")
        worktrees.keep(run.root, base_ref(run.run_id, n), base)
        wave["base"] = base
        for step in chosen:
            path = worktrees.tree_dir(run.root, run.run_id, step["id"])
            name = worktrees.branch(run.run_id, step["id"])
            if path.exists():
                worktrees.remove_tree(run.root, path)
            worktrees.remove_branch(run.root, name)
            worktrees.add(run.root, path, name, base)
            wave["trees"][step["id"]] = path.relative_to(run.root).as_posix()
            wave["branches"][step["id"]] = name

    def change(state: dict) -> None:
        state.setdefault("waves", []).append(wave)
        for step in state.get("steps") or []:
            if step["id"] in wave["trees"]:
                step["tree"] = wave["trees"][step["id"]]
            if step["id"] in wave["steps"]:
                step["wave"] = n

    return wave, change


def base_ref(run_id: str, n: int) -> str:
    return f"refs/cc-pack/{run_id}/wave-{n}"
