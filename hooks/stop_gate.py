"""Stop gate, Stop: rules in ``cc_pack_hooks.rules.stop``."""

from cc_pack_hooks import runtime
from cc_pack_hooks.rules import stop

runtime.run(stop)
