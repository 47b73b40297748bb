"""BG: the text every session pays for. Agent, skill and command descriptions are listed to the
model in every conversation, and CLAUDE.md is loaded whole; estimated at 4 characters a token."""

from __future__ import annotations

from cc_pack.validate import vocab
from cc_pack.validate.rules import Rule

RULES = (
    Rule(
        "BG001",
        "warning",
        "always-loaded text exceeds the budget",
        "descriptions and CLAUDE.md load into every session: ~{tokens} tokens, over the budget "
        "of {budget} (largest: {largest})",
        "shorten the longest descriptions, set `disable-model-invocation: true` on user-only "
        "skills, or raise validate.budget_tokens in .claude/cc-pack.yaml",
        "1,000 agents with a 400-character description each\n",
        kind="advice",
    ),
    Rule(
        "BG002",
        "warning",
        "CLAUDE.md is long",
        "CLAUDE.md is ~{tokens} tokens (over 500), loaded into every session",
        "keep CLAUDE.md to the rules every session needs; move the rest into skills",
        "a 3,000-character CLAUDE.md\n",
        kind="advice",
    ),
    Rule(
        "BG003",
        "warning",
        "description is truncated in the skill listing",
        "description is {length} characters; the skill listing cuts it at 1536",
        "put what the model needs to choose the skill in the first 1536 characters",
        "---\ndescription: <2,000 characters>\n---\n",
    ),
    Rule(
        "BG004",
        "warning",
        "project memory is over its budget",
        "the project memory is ~{tokens} tokens, over memory.budget_tokens ({budget}): what "
        "cc-pack appends at each PASS no longer fits",
        "move settled decisions into CLAUDE.md or the archive file beside it, shorten entries, "
        "or raise memory.budget_tokens in .claude/cc-pack.yaml",
        ".claude/memory/decisions.md of 20,000 characters with the default budget of 4000\n",
        kind="advice",
    ),
)

LISTING_LIMIT = 1536
CLAUDE_MD_TOKENS = 500


def tokens(text: str) -> int:
    return (len(text) + 3) // 4


def check(unit, emit) -> None:
    loaded: list[tuple[int, object, object]] = []  # (tokens, path, document or None)
    for kind, doc in unit.documents():
        data = doc.data or {}
        description = data.get("description")
        if not isinstance(description, str):
            continue
        if kind != "agent" and vocab.is_true(data.get("disable-model-invocation")):
            continue  # not listed to the model
        if kind != "agent" and len(description) > LISTING_LIMIT:
            emit("BG003", doc.path, doc.value_pos("description"), length=len(description))
        loaded.append((tokens(description) + tokens(str(data.get("name", ""))), doc.path, doc))
    for path, text in unit.claude_md:
        count = tokens(text)
        if count > CLAUDE_MD_TOKENS:
            emit("BG002", path, (1, 1), tokens=count)
        loaded.append((count, path, None))
    _memory(unit, emit)
    total = sum(count for count, _, _ in loaded)
    if total > unit.settings.budget_tokens and loaded:
        count, path, doc = max(loaded, key=lambda item: item[0])
        emit(
            "BG001",
            path,
            doc.value_pos("description") if doc else (1, 1),
            tokens=total,
            budget=unit.settings.budget_tokens,
            largest=f"{path.name}, ~{count} tokens",
        )


def _memory(unit, emit) -> None:
    """The decisions file cc-pack keeps under a budget when it appends (entries without its
    marker are the user's and are never moved, so the file can still outgrow the budget)."""
    memory = unit.settings.memory
    if unit.kind != "project" or not memory:
        return
    path = unit.root / memory["path"]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # no memory yet; an unreadable one is cc-pack's problem at the next PASS
    used = len(text) // 4  # cc_pack.memory's estimate, not imported: it pulls in the run state
    if used > memory["budget_tokens"]:
        emit("BG004", path, (1, 1), tokens=used, budget=memory["budget_tokens"])
