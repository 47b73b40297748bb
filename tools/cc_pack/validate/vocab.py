"""What Claude Code 2.1.197 knows: tool names, hook events, frontmatter fields and their values
(docs/reference: /work/shared/reference/claude-code.md sections 0, A.1, C.2, D.1, D.3)."""

from __future__ import annotations

import re

# tools offered in 2.1.197 (main thread, -p) plus the interactive-only ones
TOOLS = frozenset(
    [
        "Agent",
        "Bash",
        "CronCreate",
        "CronDelete",
        "CronList",
        "Edit",
        "EnterWorktree",
        "ExitWorktree",
        "NotebookEdit",
        "Read",
        "ReportFindings",
        "ScheduleWakeup",
        "SendMessage",
        "Skill",
        "TaskCreate",
        "TaskGet",
        "TaskList",
        "TaskOutput",
        "TaskStop",
        "TaskUpdate",
        "WebFetch",
        "WebSearch",
        "Workflow",
        "Write",
        "Task",
        "AskUserQuestion",
        "ExitPlanMode",
        "EnterPlanMode",
        "ListMcpResourcesTool",
        "ReadMcpResourceTool",
        "LSP",
        "ToolSearch",
    ]
)
# names from older versions or docs that are not tools in 2.1.197
LEGACY_TOOLS = frozenset(
    [
        "MultiEdit",
        "Glob",
        "Grep",
        "TodoWrite",
        "TodoRead",
        "LS",
        "NotebookRead",
        "KillShell",
        "BashOutput",
        "KillBash",
    ]
)
SPAWN_TOOLS = frozenset({"Agent", "Task"})
WRITE_TOOLS = frozenset({"Write", "Edit", "NotebookEdit"})
BUILTIN_AGENTS = frozenset({"claude", "Explore", "general-purpose", "Plan", "statusline-setup"})

EVENTS = [
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "Notification",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "SessionStart",
    "SessionEnd",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "PermissionRequest",
    "PermissionDenied",
    "Setup",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "Elicitation",
    "ElicitationResult",
    "ConfigChange",
    "WorktreeCreate",
    "WorktreeRemove",
    "InstructionsLoaded",
    "CwdChanged",
    "FileChanged",
    "MessageDisplay",
]
TOOL_EVENTS = frozenset(
    ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"]
)
# events with no field to match: every hook runs whatever the matcher says
UNMATCHED_EVENTS = frozenset(
    [
        "Stop",
        "UserPromptSubmit",
        "PostToolBatch",
        "TeammateIdle",
        "TaskCreated",
        "TaskCompleted",
        "CwdChanged",
        "WorktreeCreate",
        "WorktreeRemove",
        "MessageDisplay",
    ]
)
HANDLER_FIELDS = {
    "command": (
        {"command"},
        {
            "args",
            "if",
            "shell",
            "timeout",
            "statusMessage",
            "once",
            "async",
            "asyncRewake",
            "rewakeMessage",
            "rewakeSummary",
        },
    ),
    "prompt": ({"prompt"}, {"if", "timeout", "model", "continueOnBlock", "statusMessage", "once"}),
    "agent": ({"prompt"}, {"if", "timeout", "model", "statusMessage", "once"}),
    "http": ({"url"}, {"if", "timeout", "headers", "allowedEnvVars", "statusMessage", "once"}),
    "mcp_tool": ({"server", "tool"}, {"input", "if", "timeout", "statusMessage", "once"}),
}

AGENT_FIELDS = frozenset(
    [
        "name",
        "description",
        "tools",
        "disallowedTools",
        "model",
        "effort",
        "permissionMode",
        "mcpServers",
        "hooks",
        "maxTurns",
        "skills",
        "initialPrompt",
        "memory",
        "background",
        "isolation",
        "color",
        "when_to_use",
        "when-to-use",
    ]
)
PROMPT_FIELDS = frozenset(  # skills and commands share these
    [
        "name",
        "description",
        "when_to_use",
        "argument-hint",
        "allowed-tools",
        "disallowed-tools",
        "disallowedTools",
        "model",
        "effort",
        "disable-model-invocation",
        "user-invocable",
        "shell",
    ]
)
SKILL_FIELDS = PROMPT_FIELDS | {
    "context",
    "agent",
    "paths",
    "hooks",
    "version",
    "arguments",
    "license",
}
COMMAND_FIELDS = PROMPT_FIELDS

# How a JSON value's type is named in messages ("'hooks' is a list, not an object of events").
JSON_TYPES = {
    list: "a list",
    dict: "an object",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    str: "a string",
    type(None): "null",
}

MODEL_ALIASES = frozenset({"inherit", "sonnet", "opus", "haiku", "fable"})
# full model ids: Anthropic API, Bedrock (region/anthropic. prefixes, -v1:0) and Vertex (@date)
_MODEL_ID = re.compile(r"(?:[a-z]{2,6}\.)?(?:anthropic\.)?claude-[a-z0-9][a-z0-9.:@-]*(?:\[1m\])?")
PERMISSION_MODES = ("acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
MEMORY = ("user", "project", "local")
ISOLATION = ("worktree", "remote")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")
SHELLS = ("bash", "powershell")
CONTEXTS = ("inline", "fork")


def valid_model(value: object) -> bool:
    if not isinstance(value, str):
        return False
    if value in MODEL_ALIASES:
        return True
    base = value[:-4] if value.endswith("[1m]") else value
    return base.lower() == "inherit" or base in MODEL_ALIASES or bool(_MODEL_ID.fullmatch(value))


def split_tools(value: object) -> list[tuple[int, str]] | None:
    """Entries of a ``tools``-style field with their index: a comma string (commas inside
    parentheses do not split) or a YAML list. None when the value has another type."""
    if isinstance(value, list):
        return [
            (i, item.strip()) if isinstance(item, str) else (i, item)
            for i, item in enumerate(value)
        ]
    if not isinstance(value, str):
        return None
    if "(" not in value:
        return list(enumerate(p.strip() for p in value.split(",") if p.strip()))
    pieces, depth, start = [], 0, 0
    for pos, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth <= 0:
            pieces.append(value[start:pos])
            start = pos + 1
    pieces.append(value[start:])  # an unclosed "(" keeps the rest as one (malformed) entry
    return list(enumerate(p.strip() for p in pieces if p.strip()))


_TOOL_ENTRY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<spec>.*)\))?")


def parse_tool(entry: str) -> tuple[str, str | None] | None:
    """``Bash(git diff:*)`` -> ("Bash", "git diff:*"); None when malformed."""
    match = _TOOL_ENTRY.fullmatch(entry)
    if match is None or (match["spec"] is not None and not match["spec"].strip()):
        return None
    return match["name"], match["spec"]


def is_mcp(name: str) -> bool:
    return name.startswith("mcp__")
