"""What Claude Code 2.1.197 and 2.1.330 know: tool names, hook events, frontmatter fields and
their values (reference: /work/shared/reference/claude-code.md sections 0, A.1, A.8, C.2, D.1,
D.3; each list checked against both binaries: their schemas and alias table, and what a real
session offers)."""

from __future__ import annotations

import re

# Tool names Claude Code 2.1.197 and 2.1.330 know: the main thread's lists (init.tools), tools
# gated behind modes, settings or the interactive UI, and Glob/Grep, which the native build keeps
# out of the main thread but gives a subagent that lists them.
TOOLS = frozenset(
    [
        "Agent",
        "Artifact",
        "AskUserQuestion",
        "Bash",
        "CronCreate",
        "CronDelete",
        "CronList",
        "Edit",
        "EnterPlanMode",
        "EnterWorktree",
        "ExitPlanMode",
        "ExitWorktree",
        "Glob",
        "Grep",
        "ListAgents",
        "ListMcpResourcesTool",
        "LSP",
        "Monitor",
        "NotebookEdit",
        "PowerShell",
        "Read",
        "ReadMcpResourceDirTool",
        "ReadMcpResourceTool",
        "RemoteTrigger",
        "ReportFindings",
        "ScheduleWakeup",
        "SendMessage",
        "SendUserMessage",
        "SetGoal",
        "Skill",
        "TaskCreate",
        "TaskGet",
        "TaskList",
        "TaskOutput",
        "TaskStop",
        "TaskUpdate",
        "ToolSearch",
        "WebFetch",
        "WebSearch",
        "Workflow",
        "Write",
    ]
)
# accepted spellings, resolved by Claude Code's alias table (both versions)
ALIASES = {
    "Task": "Agent",
    "KillShell": "TaskStop",
    "KillBash": "TaskStop",
    "ListPeers": "ListAgents",
    "Brief": "SendUserMessage",
    "ListMcpResources": "ListMcpResourcesTool",
    "ReadMcpResource": "ReadMcpResourceTool",
    "ReadMcpResourceDir": "ReadMcpResourceDirTool",
    "ProposeGoal": "SetGoal",
}
KNOWN_TOOLS = TOOLS | frozenset(ALIASES)
# names from older versions or docs that give an agent nothing in 2.1.197 / 2.1.330
LEGACY_TOOLS = {
    "MultiEdit": "use Edit",
    "TodoWrite": "use TaskCreate/TaskUpdate",
    "TodoRead": "use TaskList/TaskGet",
    "LS": "use Bash (ls) or Glob",
    "NotebookRead": "use Read (it reads notebooks)",
    # 2.1.197 maps these to TaskOutput (which subagents are never given); 2.1.330 dropped them
    "BashOutput": "use TaskOutput (main thread only)",
    "BashOutputTool": "use TaskOutput (main thread only)",
    "AgentOutput": "use TaskOutput (main thread only)",
    "AgentOutputTool": "use TaskOutput (main thread only)",
}
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
        # 2.1.330 adds these
        "omitClaudeMd",
        "observer",
        "observerMessage",
        "observeSubagents",
        "observeToolResults",
        "cacheTtl",
        "autoCompactWindow",
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
# The skill schema of 2.1.197 and 2.1.330 (documented and @internal keys alike: Claude Code
# accepts them all) and the Agent Skills format's fields (name, description, license,
# compatibility, metadata, allowed-tools).
SKILL_FIELDS = PROMPT_FIELDS | {
    "context",
    "agent",
    "paths",
    "hooks",
    "version",
    "arguments",
    "fallback",
    "created_by",
    "improved_by",
    "evals",
    "cacheTtl",
    "license",
    "compatibility",
    "metadata",
    "author",
    "homepage",
    "repository",
    "keywords",
    "displayName",
    "mcpServers",
    "lspServers",
    "agents",
    "outputStyles",
    "themes",
    "workflows",
    "channels",
    "monitors",
    "settings",
    "userConfig",
    "defaultEnabled",
    "experimental",
    "dependencies",
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


_SPLIT_CACHE: dict[str, tuple] = {}
# a comma outside parentheses, for a value whose parentheses pair up without nesting
_TOP_COMMA = re.compile(r",(?![^(]*\))")
_FLAT_PARENS = re.compile(r"[^()]*(?:\([^()]*\)[^()]*)*")


def split_tools(value: object) -> tuple[tuple[int, object], ...] | None:
    """Entries of a ``tools``-style field with their index: a comma string (commas inside
    parentheses do not split) or a YAML list. None when the value has another type."""
    if isinstance(value, list):
        return tuple(
            (i, item.strip()) if isinstance(item, str) else (i, item)
            for i, item in enumerate(value)
        )
    if not isinstance(value, str):
        return None
    cached = _SPLIT_CACHE.get(value)
    if cached is not None:
        return cached  # packs repeat the same tools line across many agents
    if "(" not in value:
        pieces = value.split(",")
    elif _FLAT_PARENS.fullmatch(value):
        pieces = _TOP_COMMA.split(value)
    else:
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
    result = tuple(enumerate(p.strip() for p in pieces if p.strip()))
    _SPLIT_CACHE[value] = result
    return result


# a tool name; MCP tools are mcp__<server>__<tool> and both parts may hold '-' or '.'
_TOOL_ENTRY = re.compile(
    r"(?P<name>mcp__[A-Za-z0-9_.-]+|[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<spec>.*)\))?", re.S
)


def parse_tool(entry: str) -> tuple[str, str | None] | None:
    """``Bash(git diff:*)`` -> ("Bash", "git diff:*"); None when malformed."""
    match = _TOOL_ENTRY.fullmatch(entry)
    if match is None or (match["spec"] is not None and not match["spec"].strip()):
        return None
    return match["name"], match["spec"]


def is_mcp(name: str) -> bool:
    return name.startswith("mcp__")


def boolean(value: object) -> bool:
    """A boolean flag as Claude Code reads it: true/false or the strings "true"/"false"."""
    return isinstance(value, bool) or value in ("true", "false")


def is_true(value: object) -> bool:
    return value is True or value == "true"


# Environment variables Claude Code sets for hook processes (observed with both versions in
# every hook event; A.8): a hook reading another CLAUDE_* name reads an empty string.
HOOK_ENV = frozenset(
    [
        "CLAUDECODE",
        "CLAUDE_PROJECT_DIR",
        "CLAUDE_CODE_SESSION_ID",
        "CLAUDE_CODE_ENTRYPOINT",
        "CLAUDE_CODE_CHILD_SESSION",
        "CLAUDE_EFFORT",
        "CLAUDE_ENV_FILE",  # SessionStart, Setup, CwdChanged, FileChanged
        "CLAUDE_PLUGIN_ROOT",  # plugin and skill hooks
        "CLAUDE_PLUGIN_DATA",  # plugin hooks
        "CLAUDE_PID",  # 2.1.330
        "CLAUDE_CONFIG_DIR",  # the user's own setting, passed through
    ]
)
HOOK_ENV_PREFIXES = ("CLAUDE_CODE_", "CLAUDE_PLUGIN_OPTION_")  # settings the user exports
