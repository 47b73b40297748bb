"""The stdlib findings-contract validator against jsonschema, and extraction."""

from __future__ import annotations

import json
import random

import jsonschema
import pytest
from hookenv import SCHEMA
from hookenv import VALID_CONTRACT as VALID

from cc_pack_hooks import contract


def test_schema_uses_only_supported_keywords():
    contract.check_schema(SCHEMA)


def test_field_errors():
    bad = json.loads(json.dumps(VALID))
    bad["findings"] = [dict(VALID["findings"][0]) for _ in range(3)]
    bad["findings"][2]["severity"] = "critical"
    bad["findings"][1]["line"] = 0
    del bad["findings"][0]["evidence"]
    bad["extra"] = 1
    errors = contract.validate(bad, SCHEMA)
    assert "findings[2].severity: 'critical' is not one of CRITICAL, HIGH, MEDIUM, LOW" in errors
    assert "findings[1].line: 0 is less than the minimum of 1" in errors
    assert "findings[0]: missing required field 'evidence'" in errors
    assert any(e.startswith("(root): unexpected field 'extra'") for e in errors)


def _mutate(value, rng):
    """A random small change (often breaking the contract, sometimes not)."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        choice = rng.random()
        if choice < 0.2:
            del value[key]
        elif choice < 0.3:
            value["x" + key] = 1
        else:
            value[key] = _mutate(value[key], rng)
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        k = rng.randrange(len(value))
        value[k] = _mutate(value[k], rng)
        return value
    return rng.choice(["", "x", "critical", "LOW", 0, -1, 1, 2.0, 2.5, True, None, [], {}, "HIGH"])


def _random_contract(rng):
    findings = []
    for _ in range(rng.randrange(4)):
        item = {"severity": rng.choice(["CRITICAL", "HIGH", "MEDIUM", "LOW"]), "file": "a.py",
                "line": rng.randrange(1, 50), "message": "m", "evidence": "e"}  # fmt: skip
        for key, value in (("end_line", 60), ("rule_id", "R1"), ("suggested_fix", "f")):
            if rng.random() < 0.3:
                item[key] = value
        findings.append(item)
    return {"reviewer": "r", "summary": rng.choice(["", "s"]), "findings": findings}


def test_validator_agrees_with_jsonschema_on_a_corpus():
    rng = random.Random(4)
    reference = jsonschema.Draft202012Validator(SCHEMA)
    verdicts = {True: 0, False: 0}
    for k in range(1500):
        value = _random_contract(rng)
        for _ in range(k % 4):
            value = _mutate(value, rng)
        expected = reference.is_valid(value)
        assert (not contract.validate(value, SCHEMA)) == expected, value
        verdicts[expected] += 1
    assert verdicts[True] >= 250 and verdicts[False] >= 250


@pytest.mark.parametrize(
    "message,ok",
    [
        (json.dumps(VALID), True),
        ("Here it is:\n```json\n" + json.dumps(VALID) + "\n```\n", True),
        ("```json\n{}\n```\n```json\n{}\n```", False),
        ("LGTM", False),
        ("", False),
        ("{broken", False),
    ],
)
def test_extract(message, ok):
    value, problem = contract.extract(message)
    assert (problem is None and value == VALID) == ok
