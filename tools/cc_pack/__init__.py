"""cc-pack: enforced orchestration for Claude Code."""

__version__ = "0.1.0"
