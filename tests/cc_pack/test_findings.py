"""Findings contracts and their aggregation, against golden files written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cc_pack import findings
from cc_pack.errors import InputError

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "findings"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_aggregation(case: str):
    records = findings.for_iteration(findings.load_folder(CASES / case / "input"), 1)
    expected = json.loads((CASES / case / "expected.json").read_text())
    assert findings.aggregate(records, 1) == expected


def record(agent: str, *items: dict) -> dict:
    return {
        "agent_id": agent,
        "agent_type": agent,
        "iteration": 1,
        "valid": True,
        "source": "subagent-stop",
        "contract": {"reviewer": agent, "summary": "", "findings": list(items)},
    }


def item(severity: str, line: int, message: str, **extra) -> dict:
    return {
        "severity": severity,
        "file": "a.py",
        "line": line,
        "message": message,
        "evidence": "e",
        **extra,
    }


def test_a_finding_matching_two_groups_joins_them():
    # r1's two findings differ; r2's one shares the message of the first and the rule of the
    # second: all three are one problem
    merged = findings.aggregate(
        [
            record(
                "r1", item("LOW", 4, "unchecked result"), item("MEDIUM", 4, "other", rule_id="R")
            ),
            record("r2", item("HIGH", 4, "Unchecked result.", rule_id="R")),
        ]
    )
    assert [(f["severity"], f["reviewers"]) for f in merged["findings"]] == [("HIGH", ["r1", "r2"])]
    assert merged["counts"] == {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 0, "LOW": 0}


def test_same_rule_on_another_line_is_another_finding():
    merged = findings.aggregate(
        [record("r1", item("LOW", 1, "x", rule_id="R"), item("LOW", 2, "y", rule_id="R"))]
    )
    assert len(merged["findings"]) == 2


def test_contract_with_wrong_types_lists_every_field_error():
    bad = {
        "reviewer": "r",
        "summary": 3,
        "findings": [
            {"severity": "HIGH", "file": "a.py", "line": 1, "message": "m", "evidence": "e"},
            {"severity": "HIGH", "file": "a.py", "line": 0, "message": "m", "evidence": "e"},
            {"severity": "critical", "file": "", "line": "2", "message": "m", "extra": 1},
        ],
    }
    with pytest.raises(InputError) as caught:
        findings.parse_contract(json.dumps(bad), "c.json")
    message = caught.value.message
    for expected in (
        "summary: 3 is not of type 'string'",
        "findings[1].line: 0 is less than the minimum of 1",
        "findings[2].severity: 'critical' is not one of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']",
        "findings[2].line: '2' is not of type 'integer'",
        "findings[2]: 'evidence' is a required property",
        "findings[2].file: '' should be non-empty",
        "findings[2]: Additional properties are not allowed ('extra' was unexpected)",
    ):
        assert expected in message
    assert caught.value.path == "c.json"


def test_malformed_json_names_the_line():
    with pytest.raises(InputError) as caught:
        findings.parse_contract('{"reviewer": "r",\n "summary": }', "c.json")
    assert caught.value.line == 2
    assert "not valid JSON" in caught.value.message


def test_empty_findings_list_is_a_valid_contract():
    assert findings.contract_errors({"reviewer": "r", "summary": "", "findings": []}) == []


def test_an_unreadable_record_is_reported_not_fatal(tmp_path: Path):
    folder = tmp_path / "findings"
    folder.mkdir()
    (folder / "x.json").write_text("{torn")
    records = findings.load_folder(folder)
    assert records[0]["valid"] is False
    assert "x.json: unreadable" in records[0]["errors"][0]
