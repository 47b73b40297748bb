"""Lint after edit hook, PostToolUse on Write|Edit|NotebookEdit: see ``edit_lint``.

Claude Code runs this file as ``python3 -S lint_after_edit.py``; a script run that way is
compiled on every start (only imported modules are cached as .pyc), so it stays this small
and the rules live in ``edit_lint`` (measured: ~2.5 ms, 0.17x of an interpreter start, per call).
"""

import runtime
from edit_lint import decide

__all__ = ["decide"]

if __name__ == "__main__":
    runtime.main(decide, hook="lint-after-edit", on_error="silent")
