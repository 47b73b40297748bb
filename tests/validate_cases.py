"""Shared by the cc-pack validate tests (tests/cc_pack/validate/, tests/bench/): the fixture cases
and how to run the validator on one."""

from __future__ import annotations

import os
from pathlib import Path

from cc_pack.validate import run
from cc_pack.validate.settings import Settings, load

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "validate"
C6 = FIXTURES / "c6"


def cases() -> list[Path]:
    """Every fixture case: a directory holding expected.txt."""
    return sorted(p.parent for p in FIXTURES.rglob("expected.txt"))


def findings(case: Path):
    """Findings for one case. A case is isolated from the repository's own config: it uses its
    own .claude/cc-pack.yaml when it has one, else the defaults."""
    own = (case / ".claude" / "cc-pack.yaml").is_file()
    return run([case], load(case) if own else Settings()).findings


def as_lines(case: Path, found) -> list[str]:
    """``path:line:col: CODE severity`` per finding, paths relative to the case."""
    return sorted(
        f"{Path(os.path.relpath(os.path.abspath(f.path), case)).as_posix()}:{f.line}:{f.column}: "
        f"{f.code} {f.severity}"
        for f in found
    )


def expected(case: Path) -> tuple[dict[str, str], list[str]]:
    """(header fields from '# key: value' lines, sorted finding lines) of a case."""
    header, lines = {}, []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            lines.append(line.strip())
    return header, sorted(lines)
