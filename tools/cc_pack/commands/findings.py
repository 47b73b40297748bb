"""``cc-pack findings``: add a reviewer contract by hand, aggregate the current iteration's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cc_pack import findings as contracts
from cc_pack import phases
from cc_pack import state as runstate
from cc_pack.commands.run import _inside_claude_code
from cc_pack.errors import CheckFailed, InputError, handle_errors
from cc_pack.output import json_option
from cc_pack.project import open_project


@click.group("findings")
def command() -> None:
    """Add reviewer contracts and aggregate their findings."""


@command.command("add")
@click.argument("source", metavar="FILE|-")
@handle_errors
def add(source: str) -> None:
    """Validate a findings contract and store it for the current iteration (the human's own
    review: refused inside Claude Code, where only dispatched reviewers deliver contracts)."""
    marker = _inside_claude_code()
    if marker:
        raise CheckFailed(
            f"findings add is refused inside a Claude Code session ({marker}): a session's "
            "contracts come only from the reviewers it dispatched",
            "spawn the dispatched reviewer (its final message is the contract); a human adds "
            "a review of their own with `cc-pack findings add FILE` in a terminal",
        )
    root = open_project()
    run = runstate.load_active(root)
    if run.phase != "review" or run.state["status"] != "active":
        raise CheckFailed(
            f"findings can be added in the review phase; the run is in phase {run.phase} "
            f"(status {run.state['status']})",
            phases.next_step(run),
        )
    label = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", "pass the contract file or `-`", path=label) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", "save it as UTF-8", path=label) from None
    contract = contracts.parse_contract(text, label)
    iteration = run.state["iteration"]
    target = contracts.store_manual(run.rdir, contract, iteration)
    runstate.crashpoint("findings-written")

    def change(state: dict) -> None:
        runstate.event(state, "findings-add", agent_id=target.stem, iteration=iteration)

    runstate.update(run, change)
    click.echo(
        f"stored {run.rel('findings/' + target.name)} "
        f"({len(contract['findings'])} finding(s) from {contract['reviewer']})"
    )


@command.command("aggregate")
@json_option
@handle_errors
def aggregate(as_json: bool) -> None:
    """Merge the current iteration's findings: dedup, highest severity, sorted, counted."""
    run = runstate.load_active(open_project())
    iteration = run.state["iteration"]
    result = contracts.aggregate(
        contracts.for_iteration(contracts.load_records(run.rdir), iteration), iteration
    )
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for finding in result["findings"]:
        click.echo(contracts.render_line(finding))
    for bad in result["invalid"]:
        click.echo(
            f"invalid contract {bad['agent_id']} ({bad['agent_type']}): "
            + "; ".join(bad["errors"]),
            err=True,
        )
    counts = result["counts"]
    click.echo(
        f"iteration {iteration}: "
        + ", ".join(f"{counts[s]} {s}" for s in contracts.SEVERITIES)
        + f" from {', '.join(result['reviewers']) or 'no reviewer'}"
    )
