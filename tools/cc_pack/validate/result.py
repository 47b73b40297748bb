"""What a check found: one ``Finding`` per defect, independent of how it is reported."""

from __future__ import annotations

from pathlib import Path


class Finding:
    __slots__ = ("code", "column", "hint", "line", "message", "path", "severity")

    def __init__(self, path, line, column, code, severity, message, hint):
        self.path: Path = path
        self.line: int = line
        self.column: int = column
        self.code: str = code
        self.severity: str = severity  # "error" | "warning"
        self.message: str = message
        self.hint: str = hint

    def sort_key(self) -> tuple:
        return (str(self.path), self.line, self.column, self.code)

    def __repr__(self) -> str:
        return f"Finding({self.path}:{self.line}:{self.column} {self.code} {self.severity})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Finding) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__
        )

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.column, self.code, self.message))


class Outcome:
    """Everything one ``validate`` call produced."""

    __slots__ = ("files", "findings")

    def __init__(self, findings: list[Finding], files: int):
        self.findings = findings
        self.files = files  # how many files were read

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")
