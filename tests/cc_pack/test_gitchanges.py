"""Changed files and lines through real git."""

from __future__ import annotations

from pathlib import Path

from cc_pack import gitchanges
from realproc import git


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.py").write_text("1\n2\n3\n4\n")
    (root / "b.py").write_text("b\n")
    (root / "gone.py").write_text("g\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "i")
    return root


def test_baseline_excludes_earlier_changes_until_their_content_moves(tmp_path: Path):
    root = repo(tmp_path)
    (root / "b.py").write_text("dirty before the run\n")
    (root / "gone.py").unlink()
    base = gitchanges.baseline(root, gitchanges.head(root))
    assert base["gone.py"] == gitchanges.DELETED and len(base["b.py"]) == 40
    assert gitchanges.run_changes(root, base) == []
    (root / "a.py").write_text("1\n2\nthree\n4\n5\n")
    (root / "new dir").mkdir()
    (root / "new dir" / "n é.py").write_text("n\n")
    (root / ".claude" / "cc-pack").mkdir(parents=True)
    (root / ".claude" / "cc-pack" / "state.json").write_text("{}")
    assert gitchanges.run_changes(root, base) == ["a.py", "new dir/n é.py"]
    git(root, "checkout", "--", "b.py")  # put back to HEAD: the run changed it
    assert "b.py" in gitchanges.run_changes(root, base)


def test_changed_lines_from_the_diff(tmp_path: Path):
    root = repo(tmp_path)
    (root / "a.py").write_text("1\ntwo\n3\n4\nfive\nsix\n")
    assert gitchanges.changed_lines(root, "a.py") == {2, 5, 6}
    (root / "c.py").write_text("new\n")
    assert gitchanges.changed_lines(root, "c.py") is None  # untracked: every line


def test_a_project_inside_a_larger_repository(tmp_path: Path):
    root = repo(tmp_path)
    sub = root / "pkg"
    sub.mkdir()
    (sub / "m.py").write_text("m\n")
    (root / "b.py").write_text("outside the project\n")
    assert gitchanges.run_changes(sub, {}) == ["m.py"]


def test_not_a_repository(tmp_path: Path):
    assert gitchanges.is_git(tmp_path) is False
