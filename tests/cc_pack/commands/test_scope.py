"""``cc-pack scope`` on a real repository: show, check (with path normalisation) and audit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from runproject import Project


def test_scope_show_check_and_audit(tmp_path: Path):
    proj = Project(tmp_path / "repo")
    proj.start()
    proj.ok("scope", "set", "src/**", "./README.md")
    assert proj.ok("scope", "show").stdout.split() == ["src/**", "README.md"]
    assert json.loads(proj.ok("scope", "show", "--json").stdout)["frozen"] is False

    assert proj.ok("scope", "check", "src/app.py").stdout == "src/app.py: in scope\n"
    assert proj.ok("scope", "check", str(proj.root / "src/../README.md")).returncode == 0
    err = proj.refused(1, "scope", "check", "check.py")
    assert "check.py is outside the scope (src/**, README.md)" in err
    err = proj.refused(1, "scope", "check", "../outside.py")
    assert "is outside the project" in err
    os.symlink(proj.root / "check.py", proj.root / "src" / "link.py")
    err = proj.refused(1, "scope", "check", "src/link.py")  # resolves to check.py
    assert "check.py is outside the scope" in err
    (proj.root / "src" / "link.py").unlink()

    assert "0 changed file(s), all inside the scope" in proj.ok("scope", "audit").stdout
    proj.write("src/new.py", "x = 1\n")
    proj.write("check.py", "changed\n")
    done = proj.cc("scope", "audit", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["outside"] == ["check.py"]
    assert json.loads(done.stdout)["changed"] == ["check.py", "src/new.py"]

    err = proj.refused(2, "scope", "set", "/etc/**")
    assert "'/etc/**' is not project-relative" in err
