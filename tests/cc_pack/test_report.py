"""The three report forms; SARIF validated against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft4Validator

from cc_pack import findings, report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sample() -> dict:
    case = FIXTURES / "findings" / "merge-across-reviewers" / "input"
    aggregated = findings.aggregate(findings.for_iteration(findings.load_folder(case), 1), 1)
    return {
        "status": "FAIL",
        "task": "fix | the thing",
        "run_id": "20261122-100000-abcd",
        "phase": "report",
        "iterations": 3,
        "max_iterations": 3,
        "counts": aggregated["counts"],
        "findings": aggregated["findings"],
        "reviewers": aggregated["reviewers"],
        "blockers": findings.blocking(aggregated),
        "verify": None,
        "scope": ["src/**"],
        "artifacts": {"report.json": ".claude/cc-pack/runs/x/report.json"},
        "generated_at": "2026-11-22T10:00:00Z",
    }


def test_sarif_is_valid_sarif_2_1_0_with_one_result_per_finding():
    schema = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())
    data = sample()
    sarif = json.loads(report.to_sarif(data))
    errors = [e.message for e in Draft4Validator(schema).iter_errors(sarif)]
    assert errors == []
    results = sarif["runs"][0]["results"]
    assert len(results) == len(data["findings"]) == 3
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    first = results[0]
    assert first["ruleId"] == "S608"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "endLine": 7}
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/a.py"
    assert results[1]["ruleId"] == report.DEFAULT_RULE
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} == {
        "S608",
        report.DEFAULT_RULE,
    }


def test_low_maps_to_note_and_end_line_is_kept():
    data = sample()
    data["findings"] = [
        {
            "severity": "LOW",
            "file": "dir with space/a.py",
            "line": 2,
            "end_line": 5,
            "message": "m",
            "evidence": "e",
            "reviewers": ["r"],
        }
    ]
    result = json.loads(report.to_sarif(data))["runs"][0]["results"][0]
    assert result["level"] == "note"
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 2, "endLine": 5}
    assert location["artifactLocation"]["uri"] == "dir%20with%20space/a.py"


def test_markdown_has_summary_table_and_evidence_for_every_critical_and_high():
    text = report.to_markdown(sample())
    assert text.startswith("# cc-pack report: FAIL\n")
    assert "| 1 | 1 | 1 | 0 |" in text
    assert "| CRITICAL | `src/a.py:7` | Injection: the query concatenates request.args |" in text
    evidence = text.split("## Evidence (CRITICAL and HIGH)")[1].split("## Blockers")[0]
    assert "> request.args['id'] flows into execute()" in evidence
    assert "> user may be None after lookup()" in evidence
    assert "x2 is used" not in evidence  # MEDIUM: in the table only
    assert "**Task:** fix | the thing" in text


def test_json_has_the_contract_fields():
    data = json.loads(report.to_json(sample()))
    for key in ("status", "task", "iterations", "counts", "findings", "blockers", "artifacts"):
        assert key in data
    assert set(data["counts"]) == {"CRITICAL", "HIGH", "MEDIUM", "LOW"}


def test_each_wave_shows_its_wall_time_against_sequential_and_its_tokens():
    row = {"phase": "implement", "type": "implementer", "model": "m", "messages": 1,
           "input": 1000, "output": 200, "cache_read": 0,
           "cache_write": 0}  # fmt: skip
    state = {
        "waves": [{"n": 1, "steps": ["S1", "S2"], "parallel": True, "status": "merged",
                   "started_at": "2026-12-01T10:00:00Z", "ended_at": "2026-12-01T10:01:00Z"}],
        "owners": {
            "a1": {"steps": ["S1"], "at": "2026-12-01T10:00:00Z",
                   "returned_at": "2026-12-01T10:00:50Z"},
            "a2": {"steps": ["S2"], "at": "2026-12-01T10:00:00Z",
                   "returned_at": "2026-12-01T10:00:40Z"},
            "r1": {"steps": [], "at": "2026-12-01T10:02:00Z"},
        },
        "usage": {"tally": [{**row, "agent": "a1"}, {**row, "agent": "a2"},
                            {**row, "agent": "r1", "type": "correctness-reviewer"}]},
    }  # fmt: skip
    [wave] = report.wave_costs(state)
    assert (wave["wall_seconds"], wave["sequential_seconds"]) == (60, 90)
    assert wave["tokens"] == 2 * 1200  # its two implementers, not the reviewer
    assert (
        "60 s wall against 90 s for its steps one after the other, 2,400 tokens"
        in (wave["summary"])
    )
