"""MC: MCP server declarations (a project's or plugin's ``.mcp.json``, files and inline maps in
``plugin.json``'s ``mcpServers``). Claude Code 2.1.197 and 2.1.330 skip a file that is not valid
JSON or has no ``mcpServers`` object, and drop every server entry that fails the schema, without
a word: the server is simply not there (``init.mcp_servers`` does not list it)."""

from __future__ import annotations

from cc_pack.validate.rules import Rule
from cc_pack.validate.vocab import JSON_TYPES

RULES = (
    Rule(
        "MC001",
        "error",
        ".mcp.json is not valid JSON",
        "invalid JSON: {problem} (Claude Code skips the file: none of its servers load)",
        "fix the JSON syntax at this position",
        '{"mcpServers": {"db": {"command": "db-mcp",}}}\n',
    ),
    Rule(
        "MC002",
        "error",
        "no mcpServers object",
        "{problem} (Claude Code loads no server from this file)",
        'write {{"mcpServers": {{"<name>": {{"command": "...", "args": [...]}}}}}}',
        '{"servers": {"db": {"command": "db-mcp"}}}\n',
    ),
    Rule(
        "MC003",
        "error",
        "invalid MCP server entry",
        "server '{name}': {problem} (Claude Code silently drops this server)",
        "{fix}",
        '{"mcpServers": {"db": {"args": ["--port", "5432"]}}}\n',
    ),
)

REMOTE = {"sse", "http", "streamable-http", "ws"}
KNOWN_TYPES = {"stdio", "sse", "http", "streamable-http", "ws", "sse-ide", "ws-ide", "sdk"}


def _type_name(value) -> str:
    return JSON_TYPES.get(type(value), "a value")


def check(unit, emit) -> None:
    for source in unit.mcp:
        file = source.file
        if file is not None and file.error is not None:
            line, col, problem = file.error
            emit("MC001", source.path, (line, col), problem=problem)
            continue

        def at(*parts, _source=source):
            return _source.locate((*_source.base, *parts))

        value = source.value
        if source.inline:
            servers, prefix = value, ()
        elif not isinstance(value, dict):
            emit("MC002", source.path, (1, 1), problem=f"the file is {_type_name(value)}")
            continue
        elif "mcpServers" not in value:
            emit("MC002", source.path, (1, 1), problem="no top-level 'mcpServers' key")
            continue
        else:
            servers, prefix = value["mcpServers"], ("mcpServers",)
        if not isinstance(servers, dict):
            emit(
                "MC002",
                source.path,
                at(*prefix),
                problem=f"'mcpServers' is {_type_name(servers)}, not an object of servers",
            )
            continue
        for name, server in servers.items():
            problem, fix, where = server_problem(server)
            if problem:
                emit(
                    "MC003",
                    source.path,
                    at(*prefix, name, *where),
                    name=name,
                    problem=problem,
                    fix=fix,
                )


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _string_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def server_problem(server) -> tuple[str, str, tuple]:
    """(problem, fix, where inside the entry) for the first schema failure, or ("", "", ())."""
    if not isinstance(server, dict):
        return (
            f"the entry is {_type_name(server)}, not an object",
            'write {"command": "...", "args": [...]} or {"type": "http", "url": "..."}',
            (),
        )
    kind = server.get("type", "stdio")
    if kind not in KNOWN_TYPES:
        return (
            f"type {kind!r} is not stdio, sse, http or ws",
            'use "type": "stdio" (with command) or "http"/"sse" (with url)',
            ("type",),
        )
    if kind == "stdio":
        command = server.get("command")
        if not isinstance(command, str) or not command:
            return (
                "a stdio server needs a non-empty 'command' string"
                if "url" not in server
                else "it has a 'url' but no 'type', so it is read as a stdio server without "
                "'command'",
                'add "command": "<executable>"'
                if "url" not in server
                else 'add "type": "http" (or "sse")',
                ("command",) if "command" in server else (),
            )
        if "args" in server and not _strings(server["args"]):
            return (
                "'args' must be a list of strings",
                'write "args": ["--flag", "value"]',
                ("args",),
            )
        if "env" in server and not _string_map(server["env"]):
            return "'env' must map names to strings", 'write "env": {"NAME": "value"}', ("env",)
    elif kind in REMOTE:
        if not isinstance(server.get("url"), str):
            return (
                f"a {kind} server needs a 'url' string",
                'add "url": "https://..."',
                ("url",) if "url" in server else (),
            )
        if "headers" in server and not _string_map(server["headers"]):
            return (
                "'headers' must map names to strings",
                'write "headers": {"Authorization": "Bearer ${TOKEN}"}',
                ("headers",),
            )
    timeout = server.get("timeout")
    if "timeout" in server and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0
    ):
        return "'timeout' must be a positive integer", 'write "timeout": 30000', ("timeout",)
    return "", "", ()
