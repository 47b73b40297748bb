"""The approval envelope: the scope globs a human gave ``cc-pack queue add --scope``, their
approval in advance of any plan of that task.

The queue runner writes the envelope into the task's run state at ``run start``, outside Claude
Code; nothing else does (there is no CLI option for it, and the state is read-only to every tool).
At the plan gate a plan whose whole scope lies inside it is approved, recorded as ``by
envelope`` with the globs; anything else waits for the human (``queue approve``).

"Inside" is decided conservatively: a literal path must match an envelope glob; a glob must be
one of the envelope's globs, or sit under an envelope's ``dir/**`` by its literal prefix. When in
doubt the plan waits for the human, never the other way round.
"""

from __future__ import annotations

from cc_pack_hooks import globs

GLOB_CHARS = "*?["


def _literal(pattern: str) -> bool:
    return not any(c in pattern for c in GLOB_CHARS)


def contains(envelope_glob: str, pattern: str) -> bool:
    """Whether every path ``pattern`` can match is matched by ``envelope_glob``."""
    if pattern.startswith("/") or ".." in pattern.split("/"):
        return False  # a path out of the tree is never inside, whatever a glob would match
    if pattern == envelope_glob:
        return True
    if _literal(pattern):
        return globs.match(envelope_glob, pattern)
    if envelope_glob == "**":
        return True
    if envelope_glob.endswith("/**"):
        base = envelope_glob[: -len("**")]
        return _literal(base) and pattern.startswith(base)
    return False


def outside(envelope_globs: list[str], patterns: list[str]) -> list[str]:
    """The scope patterns no envelope glob contains."""
    return [p for p in patterns if not any(contains(g, p) for g in envelope_globs)]


def check(state: dict, patterns: list[str]) -> tuple[list[str], list[str]] | None:
    """(the envelope's globs, the patterns outside them) for a run started with an envelope,
    else None. An empty envelope approves nothing: every pattern is outside."""
    envelope = state.get("envelope")
    if not isinstance(envelope, dict):
        return None
    granted = [g for g in envelope.get("globs") or [] if isinstance(g, str) and g]
    if not patterns:
        return granted, ["(an empty scope)"]
    return granted, outside(granted, patterns)
