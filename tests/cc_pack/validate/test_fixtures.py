"""Golden fixtures: every case under tests/fixtures/validate/<family>/{valid,invalid}/ and the 46
reference C.6 plugins report exactly the codes, lines, columns and severities in their
expected.txt (``path:line:col: CODE severity``)."""

from __future__ import annotations

import pytest

from cc_pack.validate.rules import FAMILIES, RULES
from validate_cases import C6, FIXTURES, as_lines, cases, expected, findings

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_case_reports_exactly_the_expected_findings(case):
    _, want = expected(case)
    assert as_lines(case, findings(case)) == want


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.parent.name == "valid"],
    ids=lambda c: str(c.relative_to(FIXTURES)),
)
def test_valid_cases_are_clean(case):
    assert expected(case)[1] == []


def test_every_family_has_valid_and_invalid_cases():
    for family in FAMILIES.values():
        for kind in ("valid", "invalid"):
            assert list((FIXTURES / family / kind).glob("*/expected.txt")), (family, kind)


def test_every_code_has_a_golden_fixture():
    covered = {line.split(" ")[1] for case in CASES for line in expected(case)[1]}
    assert sorted(set(RULES) - covered) == []


def test_every_policy_rule_is_shown_as_an_error_and_as_a_warning():
    """Policy rules are errors where the project opted into cc-pack, warnings elsewhere: the
    fixtures show both sides of every policy code that has a fixture outside an opted-in case."""
    seen: dict[str, set[str]] = {}
    for case in CASES:
        for line in expected(case)[1]:
            code, severity = line.split(" ")[1:3]
            seen.setdefault(code, set()).add(severity)
    for code in ("SP001", "SP002", "RL002", "RL003"):
        assert seen[code] == {"error", "warning"}, code


def test_c6_has_the_46_reference_cases_and_each_runtime_defect_is_flagged():
    c6 = sorted(p for p in C6.iterdir() if p.is_dir())
    assert len(c6) == 46
    for case in c6:
        header, want = expected(case)
        assert header["claude"] in ("pass", "warning", "error"), case.name
        if not header["runtime"].startswith("none"):
            assert want, f"{case.name} has a runtime consequence but no finding"
    baseline = C6 / "00-valid-baseline"
    assert findings(baseline) == []
