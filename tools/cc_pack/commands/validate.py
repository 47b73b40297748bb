"""``cc-pack validate``: lint agents, skills, commands, hooks and plugin manifests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cc_pack.errors import EXIT_CHECK_FAILED, EXIT_OK, InputError, handle_errors


def _codes(values: tuple[str, ...]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these codes or prefixes (comma-separated, repeatable); overrides the "
    "config's validate.select.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Skip these codes or prefixes (added to the config's validate.ignore).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of stdout.",
)
@click.option("--explain", metavar="CODE", help="Print a rule's documentation (`all`: every rule).")
@handle_errors
def command(paths, fmt, select, ignore, strict, output, explain):
    """Lint Claude Code agent packs: PATHS are repos, .claude/ dirs, plugins, marketplaces or
    single files (default: the current directory).

    Exit status: 0 clean (warnings allowed unless --strict), 1 findings, 2 usage or unreadable
    input."""
    from cc_pack.validate import report, rules, run, settings

    if explain:
        if explain.lower() == "all":
            click.echo(rules.markdown(), nl=False)
        elif explain.upper() in rules.RULES:
            click.echo(rules.explain(rules.RULES[explain.upper()]))
        else:
            raise InputError(
                f"unknown rule code {explain!r}", "see `cc-pack validate --explain all`"
            )
        return
    targets = list(paths) or [Path(".")]
    options = settings.load(targets[0])
    if select:
        options.select = _codes(select)
    options.ignore = [*options.ignore, *_codes(ignore)]
    unknown = rules.unknown_selectors(options.select + options.ignore)
    if unknown:
        raise InputError(
            f"unknown rule code or prefix: {', '.join(unknown)}",
            "see `cc-pack validate --explain all` for the codes",
        )
    outcome = run(targets, options)
    base = Path.cwd()
    if fmt == "json":
        rendered = report.as_json(outcome, base)
    elif fmt == "sarif":
        rendered = report.sarif(outcome, base, rules.RULES)
    else:
        stream_tty = output is None and sys.stdout.isatty()
        rendered = report.text(outcome, base, colour=stream_tty and not os.environ.get("NO_COLOR"))
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write the report: {exc.strerror}", "check the path", path=str(output)
            ) from None
    else:
        click.echo(rendered, nl=False)
    if outcome.files == 0:
        click.echo(
            f"cc-pack: warning: no Claude Code files found in {', '.join(map(str, targets))}",
            err=True,
        )
    failed = outcome.errors or (strict and outcome.warnings)
    sys.exit(EXIT_CHECK_FAILED if failed else EXIT_OK)
