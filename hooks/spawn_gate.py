"""Spawn gate, PreToolUse on Agent|Task: rules in ``cc_pack_hooks.rules.spawn``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import spawn

runtime.run(spawn)
