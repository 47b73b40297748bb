"""The marketplace's plugin entry, .claude-plugin/cc-pack/ (the top level is fixed, so it lives
beside the manifests): what `claude plugin install` copies (the entry's
directory, links followed; tests/e2e/test_install.py). It holds links to the plugin's parts, and
real copies of the two files `claude plugin validate --strict` refuses to read through a link
(2.1.330: plugin.json and hooks/hooks.json); these must stay equal to the originals."""

from __future__ import annotations

import json
import os

from realproc import REPO

PLUGIN = REPO / ".claude-plugin" / "cc-pack"
COPIES = (".claude-plugin/plugin.json", "hooks/hooks.json")


def test_the_marketplace_installs_plugin_dir():
    market = json.loads((REPO / ".claude-plugin/marketplace.json").read_text())
    assert [p["source"] for p in market["plugins"] if p["name"] == "cc-pack"] == [
        "./.claude-plugin/cc-pack"
    ]


def test_the_parts_are_links_to_the_repository_s():
    for part in ("agents", "skills", "tools"):
        link = PLUGIN / part
        assert link.is_symlink() and os.readlink(link) == f"../../{part}", part
    assert sorted(p.name for p in PLUGIN.iterdir()) == sorted(
        [".claude-plugin", "agents", "hooks", "skills", "tools"]
    )


def test_every_hook_file_is_there_and_a_link_but_the_registrations():
    names = sorted(p.name for p in (REPO / "hooks").iterdir() if p.name != "__pycache__")
    assert sorted(p.name for p in (PLUGIN / "hooks").iterdir()) == names, (
        "the plugin's hooks/ must list every file of hooks/: "
        "ln -s ../../../hooks/NAME .claude-plugin/cc-pack/hooks/NAME"
    )
    for name in names:
        entry = PLUGIN / "hooks" / name
        if name == "hooks.json":
            assert not entry.is_symlink()
        else:
            assert entry.is_symlink() and os.readlink(entry) == f"../../../hooks/{name}", name


def test_the_copies_equal_the_originals():
    for rel in COPIES:
        assert not (PLUGIN / rel).is_symlink(), rel
        assert (PLUGIN / rel).read_bytes() == (REPO / rel).read_bytes(), (
            f"{PLUGIN.relative_to(REPO)}/{rel} differs from {rel}: "
            f"cp {rel} {PLUGIN.relative_to(REPO)}/{rel}"
        )
