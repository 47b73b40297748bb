"""Contract check, SubagentStop: rules in ``cc_pack_hooks.rules.contract``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import contract

runtime.run(contract)
