"""The Bash sandbox, run by hooks/bash-sandbox (the shell prefix): ``cc_pack_hooks.prefix``."""

import sys

from cc_pack_hooks import prefix

sys.exit(prefix.main(sys.argv[1:]))
