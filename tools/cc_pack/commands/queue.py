"""``cc-pack queue``: a batch of tasks run headless, each in its own worktree and branch, with the
human's approval given in advance as scope globs (the envelope).

``queue run`` exit codes: 0 no task failed or waits (tasks other ``queue run`` processes still
work on do not count); 1 a task failed; 5 none failed but one needs the human's approval
(``queue approve`` / ``queue reject``). The human's commands (add, run, approve, reject, retry)
are refused inside Claude Code, as ``run start --auto-approve`` is.
"""

from __future__ import annotations

import json
import sys

import click

from cc_pack import queuereport
from cc_pack import taskqueue as tq
from cc_pack.errors import CheckFailed, InputError, handle_errors
from cc_pack.output import json_option
from cc_pack.project import open_project

EXIT_NEEDS_APPROVAL = 5  # errors.py lists every exit code


def human_only(what: str) -> None:
    from cc_pack.commands.run import _inside_claude_code

    marker = _inside_claude_code()
    if marker:
        raise CheckFailed(
            f"`cc-pack queue {what}` is the human's command and this is a Claude Code session "
            f"({marker})",
            "run it in your own terminal, outside Claude Code",
        )


@click.group("queue")
def command() -> None:
    """Queue tasks with a scope approved in advance, run them headless, collect the results."""


@command.command("add")
@click.argument("task")
@click.option(
    "--scope",
    "scope",
    multiple=True,
    metavar="GLOB",
    help="files the task may change (repeatable): your approval in advance of any plan inside "
    "them; without it every plan waits for you",
)
@click.option("--max-iterations", type=click.IntRange(1, 20), default=None)
@click.option(
    "--budget", type=click.IntRange(1), default=None, help="tokens the task's run may use"
)
@click.option("--id", "tid", default=None, help="the task id to use (CI: the matrix's id)")
@handle_errors
def add(task: str, scope: tuple[str, ...], max_iterations: int | None, budget: int | None,
        tid: str | None) -> None:  # fmt: skip
    """Queue TASK (pending); prints its id."""
    human_only("add")
    bad = [g for g in scope if not g.strip() or g.startswith("/") or ".." in g.split("/")]
    if bad:
        raise InputError(
            f"--scope {bad[0]!r} is not a glob inside the project",
            "give project-relative globs such as 'src/**' or 'docs/*.md'",
        )
    record = tq.add(open_project(), task, list(scope), max_iterations, budget, tid)
    click.echo(record["id"])


@command.command("list")
@json_option
@handle_errors
def list_(as_json: bool) -> None:
    """Every task with its status, iterations, tokens, cost and report."""
    root = open_project()
    tasks = tq.all_tasks(root)
    if as_json:
        click.echo(json.dumps([queuereport.row(t) for t in tasks], indent=2))
    elif tasks:
        click.echo(queuereport.table(tasks, root))
    else:
        click.echo("the queue is empty: `cc-pack queue add TASK --scope GLOB` queues one")


@command.command("status")
@handle_errors
def status() -> None:
    """How many tasks are in each status, and what the active and waiting ones do."""
    root = open_project()
    tasks = tq.all_tasks(root)
    counts = {s: sum(t["status"] == s for t in tasks) for s in tq.STATUSES}
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items()))
    for task in tasks:
        if task["status"] == tq.ACTIVE:
            alive = (
                "alive"
                if tq.same_process(task.get("worker"), task.get("worker_start"))
                else "dead: `queue run` recovers it"
            )
            click.echo(f"{task['id']}: active, worker {task.get('worker')} ({alive}), "
                       f"attempt {len(task['attempts'])}")  # fmt: skip
        elif task["status"] == tq.NEEDS_APPROVAL:
            wants = task.get("wants") or {}
            click.echo(f"{task['id']}: needs approval: scope {', '.join(wants.get('scope', []))}; "
                       f"plan {wants.get('plan')}")  # fmt: skip


@command.command("run")
@click.option("--workers", type=click.IntRange(1, 32), default=None, help="tasks run at once")
@click.option("--claude", "claude", default=None, help="the Claude Code binary (default: PATH)")
@click.option(
    "--stall-seconds",
    type=click.FloatRange(min=0.1),
    default=None,
    help="stop a client that made no progress for this long (default: config)",
)
@handle_errors
def run(workers: int | None, claude: str | None, stall_seconds: float | None) -> None:
    """Run the pending tasks headless, print the table and write the combined report."""
    from cc_pack import config, queuerun
    from cc_pack_hooks import roles

    human_only("run")
    root = open_project(strict=True)
    cfg = queuerun.settings(root, claude, stall_seconds)
    count = workers or roles.setting(config.sync(root), "queue.workers")
    started = sum(t["status"] == tq.PENDING for t in tq.all_tasks(root))
    click.echo(f"cc-pack queue: {started} pending task(s), {count} worker(s)", err=True)
    queuerun.run_all(root, cfg, count, lambda text: click.echo(f"  {text}", err=True))
    tasks = tq.all_tasks(root)
    click.echo(queuereport.table(tasks, root))
    written = queuereport.write_all(root)
    click.echo(f"combined report: {written['md'].relative_to(root)} (.json, .sarif)", err=True)
    # a task still active here is another `queue run`'s (this one's workers have all finished)
    statuses = {t["status"] for t in tasks}
    if tq.FAILED in statuses:
        sys.exit(1)
    if tq.NEEDS_APPROVAL in statuses:
        sys.exit(EXIT_NEEDS_APPROVAL)


def _waiting_run(root, tid: str):
    from cc_pack import state as runstate
    from cc_pack_hooks import store

    task = tq.get(root, tid)
    if task["status"] != tq.NEEDS_APPROVAL:
        raise InputError(
            f"task {tid} is {task['status']}, not needs-approval",
            "`cc-pack queue list` shows the tasks that wait for you",
        )
    wt = tq.worktree(root, tid)
    rdir = wt / store.STATE_DIR / "runs" / str(task["run_id"])
    run = runstate.Run(wt, rdir, runstate.load(rdir))
    if run.phase != "approval" or run.state["approval"]["status"] != "pending":
        raise CheckFailed(
            f"task {tid}'s run is in phase {run.phase} (approval "
            f"{run.state['approval']['status']}), not waiting for approval",
            f"`cc-pack queue retry {tid}` queues it again",
        )
    return task, run


@command.command("approve")
@click.argument("task_id")
@handle_errors
def approve(task_id: str) -> None:
    """Approve the plan of a needs-approval task (its whole scope) and queue it again."""
    from cc_pack import state as runstate

    human_only("approve")
    root = open_project()
    _, run = _waiting_run(root, task_id)
    scope = list(run.state["scope"]["patterns"])

    def change(state: dict) -> None:
        state["approval"].update(status="approved", by="user", via="queue approve",
                                 at=runstate.now(), scope=scope)  # fmt: skip
        runstate.event(state, "approve", via="queue approve")

    _decide(root, task_id, run, change)
    click.echo(f"{task_id}: approved (scope {', '.join(scope)}); pending: `cc-pack queue run`")


def _decide(root, task_id: str, run, change) -> None:
    """Record the human's decision on the waiting run, then queue the task again."""
    from cc_pack import state as runstate

    runstate.update(run, change)
    tq.move(root, task_id, tq.PENDING, lambda t: t.update(attempts=[], reason=None, wants=None),
            only_from=(tq.NEEDS_APPROVAL,))  # fmt: skip


@command.command("reject")
@click.argument("task_id")
@click.argument("feedback")
@handle_errors
def reject(task_id: str, feedback: str) -> None:
    """Send a needs-approval task's plan back with FEEDBACK and queue it again."""
    from cc_pack import state as runstate

    human_only("reject")
    if not feedback.strip():
        raise InputError("FEEDBACK is empty", "say what the plan must change")
    root = open_project()
    _, run = _waiting_run(root, task_id)

    def change(state: dict) -> None:
        state["approval"].update(status="rejected", by="user", via="queue reject",
                                 at=runstate.now(), feedback=feedback)  # fmt: skip
        runstate.event(state, "reject", via="queue reject")

    _decide(root, task_id, run, change)
    click.echo(f"{task_id}: plan sent back; pending: `cc-pack queue run`")


@command.command("retry")
@click.argument("task_id")
@handle_errors
def retry(task_id: str) -> None:
    """Queue a failed task again (a new run in its worktree and branch, two fresh sessions)."""
    human_only("retry")
    root = open_project()
    tq.move(root, task_id, tq.PENDING, lambda t: t.update(attempts=[], reason=None, wants=None),
            only_from=(tq.FAILED,))  # fmt: skip
    click.echo(f"{task_id}: pending")


@command.command("export")
@click.option(
    "--github-matrix", "github", is_flag=True, required=True,
    help="print the pending tasks as a GitHub Actions job matrix (JSON)",
)  # fmt: skip
@handle_errors
def export(github: bool) -> None:
    """Print the pending tasks for a CI engine (.ci/github/cc-pack-queue.yml runs them)."""
    click.echo(json.dumps(tq.matrix(open_project())))
