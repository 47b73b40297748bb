"""The ``cc-pack`` command line. One module per subcommand in ``cc_pack.commands``, imported
only when that subcommand runs, so ``cc-pack scope check`` does not pay for validate's imports.

``cc-pack validate`` is what pre-commit and CI run on every change, and start-up is most of its
time: an ordinary ``validate`` call runs without importing click at all (``main`` hands the
group anything else: other commands, ``--help``, a usage error)."""

from __future__ import annotations

import importlib
import sys

from cc_pack import __version__

# name -> (module in cc_pack.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Install the pack into a repository's .claude/ (or --uninstall it)."),
    "run": ("run", "Start, inspect, advance, resume or abort an orchestration run."),
    "scope": ("scope", "Set, show, check and audit the files the run may change."),
    "dispatch": ("dispatch", "Choose the reviewers for the current changes."),
    "findings": ("findings", "Add reviewer contracts and aggregate their findings."),
    "queue": ("queue", "Queue tasks with an approved scope, run them headless, collect results."),
    "report": ("report", "Write the run report as Markdown, JSON or SARIF."),
    "validate": ("validate", "Lint agents, skills, commands, hooks and plugin manifests."),
}


def _build():
    import click

    class LazyGroup(click.Group):
        def list_commands(self, ctx):
            return sorted(COMMANDS)

        def get_command(self, ctx, name):
            if name not in COMMANDS:
                return None
            module = importlib.import_module(f"cc_pack.commands.{COMMANDS[name][0]}")
            return module.command

        def format_commands(self, ctx, formatter):
            rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, "-V", "--version", prog_name="cc-pack")
    def main() -> None:
        """cc-pack: phased orchestration for Claude Code, enforced by hooks and saved run state."""

    return main


class _Main:
    """The entry point: the click group, built on first use, with ``validate``'s fast path."""

    _group = None

    @property
    def group(self):
        if _Main._group is None:
            _Main._group = _build()
        return _Main._group

    def __call__(self, args=None, prog_name=None, **extra):
        argv = sys.argv[1:] if args is None else list(args)
        if argv[:1] == ["validate"] and not extra:
            from cc_pack.commands.validate import fast

            code = fast(argv[1:])
            if code is not None:
                sys.exit(code)
        return self.group(args, prog_name=prog_name, **extra)

    def __getattr__(self, name):
        return getattr(self.group, name)


main = _Main()
