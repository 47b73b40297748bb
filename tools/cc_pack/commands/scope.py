"""``cc-pack scope``: the files the run may change. Settable only before approval."""

from __future__ import annotations

import json

import click

from cc_pack import gitchanges
from cc_pack import scope as runscope
from cc_pack import state as runstate
from cc_pack.errors import CheckFailed, InputError, handle_errors
from cc_pack.output import json_option
from cc_pack.project import open_project


@click.group("scope")
def command() -> None:
    """Set, show, check and audit the files the run may change."""


@command.command("set")
@click.argument("patterns", nargs=-1, required=True)
@handle_errors
def set_(patterns: tuple[str, ...]) -> None:
    """Replace the hand-set scope patterns (before approval only); the plan adds its files."""
    root = open_project()
    run = runstate.load_active(root)
    runscope.ensure_changeable(run.state)
    cleaned = []
    for pattern in patterns:
        if pattern.startswith("/") or pattern == ".." or pattern.startswith("../"):
            raise InputError(
                f"{pattern!r} is not project-relative",
                "write patterns relative to the project root, e.g. `src/**`",
            )
        cleaned.append(pattern.removeprefix("./"))

    def change(state: dict) -> None:
        runscope.ensure_changeable(state)
        previous = set(state["scope"].get("manual", []))
        kept = [p for p in state["scope"]["patterns"] if p not in previous]
        state["scope"]["manual"] = cleaned
        state["scope"]["patterns"] = list(dict.fromkeys([*cleaned, *kept]))
        runstate.event(state, "scope-set", patterns=cleaned)

    runstate.update(run, change)
    click.echo("scope: " + ", ".join(run.state["scope"]["patterns"]))


@command.command("show")
@json_option
@handle_errors
def show(as_json: bool) -> None:
    """Print the scope patterns and whether they can still change."""
    run = runstate.load_active(open_project())
    info = {
        "patterns": run.state["scope"]["patterns"],
        "frozen": not runscope.can_change(run.state),
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for pattern in info["patterns"]:
        click.echo(pattern)
    if not info["patterns"]:
        click.echo("(no scope yet: the plan's files become the scope)")
    click.echo("frozen (approved)" if info["frozen"] else "open (not yet approved)", err=True)


@command.command("check")
@click.argument("path")
@handle_errors
def check(path: str) -> None:
    """Exit 0 when PATH is inside the scope, 1 when it is not."""
    root = open_project()
    run = runstate.load_active(root)
    rel = runscope.normalise(root, path)
    if rel is None:
        raise CheckFailed(f"{path} is outside the project {root}", "only project files can change")
    if not runscope.inside(run.state["scope"]["patterns"], rel):
        raise CheckFailed(
            f"{rel} is outside the scope ({', '.join(run.state['scope']['patterns']) or 'empty'})",
            "change only files the approved plan names",
        )
    click.echo(f"{rel}: in scope")


@command.command("audit")
@json_option
@handle_errors
def audit(as_json: bool) -> None:
    """The run's changed files (git) outside the scope, and open hook-recorded violations."""
    root = open_project()
    run = runstate.load_active(root)
    try:
        changes, outside, violations = runscope.audit(root, run.state)
    except gitchanges.NotGit as exc:
        raise CheckFailed(f"cannot audit: {exc}", "the audit needs a git repository") from None
    if as_json:
        click.echo(
            json.dumps({"changed": changes, "outside": outside, "violations": violations}, indent=2)
        )
    else:
        for path in outside:
            click.echo(f"{path}: changed outside the scope")
        for item in violations:
            click.echo(
                f"{item['path']}: out-of-scope change recorded by {item['source']} "
                f"at {item['at']} is still there"
            )
        if not outside and not violations:
            click.echo(f"{len(changes)} changed file(s), all inside the scope")
    if outside or violations:
        raise CheckFailed(
            f"{len(outside) + len(violations)} scope problem(s)",
            "put the files back to how they were at `run start`",
        )
