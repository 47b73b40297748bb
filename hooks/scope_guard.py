"""Scope guard hook, PreToolUse on Write|Edit|NotebookEdit|Bash: see ``write_scope``.

Claude Code runs this file as ``python3 -S scope_guard.py``; a script run that way is
compiled on every start (only imported modules are cached as .pyc), so it stays this small
and the rules live in ``write_scope`` (measured: ~2.5 ms, 0.17x of an interpreter start, per call).
"""

import runtime
from write_scope import decide, decide_and_apply

__all__ = ["decide", "decide_and_apply"]

if __name__ == "__main__":
    runtime.main(decide_and_apply, hook="scope-guard", on_error="deny")
