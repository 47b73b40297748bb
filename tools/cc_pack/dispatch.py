"""Which reviewers the current changes call for: config ``dispatch.reviewers`` maps each reviewer
to globs of changed files; files matching ``dispatch.skip`` call for nobody."""

from __future__ import annotations

from cc_pack_hooks import globs


def choose(config: dict, changed: list[str]) -> tuple[list[str], list[str]]:
    """(reviewers in config order, the changed files that counted)."""
    rules = config.get("dispatch", {})
    counted = [p for p in changed if not globs.match_any(rules.get("skip", []), p)]
    chosen = [
        name
        for name, patterns in rules.get("reviewers", {}).items()
        if any(globs.match_any(patterns, p) for p in counted)
    ]
    return chosen, counted
