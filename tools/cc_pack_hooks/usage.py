"""Token usage of a run, read from the transcripts Claude Code writes, and the run's budget.

Stdlib only: the spawn gate checks the budget with it, and the CLI tallies with it.

What the transcripts hold (tests/e2e/test_usage.py replays it on both pinned versions): every
API response is written as one ``assistant`` record per content block, each repeating the
message's ``id`` and its final ``usage``, so a message is counted once per ``message.id``. The
main session's transcript is ``<config>/projects/<slug>/<session>.jsonl`` and holds the main
thread only; each subagent has ``<session>/subagents/agent-<id>.jsonl`` (its own messages only)
beside ``agent-<id>.meta.json`` (``agentType``). Assistant records carry ``timestamp`` (ISO, ms);
user records carry the turn's ``promptId``. Compaction calls are in no transcript: the totals
exclude them, and the report says so.

The state keeps, under ``usage``: the sessions that drove the run (``sessions``, with their
transcript when a hook saw it), a read cursor per transcript (offset and the last message ids,
so a file is read once however often it is tallied), the tally per agent, phase and model, the
phase marks (when the run entered each phase, epoch seconds: a message belongs to the phase it
was written in) and whether the budget warning was given. Messages from before the run started
are not the run's; after it ended, those of the same turn still are (the final report), a new
prompt's are not.
"""

from __future__ import annotations

import os

FIELDS = ("input", "output", "cache_read", "cache_write")
API_FIELDS = (
    ("input_tokens", "input"),
    ("output_tokens", "output"),
    ("cache_read_input_tokens", "cache_read"),
    ("cache_creation_input_tokens", "cache_write"),
)
KEEP_IDS = 32  # message ids remembered per transcript: a message's records are written together
MAIN = "main"
ORCHESTRATOR = "orchestrator"


def empty() -> dict:
    return {"sessions": [], "cursors": {}, "tally": [], "phases": [], "warned": False}


def of(state: dict) -> dict:
    """``state["usage"]``, created (and repaired) in place."""
    usage = state.get("usage")
    if not isinstance(usage, dict):
        usage = state["usage"] = empty()
    for key, value in empty().items():
        if not isinstance(usage.get(key), type(value)):
            usage[key] = value
    return usage


# --- where the transcripts are ------------------------------------------------------------------


def config_dir() -> str:
    found = os.environ.get("CLAUDE_CONFIG_DIR")
    if found:
        return found
    return os.path.join(os.environ.get("HOME") or os.path.expanduser("~"), ".claude")


def note_session(state: dict, session: object, transcript: object, at: float) -> bool:
    """Remember that ``session`` drives the run (with its transcript, when known)."""
    if not isinstance(session, str) or not session:
        return False
    path = transcript if isinstance(transcript, str) and transcript.endswith(".jsonl") else None
    sessions = of(state)["sessions"]
    for record in sessions:
        if record.get("session") == session:
            if path and not record.get("transcript"):
                record["transcript"] = path
                return True
            return False
    sessions.append({"session": session, "transcript": path, "at": round(at, 3)})
    return True


def _find_transcript(session: str) -> str | None:
    projects = os.path.join(config_dir(), "projects")
    try:
        slugs = os.listdir(projects)
    except OSError:
        return None
    for slug in slugs:
        candidate = os.path.join(projects, slug, f"{session}.jsonl")
        if os.path.isfile(candidate):
            return candidate
    return None


def _agent_type(base: str) -> str:
    from cc_pack_hooks import roles, runtime

    try:
        with open(base + ".meta.json", encoding="utf-8") as fh:
            meta = runtime.loads(fh.read())
    except Exception:
        return "unknown"
    kind = meta.get("agentType") if isinstance(meta, dict) else None
    return roles.agent_name(kind) or "unknown"


def transcripts(state: dict, extra: object = None) -> list[tuple[str, str, str]]:
    """(path, agent key, agent type) of every transcript of the run: each session's main
    transcript and its subagents'. ``extra``: a main transcript a hook event names."""
    mains: list[str] = []
    for record in of(state)["sessions"]:
        path = record.get("transcript") or _find_transcript(str(record.get("session")))
        if path and path not in mains:
            mains.append(path)
    if isinstance(extra, str) and extra.endswith(".jsonl") and extra not in mains:
        mains.append(extra)
    found = []
    for main in mains:
        found.append((main, MAIN, ORCHESTRATOR))
        folder = os.path.join(main[: -len(".jsonl")], "subagents")
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name.startswith("agent-") and name.endswith(".jsonl"):
                base = os.path.join(folder, name[: -len(".jsonl")])
                found.append(
                    (base + ".jsonl", name[len("agent-") : -len(".jsonl")], _agent_type(base))
                )
    return found


# --- reading one transcript ---------------------------------------------------------------------


def epoch(stamp: object) -> float | None:
    """``2026-12-01T11:48:15.197Z`` as epoch seconds (UTC), without importing datetime."""
    if not isinstance(stamp, str) or len(stamp) < 19 or stamp[10] != "T":
        return None
    try:
        year, month, day = int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10])
        hour, minute, second = int(stamp[11:13]), int(stamp[14:16]), float(stamp[17:].rstrip("Z"))
    except ValueError:
        return None
    # days from the civil date (Howard Hinnant's algorithm)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second


def scan(path: str, cursor: dict, main: bool) -> list[tuple[str, object]]:
    """What was appended to ``path`` since ``cursor`` (updated in place): ``("prompt", id)`` for
    each user record of a new turn and ``("message", {...})`` for each new API response.
    A line still being written (no newline yet) is left for the next read."""
    from cc_pack_hooks import runtime

    offset = cursor.get("offset") if isinstance(cursor.get("offset"), int) else 0
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return []
    end = data.rfind(b"\n")
    if end < 0:
        return []
    cursor["offset"] = offset + end + 1
    ids = cursor.get("ids") if isinstance(cursor.get("ids"), list) else []
    out: list[tuple[str, object]] = []
    for line in data[: end + 1].split(b"\n"):
        if b'"usage"' not in line and b'"promptId"' not in line:
            continue
        try:
            record = runtime.loads(line.decode("utf-8", "replace"))
        except Exception:
            continue
        if not isinstance(record, dict):
            continue
        kind = record.get("type")
        if kind == "user":
            prompt = record.get("promptId")
            if isinstance(prompt, str) and prompt != cursor.get("prompt"):
                cursor["prompt"] = prompt
                out.append(("prompt", (prompt, epoch(record.get("timestamp")))))
            continue
        message = record.get("message")
        if kind != "assistant" or not isinstance(message, dict):
            continue
        if main and record.get("isSidechain") is True:
            continue  # a subagent's message: counted from its own transcript
        mid, usage = message.get("id"), message.get("usage")
        if not isinstance(mid, str) or not isinstance(usage, dict) or mid in ids:
            continue
        ids.append(mid)
        counts = {}
        for api, name in API_FIELDS:
            value = usage.get(api)
            counts[name] = value if isinstance(value, int) and not isinstance(value, bool) else 0
        model = message.get("model") if isinstance(message.get("model"), str) else "unknown"
        out.append(("message", {"id": mid, "ts": epoch(record.get("timestamp")), "model": model,
                                **counts}))  # fmt: skip
    cursor["ids"] = ids[-KEEP_IDS:]
    return out


# --- tallying -----------------------------------------------------------------------------------


def mark(state: dict, phase: str, at: float, final: bool = False) -> None:
    """The run entered ``phase`` at ``at`` (the CLI calls it at every phase change)."""
    usage = of(state)
    marks = usage["phases"]
    if not marks or marks[-1].get("phase") != phase:
        marks.append({"phase": phase, "at": round(at, 3)})
    if final and usage.get("ended_at") is None:
        usage["ended_at"] = round(at, 3)


def phase_at(marks: list, ts: float | None) -> str | None:
    """The phase the run was in at ``ts``; None before the run started."""
    if not marks:
        return None
    if ts is None:
        return marks[-1].get("phase")
    found = None
    for item in marks:
        at = item.get("at")
        if isinstance(at, int | float) and at <= ts:
            found = item.get("phase")
    return found


def _add(tally: list, agent: str, kind: str, phase: str, message: dict) -> None:
    for row in tally:
        if (row.get("agent"), row.get("phase"), row.get("model")) == (
            agent,
            phase,
            message["model"],
        ):
            break
    else:
        row = {"agent": agent, "type": kind, "phase": phase, "model": message["model"],
               "messages": 0, **dict.fromkeys(FIELDS, 0)}  # fmt: skip
        tally.append(row)
    row["messages"] = int(row.get("messages", 0)) + 1
    for name in FIELDS:
        row[name] = int(row.get(name, 0)) + message[name]


def collect(state: dict, extra: object = None) -> bool:
    """Read what the run's transcripts gained since the last tally into ``state["usage"]``
    (in place; the caller saves it, or not). True when anything was added."""
    usage = of(state)
    marks = usage["phases"]
    ended = usage.get("ended_at")
    changed = False
    for path, agent, kind in transcripts(state, extra):
        cursor = usage["cursors"].setdefault(path, {"offset": 0, "ids": []})
        if cursor.get("closed"):
            continue
        for item_kind, item in scan(path, cursor, agent == MAIN):
            changed = True
            if item_kind == "prompt":
                _, ts = item
                if isinstance(ended, int | float) and ts is not None and ts > ended:
                    cursor["closed"] = True  # a new prompt after the run ended: not the run's
                    break
                continue
            phase = phase_at(marks, item["ts"])
            if phase is not None:
                _add(usage["tally"], agent, kind, phase, item)
    return changed


def tokens(row: dict) -> int:
    return sum(int(row.get(name) or 0) for name in FIELDS)


def summed(rows: list[dict]) -> dict:
    total = dict.fromkeys(FIELDS, 0)
    for row in rows:
        for name in FIELDS:
            total[name] += int(row.get(name) or 0)
    total["tokens"] = tokens(total)
    return total


def by(state: dict, key: str) -> dict[str, dict]:
    """Totals per ``key`` (agent, type, phase or model) of the tally."""
    groups: dict[str, list[dict]] = {}
    for row in of(state)["tally"]:
        groups.setdefault(str(row.get(key)), []).append(row)
    return {name: summed(rows) for name, rows in groups.items()}


def total(state: dict) -> dict:
    return summed(of(state)["tally"])


# --- the budget ---------------------------------------------------------------------------------


def limits(config: object) -> tuple[int | None, int | None, float]:
    """(run_tokens, agent_tokens, warn_at) from the run's config; None: no limit."""
    from cc_pack_hooks import roles

    budget = config.get("budget") if isinstance(config, dict) else None
    budget = budget if isinstance(budget, dict) else {}

    def limit(name: str) -> int | None:
        value = budget.get(name)
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
        )

    warn = budget.get("warn_at")
    if not isinstance(warn, int | float) or isinstance(warn, bool) or not 0 < warn <= 1:
        warn = roles.DEFAULT_CONFIG["budget"]["warn_at"]
    return limit("run_tokens"), limit("agent_tokens"), float(warn)


def limited(config: object) -> bool:
    run_tokens, agent_tokens, _ = limits(config)
    return run_tokens is not None or agent_tokens is not None


def status(state: dict) -> dict:
    """Where the run stands against its budget: used, limits, the agents over their own
    limit, ``exhausted`` (past a limit) and ``warn`` (past warn_at of the run limit)."""
    run_tokens, agent_tokens, warn_at = limits(state.get("config"))
    used = total(state)["tokens"]
    over = []
    if agent_tokens is not None:
        types = {row.get("agent"): row.get("type") for row in of(state)["tally"]}
        for agent, counts in by(state, "agent").items():
            if counts["tokens"] > agent_tokens:
                over.append({"agent": agent, "type": types.get(agent), "tokens": counts["tokens"]})
    exhausted = bool(over) or (run_tokens is not None and used > run_tokens)
    return {
        "used": used,
        "run_tokens": run_tokens,
        "agent_tokens": agent_tokens,
        "warn_at": warn_at,
        "agents_over": over,
        "exhausted": exhausted,
        "warn": not exhausted and run_tokens is not None and used >= warn_at * run_tokens,
        "warned": bool(of(state).get("warned")),
    }


def describe(info: dict) -> str:
    """One line on the budget: what is used of what, and which agent is over its own."""
    parts = []
    if info["run_tokens"] is not None:
        share = info["used"] / info["run_tokens"]
        parts.append(f"{info['used']:,} of {info['run_tokens']:,} run tokens ({share:.0%})")
    else:
        parts.append(f"{info['used']:,} tokens")
    for item in info["agents_over"]:
        parts.append(
            f"{item['type']} {item['agent']} used {item['tokens']:,} tokens, over the "
            f"{info['agent_tokens']:,} each agent may use"
        )
    return "; ".join(parts)


def warning(info: dict) -> str:
    return (
        f"cc-pack budget: this run has used {describe(info)}, past the warning mark "
        f"({info['warn_at']:.0%}). Spend the rest on what the plan needs: no extra agents. "
        "Past the limit the spawn gate starts no agent and `cc-pack run advance` ends the run "
        "FAIL (reason budget) with the partial report."
    )


def gate(state: dict, transcript: object) -> tuple[str | None, str | None]:
    """The spawn gate's check: (why no agent may start, or None; the warning to give now, or
    None). Reads the transcripts into a copy: a hook's decision writes nothing."""
    if not limited(state.get("config")):
        return None, None
    from cc_pack_hooks import runtime

    probe = {"config": state.get("config"), "usage": runtime.loads(runtime.dumps(of(state)))}
    collect(probe, transcript)
    info = status(probe)
    if info["exhausted"]:
        return (
            f"the run's token budget is spent ({describe(info)}); no new agent may start. "
            "Run `cc-pack run advance`: it ends the run FAIL (reason budget) with the partial "
            "report.",
            None,
        )
    if info["warn"] and not info["warned"]:
        return None, warning(info)
    return None, None
