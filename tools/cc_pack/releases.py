"""What every released version of the pack installed: the content hash of each file, shipped in
the package (``releases.json``), so that ``cc-pack init`` can tell the pack's own files from the
user's on any machine.

The install record ``.claude/cc-pack/install.json`` is git-ignored: on a teammate's clone, or
after the record was deleted, it is gone. A file that is byte for byte what some release
installed at that path is the pack's, and an upgrade replaces it; anything else is the user's,
and a conflict. Releases before 0.2.0 pinned the CLI interpreter into the skill launcher, a
machine-specific line, which is put back to its shipped form before hashing.

At release time: ``python -m cc_pack.releases record`` adds the current version (refused for a
development version); a test fails when a released version's files change without a new
version, or when a release was not recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parent / "releases.json"

# path -> (pattern, replacement): lines init rewrote per machine in earlier releases
_PINNED = {
    ".claude/skills/orchestrate/bin/cc-pack": (
        re.compile(rb"^CC_PACK_PYTHON_PINNED=.*$", re.M),
        b'CC_PACK_PYTHON_PINNED=""',
    ),
}


def digest(key: str, data: bytes) -> str:
    """The hash a release records for ``data`` installed at ``key`` (project-relative)."""
    pinned = _PINNED.get(key)
    if pinned is not None:
        data = pinned[0].sub(pinned[1], data, count=1)
    return hashlib.sha256(data).hexdigest()


@cache
def load() -> dict[str, dict[str, str]]:
    """version -> {project-relative path: sha256} for every recorded release."""
    data = json.loads(FILE.read_text(encoding="utf-8"))
    return {version: entry["files"] for version, entry in data["releases"].items()}


def released_as(key: str, data: bytes) -> str | None:
    """The first release that installed exactly ``data`` at ``key``, or None."""
    hashed = digest(key, data)
    for version, files in load().items():
        if files.get(key) == hashed:
            return version
    return None


def paths() -> set[str]:
    """Every path some release installed."""
    return {key for files in load().values() for key in files}


def is_development(version: str) -> bool:
    return bool(re.search(r"(dev|a|b|rc)\d*$", version))


def current_files() -> dict[str, str]:
    from cc_pack import install

    return {
        rel.as_posix(): digest(rel.as_posix(), data)
        for rel, (data, _) in install.pack_files().items()
    }


def record(version: str) -> None:
    if is_development(version):
        raise SystemExit(f"{version} is a development version: set the release version first")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    data["releases"][version] = {"files": dict(sorted(current_files().items()))}
    FILE.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    from cc_pack import __version__

    if sys.argv[1:] != ["record"]:
        raise SystemExit("usage: python -m cc_pack.releases record")
    record(__version__)
    print(f"recorded {__version__} in {FILE}")
