"""Bash audit, PostToolUse(Failure) on Bash: rules in ``cc_pack_hooks.rules.audit``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import audit

runtime.run(audit)
