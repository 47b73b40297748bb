"""Who is calling, and which settings apply: role lookup and the default configuration.

The hooks cannot import the CLI's pydantic config, so they keep this copy of its compiled
defaults (``tests/hooks/test_roles.py`` checks it equals ``compile_config(Config())``). A setting
missing from the run's snapshot or the compiled file falls back to the value here.
"""

from __future__ import annotations

PLUGIN_PREFIX = "cc-pack:"

DEFAULT_CONFIG = {
    "version": 1,
    "max_iterations": 3,
    "test_command": None,
    "scope": {
        "strict": True,
        "sandbox": "auto",
        "test_outputs": [
            ".pytest_cache",
            ".hypothesis",
            ".mypy_cache",
            ".ruff_cache",
            ".coverage",
            "htmlcov",
            ".tox",
            ".nox",
            "node_modules/.cache",
            "test-results",
            "coverage.xml",
            "junit.xml",
        ],
    },
    "spawn": {"allow_nesting": False},
    "roles": {
        "researchers": ["researcher"],
        "planners": ["planner"],
        "implementers": ["implementer"],
        "reviewers": [
            "correctness-reviewer",
            "security-reviewer",
            "test-reviewer",
            "maintainability-reviewer",
        ],
        "orchestrator": "orchestrate",
    },
    "lint": {
        "timeout": 10.0,
        "linters": [
            {
                "glob": "**/*.py",
                "command": ["ruff", "check", "--output-format", "json", "--no-cache", "{file}"],
                "format": "ruff-json",
            }
        ],
    },
    "dispatch": {
        "reviewers": {
            "correctness-reviewer": ["**/*"],
            "security-reviewer": [
                "**/*.py",
                "**/*.sh",
                "**/*.js",
                "**/*.ts",
                "**/*.go",
                "**/Dockerfile",
                "**/*.yml",
                "**/*.yaml",
                "**/*.toml",
            ],
            "test-reviewer": ["**/*.py", "**/*.js", "**/*.ts", "**/*.go"],
            "maintainability-reviewer": ["**/*"],
        },
        "skip": ["**/*.md", "**/*.txt", "docs/**", "**/*.lock"],
    },
    "contract": {"retry_cap": 2, "fresh_reviewers": 1},
    "plan": {
        "context_window": 200000,
        "context_share": 0.6,
        "validation_timeout": 600.0,
        "history_commits": 200,
        "coupling_commits": 2,
    },
    "memory": {"path": ".claude/memory/decisions.md", "budget_tokens": 4000},
    "budget": {"run_tokens": None, "agent_tokens": None, "warn_at": 0.8},
    "pricing": {
        "as_of": "2026-12-01",
        "models": {
            "claude-opus-4": {"input": 5.0, "output": 25.0, "cache_read": 0.5, "cache_write": 6.25},
            "claude-opus-5": {"input": 4.0, "output": 20.0, "cache_read": 0.2, "cache_write": 5.0},
            "claude-sonnet-5": {
                "input": 3.0,
                "output": 15.0,
                "cache_read": 0.3,
                "cache_write": 3.75,
            },
            "claude-sonnet-5-5": {
                "input": 2.0,
                "output": 10.0,
                "cache_read": 0.1,
                "cache_write": 2.5,
            },
            "claude-haiku-4-5": {
                "input": 1.0,
                "output": 5.0,
                "cache_read": 0.1,
                "cache_write": 1.25,
            },
            "claude-haiku-5-5": {
                "input": 0.1,
                "output": 0.5,
                "cache_read": 0.01,
                "cache_write": 0.125,
            },
            "opus": {"input": 4.0, "output": 20.0, "cache_read": 0.2, "cache_write": 5.0},
            "sonnet": {"input": 2.0, "output": 10.0, "cache_read": 0.1, "cache_write": 2.5},
            "haiku": {"input": 0.1, "output": 0.5, "cache_read": 0.01, "cache_write": 0.125},
        },
    },
    "queue": {
        "claude": None,
        "workers": 2,
        "permission_mode": "bypassPermissions",
        "stall_seconds": 600.0,
    },
    "validate": {"select": [], "ignore": [], "budget_tokens": 1500},
    "log": False,
}

# role name -> the config key listing the agents that play it
ROLE_KEYS = {
    "researcher": "researchers",
    "planner": "planners",
    "implementer": "implementers",
    "reviewer": "reviewers",
}
READ_ONLY_ROLES = frozenset({"researcher", "planner", "reviewer"})


def setting(config: object, dotted: str):
    """``config["a"]["b"]`` for ``"a.b"``, or the default when absent or of the wrong type."""
    default = DEFAULT_CONFIG
    for key in dotted.split("."):
        default = default[key]
    value = config
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    if default is not None and not _same_kind(value, default):
        return default
    return value


def _same_kind(value: object, default: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(default))


def failure_key(iteration: object, agent_type: str) -> str:
    """``contract_failures`` counts give-ups per iteration and reviewer: "<iteration>/<type>"."""
    return f"{iteration}/{agent_type}"


def fresh_reviewers_left(state: dict, config: object, name: str) -> int:
    """How many more reviewers of ``name`` may be spawned this iteration after give-ups: one
    attempt plus ``contract.fresh_reviewers`` fresh ones (never the same prompt again)."""
    failures = state.get("contract_failures")
    key = failure_key(state.get("iteration"), name)
    used = failures.get(key, 0) if isinstance(failures, dict) else 0
    allowed = 1 + setting(config, "contract.fresh_reviewers")
    return max(allowed - (used if isinstance(used, int) else 0), 0)


def agent_name(raw: object) -> str:
    """An agent type or ``subagent_type`` without the plugin prefix (only ``cc-pack:``: another
    plugin's ``x:reviewer`` is not our reviewer)."""
    if not isinstance(raw, str):
        return ""
    return raw[len(PLUGIN_PREFIX) :] if raw.startswith(PLUGIN_PREFIX) else raw


def role_of(agent_type: object, config: object) -> str | None:
    """researcher | planner | implementer | reviewer, or None for the main thread and others."""
    name = agent_name(agent_type)
    if not name:
        return None
    for role, key in ROLE_KEYS.items():
        members = setting(config, f"roles.{key}")
        if isinstance(members, list) and name in members:
            return role
    return None


def is_orchestrator(subagent_type: object, config: object) -> bool:
    name = agent_name(subagent_type)
    return bool(name) and name in {setting(config, "roles.orchestrator"), "orchestrate"}
