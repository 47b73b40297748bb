"""Plan steps as units of work: their record in the run state, their context estimate, and the
validation the CLI runs for each (never the implementer's word for it).

A step record (``state.steps``, the state schema says so)::

    {"id", "title", "files", "depends_on", "parallel", "changes": "files" | "none",
     "status": "pending" | "active" | "done" | "failed" | "blocked", "owners": [agent ids],
     "context_tokens": int, "validation": {"command", "exit_code", "log", "at"}, "note"}

``changes: none`` is a step that changes no file (a pure check): it needs no change to pass,
only its validation.
"""

from __future__ import annotations

from pathlib import Path

from cc_pack import gitchanges
from cc_pack.state import Run
from cc_pack_hooks import roles, stepcheck

CHARS_PER_TOKEN = 4  # the usual rule of thumb for code and English
PACKET_TOKENS = 2000  # the handoff packet, the agent file and the preloaded skills
DEFAULT_WINDOW = 200_000
DEFAULT_SHARE = 0.6
DEFAULT_TIMEOUT = 600.0


def initial(run: Run, plan: dict) -> list[dict]:
    """The step records a plan starts with, each with its context estimate."""
    return [
        {
            "id": step["id"],
            "title": step["title"],
            "files": list(step["files"]),
            "depends_on": list(step["depends_on"]),
            "parallel": step["parallel"],
            "changes": step.get("changes", "files"),
            "status": "pending",
            "owners": [],
            "context_tokens": context_tokens(run, step),
            "validation": {
                "command": step["validation"],
                "exit_code": None,
                "log": None,
                "at": None,
            },
            "note": None,
        }
        for step in plan["steps"]
    ]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def context_tokens(run: Run, step: dict) -> int:
    """What an implementer of ``step`` reads: its files (twice: read, then written back), the
    research, and the packet; the seed's rule: all of it under 60% of the window."""
    files = sum(_size(run.root / f) for f in step["files"])
    research = _size(run.path("research.md"))
    return (2 * files + research) // CHARS_PER_TOKEN + PACKET_TOKENS


def context_problems(run: Run, plan: dict) -> list[str]:
    """Steps whose estimate exceeds the configured share of the implementer's window."""
    settings = run.config.get("plan", {}) if isinstance(run.config.get("plan"), dict) else {}
    window = int(settings.get("context_window", DEFAULT_WINDOW))
    share = float(settings.get("context_share", DEFAULT_SHARE))
    limit = int(window * share)
    problems = []
    for step in plan["steps"]:
        tokens = context_tokens(run, step)
        if tokens <= limit:
            continue
        biggest = sorted(step["files"], key=lambda f: -_size(run.root / f))
        problems.append(
            f'step "{step["id"]}" needs about {tokens:,} tokens of context (its files, the '
            f"research and the packet), over {share:.0%} of the implementer's {window:,}-token "
            f"window ({limit:,}): split it so that {', '.join(biggest[:2])} are in different "
            "steps, or narrow what each step touches (plan.context_share in the config)"
        )
    return problems


def changed(run: Run, step: dict, changes: set[str]) -> bool:
    return step.get("changes") == "none" or any(f in changes for f in step["files"])


def validate(run: Run, step: dict) -> dict:
    """Run the step's validation (``cc_pack_hooks.stepcheck``): the validation record."""
    settings = run.config.get("plan", {}) if isinstance(run.config.get("plan"), dict) else {}
    timeout = float(settings.get("validation_timeout", DEFAULT_TIMEOUT))
    recorded = run.state.get("sandbox")
    confine = None
    if isinstance(recorded, dict) and recorded.get("kind") == "bwrap":
        confine = (run.run_id, roles.setting(run.config, "scope.test_outputs"))
    return stepcheck.run(
        str(run.root), str(run.rdir), step["id"], step["validation"]["command"], timeout, confine
    )


def run_changes(run: Run) -> set[str]:
    audit = run.state["audit"]
    return set(gitchanges.run_changes(run.root, audit["baseline"], audit.get("base_commit")))
