"""Fixtures of the hook tests (helpers live in hookenv.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hookenv import Project


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    root = tmp_path / "proj"
    (root / ".claude" / "cc-pack").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "tests").mkdir()
    (root / "docs").mkdir()
    (root / "src" / "app.py").write_text("x = 1\n")
    root = root.resolve()
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CC_PACK_LOG", raising=False)
    return Project(root)
