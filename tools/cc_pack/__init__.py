"""cc-pack: enforced orchestration for Claude Code."""

# The stdlib modules in hooks/ (runtime, store, globs, roles…) are shared with the CLI: importing
# the package puts that folder on sys.path, so `import store` finds the one implementation the
# hooks run, whatever the import order.
from cc_pack import pack as _pack  # noqa: F401

__version__ = "0.1.0"
