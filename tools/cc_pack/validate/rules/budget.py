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
