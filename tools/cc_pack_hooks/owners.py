"""Which implementer owns which plan steps, and so which files it may write.

The orchestrator names the work in the handoff packet (the Agent call's ``prompt``): a line
``steps: S1, S2`` (iteration 1) and/or ``fix: F1, F3`` (the fix-list items of iteration 2+). The
spawn gate reads it from the PreToolUse(Agent) event and records it under the call's
``tool_use_id`` (``state.spawns``). Claude Code does not tell a hook which Agent call a subagent
came from (SubagentStart carries no tool_use_id, and two parallel Agent calls may start in either
order: tests/e2e/test_facts_agents_runtime.py), but by the child's first tool call it has written
``<session>/subagents/agent-<agent_id>.meta.json`` with that call's ``toolUseId``; failing that,
the child transcript's first record is the prompt itself. The scope guard binds the agent then
(``state.owners[agent_id]``). An implementer writes only its steps' files and the files of its
fix items; two live implementers never own the same file.
"""

from __future__ import annotations

import os

from cc_pack_hooks import runtime


def packet_ids(prompt: object, key: str) -> list[str]:
    """The ids a handoff packet lists on its ``<key>:`` line (``steps: S1, S2``)."""
    if not isinstance(prompt, str):
        return []
    for line in prompt.splitlines():
        head, sep, rest = line.strip().lstrip("-* ").partition(":")
        if sep and head.strip().lower() == key:
            return [w for w in rest.replace(",", " ").split() if w]
    return []


def steps_of(state: dict) -> dict[str, dict]:
    steps = state.get("steps")
    return {s["id"]: s for s in steps if isinstance(s, dict)} if isinstance(steps, list) else {}


def fix_items(state: dict) -> dict[str, dict]:
    items = state.get("fix_list")
    if not isinstance(items, list):
        return {}
    return {i["id"]: i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}


def files_for(state: dict, step_ids: list[str], fix_ids: list[str]) -> list[str]:
    """The files the steps and fix items name, in order, once."""
    found: dict[str, None] = {}
    steps = steps_of(state)
    for sid in step_ids:
        # a step of a parallel wave works in its own tree: its files are the tree's copies
        tree = tree_of(steps.get(sid) or {})
        for path in (steps.get(sid) or {}).get("files") or []:
            found.setdefault(f"{tree}/{path}" if tree else path, None)
    items = fix_items(state)
    for fid in fix_ids:
        item = items.get(fid) or {}
        path = item.get("file")
        if isinstance(item.get("steps"), list):
            # a merge conflict or a wave that broke: the files of every step involved
            for sid in item["steps"]:
                for other in (steps.get(sid) or {}).get("files") or []:
                    found.setdefault(other, None)
        if isinstance(path, str) and path:
            found.setdefault(path, None)
        elif fid in items and not isinstance(item.get("steps"), list):
            # a blocker without a file (the failing test command) may need any step's file
            for step in steps.values():
                for other in step.get("files") or []:
                    found.setdefault(other, None)
    return list(found)


def tree_of(step: dict) -> str | None:
    """The project-relative tree a step works in, or None for the main tree."""
    tree = step.get("tree")
    return tree if isinstance(tree, str) and tree else None


def live(state: dict) -> dict[str, dict]:
    owners = state.get("owners")
    if not isinstance(owners, dict):
        return {}
    return {aid: o for aid, o in owners.items() if isinstance(o, dict) and o.get("live")}


def claims(state: dict) -> dict[str, str]:
    """File -> the live owner's first step (or fix item) that claims it, for the files live
    implementers own or are about to own (spawned, not bound yet)."""
    found: dict[str, str] = {}
    pending = state.get("spawns") if isinstance(state.get("spawns"), dict) else {}
    for record in [*live(state).values(), *(s for s in pending.values() if isinstance(s, dict))]:
        label = ", ".join([*record.get("steps", []), *record.get("fix", [])]) or "?"
        for path in record.get("files") or []:
            found.setdefault(path, label)
    return found


def prompt_key(prompt: str) -> str:
    """What identifies a handoff packet in the state (the prompt itself may be long)."""
    try:  # the builtin module: hashlib loads OpenSSL (3 ms)
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256
    return sha256(prompt.strip().encode("utf-8", "surrogateescape")).hexdigest()[:32]


def meta_tool_use_id(transcript_path: object, agent_id: str) -> str | None:
    """The Agent call's tool_use_id from Claude Code's per-subagent meta file, or None."""
    if not isinstance(transcript_path, str) or not transcript_path.endswith(".jsonl"):
        return None
    folder = os.path.join(transcript_path[: -len(".jsonl")], "subagents")
    try:
        data = runtime.loads(_read(os.path.join(folder, f"agent-{agent_id}.meta.json")))
    except (OSError, runtime.BadEvent):
        return None
    found = data.get("toolUseId") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def first_prompt(transcript_path: object, agent_id: str) -> str | None:
    """The child transcript's first record, the Agent call's prompt, or None."""
    if not isinstance(transcript_path, str) or not transcript_path.endswith(".jsonl"):
        return None
    path = os.path.join(transcript_path[: -len(".jsonl")], "subagents", f"agent-{agent_id}.jsonl")
    try:
        with open(path, encoding="utf-8") as fh:
            first = fh.readline()
        record = runtime.loads(first)
    except (OSError, UnicodeDecodeError, runtime.BadEvent):
        return None
    content = (record.get("message") or {}).get("content") if isinstance(record, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
    return None


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def resolve(state: dict, event: dict) -> dict | None:
    """The spawn record this subagent came from: through the meta file, else the prompt in
    its transcript matched against the spawns' prompts."""
    agent_id = event.get("agent_id")
    spawns = state.get("spawns") if isinstance(state.get("spawns"), dict) else {}
    if not isinstance(agent_id, str) or not spawns:
        return None
    tool_use_id = meta_tool_use_id(event.get("transcript_path"), agent_id)
    if tool_use_id and isinstance(spawns.get(tool_use_id), dict):
        return {**spawns[tool_use_id], "tool_use_id": tool_use_id}
    prompt = first_prompt(event.get("transcript_path"), agent_id)
    if prompt is None:
        return None
    key = prompt_key(prompt)
    for tid, record in spawns.items():
        if isinstance(record, dict) and record.get("prompt_key") == key:
            return {**record, "tool_use_id": tid}
    return None


def owner_record(project: str, spawn: dict) -> dict:
    """The owner record of an implementer bound to ``spawn`` (its spawn record): the files'
    signatures from the spawn when it has them (taken when the work was handed over)."""
    from cc_pack_hooks import paths

    files = list(spawn.get("files") or [])
    base = spawn.get("base") if isinstance(spawn.get("base"), dict) else {}
    return {
        "steps": list(spawn.get("steps") or []),
        "fix": list(spawn.get("fix") or []),
        "tree": spawn.get("tree"),
        "files": files,
        "live": True,
        "tool_use_id": spawn.get("tool_use_id"),
        "base": {f: base.get(f) or paths.signature(os.path.join(project, f)) for f in files},
    }


def bind(state: dict, agent_id: str, record: dict) -> None:
    """Under the lock: make ``agent_id`` the owner ``record`` describes (once)."""
    owned = state.setdefault("owners", {})
    if agent_id in owned:
        return
    owned[agent_id] = record
    (state.get("spawns") or {}).pop(record.get("tool_use_id"), None)
    for step in state.get("steps") or []:
        if step.get("id") in record["steps"]:
            step["status"] = "active"
            step.setdefault("owners", []).append(agent_id)
