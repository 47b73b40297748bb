"""``cc-pack init [DIR]``: install the pack into DIR/.claude/ (or take it out with --uninstall)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import click

from cc_pack import install
from cc_pack.errors import CheckFailed, handle_errors

_VERBS = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "unchanged": "ok",
    "conflict": "CONFLICT",
    "merge": "merge",
    "append": "append",
    "remove": "remove",
    "restore": "restore",
    "keep": "keep",
}


def _show(plan: install.Plan, *, verbose: bool) -> None:
    for action in plan.actions:
        if action.kind == "unchanged" and not verbose:
            continue
        detail = f"  ({action.detail})" if action.detail else ""
        click.echo(f"  {_VERBS[action.kind]:<8} {action.path.as_posix()}{detail}")
    unchanged = sum(a.kind == "unchanged" for a in plan.actions)
    if unchanged and not verbose:
        click.echo(f"  {unchanged} file(s) already up to date")
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)


# Machine-local files init writes (git-ignored): a clone that has the pack only gets these.
LOCAL_FILES = {install.LOCAL_SETTINGS, install.local.PATH}


def _git_root(start: Path) -> Path | None:
    done = subprocess.run(
        ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 and done.stdout else None


def _target(directory: Path | None) -> tuple[Path, list[str]]:
    """Where to install, and what to say about it. Claude Code reads ``.claude/`` from the
    directory it is started in, not from a parent (tests/e2e/test_install.py shows it on both
    pinned versions), and a repository is opened at its root: without DIR the pack goes to the
    git root, so that `cc-pack init` typed in src/ does not create src/.claude."""
    if directory is not None:
        target = directory.resolve()
        root = _git_root(target) if target.is_dir() else None
        if root is not None and root != target:
            return target, [
                f"{target} is inside the git repository {root}: Claude Code loads this "
                f".claude/ only when it is started in {target}"
            ]
        return target, []
    here = Path.cwd().resolve()
    root = _git_root(here)
    if root is None or root == here:
        return here, []
    return root, [
        f"installing at the git root {root}, not in {here}: start Claude Code there "
        "(pass a directory, `cc-pack init .`, to install here instead)"
    ]


def _project_notes(target: Path) -> list[str]:
    """What the workflow will run here: the test command, and linters that are not installed
    (the lint hook would otherwise pass every edit without a word)."""
    from cc_pack import config, verify
    from cc_pack.errors import InputError

    try:
        loaded = config.load(target)
    except InputError as exc:
        return [f"{exc.render().removeprefix('cc-pack: error: ')}"]
    notes = []
    if loaded.test_command:
        notes.append(f"tests: `{loaded.test_command}` (test_command in {config.CONFIG_FILE})")
    else:
        detected = verify.detect(target)
        if detected:
            notes.append(
                f"tests: `{shlex.join(detected)}` (detected; set test_command in "
                f"{config.CONFIG_FILE} to change it)"
            )
        else:
            notes.append(
                "tests: none detected (no tests/ or pytest configuration): the verify phase "
                f"fails until you set test_command in {config.CONFIG_FILE}"
            )
    for linter in loaded.lint.linters:
        program = linter.command[0]
        if shutil.which(program) is None and not Path(program).is_file():
            notes.append(
                f"lint: `{program}` (the linter for {linter.glob}) is not installed, so edits "
                f"of those files are not linted: install it (`pipx install {program}`) or "
                f"change lint.linters in {config.CONFIG_FILE}"
            )
    return notes


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=True, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace your files that have the pack's names (yours are backed up).",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--uninstall", is_flag=True, help="Remove exactly what init added.")
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Interpreter this machine's hooks run, recorded in the git-ignored "
    ".claude/cc-pack/local.conf (default: python3 on PATH, a pyenv/asdf shim resolved).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list files that are already up to date.")
@handle_errors
def command(
    directory: Path | None,
    force: bool,
    dry_run: bool,
    uninstall: bool,
    python: str | None,
    verbose: bool,
) -> None:
    """Install the pack into DIRECTORY/.claude/ (default: the root of the git repository you
    are in, else the current directory).

    Agents go to .claude/agents/, skills to .claude/skills/ (type /orchestrate in Claude Code),
    hook scripts to .claude/hooks/cc-pack/, and the hook registrations are merged into
    .claude/settings.json. Your settings, hooks, agents and skills are kept; running it twice
    changes nothing. On a teammate's clone it only writes this machine's git-ignored files."""
    target, where = _target(directory)
    if uninstall:
        plan = install.uninstall_plan(target)
        click.echo(f"cc-pack uninstall {target}{' (dry run)' if dry_run else ''}")
        _show(plan, verbose=verbose)
        if not plan.changes:
            click.echo("nothing to remove")
        if not dry_run:
            install.apply_uninstall(plan)
            if plan.changes:
                click.echo("removed; your runs under .claude/cc-pack/runs/ are kept")
        return

    install.check_target(target)
    interpreter, notes = install.choose_python(python)
    plan = install.plan(target, interpreter, force=force)
    plan.notes[:0] = [*where, *notes]
    click.echo(f"cc-pack init {target}{' (dry run)' if dry_run else ''}")
    _show(plan, verbose=verbose)
    if plan.conflicts:
        install.apply(plan)  # raises CheckFailed naming the conflicts; nothing was written
    for note in _project_notes(target):
        click.echo(f"note: {note}", err=True)
    if dry_run:
        click.echo(f"{len(plan.changes)} change(s) would be made")
        return
    if not plan.changes:
        click.echo("already installed; nothing changed")
        return
    install.apply(plan)
    problems = install.verify(target, interpreter)
    if problems:
        raise CheckFailed(
            "installed hooks do not run:\n  " + "\n  ".join(problems),
            "a missing script means an incomplete cc-pack install (reinstall cc-pack); an "
            "interpreter error is fixed with --python; then run init again",
        )
    if all(a.path in LOCAL_FILES for a in plan.changes):
        click.echo(
            "already installed; wrote this machine's git-ignored files only. "
            "In Claude Code, type: /orchestrate <task>"
        )
        return
    click.echo(
        "installed. Commit it for your team: git add .claude .gitignore && "
        'git commit -m "Add cc-pack"\n'
        "(.claude/cc-pack/ and .claude/settings.local.json stay on this machine, git-ignored)\n"
        f"In Claude Code started in {target}, type: /orchestrate <task>"
    )
