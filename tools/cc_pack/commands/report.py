"""``cc-pack report``: the active run's report as Markdown, JSON or SARIF 2.1.0."""

from __future__ import annotations

from pathlib import Path

import click

from cc_pack import report as reports
from cc_pack import state as runstate
from cc_pack.errors import handle_errors
from cc_pack.project import open_project
from cc_pack_hooks import store


@click.command("report")
@click.option(
    "--format", "fmt", type=click.Choice(reports.FORMATS), default="md", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Short for --format json.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write to FILE instead of stdout",
)
@handle_errors
def command(fmt: str, as_json: bool, output: Path | None) -> None:
    """Write the run report (a run that has not ended reports its status as active)."""
    fmt = "json" if as_json else fmt
    from cc_pack_hooks import usage

    run = runstate.load_active(open_project())
    usage.collect(run.state)  # the figures up to now; the saved state is left as it is
    text = reports.render(reports.build(run), fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    store.write_atomic(str(output), text)
    click.echo(f"wrote {output}", err=True)
