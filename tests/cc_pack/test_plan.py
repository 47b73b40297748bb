"""Reading the machine-readable plan out of plan.md, and the split signals."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc_pack import plan
from cc_pack.errors import InputError

ROOT = Path("/project")


def md(body: str) -> str:
    return f"# Plan\n\nWhy: because.\n\n```json\n{body}\n```\n\nThe end.\n"


def test_the_json_block_is_extracted_and_normalised():
    parsed = plan.parse(md('{"steps": [{"id": "S1", "files": ["./src/a.py"]}]}'), "plan.md", ROOT)
    assert parsed == {
        "steps": [
            {
                "id": "S1",
                "title": "",
                "files": ["src/a.py"],
                "depends_on": [],
                "validation": "",
                "parallel": False,
            }
        ]
    }
    assert plan.check(parsed) == [
        'step "S1" has no validation command: add the command that proves it'
    ]


def test_other_code_blocks_are_ignored_but_two_json_blocks_are_refused():
    text = "```python\nx = {}\n```\n" + md('{"steps": []}')
    assert plan.parse(text, "plan.md", ROOT) == {"steps": []}
    with pytest.raises(InputError) as caught:
        plan.parse(md("{}") + md("{}"), "plan.md", ROOT)
    assert "has 2 ```json blocks (lines 5, 14)" in caught.value.message


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (md('{"steps": [}'), 6, "the plan is not valid JSON"),
        ("no block here", None, "has no ```json block"),
        ("```json\n{}\n", 1, "is never closed"),
        (md('{"steps": {}}'), 6, 'a JSON object with a "steps" list'),
        (
            md('{"steps": [{"id": 1, "files": "a.py", "parallel": "yes", "x": 0}]}'),
            6,
            "steps[0].id: expected str, got int",
        ),
        (
            md('{"steps": [{"id": "S", "files": ["../etc/passwd"]}]}'),
            6,
            "../etc/passwd is outside the project",
        ),
    ],
)
def test_malformed_plans_name_file_line_and_problem(text, line, expected):
    with pytest.raises(InputError) as caught:
        plan.parse(text, "plan.md", ROOT)
    assert expected in caught.value.message
    assert caught.value.line == line
    assert caught.value.path == "plan.md"


def test_type_errors_are_all_listed():
    with pytest.raises(InputError) as caught:
        plan.parse('{"steps": [{"id": 1, "files": "a.py", "parallel": "yes", "x": 0}]}', "p", ROOT)
    message = caught.value.message
    assert "steps[0]: unknown keys x" in message
    assert "steps[0].files: expected a list of strings" in message
    assert "steps[0].parallel: expected bool, got str" in message


def test_parallel_steps_ordered_by_depends_on_may_share_files():
    steps = [
        {"id": "A", "files": ["x.py"], "depends_on": [], "validation": "t", "parallel": True},
        {"id": "B", "files": ["x.py"], "depends_on": ["A"], "validation": "t", "parallel": True},
    ]
    assert plan.check({"steps": steps}) == []


def test_split_advice_keeps_folders_together():
    step = {"id": "S", "files": [f"a/{n}.py" for n in range(6)] + ["b/x.py"]}
    assert plan.split_advice(step) == (
        'step "S" changes 7 files (more than 4): split it into 2 steps, e.g. '
        "Sa: a/0.py, a/1.py, a/2.py, a/3.py; Sb: a/4.py, a/5.py, b/x.py "
        "(each with its own validation; add depends_on where one needs another)"
    )
