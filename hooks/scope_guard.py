"""Scope guard, PreToolUse on Write|Edit|NotebookEdit|Bash: ``cc_pack_hooks.rules.scope``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import scope

runtime.run(scope)
