"""The vocabulary helpers: ``split_tools`` (its fast paths) splits like the plain scan."""

from __future__ import annotations

import random

from cc_pack.validate.vocab import split_tools


def scan(value: str) -> tuple:
    """The reference: split on commas at parenthesis depth 0."""
    pieces, depth, start = [], 0, 0
    for pos, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth <= 0:
            pieces.append(value[start:pos])
            start = pos + 1
    pieces.append(value[start:])
    return tuple(enumerate(p.strip() for p in pieces if p.strip()))


def test_split_tools_splits_like_the_scan():
    atoms = [
        "Read",
        "Bash(git diff:*)",
        "Bash(a, b)",
        "Agent(x,y)",
        "(",
        ")",
        ",",
        " ",
        "E(a(b), c)",
    ]
    rng = random.Random(15)
    for _ in range(20000):
        value = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 8)))
        assert split_tools(value) == scan(value), value


def test_split_tools_takes_lists_and_refuses_other_types():
    assert split_tools(["Read", " Bash "]) == ((0, "Read"), (1, "Bash"))
    assert split_tools(3) is None
