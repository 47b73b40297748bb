"""RL: roles, cc-pack's policy. The reviewers the config's ``roles.reviewers`` lists (defaults:
the pack's four) must be read-only and answer with the output contract; the orchestrator entry
point (``roles.orchestrator``, default ``orchestrate``) must run in the main thread, started by
the user. Claude Code itself accepts all of it: these are errors only where the project opted
into cc-pack."""

from __future__ import annotations

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule
from cc_pack.validate.unit import agent_name

CONTRACT_SKILL = "output-contract"

RULES = (
    Rule(
        "RL001",
        "error",
        "reviewer has no explicit tools list",
        "reviewer '{name}' has no 'tools' list, so it inherits Write, Edit and Agent",
        "give it a read-only list, e.g. `tools: Read, Bash`",
        "---\nname: security-reviewer\ndescription: Reviews security.\n---\n",
        kind="policy",
    ),
    Rule(
        "RL002",
        "error",
        "reviewer can write files or spawn agents",
        "reviewer '{name}' has '{tool}' in tools; reviewers must not change files or spawn agents",
        "remove {tool} from tools (reviewers report findings, the implementer edits)",
        "---\nname: security-reviewer\ndescription: Reviews.\ntools: Read, Edit\n---\n",
        kind="policy",
    ),
    Rule(
        "RL003",
        "error",
        "reviewer does not preload the output contract",
        "reviewer '{name}' does not preload the '{skill}' skill, so its findings JSON is unchecked "
        "by the model",
        "add `skills: [{skill}]`",
        "---\nname: security-reviewer\ndescription: Reviews.\ntools: Read\n---\n",
        kind="policy",
    ),
    Rule(
        "RL004",
        "error",
        "the orchestrator is defined as an agent",
        "agent '{name}' is the orchestrator; as a subagent it could not spawn the workers",
        "make {name} a skill (skills/{name}/SKILL.md) run in the main thread and remove this agent",
        "agents/orchestrate.md\n",
        kind="policy",
    ),
    Rule(
        "RL005",
        "error",
        "the orchestrator runs in a fork",
        "the orchestrator '{name}' has `context: fork`, so it runs as a subagent",
        "remove `context: fork` (the orchestrator must run in the main thread)",
        "---\ndescription: Orchestrate.\ncontext: fork\ndisable-model-invocation: true\n---\n",
        kind="policy",
    ),
    Rule(
        "RL006",
        "error",
        "the model can start the orchestrator",
        "the orchestrator '{name}' lacks `disable-model-invocation: true`, so the model may start "
        "a run on its own",
        "add `disable-model-invocation: true` (only the user starts a run)",
        "---\ndescription: Orchestrate a change.\n---\n",
        kind="policy",
    ),
)


def check(unit, emit) -> None:
    settings = unit.settings
    orchestrator = settings.orchestrator
    for doc in unit.agents:
        if doc.data is None:
            continue
        name = agent_name(doc) or doc.path.stem
        if orchestrator in (name, doc.path.stem):
            emit("RL004", doc.path, doc.value_pos("name"), name=orchestrator)
        if not settings.is_reviewer(name):
            continue
        data = doc.data
        if "tools" not in data:
            emit("RL001", doc.path, doc.key_pos("name"), name=name)
        else:
            denied = {e for _, e in vocab.split_tools(data.get("disallowedTools")) or []}
            forbidden = vocab.WRITE_TOOLS | (
                vocab.SPAWN_TOOLS if settings.allow_nesting else frozenset()
            )  # without nesting SP002 already reports Agent/Task
            for index, entry in vocab.split_tools(data["tools"]) or []:
                parsed = vocab.parse_tool(entry) if isinstance(entry, str) else None
                if parsed and parsed[0] in forbidden and parsed[0] not in denied:
                    pos = doc.item_pos("tools", index, entry)
                    emit("RL002", doc.path, pos, name=name, tool=parsed[0])
        skills = vocab.split_tools(data.get("skills")) or []
        if not any(s in (CONTRACT_SKILL, f"{unit.name}:{CONTRACT_SKILL}") for _, s in skills):
            emit(
                "RL003",
                doc.path,
                doc.key_pos("skills") if "skills" in data else doc.key_pos("name"),
                name=name,
                skill=CONTRACT_SKILL,
            )
    entries = [
        doc
        for skill in unit.skills
        if skill.name == orchestrator and skill.doc
        for doc in [skill.doc]
    ]
    entries += [doc for doc in unit.commands if doc.path.stem == orchestrator]
    for doc in entries:
        if doc.data is None:
            continue
        if doc.data.get("context") == "fork":
            emit("RL005", doc.path, doc.value_pos("context"), name=orchestrator)
        if not vocab.is_true(doc.data.get("disable-model-invocation")):
            emit("RL006", doc.path, doc.key_pos("disable-model-invocation"), name=orchestrator)
