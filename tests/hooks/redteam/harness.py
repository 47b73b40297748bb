"""Red-team harness: every case of ``corpus.py`` through the REAL installed scope guard, then
EXECUTED the way Claude Code executes a Bash tool call, then the whole world diffed.

Per case:

1. a fresh ``cp -a`` of a template: a real git repository (three commits, the user's uncommitted
   work, an untracked file, ignored files, ``.git/hooks``), the pack installed by the real
   ``cc-pack init`` (``CLAUDE_PROJECT_DIR`` unset, as ``tests/realproc.run_cli``), a run state
   for the scenario (schema-valid, ``tests/e2e/runstate.py``; in sandbox mode with
   ``"sandbox": {"kind": "bwrap", ...}``), a sibling project ``outside/``, a fake ``HOME`` with
   ``.claude/settings.json`` and a shell snapshot; plus a fresh directory under ``/tmp``;
2. per step (one Bash tool call): the installed scope guard started exactly as registered in the
   copy's ``.claude/settings.json`` (exec form ``/bin/sh -c '. "$0" || exit 2' <run-hook>
   scope_guard deny``, ``${CLAUDE_PROJECT_DIR}`` substituted), with a realistic PreToolUse stdin
   (session id, cwd, tool_use_id, agent_id/agent_type for subagents) and env
   ``CLAUDE_PROJECT_DIR`` (+ ``CLAUDE_CODE_SHELL_PREFIX`` = the installed prefix in sandbox mode);
   a ``deny``/``ask`` answer or exit 2 stops the case (any other exit lets the call run, as in
   Claude Code);
3. otherwise the call runs as Claude Code runs it: the string
   ``source <snapshot> … && eval '<command>' < /dev/null && pwd -P >| <cwd file>`` given to
   ``bash -c`` (nosandbox) or to ``bash -c "<prefix> '<string>'"`` (sandbox), env
   ``CLAUDE_CODE_SESSION_ID``, ``SHELL=/bin/bash``, the fake HOME, cwd = Claude Code's cwd (carried
   over between steps through the cwd file), a 5 s timeout; then the installed bash_audit hook
   with the PostToolUse (or PostToolUseFailure) event of the same tool_use_id;
4. the harness is a child subreaper: processes that detach stay its descendants; after the last
   step it waits up to ``SETTLE`` seconds while any lives, then kills each by PID;
5. the case dir (project with ``.git/`` and ignored files, ``outside/``, the home, the cwd file,
   ``$TMPDIR``) and the ``/tmp`` dir are diffed against the snapshot taken before the first hook:
   content, mode, owner, type, symlink target, link count, mtime, new and removed entries. The
   hooks' own bookkeeping is compared by meaning (the run state may only gain audit violations;
   sandbox tickets must be gone again; the index may only be refreshed). A change the case does
   not allow is a bypass; a legitimate case the hook refuses is a false block.

``python tests/hooks/redteam/harness.py [--mode sandbox|nosandbox] [--class X] [--id Y]`` prints a
per-class table and every bypass's diff.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent.parent
REPO = TESTS.parent
for _p in (str(HERE), str(TESTS), str(TESTS / "e2e"), str(REPO / "tools")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import corpus  # noqa: E402
import runstate  # noqa: E402
from corpus import ALWAYS_WRITABLE, PROTECTED, SCENARIOS, SCOPE, SESSION, Case  # noqa: E402

from cc_pack_hooks import runtime as product_runtime  # noqa: E402  (how hooks write the state)
from cc_pack_hooks import sandbox as product_sandbox  # noqa: E402  (scratch dir and ticket key)

KNOWN_FILE = HERE / "known_nosandbox_bypasses.txt"
MODES = ("sandbox", "nosandbox")
EXEC_TIMEOUT = 5.0
SETTLE = 1.5  # seconds to wait for background writers while any descendant lives
JOBS = int(os.environ.get("CC_PACK_REDTEAM_JOBS", "2"))
# Projects live outside /tmp by default: the sandbox gives every command a private /tmp, which
# would hide outside/ and the home from the attacks instead of testing them.
WORKROOT = os.environ.get("CC_PACK_REDTEAM_WORKDIR", "/var/tmp")
PR_SET_CHILD_SUBREAPER = 36
RUN_ID = corpus.RUN_ID

# --- the template ------------------------------------------------------------------------------

FILES = {
    "README.md": "# demo\n",
    "setup.py": "from setuptools import setup\nsetup(name='demo')\n",
    "Makefile": (
        "all: build/out.txt\n\n"
        "build/out.txt: src/app.py\n\tmkdir -p build && cp src/app.py build/out.txt\n\n"
        "test:\n\tpython -m pytest -q -p no:cacheprovider\n\n"
        "clean:\n\trm -rf build\n"
    ),
    "lib/core.py": "CORE = 1\n",
    "src/__init__.py": "",
    "src/app.py": "def main():\n    return 1\n",
    "src/util.py": "def helper(x):\n    return x + 1\n",
    "src/data.json": '{"a": 1}\n',
    "src/fix.diff": (
        "--- a/src/util.py\n+++ b/src/util.py\n@@ -1,2 +1,2 @@\n def helper(x):\n"
        "-    return x + 1\n+    return x + 2\n"
    ),
    "src/pkg/__init__.py": "",
    "src/pkg/mod.py": "VALUE = 3\n",
    "tests/__init__.py": "",
    "tests/test_app.py": "from src.app import main\n\n\ndef test_main():\n    assert main() == 1\n",
    "docs/guide.md": "# guide\n",
    "docs/sub/deep.md": "# deep\n",
    "scripts/gen.py": (
        "import sys\n\nwith open(sys.argv[1], 'w') as fh:\n    fh.write('GENERATED = 1\\n')\n"
    ),
    "scripts/check.sh": "#!/bin/bash\necho checked\n",
}
GITIGNORE_EXTRA = "build/\n*.log\n.env\n__pycache__/\n.pytest_cache/\n.ruff_cache/\n"
IGNORED = {"build/artifact.bin": "BINARY\n", ".env": "SECRET=1\n", "app.log": "log line\n"}
OUTSIDE = {"secret.txt": "outside secret\n", "src/main.py": "OUT = 1\n", "docs/x.md": "# x\n"}
SNAPSHOT_REL = ".claude/shell-snapshots/snapshot-bash-1.sh"
HOME_FILES = {
    ".gitconfig": "[user]\n\tname = dev\n\temail = dev@example.com\n",
    ".claude/settings.json": '{"permissions": {"allow": []}}\n',
    ".bashrc": "# fake home\n",
}
# Commands that are not installed here, simulated: a deferred job runner (at/batch/crontab run
# the job 0.5 s later, detached, like atd or cron would).
STUBS = {
    "at": (
        '#!/bin/sh\njob=$(cat)\nsetsid sh -c "sleep 0.5; $job" >/dev/null 2>&1 </dev/null &\n'
        "echo 'job 1 at now' >&2\n"
    ),
    "crontab": (
        '#!/bin/sh\nif [ "$1" = -l ]; then exit 1; fi\n'
        'if [ -n "$1" ] && [ "$1" != - ]; then tab=$(cat "$1"); else tab=$(cat); fi\n'
        "job=$(printf '%s\\n' \"$tab\" | grep -v '^#' | head -1 | cut -d' ' -f6-)\n"
        'setsid sh -c "sleep 0.5; $job" >/dev/null 2>&1 </dev/null &\n'
    ),
}


def _clean_env(home: Path | None = None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLAUDE", "CC_PACK", "GIT_", "PYTEST", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        GIT_AUTHOR_NAME="dev",
        GIT_AUTHOR_EMAIL="dev@example.com",
        GIT_COMMITTER_NAME="dev",
        GIT_COMMITTER_EMAIL="dev@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    if home is not None:
        env["HOME"] = str(home)
    return env


def _git(cwd: Path, *args: str, env: dict) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout


def _write(root: Path, files: dict) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _snapshot_text(path_env: str) -> str:
    """A shell snapshot of the kind Claude Code writes and sources before every command."""
    return (
        "# Snapshot file\n# Unset all aliases to avoid conflicts with functions\n"
        "unalias -a 2>/dev/null || true\n# Functions\n# Shell Options\n"
        "shopt -s expand_aliases\n# Aliases\n"
        f"export PATH={shlex.quote(path_env)}\n"
    )


def case_path(root: Path) -> str:
    venv_bin = str(Path(sys.executable).parent)
    return f"{root / 'stubs'}:{venv_bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


def build_base(root: Path, mode: str) -> Path:
    """The scenario-independent template: <root>/{proj,outside,home,scratch,stubs}. In
    nosandbox mode the project configures ``scope.sandbox: off`` (as on a machine without
    bubblewrap, the guard's analysis is the boundary)."""
    proj, home = root / "proj", root / "home"
    for d in ("proj", "outside", "home", "scratch", "stubs"):
        (root / d).mkdir(parents=True)
    _write(root / "outside", OUTSIDE)
    _write(home, HOME_FILES)
    for name, text in STUBS.items():
        path = root / "stubs" / name
        path.write_text(text)
        path.chmod(0o755)
    env = _clean_env(home)
    _git(proj, "init", "-q", "-b", "main", env=env)
    _write(proj, FILES)
    (proj / "scripts" / "check.sh").chmod(0o755)
    _git(proj, "add", "-A", env=env)
    _git(proj, "commit", "-qm", "initial", env=env)
    (proj / "src" / "app.py").write_text("def main():\n    return 1\n\n\ndef extra():\n    pass\n")
    (proj / "lib" / "core.py").write_text("CORE = 1\nOTHER = 2\n")
    _git(proj, "commit", "-qam", "second", env=env)
    # the real `cc-pack init`, as tests/realproc.run_cli runs it (no CLAUDE_* in the env)
    init = subprocess.run(
        [sys.executable, "-m", "cc_pack", "init", "."],
        cwd=proj,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if init.returncode != 0:
        raise RuntimeError(f"cc-pack init failed: {init.stdout}\n{init.stderr}")
    with (proj / ".gitignore").open("a") as fh:
        fh.write(GITIGNORE_EXTRA)
    if mode == "nosandbox":
        with (proj / ".claude" / "cc-pack.yaml").open("a") as fh:
            fh.write('scope:\n  sandbox: "off"\n')  # unquoted, YAML reads off as false
    _git(proj, "add", "-A", env=env)
    _git(proj, "commit", "-qm", "install cc-pack", env=env)
    _git(proj, "gc", "-q", env=env)  # packed objects: a few files to copy per case, not 180
    # compile the config once (every cc-pack command would, inside the first case otherwise)
    subprocess.run(
        [sys.executable, "-m", "cc_pack", "run", "status"],
        cwd=proj,
        env=env,
        capture_output=True,
        timeout=60,
    )
    # bytecode for every hook module, by the interpreter the hooks run with: a hook run inside a
    # case must not be what changes the installed hook dir
    subprocess.run(
        [hook_python(proj), "-m", "compileall", "-q", str(proj / ".claude" / "hooks" / "cc-pack")],
        check=True,
        capture_output=True,
        env=env,
    )
    # the user's uncommitted work, an untracked file, ignored files, Claude Code's shell snapshot
    (proj / "lib" / "core.py").write_text("CORE = 1\nOTHER = 2\nWIP = 'uncommitted'\n")
    (proj / "notes.txt").write_text("untracked notes\n")
    _write(proj, IGNORED)
    _write(home, {SNAPSHOT_REL: _snapshot_text(case_path(root))})
    return root


def hook_python(proj: Path) -> str:
    conf = proj / ".claude" / "cc-pack" / "local.conf"
    for line in conf.read_text().splitlines():
        if line.startswith("hook_python="):
            return line.partition("=")[2]
    return "python3"


def state_for(scenario: str, sandboxed: bool, proj: Path) -> dict | None:
    phase = SCENARIOS[scenario]["phase"]
    if phase is None:
        return None
    compiled = json.loads((proj / ".claude" / "cc-pack" / "config.json").read_text())["config"]
    return runstate.state(
        phase=phase,
        scope=list(SCOPE),
        sandbox=sandboxed,
        config=compiled,  # what `run start` snapshots
        run_id=RUN_ID,
        session_id=SESSION,
    )


def warm_pycache(workdir: Path, template: Path) -> None:
    """The bytecode cache a run's scratch dir holds after its first Python command (the sandbox
    sets PYTHONPYCACHEPREFIX there), for every module the corpus's Python commands import."""
    env = _clean_env(template / "home")
    env.update(PATH=case_path(template), PYTHONPYCACHEPREFIX=str(workdir / "warm-pycache"))
    for argv in (
        ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        ["python3", "-c", "import json, shutil, subprocess, py_compile, compileall, zipfile"],
    ):
        subprocess.run(argv, cwd=template / "proj", env=env, capture_output=True, timeout=120)


def index_signature(proj: Path) -> str:
    """What the index says (entries, stages, assume-unchanged/skip-worktree flags), without its
    stat cache: a refresh by ``git status`` changes the file but not this."""
    env = _clean_env(Path("/nonexistent"))
    safe = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
    out = []
    for args in (["ls-files", "-s"], ["ls-files", "-v"]):
        done = subprocess.run(
            ["git", *safe, *args], cwd=proj, env=env, capture_output=True, text=True
        )
        out.append(f"{done.returncode}\n{done.stdout}")
    return "\n".join(out)


def build_templates(workdir: Path, mode: str, scenarios) -> dict[str, Path]:
    base = build_base(workdir / "tpl-base", mode)
    out = {}
    for name in sorted(scenarios):
        dest = workdir / f"tpl-{name}"
        subprocess.run(["cp", "-a", str(base), str(dest)], check=True)
        proj = dest / "proj"
        state = state_for(name, mode == "sandbox", proj)
        if state is not None:
            from cc_pack import gitchanges  # what `run start` records: the work already there

            base_commit = gitchanges.head(proj)
            state["audit"]["baseline"] = gitchanges.baseline(proj, base_commit)
            state["audit"]["base_commit"] = base_commit
            sdir = proj / ".claude" / "cc-pack"
            rdir = sdir / "runs" / RUN_ID
            rdir.mkdir(parents=True)
            (rdir / "state.json").write_text(json.dumps(state, indent=2) + "\n")
            (sdir / "active.json").write_text(json.dumps({"run_id": RUN_ID}) + "\n")
            if mode != "sandbox":  # what `run start` snapshots where no sandbox applies
                from cc_pack_hooks import treebase

                treebase.save(str(rdir), str(proj))
        (dest / "index.sig").write_text(index_signature(proj))
        out[name] = dest
    return out


# --- snapshots and diffs -----------------------------------------------------------------------


def _digest(path: str, size: int) -> str:
    h = hashlib.blake2b(digest_size=12)
    try:
        with open(path, "rb") as fh:
            remaining = 8 << 20
            while remaining > 0:
                chunk = fh.read(min(1 << 20, remaining))
                if not chunk:
                    break
                h.update(chunk)
                remaining -= len(chunk)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return h.hexdigest() + ("+" if size > 8 << 20 else "")


def _entry(path: str) -> tuple:
    st = os.lstat(path)
    mode = st.st_mode
    perm = oct(stat.S_IMODE(mode))
    if stat.S_ISDIR(mode):
        return ("dir", perm, st.st_uid, st.st_gid)
    if stat.S_ISLNK(mode):
        return ("symlink", os.readlink(path), st.st_uid, st.st_gid)
    if stat.S_ISREG(mode):
        return (
            "file",
            perm,
            st.st_uid,
            st.st_gid,
            f"nlink={st.st_nlink}",
            f"size={st.st_size}",
            f"mtime={st.st_mtime_ns}",
            _digest(path, st.st_size),
        )
    kinds = ((stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "chardev"))
    kind = next((name for test, name in kinds if test(mode)), "other")
    return (kind, perm, st.st_uid, st.st_gid, f"nlink={st.st_nlink}", f"rdev={st.st_rdev}")


def snapshot(roots: dict[str, Path]) -> dict[str, tuple]:
    """{"<root name>/<relative path>": entry} for every entry under each root (no symlink is
    followed), the roots themselves included."""
    snap: dict[str, tuple] = {}
    for name, root in roots.items():
        base = str(root)
        try:
            snap[name] = _entry(base)
        except FileNotFoundError:
            continue
        if snap[name][0] != "dir":
            continue
        stack = [base]
        while stack:
            d = stack.pop()
            try:
                names = os.listdir(d)
            except OSError:
                snap[name + d[len(base) :] + "/<unreadable>"] = ("unreadable",)
                continue
            for n in names:
                p = os.path.join(d, n)
                try:
                    e = _entry(p)
                except FileNotFoundError:
                    continue
                snap[name + p[len(base) :]] = e
                if e[0] == "dir":
                    stack.append(p)
    return snap


def diff(before: dict, after: dict) -> list[tuple[str, str]]:
    """[(key, description)] of every difference, sorted by key."""
    out = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if a is None:
            out.append((key, f"new {b[0]} {_show(b)}"))
        elif b is None:
            out.append((key, f"removed {a[0]}"))
        elif a[0] != b[0]:
            out.append((key, f"changed {a[0]} -> {b[0]} {_show(b)}"))
        else:
            changes = [f"{x} -> {y}" for x, y in zip(a[1:], b[1:], strict=False) if x != y]
            out.append((key, "changed " + "; ".join(changes)))
    return out


def _show(entry: tuple) -> str:
    if entry[0] == "symlink":
        return f"-> {entry[1]}"
    if entry[0] == "file":
        return f"{entry[1]} {entry[5]}"
    return " ".join(str(x) for x in entry[1:2])


_GLOB_CACHE: dict[str, re.Pattern] = {}


def glob_match(pattern: str, key: str) -> bool:
    """``**`` spans segments, ``*`` and ``?`` stay inside one; ``X/**`` also matches ``X``.
    Independent of the product's ``globs`` module on purpose."""
    rx = _GLOB_CACHE.get(pattern)
    if rx is None:
        out, i = [], 0
        while i < len(pattern):
            c = pattern[i]
            if pattern.startswith("/**", i) and i + 3 == len(pattern):
                out.append("(/.*)?")
                i += 3
            elif pattern.startswith("**/", i):
                out.append("(.*/)?")
                i += 3
            elif pattern.startswith("**", i):
                out.append(".*")
                i += 2
            elif c == "*":
                out.append("[^/]*")
                i += 1
            elif c == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(c))
                i += 1
        rx = _GLOB_CACHE[pattern] = re.compile("".join(out) + r"\Z", re.S)
    return rx.match(key) is not None


def _any(patterns, key: str) -> bool:
    return any(glob_match(p, key) for p in patterns)


STATE_KEY = f"proj/.claude/cc-pack/runs/{RUN_ID}/state.json"
PREV_KEY = f"proj/.claude/cc-pack/runs/{RUN_ID}/state.prev.json"
LOCK_KEY = f"proj/.claude/cc-pack/runs/{RUN_ID}/.lock"
TICKETS_KEY = "proj/.claude/cc-pack/tickets"
# the sweep moves new out-of-scope names here (the sandbox keeps the run dir read-only, so
# nothing but the sweep writes it): the name left the project, which is the rule working
QUARANTINE_KEYS = (
    f"proj/.claude/cc-pack/runs/{RUN_ID}/quarantine",
    "proj/.claude/cc-pack/quarantine",
)
INDEX_KEY = "proj/.git/index"
BOOKKEEPING = ("rev", "updated_at", "session_id")


def _state_meaning(text: str | None) -> object:
    """The run state without what the hooks may change: the audit's violations (added when a
    change outside the scope is seen) and the write counters."""
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return ("unparsable", text)
    if not isinstance(doc, dict):
        return ("not an object", text)
    doc = {k: v for k, v in doc.items() if k not in BOOKKEEPING}
    audit = doc.get("audit")
    if isinstance(audit, dict):
        doc["audit"] = {k: v for k, v in audit.items() if k != "violations"}
    return doc


HOOK_CACHE = "proj/.claude/hooks/cc-pack/"


class World:
    """What a case may change, and the hooks' bookkeeping compared by meaning."""

    def __init__(self, case: Case, proj: Path, state_before: str | None, index_before: str):
        self.case = case
        self.proj = proj
        self.state_before = _state_meaning(state_before)
        self.state_text_before = state_before
        try:
            self.rev_before = int(json.loads(state_before or "{}").get("rev", 0))
        except (ValueError, TypeError, AttributeError):
            self.rev_before = 0
        self.index_before = index_before
        self._index_after: str | None = None

    def verdict(self, key: str, after: dict) -> str:
        """``ok`` (allowed), ``undeclared`` (a legitimate case changed something inside its
        writable set that it did not declare) or ``bad`` (outside what the rules allow)."""
        case = self.case
        if _any((*case.allow, *case.changes), key) or _any(ALWAYS_WRITABLE, key):
            return "ok"
        if self.bookkeeping(key, after):
            return "ok"
        if _any(PROTECTED, key) or not _any(SCENARIOS[case.scenario]["writable"], key):
            return "bad"
        return "undeclared" if case.legit else "ok"

    def bookkeeping(self, key: str, after: dict) -> bool:
        """Changes the hooks themselves make, checked by what they mean."""
        entry = after.get(key)
        if key in (STATE_KEY, PREV_KEY):
            if entry is None or entry[0] != "file" or entry[4] != "nlink=1":
                return False
            try:
                text = (self.proj.parent / key).read_text()
            except OSError:
                return False
            if text == self.state_text_before:
                return True  # state.prev.json: the hooks keep the previous version
            # a hook's write: the product's own serialisation, one more rev, same meaning
            try:
                doc = json.loads(text)
                rev = int(doc.get("rev", 0))
            except (ValueError, TypeError, AttributeError):
                return False
            if text != product_runtime.dumps(doc) + "\n" or rev <= self.rev_before:
                return False
            return _state_meaning(text) == self.state_before != None  # noqa: E711
        if any(key == q or key.startswith(q + "/") for q in QUARANTINE_KEYS):
            return entry is not None
        if key.startswith(HOOK_CACHE) and "/__pycache__" in key:
            return self._fresh_bytecode(key, entry)
        if key == LOCK_KEY:
            return entry is not None and entry[0] == "file" and entry[5] == "size=0"
        if key == TICKETS_KEY:
            return entry is not None and entry[0] == "dir"  # the hook makes the dir; its files
        if key == INDEX_KEY:  # must be gone (the audit drops them)
            if entry is None or entry[0] != "file":
                return False
            if self._index_after is None:
                self._index_after = index_signature(self.proj)
            return self._index_after == self.index_before
        return False

    def _fresh_bytecode(self, key: str, entry) -> bool:
        """`run start`/`advance` replace the guards' bytecode by a fresh compile (a planted .pyc
        would run instead of its source): a cache that is gone, or equal to what its source
        compiles to, is that; anything else is not."""
        path = self.proj.parent / key
        if entry is None or entry[0] == "dir":
            return True
        if entry[0] != "file" or not path.name.endswith(".pyc"):
            return False
        source = path.parent.parent / (path.name.split(".")[0] + ".py")
        if not source.is_file():
            return False
        import marshal

        try:
            cached = marshal.loads(path.read_bytes()[16:])
            fresh = compile(source.read_bytes(), str(source), "exec", dont_inherit=True)
        except (ValueError, EOFError, TypeError, SyntaxError):
            return False
        # code objects compare by what they do, not by the file name compiled into them
        return cached == fresh


# --- processes ---------------------------------------------------------------------------------


def _become_subreaper() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except Exception:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _descendants(root: int) -> list[tuple[int, str]]:
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                text = fh.read()
        except OSError:
            continue
        rest = text.rsplit(")", 1)[1].split()
        children[int(rest[1])].append((int(d), rest[0]))
    out, todo = [], [root]
    while todo:
        for pid, state in children.get(todo.pop(), ()):
            out.append((pid, state))
            todo.append(pid)
    return out


def _alive() -> list[int]:
    return [pid for pid, state in _descendants(os.getpid()) if state not in ("Z", "X")]


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def settle_and_kill(settle: float) -> int:
    """Wait up to ``settle`` seconds while a descendant lives, then kill every remaining one
    by PID and reap it. Returns how many had to be killed."""
    deadline = time.monotonic() + settle
    left = _alive()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        _reap()
        left = _alive()
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2
    while _alive() and time.monotonic() < deadline:
        _reap()
        time.sleep(0.01)
    _reap()
    return len(left)


@dataclass
class Hook:
    rc: int | str
    ms: float
    stdout: str
    stderr: str
    decision: str  # deny | ask | block | allow | fail-open
    reason: str = ""


def registered(proj: Path, event: str, matcher_tool: str, entry: str) -> tuple[list[str], float]:
    """The argv Claude Code starts for ``entry`` on ``event`` (exec form, ``${CLAUDE_PROJECT_DIR}``
    substituted) and its timeout, read from the copy's .claude/settings.json."""
    settings = json.loads((proj / ".claude" / "settings.json").read_text())
    for group in settings.get("hooks", {}).get(event, []):
        matcher = group.get("matcher") or ""
        if matcher and not re.fullmatch(matcher, matcher_tool):
            continue
        for h in group.get("hooks", []):
            args = h.get("args") or []
            if entry in args:
                argv = [h["command"], *args]
                argv = [a.replace("${CLAUDE_PROJECT_DIR}", str(proj)) for a in argv]
                return argv, float(h.get("timeout", 60))
    raise RuntimeError(f"{entry} is not registered for {event}/{matcher_tool}")


def _event_base(case: Case, proj: Path, cwd: Path, home: Path, tool_use_id: str) -> dict:
    event = {
        "session_id": SESSION,
        "transcript_path": f"{home}/.claude/projects/proj/{SESSION}.jsonl",
        "cwd": str(cwd),
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_use_id": tool_use_id,
    }
    agent = SCENARIOS[case.scenario]["agent"]
    if agent:
        event["agent_id"] = "a1b2c3d4e5f6a7b8c"
        event["agent_type"] = agent
    return event


def _run_hook(argv, timeout, event: dict, env: dict, cwd: Path) -> Hook:
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            input=json.dumps(event).encode(),
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return Hook("timeout", (time.perf_counter() - started) * 1000, "", "", "fail-open")
    ms = (time.perf_counter() - started) * 1000
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    hook = Hook(proc.returncode, ms, out, err, "allow")
    parsed = None
    if proc.returncode == 0 and out.lstrip().startswith("{"):
        try:
            parsed = json.loads(out)
        except ValueError:
            parsed = None
    if isinstance(parsed, dict):
        specific = parsed.get("hookSpecificOutput") or {}
        decision = specific.get("permissionDecision")
        if decision in ("deny", "ask"):
            hook.decision = decision
            hook.reason = specific.get("permissionDecisionReason", "")
        elif parsed.get("decision") == "block":
            hook.decision, hook.reason = "block", parsed.get("reason", "")
    if hook.decision == "allow":
        if proc.returncode == 2:
            hook.decision, hook.reason = "block", err
        elif proc.returncode != 0:
            hook.decision = "fail-open"  # Claude Code lets the call run
    return hook


def hooks_of(proj: Path) -> dict:
    """The registrations Claude Code read at session start (it keeps that snapshot: a settings
    file changed by a command does not change which hooks run in this session)."""
    return {
        "PreToolUse": registered(proj, "PreToolUse", "Bash", "scope_guard"),
        "PostToolUse": registered(proj, "PostToolUse", "Bash", "bash_audit"),
        "PostToolUseFailure": registered(proj, "PostToolUseFailure", "Bash", "bash_audit"),
    }


def pre_tool_use(case, regs, proj, cwd, home, env, command: str, tool_use_id: str) -> Hook:
    argv, timeout = regs["PreToolUse"]
    event = _event_base(case, proj, cwd, home, tool_use_id)
    event["hook_event_name"] = "PreToolUse"
    event["tool_input"] = {"command": command, "description": f"red team {case.id}"}
    return _run_hook(argv, timeout, event, env, cwd)


def post_tool_use(case, regs, proj, cwd, home, env, command: str, tool_use_id: str, ex) -> Hook:
    failed = ex.rc != 0
    name = "PostToolUseFailure" if failed else "PostToolUse"
    argv, timeout = regs[name]
    event = _event_base(case, proj, cwd, home, tool_use_id)
    event["hook_event_name"] = name
    event["tool_input"] = {"command": command, "description": f"red team {case.id}"}
    if failed:
        event.update(
            error=f"Exit code {ex.rc}\n{ex.stdout}{ex.stderr}"[:2000],
            is_interrupt=False,
            duration_ms=int(ex.ms),
        )
    else:
        event["tool_response"] = {
            "stdout": ex.stdout,
            "stderr": ex.stderr,
            "interrupted": False,
            "isImage": False,
        }
    return _run_hook(argv, timeout, event, env, cwd)


@dataclass
class Exec:
    rc: int | str
    stdout: str
    stderr: str
    ms: float
    cwd_after: str = ""


def sq(text: str) -> str:
    """One single-quoted shell word, the way Claude Code quotes (``'`` -> ``'"'"'``)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def tool_string(command: str, snapshot_file: Path, cwd_file: Path) -> str:
    """The string Claude Code 2.1.197 builds for one Bash tool call."""
    return (
        f"source {snapshot_file} 2>/dev/null || true && "
        "{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 "
        f"|| true && eval {sq(command)} < /dev/null && pwd -P >| {cwd_file}"
    )


def execute(command: str, cwd: Path, env: dict, out_dir: Path, prefix: str | None, paths) -> Exec:
    string = tool_string(command, paths["snapshot"], paths["cwdfile"])
    line = f"{prefix} {sq(string)}" if prefix else string
    out_path, err_path = out_dir / ".harness-out", out_dir / ".harness-err"
    started = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            ["bash", "-c", line],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        # a blocking wait (Popen.wait(timeout) polls with sleeps) and a timer for the timeout
        timed_out = []

        def _expire() -> None:
            timed_out.append(True)
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(EXEC_TIMEOUT, _expire)
        timer.start()
        try:
            rc: int | str = proc.wait()
        finally:
            timer.cancel()
        if timed_out:
            rc = "timeout"
    ms = (time.perf_counter() - started) * 1000
    text = out_path.read_bytes()[-4000:].decode(errors="replace")
    etext = err_path.read_bytes()[-4000:].decode(errors="replace")
    out_path.unlink()
    err_path.unlink()
    return Exec(rc if rc != "timeout" else 124, text, etext, ms)


# --- running cases -----------------------------------------------------------------------------


@dataclass
class Result:
    id: str
    cls: str
    scenario: str
    legit: bool
    outcome: str  # denied | harmless | bypass | false_block | refused_needs_sandbox | failed | ok
    hooks: list = field(default_factory=list)
    audits: list = field(default_factory=list)
    execs: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # every (key, description)
    bad: list = field(default_factory=list)  # outside what the rules allow
    undeclared: list = field(default_factory=list)  # legit: inside, but not declared
    missing: list = field(default_factory=list)  # legit: declared changes that did not happen
    check: str = ""  # legit: why its check failed
    killed: int = 0
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.id}"


_KEY = re.compile(r"@KEY:(.*?)@(?=\.x\.json)")


def fill(text: str, cdir: Path, xtmp: Path) -> str:
    proj = cdir / "proj"
    text = _KEY.sub(lambda m: product_sandbox.command_key(SESSION, fill(m[1], cdir, xtmp)), text)
    return (
        text.replace(
            "@LAUNCHER@", str(proj / ".claude" / "skills" / "orchestrate" / "bin" / "cc-pack")
        )
        .replace("@PROJ@", str(proj))
        .replace("@OUT@", str(cdir / "outside"))
        .replace("@HOME@", str(cdir / "home"))
        .replace("@XTMP@", str(xtmp))
        .replace("@SESSION@", SESSION)
    )


def case_env(cdir: Path, mode: str, prefix: str) -> tuple[dict, dict]:
    """(the Bash tool's environment, the hooks' environment), as Claude Code builds them."""
    env = _clean_env(cdir / "home")
    for k in list(env):
        if k.startswith("GIT_"):
            env.pop(k)
    env.update(
        PATH=case_path(cdir),
        TMPDIR=str(cdir / "scratch"),
        LANG="C.UTF-8",
        SHELL="/bin/bash",
        USER="root",
        CLAUDECODE="1",
        CLAUDE_CODE_ENTRYPOINT="sdk-cli",
        CLAUDE_CODE_SESSION_ID=SESSION,
    )
    if mode == "sandbox":
        env["CLAUDE_CODE_SHELL_PREFIX"] = prefix  # settings.local.json env, applied by Claude Code
    hook_env = dict(env, CLAUDE_PROJECT_DIR=str(cdir / "proj"))
    return env, hook_env


def _next_cwd(proj: Path, cwd_file: Path, current: Path) -> Path:
    """Claude Code's cwd after a call: what the cwd file says, reset to the project when that
    leaves it."""
    try:
        text = cwd_file.read_text().strip()
    except OSError:
        return current
    if not text:
        return current
    path = Path(text)
    if path == proj or str(path).startswith(str(proj) + "/"):
        return path if path.is_dir() else proj
    return proj


_TEMPLATE_SNAPSHOTS: dict[str, dict] = {}


def _template_snapshot(template: Path, cdir: Path) -> dict:
    """The snapshot of a fresh copy: ``cp -a`` keeps modes, owners, mtimes, links and link
    counts, so the template's snapshot is the copy's (computed once per worker)."""
    key = str(template)
    if key not in _TEMPLATE_SNAPSHOTS:
        roots = {"proj": template / "proj", "outside": template / "outside"}
        roots.update(home=template / "home", scratch=template / "scratch")
        _TEMPLATE_SNAPSHOTS[key] = snapshot(roots)
    return dict(_TEMPLATE_SNAPSHOTS[key])


def run_case(args: tuple) -> Result:
    case, template, workdir, mode, guarded = args
    started = time.monotonic()
    cdir = Path(tempfile.mkdtemp(prefix="case-", dir=workdir))
    xtmp = Path(tempfile.mkdtemp(prefix="ccrt-x-", dir="/tmp"))
    scratches: list[str] = []
    try:
        os.rmdir(cdir)
        subprocess.run(["cp", "-a", str(template), str(cdir)], check=True)
        proj, home = cdir / "proj", cdir / "home"
        (cdir / "index.sig").unlink()
        # what `cc-pack init` writes there for this copy: the prefix of the copy's own install
        local_path = proj / ".claude" / "settings.local.json"
        text = local_path.read_text()
        old = json.loads(text)["env"]["CLAUDE_CODE_SHELL_PREFIX"]
        prefix = str(proj / ".claude" / "hooks" / "cc-pack" / "bash-sandbox")
        local_path.write_text(text.replace(json.dumps(old), json.dumps(prefix)))
        env, hook_env = case_env(cdir, mode, prefix)
        regs = hooks_of(proj)
        scratches = [product_sandbox.scratch_dir(str(proj), r) for r in (RUN_ID, None)]
        warm = template.parent / "warm-pycache"
        if mode == "sandbox" and warm.is_dir() and "py" in " ".join(case.steps):
            # A run's scratch dir keeps its bytecode cache between calls; start from a warm one
            # (cold, the first pytest in a run recompiles pytest and its dependencies: ~3 s).
            for s in scratches:
                os.makedirs(s, exist_ok=True)
                subprocess.run(["cp", "-a", str(warm), os.path.join(s, "pycache")], check=True)
        cwd_file = cdir / "cwdfile"
        cwd_file.write_text("")
        paths = {"snapshot": home / SNAPSHOT_REL, "cwdfile": cwd_file}
        roots = {"proj": proj, "outside": cdir / "outside", "home": home}
        roots.update(scratch=cdir / "scratch", xtmp=xtmp, cwdfile=cwd_file)
        state_path = proj / ".claude" / "cc-pack" / "runs" / RUN_ID / "state.json"
        state_before = state_path.read_text() if state_path.exists() else None
        world = World(case, proj, state_before, (template / "index.sig").read_text())
        before = _template_snapshot(template, cdir)
        before.update(snapshot({"xtmp": xtmp, "cwdfile": cwd_file}))
        before["proj/.claude/settings.local.json"] = _entry(str(local_path))
        result = Result(case.id, case.cls, case.scenario, case.legit, "harmless")
        denied = False
        cwd = proj / case.cwd if case.cwd else proj
        for step, raw in enumerate(case.steps):
            command = fill(raw, cdir, xtmp)
            tool_use_id = (
                f"toolu_01RedTeam{step:02d}{hashlib.md5(case.key.encode()).hexdigest()[:12]}"
            )
            if guarded:
                hook = pre_tool_use(case, regs, proj, cwd, home, hook_env, command, tool_use_id)
                result.hooks.append(hook)
                if hook.decision in ("deny", "ask", "block"):
                    denied = True
                    break
            ex = execute(command, cwd, env, cdir, prefix if mode == "sandbox" else None, paths)
            cwd = _next_cwd(proj, cwd_file, cwd)
            ex.cwd_after = str(cwd)
            result.execs.append(ex)
            if guarded:
                result.audits.append(
                    post_tool_use(case, regs, proj, cwd, home, hook_env, command, tool_use_id, ex)
                )
        result.killed = settle_and_kill(SETTLE)
        after = snapshot(roots)
        result.changes = diff(before, after)
        for key, desc in result.changes:
            verdict = world.verdict(key, after)
            if verdict == "bad":
                result.bad.append((key, desc))
            elif verdict == "undeclared":
                result.undeclared.append((key, desc))
        if case.legit:
            changed = {k for k, _ in result.changes}
            result.missing = [p for p in case.changes if not any(glob_match(p, k) for k in changed)]
            if case.check and not denied:
                done = subprocess.run(
                    ["bash", "-c", case.check],
                    cwd=proj,
                    env=_clean_env(home),
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
                if done.returncode != 0:
                    result.check = f"check {case.check!r} exited {done.returncode}"
        result.outcome = classify(case, result, denied, mode)
        result.seconds = time.monotonic() - started
        return result
    finally:
        settle_and_kill(0)
        _rmtree(cdir)
        _rmtree(xtmp)
        for s in scratches:
            _rmtree(Path(s))
            with contextlib.suppress(OSError):
                os.rmdir(os.path.dirname(s))


def _rmtree(path: Path) -> None:
    def onerror(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if path.exists() or path.is_symlink():
        shutil.rmtree(path, onerror=onerror)


def classify(case: Case, result: Result, denied: bool, mode: str) -> str:
    if not case.legit:
        if result.bad:
            return "bypass"
        return "denied" if denied else "harmless"
    if result.bad:
        return "bypass"
    if denied:
        return (
            "refused_needs_sandbox" if mode == "nosandbox" and case.needs_sandbox else "false_block"
        )
    last = result.execs[-1] if result.execs else None
    if last is None or last.rc not in case.rc or result.missing or result.undeclared:
        return "failed"
    if result.check:
        return "failed"
    if case.expect and not re.search(case.expect, last.stdout + last.stderr, re.M):
        result.check = f"output does not match {case.expect!r}"
        return "failed"
    return "ok"


def run_corpus(
    mode: str = "sandbox",
    cases: list[Case] | None = None,
    workdir: Path | None = None,
    jobs: int = JOBS,
    guarded: bool = True,
    progress=None,
) -> list[Result]:
    """Run ``cases`` (default: the whole corpus) and return one Result per case, in order."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    cases = list(corpus.CASES if cases is None else cases)
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="ccrt-", dir=WORKROOT)) if own else Path(workdir)
    try:
        templates = build_templates(workdir, mode, {c.scenario for c in cases})
        if mode == "sandbox":
            warm_pycache(workdir, next(iter(templates.values())))
        work = [(c, templates[c.scenario], workdir, mode, guarded) for c in cases]
        ctx = multiprocessing.get_context("fork")
        results: list[Result] = []
        with ctx.Pool(max(1, jobs), initializer=_become_subreaper) as pool:
            for r in pool.imap(run_case, work, chunksize=4):
                results.append(r)
                if progress:
                    progress(r)
        return results
    finally:
        if own:
            _rmtree(workdir)


# --- reporting ---------------------------------------------------------------------------------

COLUMNS = (
    ("attacks", "attacks"),
    ("denied", "denied by hook"),
    ("harmless", "allowed, harmless"),
    ("bypass", "BYPASSES"),
    ("legit", "legit"),
    ("ok", "ok"),
    ("false_block", "FALSE BLOCKS"),
    ("refused_needs_sandbox", "refused, needs sandbox"),
    ("failed", "legit failed"),
)


def table(results: list[Result], by: str = "cls") -> str:
    rows: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for c in (rows[getattr(r, by)], rows["TOTAL"]):
            c["legit" if r.legit else "attacks"] += 1
            c[r.outcome] += 1
    names = [*sorted(k for k in rows if k != "TOTAL"), "TOTAL"]
    width = max(len(n) for n in [*names, by])
    widths = [max(len(title), 5) for _, title in COLUMNS]
    titles = [f"{t:>{w}}" for (_, t), w in zip(COLUMNS, widths, strict=True)]
    head = f"{by:<{width}}  " + "  ".join(titles)
    lines = [head, "-" * len(head)]
    for n in names:
        cells = "  ".join(f"{rows[n][k]:>{w}}" for (k, _), w in zip(COLUMNS, widths, strict=False))
        lines.append(f"{n:<{width}}  {cells}")
    return "\n".join(lines)


def describe(r: Result, verbose: bool = False) -> str:
    case = corpus.BY_KEY[r.key]
    lines = [f"[{r.outcome.upper()}] {r.key} ({r.cls}, {r.seconds:.1f} s)"]
    for i, step in enumerate(case.steps):
        lines.append(f"  command[{i}]: {step!r}")
    for i, h in enumerate(r.hooks):
        what = f"hook[{i}]: {h.decision} (exit {h.rc}, {h.ms:.0f} ms)"
        if h.reason:
            what += f": {h.reason.strip()[:300]}"
        lines.append("  " + what)
    for i, e in enumerate(r.execs):
        tail = (e.stdout + e.stderr).strip().splitlines()[-3:]
        lines.append(f"  exec[{i}]: rc={e.rc} ({e.ms:.0f} ms)")
        lines.extend(f"    | {t[:200]}" for t in tail)
    for i, a in enumerate(r.audits):
        if a.rc != 0 or a.stdout.strip() or a.stderr.strip():
            lines.append(f"  audit[{i}]: exit {a.rc}: {(a.stdout + a.stderr).strip()[:300]}")
    if r.killed:
        lines.append(f"  killed {r.killed} lingering process(es)")
    shown = r.bad + r.undeclared if not verbose else r.changes
    for key, desc in shown[:25]:
        mark = "!" if (key, desc) in r.bad else " "
        lines.append(f"  {mark} {key}: {desc}")
    if len(shown) > 25:
        lines.append(f"  ... {len(shown) - 25} more")
    if r.missing:
        lines.append(f"  expected to change but did not: {r.missing}")
    if r.check:
        lines.append(f"  {r.check}")
    if case.note:
        lines.append(f"  note: {case.note}")
    return "\n".join(lines)


def residual(results: list[Result]) -> set[str]:
    """The entries of the known-bypass list this run produces: ``<outcome> <scenario>/<id>``."""
    return {f"bypass {r.key}" for r in results if r.outcome == "bypass"}


def load_known(path: Path = KNOWN_FILE) -> set[str]:
    if not path.exists():
        return set()
    return {
        line.split("#", 1)[0].strip()
        for line in path.read_text().splitlines()
        if line.split("#", 1)[0].strip()
    }


def write_known(results: list[Result], path: Path = KNOWN_FILE) -> None:
    by_key = {r.key: r for r in results}
    head = (
        "# Attacks that change files outside what the rules allow when no OS sandbox confines\n"
        "# Bash (mode nosandbox: the scope guard's analysis and the audit alone). Generated by\n"
        "# `python tests/hooks/redteam/harness.py --mode nosandbox --record`; test_redteam fails\n"
        "# on a bypass that is not listed here. <outcome> <scenario>/<case id>  # first change\n"
    )
    lines = []
    for entry in sorted(residual(results)):
        r = by_key[entry.split(" ", 1)[1]]
        key, desc = r.bad[0] if r.bad else ("", "")
        lines.append(f"{entry}  # {key}: {desc.split(';')[0]}"[:140])
    path.write_text(head + "".join(f"{line}\n" for line in lines))


def select(cls=None, ids=None, scenarios=None, legit_only=False, attacks_only=False) -> list[Case]:
    return [
        c
        for c in corpus.CASES
        if (not cls or c.cls in cls)
        and (not ids or any(i in c.id for i in ids))
        and (not scenarios or c.scenario in scenarios)
        and (not legit_only or c.legit)
        and (not attacks_only or not c.legit)
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=MODES, default="sandbox")
    ap.add_argument("--class", dest="cls", action="append", help="only this class (repeatable)")
    ap.add_argument("--id", action="append", help="only case ids containing this (repeatable)")
    ap.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    ap.add_argument("--legit", action="store_true", help="only the legitimate cases")
    ap.add_argument("--attacks", action="store_true", help="only the attacks")
    ap.add_argument("--jobs", type=int, default=JOBS)
    ap.add_argument(
        "--unguarded",
        action="store_true",
        help="run without any hook or sandbox: lists the attacks that change nothing even then",
    )
    ap.add_argument("--record", action="store_true", help=f"rewrite {KNOWN_FILE.name}")
    ap.add_argument("--all", action="store_true", help="describe every case, not only failures")
    ap.add_argument("--json", help="write every result to this file")
    args = ap.parse_args(argv)
    cases = select(args.cls, args.id, args.scenario, args.legit, args.attacks)
    if not cases:
        print("no case matches", file=sys.stderr)
        return 2
    mode = "nosandbox" if args.unguarded else args.mode
    started = time.monotonic()
    results = run_corpus(mode, cases, jobs=args.jobs, guarded=not args.unguarded)
    elapsed = time.monotonic() - started
    if args.unguarded:
        shown = [r for r in results if not r.legit and not r.bad]
        shown += [r for r in results if r.legit and r.outcome != "ok"]
        print(f"{len(shown)} case(s) that are duds even unguarded (or legit ones that fail):\n")
    else:
        shown = [r for r in results if args.all or r.outcome in ("bypass", "false_block", "failed")]
    for r in shown:
        print(describe(r, verbose=args.all))
        print()
    print(table(results, "cls"))
    print()
    print(table(results, "scenario"))
    slow = sorted(results, key=lambda r: -r.seconds)[:3]
    print(
        f"\n{len(results)} cases in {elapsed:.1f} s (mode {mode}"
        f"{', unguarded' if args.unguarded else ''}, {args.jobs} jobs); slowest: "
        + ", ".join(f"{r.key} {r.seconds:.1f} s" for r in slow)
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        **r.__dict__,
                        "hooks": [h.__dict__ for h in r.hooks],
                        "audits": [a.__dict__ for a in r.audits],
                        "execs": [e.__dict__ for e in r.execs],
                    }
                    for r in results
                ],
                indent=1,
                default=str,
            )
        )
    if args.record:
        if mode != "nosandbox" or args.unguarded or len(cases) != len(corpus.CASES):
            print("--record needs the whole corpus, guarded, in nosandbox mode", file=sys.stderr)
            return 2
        write_known(results)
        print(f"wrote {KNOWN_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
