"""The sandbox's mounts with the real bubblewrap: what the kernel lets a confined command write,
what the sweep moves out afterwards, and the tickets that carry the writable set from the scope
guard to the shell prefix."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cc_pack_hooks import sandbox

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap missing")


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel, text in {
        "src/app.py": "app\n",
        "src/other.py": "other\n",
        "src/pkg/mod.py": "mod\n",
        "docs/guide.md": "guide\n",
        "README.md": "readme\n",
        ".git/config": "[core]\n",
        ".claude/settings.json": "{}\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root.resolve()


def confined(proj: Path, patterns: list[str], script: str) -> tuple[subprocess.CompletedProcess,
                                                                   list[str], Path]:  # fmt: skip
    scratch = proj.parent / "scratch"
    sandbox.prepare_scratch(str(scratch))
    mounts = sandbox.Mounts(str(proj), patterns).plan()
    argv = sandbox.argv(str(proj), mounts, str(scratch), ["/bin/bash", "-c", script], str(proj))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    notes = sandbox.sweep(mounts, sandbox.quarantine_dir(str(proj), None))
    return done, [*mounts.notes, *notes], scratch


def test_in_scope_writes_land_and_everything_else_is_refused(proj: Path):
    done, notes, scratch = confined(proj, ["src/app.py", "src/new/x.py"], (
        "echo 1 >> src/app.py; sed -i s/app/APP/ src/app.py; mkdir -p src/new; "
        "echo x > src/new/x.py; echo 2 >> src/other.py; echo 3 >> README.md; "
        "rm src/other.py; mv src/pkg src/p2; echo 4 > .git/config; echo 5 > .claude/x; "
        "ln .git/config src/lnk; echo t > \"$TMPDIR/t\"; echo 6 > /tmp/outside; "
        "echo evil > src/evil.py; chmod 700 src"
    ))  # fmt: skip
    assert (proj / "src/app.py").read_text() == "APP\n1\n"
    assert (proj / "src/new/x.py").read_text() == "x\n"
    assert (proj / "src/other.py").read_text() == "other\n"
    assert (proj / "README.md").read_text() == "readme\n"
    assert (proj / "src/pkg/mod.py").is_file() and not (proj / "src/p2").exists()
    assert (proj / ".git/config").read_text() == "[core]\n"
    assert not (proj / ".claude/x").exists() and not (proj / "src/lnk").exists()
    assert (scratch / "tmp" / "t").read_text() == "t\n"
    assert not Path("/tmp/outside").exists() or Path("/tmp/outside").read_text() != "6\n"
    assert not (proj / "src/evil.py").exists()
    (moved,) = Path(sandbox.quarantine_dir(str(proj), None)).glob("*/src/evil.py")
    assert moved.read_text() == "evil\n"
    assert any("evil.py" in n and "outside the scope" in n for n in notes)
    assert oct((proj / "src").stat().st_mode & 0o777) != oct(0o700)
    assert "Read-only file system" in done.stderr


def test_nothing_of_the_project_is_writable_without_patterns(proj: Path):
    _, _, scratch = confined(proj, [], "echo 1 >> src/app.py; touch new; echo ok > $TMPDIR/a")
    assert (proj / "src/app.py").read_text() == "app\n" and not (proj / "new").exists()
    assert (scratch / "tmp" / "a").read_text() == "ok\n"


def test_a_hard_linked_file_in_scope_stays_read_only(proj: Path):
    os.link(proj / ".git/config", proj / "src/linked.py")
    _, notes, _ = confined(proj, ["src/**"], "echo pwned >> src/linked.py; echo ok >> src/app.py")
    assert (proj / ".git/config").read_text() == "[core]\n"
    assert (proj / "src/app.py").read_text() == "app\nok\n"
    assert any("hard links" in n for n in notes)


def test_a_foreign_symlink_makes_its_directory_strict(proj: Path):
    (proj / "src" / "ln").symlink_to(proj / "README.md")
    _, notes, _ = confined(proj, ["src/app.py"], (
        "rm -f src/ln; ln -s /etc/passwd src/ln; echo ok >> src/app.py"
    ))  # fmt: skip
    assert os.readlink(proj / "src" / "ln") == str(proj / "README.md")
    assert (proj / "src/app.py").read_text() == "app\nok\n"
    assert any("symbolic link" in n for n in notes)


def test_background_processes_die_with_the_command(proj: Path):
    confined(proj, ["src/**"], "(sleep 1; echo late > src/late.py) & disown; exit 0")
    import time

    time.sleep(1.5)
    assert not (proj / "src/late.py").exists()


def test_tickets_are_keyed_by_session_and_command_and_combine_to_the_intersection(proj: Path):
    base = {"mode": "sandbox", "run_id": "r1"}
    sandbox.write_ticket(
        str(proj), "s1", "make", {**base, "patterns": ["a", "b"], "tool_use_id": "t1"}
    )
    sandbox.write_ticket(
        str(proj), "s1", "make", {**base, "patterns": ["b", "c"], "tool_use_id": "t2"}
    )
    sandbox.write_ticket(str(proj), "s2", "make", {"mode": "direct", "tool_use_id": "t3"})
    found = sandbox.find_tickets(str(proj), "s1", "make")
    assert sandbox.combine(found)["patterns"] == ["b"]
    assert sandbox.combine(sandbox.find_tickets(str(proj), "s2", "make"))["mode"] == "direct"
    assert sandbox.find_tickets(str(proj), "s1", "make ") == []
    sandbox.drop_tickets(str(proj), "t1")
    assert [t["tool_use_id"] for t in sandbox.find_tickets(str(proj), "s1", "make")] == ["t2"]
    mixed = [{"mode": "direct"}, {**base, "patterns": ["x"]}]
    assert sandbox.combine(mixed)["mode"] == "sandbox"  # one confined caller confines all


def test_windows_nul_is_normalised_like_claude_code_does():
    assert sandbox.command_key("s", "echo x >nul") == sandbox.command_key("s", "echo x >/dev/null")
    assert sandbox.command_key("s", "echo $x >nul") != sandbox.command_key(
        "s", "echo $x >/dev/null"
    )


def test_a_partly_writable_directory_cannot_be_renamed_away(proj: Path):
    """docs/ holds no scope file but src/ does: src/pkg/ (partly covered) is its own mount
    point, so renaming it, and with it its read-only files, fails."""
    confined(proj, ["src/pkg/new.py"], "mv src/pkg src/gone; mv src/pkg/mod.py src/m.py; true")
    assert (proj / "src/pkg/mod.py").read_text() == "mod\n"


def test_the_sweep_cannot_be_redirected_through_a_planted_link(proj: Path):
    outside = proj.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    quarantine = sandbox.quarantine_dir(str(proj), None)
    # the quarantine sits in the state dir (read-only inside): a command cannot replace it
    confined(proj, ["src/app.py"], (
        f"rm -rf {quarantine}; ln -s {outside} {quarantine}; echo x > secret.txt; true"
    ))  # fmt: skip
    assert (outside / "secret.txt").read_text() == "secret\n"
    assert not (proj / "secret.txt").exists()


def test_a_program_the_cli_confines_leaves_no_new_name_outside_its_outputs(proj: Path):
    """The verify phase and the step validations run through ``Confined``: a test that writes
    next to its allowed output file gets that file, and the new neighbour is swept out."""
    job = sandbox.Confined(proj, ["/bin/sh", "-c", "echo r > src/report.xml; echo x > src/evil.py"],
                           ["src/report.xml"], "r1")  # fmt: skip
    subprocess.run(job.argv, capture_output=True, timeout=30, check=False)
    notes = job.finish()
    assert (proj / "src/report.xml").read_text() == "r\n"
    assert not (proj / "src/evil.py").exists()
    assert any("src/evil.py" in n and "outside the scope" in n for n in notes)


def test_a_virtualenv_under_tmp_stays_visible_and_read_only(proj: Path, tmp_path: Path,
                                                            monkeypatch):  # fmt: skip
    """The private /tmp must not hide the tools on PATH (CI checks out and builds its venv
    under /tmp): the venv is re-exposed read-only."""
    assert str(tmp_path).startswith("/tmp/")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    tool = venv / "bin" / "the-tool"
    tool.write_text("#!/bin/sh\necho tool ran\n")
    tool.chmod(0o755)
    # an editable install: its .pth names a source tree, under /tmp as well
    source = tmp_path / "checkout" / "tools"
    (source / "mypkg").mkdir(parents=True)
    (source / "mypkg" / "__init__.py").write_text("")
    (source / "mypkg" / "__main__.py").write_text("print('module ran')\n")
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (site / "_editable_impl_mypkg.pth").write_text(f"{source}\n")
    monkeypatch.setenv("PATH", f"{venv / 'bin'}:/usr/bin:/bin")
    done, _, _ = confined(proj, [], (
        f"the-tool; PYTHONPATH=$(cat {site}/_editable_impl_mypkg.pth) python3 -m mypkg; "
        f"echo x > {venv}/planted; echo y > {source}/planted"
    ))  # fmt: skip
    assert "tool ran" in done.stdout and "module ran" in done.stdout, done.stderr
    assert not (venv / "planted").exists() and not (source / "planted").exists()
