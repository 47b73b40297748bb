"""The shipped hashes of every released pack (``cc_pack/releases.json``): they recognise what a
release installed, nothing else, and stay true to the release they name."""

from __future__ import annotations

from pathlib import Path

from cc_pack import __version__, releases

RELEASE_0_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade" / "0.1.0"


def release_tree_files(root: Path) -> dict[str, bytes]:
    """The pack files of an installed tree (configuration, settings and state excluded)."""
    skip = (".claude/cc-pack.yaml", ".claude/settings.json")
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / ".claude").rglob("*"))
        if p.is_file()
        and p.relative_to(root).as_posix() not in skip
        and not p.relative_to(root).as_posix().startswith(".claude/cc-pack/")
    }


def test_every_file_0_1_0_installed_is_recognised():
    files = release_tree_files(RELEASE_0_1_0)
    assert len(files) == len(releases.load()["0.1.0"]) == 33
    for key, data in files.items():
        assert releases.released_as(key, data) == "0.1.0", key


def test_the_launcher_0_1_0_pinned_is_recognised_whatever_the_interpreter():
    key = ".claude/skills/orchestrate/bin/cc-pack"
    data = (RELEASE_0_1_0 / key).read_bytes()
    assert b"CC_PACK_PYTHON_PINNED='/usr/bin/python3'" in data
    other = data.replace(b"'/usr/bin/python3'", b"'/home/ann/.pyenv/versions/3.12.1/bin/python'")
    assert releases.released_as(key, other) == "0.1.0"
    # ...but a change anywhere else makes it the user's file
    assert releases.released_as(key, other.replace(b"exec ", b"exec  ", 1)) is None


def test_a_changed_byte_or_another_path_is_not_the_pack_s():
    key = ".claude/agents/planner.md"
    data = (RELEASE_0_1_0 / key).read_bytes()
    assert releases.released_as(key, data + b"\n") is None
    assert releases.released_as(".claude/agents/planner-copy.md", data) is None


def test_a_recorded_release_is_what_it_ships():
    """A release's files cannot change without a new version: the entry of the current version,
    when there is one, is exactly the current pack."""
    recorded = releases.load().get(__version__)
    if recorded is not None:
        assert recorded == releases.current_files()


def test_a_release_version_is_recorded():
    """Releasing means recording: a version that is not a development version must be in
    releases.json (`python -m cc_pack.releases record`)."""
    assert releases.is_development(__version__) or __version__ in releases.load(), __version__


def test_development_versions():
    assert releases.is_development("0.2.0.dev0")
    assert releases.is_development("1.0.0rc1")
    assert not releases.is_development("0.2.0")
