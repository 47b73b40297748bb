"""The project configuration: ``.claude/cc-pack.yaml`` (committed), validated here and compiled to
JSON for the hooks, which must not import yaml.

The compiled form is written to ``.claude/cc-pack/config.json`` (always-on rules: lint, spawn
policy, roles) and copied into each run's state at ``run start`` (run-scoped rules read the
snapshot the human approved). Any cc-pack command recompiles a config whose YAML changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cc_pack import yamlload
from cc_pack.errors import InputError

CONFIG_FILE = Path(".claude") / "cc-pack.yaml"
COMPILED_FILE = Path(".claude") / "cc-pack" / "config.json"

REVIEWERS = [
    "correctness-reviewer",
    "security-reviewer",
    "test-reviewer",
    "maintainability-reviewer",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


TEST_OUTPUTS = [
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
]


class Scope(_Strict):
    strict: bool = Field(
        True, description="without an OS sandbox, deny Bash that cannot be analysed"
    )

    @field_validator("sandbox", mode="before")
    @classmethod
    def _yaml_off(cls, value):
        # YAML 1.1 reads an unquoted `off` as false (and `on` as true)
        if value is False:
            return "off"
        return "auto" if value is True else value

    sandbox: Literal["auto", "required", "off"] = Field(
        "auto",
        description="confine a run's Bash with bubblewrap: when available, always (refuse "
        "run start without it), or never",
    )
    test_outputs: list[str] = Field(
        default_factory=lambda: list(TEST_OUTPUTS),
        description="project-relative paths the test command and step validations may write "
        "inside the sandbox (caches and reports)",
    )


class Spawn(_Strict):
    allow_nesting: bool = Field(False, description="let subagents spawn subagents")


class Roles(_Strict):
    researchers: list[str] = ["researcher"]
    planners: list[str] = ["planner"]
    implementers: list[str] = ["implementer"]
    reviewers: list[str] = Field(default_factory=lambda: list(REVIEWERS))
    orchestrator: str = "orchestrate"


class Linter(_Strict):
    glob: str
    command: list[str] = Field(min_length=1, description="argv; {file} is the edited file")
    format: Literal["ruff-json", "text"] = "text"

    @field_validator("command")
    @classmethod
    def _has_file(cls, value: list[str]) -> list[str]:
        if not any("{file}" in part for part in value):
            raise ValueError("the command must contain {file}, the edited file's path")
        return value


class Lint(_Strict):
    timeout: float = Field(10, gt=0)
    linters: list[Linter] = Field(
        default_factory=lambda: [
            Linter(
                glob="**/*.py",
                command=["ruff", "check", "--output-format", "json", "--no-cache", "{file}"],
                format="ruff-json",
            )
        ]
    )


class Dispatch(_Strict):
    reviewers: dict[str, list[str]] = Field(
        default_factory=lambda: {
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
        description="reviewer -> globs of changed files that call for it",
    )
    skip: list[str] = Field(
        default_factory=lambda: ["**/*.md", "**/*.txt", "docs/**", "**/*.lock"],
        description="changed files matching these never call for a reviewer",
    )


class Contract(_Strict):
    retry_cap: int = Field(2, ge=0, description="invalid contracts blocked before letting go")
    fresh_reviewers: int = Field(
        1,
        ge=0,
        le=5,
        description="fresh reviewers of a role spawned after one gave up on the contract, "
        "before the run ends FAIL",
    )


class Plan(_Strict):
    context_window: int = Field(
        200_000, ge=1000, description="the implementer model's context window, in tokens"
    )
    context_share: float = Field(
        0.6,
        gt=0,
        le=1,
        description="a step's estimated context (its files, research, packet) must fit in this "
        "share of the window",
    )
    validation_timeout: float = Field(600, gt=0, description="seconds per step validation")
    history_commits: int = Field(
        200, ge=0, description="recent commits read for coupling between parallel steps"
    )
    coupling_commits: int = Field(
        2,
        ge=1,
        description="parallel steps whose files changed together in this many of those commits "
        "run one after the other",
    )


class Memory(_Strict):
    path: str = Field(
        ".claude/memory/decisions.md",
        description="project-relative file a PASS run appends its decisions to",
    )
    budget_tokens: int = Field(
        4000,
        gt=0,
        description="past it the oldest cc-pack entries move to the archive file; "
        "`cc-pack validate` warns",
    )

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if os.path.isabs(value) or ".." in Path(value).parts:
            raise ValueError("must be a path inside the project (relative, no ..)")
        return value


class Budget(_Strict):
    run_tokens: int | None = Field(
        None,
        gt=0,
        description="tokens (input, output, cache reads and writes) the whole run may use; "
        "past it no agent starts and the next `run advance` ends the run FAIL; null: no limit",
    )
    agent_tokens: int | None = Field(
        None, gt=0, description="tokens one agent may use; past it the run is over budget too"
    )
    warn_at: float = Field(
        0.8, gt=0, le=1, description="share of run_tokens at which the orchestrator is told once"
    )


class Price(_Strict):
    """US dollars per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float = Field(ge=0)
    cache_write: float = Field(ge=0)


# The list prices Claude Code itself applies (its stream-json ``modelUsage.costUSD``), read off
# 2.1.197 and 2.1.330 on the date below: tests/e2e/test_usage.py compares the opus, sonnet and
# haiku each version picks (claude-opus-4-8, claude-sonnet-5, claude-haiku-4-5; claude-opus-5-5,
# claude-sonnet-5-5, claude-haiku-5-5). A key matches a model id it is a prefix of (the longest
# wins), else an alias the id contains; the bare aliases take 2.1.330's models.
PRICES_AS_OF = "2026-12-01"
DEFAULT_PRICES = {
    "claude-opus-4": {"input": 5.0, "output": 25.0, "cache_read": 0.5, "cache_write": 6.25},
    "claude-opus-5": {"input": 4.0, "output": 20.0, "cache_read": 0.2, "cache_write": 5.0},
    "claude-sonnet-5": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75},
    "claude-sonnet-5-5": {"input": 2.0, "output": 10.0, "cache_read": 0.1, "cache_write": 2.5},
    "claude-haiku-4-5": {"input": 1.0, "output": 5.0, "cache_read": 0.1, "cache_write": 1.25},
    "claude-haiku-5-5": {"input": 0.1, "output": 0.5, "cache_read": 0.01, "cache_write": 0.125},
    "opus": {"input": 4.0, "output": 20.0, "cache_read": 0.2, "cache_write": 5.0},
    "sonnet": {"input": 2.0, "output": 10.0, "cache_read": 0.1, "cache_write": 2.5},
    "haiku": {"input": 0.1, "output": 0.5, "cache_read": 0.01, "cache_write": 0.125},
}


class Pricing(_Strict):
    as_of: str = Field(PRICES_AS_OF, description="the date the prices were read")
    models: dict[str, Price] = Field(
        default_factory=lambda: {k: Price(**v) for k, v in DEFAULT_PRICES.items()},
        description="model id prefix or alias -> USD per million tokens; your entries are "
        "added to (or replace) the defaults",
    )

    @field_validator("models", mode="before")
    @classmethod
    def _over_defaults(cls, value):
        if isinstance(value, dict):
            return {**DEFAULT_PRICES, **value}
        return value


class Queue(_Strict):
    claude: str | None = Field(
        None, description="the Claude Code binary `queue run` starts; null: `claude` on PATH"
    )
    workers: int = Field(2, ge=1, le=32, description="tasks run at once by `queue run`")
    permission_mode: Literal["bypassPermissions", "acceptEdits", "default"] = Field(
        "bypassPermissions",
        description="the headless client's --permission-mode (cc-pack's hooks and sandbox are "
        "the boundary)",
    )
    stall_seconds: float = Field(
        600,
        gt=0,
        description="a client with no hook event and no transcript growth for this long is "
        "stopped and the task retried once",
    )


class Validate(_Strict):
    select: list[str] = []
    ignore: list[str] = []
    budget_tokens: int = Field(1500, gt=0)


class Config(_Strict):
    version: Literal[1] = 1
    max_iterations: int = Field(3, ge=1, le=20)
    test_command: str | None = Field(None, description="verify phase; None: auto-detect")
    scope: Scope = Field(default_factory=Scope)
    spawn: Spawn = Field(default_factory=Spawn)
    roles: Roles = Field(default_factory=Roles)
    lint: Lint = Field(default_factory=Lint)
    dispatch: Dispatch = Field(default_factory=Dispatch)
    contract: Contract = Field(default_factory=Contract)
    plan: Plan = Field(default_factory=Plan)
    memory: Memory | Literal[False] = Field(
        default_factory=Memory, description="project memory of decisions; false turns it off"
    )
    budget: Budget = Field(default_factory=Budget)
    pricing: Pricing = Field(default_factory=Pricing)
    queue: Queue = Field(default_factory=Queue)
    validate_: Validate = Field(default_factory=Validate, alias="validate")
    log: bool = Field(False, description="write the hook decision log")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("memory", mode="before")
    @classmethod
    def _memory_on(cls, value):
        return {} if value is True else value


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                # an unknown key: point at the key itself
                match = next((k for k, _ in node.value if k.value == key), None)
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load(project: Path) -> Config:
    """The project's config (defaults when the file is absent). Bad YAML or values raise
    ``InputError`` naming the file, the line and the fix."""
    path = project / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 (byte {exc.start})", "save the file as UTF-8", path=str(path)
        ) from None
    try:
        node = yaml.compose(text, Loader=yamlload.SafeLoader)
        data = yaml.load(text, Loader=yamlload.SafeLoader) if node is not None else None
    except yaml.YAMLError as exc:
        message, line, fix = yamlload.explain(exc, text)
        raise InputError(message, fix, path=str(path), line=line) from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise InputError(
            "must be a YAML mapping of settings",
            "see the README's Configuration",
            path=str(path),
            line=1,
        )
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        fix = (
            "remove it or check its spelling against the README's Configuration"
            if first["type"] == "extra_forbidden"
            else "see the README's Configuration"
        )
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise InputError(
            f"{where}: {first['msg']}{more}", fix, path=str(path), line=_line_of(node, loc)
        ) from None


def compile_config(config: Config) -> dict:
    """The JSON form the hooks read."""
    return config.model_dump(mode="json", by_alias=True)


def sync(project: Path) -> dict:
    """Compile the YAML into ``.claude/cc-pack/config.json`` if it changed; return the config.

    The compiled file records the YAML's mtime and size so the next call can skip the work."""
    source = project / CONFIG_FILE
    target = project / COMPILED_FILE
    try:
        st = source.stat()
        stamp = [st.st_mtime_ns, st.st_size]
    except FileNotFoundError:
        stamp = None
    try:
        current = json.loads(target.read_text(encoding="utf-8"))
        if current.get("source_stamp") == stamp and "config" in current:
            return current["config"]
    except (OSError, ValueError):
        pass
    compiled = compile_config(load(project))
    target.parent.mkdir(parents=True, exist_ok=True)
    if compiled["log"]:
        # The hooks log when this file exists (or $CC_PACK_LOG is set): no config read needed.
        (target.parent / "decisions.jsonl").touch()
    tmp = target.with_name(f"config.json.tmp.{os.getpid()}")
    tmp.write_text(
        json.dumps(
            {"source": str(CONFIG_FILE), "source_stamp": stamp, "config": compiled}, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, target)
    return compiled
