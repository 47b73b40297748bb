"""Installing the pack into a project's ``.claude/`` and taking it out again.

``plan()`` decides everything before a byte is written (so a conflict or a broken settings.json
changes nothing); ``apply()`` carries the plan out; ``uninstall_plan()`` reverses an install using
the manifest ``.claude/cc-pack/install.json`` (falling back to comparing contents with the pack's
own files when the manifest is gone).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cc_pack import __version__, hookspec, local, pack, releases
from cc_pack import settings as settings_mod
from cc_pack.errors import CheckFailed, FilesystemError, InputError

SETTINGS = Path(".claude/settings.json")
# Machine-local: Claude Code's own git-ignored settings file, where the Bash sandbox prefix (an
# absolute path of this checkout) goes.
LOCAL_SETTINGS = Path(".claude/settings.local.json")
GITIGNORE = Path(".gitignore")
MANIFEST = Path(".claude/cc-pack/install.json")
CONFIG = Path(".claude/cc-pack.yaml")
HOOK_DIR = Path(".claude/hooks/cc-pack")
HOOK_PACKAGE = "cc_pack_hooks"
# The run state, the bytecode Python writes beside the hook files (the audit would otherwise see
# it as a change of the user's), this machine's settings, and the git worktrees a run's
# implementers work in (.claude/worktrees/cc-pack/, beside Claude Code's own --worktree dirs):
# a checkout inside the repository must never be committed into it.
IGNORE_LINES = (
    ".claude/cc-pack/",
    ".claude/hooks/cc-pack/**/__pycache__/",
    LOCAL_SETTINGS.as_posix(),
    ".claude/worktrees/",
)
# What earlier releases wrote into .gitignore, taken out again by --uninstall.
OLD_IGNORE_LINES = (".claude/hooks/cc-pack/__pycache__/",)
IGNORE_COMMENT = "# cc-pack run state and hook bytecode"
BACKUP_SUFFIX = ".cc-pack-backup"

CONFIG_TEMPLATE = """\
# cc-pack configuration (README: Configuration). Uncomment what you change.
version: 1
# max_iterations: 3            # review -> implement fix loops before the run ends FAIL
# test_command: "python -m pytest -q"   # the verify phase; unset: auto-detect
# scope:
#   strict: true               # deny Bash that cannot be analysed during implement
# spawn:
#   allow_nesting: false       # subagents spawning subagents
# lint:
#   timeout: 10
#   linters:
#     - glob: "**/*.py"
#       command: [ruff, check, --output-format, json, --no-cache, "{file}"]
#       format: ruff-json
# dispatch:
#   skip: ["**/*.md", "docs/**"]
"""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Action:
    kind: str  # create, update, replace, unchanged, conflict, merge, append, remove, restore, keep
    path: Path
    detail: str = ""
    data: bytes | None = None
    mode: int = 0o644


@dataclass
class Plan:
    target: Path
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    @property
    def conflicts(self) -> list[Action]:
        return [a for a in self.actions if a.kind == "conflict"]

    @property
    def changes(self) -> list[Action]:
        return [a for a in self.actions if a.kind not in ("unchanged", "conflict", "keep")]


# --- what the pack consists of ------------------------------------------------------------------


def pack_files() -> dict[Path, tuple[bytes, int]]:
    """Project-relative destination -> (content, mode) for every file the pack installs. The
    same bytes on every machine: machine-local facts go to ``local.conf`` (``cc_pack.local``)."""
    root = pack.root()
    files: dict[Path, tuple[bytes, int]] = {}
    for src in sorted((root / "agents").glob("*.md")):
        files[Path(".claude/agents") / src.name] = (src.read_bytes(), 0o644)
    for src in sorted((root / "skills").rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts:
            rel = src.relative_to(root)
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
            files[Path(".claude") / rel] = (src.read_bytes(), mode)
    # Everything Claude Code runs, but the plugin's own registrations: the entry files, the
    # launcher they source and the Bash sandbox (the shell prefix, executable).
    for src in sorted((root / "hooks").iterdir()):
        if src.is_file() and src.name != "hooks.json":
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
            files[HOOK_DIR / src.name] = (src.read_bytes(), mode)
    # The package beside the entry files: `python3 -S entry.py` finds it as sys.path[0].
    package = pack.hook_package_dir()
    for src in sorted(package.rglob("*.py")):
        rel = src.relative_to(package)
        files[HOOK_DIR / HOOK_PACKAGE / rel] = (src.read_bytes(), 0o644)
    return files


def hook_settings() -> dict:
    return hookspec.settings_hooks(f"${{CLAUDE_PROJECT_DIR}}/{HOOK_DIR.as_posix()}")


# --- the interpreter written into hook commands ------------------------------------------------


def choose_python(requested: str | None) -> tuple[str, list[str]]:
    """(the interpreter this machine's hooks run, notes). It is recorded in the git-ignored
    ``local.conf``, never in a committed file. A ``python3`` that is a pyenv or asdf shim is
    resolved to the interpreter behind it: a shim costs several interpreter starts per call."""
    notes: list[str] = []
    candidate = requested or "python3"
    if not requested and shutil.which("python3") is None:
        raise InputError(
            "python3 is not on PATH, so the hooks would have no interpreter (they would then "
            "deny every guarded tool call)",
            "install Python 3.10+ or pass --python /path/to/python3",
        )
    try:
        python, shim = local.real_interpreter(candidate)
    except local.NoPython as exc:
        raise InputError(str(exc), "pass --python /path/to/python3.10+") from None
    if shim:
        notes.append(
            f"python3 is a shim ({shutil.which(candidate)}): the hooks run the interpreter "
            f"behind it directly, {python} (recorded in {local.PATH}, this machine only)"
        )
    return python, notes


# --- planning ----------------------------------------------------------------------------------


def read_manifest(target: Path) -> dict:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _pack_version_of(key: str, current: bytes, recorded: dict) -> str | None:
    """Which pack version ``current`` (the file at ``key``) is, or None when it is the user's:
    what this machine's install record says init wrote, else what a release shipped. The record
    is git-ignored, so on a clone only the shipped hashes (``cc_pack.releases``) can tell."""
    if recorded.get(key) == sha(current):
        return "installed"
    return releases.released_as(key, current)


def check_target(target: Path) -> None:
    if not target.exists():
        raise InputError(f"{target}: no such directory", "create it or pass an existing directory")
    if not target.is_dir():
        raise InputError(f"{target}: not a directory", "pass the repository's directory")
    for path in (target, target / ".claude"):
        if path.exists() and not os.access(path, os.W_OK | os.X_OK):
            raise FilesystemError(
                f"{path}: not writable", "run as a user who can write it, or fix its permissions"
            )


def plan(target: Path, python: str, *, force: bool) -> Plan:
    check_target(target)
    result = Plan(target)
    old = read_manifest(target)
    old_files: dict = old.get("files", {})
    manifest = {
        "version": 1,
        "pack_version": __version__,
        "files": {},
        "backups": dict(old.get("backups", {})),
        "created_dirs": list(old.get("created_dirs", [])),
        "settings": old.get("settings"),
        "gitignore": old.get("gitignore"),
        "config_created": old.get("config_created", False),
    }

    # Read the settings first: if they are broken nothing at all may change.
    settings_path = target / SETTINGS
    settings_text = settings_path.read_text(encoding="utf-8") if settings_path.exists() else None
    settings_data = settings_mod.parse(settings_path, settings_text or "")

    for rel, (data, mode) in pack_files().items():
        dest = target / rel
        key = rel.as_posix()
        manifest["files"][key] = sha(data)
        if not dest.exists():
            result.actions.append(Action("create", rel, data=data, mode=mode))
            continue
        current = dest.read_bytes()
        if current == data:
            result.actions.append(Action("unchanged", rel))
        elif (shipped := _pack_version_of(key, current, old_files)) is not None:
            result.actions.append(Action("update", rel, f"the pack's {shipped} file", data, mode))
        elif force:
            backup = rel.with_name(rel.name + BACKUP_SUFFIX)
            manifest["backups"][key] = backup.as_posix()
            result.actions.append(Action("replace", rel, f"yours kept as {backup}", data, mode))
        else:
            result.actions.append(Action("conflict", rel, "a different file of yours is there"))

    # Files an earlier release installed that this one no longer ships (the flat hook modules
    # before the hook package): removed when untouched, kept and named when the user changed them.
    for key in sorted({*old_files, *releases.paths()}):
        if key in manifest["files"] or not (target / key).is_file():
            continue
        if _pack_version_of(key, (target / key).read_bytes(), old_files) is not None:
            result.actions.append(Action("remove", Path(key), "no longer part of the pack"))
        else:
            result.actions.append(
                Action("keep", Path(key), "no longer part of the pack, but changed by you")
            )

    for rel in sorted({a.path.parent for a in result.actions if a.kind == "create"}):
        for parent in [rel, *rel.parents]:
            if parent != Path(".") and not (target / parent).exists():
                key = parent.as_posix()
                if key not in manifest["created_dirs"]:
                    manifest["created_dirs"].append(key)

    if not (target / CONFIG).exists():
        manifest["config_created"] = True
        data = CONFIG_TEMPLATE.encode()
        manifest["config_sha"] = sha(data)
        result.actions.append(Action("create", CONFIG, "commented defaults", data))
    else:
        manifest["config_sha"] = old.get("config_sha")
        result.actions.append(Action("keep", CONFIG, "your configuration"))

    _plan_settings(result, manifest, settings_text, settings_data)
    _plan_local(result, target, python)
    _plan_sandbox(result, manifest, target)
    _plan_gitignore(result, manifest, target)
    result.manifest = manifest
    if not (target / ".git").exists():
        result.notes.append(
            f"{target} is not a git repository: cc-pack works, but the scope audit and the "
            "implement gate compare changes with git; run `git init` to get them"
        )
    return result


def _plan_local(result: Plan, target: Path, python: str) -> None:
    """This machine's interpreters: not a pack file (never in the manifest, never committed)."""
    text = local.render(local.facts(python))
    path = target / local.PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        result.actions.append(Action("unchanged", local.PATH, "this machine's interpreters"))
    else:
        kind = "create" if current is None else "update"
        result.actions.append(
            Action(
                kind, local.PATH, f"this machine's interpreters (hooks: {python})", text.encode()
            )
        )


def _plan_sandbox(result: Plan, manifest: dict, target: Path) -> None:
    """Wire the Bash sandbox on this machine: CLAUDE_CODE_SHELL_PREFIX, an absolute path, in the
    git-ignored settings.local.json. Claude Code applies the prefix after its permission check,
    so the user's Bash allow rules keep their meaning (README: Enforcement)."""
    from cc_pack_hooks import sandbox

    problem = sandbox.unavailable()
    if problem:
        result.notes.append(
            f"no OS sandbox on this machine ({problem}): cc-pack runs fall back to the Bash "
            "analysis (README: Enforcement)"
        )
        return
    if _tracked(target, LOCAL_SETTINGS):
        result.notes.append(
            f"{LOCAL_SETTINGS} is tracked by git, and the sandbox wiring is an absolute path of "
            "this machine: not written, so runs here have no OS sandbox. Untrack it "
            f"(`git rm --cached {LOCAL_SETTINGS}`) and run init again"
        )
        return
    path = target / LOCAL_SETTINGS
    text = path.read_text(encoding="utf-8") if path.exists() else None
    data = settings_mod.parse(path, text or "")
    prefix = str((target / HOOK_DIR / "bash-sandbox").resolve())
    if settings_mod.prefix_of(data) == prefix:
        result.actions.append(Action("unchanged", LOCAL_SETTINGS, "Bash sandbox wired"))
        return
    new_text = settings_mod.dump(settings_mod.with_prefix(data, prefix), text or "")
    record = manifest.get("local_settings") or {}
    if not record:
        record = {"existed": text is not None, "original": text}
    record["written_sha256"] = sha(new_text.encode())
    manifest["local_settings"] = record
    result.actions.append(
        Action(
            "merge" if text is not None else "create",
            LOCAL_SETTINGS,
            "the Bash sandbox (CLAUDE_CODE_SHELL_PREFIX), this machine only",
            new_text.encode(),
        )
    )


def _tracked(target: Path, rel: Path) -> bool:
    done = subprocess.run(
        ["git", "-C", str(target), "ls-files", "--error-unmatch", rel.as_posix()],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _plan_settings(result: Plan, manifest: dict, text: str | None, data: dict) -> None:
    ours = hook_settings()
    current_ours = {
        event: [g for g in groups if settings_mod._is_ours(g)]
        for event, groups in (data.get("hooks") or {}).items()
    }
    current_ours = {e: g for e, g in current_ours.items() if g}
    if current_ours == ours:
        result.actions.append(Action("unchanged", SETTINGS, "cc-pack hooks registered"))
        return
    new_text = settings_mod.dump(settings_mod.with_ours(data, ours), text or "")
    record = manifest.get("settings") or {}
    if not record:
        record = {"existed": text is not None, "original": text}
    record["written_sha256"] = sha(new_text.encode())
    manifest["settings"] = record
    count = sum(len(groups) for groups in ours.values())
    result.actions.append(
        Action(
            "merge" if text is not None else "create",
            SETTINGS,
            f"{count} cc-pack hook groups; your settings kept",
            new_text.encode(),
        )
    )


def _plan_gitignore(result: Plan, manifest: dict, target: Path) -> None:
    path = target / GITIGNORE
    text = path.read_text(encoding="utf-8") if path.exists() else None
    lines = (text or "").splitlines(keepends=True)
    present = {line.strip().lstrip("/").rstrip("/") for line in lines}
    missing = [
        line
        for line in IGNORE_LINES
        if line.rstrip("/") not in present and ".claude" not in present
    ]
    if not missing:
        result.actions.append(Action("unchanged", GITIGNORE, "run state already ignored"))
        return
    # An earlier release's line is replaced where it stands, so an upgrade adds no second block.
    replaced = [
        next((new for new in missing if new.startswith(".claude/hooks/")), line.strip()) + "\n"
        if line.strip() in OLD_IGNORE_LINES
        else line
        for line in lines
    ]
    still = [m for m in missing if f"{m}\n" not in replaced]
    new_text = "".join(replaced)
    if still:
        prefix = "" if not new_text or new_text.endswith("\n") else "\n"
        block = "" if IGNORE_COMMENT + "\n" in replaced else IGNORE_COMMENT + "\n"
        new_text += prefix + block + "".join(f"{m}\n" for m in still)
    record = manifest.get("gitignore") or {}
    if not record or sha((text or "").encode()) != record.get("written_sha256"):
        record = {"existed": text is not None, "original": text}
    manifest["gitignore"] = {**record, "written_sha256": sha(new_text.encode())}
    kind = "append" if text is not None else "create"
    result.actions.append(Action(kind, GITIGNORE, ", ".join(missing), new_text.encode()))


# --- applying ----------------------------------------------------------------------------------


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.cc-pack-tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def apply(result: Plan) -> None:
    if result.conflicts:
        raise CheckFailed(
            "these files exist with different content: "
            + ", ".join(a.path.as_posix() for a in result.conflicts),
            "keep yours and rename them, or run `cc-pack init --force` (yours are kept as "
            f"<name>{BACKUP_SUFFIX})",
        )
    target = result.target
    for action in result.actions:
        if action.kind == "replace":
            dest = target / action.path
            backup = dest.with_name(dest.name + BACKUP_SUFFIX)
            if not backup.exists():
                shutil.copy2(dest, backup)
        if action.kind == "remove":
            (target / action.path).unlink()
        elif action.data is not None and action.kind not in ("unchanged", "keep"):
            _write(target / action.path, action.data, action.mode)
    _write(target / MANIFEST, (json.dumps(result.manifest, indent=2) + "\n").encode(), 0o644)


def verify(target: Path, python: str) -> list[str]:
    """Problems with the installed hooks: every registration must run, and the Python behind
    each must import and answer (the launcher would otherwise turn the failure into denials).

    A missing script makes Claude Code block every matching tool call (reference A.5)."""
    problems = []
    # Compile the hooks once with their own interpreter, so no hook call pays for it (the
    # environment may set PYTHONDONTWRITEBYTECODE, which would make every call recompile).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [python, "-S", "-m", "compileall", "-q", str(target / HOOK_DIR)],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    data = settings_mod.parse(target / SETTINGS, (target / SETTINGS).read_text(encoding="utf-8"))
    env = dict(os.environ, CLAUDE_PROJECT_DIR=str(target))
    probe = json.dumps(
        {"hook_event_name": "Notification", "session_id": "cc-pack-init", "cwd": str(target)}
    )
    seen = set()
    for handler in settings_mod.our_handlers(data):
        argv = [
            str(part).replace("${CLAUDE_PROJECT_DIR}", str(target))
            for part in [handler.get("command"), *(handler.get("args") or [])]
        ]
        if tuple(argv) in seen:
            continue
        seen.add(tuple(argv))
        entry = target / HOOK_DIR / f"{argv[-2]}.py" if len(argv) >= 2 else None
        if entry is None or not entry.is_file():
            problems.append(f"{entry or argv}: registered in {SETTINGS} but missing")
            continue
        direct = subprocess.run(
            [python, "-S", str(entry)], input=probe, env=env, capture_output=True, text=True,
            timeout=30, check=False,
        )  # fmt: skip
        if direct.returncode not in (0, 2) or "Traceback" in direct.stderr:
            problems.append(f"{entry}: exited {direct.returncode}: {direct.stderr.strip()[:300]}")
            continue
        registered = subprocess.run(
            argv, input=probe, env=env, capture_output=True, text=True, timeout=30, check=False
        )
        if registered.returncode not in (0, 2) or "denied this call" in registered.stdout:
            problems.append(
                f"{' '.join(argv)}: exited {registered.returncode}: "
                f"{(registered.stdout + registered.stderr).strip()[:300]}"
            )
    return problems


# --- uninstalling ------------------------------------------------------------------------------


def uninstall_plan(target: Path) -> Plan:
    check_target(target)
    result = Plan(target)
    manifest = read_manifest(target)
    if manifest:
        files = manifest.get("files", {})
    else:
        result.notes.append(
            f"no {MANIFEST} (a clone, or it was deleted): removing the files that are exactly "
            "what this or a released cc-pack version installed"
        )
        files = {k.as_posix(): sha(v[0]) for k, v in pack_files().items()}
        files.update({key: "" for key in releases.paths() if key not in files})
    backups = manifest.get("backups", {})
    for key, digest in sorted(files.items()):
        dest = target / key
        if not dest.is_file():
            continue
        data = dest.read_bytes()
        ours = sha(data) == digest or (not manifest and releases.released_as(key, data))
        if key in backups and (target / backups[key]).exists() and ours:
            result.actions.append(Action("restore", Path(key), f"from {backups[key]}"))
        elif ours:
            result.actions.append(Action("remove", Path(key)))
        else:
            result.actions.append(Action("keep", Path(key), "changed since install"))

    config = target / CONFIG
    if manifest.get("config_created") and config.exists():
        if sha(config.read_bytes()) == manifest.get("config_sha"):
            result.actions.append(Action("remove", CONFIG))
        else:
            result.actions.append(Action("keep", CONFIG, "you edited it"))

    _unplan_text(result, target, SETTINGS, manifest.get("settings"), settings_restore)
    _unplan_text(
        result, target, LOCAL_SETTINGS, manifest.get("local_settings"), local_settings_restore
    )
    _unplan_text(result, target, GITIGNORE, manifest.get("gitignore"), gitignore_restore)
    result.manifest = manifest
    return result


def settings_restore(text: str) -> str:
    data = settings_mod.parse(SETTINGS, text, then="cc-pack init --uninstall")
    return settings_mod.dump(settings_mod.without_ours(data), text)


def local_settings_restore(text: str) -> str:
    data = settings_mod.parse(LOCAL_SETTINGS, text, then="cc-pack init --uninstall")
    return settings_mod.dump(settings_mod.with_prefix(data, None), text)


def gitignore_restore(text: str) -> str:
    ours = {*IGNORE_LINES, *OLD_IGNORE_LINES, IGNORE_COMMENT}
    return "".join(line for line in text.splitlines(keepends=True) if line.strip() not in ours)


def _unplan_text(result: Plan, target: Path, rel: Path, record: dict | None, strip) -> None:
    path = target / rel
    if not path.exists():
        return
    current = path.read_text(encoding="utf-8")
    if record and sha(current.encode()) == record.get("written_sha256"):
        # Untouched since init: put the user's bytes back exactly.
        if record.get("existed"):
            result.actions.append(
                Action("restore", rel, "your original, byte for byte", record["original"].encode())
            )
        else:
            result.actions.append(Action("remove", rel, "created by init"))
        return
    stripped = strip(current)
    if stripped != current:
        result.actions.append(
            Action("restore", rel, "cc-pack entries removed; your edits kept", stripped.encode())
        )


def apply_uninstall(result: Plan) -> None:
    target = result.target
    backups = result.manifest.get("backups", {})
    for action in result.actions:
        dest = target / action.path
        if action.kind == "remove":
            dest.unlink()
        elif action.kind == "restore" and action.data is not None:
            _write(dest, action.data, dest.stat().st_mode & 0o777)
        elif action.kind == "restore":
            backup = target / backups[action.path.as_posix()]
            os.replace(backup, dest)
    for cache in sorted((target / HOOK_DIR).rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)
    # The run-state dir keeps the user's runs; only what init put there goes.
    (target / MANIFEST).unlink(missing_ok=True)
    (target / ".claude/cc-pack/config.json").unlink(missing_ok=True)
    (target / local.PATH).unlink(missing_ok=True)
    state = target / ".claude/cc-pack"
    if state.is_dir() and not any(state.iterdir()):
        state.rmdir()
    for key in sorted(result.manifest.get("created_dirs", []), key=len, reverse=True):
        path = target / key
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


# --- integrity ---------------------------------------------------------------------------------


def integrity(target: Path, *, recompile: bool = False) -> list[str]:
    """Problems that make the installed guards not the ones this cc-pack ships, each naming the
    file: a pack file changed or missing, a file that is no pack file inside the hook dir (a
    module there would be imported before the standard library's), cc-pack's registrations
    changed in settings.json, or hooks switched off in a settings file. ``recompile``: replace
    the bytecode cache by a fresh one first (a planted .pyc would run instead of its source).
    Empty when the pack is not installed in ``target`` (plugin mode has no hook dir here)."""
    hook_dir = target / HOOK_DIR
    if not hook_dir.is_dir():
        return []
    problems = []
    expected = {rel: data for rel, (data, _mode) in pack_files().items() if HOOK_DIR in rel.parents}
    for rel, data in sorted(expected.items()):
        path = target / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.read_bytes() != data:
            problems.append(f"{rel}: differs from the file this cc-pack ships")
    if recompile:
        for cache in hook_dir.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
    for path in sorted(hook_dir.rglob("*")):
        rel = path.relative_to(target)
        if path.is_dir() or rel in expected or path.name.endswith(BACKUP_SUFFIX):
            continue  # (init --force's backups: no Python import can load such a name)
        cached = path.parent.name == "__pycache__" and path.suffix == ".pyc"
        source = path.parent.parent / (path.name.split(".")[0] + ".py")
        if cached and source.relative_to(target) in expected:
            continue
        problems.append(f"{rel}: not a file of the pack")
    if recompile and not problems:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        python = local.read(target).get("hook_python") or shutil.which("python3") or "python3"
        subprocess.run([python, "-S", "-m", "compileall", "-q", str(hook_dir)], env=env,
                       capture_output=True, timeout=120, check=False)  # fmt: skip
    settings = target / SETTINGS
    try:
        data = settings_mod.parse(settings, settings.read_text(encoding="utf-8"))
    except (OSError, InputError):
        data = None
    if data is None:
        problems.append(f"{SETTINGS}: unreadable, so cc-pack's hooks are not registered")
    else:
        current = {
            event: [g for g in groups if settings_mod._is_ours(g)]
            for event, groups in (data.get("hooks") or {}).items()
        }
        if {e: g for e, g in current.items() if g} != hook_settings():
            problems.append(f"{SETTINGS}: cc-pack's hook registrations differ from this pack's")
    from cc_pack_hooks import paths

    for path in paths.settings_files(str(target)):
        try:
            other = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(other, dict) and other.get("disableAllHooks"):
            problems.append(f"{path}: disableAllHooks is set, so no hook runs")
    return problems
