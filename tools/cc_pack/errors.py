"""Every error the CLI reports, and the one handler that maps them to exit codes.

Exit codes (the README documents them):
  0  success
  1  a check did not pass: a gate refused, validate found problems, a path is outside the
     scope, init met a conflicting file
  2  usage or bad input: wrong arguments, a file that is missing or malformed
  3  run-state problem: no active run, a corrupt or unknown-version state.json
  4  the filesystem refused: a directory that is not writable, a failed write
  5  `queue run` only: no task failed, but one waits for the human's approval
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps


def _stderr(text: str) -> None:
    """What click.echo(text, err=True) did, without importing click (validate's fast path)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_STATE = 3
EXIT_IO = 4


class CcPackError(Exception):
    """An error with a message for the user and, where there is one, the fix."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        fix: str | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.path = path
        self.line = line

    def render(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"cc-pack: error: {where}{self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class CheckFailed(CcPackError):
    exit_code = EXIT_CHECK_FAILED


class InputError(CcPackError):
    exit_code = EXIT_USAGE


class RunStateError(CcPackError):
    exit_code = EXIT_STATE


class FilesystemError(CcPackError):
    exit_code = EXIT_IO


def handle_errors(func: Callable) -> Callable:
    """Turn cc-pack's exceptions (and OS errors) into one message on stderr and an exit code.

    A traceback is a bug: unexpected exceptions still end as one line naming the exception, with
    the full traceback only when CC_PACK_DEBUG is set."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from cc_pack_hooks.store import StateError

        try:
            return func(*args, **kwargs)
        except CcPackError as exc:
            _stderr(exc.render())
            sys.exit(exc.exit_code)
        except StateError as exc:
            _stderr(f"cc-pack: error: {exc.path}: {exc.problem}\n  fix: {exc.fix}")
            sys.exit(EXIT_STATE)
        except PermissionError as exc:
            _stderr(f"cc-pack: error: {exc.filename}: permission denied")
            sys.exit(EXIT_IO)
        except OSError as exc:
            name = f"{exc.filename}: " if exc.filename else ""
            _stderr(f"cc-pack: error: {name}{exc.strerror or exc}")
            sys.exit(EXIT_IO)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:
            import os

            if os.environ.get("CC_PACK_DEBUG"):
                raise
            _stderr(
                f"cc-pack: internal error: {type(exc).__name__}: {exc}\n"
                "  fix: rerun with CC_PACK_DEBUG=1 for the traceback and report it"
            )
            sys.exit(70)

    return wrapper
