"""``cc-pack dispatch``: choose the reviewers for the current changes (review phase)."""

from __future__ import annotations

import json

import click

from cc_pack import dispatch as chooser
from cc_pack import gitchanges, handoff, phases
from cc_pack import state as runstate
from cc_pack.errors import CheckFailed, handle_errors
from cc_pack.findings import PLUGIN_PREFIX
from cc_pack.output import json_option
from cc_pack.project import open_project


@click.command("dispatch")
@json_option
@handle_errors
def command(as_json: bool) -> None:
    """Reviewers to run for the changed files, from config dispatch.reviewers and skip."""
    root = open_project()
    run = runstate.load_active(root)
    if run.phase != "review" or run.state["status"] != "active":
        raise CheckFailed(
            f"dispatch runs in the review phase; the run is in phase {run.phase} "
            f"(status {run.state['status']})",
            phases.next_step(run),
        )
    try:
        audit = run.state["audit"]
        changed = gitchanges.run_changes(root, audit["baseline"], audit.get("base_commit"))
    except gitchanges.NotGit as exc:
        raise CheckFailed(f"cannot see the changes: {exc}", "dispatch needs git") from None
    reviewers, counted = chooser.choose(run.config, changed)
    iteration = run.state["iteration"]
    record = {"iteration": iteration, "reviewers": reviewers, "changed_files": changed}

    def change(state: dict) -> None:
        runstate.expect(state, "review", iteration)
        state["dispatch"] = record
        runstate.event(state, "dispatch", reviewers=reviewers)

    runstate.update(run, change)
    handoff.save(run)
    if as_json:
        click.echo(
            json.dumps(
                {
                    **record,
                    "reviewed_files": counted,
                    "plugin_names": [PLUGIN_PREFIX + name for name in reviewers],
                },
                indent=2,
            )
        )
        return
    for name in reviewers:
        click.echo(name)
    if reviewers:
        click.echo(
            f"(installed as a plugin, the agents are named {PLUGIN_PREFIX}<name>, e.g. "
            f"{PLUGIN_PREFIX}{reviewers[0]})",
            err=True,
        )
    else:
        click.echo(
            "no reviewers: every changed file matches dispatch.skip; "
            "`cc-pack run advance` goes on to verify",
            err=True,
        )
    click.echo(f"next: {phases.next_step(run)}", err=True)
