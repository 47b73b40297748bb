"""Handoff injection, SessionStart: rules in ``cc_pack_hooks.rules.handoff``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import handoff

runtime.run(handoff)
