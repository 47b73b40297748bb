"""The frontmatter reader: the fast path (``simple``) gives exactly what the libyaml path gives
wherever it takes a document, and both follow Claude Code's rules (the closing ``---``, YAML 1.2
typing, the quoting retry). tests/e2e/test_plugin_validate.py compares the whole reader with
the real client."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc_pack.validate import frontmatter
from cc_pack.validate.frontmatter import build, compose, materialize, simple

WORDS = ["Reviews", "code", "when", "x", "1", "true", "null", "yes", "0x1F", "1.5", "~", "a-b"]
SPECIALS = [":", ": ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "-", "*", "&", "!", "|", ">"]


@st.composite
def text(draw) -> str:
    """Words, or (half the time) words and YAML punctuation, so both paths get exercised."""
    pool = WORDS + SPECIALS if draw(st.booleans()) else WORDS
    parts = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5))
    return " ".join(parts) if draw(st.booleans()) else "".join(parts)


@st.composite
def value(draw) -> str:
    kind = draw(st.sampled_from(["plain", "quoted", "flow", "block", "list", "empty", "spaced"]))
    if kind == "plain":
        return " " + draw(text())
    if kind == "spaced":
        return draw(st.sampled_from(["  ", "   ", "", " \t"])) + draw(text())
    if kind == "quoted":
        quote = draw(st.sampled_from(["'", '"']))
        return f" {quote}{draw(text())}{quote}"
    if kind == "flow":
        return " [" + ", ".join(draw(st.lists(text(), max_size=3))) + "]"
    if kind == "block":
        header = draw(st.sampled_from([">", ">-", "|", "|-"]))
        body = draw(st.lists(text(), min_size=1, max_size=3))
        indent = " " * draw(st.integers(1, 3))
        return f" {header}\n" + "\n".join(indent + line for line in body)
    if kind == "list":
        return "\n" + "\n".join(f"  - {item}" for item in draw(st.lists(text(), min_size=1)))
    return ""


@st.composite
def document(draw) -> str:
    keys = draw(
        st.lists(
            st.sampled_from(["name", "description", "tools", "model", "x_y"]),
            min_size=1,
            max_size=4,
        )
    )
    lines = [f"{key}:{draw(value())}" for key in keys]
    return "\n".join(lines) + ("\n" if draw(st.booleans()) else "")


def shape(node) -> tuple:
    """Everything a rule reads from a node, recursively."""
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line)
    if node.id == "scalar":
        end = node.end_mark.column if node.start_mark.line == node.end_mark.line else None
        return ("scalar", node.value, marks, end, node.style or "", node.tag)
    if node.id == "sequence":
        return ("sequence", marks, bool(node.flow_style), tuple(shape(v) for v in node.value))
    return ("mapping", tuple((shape(k), shape(v)) for k, v in node.value))


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=3000, deadline=None)
@given(document())
def test_the_fast_path_gives_what_libyaml_gives(source):
    fast = simple(source)
    if fast is None:
        return  # not its kind of document: libyaml reads it
    spec, data, duplicates = fast
    reference = compose(source)
    assert shape(materialize(spec)) == shape(reference), source
    assert same(data, build(reference)), source
    keys = [k.value for k, _ in reference.value]
    assert [key for key, _ in duplicates] == [k for i, k in enumerate(keys) if k in keys[:i]]


@pytest.mark.parametrize(
    "source",
    [
        "name: a\ndescription: Plain.\ntools: Read, Bash\n",
        "name: a\ndescription: >-\n  One\n  two\nskills: [x, y]\n",
        "tools:\n  - Read\n  - Bash\nmodel: sonnet\n",
        "description: 'quoted: text'\nempty:\nn: 12\nb: True\no: yes\n",
    ],
)
def test_the_fast_path_takes_the_common_shapes(source):
    assert simple(source) is not None


@pytest.mark.parametrize(
    "source",
    [
        "description: a: b\n",  # the retry's business
        "description: Keep #this\n",  # a comment
        "description: one\n  two\n",  # a multi-line plain scalar
        "hooks:\n  Stop: []\n",  # nested mapping
        "name: a\r\n",
        "\tname: a\n",
        "description: !tag x\n",
        "a: [b, [c]]\n",
    ],
)
def test_the_fast_path_leaves_the_rest_to_libyaml(source):
    assert simple(source) is None


def doc(text: str):
    return frontmatter.parse(Path("x.md"), text)


def test_the_block_ends_at_the_first_dashes_anywhere():
    parsed = doc("---\nname: a\ndescription: one---two\n---\nbody\n")
    assert parsed.data == {"name": "a", "description": "one"}
    assert parsed.close_pos == (3, 17)
    assert parsed.body.startswith("two\n")


def test_yaml_1_2_typing():
    parsed = doc("---\na: yes\nb: True\nc: 012\nd: 2024-01-02\ne: ~\nf: !x y\n---\n")
    assert parsed.data == {"a": "yes", "b": True, "c": 12, "d": "2024-01-02", "e": None, "f": "y"}


def test_the_quoting_retry_and_where_it_fails():
    repaired = doc("---\nname: a\ndescription: Use when: ready\n---\n")
    assert repaired.data == {"name": "a", "description": "Use when: ready"}
    assert (repaired.repaired.line, repaired.repaired.column) == (3, 22)
    assert repaired.value_pos("description") == (3, 14)  # the column in the file, not the retry's
    for broken in (
        "---\ndescription: Use this\n  <example>Context: x</example>\n---\n",
        "---\r\ndescription: a: b\r\n---\r\n",  # CRLF lines are not quoted
        "---\nkey2: a: b\n---\n",  # nor keys with digits
        '---\ndescription: "a\nb"\n---\n',  # a quoted value continued at column 0
    ):
        assert doc(broken).error is not None, broken
    assert doc("---\nhooks:\n\tStop: []\n---\n").data == {"hooks": {"Stop": []}}
