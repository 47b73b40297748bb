"""The project a command works on: its root directory, with the compiled configuration kept in
step with ``.claude/cc-pack.yaml``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from cc_pack import local
from cc_pack.errors import InputError


def find_root(start: Path | None = None) -> Path:
    """``$CLAUDE_PROJECT_DIR`` when set (Claude Code sets it), else the first directory from the
    cwd upwards that holds ``.claude/`` or ``.git``."""
    env = os.environ.get("CLAUDE_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    home = Path.home().resolve()
    for folder in (here, *here.parents):
        # ~/.claude is Claude Code's user folder, not a project marker
        if (folder / ".claude").is_dir() and folder != home:
            return folder
        if (folder / ".git").exists():
            return folder
    raise InputError(
        f"no project found from {here}: neither it nor a parent holds .claude/ or .git",
        "run cc-pack inside your repository (or `git init` / `cc-pack init` there first)",
    )


def _compiled_is_fresh(root: Path) -> bool:
    """Whether config.json already holds the current YAML (same stamp as ``config.sync``
    checks), so that the common case does not pay for importing pydantic and yaml."""
    try:
        st = (root / ".claude" / "cc-pack.yaml").stat()
        stamp = [st.st_mtime_ns, st.st_size]
    except FileNotFoundError:
        stamp = None
    try:
        compiled = json.loads((root / ".claude" / "cc-pack" / "config.json").read_bytes())
    except (OSError, ValueError):
        return False
    return (
        isinstance(compiled, dict)
        and compiled.get("source_stamp") == stamp
        and ("config" in compiled)
    )


def open_project(*, strict: bool = False) -> Path:
    """The project root, after recompiling a changed ``.claude/cc-pack.yaml``.

    With ``strict`` a broken YAML stops the command (``run start`` snapshots the config); other
    commands only warn, so that a typo in the YAML cannot block ``run status`` or ``run abort``."""
    root = find_root()
    local.ensure(root)
    if _compiled_is_fresh(root):
        return root
    from cc_pack import config

    try:
        config.sync(root)
    except InputError as exc:
        if strict:
            raise
        click.echo(
            f"cc-pack: warning: {exc.render().removeprefix('cc-pack: error: ')}\n"
            "  (hooks keep using the last compiled config)",
            err=True,
        )
    return root
