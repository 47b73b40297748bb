"""The options validate runs with: the project's ``.claude/cc-pack.yaml`` (loaded through
``cc_pack.config`` only when the file exists, so a repo without one does not pay pydantic's
import) plus the command line, and whether the project opted into cc-pack's policy rules."""

from __future__ import annotations

from pathlib import Path

from cc_pack_hooks.roles import DEFAULT_CONFIG

# The compiled-config defaults, shared with the hooks (stdlib; tests check they equal
# cc_pack.config's).
DEFAULTS = DEFAULT_CONFIG

# The hook scripts cc-pack registers (a test keeps this equal to cc_pack.hookspec's table, which
# validate does not import: it costs more than a small pack's whole run).
HOOK_SCRIPTS = frozenset(
    [
        "approval_capture",
        "bash_audit",
        "contract_check",
        "handoff_inject",
        "lint_after_edit",
        "scope_guard",
        "spawn_gate",
        "stop_gate",
    ]
)


class Settings:
    __slots__ = (
        "allow_nesting",
        "budget_tokens",
        "ignore",
        "memory",
        "opted_in",
        "orchestrator",
        "reviewers",
        "select",
    )

    def __init__(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        allow_nesting: bool = False,
        reviewers: list[str] | None = None,
        orchestrator: str = "orchestrate",
        budget_tokens: int = 1500,
        opted_in: bool = False,
        memory: dict | None = None,
    ):
        self.select = list(select or [])  # empty = every rule
        self.ignore = list(ignore or [])
        self.allow_nesting = allow_nesting
        self.reviewers = list(DEFAULTS["roles"]["reviewers"] if reviewers is None else reviewers)
        self.orchestrator = orchestrator
        self.budget_tokens = budget_tokens
        self.opted_in = opted_in  # the project uses cc-pack: policy rules are errors
        # the project memory file cc-pack appends to at PASS ({path, budget_tokens}); None = off
        self.memory = memory

    def is_reviewer(self, name: str | None) -> bool:
        """A reviewer is an agent the config's ``roles.reviewers`` lists (a plugin agent may be
        written with its ``plugin:`` prefix there)."""
        if not name:
            return False
        return name in self.reviewers or any(
            r.rsplit(":", 1)[-1] == name for r in self.reviewers if ":" in r
        )

    @classmethod
    def from_config(cls, config: dict, opted_in: bool = False) -> Settings:
        return cls(
            select=list(config["validate"]["select"]),
            ignore=list(config["validate"]["ignore"]),
            allow_nesting=bool(config["spawn"]["allow_nesting"]),
            reviewers=list(config["roles"]["reviewers"]),
            orchestrator=config["roles"]["orchestrator"],
            budget_tokens=int(config["validate"]["budget_tokens"]),
            opted_in=opted_in,
            memory=config.get("memory") or None,
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


def registers_cc_pack(text: str) -> bool:
    """A settings or hooks.json text that registers cc-pack's hooks: it names the installed
    hook directory or package, or at least three of cc-pack's hook scripts."""
    if "hooks/cc-pack/" in text or "cc_pack" in text:
        return True
    return sum(1 for name in HOOK_SCRIPTS if name in text) >= 3


def opted_in_at(root: Path) -> bool:
    """The project at ``root`` uses cc-pack: it has a config, or the pack is installed (its hook
    directory, or cc-pack's hooks registered in a settings file)."""
    claude = root / ".claude"
    if (claude / "cc-pack.yaml").is_file() or (claude / "hooks" / "cc-pack").is_dir():
        return True
    for name in ("settings.json", "settings.local.json"):
        path = claude / name
        if path.is_file():
            try:
                with open(path, encoding="utf-8") as handle:
                    if registers_cc_pack(handle.read()):
                        return True
            except (OSError, UnicodeDecodeError):
                continue  # reported when the file itself is read
    return False


def load(start: Path) -> Settings:
    """Settings from the config of the project containing ``start`` (defaults without one)."""
    root = project_root(start)
    if root is None:
        return Settings.from_config(DEFAULTS)
    if not (root / ".claude" / "cc-pack.yaml").is_file():
        return Settings.from_config(DEFAULTS, opted_in=opted_in_at(root))
    from cc_pack.config import compile_config, load

    return Settings.from_config(compile_config(load(root)), opted_in=True)
