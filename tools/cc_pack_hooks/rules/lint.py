"""Lint after edit (entry file ``hooks/lint_after_edit.py``): PostToolUse on
Write|Edit|NotebookEdit. Advisory: fails silent.

Runs the configured linter (``lint.linters``: first glob matching the project-relative path) on
the edited file and reports, with exit 2 on stderr (it reaches the model as a reminder), only
the diagnostics on lines this edit touched, so old problems are not blamed on it. Never rewrites
the file (a formatter here would break the model's next Edit). Clean: no output. Missing linter:
silent (noted in the decision log). Timeout: a one-line notice. Runs with or without a run.
"""

from __future__ import annotations

import os

from cc_pack_hooks import globs, paths, process, roles, runtime, sandbox, session
from cc_pack_hooks.runtime import Decision

HOOK = "lint-after-edit"
ON_ERROR = "silent"  # advisory: stays out of the way

MAX_LINES = 20
BUDGET = 50.0  # seconds; registered with a timeout of 60, so lint.timeout is capped below it
TOOLS = ("Write", "Edit", "MultiEdit")


def touched_lines(tool_input: dict, response: dict) -> set[int] | None:
    """Line numbers (1-based, in the new file) the edit wrote; None when unknown."""
    patch = response.get("structuredPatch")
    if response.get("type") == "create" or (
        not patch and isinstance(tool_input.get("content"), str)
    ):
        content = tool_input.get("content", response.get("content"))
        if isinstance(content, str):
            return set(range(1, content.count("\n") + 2))
    if not isinstance(patch, list):
        return None
    lines: set[int] = set()
    for hunk in patch:
        if not isinstance(hunk, dict) or not isinstance(hunk.get("newStart"), int):
            continue
        number = hunk["newStart"]
        for line in hunk.get("lines") or []:
            if not isinstance(line, str) or line.startswith("-"):
                continue
            if line.startswith("+"):
                lines.add(number)
            number += 1
    return lines


def parse_ruff_json(output: str) -> list[tuple[int, int, str, str]]:
    data = runtime.loads(output) if output.strip() else []
    found = []
    for item in data if isinstance(data, list) else []:
        loc = item.get("location") if isinstance(item, dict) else None
        if isinstance(loc, dict) and isinstance(loc.get("row"), int):
            col = loc.get("column") if isinstance(loc.get("column"), int) else 1
            found.append((loc["row"], col, str(item.get("code") or ""), str(item.get("message"))))
    return found


def parse_text(output: str) -> list[tuple[int, int, str, str]]:
    """``path:line:col: message`` (or ``path:line: message``) lines."""
    found = []
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) >= 3 and parts[1].strip().isdigit():
            if len(parts) == 4 and parts[2].strip().isdigit():
                found.append((int(parts[1]), int(parts[2]), "", parts[3].strip()))
            else:
                found.append((int(parts[1]), 1, "", ":".join(parts[2:]).strip()))
    return found


PARSERS = {"ruff-json": parse_ruff_json, "text": parse_text}


def decide(event: dict) -> Decision:
    if event.get("tool_name") not in TOOLS:
        return Decision.allow()
    tool_input = runtime.field(event, "tool_input", dict)
    response = event.get("tool_response")
    response = response if isinstance(response, dict) else {}
    raw = tool_input.get("file_path")
    if not isinstance(raw, str) or not raw:
        return Decision.allow()
    run = session.view(event)
    cwd = event.get("cwd") if isinstance(event.get("cwd"), str) else run.project
    path = paths.resolve(raw, cwd)
    rel = paths.relative(path, run.project)
    if not rel or not os.path.isfile(path):
        return Decision.allow()
    linter = next(
        (
            item
            for item in roles.setting(run.config, "lint.linters")
            if isinstance(item, dict)
            and isinstance(item.get("glob"), str)
            and globs.match(item["glob"], rel)
        ),
        None,
    )
    if linter is None:
        return Decision.allow()
    command = linter.get("command")
    parser = PARSERS.get(linter.get("format", "text"))
    if not isinstance(command, list) or not command or parser is None:
        return Decision.allow(log={"bad_linter": linter})
    lines = touched_lines(tool_input, response)
    if not lines:
        return Decision.allow(log={"touched": "unknown"})
    argv = [str(part).replace("{file}", path) for part in command]
    timeout = min(roles.setting(run.config, "lint.timeout"), BUDGET - 5)
    venv = (os.path.join(run.project, ".venv", "bin"),)
    recorded = (run.state or {}).get("sandbox")
    if isinstance(recorded, dict) and recorded.get("kind") and process.which(argv[0], venv):
        # A linter's configuration may be code the implementer wrote (plugins): confined too.
        scratch = sandbox.scratch_dir(run.project, run.state.get("run_id"))
        sandbox.prepare_scratch(scratch)
        mounts = sandbox.Mounts(run.project, []).plan()
        inner = [process.which(argv[0], venv), *argv[1:]]
        argv = sandbox.argv(run.project, mounts, scratch, inner, run.project, env_mark="lint")
    result = process.run(argv, run.project, float(timeout), venv)
    if result.missing:
        return Decision.allow(log={"missing_linter": argv[0]})
    if result.timed_out:
        return Decision.context(
            f"cc-pack lint: {argv[0]} took longer than {timeout:g} s on {rel}; lint skipped.",
            log={"timeout": argv[0]},
        )
    try:
        diagnostics = parser(result.stdout.decode("utf-8", "replace"))
    except runtime.BadEvent:
        return Decision.allow(log={"unparsable_output": argv[0]})
    hits = sorted({d for d in diagnostics if d[0] in lines})
    if not hits:
        return Decision.allow(log={"clean": rel, "elsewhere": len(diagnostics)})
    shown = [f"{rel}:{row}:{col} {f'{code} ' if code else ''}{msg}" for row, col, code, msg in hits]
    more = len(shown) - MAX_LINES
    text = "\n".join(shown[:MAX_LINES]) + (f"\n({more} more)" if more > 0 else "")
    return Decision.feedback(
        f"cc-pack lint ({argv[0]}) on the lines this edit touched:\n{text}\n"
        "Fix these in your next edit; problems on other lines are not yours.",
        log={"diagnostics": len(hits)},
    )


handle = decide  # nothing to record: the lint report is the whole effect
