"""``cc-pack queue run``: workers that take pending tasks, give each its own git worktree and
branch, start its run there (with the task's envelope) and drive it with headless Claude Code
(``claude -p "/orchestrate status"``), watch the client's health, and settle the task from the
run's end state.

Health is liveness *and* progress: a client whose hook decision log, stream-json output and
transcripts have not grown for ``queue.stall_seconds`` is stopped by its process group and the
task tried once more in a fresh session (``/orchestrate resume``: the SessionStart hook hands it
the run's handoff). A second failed session fails the task with both reasons. A task whose worker
was killed (kill -9) is found by the next ``queue run`` (its worker PID is gone), its client is
stopped if it still runs, and that session counts as one failed attempt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cc_pack import settings as settings_mod
from cc_pack import taskqueue as tq
from cc_pack.errors import CcPackError, InputError
from cc_pack.state import now
from cc_pack_hooks import store, usage

MARKERS = ("CLAUDECODE", "CLAUDE_CODE_SESSION_ID", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_EXECPATH")
FIRST_PROMPT = "/orchestrate status"  # the run exists: the skill reads it and carries on
RETRY_PROMPT = "/orchestrate resume"  # a fresh session takes the run over, from its handoff


@dataclass
class Settings:
    claude: str
    permission_mode: str
    stall_seconds: float
    poll: float = 0.5


def settings(root: Path, claude: str | None, stall: float | None) -> Settings:
    """The client binary (``--claude``, else config ``queue.claude``, else ``claude`` on PATH)
    and the health settings."""
    from cc_pack import config
    from cc_pack_hooks import roles

    compiled = config.sync(root)  # roles.setting: the defaults where an older compile lacks them
    wanted = claude or roles.setting(compiled, "queue.claude") or "claude"
    found = shutil.which(wanted) if os.sep not in wanted else wanted
    if not found or not os.access(found, os.X_OK):
        raise InputError(
            f"Claude Code binary not found: {wanted}",
            "install Claude Code, or name its path with `--claude PATH` or `queue.claude` in "
            ".claude/cc-pack.yaml",
        )
    return Settings(
        str(Path(found).resolve()),
        roles.setting(compiled, "queue.permission_mode"),
        float(stall if stall is not None else roles.setting(compiled, "queue.stall_seconds")),
    )


# --- the task's worktree and run ----------------------------------------------------------------


def prepare(root: Path, task: dict) -> Path:
    """The task's worktree on its branch (made from HEAD the first time, reused after). Its git
    runs with the repository's own code off, as the step trees' does (``worktrees.run_git``).

    It lives in the run-state dir, not beside the step trees in ``.claude/worktrees``: there a
    session in the main checkout could write the task's run state, envelope included; here
    every session of the main checkout finds it read-only."""
    from cc_pack import worktrees

    wt = tq.worktree(root, task["id"])
    if (wt / ".git").exists():
        return wt
    wt.parent.mkdir(parents=True, exist_ok=True)
    name = tq.branch(task["id"])
    have = worktrees.run_git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}",
                             check=False)  # fmt: skip
    args = [str(wt), name] if have.returncode == 0 else ["-b", name, str(wt), "HEAD"]
    try:
        worktrees.run_git(root, "worktree", "prune")
        worktrees.run_git(root, "worktree", "add", "--quiet", *args)
    except worktrees.GitFailed as exc:
        raise CcPackError(
            f"the worktree of task {task['id']}: {exc}",
            "queue tasks in a git repository with at least one commit",
        ) from None
    wire(wt)
    return wt


def wire(wt: Path) -> None:
    """``cc-pack init`` in the new worktree: the machine-local part of the install (the
    interpreters, the Bash sandbox's CLAUDE_CODE_SHELL_PREFIX in settings.local.json) is
    git-ignored, so a fresh checkout lacks it and ``run start`` would refuse."""
    from cc_pack import install

    if not (wt / install.HOOK_DIR).is_dir():
        # no guards would run: a headless session without them is not cc-pack's to start
        raise CcPackError(
            f"the pack's hooks are not in the commit the worktree checked out ({install.HOOK_DIR} "
            "is missing there)",
            "run `cc-pack init` in the repository, commit .claude/ and .gitignore, then "
            "`cc-pack queue retry` the task (the queue drives the drop-in install, not a plugin)",
        )
    interpreter, _ = install.choose_python(None)
    plan = install.plan(wt, interpreter, force=False)
    install.apply(plan)  # refuses (CheckFailed, naming them) when the checkout's pack conflicts


def open_run(wt: Path, task: dict):
    """The task's run in its worktree: the one it started, while unfinished; else a new one
    with the task's envelope (``run start`` as the human's command, outside Claude Code)."""
    from cc_pack import state as runstate
    from cc_pack.commands.run import start_run

    if task.get("run_id"):
        rdir = Path(store.run_dir(str(wt), task["run_id"]))
        if (rdir / "state.json").is_file():
            run = runstate.Run(wt, rdir, runstate.load(rdir))
            if not store.is_final(run.state):
                return run
    run, _ = start_run(
        wt,
        task["task"],
        max_iterations=task.get("max_iterations"),
        auto_approve=False,
        budget=task.get("budget"),
        session_id=None,
        envelope={"task": task["id"], "globs": list(task.get("scope") or [])},
    )
    return run


# --- the client ---------------------------------------------------------------------------------


def _slug(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", str(path))


def progress(wt: Path, logdir: Path, attempt: int) -> tuple:
    """What grows while a client works: its output, its hooks' decision log, its transcripts."""
    sizes = []
    for name in (f"client-{attempt}.jsonl", f"hooks-{attempt}.jsonl"):
        try:
            sizes.append((logdir / name).stat().st_size)
        except OSError:
            sizes.append(-1)
    projects = Path(usage.config_dir()) / "projects"
    slug = _slug(wt.resolve())
    for folder in projects.glob(f"{slug}*") if projects.is_dir() else ():
        for path in folder.rglob("*.jsonl"):
            with contextlib.suppress(OSError):
                sizes.append((str(path), path.stat().st_size))
    return tuple(sizes)


def stop(pid: int, start: str | None) -> bool:
    """Stop a client and everything in its process group (it was started in a session of its
    own); only the process we started, checked by its start time."""
    if not tq.same_process(pid, start):
        return not tq.alive(pid)
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and tq.alive(pid):
            time.sleep(0.05)
        if not tq.alive(pid):
            return True
    return not tq.alive(pid)


def shell_prefix(wt: Path) -> str | None:
    """The worktree's own Bash sandbox wiring (``wire`` wrote it), or None."""
    from cc_pack import install

    path = wt / install.LOCAL_SETTINGS
    try:
        return settings_mod.prefix_of(settings_mod.parse(path, path.read_text(encoding="utf-8")))
    except (OSError, CcPackError):
        return None


def launch(cfg: Settings, wt: Path, logdir: Path, attempt: int, prompt: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in MARKERS}
    env["CC_PACK_LOG"] = str(logdir / f"hooks-{attempt}.jsonl")  # every hook event: progress
    env.pop("CLAUDE_PROJECT_DIR", None)
    argv = [cfg.claude, "-p", prompt, "--output-format", "stream-json", "--verbose",
            "--permission-mode", cfg.permission_mode]  # fmt: skip
    prefix = shell_prefix(wt)
    if prefix:
        # 2.1.330 applies the main checkout's settings.local.json to a session in a linked
        # worktree (its Bash sandbox, for the wrong project); --settings wins on both versions
        # (tests/e2e/test_facts_queue.py replays it)
        argv += ["--settings", json.dumps({"env": {settings_mod.PREFIX_KEY: prefix}})]
    with (
        (logdir / f"client-{attempt}.jsonl").open("wb") as out,
        (logdir / f"client-{attempt}.err").open("wb") as err,
    ):
        return subprocess.Popen(
            argv, cwd=wt, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True,
        )  # fmt: skip


def watch(proc: subprocess.Popen, cfg: Settings, wt: Path, logdir: Path, attempt: int) -> str:
    """Wait for the client: ``exited``, or ``stalled`` (alive, no progress for stall_seconds)."""
    seen = progress(wt, logdir, attempt)
    last = time.monotonic()
    while proc.poll() is None:
        time.sleep(cfg.poll)
        mark = progress(wt, logdir, attempt)
        if mark != seen:
            seen, last = mark, time.monotonic()
        elif time.monotonic() - last >= cfg.stall_seconds:
            return "stalled"
    return "exited"


# --- settling -----------------------------------------------------------------------------------


def result_of(run) -> dict:
    from cc_pack import costs

    spent = usage.total(run.state)["tokens"]
    report = run.path("report.json")
    return {
        "run_id": run.run_id,
        "status": run.state["status"],
        "phase": run.state["phase"],
        "iterations": run.state["iteration"],
        "tokens": spent,
        "cost_usd": costs.cost(run.state)["usd"],
        "report": str(report) if report.exists() else None,
    }


def settle(run) -> tuple[str | None, dict]:
    """Where the run leaves the task (None: the session ended with the run unfinished) and what
    the task records: its result, the reason, the plan and scope a needs-approval task wants."""
    from cc_pack import report as reports
    from cc_pack import state as runstate

    runstate.update(run, lambda s: usage.collect(s))  # the tokens up to now, saved
    state = run.state
    info: dict = {"result": result_of(run), "reason": None, "wants": None}
    if state["status"] == "PASS":
        return tq.DONE, info
    if store.is_final(state):
        if not run.path("report.json").exists():
            reports.write_all(run)
            info["result"] = result_of(run)
        failures = state.get("failures") or []
        why = failures[-1].get("class") if failures else None
        blocker = (state.get("blockers") or [{}])[0].get("message")
        info["reason"] = (
            f"the run ended {state['status']}"
            + (f" ({why})" if why else "")
            + (f": {blocker}" if blocker else "")
        )
        return tq.FAILED, info
    approval = state["approval"]
    if state["phase"] == "approval" and approval["status"] == "pending":
        info["wants"] = {
            "scope": state["scope"]["patterns"],
            "outside": approval.get("outside") or state["scope"]["patterns"],
            "plan": str(run.path("plan.md")) if run.path("plan.md").exists() else None,
        }
        info["reason"] = "the plan reaches outside the envelope: " + ", ".join(
            info["wants"]["outside"]
        )
        return tq.NEEDS_APPROVAL, info
    return None, info


def _attempt_end(task: dict, outcome: str, reason: str | None) -> None:
    task["attempts"][-1].update(ended_at=now(), outcome=outcome, reason=reason)


def work(root: Path, task: dict, cfg: Settings, say: Callable[[str], None]) -> dict:
    """Run one claimed task to its end: done, failed or needs-approval."""
    from cc_pack import state as runstate

    tid = task["id"]
    logdir = tq.logs(root, tid)
    logdir.mkdir(parents=True, exist_ok=True)
    try:
        wt = prepare(root, task)
        run = open_run(wt, task)
    except CcPackError as exc:
        reason = exc.message + (f" (fix: {exc.fix})" if exc.fix else "")
        say(f"{tid}: failed: {reason}")
        return tq.move(root, tid, tq.FAILED, lambda t: t.update(reason=reason))
    tq.update(root, tid, lambda t: t.update(run_id=run.run_id, worktree=str(wt),
                                            branch=tq.branch(tid)))  # fmt: skip
    reasons = [a.get("reason") for a in task["attempts"] if a.get("reason")]
    while len(tq.get(root, tid)["attempts"]) < tq.ATTEMPTS:
        attempt = len(tq.get(root, tid)["attempts"]) + 1
        fresh = attempt > 1 or any(s.get("session") for s in usage.of(run.state)["sessions"])
        prompt = RETRY_PROMPT if fresh else FIRST_PROMPT
        proc = launch(cfg, wt, logdir, attempt, prompt)
        record = {"n": attempt, "prompt": prompt, "client_pid": proc.pid,
                  "client_start": tq.started_at(proc.pid), "started_at": now()}  # fmt: skip
        tq.update(root, tid, lambda t, r=record: t["attempts"].append(r))
        say(f"{tid}: attempt {attempt}: {prompt} (client pid {proc.pid})")
        how = watch(proc, cfg, wt, logdir, attempt)
        if how == "stalled":
            stop(proc.pid, record["client_start"])
            proc.wait()
            reason = (
                f"no progress for {cfg.stall_seconds:g}s (no hook event, no output or "
                "transcript growth): the client was stopped"
            )
            tq.update(root, tid, lambda t, r=reason: _attempt_end(t, "stalled", r))
            reasons.append(f"attempt {attempt}: {reason}")
            say(f"{tid}: {reason}")
            continue
        run = runstate.Run(wt, run.rdir, runstate.load(run.rdir))
        to, info = settle(run)
        if to is not None:
            tq.update(root, tid, lambda t, o=to: _attempt_end(t, o, None))
            say(f"{tid}: {to}" + (f": {info['reason']}" if info["reason"] else ""))
            return tq.move(root, tid, to, lambda t, i=info: t.update(i), only_from=(tq.ACTIVE,))
        reason = (
            f"the session ended (exit code {proc.returncode}) with the run unfinished in phase "
            f"{run.phase}"
        )
        tq.update(root, tid, lambda t, r=reason: _attempt_end(t, "unfinished", r))
        reasons.append(f"attempt {attempt}: {reason}")
        say(f"{tid}: {reason}")
    why = "; ".join(reasons) or "no attempt left"
    run = runstate.Run(wt, run.rdir, runstate.load(run.rdir))
    _, info = settle(run)
    say(f"{tid}: failed after {tq.ATTEMPTS} sessions")
    return tq.move(root, tid, tq.FAILED, lambda t: t.update(info, reason=why))


def recover(root: Path, say: Callable[[str], None]) -> list[str]:
    """Tasks whose worker died mid-task: stop their client if it still runs; the session counts
    as a failed attempt; the task goes back to pending (or failed, with no attempt left)."""
    recovered = []
    for task in tq.orphans(root):
        tid = task["id"]
        last = task["attempts"][-1] if task["attempts"] else None
        if last and not last.get("ended_at"):
            stop(last["client_pid"], last.get("client_start"))
            reason = f"its worker (pid {task.get('worker')}) died mid-task"
            tq.update(root, tid, lambda t, r=reason: _attempt_end(t, "worker died", r))
        left = len(tq.get(root, tid)["attempts"]) < tq.ATTEMPTS
        to = tq.PENDING if left else tq.FAILED
        why = None if left else "its worker died mid-task with no attempt left"
        tq.move(root, tid, to, lambda t, w=why: t.update(worker=None, reason=w))
        say(f"{tid}: recovered from a dead worker: {to}")
        recovered.append(tid)
    return recovered


def run_all(root: Path, cfg: Settings, workers: int, say: Callable[[str], None]) -> None:
    """Recover orphans, then ``workers`` threads take pending tasks until none is left."""
    recover(root, say)
    me = os.getpid()
    lock = threading.Lock()

    def line(text: str) -> None:
        with lock:
            say(text)

    def loop() -> None:
        while True:
            task = tq.claim(root, me)
            if task is None:
                return
            line(f"{task['id']}: active: {task['task']}")
            try:
                work(root, task, cfg, line)
            except Exception as exc:  # one task's bug must not strand the others
                reason = f"internal error: {type(exc).__name__}: {exc}"
                line(f"{task['id']}: failed: {reason}")
                tq.move(root, task["id"], tq.FAILED, lambda t, r=reason: t.update(reason=r))

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
