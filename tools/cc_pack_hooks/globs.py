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
