"""``cc-pack init [DIR]``: install the pack into DIR/.claude/ (or take it out with --uninstall)."""

from __future__ import annotations

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


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=True, path_type=Path))
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
    directory: Path, force: bool, dry_run: bool, uninstall: bool, python: str | None, verbose: bool
) -> None:
    """Install the pack into DIRECTORY/.claude/ (default: the current directory).

    Agents go to .claude/agents/, skills to .claude/skills/ (type /orchestrate in Claude Code),
    hook scripts to .claude/hooks/cc-pack/, and the hook registrations are merged into
    .claude/settings.json. Your settings, hooks, agents and skills are kept; running it twice
    changes nothing."""
    target = directory.resolve()
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
    plan.notes[:0] = notes
    click.echo(f"cc-pack init {target}{' (dry run)' if dry_run else ''}")
    _show(plan, verbose=verbose)
    if plan.conflicts:
        install.apply(plan)  # raises CheckFailed naming the conflicts; nothing was written
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
    click.echo("installed. In Claude Code, type: /orchestrate <task>")
