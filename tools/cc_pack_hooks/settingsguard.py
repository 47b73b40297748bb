"""What a file tool may not change in a Claude Code settings file: cc-pack's entries.

Those are its hook registrations (a handler naming ``.claude/hooks/cc-pack/``), the Bash sandbox
prefix (``env.CLAUDE_CODE_SHELL_PREFIX``) and anything that switches hooks off
(``disableAllHooks``). A settings file that no longer parses would be ignored by Claude Code
with every hook in it, so an edit that breaks the JSON is refused too. The rest of the file is
the user's and may change. Bash never writes these files (the scope guard and the sandbox).
"""

from __future__ import annotations

from cc_pack_hooks import runtime

MARKER = ".claude/hooks/cc-pack/"
PREFIX_KEY = "CLAUDE_CODE_SHELL_PREFIX"


def ours(data: object) -> dict:
    """cc-pack's entries of a parsed settings object, in a comparable form."""
    if not isinstance(data, dict):
        return {"shape": type(data).__name__}
    hooks = data.get("hooks")
    groups = []
    if isinstance(hooks, dict):
        for event, items in hooks.items():
            for group in items if isinstance(items, list) else []:
                if _names_us(group):
                    groups.append([event, runtime.dumps(group)])
    env = data.get("env")
    return {
        "groups": sorted(groups),
        "prefix": env.get(PREFIX_KEY) if isinstance(env, dict) else None,
        "disableAllHooks": data.get("disableAllHooks"),
        "hooks_shape": None if hooks is None else type(hooks).__name__,
    }


def _names_us(group: object) -> bool:
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        return False
    for handler in group["hooks"]:
        if isinstance(handler, dict):
            args = handler.get("args") if isinstance(handler.get("args"), list) else []
            if any(MARKER in str(w) for w in [handler.get("command"), *args]):
                return True
    return False


def _parse(text: str | None):
    if text is None or not text.strip():
        return {}
    return runtime.loads(text)


def refusal(path: str, tool: str, tool_input: dict) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            before_text = fh.read()
    except FileNotFoundError:
        before_text = None
    except (OSError, UnicodeDecodeError) as exc:
        return f"cc-pack scope guard: {path} cannot be read ({exc}), so the edit is refused."
    if tool == "Write":
        after_text = tool_input.get("content")
    elif tool in ("Edit", "MultiEdit"):
        after_text = _edited(before_text or "", tool_input)
    else:
        after_text = None
    if not isinstance(after_text, str):
        return (
            f"cc-pack scope guard: {path} is a Claude Code settings file; change it with Write "
            "or Edit, not with this tool."
        )
    try:
        before = ours(_parse(before_text))
    except runtime.BadEvent:
        before = None  # already broken: only an edit that repairs it without touching ours
    try:
        after = ours(_parse(after_text))
    except runtime.BadEvent as exc:
        return (
            f"cc-pack scope guard: after this edit {path} would not be valid JSON ({exc}); "
            "Claude Code would then ignore the whole file, cc-pack's hooks with it. Keep it "
            "valid JSON."
        )
    if before is None:
        before = {"groups": [], "prefix": None, "disableAllHooks": None, "hooks_shape": None}
    changed = [key for key in ("groups", "prefix", "disableAllHooks") if before[key] != after[key]]
    if not changed and before["hooks_shape"] in (None, "dict"):
        return None
    what = {
        "groups": "cc-pack's hook registrations",
        "prefix": f"env.{PREFIX_KEY} (cc-pack's Bash sandbox)",
        "disableAllHooks": "disableAllHooks (it would switch every hook off)",
    }
    listed = ", ".join(what[key] for key in changed) or "the shape of `hooks`"
    return (
        f"cc-pack scope guard: this edit of {path} changes {listed}. Those entries are "
        "cc-pack's guards: no tool changes them. The rest of the file is yours to edit; the "
        "human changes cc-pack's entries with `cc-pack init` in a terminal."
    )


def _edited(text: str, tool_input: dict) -> str | None:
    edits = tool_input.get("edits")
    if not isinstance(edits, list):
        edits = [tool_input]
    for edit in edits:
        old, new = edit.get("old_string"), edit.get("new_string")
        if not isinstance(old, str) or not isinstance(new, str):
            return None
        text = text.replace(old, new) if edit.get("replace_all") else text.replace(old, new, 1)
    return text
