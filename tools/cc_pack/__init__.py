"""cc-pack: enforced orchestration for Claude Code.

The CLI shares the hooks' stdlib modules (run state, globs, roles) by importing the hook package
by its name: ``from cc_pack_hooks import store``.
"""

__version__ = "0.2.0.dev0"
