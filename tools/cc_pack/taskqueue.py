"""The task queue: one JSON file per task in ``.claude/cc-pack/queue/<status>/<id>.json``, moved
between the status folders under the queue's lock (``store.locked`` on ``queue/.lock``), so that
any number of ``cc-pack queue run`` processes claim each pending task exactly once.

The queue lives in the run-state directory, which the scope guard and the sandbox keep read-only
to every session: only the human's ``cc-pack queue`` commands, outside Claude Code, write it. A
task's ``scope`` globs are the human's approval in advance (the envelope); ``queue run`` copies
them into the task's run state at ``run start`` and nothing else can put them there.

A task's worktree (``queue/worktrees/<id>``, branch ``cc-pack/queue/<id>``) holds its run; the
task records each attempt (worker and client PIDs, how it ended) and, once settled, the run's
result (status, iterations, tokens, cost, report path).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from cc_pack.errors import InputError, RunStateError
from cc_pack.state import now
from cc_pack_hooks import store

PENDING, ACTIVE, DONE, FAILED, NEEDS_APPROVAL = (
    "pending",
    "active",
    "done",
    "failed",
    "needs-approval",
)
STATUSES = (PENDING, ACTIVE, DONE, FAILED, NEEDS_APPROVAL)
ATTEMPTS = 2  # the first session and one retry in a fresh session from the run's handoff
ID = re.compile(r"t[0-9]+")


def qdir(root: Path) -> Path:
    return Path(store.state_dir(str(root))) / "queue"


def worktree(root: Path, tid: str) -> Path:
    return qdir(root) / "worktrees" / tid


def branch(tid: str) -> str:
    return f"cc-pack/queue/{tid}"


def logs(root: Path, tid: str) -> Path:
    return qdir(root) / "logs" / tid


def _path(root: Path, status: str, tid: str) -> Path:
    return qdir(root) / status / f"{tid}.json"


def _ensure(root: Path) -> Path:
    base = qdir(root)
    for status in STATUSES:
        (base / status).mkdir(parents=True, exist_ok=True)
    return base


class locked(store.locked):
    """The queue's lock: every read-modify-write of a task file, every move."""

    def __init__(self, root: Path):
        super().__init__(str(_ensure(root)))


def _read(path: Path) -> dict:
    try:
        task = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunStateError(
            f"{path}: unreadable queue task ({exc})",
            "move the file out of the queue folder; `cc-pack queue add` queues the task again",
        ) from None
    if not isinstance(task, dict) or not ID.fullmatch(str(task.get("id"))):
        raise RunStateError(f"{path}: not a queue task", "move the file out of the queue folder")
    return task


def _write(root: Path, task: dict) -> None:
    store.write_atomic(str(_path(root, task["status"], task["id"])), json.dumps(task, indent=2))


def _find(root: Path, tid: str) -> Path | None:
    for status in STATUSES:
        path = _path(root, status, tid)
        if path.is_file():
            return path
    return None


def all_tasks(root: Path) -> list[dict]:
    """Every task, in the order they were queued (under the lock: a task being moved is seen
    once, where it ends up)."""
    if not qdir(root).is_dir():
        return []
    found = []
    with locked(root):
        for status in STATUSES:
            folder = qdir(root) / status
            found += [_read(p) for p in folder.glob("t*.json") if ID.fullmatch(p.stem)]
    return sorted(found, key=lambda t: int(t["id"][1:]))


def get(root: Path, tid: str) -> dict:
    with locked(root):
        path = _find(root, tid) if ID.fullmatch(tid) else None
        if path is None:
            raise InputError(f"no queued task {tid}", "`cc-pack queue list` shows the task ids")
        return _read(path)


def add(root: Path, task: str, scope: list[str], max_iterations: int | None,
        budget: int | None, tid: str | None = None) -> dict:  # fmt: skip
    """Queue a task: the next id, or ``tid`` (a CI job keeps the id its matrix exported)."""
    if not task.strip():
        raise InputError("TASK is empty", 'describe the task: `cc-pack queue add "add X"`')
    if tid is not None and not ID.fullmatch(tid):
        raise InputError(f"--id {tid!r} is not a task id", "give an id such as t3")
    with locked(root):
        base = qdir(root)
        counter = base / "next-id"
        number = int(counter.read_text()) if counter.is_file() else 1
        if tid is not None:
            if _find(root, tid) is not None:
                raise InputError(f"task {tid} is already queued", "`cc-pack queue list` shows it")
            number = max(number - 1, int(tid[1:]))
        store.write_atomic(str(counter), str(number + 1))
        record = {
            "id": tid or f"t{number}",
            "task": task,
            "scope": scope,
            "max_iterations": max_iterations,
            "budget": budget,
            "added_at": now(),
            "status": PENDING,
            "attempts": [],
            "run_id": None,
            "result": None,
            "reason": None,
            "wants": None,
        }
        _write(root, record)
    return record


def move(root: Path, tid: str, to: str, change: Callable[[dict], None] | None = None,
         *, only_from: tuple[str, ...] = STATUSES) -> dict:  # fmt: skip
    """Apply ``change`` to the task and move it to status ``to``, under the lock. Refused when
    the task is not in one of ``only_from`` (someone else moved it first)."""
    with locked(root):
        path = _find(root, tid)
        if path is None:
            raise InputError(f"no queued task {tid}", "`cc-pack queue list` shows the task ids")
        task = _read(path)
        if task["status"] not in only_from:
            raise InputError(
                f"task {tid} is {task['status']}, not {' or '.join(only_from)}",
                "`cc-pack queue list` shows where each task stands",
            )
        if change is not None:
            change(task)
        task["status"] = to
        _write(root, task)
        if path != _path(root, to, tid):
            path.unlink()
    return task


def claim(root: Path, worker: int) -> dict | None:
    """The oldest pending task, moved to active for ``worker`` (a PID); None when none is left."""
    with locked(root):
        folder = qdir(root) / PENDING
        ids = sorted((p.stem for p in folder.glob("t*.json") if ID.fullmatch(p.stem)),
                     key=lambda s: int(s[1:]))  # fmt: skip
        if not ids:
            return None
        path = folder / f"{ids[0]}.json"
        task = _read(path)
        task["status"] = ACTIVE
        task["worker"] = worker
        task["worker_start"] = started_at(worker)
        task["claimed_at"] = now()
        _write(root, task)
        path.unlink()
    return task


def update(root: Path, tid: str, change: Callable[[dict], None]) -> dict:
    """Change a task where it is (an attempt's client PID, its end)."""
    with locked(root):
        path = _find(root, tid)
        if path is None:
            raise InputError(f"no queued task {tid}", "`cc-pack queue list` shows the task ids")
        task = _read(path)
        change(task)
        _write(root, task)
    return task


def alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited: it only waits for its parent to reap it
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def started_at(pid: int) -> str | None:
    """The process's start time (``/proc/<pid>/stat`` field 22): a PID is the process we
    recorded only while its start time is still the one we recorded with it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def same_process(pid: object, start: object) -> bool:
    """``pid`` is alive and (when its start time was recorded) still that process."""
    return alive(pid) and (start is None or started_at(pid) == start)


def orphans(root: Path) -> list[dict]:
    """Active tasks whose worker process is gone (killed mid-task; its PID may even have been
    reused since): the caller recovers them."""
    return [
        t
        for t in all_tasks(root)
        if t["status"] == ACTIVE and not same_process(t.get("worker"), t.get("worker_start"))
    ]


def matrix(root: Path) -> dict:
    """The pending tasks as a GitHub Actions job matrix (``strategy.matrix``)."""
    include = [
        {
            "id": t["id"],
            "task": t["task"],
            "scope": "\n".join(t["scope"]),
            "max_iterations": t["max_iterations"] or 0,
            "budget": t["budget"] or 0,
        }
        for t in all_tasks(root)
        if t["status"] == PENDING
    ]
    return {"include": include}
