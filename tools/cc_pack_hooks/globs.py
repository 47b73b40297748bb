"""Scope globs, matched without ``re`` (importing it costs half an interpreter start).

Patterns and paths are project-relative with ``/`` separators, compared case-sensitively:

    *       any run of characters inside one path segment
    ?       one character inside a segment
    [abc] [a-z] [!abc]   one character from (or not from) a set
    **      as a whole segment: zero or more segments (``src/**`` is everything under src/)

A pattern matches the whole path: ``app.py`` is only the root's app.py, ``**/app.py`` is any.
The CLI (``cc-pack scope check``) and the scope guard both use this module, so they agree.
"""

from __future__ import annotations


def match(pattern: str, path: str) -> bool:
    """Whether project-relative ``path`` is matched by ``pattern``."""
    pattern = pattern.strip().strip("/") if pattern.strip() != "/" else ""
    while pattern.startswith("./"):
        pattern = pattern[2:]
    if not pattern:
        return False
    return _segments(pattern.split("/"), path.split("/"), 0, 0, {})


def match_any(patterns, path: str) -> bool:
    return any(match(p, path) for p in patterns)


def _clean(pattern: str) -> list[str]:
    pattern = pattern.strip().strip("/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.split("/") if pattern else []


def may_match_below(pattern: str, directory: str) -> bool:
    """Whether some path strictly below project-relative ``directory`` ("" is the root) could
    match ``pattern``: the sandbox walks only such directories."""
    pat = _clean(pattern)
    segs = directory.split("/") if directory else []
    memo: dict = {}

    def below(i: int, j: int) -> bool:
        key = (i, j)
        if key not in memo:
            if j == len(segs):
                result = i < len(pat)  # what is left of the pattern matches one segment or more
            elif i == len(pat):
                result = False
            elif pat[i] == "**":
                result = below(i + 1, j) or below(i, j + 1)
            else:
                result = _one(pat[i], segs[j]) and below(i + 1, j + 1)
            memo[key] = result
        return memo[key]

    return bool(pat) and below(0, 0)


def covers(patterns, directory: str) -> bool:
    """Whether every path below project-relative ``directory`` is matched: some ``X/**`` with X
    matching ``directory`` or one of its parents, or a bare ``**``."""
    parts = directory.split("/") if directory else []
    prefixes = ["/".join(parts[:k]) for k in range(0, len(parts) + 1)]
    for pattern in patterns:
        pat = _clean(pattern)
        if pat == ["**"]:
            return True
        if len(pat) >= 2 and pat[-1] == "**":
            head = "/".join(pat[:-1])
            if any(prefix and match(head, prefix) for prefix in prefixes):
                return True
    return False


def _segments(pat: list[str], segs: list[str], i: int, j: int, memo: dict) -> bool:
    key = (i, j)
    if key in memo:
        return memo[key]
    if i == len(pat):
        result = j == len(segs)
    elif pat[i] == "**":
        result = any(_segments(pat, segs, i + 1, k, memo) for k in range(j, len(segs) + 1))
    else:
        result = (
            j < len(segs) and _one(pat[i], segs[j]) and _segments(pat, segs, i + 1, j + 1, memo)
        )
    memo[key] = result
    return result


def _one(pat: str, name: str) -> bool:
    """Wildcard match of one segment: ``*``, ``?`` and ``[...]``, with backtracking on ``*``."""
    p = n = 0
    star_p = star_n = -1
    while n < len(name):
        if p < len(pat) and pat[p] == "*":
            star_p, star_n = p, n
            p += 1
            continue
        if p < len(pat):
            step = _char(pat, p, name[n])
            if step:
                p += step
                n += 1
                continue
        if star_p >= 0:
            star_n += 1
            p, n = star_p + 1, star_n
            continue
        return False
    while p < len(pat) and pat[p] == "*":
        p += 1
    return p == len(pat)


def _char(pat: str, p: int, ch: str) -> int:
    """Length of the pattern token at ``p`` if it matches ``ch``, else 0."""
    token = pat[p]
    if token == "?":
        return 1
    if token == "[":
        close = pat.find("]", p + 2)
        if close == -1:
            return 1 if ch == "[" else 0
        body = pat[p + 1 : close]
        negate = body[:1] in ("!", "^")
        if negate:
            body = body[1:]
        hit = False
        k = 0
        while k < len(body):
            if k + 2 < len(body) and body[k + 1] == "-":
                hit = hit or body[k] <= ch <= body[k + 2]
                k += 3
            else:
                hit = hit or body[k] == ch
                k += 1
        return close - p + 1 if hit != negate else 0
    return 1 if token == ch else 0
