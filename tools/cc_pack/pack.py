"""Where the pack's own files are: the agents, skills and hooks that `init` installs.

From a checkout (or an editable install) they are the repository's top-level folders; a wheel
carries them inside the package as ``cc_pack/pack/``. The stdlib-only modules in ``hooks/``
(runtime, store, globs) are shared with the CLI: this module puts that folder on ``sys.path``
so that ``import store`` finds the one implementation the hooks run.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path:
    """The directory holding ``agents/``, ``skills/``, ``hooks/`` and ``.claude-plugin/``."""
    bundled = _PACKAGE / "pack"
    if (bundled / "hooks").is_dir():
        return bundled
    checkout = _PACKAGE.parent.parent
    if (checkout / "hooks" / "runtime.py").is_file():
        return checkout
    raise RuntimeError(f"cc-pack's pack files are missing (looked in {bundled} and {checkout})")


def hooks_dir() -> Path:
    return root() / "hooks"


def agents_dir() -> Path:
    return root() / "agents"


def skills_dir() -> Path:
    return root() / "skills"


def schemas_dir() -> Path:
    return _PACKAGE / "schemas"


def findings_schema_path() -> Path:
    """The findings contract schema lives once, beside the output-contract skill."""
    return skills_dir() / "output-contract" / "findings.schema.json"


_hooks = str(hooks_dir())
if _hooks not in sys.path:
    sys.path.insert(0, _hooks)
