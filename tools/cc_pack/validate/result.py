"""What a check found: one ``Finding`` per defect, independent of how it is reported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int
    column: int
    code: str
    severity: str  # "error" | "warning"
    message: str
    hint: str

    def sort_key(self) -> tuple:
        return (str(self.path), self.line, self.column, self.code)


@dataclass(slots=True)
class Outcome:
    """Everything one ``validate`` call produced."""

    findings: list[Finding]
    files: int  # how many files were read

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")
