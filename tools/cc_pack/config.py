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
