"""Approval capture, UserPromptSubmit: rules in ``cc_pack_hooks.rules.approval``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import approval

runtime.run(approval)
