"""SP: spawning subagents. Claude Code nests by default: a subagent whose ``tools`` is omitted,
or lists ``Agent``/``Task``, can spawn subagents (to depth 5), and ``Agent(type)`` restrictions
are only enforced for a ``--agent`` main thread. cc-pack's policy is that only the main thread
spawns (SP001/SP002; config ``spawn.allow_nesting: true`` relaxes it) and that declared flows
stay acyclic (SP005)."""

from __future__ import annotations

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule
from cc_pack.validate.unit import agent_name

RULES = (
    Rule(
        "SP001",
        "error",
        "agent inherits the Agent tool",
        "'tools' is omitted, so this subagent inherits every tool including Agent and can spawn "
        "subagents (Claude Code nests by default; cc-pack's policy: only the main thread spawns)",
        "list the tools it needs explicitly (`tools: Read, Bash`) or add `disallowedTools: Agent`",
        "---\nname: worker\ndescription: Does work.\n---\n",
        kind="policy",
    ),
    Rule(
        "SP002",
        "error",
        "agent lists Agent or Task",
        "'{tool}' in tools lets this subagent spawn subagents (cc-pack's policy: only the main "
        "thread spawns)",
        "remove {tool} from tools (or set spawn.allow_nesting: true in .claude/cc-pack.yaml)",
        "---\nname: worker\ndescription: Does work.\ntools: Read, Agent\n---\n",
        kind="policy",
    ),
    Rule(
        "SP003",
        "warning",
        "Agent(...) names an unknown agent",
        "Agent({target}) names an agent this pack does not define (when this agent runs as the "
        "main thread it cannot spawn it, unless another pack defines it)",
        "use the name of an agent in this pack or a built-in one ({builtins})",
        "---\nname: lead\ndescription: Leads.\ntools: Read, Agent(no-such-agent)\n---\n",
    ),
    Rule(
        "SP004",
        "warning",
        "Agent(...) restriction is not enforced in a subagent",
        "Agent({spec}) only restricts a --agent main thread; as a subagent it may spawn any type",
        "enforce the allowed types with a PreToolUse hook on Agent (spawn gate) instead",
        "---\nname: lead\ndescription: Leads.\ntools: Read, Agent(worker)\n---\n",
    ),
    Rule(
        "SP005",
        "error",
        "agents can spawn each other in a cycle",
        "spawn cycle: {cycle} (cc-pack's policy: flows between agents must not loop)",
        "remove one Agent(...) entry from the cycle",
        "a.md: tools: Agent(b)\nb.md: tools: Agent(a)\n",
        kind="policy",
    ),
)


def _spawn_entries(entries) -> list[tuple[int, str, str | None]]:
    """(index, tool, spec) of the Agent/Task entries of a tools-style list."""
    out = []
    for index, entry in entries or []:
        if isinstance(entry, str) and entry.startswith(("Agent", "Task")):
            parsed = vocab.parse_tool(entry)
            if parsed is not None and parsed[0] in vocab.SPAWN_TOOLS:
                out.append((index, *parsed))
    return out


def check(unit, emit) -> None:
    settings = unit.settings
    known = {agent_name(doc) or doc.path.stem for doc in unit.agents if doc.data is not None}
    edges: dict[str, list[str]] = {}
    where: dict[str, tuple] = {}
    for doc in unit.agents:
        data = doc.data
        if data is None:
            continue
        name = agent_name(doc) or doc.path.stem
        tools = vocab.split_tools(data.get("tools")) if "tools" in data else None
        if "tools" in data and tools is None:
            continue  # AG009 reported the malformed value
        blocked = any(
            spec is None
            for _, _, spec in _spawn_entries(vocab.split_tools(data.get("disallowedTools")))
        )
        if tools is None:
            if not blocked and not settings.allow_nesting and not settings.is_reviewer(name):
                emit("SP001", doc.path, doc.key_pos("name"))
            continue
        for index, tool, spec in [] if blocked else _spawn_entries(tools):
            pos = doc.item_pos("tools", index, tool if spec is None else f"{tool}(")
            if not settings.allow_nesting:
                emit("SP002", doc.path, pos, tool=tool)
            elif spec is not None:
                emit("SP004", doc.path, pos, spec=spec)
            for target in (t.strip() for t in (spec or "").split(",")):
                if not target:
                    continue
                bare = (
                    target.split(":", 1)[1]
                    if unit.name and target.startswith(f"{unit.name}:")
                    else target
                )
                if bare not in known and bare not in vocab.BUILTIN_AGENTS:
                    emit(
                        "SP003",
                        doc.path,
                        pos,
                        target=target,
                        builtins=", ".join(sorted(vocab.BUILTIN_AGENTS)),
                    )
                elif bare in known:
                    edges.setdefault(name, []).append(bare)
                    where.setdefault(name, (doc.path, pos))
    if settings.allow_nesting:
        for cycle in _cycles(edges):
            path, pos = where[cycle[0]]
            emit("SP005", path, pos, cycle=" -> ".join([*cycle, cycle[0]]))


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle once, rotated to start at its smallest name."""
    found: set[tuple[str, ...]] = set()

    def walk(start: str, node: str, trail: list[str]) -> None:
        for nxt in edges.get(node, ()):
            if nxt == start:
                found.add(tuple(trail))
            elif nxt not in trail and nxt > start:
                walk(start, nxt, [*trail, nxt])

    for start in sorted(edges):
        walk(start, start, [start])
    return [list(c) for c in sorted(found)]
