"""The OS boundary: during a cc-pack run every Bash command runs inside bubblewrap, with exactly
the writable set the rules allow the agent that issued it. The parser in ``bash`` is the friendly
first layer; this is the one that holds whatever the shell does.

How a command gets here: ``cc-pack init`` sets ``CLAUDE_CODE_SHELL_PREFIX`` (in the git-ignored
``.claude/settings.local.json``) to the project's ``.claude/hooks/cc-pack/bash-sandbox``; Claude
Code applies the prefix after its permission check, so the user's allow rules keep their meaning
(tests/e2e/test_facts_sandbox_wiring.py). The prefix receives the whole shell string Claude Code
builds (``source <snapshot> && … && eval '<command>' < /dev/null && pwd -P >| <cwd file>``). The
Bash environment names no agent, so the scope guard (PreToolUse, which knows the agent) leaves a
*ticket* per call, keyed by the command, saying what may be written; ``main`` finds it, builds the
mounts and runs the string under bwrap. No ticket during a run: only the scratch dir is writable.

The writable set of an agent (``writable``): an implementer in implement writes the scope; everyone
else, in every phase, writes nothing in the project. Always writable: the per-run scratch dir
(``TMPDIR``) and Claude Code's cwd file. Always read-only: the whole file system, ``.git/`` and
``.claude/``. A private ``/tmp`` (tmpfs) swallows writes there.

Mounts (``Mounts.plan``): bwrap binds directories, not globs, and a single bound file breaks
``sed -i``/``mv`` (they rename a temporary file). So a directory that holds in-scope paths is bound
read-write and every entry in it that is *not* in scope is bound read-only on top of itself: the
kernel then refuses to write, rename, delete or hard-link it (EROFS, EBUSY, EXDEV). What the
kernel cannot refuse is the creation of a *new* name in such a directory (a temporary file, or an
out-of-scope file); when the command ends, ``sweep`` moves every new entry that is not in scope
out of the project into the run dir's ``quarantine/`` (read-only to the sandbox) and says so,
and puts back the modes of those directories. A regular file with more than one hard link is
read-only (its other names may be outside the scope); so is a directory holding a symbolic link
that is not in scope (a bind mount cannot protect a link's own name).
"""

from __future__ import annotations

import os
import stat
import time

from cc_pack_hooks import globs, runtime, store

PREFIX_KEY = "CLAUDE_CODE_SHELL_PREFIX"
PREFIX_FILE = "bash-sandbox"  # the program CLAUDE_CODE_SHELL_PREFIX names, in the hook dir
PROTECTED = (".git", ".claude")
TAIL = " && pwd -P >| "  # Claude Code ends every Bash tool string with it
TICKET_TTL = 3600.0  # seconds; a ticket the PostToolUse hook never removed only restricts
ENV_MARK = "CC_PACK_SANDBOX"


# --- where things are ---------------------------------------------------------------------------


def tickets_dir(project: str) -> str:
    return os.path.join(store.state_dir(project), "tickets")


def scratch_dir(project: str, run_id: str | None) -> str:
    """Per run (and per project), outside the project, created on first use."""
    import zlib

    tag = f"{zlib.crc32(project.encode()):08x}"
    base = os.environ.get("CC_PACK_SCRATCH_ROOT") or os.path.join("/tmp", f"cc-pack-{os.getuid()}")
    return os.path.join(base, tag, run_id or "no-run")


def prefix_path(project: str) -> str:
    return os.path.join(project, ".claude", "hooks", "cc-pack", PREFIX_FILE)


def expected_prefixes(project: str) -> set[str]:
    """The resolved paths CLAUDE_CODE_SHELL_PREFIX may name: the installed prefix, inside the
    protected hook dir (a prefix anywhere else is a file the model could rewrite)."""
    return {os.path.realpath(prefix_path(project))}


def unavailable() -> str | None:
    """Why this machine cannot confine Bash, or None: bubblewrap must exist and be able to build
    a sandbox here (a container without user namespaces cannot)."""
    exe = bwrap()
    if exe is None:
        return "bubblewrap (bwrap) is not installed; Debian/Ubuntu: apt install bubblewrap"
    import subprocess

    probe = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
             "--die-with-parent", "--cap-drop", "ALL", "--", "true"]  # fmt: skip
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap did not run ({exc})"
    if done.returncode != 0:
        return f"bubblewrap cannot build a sandbox here: {done.stderr.strip()[:200]}"
    return None


def bwrap() -> str | None:
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin", "/bin"]:
        candidate = os.path.join(folder or ".", "bwrap")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


# --- tickets --------------------------------------------------------------------------------------


def command_key(session: str, command: str) -> str:
    """What identifies a command on both sides: the session (the hook's ``session_id``, the
    Bash environment's ``CLAUDE_CODE_SESSION_ID``) and the command (the hook sees
    ``tool_input.command``; the prefix decodes the word after ``eval``). Claude Code rewrites a
    Windows ``>nul`` first (only when the command holds no ``<``, ``$`` or backquote), so both
    sides normalise it the same way."""
    try:  # the builtin module: hashlib loads OpenSSL (3 ms)
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256
    text = f"{session}\0{_nul(command)}"
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _nul(command: str) -> str:
    if "<" in command or "$" in command or "`" in command or "nul" not in command.casefold():
        return command
    import re

    return re.sub(r"(\d?&?>+[ \t]*)[Nn][Uu][Ll](?=\s|$|[|&;)\n])", r"\1/dev/null", command)


def write_ticket(project: str, session: str, command: str, ticket: dict) -> str:
    folder = tickets_dir(project)
    os.makedirs(folder, exist_ok=True)
    name = f"{command_key(session, command)}.{ticket.get('tool_use_id') or os.getpid()}.json"
    path = os.path.join(folder, name.replace("/", "_"))
    store.write_atomic(path, runtime.dumps({**ticket, "created": time.time()}) + "\n")
    return path


def drop_tickets(project: str, tool_use_id: str) -> None:
    folder = tickets_dir(project)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for name in names:
        path = os.path.join(folder, name)
        stale = False
        if not name.endswith(f".{tool_use_id}.json"):
            try:
                stale = now - os.stat(path).st_mtime > TICKET_TTL
            except OSError:
                continue
        if stale or name.endswith(f".{tool_use_id}.json"):
            try:  # noqa: SIM105 - contextlib is one more import on the hooks' hot path
                os.unlink(path)
            except OSError:
                pass


def find_tickets(project: str, session: str, command: str) -> list[dict]:
    folder = tickets_dir(project)
    key = command_key(session, command) + "."
    found = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    now = time.time()
    for name in names:
        if not name.startswith(key):
            continue
        try:
            ticket = store.read_json(os.path.join(folder, name))
        except (OSError, store.StateError):
            continue
        if isinstance(ticket, dict) and now - float(ticket.get("created", 0)) <= TICKET_TTL:
            found.append(ticket)
    return found


def combine(tickets: list[dict]) -> dict | None:
    """One policy for identical commands issued at once by several agents: unwrapped only if every
    ticket says so, else the intersection of what they may write."""
    if not tickets:
        return None
    if all(t.get("mode") == "direct" for t in tickets):
        return tickets[0]
    sandboxed = [t for t in tickets if t.get("mode") != "direct"]
    patterns = set(sandboxed[0].get("patterns") or [])
    for t in sandboxed[1:]:
        patterns &= set(t.get("patterns") or [])
    return {**sandboxed[0], "mode": "sandbox", "patterns": sorted(patterns)}


# --- mounts -------------------------------------------------------------------------------------


class Mounts:
    """The bwrap mount arguments for a writable set, and what ``sweep`` needs afterwards."""

    __slots__ = ("args", "before", "notes", "patterns", "project", "sweep_dirs")

    def __init__(self, project: str, patterns: list[str]):
        self.project = project
        self.patterns = [p for p in patterns if isinstance(p, str) and p.strip()]
        self.args: list[str] = []
        self.sweep_dirs: list[str] = []  # read-write directories where new names need checking
        self.before: dict[str, tuple[set[str], int]] = {}  # dir -> (entry names, mode)
        self.notes: list[str] = []

    def ro(self, path: str) -> None:
        self.args += ["--ro-bind", path, path]

    def plan(self) -> Mounts:
        rel_root = ""
        if not any(globs.may_match_below(p, rel_root) for p in self.patterns):
            return self  # nothing in the project is writable: the root bind stays read-only
        self.args += ["--bind", self.project, self.project]
        self._dir(self.project, rel_root, covered=globs.covers(self.patterns, rel_root))
        return self

    def _dir(self, path: str, rel: str, covered: bool) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            self.notes.append(f"{rel or '.'}: unreadable ({exc.strerror}), kept read-only")
            self.ro(path)
            return
        if rel and not covered:
            # its own mount point: renaming or removing it (and with it its read-only
            # entries) fails with EBUSY instead of carrying them away
            self.args += ["--bind", path, path]
        if not covered:
            self.sweep_dirs.append(path)
            self.before[path] = ({e.name for e in entries}, os.stat(path).st_mode)
            if any(e.is_symlink() and not self._in_scope(_join(rel, e.name)) for e in entries):
                # A bind mount cannot keep a link's own name from being replaced: this
                # directory is read-only then, and only its in-scope files are writable.
                self._strict_dir(path, rel, entries)
                return
        for entry in entries:
            child = _join(rel, entry.name)
            if not rel and entry.name in PROTECTED:
                self.ro(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                if covered or globs.covers(self.patterns, child):
                    self._dir(entry.path, child, covered=True)
                elif any(globs.may_match_below(p, child) for p in self.patterns):
                    self._dir(entry.path, child, covered=False)
                else:
                    self.ro(entry.path)
            elif entry.is_symlink():
                continue  # in scope (else the directory is strict): writes follow it, into ro
            elif covered or self._in_scope(child):
                self._check_links(entry, child)
            else:
                self.ro(entry.path)

    def _strict_dir(self, path: str, rel: str, entries) -> None:
        self.sweep_dirs.remove(path)
        self.ro(path)
        for entry in entries:
            child = _join(rel, entry.name)
            if entry.is_symlink() or not self._in_scope(child):
                continue
            if entry.is_dir(follow_symlinks=False):
                self.args += ["--bind", entry.path, entry.path]
                self._dir(entry.path, child, covered=globs.covers(self.patterns, child))
            elif self._check_links(entry, child):
                self.args += ["--bind", entry.path, entry.path]
        self.notes.append(
            f"{rel or '.'}/ holds a symbolic link outside the scope, so only its existing "
            "in-scope files are writable (no new files there)"
        )

    def _check_links(self, entry, rel: str) -> bool:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            self.ro(entry.path)
            return False
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
            self.ro(entry.path)
            self.notes.append(
                f"{rel} has {info.st_nlink} hard links (another name may be outside the scope): "
                "read-only"
            )
            return False
        return True

    def _in_scope(self, rel: str) -> bool:
        return globs.match_any(self.patterns, rel)


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def sweep(mounts: Mounts, quarantine: str) -> list[str]:
    """After the command: move new names that are not in scope out of the project, restore the
    modes of the read-write directories. Returns what it did, for the model to read."""
    done = []
    for folder in mounts.sweep_dirs:
        names, mode = mounts.before.get(folder, (set(), None))
        rel_dir = os.path.relpath(folder, mounts.project)
        rel_dir = "" if rel_dir == "." else rel_dir
        try:
            current = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(set(current) - names):
            rel = _join(rel_dir, name)
            path = os.path.join(folder, name)
            if globs.match_any(mounts.patterns, rel):
                continue
            if os.path.isdir(path) and not os.path.islink(path):
                if globs.covers(mounts.patterns, rel):
                    continue
                if any(globs.may_match_below(p, rel) for p in mounts.patterns):
                    done += _sweep_new_tree(mounts, path, rel, quarantine)
                    continue
            done.append(_quarantine(path, rel, quarantine))
        try:
            if mode is not None and os.stat(folder).st_mode != mode:
                os.chmod(folder, stat.S_IMODE(mode))
                done.append(f"restored the mode of {rel_dir or '.'}/")
        except OSError:
            pass
    return done


def _sweep_new_tree(mounts: Mounts, path: str, rel: str, quarantine: str) -> list[str]:
    done = []
    for name in sorted(os.listdir(path)):
        child = _join(rel, name)
        full = os.path.join(path, name)
        if globs.match_any(mounts.patterns, child):
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            if globs.covers(mounts.patterns, child):
                continue
            if any(globs.may_match_below(p, child) for p in mounts.patterns):
                done += _sweep_new_tree(mounts, full, child, quarantine)
                continue
        done.append(_quarantine(full, child, quarantine))
    return done


def _quarantine(path: str, rel: str, quarantine: str) -> str:
    target = os.path.join(quarantine, f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}", rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.realpath(os.path.dirname(target)) != os.path.dirname(target):
        return f"left {rel} in place: the quarantine path is not what it should be"
    try:
        os.rename(path, target)  # a link is moved as the link, never followed
    except OSError as exc:
        return f"could not move {rel} out ({exc.strerror}); remove it: it is outside the scope"
    return f"moved {rel} to {target}: it is outside the scope"


# --- the command line ---------------------------------------------------------------------------


def hidden_tools(project: str, scratch: str) -> list[str]:
    """The programs on PATH that the private /tmp would hide (a virtualenv or a checkout under
    /tmp, as on CI machines): each PATH entry there, or the virtualenv holding it, read-only."""
    found: list[str] = []

    def add(path: str) -> None:
        if (
            path.startswith("/tmp/")
            and os.path.isdir(path)
            and not any(path == p or path.startswith(p + "/") for p in (project, scratch, *found))
        ):
            found.append(path)

    for entry in os.environ.get("PATH", "").split(os.pathsep):
        entry = os.path.realpath(entry) if entry else ""
        if not entry.startswith("/tmp/") or not os.path.isdir(entry):
            continue
        parent = os.path.dirname(entry)
        if not os.path.isfile(os.path.join(parent, "pyvenv.cfg")):
            add(entry)
            continue
        add(parent)
        # an editable install's .pth names its source tree, which the tmpfs hides as well
        for pth in _pth_files(parent):
            try:
                with open(pth, encoding="utf-8") as handle:
                    lines = handle.read(65536).splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                if line.startswith("/tmp/"):
                    add(os.path.realpath(line.strip()))
    return found


def _pth_files(venv: str) -> list[str]:
    """The ``.pth`` files of a virtualenv's site-packages (no glob: this runs per Bash call)."""
    lib = os.path.join(venv, "lib")
    try:
        versions = [d for d in os.listdir(lib) if d.startswith("python")]
    except OSError:
        return []
    found = []
    for version in versions:
        site = os.path.join(lib, version, "site-packages")
        try:
            found += [os.path.join(site, n) for n in os.listdir(site) if n.endswith(".pth")]
        except OSError:
            continue
    return found


def argv(
    project: str,
    mounts: Mounts,
    scratch: str,
    inner: list[str],
    cwd: str,
    extra_rw: list[str] = (),
    env_mark: str = "1",
) -> list[str]:
    """``bwrap … -- inner``: read-only root, private /tmp, the project's mounts, scratch and the
    extra writable paths (Claude Code's cwd file), no capabilities, own pid namespace."""
    exe = bwrap() or "bwrap"
    args = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    if project.startswith("/tmp/") or project == "/tmp":
        args += ["--ro-bind", project, project]  # re-expose the project the tmpfs hid
    for path in hidden_tools(project, scratch):
        args += ["--ro-bind", path, path]
    args += mounts.args
    for path in [scratch, *extra_rw]:
        args += ["--bind", path, path]
    env = {
        "TMPDIR": os.path.join(scratch, "tmp"),
        "XDG_CACHE_HOME": os.path.join(scratch, "cache"),
        # no bytecode written: a planted .pyc beside an out-of-scope module would run later
        # (and a cache prefix would make the first call recompile the standard library)
        "PYTHONDONTWRITEBYTECODE": "1",
        "npm_config_cache": os.path.join(scratch, "npm"),
        "GIT_OPTIONAL_LOCKS": "0",  # git status would otherwise try to refresh .git/index
        ENV_MARK: env_mark,
    }
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--unshare-pid", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    args += ["--chdir", cwd, "--", *inner]
    return args


def quarantine_dir(project: str, run_id: str | None) -> str:
    """Where the sweep moves new out-of-scope names: inside the run dir, which the sandbox
    keeps read-only, so a command cannot plant a link there to redirect the move."""
    base = store.run_dir(project, run_id) if run_id else store.state_dir(project)
    return os.path.join(base, "quarantine")


def prepare_scratch(scratch: str) -> None:
    for sub in ("tmp", "cache", "npm"):
        os.makedirs(os.path.join(scratch, sub), exist_ok=True)


class Confined:
    """One program run inside the sandbox by the CLI: ``argv`` to start, ``finish()`` after it
    ended (new out-of-scope names moved to quarantine), ``notes`` to show."""

    def __init__(self, root, inner: list[str], writable: list[str], run_id: str, cwd=None):
        project = str(root)
        self.project, self.run_id = project, run_id
        # ``cwd``: another tree inside the project (a step's tree, a wave's merge); its test
        # outputs are what becomes writable, and the scratch dir stays the run's
        where = str(cwd or project)
        prefix = os.path.relpath(where, project)
        prefix = "" if prefix == "." else prefix + "/"
        # A bind mount needs its target: create the conventional, git-ignored output folders
        # that do not exist yet (files such as .coverage are created in their folder, which the
        # parent's bind already allows).
        for rel in writable:
            path = os.path.join(where, rel)
            if "*" not in rel and not os.path.lexists(path) and not os.path.splitext(rel)[1]:
                os.makedirs(path, exist_ok=True)
        self.scratch = scratch_dir(project, run_id)
        prepare_scratch(self.scratch)
        patterns = [
            f"{prefix}{p.rstrip('/')}/**" if os.path.isdir(os.path.join(where, p)) else prefix + p
            for p in writable
        ]
        self.mounts = Mounts(project, patterns).plan()
        self.argv = argv(project, self.mounts, self.scratch, inner, where, env_mark=run_id)
        self.notes: list[str] = list(self.mounts.notes)

    def finish(self) -> list[str]:
        self.notes += sweep(self.mounts, quarantine_dir(self.project, self.run_id))
        return self.notes
