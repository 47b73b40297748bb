"""Bash audit: PostToolUse and PostToolUseFailure on Bash. Advisory: fails silent.

Defence in depth behind the scope guard and the sandbox: after each Bash call during this
session's active run, what git sees changed since the run's start commit (``gitview``: the
repository's fsmonitor, filters and hooks never run; a commit or an index bit does not hide a
change) is compared with the scope; without the sandbox, the ``.git/`` control files and the
ignored files are compared with their ``run start`` baseline too (``treebase``). A file changed
outside the scope (and not already changed at ``run start``, per ``audit.baseline``) is recorded
in ``audit.violations`` and reported to the model (exit 2). A violation whose file is back to
its baseline is dropped again, so a revert by the human resolves it; the implement gate fails
while any remains. Outside a git work tree there is nothing to compare: silent.
"""

from __future__ import annotations

import os
import time

from cc_pack_hooks import gitview, globs, paths, sandbox, session, store, treebase
from cc_pack_hooks.runtime import Decision

HOOK = "bash-audit"
ON_ERROR = "silent"  # advisory: stays out of the way

BUDGET = 20.0  # seconds: a few git runs at most; registered with a timeout of 30


def changed_paths(project: str, state: dict) -> list[str] | None:
    """Project-relative paths that differ from the run's start commit (untracked included, the
    repository's own code never run: ``gitview``); None: no git. Without the sandbox, also the
    ``.git/`` control files and ignored files that changed since ``run start`` (``treebase``)."""
    audit = state.get("audit") if isinstance(state.get("audit"), dict) else {}
    base = audit.get("base_commit") if isinstance(audit.get("base_commit"), str) else None
    recorded = state.get("sandbox")
    boxed = isinstance(recorded, dict) and recorded.get("kind") is not None
    try:
        found = gitview.changed(project, base, index_bits=not boxed)
    except gitview.GitError:
        return None
    if found is None:
        return None
    if not boxed:
        root = gitview.top(project) or project
        rdir = store.run_dir(project, str(state.get("run_id")))
        for name in treebase.changes(rdir, project):
            rel = paths.relative(os.path.join(root, name), project)
            found.append(rel if rel is not None else os.path.join(root, name))
    return [rel for rel in dict.fromkeys(found) if not _own_artifact(rel)]


def _own_artifact(rel: str) -> bool:
    """Bytecode Python caches when the hooks themselves run (``python3 -S`` imports the pack's
    modules): not the run's change. The hook files themselves are reported like any other."""
    return "__pycache__/" in f"/{rel}"


def _signature(path: str) -> str:
    if not os.path.lexists(path):
        return "deleted"
    import hashlib

    try:
        with open(path, "rb") as fh:
            return hashlib.sha1(fh.read()).hexdigest()
    except OSError:
        return "unreadable"


def evaluate(event: dict) -> tuple[Decision, dict | None, session.RunView | None]:
    if event.get("tool_name") != "Bash" or event.get("hook_event_name") not in (
        "PostToolUse",
        "PostToolUseFailure",
    ):
        return Decision.allow(), None, None
    run = session.view(event)
    state = run.state
    if state is None:
        return Decision.allow(), None, run
    changed = changed_paths(run.project, state)
    if changed is None:
        return Decision.allow(log={"audit": "no git"}), None, run
    audit = state.get("audit") if isinstance(state.get("audit"), dict) else {}
    baseline = audit.get("baseline") if isinstance(audit.get("baseline"), dict) else {}
    scope = state.get("scope") if isinstance(state.get("scope"), dict) else {}
    patterns = [p for p in scope.get("patterns") or [] if isinstance(p, str)]
    outside = []
    for rel in dict.fromkeys(changed):
        if rel in baseline and _signature(os.path.join(run.project, rel)) == baseline[rel]:
            continue  # changed before the run started, and not since
        if not globs.match_any(patterns, rel):
            outside.append(rel)
    known = [v for v in audit.get("violations") or [] if isinstance(v, dict)]
    known_paths = {v.get("path") for v in known}
    new = [rel for rel in outside if rel not in known_paths]
    resolved = sorted(p for p in known_paths if isinstance(p, str) and p not in outside)
    effect = None
    if new or resolved:
        effect = {"add": new, "remove": resolved, "tool_use_id": event.get("tool_use_id")}
    if not new:
        return Decision.allow(log={"resolved": resolved} if resolved else None), effect, run
    listed = "\n".join(f"  {rel}" for rel in new[:20])
    more = f"\n  ({len(new) - 20} more)" if len(new) > 20 else ""
    return (
        Decision.feedback(
            f"cc-pack audit: this Bash call changed files outside the approved scope of run "
            f"{state.get('run_id')} (scope: {', '.join(patterns) or '(empty)'}):\n{listed}{more}\n"
            "They are recorded as violations and the implement gate fails until they are reverted. "
            "You cannot revert them yourself (writes outside the scope are blocked): stop and tell "
            "the human which files changed; they can revert them in their own terminal "
            "(`git checkout -- FILE`, or delete a new file). A reverted file clears by itself.",
            log={"violations": new},
        ),
        effect,
        run,
    )


def apply(run: session.RunView, effect: dict) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tool_use_id = effect["tool_use_id"] if isinstance(effect["tool_use_id"], str) else None

    def change(state: dict) -> None:
        if state.get("session_id") is None:
            state["session_id"] = run.session_id
        audit = state.setdefault("audit", {"baseline": {}, "violations": []})
        kept = [v for v in audit.get("violations") or [] if v.get("path") not in effect["remove"]]
        have = {v.get("path") for v in kept}
        kept += [
            {"path": p, "at": now, "source": "bash-audit", "tool_use_id": tool_use_id}
            for p in effect["add"]
            if p not in have
        ]
        audit["violations"] = kept

    store.update_state(run.run_dir, change)


def decide(event: dict) -> Decision:
    return evaluate(event)[0]


def handle(event: dict) -> Decision:
    decision, effect, run = evaluate(event)
    tool_use_id = event.get("tool_use_id")
    if run is not None and isinstance(tool_use_id, str) and tool_use_id:
        try:  # the sandbox ticket of this call has served (a stale one only restricts)
            sandbox.drop_tickets(run.project, tool_use_id)
        except Exception as exc:
            decision.log = {**(decision.log or {}), "ticket_error": str(exc)}
    if run is not None and run.run_dir:
        try:
            if effect is not None:
                apply(run, effect)
            elif run.needs_bind:
                session.bind(run)
        except Exception as exc:  # advisory: the report stands even if the record fails
            decision.log = {**(decision.log or {}), "record_error": str(exc)}
    return decision
