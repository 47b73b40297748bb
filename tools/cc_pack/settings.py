"""A project's ``.claude/settings.json``: read it strictly, add and remove cc-pack's hook groups,
and write it back in the user's own indentation, leaving everything else as it was."""

from __future__ import annotations

import json
from pathlib import Path

from cc_pack.errors import InputError

# Our hook groups are recognised by the hook folder their command or its arguments name.
MARKER = ".claude/hooks/cc-pack/"


def parse(path: Path, text: str, *, then: str = "cc-pack init") -> dict:
    """The settings object, or ``InputError`` with the file, line and column of the problem;
    ``then`` is the command to run again once the file is fixed."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON (column {exc.colno}): {exc.msg}",
            f"fix the JSON at that line (or take back your last edit: `git diff {path}`); "
            f"cc-pack changed nothing. Then run `{then}` again",
            path=str(path),
            line=exc.lineno,
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            "must be a JSON object", "fix the file; cc-pack changed nothing", path=str(path), line=1
        )
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict) or any(not isinstance(v, list) for v in hooks.values()):
        raise InputError(
            '"hooks" must map event names to lists of hook groups',
            "fix the file (see the Claude Code hooks docs); cc-pack changed nothing",
            path=str(path),
        )
    return data


def indent_of(text: str) -> int | str:
    """The indentation the user's file uses (2 by default)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) != len(line):
            lead = line[: len(line) - len(stripped)]
            return "\t" if lead.startswith("\t") else len(lead)
    return 2


def dump(data: dict, like: str) -> str:
    return json.dumps(data, indent=indent_of(like), ensure_ascii=False) + "\n"


def _is_ours(group: object) -> bool:
    if not isinstance(group, dict):
        return False
    hooks = group.get("hooks")
    return isinstance(hooks, list) and any(_names_us(h) for h in hooks)


def _names_us(handler: object) -> bool:
    if not isinstance(handler, dict):
        return False
    args = handler.get("args")
    words = [handler.get("command"), *(args if isinstance(args, list) else [])]
    return any(MARKER in str(word) for word in words)


def without_ours(data: dict) -> dict:
    """A copy of the settings with every cc-pack hook group removed (and events left empty by
    that removal dropped)."""
    result = dict(data)
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return result
    kept: dict = {}
    for event, groups in hooks.items():
        rest = [g for g in groups if not _is_ours(g)]
        if rest or not any(_is_ours(g) for g in groups):
            kept[event] = rest
    if kept:
        result["hooks"] = kept
    else:
        result.pop("hooks", None)
    return result


def with_ours(data: dict, ours: dict) -> dict:
    """The settings with cc-pack's groups replaced by ``ours``; the user's groups keep their
    order and come first in each event."""
    result = without_ours(data)
    hooks = dict(result.get("hooks", {}))
    for event, groups in ours.items():
        hooks[event] = list(hooks.get(event, [])) + groups
    result["hooks"] = hooks
    return result


def our_handlers(data: dict) -> list[dict]:
    """Every hook handler of ours registered in the settings."""
    found = []
    for groups in (data.get("hooks") or {}).values():
        for group in groups:
            if _is_ours(group):
                found += [h for h in group["hooks"] if _names_us(h)]
    return found


PREFIX_KEY = "CLAUDE_CODE_SHELL_PREFIX"


def prefix_of(data: dict) -> str | None:
    env = data.get("env")
    return env.get(PREFIX_KEY) if isinstance(env, dict) else None


def with_prefix(data: dict, prefix: str | None) -> dict:
    """The settings with the Bash sandbox prefix set (or removed, with ``None``)."""
    result = dict(data)
    env = dict(result.get("env") or {}) if isinstance(result.get("env"), dict) else {}
    if prefix is None:
        env.pop(PREFIX_KEY, None)
    else:
        env[PREFIX_KEY] = prefix
    if env:
        result["env"] = env
    else:
        result.pop("env", None)
    return result
