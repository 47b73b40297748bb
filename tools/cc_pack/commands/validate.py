"""``cc-pack validate``: lint agents, skills, commands, hooks and plugin manifests.

Two front ends share ``execute``: ``fast`` reads an ordinary command line without importing
click (``cc_pack.cli`` sends ``cc-pack validate ...`` there first), and the click ``command``
(built on first use) handles the rest: ``--help``, a usage error, a call through the group."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cc_pack.errors import EXIT_CHECK_FAILED, EXIT_OK, InputError, handle_errors

FORMATS = ("text", "json", "sarif")
HELP = {
    "format": "Output format.",
    "select": "Only these codes or prefixes (comma-separated, repeatable); overrides the "
    "config's validate.select.",
    "ignore": "Skip these codes or prefixes (added to the config's validate.ignore).",
    "strict": "Warnings fail the run too (exit 1).",
    "output": "Write the report to this file instead of stdout.",
    "explain": "Print a rule's documentation (`all`: every rule).",
}


def _codes(values) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@handle_errors
def execute(paths, fmt, select, ignore, strict, output, explain) -> None:
    """Lint Claude Code agent packs: PATHS are repos, .claude/ dirs, plugins, marketplaces or
    single files (default: the current directory).

    Exit status: 0 clean (warnings allowed unless --strict), 1 findings, 2 usage or unreadable
    input."""
    from cc_pack.validate import report, rules, run, settings

    if explain:
        if explain.lower() == "all":
            _out(rules.markdown())
        elif explain.upper() in rules.RULES:
            _out(rules.explain(rules.RULES[explain.upper()]) + "\n")
        else:
            raise InputError(
                f"unknown rule code {explain!r}", "see `cc-pack validate --explain all`"
            )
        return
    targets = [Path(p) for p in paths] or [Path(".")]
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
        from cc_pack.output import colour

        rendered = report.text(outcome, base, colour=output is None and colour(sys.stdout))
    if output is not None:
        try:
            Path(output).write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write the report: {exc.strerror}", "check the path", path=str(output)
            ) from None
    else:
        _out(rendered)
    if outcome.files == 0:
        sys.stderr.write(
            f"cc-pack: warning: no Claude Code files found in {', '.join(map(str, targets))}\n"
        )
    failed = outcome.errors or (strict and outcome.warnings)
    sys.exit(EXIT_CHECK_FAILED if failed else EXIT_OK)


_VALUES = {
    "--format": "format",
    "--select": "select",
    "--ignore": "ignore",
    "-o": "output",
    "--output": "output",
    "--explain": "explain",
}


def fast(argv: list[str]) -> int | None:
    """Run ``cc-pack validate ARGV`` when it is an ordinary command line; None when click should
    read it (``--help``, an unknown option, a missing or bad value: click says what is wrong)."""
    found: dict = {"format": "text", "select": [], "ignore": [], "output": None, "explain": None}
    strict = False
    paths: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            paths += argv[i:]
            break
        if not arg.startswith("-") or arg == "-":
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name == "--strict" and not equals:
            strict = True
            continue
        key = _VALUES.get(name)
        if key is None or (not equals and i >= len(argv)):
            return None
        if not equals:
            value, i = argv[i], i + 1
        if key in ("select", "ignore"):
            found[key].append(value)
        else:
            found[key] = value
    output = found["output"]
    if found["format"] not in FORMATS or (output is not None and os.path.isdir(output)):
        return None
    execute(
        paths, found["format"], found["select"], found["ignore"], strict, output, found["explain"]
    )
    return EXIT_OK  # execute exits itself; kept for the type


def _command():
    import click

    @click.command("validate", help=execute.__doc__)
    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help=HELP["format"],
    )
    @click.option("--select", multiple=True, metavar="CODES", help=HELP["select"])
    @click.option("--ignore", multiple=True, metavar="CODES", help=HELP["ignore"])
    @click.option("--strict", is_flag=True, help=HELP["strict"])
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=HELP["output"],
    )
    @click.option("--explain", metavar="CODE", help=HELP["explain"])
    def command(paths, fmt, select, ignore, strict, output, explain):
        execute(paths, fmt, select, ignore, strict, output, explain)

    return command


def __getattr__(name: str):
    if name == "command":  # the click command, for cc_pack.cli's group
        value = globals()["command"] = _command()
        return value
    raise AttributeError(name)
