"""The run state as the CLI sees it: ``cc_pack_hooks.store`` (locking, atomic writes, the
backup) plus validation against ``schemas/state.schema.json`` on every load and before every save.

The hooks read the same files with the stdlib only; the schema is the contract between them."""

from __future__ import annotations

import json
import os
import secrets
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cc_pack import pack
from cc_pack.errors import CheckFailed, RunStateError
from cc_pack_hooks import store

BACKUP_FIX = (
    "restore the previous version with `cc-pack run resume --from-backup`, "
    "or end the run with `cc-pack run abort`"
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def crashpoint(name: str) -> None:
    """Fault injection for the crash tests: ``CC_PACK_CRASH_AT=<name>`` makes the process kill
    itself with SIGKILL here, between two writes, exactly as a kill -9 from outside would."""
    if os.environ.get("CC_PACK_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Run:
    root: Path
    rdir: Path
    state: dict

    @property
    def run_id(self) -> str:
        return self.state["run_id"]

    @property
    def phase(self) -> str:
        return self.state["phase"]

    @property
    def config(self) -> dict:
        return self.state["config"]

    def path(self, name: str) -> Path:
        return self.rdir / name

    def rel(self, name: str) -> str:
        """An artifact's path relative to the project, as reports and the handoff show it."""
        return os.path.relpath(self.rdir / name, self.root)


@cache
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads((pack.schemas_dir() / "state.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def schema_errors(state: object) -> list[str]:
    """Every way ``state`` breaks the schema, as ``where: problem`` lines."""
    errors = sorted(_validator().iter_errors(state), key=lambda e: list(map(str, e.path)))
    return [f"{json_path(e.absolute_path)}: {e.message}" for e in errors]


def json_path(parts) -> str:
    """``findings[2].severity`` from a jsonschema error path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(state: object, path: Path | str) -> dict:
    problems = schema_errors(state)
    if problems:
        listed = "; ".join(problems[:5]) + (
            f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        )
        raise RunStateError(
            f"does not match the state schema: {listed}", BACKUP_FIX, path=str(path)
        )
    return state  # type: ignore[return-value]


def load(rdir: Path) -> dict:
    path = rdir / "state.json"
    return validate(store.load_state(str(path)), path)


def active_dir(root: Path) -> Path | None:
    run_id = store.active_run_id(str(root))
    return Path(store.run_dir(str(root), run_id)) if run_id else None


def load_active(root: Path) -> Run:
    rdir = active_dir(root)
    if rdir is None:
        raise RunStateError("no active run", "start one with `cc-pack run start TASK`")
    return Run(root, rdir, load(rdir))


def update(run: Run, change: Callable[[dict], None]) -> dict:
    """Locked read-modify-write of the run's state; refreshes ``run.state``.

    The state is re-read under the lock, so ``change`` sees the latest version (a hook may have
    written since this command loaded it) and should check that what it relies on still holds."""
    path = run.rdir / "state.json"

    def checked(state: dict) -> None:
        validate(state, path)
        change(state)
        state["updated_at"] = now()
        problems = schema_errors(state)
        if problems:  # a bug in cc-pack, never the user's doing: refuse to save it
            raise RuntimeError(f"refusing to save an invalid state: {problems[0]}")

    run.state = store.update_state(str(run.rdir), checked)
    return run.state


def expect(state: dict, phase: str, iteration: int) -> None:
    """Inside ``update``: stop when another process moved the run on since this one read it."""
    if state["phase"] != phase or state["iteration"] != iteration or store.is_final(state):
        raise CheckFailed(
            f"the run changed while this command ran (now phase {state['phase']}, iteration "
            f"{state['iteration']}, status {state['status']}); nothing was saved",
            "check with `cc-pack run status` and retry",
        )


def event(state: dict, name: str, **fields) -> None:
    state["history"].append({"at": now(), "event": name, **fields})


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def fresh_approval(history: list | None = None) -> dict:
    return {
        "status": "none",
        "prompt_id": None,
        "at": None,
        "feedback": None,
        "by": None,
        "history": history or [],
    }


def create(
    root: Path,
    *,
    task: str,
    max_iterations: int,
    auto_approve: bool,
    config: dict,
    baseline: dict,
    base_commit: str | None = None,
    session_id: str | None,
    notes: list[str],
    sandbox: dict | None = None,
    extra: dict | None = None,
) -> Run:
    """A new run, made active. Refused while another run is active and not finished.
    ``extra``: more top-level fields of the first state (its usage record, an envelope)."""
    sdir = Path(store.state_dir(str(root)))
    (sdir / "runs").mkdir(parents=True, exist_ok=True)
    with store.locked(str(sdir)):
        current = active_dir(root)
        if current is not None:
            try:
                old = load(current)
            except (RunStateError, store.StateError):
                old = None
            if old is None or not store.is_final(old):
                status = "is unreadable" if old is None else f"is in phase {old['phase']}"
                raise CheckFailed(
                    f"run {current.name} is still active ({status}); one run at a time",
                    "finish it, or end it with `cc-pack run abort`",
                )
        run_id = new_run_id()
        while (sdir / "runs" / run_id).exists():
            run_id = new_run_id()
        rdir = sdir / "runs" / run_id
        (rdir / "findings").mkdir(parents=True)
        stamp = now()
        state = {
            "schema_version": store.SCHEMA_VERSION,
            "rev": 0,
            "run_id": run_id,
            "task": task,
            "created_at": stamp,
            "updated_at": stamp,
            "session_id": session_id,
            "phase": "research",
            "status": "active",
            "iteration": 1,
            "max_iterations": max_iterations,
            "auto_approve": auto_approve,
            "approval": fresh_approval(),
            "scope": {"patterns": [], "manual": []},
            "plan": None,
            "dispatch": None,
            "fix_list": [],
            "audit": {"baseline": baseline, "violations": [], "base_commit": base_commit},
            "contract_failures": {},
            "contract_retries": {},
            "stop_blocks": 0,
            "blockers": [],
            "config": config,
            "history": [{"at": stamp, "event": "start", "notes": notes}],
        }
        if sandbox is not None:
            state["sandbox"] = sandbox
        state.update(extra or {})
        validate(state, rdir / "state.json")
        with store.locked(str(rdir)):
            store.save_state(str(rdir), state)
        crashpoint("start-state-written")
        store.write_atomic(str(sdir / "active.json"), json.dumps({"run_id": run_id}) + "\n")
    return Run(root, rdir, state)


def clear_active(root: Path, run_id: str | None) -> None:
    """Remove the active pointer (only if it still names ``run_id``, when one is given)."""
    sdir = store.state_dir(str(root))
    with store.locked(sdir):
        try:
            current = store.active_run_id(str(root))
        except store.StateError:
            current = None  # a corrupt pointer is what abort clears
        if run_id is None or current in (None, run_id):
            Path(sdir, "active.json").unlink(missing_ok=True)


def restore_backup(root: Path) -> Run:
    """Replace a broken state.json by state.prev.json, after checking the backup. The broken
    file is kept beside it as ``state.broken-<time>.json``; nothing is deleted."""
    rdir = active_dir(root)
    if rdir is None:
        raise RunStateError("no active run to restore", "start one with `cc-pack run start TASK`")
    try:
        load(rdir)
    except (RunStateError, store.StateError):
        pass
    else:  # rolling a sound state back one write could undo the human's rejection
        raise CheckFailed(
            "state.json is sound: there is nothing to restore (the backup is one write older)",
            "`cc-pack run resume` re-checks the run without replacing its state",
        )
    prev = rdir / "state.prev.json"
    if not prev.exists():
        raise RunStateError(
            "has no backup (state.prev.json)",
            "end the run with `cc-pack run abort`",
            path=str(rdir / "state.json"),
        )
    try:
        backup = validate(store.load_state(str(prev)), prev)
    except store.StateError as exc:
        raise RunStateError(
            f"the backup is unusable too: {exc.problem}",
            "end the run with `cc-pack run abort`",
            path=str(prev),
        ) from None
    with store.locked(str(rdir)):
        current = rdir / "state.json"
        if current.exists():
            os.replace(current, rdir / f"state.broken-{now().replace(':', '')}.json")
        store.save_state(str(rdir), backup)
    return Run(root, rdir, backup)


def clean_temp_files(rdir: Path) -> list[str]:
    """Remove ``*.tmp.<pid>`` leftovers of writers that died (kill -9) before their replace."""
    removed = []
    for folder in (rdir, rdir / "findings"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name, _, pid = entry.name.rpartition(".tmp.")
            if not name or not pid.isdigit() or _alive(int(pid)):
                continue
            entry.unlink(missing_ok=True)
            removed.append(os.path.relpath(entry, rdir))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
