"""Reviewer findings: the contract check (the JSON Schema beside the output-contract skill), the
stored records (``findings/<agent_id>.json``) and their aggregation.

Aggregation merges one problem reported several times: two findings are the same when they share
(file, line, normalised message) or (file, rule_id, line). The merged finding keeps the highest
severity, lists every reviewer, and the list is sorted severity -> file -> line."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from cc_pack import pack
from cc_pack.errors import InputError
from cc_pack.state import crashpoint, json_path, now
from cc_pack_hooks import store

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
BLOCKING = ("CRITICAL", "HIGH")
PLUGIN_PREFIX = "cc-pack:"


@cache
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(pack.findings_schema_path().read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def contract_errors(contract: object) -> list[str]:
    """Every field error, e.g. ``findings[2].severity: 'critical' is not one of [...]``."""
    errors = sorted(
        _validator().iter_errors(contract), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [f"{json_path(e.absolute_path)}: {e.message}" for e in errors]


def parse_contract(text: str, source: str) -> dict:
    try:
        contract = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            "the contract is one JSON object (see skills/output-contract)",
            path=source,
            line=exc.lineno,
        ) from None
    errors = contract_errors(contract)
    if errors:
        raise InputError(
            "does not match the findings contract:\n    " + "\n    ".join(errors),
            "fix the fields listed (schema: skills/output-contract/findings.schema.json)",
            path=source,
        )
    return contract


def reviewer_name(name: str) -> str:
    return name.removeprefix(PLUGIN_PREFIX)


def store_manual(rdir: Path, contract: dict, iteration: int) -> Path:
    """Store a contract added by hand as ``findings/manual-<sha8>.json`` (the hook's wrapper)."""
    canonical = json.dumps(contract, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha1(f"{iteration}\n{canonical}".encode()).hexdigest()[:8]
    agent_id = f"manual-{digest}"
    record = {
        "agent_id": agent_id,
        "agent_type": reviewer_name(contract["reviewer"]),
        "iteration": iteration,
        "stored_at": now(),
        "valid": True,
        "source": "human",
        "contract": contract,
    }
    folder = rdir / "findings"
    folder.mkdir(exist_ok=True)
    target = folder / f"{agent_id}.json"
    crashpoint("findings-before-write")
    store.write_atomic(str(target), json.dumps(record, indent=2) + "\n")
    return target


def load_records(rdir: Path) -> list[dict]:
    return load_folder(rdir / "findings")


def load_folder(folder: Path) -> list[dict]:
    """Every stored record, sorted by file name. A file that cannot be read is an invalid record
    (it names the file) rather than an error: one broken file must not hide the others."""
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            record = {
                "agent_id": path.stem,
                "agent_type": None,
                "iteration": None,
                "valid": False,
                "errors": [f"{path.name}: unreadable: {exc}"],
                "contract": None,
            }
        record.setdefault("agent_id", path.stem)
        records.append(record)
    return records


def for_iteration(records: list[dict], iteration: int) -> list[dict]:
    return [r for r in records if r.get("iteration") == iteration]


def usable(record: dict) -> bool:
    """Valid per the hook, and still valid now (a hand-edited file could have broken it)."""
    return record.get("valid") is True and not contract_errors(record.get("contract"))


def trusted(record: dict) -> bool:
    """Usable, and from an author the review gate counts (``provenance``)."""
    return usable(record) and provenance(record) is None


def provenance(record: dict) -> str | None:
    """Why the review gate does not count this record's author, or None. Only two authors count:
    the SubagentStop hook, storing the final message of a reviewer subagent whose ``reviewer``
    field names its own agent type, and the human's ``findings add`` (refused inside Claude
    Code). A record of neither (an earlier release's ``findings add``, which a session could
    run) does not count."""
    source = record.get("source")
    if source == "human":
        return None
    if source != "subagent-stop":
        return "it was not stored by the SubagentStop hook from a reviewer subagent"
    claimed = reviewer_name(str((record.get("contract") or {}).get("reviewer", "")))
    author = reviewer_name(str(record.get("agent_type") or ""))
    if claimed != author:
        return f"its reviewer field says {claimed!r} but {author!r} wrote it"
    return None


def record_reviewer(record: dict) -> str:
    name = record.get("agent_type") or (record.get("contract") or {}).get("reviewer") or "?"
    return reviewer_name(str(name))


def normalise(message: str) -> str:
    """Case, punctuation and spacing do not make two findings different."""
    kept = "".join(ch if ch.isalnum() else " " for ch in message.lower())
    return " ".join(kept.split())


def aggregate(records: list[dict], iteration: int | None = None) -> dict:
    """Merge the findings of the trusted records (all given; filter by iteration first)."""
    groups: list[list[tuple[str, dict]]] = []
    owner: dict[tuple, int] = {}
    reviewers: set[str] = set()
    invalid = []
    for record in records:
        if not trusted(record):
            why = provenance(record) if usable(record) else None
            invalid.append(
                {
                    "agent_id": record.get("agent_id"),
                    "agent_type": record.get("agent_type"),
                    "errors": [why]
                    if why
                    else record.get("errors") or contract_errors(record.get("contract")),
                }
            )
            continue
        name = record_reviewer(record)
        reviewers.add(name)
        for finding in record["contract"]["findings"]:
            path = finding["file"].removeprefix("./")
            keys = [("msg", path, finding["line"], normalise(finding["message"]))]
            if finding.get("rule_id"):
                keys.append(("rule", path, finding["rule_id"], finding["line"]))
            hits = sorted({owner[k] for k in keys if k in owner})
            if hits:
                target = hits[0]
                for other in hits[1:]:  # this finding joins two groups: merge them
                    groups[target].extend(groups[other])
                    groups[other] = []
                    for key, gid in owner.items():
                        if gid == other:
                            owner[key] = target
            else:
                target = len(groups)
                groups.append([])
            groups[target].append((name, {**finding, "file": path}))
            for key in keys:
                owner[key] = target
    merged = [_merge(group) for group in groups if group]
    merged.sort(
        key=lambda f: (
            SEVERITIES.index(f["severity"]),
            f["file"],
            f["line"],
            normalise(f["message"]),
        )
    )
    counts = {sev: sum(1 for f in merged if f["severity"] == sev) for sev in SEVERITIES}
    return {
        "iteration": iteration,
        "reviewers": sorted(reviewers),
        "counts": counts,
        "findings": merged,
        "invalid": invalid,
    }


def _merge(group: list[tuple[str, dict]]) -> dict:
    # the first finding of the highest severity speaks for the group
    _, lead = min(group, key=lambda item: SEVERITIES.index(item[1]["severity"]))
    merged = {
        key: lead[key]
        for key in (
            "severity",
            "file",
            "line",
            "end_line",
            "message",
            "rule_id",
            "evidence",
            "suggested_fix",
        )
        if key in lead
    }
    merged["reviewers"] = sorted({name for name, _ in group})
    return merged


def blocking(aggregated: dict) -> list[dict]:
    return [f for f in aggregated["findings"] if f["severity"] in BLOCKING]


def render_line(finding: dict) -> str:
    """``path:line: SEVERITY [rule] message (reviewers)``, the ruff-like one-line form."""
    rule = f" {finding['rule_id']}" if finding.get("rule_id") else ""
    who = ", ".join(finding["reviewers"])
    where = f"{finding['file']}:{finding['line']}"
    return f"{where}: {finding['severity']}{rule} {finding['message']} ({who})"
