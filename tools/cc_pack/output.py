"""How commands print: one spelling for machine-readable output, and when to use colour.

Every command with a machine-readable form takes ``--format json`` (``report`` and ``validate``
also have other formats); ``--json`` is kept as its short form, the spelling the orchestrate
skill and earlier releases use.

Colour: ``NO_COLOR`` (any non-empty value, https://no-color.org) turns it off, ``FORCE_COLOR``
(non-empty, not ``0``) turns it on even when the output is not a terminal; otherwise colour only
on a terminal. ``NO_COLOR`` wins when both are set."""

from __future__ import annotations

import functools
import os


def json_option(func):
    """``--format text|json`` and ``--json``; the command receives ``as_json``."""
    import click  # not at module level: validate's fast path reads ``colour`` without click

    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default=None,
        help="Output format (default: text).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Short for --format json.")
    @functools.wraps(func)
    def wrapper(*args, fmt: str | None = None, as_json: bool = False, **kwargs):
        return func(*args, as_json=as_json or fmt == "json", **kwargs)

    return wrapper


def colour(stream) -> bool:
    """Whether to colour what goes to ``stream``."""
    if os.environ.get("NO_COLOR"):
        return False
    forced = os.environ.get("FORCE_COLOR", "")
    if forced and forced != "0":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
