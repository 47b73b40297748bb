"""A stand-in for ``claude -p`` in the queue's process tests: a real process started by
``cc-pack queue run`` in the task's worktree, that plays the client's part of the story its task
text names, through the real CLI where the story is about the run engine (plan, envelope,
approval) and by writing what Claude Code and the hooks would write where it is not (the
session's transcript with its usage, the session binding, the end of the run). The real client
drives the whole story in tests/e2e/test_queue.py.

Task words: ``pass``, ``fail``, ``outside`` (a plan reaching outside the envelope), ``hang``
(alive, silent, forever), ``hang-once`` (hangs in the first session only), ``slow`` (prints for
a while, then passes). Every start appends ``<task id> <prompt>`` to ``$QUEUE_CLIENT_LOG``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

STEP = {"id": "S1", "title": "app", "depends_on": [], "validation": "python check.py",
        "parallel": False}  # fmt: skip
PLAN_IN = {"steps": [{**STEP, "files": ["src/app.py"]}]}
PLAN_OUT = {"steps": [{**STEP, "files": ["src/app.py", "README.md"]}]}
RESEARCH = "# Research\n\n## Key files\n- src/app.py\n\n## Risks\nnone\n\n## Open questions\nnone\n"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cc_pack", *args], input=stdin, text=True,
                          capture_output=True, check=False)  # fmt: skip


def main() -> int:
    from cc_pack import report, state
    from cc_pack_hooks import store, usage

    prompt = sys.argv[sys.argv.index("-p") + 1]
    root = Path.cwd()
    run = state.load_active(root)
    words = run.state["task"].split()
    tid = run.state["envelope"]["task"]
    with open(os.environ["QUEUE_CLIENT_LOG"], "a") as fh:
        fh.write(f"{tid} {prompt}\n")
    session = str(uuid.uuid4())
    slug = "".join(c if c.isalnum() else "-" for c in str(root.resolve()))
    transcript = Path(usage.config_dir()) / "projects" / slug / f"{session}.jsonl"
    transcript.parent.mkdir(parents=True, exist_ok=True)
    # what the first hook event does: bind the session and its transcript to the run
    store.update_state(str(run.rdir), lambda s: (s.__setitem__("session_id", session),
                       usage.note_session(s, session, str(transcript), time.time())))  # fmt: skip
    if "hang" in words or ("hang-once" in words and prompt.endswith("status")):
        time.sleep(3600)
    if "slow" in words:
        for _ in range(16):
            print(json.dumps({"type": "assistant", "working": True}), flush=True)
            time.sleep(0.25)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 1))
    message = {"type": "assistant", "timestamp": stamp, "message": {
        "id": f"msg-{session}", "model": "claude-opus-4-8",
        "usage": {"input_tokens": 1000, "output_tokens": 100}}}  # fmt: skip
    transcript.write_text(json.dumps(message) + "\n")

    if "outside" in words or "inside" in words:
        if run.phase == "research":
            cli("run", "record", "research", "-", stdin=RESEARCH)
            cli("run", "advance")
            plan = PLAN_OUT if "outside" in words else PLAN_IN
            cli("run", "record", "plan", "-", stdin=json.dumps(plan))
            moved = cli("run", "advance")
            print(moved.stdout + moved.stderr, flush=True)
            if state.load_active(root).phase == "approval":
                return 0  # the skill ends its turn: the human approves
        else:
            moved = cli("run", "advance")  # after `queue approve`: approval -> implement
            print(moved.stdout + moved.stderr, flush=True)
            if state.load_active(root).phase != "implement":
                return 0  # rejected: back to plan, which this stand-in does not redo
    run = state.load_active(root)
    outcome = "FAIL" if "fail" in words else "PASS"

    def end(s: dict) -> None:
        s["status"], s["phase"] = outcome, "report"
        if outcome == "FAIL":
            s["blockers"] = [{"severity": "HIGH", "source": "verify", "file": None, "line": None,
                              "message": "tests fail", "evidence": "check.py exit 1"}]  # fmt: skip
            s.setdefault("failures", []).append({"class": "verify", "iteration": 1, "at": "x"})
        usage.mark(s, "report", time.time() + 2, final=True)

    state.update(run, end)
    report.write_all(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
