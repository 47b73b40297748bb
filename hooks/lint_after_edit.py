"""Lint after edit, PostToolUse on Write|Edit|NotebookEdit: ``cc_pack_hooks.rules.lint``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import lint

runtime.run(lint)
