"""HK: hooks in settings files, a plugin's ``hooks/hooks.json``, manifest inline hooks and agent or
skill frontmatter. Claude Code rejects the whole file on a schema error, and a command whose
script is missing fails on every event (``python3 missing.py`` exits 2: a PreToolUse hook then
blocks every matching tool call)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule, relative
from cc_pack.validate.unit import MISSING

RULES = (
    Rule(
        "HK001",
        "error",
        "hooks file is not valid JSON",
        "invalid JSON: {problem} (Claude Code ignores the whole file{extra})",
        "fix the JSON syntax at this position",
        '{"hooks": {"PreToolUse": [ }\n',
    ),
    Rule(
        "HK002",
        "error",
        "no hooks mapping",
        "{problem}",
        'write {{"hooks": {{"<Event>": [{{"matcher": "...", "hooks": [...]}}]}}}}',
        '{"PreToolUse": []}\n',
    ),
    Rule(
        "HK003",
        "error",
        "unknown hook event",
        "'{event}' is not a Claude Code hook event (the file fails validation)",
        "{fix}",
        '{"hooks": {"PreToolUze": []}}\n',
    ),
    Rule(
        "HK004",
        "error",
        "matcher is not a string",
        "matcher is {found}, not a string (the file fails validation)",
        'write the matcher as a string: "Write|Edit" (exact names) or a regular expression',
        '{"hooks": {"PreToolUse": [{"matcher": {"tool": "Write"}, "hooks": []}]}}\n',
    ),
    Rule(
        "HK005",
        "error",
        "invalid hook entry",
        "{problem}",
        "{fix}",
        '{"hooks": {"PreToolUse": [{"hooks": [{"type": "cmd", "command": "x"}]}]}}\n',
    ),
    Rule(
        "HK006",
        "error",
        "hook script is missing",
        "the script '{script}' does not exist or is unreadable: the hook fails on every "
        "{event} event{effect}",
        "create {target}, or fix the path (${{CLAUDE_PLUGIN_ROOT}} in plugins, "
        '"$CLAUDE_PROJECT_DIR" in settings)',
        '"command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/missing.py"\n',
    ),
    Rule(
        "HK007",
        "error",
        "${CLAUDE_PLUGIN_ROOT} in a settings file",
        "${{CLAUDE_PLUGIN_ROOT}} is only set for plugin hooks; in a settings file this hook fails",
        'use "$CLAUDE_PROJECT_DIR"/path in settings, or move the hook to the plugin\'s '
        "hooks/hooks.json",
        '"command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/guard.py"  (in .claude/settings.json)\n',
    ),
    Rule(
        "HK008",
        "error",
        "plugin subagent matcher never matches",
        "matcher '{item}' on {event} never matches a plugin agent: its agent_type is "
        "'{plugin}:{item}'",
        'match "{plugin}:{item}" (or a regex such as "{item}$")',
        '{"hooks": {"SubagentStop": [{"matcher": "reviewer", "hooks": [...]}]}}  (plugin)\n',
    ),
    Rule(
        "HK009",
        "warning",
        "matcher names a tool that does not exist",
        "matcher item '{item}' is not a Claude Code tool, so this hook never fires for it",
        "{fix}",
        '{"hooks": {"PreToolUse": [{"matcher": "MultiEdit|Frobnicate", "hooks": [...]}]}}\n',
    ),
    Rule(
        "HK010",
        "warning",
        "matcher on an event that has none",
        "{event} has no matcher field: matcher '{matcher}' is ignored and the hook runs on "
        "every {event}",
        "remove the matcher, or filter inside the hook script",
        '{"hooks": {"Stop": [{"matcher": "Write", "hooks": [...]}]}}\n',
    ),
    Rule(
        "HK011",
        "error",
        "hook script is not executable",
        "the hook runs '{script}' directly but it is not executable: the hook fails with "
        "'permission denied' on every {event} event",
        "chmod +x {target}, or run it through its interpreter (python3 {script})",
        '"command": "${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh"  (mode 644)\n',
    ),
    Rule(
        "HK012",
        "error",
        "hook reads a variable Claude Code never sets",
        "{var} is not set for hook processes (Claude Code passes the event as JSON on stdin), "
        "so the hook reads an empty string and silently does nothing useful",
        "{fix}",
        '"command": "ruff check $CLAUDE_TOOL_FILE_PATH"\n',
    ),
    Rule(
        "HK013",
        "error",
        "hook interpreter does not exist",
        "{what} '{interpreter}' does not exist: the shell exits 127 and the hook never runs "
        "(it fails open: a guard on {event} lets every call through)",
        "{fix}",
        '"command": "/usr/local/bin/python3.9 ${CLAUDE_PLUGIN_ROOT}/hooks/guard.py"\n',
    ),
    Rule(
        "HK014",
        "warning",
        "path variable unquoted in a hook command",
        "{var} is not in double quotes: when the path holds a space (a user's home, a project "
        "folder) the shell splits it and the hook fails",
        'write it in double quotes (\\"{var}/hooks/x.py\\" in JSON), or use exec form: '
        '"command": "python3", "args": ["${{{name}}}/hooks/x.py"]',
        '"command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/guard.py"\n',
    ),
    Rule(
        "HK015",
        "error",
        "path variable is never expanded",
        "{var} is {where}, so it is never expanded: the hook gets the literal text and fails "
        "on every {event} event",
        "{fix}",
        '"command": "python3 \'${CLAUDE_PLUGIN_ROOT}/hooks/guard.py\'"\n',
    ),
)

_INTERPRETER = re.compile(r"(python|python3(\.\d+)?|node|bash|sh|zsh|ruby|perl|bun|pwsh)")
_EXACT = re.compile(r"[A-Za-z0-9_|, -]+")
_PLUGIN_VAR = re.compile(r"\$\{CLAUDE_PLUGIN_ROOT\}|\$CLAUDE_PLUGIN_ROOT\b")
_ENV_REF = re.compile(r"\$\{?(CLAUDE[A-Z0-9_]*)")
_PATH_VARS = ("CLAUDE_PLUGIN_ROOT", "CLAUDE_PROJECT_DIR", "CLAUDE_PLUGIN_DATA")
_RENAMED = {
    "CLAUDE_SESSION_ID": "read session_id from the JSON on stdin (or $CLAUDE_CODE_SESSION_ID)",
    "CLAUDE_TOOL_NAME": "read tool_name from the JSON on stdin (jq -r .tool_name)",
    "CLAUDE_TOOL_INPUT": "read tool_input from the JSON on stdin (jq .tool_input)",
    "CLAUDE_TOOL_FILE_PATH": "read tool_input.file_path from the JSON on stdin "
    "(jq -r .tool_input.file_path)",
    "CLAUDE_FILE_PATHS": "read tool_input.file_path from the JSON on stdin",
    "CLAUDE_TOOL_OUTPUT": "read tool_response from the JSON on stdin",
}
_PROJECT_VAR = re.compile(r"\$\{CLAUDE_PROJECT_DIR\}|\$CLAUDE_PROJECT_DIR\b")


def check(unit, emit) -> None:
    for origin, file in unit.hook_files:
        if file.error is not None:
            line, col, problem = file.error
            extra = "; for a plugin this breaks the whole plugin load" if origin == "plugin" else ""
            emit("HK001", file.path, (line, col), problem=problem, extra=extra)
        elif not isinstance(file.data, dict):
            emit("HK002", file.path, (1, 1), problem="the file is not a JSON object")
    for source in unit.hooks:
        if source.origin == "agent" and unit.plugin:
            continue  # plugin agents ignore hooks: PL012
        check_source(unit, source, emit)


def check_source(unit, src, emit) -> None:
    def at(*parts):
        return src.locate((*src.base, *parts))

    value = src.value
    if value is MISSING:
        emit(
            "HK002",
            src.path,
            (1, 1),
            problem="no top-level 'hooks' object (the file fails validation)",
        )
        return
    if not isinstance(value, dict):
        emit(
            "HK002",
            src.path,
            at(),
            problem=f"'hooks' is {vocab.JSON_TYPES.get(type(value), 'a value')}, "
            "not an object of events",
        )
        return
    for event, groups in value.items():
        if event not in vocab.EVENTS:
            import difflib

            close = difflib.get_close_matches(str(event), vocab.EVENTS, n=1)
            fix = f"did you mean {close[0]}?" if close else "use one of: " + ", ".join(vocab.EVENTS)
            emit("HK003", src.path, at(event), event=event, fix=fix)
            continue
        if not isinstance(groups, list):
            emit(
                "HK005",
                src.path,
                at(event),
                problem=f"{event} must be a list of matcher groups",
                fix='write [{"matcher": "...", "hooks": [...]}]',
            )
            continue
        for gi, group in enumerate(groups):
            if not isinstance(group, dict):
                emit(
                    "HK005",
                    src.path,
                    at(event, gi),
                    problem="a matcher group must be an object",
                    fix='write {"matcher": "...", "hooks": [...]}',
                )
                continue
            matcher = group.get("matcher")
            if "matcher" in group and not isinstance(matcher, str):
                emit(
                    "HK004",
                    src.path,
                    at(event, gi, "matcher"),
                    found=vocab.JSON_TYPES.get(type(matcher), "a value"),
                )
            elif matcher not in (None, "", "*"):
                check_matcher(unit, src, event, matcher, at(event, gi, "matcher"), emit)
            handlers = group.get("hooks")
            if not isinstance(handlers, list):
                emit(
                    "HK005",
                    src.path,
                    at(event, gi),
                    problem="a matcher group needs a 'hooks' list of handlers",
                    fix='add "hooks": [{"type": "command", "command": "..."}]',
                )
                continue
            for hi, handler in enumerate(handlers):
                check_handler(unit, src, event, handler, (event, gi, "hooks", hi), at, emit)


def check_matcher(unit, src, event: str, matcher: str, where, emit) -> None:
    if event in vocab.UNMATCHED_EVENTS:
        emit("HK010", src.path, where, event=event, matcher=matcher)
        return
    if not _EXACT.fullmatch(matcher):
        return  # a regular expression, tested unanchored
    items = [i.strip() for i in re.split(r"[|,]", matcher) if i.strip()]
    if event in ("SubagentStart", "SubagentStop") and unit.plugin and src.origin == "plugin":
        for item in items:
            if item not in vocab.BUILTIN_AGENTS:
                emit("HK008", src.path, where, item=item, event=event, plugin=unit.name)
    if event in vocab.TOOL_EVENTS:
        for item in items:
            if item in vocab.KNOWN_TOOLS:
                continue
            if vocab.is_mcp(item):
                if item.count("__") < 2:
                    emit(
                        "HK009",
                        src.path,
                        where,
                        item=item,
                        fix=f"match the server's tools with {item}__.*",
                    )
                continue
            fix = (
                f"{item} is not a tool any more: {vocab.LEGACY_TOOLS[item]}"
                if item in vocab.LEGACY_TOOLS
                else "check the spelling (names are case-sensitive)"
            )
            emit("HK009", src.path, where, item=item, fix=fix)


def check_handler(unit, src, event, handler, path, at, emit) -> None:
    where = at(*path)
    if not isinstance(handler, dict):
        emit(
            "HK005",
            src.path,
            where,
            problem="a hook handler must be an object",
            fix='write {"type": "command", "command": "..."}',
        )
        return
    kind = handler.get("type")
    if kind not in vocab.HANDLER_FIELDS:
        emit(
            "HK005",
            src.path,
            at(*path, "type"),
            problem=f"hook type {kind!r} is not one of " + ", ".join(vocab.HANDLER_FIELDS),
            fix='use "type": "command" (or prompt, agent, http, mcp_tool)',
        )
        return
    required, _ = vocab.HANDLER_FIELDS[kind]
    for field in sorted(required):
        if not isinstance(handler.get(field), str) or not handler[field].strip():
            emit(
                "HK005",
                src.path,
                where,
                problem=f"a {kind} hook needs a '{field}' string",
                fix=f'add "{field}": "..."',
            )
    timeout = handler.get("timeout")
    if "timeout" in handler and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        emit(
            "HK005",
            src.path,
            at(*path, "timeout"),
            problem=f"timeout {timeout!r} is not a positive number of seconds",
            fix='write "timeout": 30',
        )
    args = handler.get("args")
    if "args" in handler and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        emit(
            "HK005",
            src.path,
            at(*path, "args"),
            problem="args must be a list of strings",
            fix='write "args": ["${CLAUDE_PLUGIN_ROOT}/hooks/x.py"]',
        )
        return
    if kind == "command" and isinstance(handler.get("command"), str):
        where = at(*path, "command")
        check_variables(src, event, handler["command"], args, where, emit)
        check_script(unit, src, event, handler["command"], args, where, emit)


def check_script(unit, src, event, command: str, args, where, emit) -> None:
    text = " ".join([command, *(args or [])])
    if src.origin == "settings" and _PLUGIN_VAR.search(text):
        emit("HK007", src.path, where)
        return
    plugin_root = str(unit.root) if unit.plugin else None
    project_root = str(unit.root) if unit.kind == "project" else None

    # the roots go in as placeholders, so a space in them does not split a word here (HK014
    # says when it would at runtime)
    def expand(value: str) -> str:
        if plugin_root:
            value = _PLUGIN_VAR.sub("\0PLUGIN\0", value)
        if project_root:
            value = _PROJECT_VAR.sub("\0PROJECT\0", value)
        return value

    def restore(value: str) -> str:
        if "\0" not in value:
            return value
        return value.replace("\0PLUGIN\0", plugin_root or "").replace(
            "\0PROJECT\0", project_root or ""
        )

    try:
        argv = [expand(command), *map(expand, args)] if args else _split(expand(command))
    except ValueError:
        return  # unbalanced quotes: the shell will say so
    argv = [restore(word) for word in argv]
    if argv and argv[0].startswith("/") and "$" not in argv[0] and not os.path.exists(argv[0]):
        emit(
            "HK013",
            src.path,
            where,
            what="the interpreter",
            interpreter=argv[0],
            event=event,
            fix=f"run it by name ({os.path.basename(argv[0])} ...), found on PATH, instead of "
            "a path pinned to one machine",
        )
        return
    found = _script(argv)
    if found is None:
        return
    script, direct = found
    if "$" in script or "~" in script:
        return  # a variable only the hook's environment knows
    path = Path(script)
    if not path.is_absolute():
        if project_root is None:
            return  # relative to the user's project: unknown here
        path = Path(project_root) / path
    effect = ": it blocks every matching tool call" if event == "PreToolUse" else ""
    shown = relative(path, unit.root)
    if not path.is_file() or not os.access(path, os.R_OK):
        emit("HK006", src.path, where, script=shown, event=event, effect=effect, target=shown)
    elif direct and not os.access(path, os.X_OK):
        emit("HK011", src.path, where, script=shown, event=event, target=shown)
    elif direct:
        interpreter = _shebang(path)
        if interpreter and not os.path.exists(interpreter):
            emit(
                "HK013",
                src.path,
                where,
                what=f"the #! interpreter of {shown},",
                interpreter=interpreter,
                event=event,
                fix=f"start {shown} with #!/usr/bin/env {os.path.basename(interpreter)}",
            )


_PLAIN_WORDS = re.compile(r"[^\s'\"\\\\]+(?:\s+[^\s'\"\\\\]+)*")


def _split(command: str) -> list[str]:
    """shlex.split, without importing shlex for the common command of plain words."""
    if _PLAIN_WORDS.fullmatch(command.strip()):
        return command.split()
    import shlex

    return shlex.split(command)


def _shebang(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    parts = first[2:].decode("utf-8", "replace").split()
    return parts[0] if parts and parts[0].startswith("/") else None


def _quoting(command: str) -> list[tuple[int, str]]:
    """(offset, state) of every '$' in a shell command: state is "none", "single" or
    "double"."""
    found = []
    state = "none"
    i = 0
    while i < len(command):
        ch = command[i]
        if state == "single":
            if ch == "'":
                state = "none"
            elif ch == "$":
                found.append((i, "single"))
        elif ch == "\\":
            i += 1  # the next character is escaped
        elif ch == "$":
            found.append((i, state))
        elif ch == '"':
            state = "none" if state == "double" else "double"
        elif ch == "'" and state == "none":
            state = "single"
        i += 1
    return found


def check_variables(src, event, command: str, args, where, emit) -> None:
    """HK012, HK014, HK015: what the command does with environment variables."""
    texts = [command, *(args or [])]
    if not any("$" in text for text in texts):
        return
    for text in texts:
        for match in _ENV_REF.finditer(text):
            name = match.group(1)
            if name in vocab.HOOK_ENV or name.startswith(vocab.HOOK_ENV_PREFIXES):
                continue
            fix = _RENAMED.get(name, "read what you need from the event JSON on stdin")
            emit("HK012", src.path, where, var=match.group(0) + _brace(text, match), fix=fix)
    if args is not None:
        # exec form: no shell; Claude Code substitutes ${CLAUDE_PLUGIN_ROOT}, ${CLAUDE_PROJECT_DIR}
        # and ${CLAUDE_PLUGIN_DATA} in each element, braced only
        for text in texts:
            for match in re.finditer(r"\$(CLAUDE_[A-Z_]+)\b", text):
                if match.group(1) in _PATH_VARS:
                    name = match.group(1)
                    emit(
                        "HK015",
                        src.path,
                        where,
                        var=match.group(0),
                        event=event,
                        where='in exec form ("args"), where Claude Code substitutes only the '
                        "braced ${...} form",
                        fix=f"write ${{{name}}}",
                    )
        return
    for offset, state in _quoting(command):
        match = _ENV_REF.match(command, offset)
        if match is None or match.group(1) not in _PATH_VARS:
            continue
        name = match.group(1)
        var = match.group(0) + _brace(command, match)
        if src.origin == "settings" and name != "CLAUDE_PROJECT_DIR":
            continue  # HK007: plugin variables fail in settings anyway
        if state == "single":
            emit(
                "HK015",
                src.path,
                where,
                var=var,
                event=event,
                where="inside single quotes",
                fix=f'use double quotes: \\"${{{name}}}/...\\"',
            )
        elif state == "none":
            emit("HK014", src.path, where, var=var, name=name)


def _brace(text: str, match: re.Match) -> str:
    """The closing brace of a ``${NAME}`` reference, to quote it as written."""
    braced = match.group(0).startswith("${") and text[match.end() : match.end() + 1] == "}"
    return "}" if braced else ""


def _script(argv: list[str]) -> tuple[str, bool] | None:
    """The script a command runs and whether it is run directly (needs the executable bit)."""
    if not argv:
        return None
    program = os.path.basename(argv[0])
    if _INTERPRETER.fullmatch(program):
        i = 1
        while i < len(argv) and argv[i].startswith("-"):
            if argv[i] in ("-c", "-m", "-e", "--eval", "-"):
                return None
            i += 2 if argv[i] in ("-W", "-X", "-r", "--require") else 1
        return (argv[i], False) if i < len(argv) else None
    if "/" in argv[0]:
        return argv[0], True
    return None
