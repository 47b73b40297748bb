"""The options validate runs with: the project's ``.claude/cc-pack.yaml`` (loaded through
``cc_pack.config`` only when the file exists, so a repo without one does not pay pydantic's
import) plus the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cc_pack_hooks.roles import DEFAULT_CONFIG

# The compiled-config defaults, shared with the hooks (stdlib; tests check they equal
# cc_pack.config's).
DEFAULTS = DEFAULT_CONFIG


@dataclass(slots=True)
class Settings:
    select: list[str] = field(default_factory=list)  # empty = every rule
    ignore: list[str] = field(default_factory=list)
    allow_nesting: bool = False
    reviewers: list[str] = field(default_factory=lambda: list(DEFAULTS["roles"]["reviewers"]))
    orchestrator: str = "orchestrate"
    budget_tokens: int = 1500

    def is_reviewer(self, name: str | None) -> bool:
        return bool(name) and (name.endswith("-reviewer") or name in self.reviewers)

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        return cls(
            select=list(config["validate"]["select"]),
            ignore=list(config["validate"]["ignore"]),
            allow_nesting=bool(config["spawn"]["allow_nesting"]),
            reviewers=list(config["roles"]["reviewers"]),
            orchestrator=config["roles"]["orchestrator"],
            budget_tokens=int(config["validate"]["budget_tokens"]),
        )


def project_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.claude/`` or ``.git``."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for candidate in (here, *here.parents):
        if (candidate / ".claude").is_dir() or (candidate / ".git").exists():
            return candidate
    return None


def load(start: Path) -> Settings:
    """Settings from the config of the project containing ``start`` (defaults without one)."""
    root = project_root(start)
    if root is None or not (root / ".claude" / "cc-pack.yaml").is_file():
        return Settings.from_config(DEFAULTS)
    from cc_pack.config import compile_config, load

    return Settings.from_config(compile_config(load(root)))
