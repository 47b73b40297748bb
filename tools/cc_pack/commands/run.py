"""``cc-pack run``: start, inspect, record artifacts for, advance, resume and abort a run.

There is deliberately no ``approve``: only the human's ``/orchestrate approve`` prompt, captured
by the UserPromptSubmit hook, approves a plan (or ``--auto-approve`` at start, outside Claude
Code)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from cc_pack import (
    confine,
    costs,
    gitchanges,
    handoff,
    memory,
    phases,
    plan,
    report,
    waves,
    worktrees,
)
from cc_pack import state as runstate
from cc_pack.errors import CheckFailed, InputError, RunStateError, handle_errors
from cc_pack.output import json_option
from cc_pack.project import open_project
from cc_pack_hooks import store


@click.group("run")
def command() -> None:
    """Start, inspect, advance, resume or abort an orchestration run."""


# What Claude Code sets for its Bash tool's commands (facts.md). The scope guard denies the call
# itself in every form it can see; this catches a bare call that reaches the CLI anyway.
SESSION_MARKERS = (
    "CLAUDECODE",
    "CLAUDE_CODE_SESSION_ID",
    "CLAUDE_CODE_ENTRYPOINT",
    "CLAUDE_CODE_EXECPATH",
)


def verify_guards(root: Path) -> None:
    """Refuse to start or advance a run whose guards are not the ones this cc-pack ships (a file
    changed before the run, a module planted beside them, a registration removed)."""
    from cc_pack import install

    problems = install.integrity(root, recompile=True)
    if problems:
        listed = "\n  ".join(problems)
        raise CheckFailed(
            f"the installed guard hooks are not the ones this cc-pack ships:\n  {listed}",
            "the human repairs them with `cc-pack init` in a terminal (it restores the pack's "
            "files; add --force for files it would otherwise keep), then runs the command again",
        )


def pack_missing(root: Path) -> str | None:
    """Why no cc-pack hook would see this run, or None. The hooks come from the drop-in install
    (.claude/hooks/cc-pack/) or from the plugin: enabled in a settings file, or this CLI started
    by the plugin's own launcher (a --plugin-dir session, which leaves no trace in settings).

    A warning, not a refusal: the CLI cannot see every way Claude Code loads a plugin, and the
    run engine also runs headless, driven by scripts; the warning names the fix."""
    from cc_pack import install

    if (root / install.HOOK_DIR).is_dir() or os.environ.get("CC_PACK_PLUGIN_ROOT"):
        return None
    for path in (
        Path.home() / ".claude" / "settings.json",
        root / ".claude" / "settings.json",
        root / ".claude" / "settings.local.json",
    ):
        try:
            enabled = json.loads(path.read_text(encoding="utf-8")).get("enabledPlugins") or {}
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(enabled, dict) and any(
            str(name).startswith("cc-pack@") and on for name, on in enabled.items()
        ):
            return None
    return (
        f"the pack is not installed in {root} (no {install.HOOK_DIR}/) and the cc-pack plugin "
        "is not enabled: no hook enforces this run (approval, scope, reviewers). Install it "
        "with `cc-pack init`, or enable the plugin"
    )


def _inside_claude_code() -> str | None:
    """``NAME=value`` of the first session marker set, or None."""
    for name in SESSION_MARKERS:
        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    return None


@command.command("start")
@click.argument("task")
@click.option(
    "--max-iterations",
    type=click.IntRange(1, 20),
    default=None,
    help="implement/review rounds before the run fails (default: config, 3)",
)
@click.option(
    "--auto-approve",
    is_flag=True,
    help="approve the plan without a human (headless/CI only; refused in Claude Code)",
)
@click.option(
    "--budget",
    type=click.IntRange(1),
    default=None,
    help="tokens the run may use (default: config budget.run_tokens, no limit)",
)
@handle_errors
def start(task: str, max_iterations: int | None, auto_approve: bool, budget: int | None) -> None:
    """Start a run for TASK, make it active (phase research) and print its id."""
    marker = _inside_claude_code() if auto_approve else None
    if marker:
        raise CheckFailed(
            f"--auto-approve is refused inside a Claude Code session ({marker}): "
            "only the human approves a plan",
            "start without it and let the human type `/orchestrate approve`; "
            "headless CI runs `cc-pack run start --auto-approve` outside Claude Code",
        )
    root = open_project(strict=True)
    run, lines = start_run(
        root,
        task,
        max_iterations=max_iterations,
        auto_approve=auto_approve,
        budget=budget,
        session_id=os.environ.get("CLAUDE_CODE_SESSION_ID") or None,
    )
    click.echo(run.run_id)
    for text in lines:
        click.echo(f"cc-pack: {text}", err=True)
    click.echo(f"next: {phases.next_step(run)}", err=True)


def start_run(
    root: Path,
    task: str,
    *,
    max_iterations: int | None,
    auto_approve: bool,
    budget: int | None,
    session_id: str | None,
    envelope: dict | None = None,
) -> tuple[runstate.Run, list[str]]:
    """Create the run (``run start``, and ``cc-pack queue run`` with a task's envelope, which no
    option of this command can give): the run and the lines to tell the human."""
    if not task.strip():
        raise InputError("TASK is empty", 'describe the task: `cc-pack run start "add X"`')
    from cc_pack import config  # pydantic: only `run start` compiles and snapshots the config
    from cc_pack_hooks import usage

    verify_guards(root)
    missing = pack_missing(root)
    compiled = config.sync(root)
    if budget is not None:
        compiled = {**compiled, "budget": {**compiled["budget"], "run_tokens": budget}}
    confinement = confine.decide(root, compiled.get("scope", {}).get("sandbox", "auto"))
    notes = []
    base_commit = gitchanges.head(root)
    try:
        baseline = gitchanges.baseline(root, base_commit)
    except gitchanges.NotGit as exc:
        baseline = {}
        notes.append(
            f"not a git repository ({exc}): the implement gate needs git to audit the change"
        )
    # the run's usage starts with its first phase mark: earlier messages are not the run's
    first: dict = {}
    usage.mark(first, "research", time.time())
    usage.note_session(first, session_id, None, time.time())
    if envelope is not None:
        first["envelope"] = envelope
    run = runstate.create(
        root,
        task=task,
        max_iterations=max_iterations or compiled.get("max_iterations", 3),
        auto_approve=auto_approve,
        config=compiled,
        baseline=baseline,
        base_commit=base_commit,
        session_id=session_id,
        notes=notes,
        sandbox=confinement.record(),
        extra=first,
    )
    if confinement.kind is None and gitchanges.is_git(root):
        from cc_pack_hooks import treebase  # no sandbox: .git/ and ignored files are watched

        treebase.save(str(run.rdir), str(root))
    handoff.save(run)
    lines = [f"warning: {missing}"] if missing else []
    lines += [confinement.line(), *(f"note: {n}" for n in notes)]
    if baseline:
        lines.append(
            f"note: {len(baseline)} file(s) already changed before the run are "
            "its baseline (not counted as its changes)"
        )
    if budget is not None or usage.limited(compiled):
        run_tokens, agent_tokens, warn_at = usage.limits(compiled)
        lines.append(
            f"budget: {run_tokens or 'no'} run tokens, {agent_tokens or 'no'} per agent "
            f"(warning at {warn_at:.0%})"
        )
    return run, lines


@command.command("status")
@json_option
@handle_errors
def status(as_json: bool) -> None:
    """Phase, iteration, next legal step, artifacts, counts: a pasteable handoff summary.

    With no active run it exits 3; with --format json it still prints one object,
    {"active": false, ...}, so that a script always has JSON to parse."""
    root = open_project()
    try:
        run = runstate.load_active(root)
    except RunStateError as exc:
        if not as_json:
            raise
        click.echo(
            json.dumps({"active": False, "run_id": None, "error": exc.message, "fix": exc.fix})
        )
        sys.exit(exc.exit_code)
    from cc_pack_hooks import usage

    usage.collect(run.state)  # the running total; saved by the next `run advance`
    info = handoff.summary(run)
    click.echo(json.dumps({"active": True, **info}, indent=2) if as_json else handoff.render(info))


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            "no such file", "pass an existing file or `-` for stdin", path=source
        ) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", "save it as UTF-8", path=source) from None
    except IsADirectoryError:
        raise InputError("is a directory", "pass the artifact file", path=source) from None


@command.command("wave")
@json_option
@handle_errors
def wave_command(as_json: bool) -> None:
    """Start the next wave of plan steps: the first ready step alone in the main tree, or
    ready parallel steps together, each in its own git tree and branch.

    Parallel steps share a wave only when their files are disjoint and recent history does
    not couple them (plan.history_commits, plan.coupling_commits); the ones held back and why
    are listed. `cc-pack run advance` merges a parallel wave once its implementers returned."""
    root = open_project()
    run = runstate.load_active(root)
    if store.is_final(run.state) or run.phase != "implement":
        raise CheckFailed(
            f"waves run in the implement phase; the run is in {run.phase} "
            f"(status {run.state['status']})",
            phases.next_step(run),
        )
    try:
        wave, change = waves.start(run)
    except worktrees.GitFailed as exc:
        raise CheckFailed(
            f"could not make the wave's trees: {exc}", "fix git, then retry"
        ) from None
    runstate.update(run, change)
    handoff.save(run)
    packets = [
        {
            "step": sid,
            "tree": str(root / wave["trees"][sid]) if sid in wave["trees"] else None,
            "packet": f"steps: {sid}"
            + (f"\ntree: {root / wave['trees'][sid]}" if sid in wave["trees"] else ""),
        }
        for sid in wave["steps"]
    ]
    if as_json:
        click.echo(json.dumps({**wave, "packets": packets}, indent=2))
        return
    kind = "in parallel, each in its own tree" if wave["parallel"] else "in the main tree"
    click.echo(f"wave {wave['n']}: {', '.join(wave['steps'])} ({kind})")
    for item in packets:
        where = f" in {item['tree']} (branch {wave['branches'][item['step']]})" if item[
            "tree"] else ""  # fmt: skip
        click.echo(f"  {item['step']}{where}: packet lines `{item['packet']!r}`")
    for item in wave["held"]:
        click.echo(f"  held back: {item['step']} ({item['reason']})")
    click.echo(
        "next: spawn one implementer per step, all in one message; when they returned, "
        "`cc-pack run advance`"
    )


@command.command("watch")
@click.option("--once", is_flag=True, help="print one frame and exit (also when not a terminal)")
@click.option("--interval", type=click.FloatRange(0.2, 60), default=2.0, show_default=True,
              help="seconds between frames")  # fmt: skip
@handle_errors
def watch_command(once: bool, interval: float) -> None:
    """Watch the run: phase, each step with its owner, status and `git diff --stat` in its
    tree, the last hook decision per agent, elapsed time. Ctrl-C stops."""
    from cc_pack import watch

    root = open_project()
    watch.loop(root, once=once or not sys.stdout.isatty(), interval=interval)


@command.command("handoff")
@handle_errors
def handoff_command() -> None:
    """Print the handoff: task, phase, steps done and remaining, decisions, gotchas, next step.

    The same text is kept in the run dir as handoff.md, rewritten at every phase change; a
    session that starts, resumes or is compacted is pointed at it by the SessionStart hook."""
    run = runstate.load_active(open_project())
    handoff.save(run)
    click.echo(handoff.document(run).split("\n", 1)[1], nl=False)


@command.command("record")
@click.argument("kind", type=click.Choice(["research", "plan"]))
@click.argument("source", metavar="FILE|-")
@handle_errors
def record(kind: str, source: str) -> None:
    """Save a phase artifact (research.md, or plan.md with its plan.json) into the run dir.

    FILE is a Markdown file (a plan may also be the bare JSON); `-` reads stdin. Inside a
    Claude Code session use stdin, as a heredoc: before implement the scope guard lets the
    session write no file.

    \b
      cc-pack run record plan plan.md
      cc-pack run record research - <<'CC_PACK_ARTIFACT'
      ...
      CC_PACK_ARTIFACT
    """
    root = open_project()
    run = runstate.load_active(root)
    if store.is_final(run.state) or run.phase != kind:
        raise CheckFailed(
            f"{kind} can be recorded only in the {kind} phase; the run is in phase {run.phase} "
            f"(status {run.state['status']})",
            phases.next_step(run),
        )
    text = _read_source(source)
    label = "stdin" if source == "-" else source
    written = []
    if kind == "research":
        if not text.strip():
            raise InputError("is empty", "write the research first", path=label)
        store.write_atomic(str(run.path("research.md")), text)
        written.append("research.md")
        parsed = None
    else:
        parsed = plan.parse(text, label, root)
        markdown = (
            text
            if not text.lstrip().startswith("{")
            else ("# Plan\n\n```json\n" + json.dumps(parsed, indent=2) + "\n```\n")
        )
        store.write_atomic(str(run.path("plan.md")), markdown)
        store.write_atomic(str(run.path("plan.json")), json.dumps(parsed, indent=2) + "\n")
        written += ["plan.md", "plan.json"]
    runstate.crashpoint("record-artifact-written")
    phase, iteration = run.phase, run.state["iteration"]

    def change(state: dict) -> None:
        runstate.expect(state, phase, iteration)
        if parsed is not None:
            state["plan"] = parsed
        runstate.event(state, "record", artifact=written[0])

    runstate.update(run, change)
    handoff.save(run)
    for name in written:
        click.echo(f"recorded {name}: {run.rel(name)}")
    if parsed is not None:
        problems = plan.check(parsed)
        steps = len(parsed["steps"])
        click.echo(
            f"plan: {steps} step(s), {len(plan.files(parsed))} file(s)"
            + (f"; the gate will refuse it: {len(problems)} problem(s)" if problems else "")
        )
        for problem in problems:
            click.echo(f"  - {problem}")
    click.echo(f"next: {phases.next_step(run)}")


@command.command("advance")
@json_option
@handle_errors
def advance(as_json: bool) -> None:
    """Check the current phase's gate: move on, or exit 1 saying exactly what is missing."""
    root = open_project()
    run = runstate.load_active(root)
    verify_guards(root)
    before = run.phase
    warning = costs.tally(run)
    step = costs.budget_gate(run) or phases.gate(run)
    if warning:
        step.notes.append(warning)
    if step.ok and step.change is not None:
        moved = step.change

        def change(state: dict) -> None:
            moved(state)
            costs.after_change(state, before)

        runstate.update(run, change)
        runstate.crashpoint("advance-state-written")
        if store.is_final(run.state):
            report.write_all(run)
        if run.state["status"] == "PASS":
            written = memory.append(run)
            if written:
                step.notes.append(f"the run's decisions are appended to {written}")
    else:
        refusal = {"phase": before, "at": runstate.now(), "problems": step.problems}

        def refused(state: dict) -> None:
            if step.record is not None:
                step.record(state)
            state["last_refusal"] = refusal

        runstate.update(run, refused)
    handoff.save(run)
    failed = not step.ok or run.state["status"] == "FAIL"
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": step.ok,
                    "from": before,
                    "to": run.phase if step.ok else before,
                    "status": run.state["status"],
                    "iteration": run.state["iteration"],
                    "problems": step.problems,
                    "notes": step.notes,
                    "message": step.message,
                    "next": phases.next_step(run),
                },
                indent=2,
            )
        )
        if failed:
            sys.exit(1)
        return
    for note in step.notes:
        click.echo(f"cc-pack: note: {note}", err=True)
    if not step.ok:
        listed = "\n".join(f"  - {p}" for p in step.problems)
        raise CheckFailed(f"the {before} gate did not pass:\n{listed}", phases.retry_hint(run))
    click.echo(f"{before} -> {run.phase}: {step.message}")
    click.echo(f"next: {phases.next_step(run)}")
    if failed:
        sys.exit(1)


@command.command("resume")
@click.option(
    "--from-backup",
    is_flag=True,
    help="replace a corrupt state.json by state.prev.json (after validating it); refused while "
    "state.json is sound",
)
@handle_errors
def resume(from_backup: bool) -> None:
    """Check the saved state after a crash or in a new session and print where the run is."""
    root = open_project()
    run = runstate.restore_backup(root) if from_backup else runstate.load_active(root)
    repaired = [
        f"removed {p} (left by a killed writer)" for p in runstate.clean_temp_files(run.rdir)
    ]
    stored_plan = run.path("plan.json")
    if run.phase == "plan" and stored_plan.is_file():
        try:
            on_disk = plan.parse(stored_plan.read_text(encoding="utf-8"), str(stored_plan), root)
        except InputError:
            on_disk = None
        if on_disk is not None and on_disk != run.state["plan"]:
            repaired.append("plan.json was written but not yet in the state: taken over")
    else:
        on_disk = None
    session = os.environ.get("CLAUDE_CODE_SESSION_ID") or None
    from cc_pack_hooks import usage

    def change(state: dict) -> None:
        if on_disk is not None and state["phase"] == "plan":
            state["plan"] = on_disk
        # a new session drives the run now; null lets its first hook event claim it
        state["session_id"] = session
        usage.note_session(state, session, None, time.time())
        runstate.event(state, "resume", from_backup=from_backup, repaired=repaired)

    runstate.update(run, change)
    if store.is_final(run.state) and not run.path("report.json").exists():
        report.write_all(run)
        repaired.append("report files written")
    if from_backup:
        click.echo(
            f"restored {run.rel('state.json')} from state.prev.json "
            "(the broken file is kept beside it as state.broken-*.json)"
        )
    handoff.save(run)
    for item in repaired:
        click.echo(f"repaired: {item}")
    click.echo(handoff.render(handoff.summary(run)))


@command.command("abort")
@handle_errors
def abort() -> None:
    """End the active run: marked aborted, no longer active, its files kept."""
    root = open_project()
    try:
        rdir = runstate.active_dir(root)
    except store.StateError as exc:
        runstate.clear_active(root, None)
        click.echo(f"cleared the unreadable active pointer ({exc.problem})")
        return
    if rdir is None:
        raise RunStateError("no active run to abort", "start one with `cc-pack run start TASK`")
    try:
        run = runstate.Run(root, rdir, runstate.load(rdir))
    except (RunStateError, store.StateError) as exc:
        runstate.clear_active(root, rdir.name)
        problem = exc.message if isinstance(exc, RunStateError) else exc.problem
        click.echo(
            f"run {rdir.name}: its state is unreadable ({problem}); it is no longer "
            f"active and its files stay in {os.path.relpath(rdir, root)}"
        )
        return

    def change(state: dict) -> None:
        if not store.is_final(state):
            state["status"] = "aborted"
            costs.after_change(state, state["phase"])
        runstate.event(state, "abort")

    runstate.update(run, change)
    runstate.clear_active(root, run.run_id)
    click.echo(
        f"run {run.run_id} {run.state['status']}; no run is active; its files stay in "
        f"{run.rel('.')}"
    )
    # The step trees hold the implementers' unmerged work: kept, never removed behind the
    # human's back, but named with the commands that remove them.
    left = handoff.trees(run)
    if left:
        click.echo("its step trees are kept: " + ", ".join(left["paths"]))
        click.echo("remove them with:\n" + "\n".join(f"  {c}" for c in left["remove"]))
