"""Where the pack's own files are: the agents, skills, hook entry files and hook package that
``init`` installs.

From a checkout (or an editable install) the agents, skills and hook entry files are the
repository's top-level folders; a wheel carries them inside the package as ``cc_pack/pack/``.
The hook package ``cc_pack_hooks`` is an ordinary top-level package in both cases.
"""

from __future__ import annotations

from pathlib import Path

import cc_pack_hooks

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path:
    """The directory holding ``agents/``, ``skills/``, ``hooks/`` and ``.claude-plugin/``."""
    bundled = _PACKAGE / "pack"
    if (bundled / "hooks").is_dir():
        return bundled
    checkout = _PACKAGE.parent.parent
    if (checkout / "hooks" / "hooks.json").is_file():
        return checkout
    raise RuntimeError(f"cc-pack's pack files are missing (looked in {bundled} and {checkout})")


def hooks_dir() -> Path:
    """The hook entry files Claude Code runs, and the plugin's ``hooks.json``."""
    return root() / "hooks"


def hook_package_dir() -> Path:
    """``cc_pack_hooks``, the stdlib package the entry files import (installed beside them)."""
    return Path(cc_pack_hooks.__file__).resolve().parent


def agents_dir() -> Path:
    return root() / "agents"


def skills_dir() -> Path:
    return root() / "skills"


def schemas_dir() -> Path:
    return _PACKAGE / "schemas"


def findings_schema_path() -> Path:
    """The findings contract schema lives once, beside the output-contract skill."""
    return skills_dir() / "output-contract" / "findings.schema.json"
