"""The run as one hook event sees it: which project, whether a run governs this session, and
which configuration applies.

Reading only: claiming an unbound run for the session is reported as ``needs_bind`` and done by
the hook after its decision (``store.bind_session``), so every ``decide()`` stays free of writes.
"""

from __future__ import annotations

from cc_pack_hooks import store


class RunView:
    """``state`` is set only when the active run is ``active`` and belongs to this session (or to
    no session yet). ``config`` is the run's snapshot, else the compiled project config, else {}
    (``roles.setting`` supplies defaults)."""

    __slots__ = (
        "config",
        "needs_bind",
        "project",
        "run_dir",
        "session_id",
        "state",
        "transcript",
    )

    def __init__(self, project, run_dir, state, config, needs_bind, session_id, transcript=None):
        self.project = project
        self.run_dir = run_dir
        self.state = state
        self.config = config
        self.needs_bind = needs_bind
        self.session_id = session_id
        self.transcript = transcript

    @property
    def phase(self) -> str | None:
        return self.state.get("phase") if self.state else None


def view(event: dict) -> RunView:
    """Raises ``store.StateError`` for a corrupt state: guards deny on it, advisory hooks stay
    silent (their ``runtime.main`` failure policy)."""
    project = store.project_dir(event)
    session_id = event.get("session_id")
    transcript = event.get("transcript_path")
    transcript = transcript if isinstance(transcript, str) else None
    found = store.active_state(project)
    if found is not None:
        rdir, state = found
        owned = isinstance(session_id, str) and store.session_owns(state, session_id)
        if owned and state.get("status") == "active":
            config = state.get("config")
            return RunView(
                project,
                rdir,
                state,
                config if isinstance(config, dict) else store.compiled_config(project),
                state.get("session_id") is None,
                session_id,
                transcript,
            )
    return RunView(
        project, None, None, store.compiled_config(project), False, session_id, transcript
    )


def bind(run: RunView | None) -> bool:
    """Claim the run for the session (the first hook event after ``cc-pack run start``).

    Bookkeeping only: a failure leaves the run unbound (the next event claims it) and never
    changes the hook's decision, so it is reported as False rather than raised."""
    if run is None or not (run.needs_bind and run.run_dir and run.session_id):
        return False
    try:
        store.bind_session(run.run_dir, run.session_id, run.transcript)
    except Exception:
        return False
    run.needs_bind = False
    return True
