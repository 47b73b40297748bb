"""The machine-readable plan: read from plan.md's single fenced ```json block (or a .json file),
normalised, and checked for the split signals the plan gate enforces.

    {"steps": [{"id": "S1", "title": "...", "files": ["src/a.py"], "depends_on": [],
                "validation": "pytest -q tests/test_a.py", "parallel": false}]}
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from cc_pack.errors import InputError

MAX_FILES = 4
EXAMPLE = (
    '{"steps": [{"id": "S1", "title": "...", "files": ["src/a.py"], "depends_on": [], '
    '"validation": "pytest -q", "parallel": false}]}'
)
_STEP_KEYS = {"id", "title", "files", "depends_on", "validation", "parallel", "changes"}


def json_block(text: str, source: str) -> tuple[str, int]:
    """The one fenced json block of a Markdown plan and the file line its body starts on."""
    blocks: list[tuple[int, list[str]]] = []
    opened: tuple[str, bool, int] | None = None  # (fence, is the plan's language json, line)
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if opened is None:
            fence = _fence(stripped)
            if fence:
                info = stripped[len(fence) :].strip().split(" ")[0].lower()
                opened, body = (fence, info == "json", number), []
            continue
        fence, is_json, start = opened
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            if is_json:
                blocks.append((start + 1, body))
            opened = None
        else:
            body.append(line)
    if opened is not None and opened[1]:
        raise InputError(
            f"the ```json block opened on line {opened[2]} is never closed",
            "close it with a ``` line",
            path=source,
            line=opened[2],
        )
    if not blocks:
        raise InputError(
            "has no ```json block with the machine-readable plan",
            f"add exactly one fenced ```json block holding {EXAMPLE}",
            path=source,
        )
    if len(blocks) > 1:
        lines = ", ".join(str(first - 1) for first, _ in blocks)
        raise InputError(
            f"has {len(blocks)} ```json blocks (lines {lines}); the plan must be exactly one",
            "keep the plan in one ```json block; show other JSON in ``` blocks without a language",
            path=source,
            line=blocks[1][0] - 1,
        )
    first, body = blocks[0]
    return "\n".join(body), first


def _fence(line: str) -> str:
    """The opening run of three or more backticks or tildes, or ``""``."""
    for char in "`~":
        run = len(line) - len(line.lstrip(char))
        if run >= 3:
            return char * run
    return ""


def parse(text: str, source: str, root: Path) -> dict:
    """The normalised plan from a plan.md text or a JSON text. Wrong types are ``InputError``
    (exit 2); missing files/validation are left empty for the gate to name."""
    if text.lstrip().startswith("{"):
        body, first = text, 1
    else:
        body, first = json_block(text, source)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the plan is not valid JSON: {exc.msg} (column {exc.colno})",
            f"the plan must be one JSON object like {EXAMPLE}",
            path=source,
            line=first + exc.lineno - 1,
        ) from None
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise InputError(
            'the plan must be a JSON object with a "steps" list',
            f"use the shape {EXAMPLE}",
            path=source,
            line=first,
        )
    steps = []
    for index, raw in enumerate(data["steps"]):
        where = f"steps[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object")
            continue
        unknown = sorted(set(raw) - _STEP_KEYS)
        if unknown:
            problems.append(
                f"{where}: unknown keys {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(_STEP_KEYS))})"
            )
        step = {
            "id": _typed(raw, "id", str, None, where, problems),
            "title": _typed(raw, "title", str, "", where, problems),
            "files": _strings(raw, "files", where, problems),
            "depends_on": _strings(raw, "depends_on", where, problems),
            "validation": _typed(raw, "validation", str, "", where, problems),
            "parallel": _typed(raw, "parallel", bool, False, where, problems),
        }
        if "changes" in raw:  # "none": a step that only checks (its validation)
            step["changes"] = _typed(raw, "changes", str, "files", where, problems)
            if step["changes"] not in ("files", "none"):
                problems.append(f'{where}.changes: "files" (the default) or "none"')
        if not step["id"]:
            problems.append(f'{where}: "id" must be a non-empty string')
        step["files"] = [_project_path(f, f"{where}.files", root, problems) for f in step["files"]]
        steps.append(step)
    if problems:
        raise InputError(
            "the plan is malformed: " + "; ".join(problems),
            f"each step looks like {EXAMPLE}",
            path=source,
            line=first,
        )
    return {"steps": steps}


def _typed(raw: dict, key: str, kind: type, default, where: str, problems: list[str]):
    value = raw.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, kind):
        problems.append(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
        return default
    return value


def _strings(raw: dict, key: str, where: str, problems: list[str]) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}.{key}: expected a list of strings")
        return []
    return value


def _project_path(path: str, where: str, root: Path, problems: list[str]) -> str:
    """A plan file as a project-relative path (scope globs are project-relative)."""
    if path.startswith("/"):
        try:
            path = str(Path(path).resolve().relative_to(root.resolve()))
        except ValueError:
            problems.append(f"{where}: {path} is outside the project")
            return path
    clean = posixpath.normpath(path)
    if clean == ".." or clean.startswith("../"):
        problems.append(f"{where}: {path} is outside the project")
    return clean


def check(plan: dict | None) -> list[str]:
    """What stops the plan gate, each with the change to make. Empty: the plan passes."""
    if plan is None:
        return ["no plan recorded yet"]
    steps = plan["steps"]
    if not steps:
        return ["the plan has no steps"]
    problems: list[str] = []
    ids = [s["id"] for s in steps]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f'step id "{dup}" is used {ids.count(dup)} times: ids must be unique')
    for step in steps:
        name = f'step "{step["id"]}"'
        if not step["files"] and step.get("changes", "files") == "files":
            problems.append(
                f"{name} lists no files: name every file it will change (a step that only "
                'checks says "changes": "none")'
            )
        if not step["validation"].strip():
            problems.append(f"{name} has no validation command: add the command that proves it")
        if len(step["files"]) > MAX_FILES:
            problems.append(split_advice(step))
        for dep in step["depends_on"]:
            if dep not in ids:
                problems.append(f'{name} depends on "{dep}", which is not a step id')
    problems += _cycles(steps)
    problems += _parallel_overlaps(steps)
    return problems


def split_advice(step: dict) -> str:
    """The split to make for a step touching too many files: by folder, at most 4 per step."""
    by_dir: dict[str, list[str]] = {}
    for path in step["files"]:
        by_dir.setdefault(posixpath.dirname(path), []).append(path)
    groups: list[list[str]] = []
    for files in by_dir.values():
        for i in range(0, len(files), MAX_FILES):
            chunk = files[i : i + MAX_FILES]
            if groups and len(groups[-1]) + len(chunk) <= MAX_FILES:
                groups[-1].extend(chunk)
            else:
                groups.append(list(chunk))
    parts = "; ".join(
        f"{step['id']}{chr(ord('a') + n)}: {', '.join(g)}" for n, g in enumerate(groups)
    )
    return (
        f'step "{step["id"]}" changes {len(step["files"])} files (more than {MAX_FILES}): '
        f"split it into {len(groups)} steps, e.g. {parts} "
        "(each with its own validation; add depends_on where one needs another)"
    )


def _cycles(steps: list[dict]) -> list[str]:
    graph = {s["id"]: [d for d in s["depends_on"]] for s in steps}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    found: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, []):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                found.append(f"depends_on has a cycle: {' -> '.join(cycle)}: break it")
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return found


def _reaches(steps: list[dict], start: str, goal: str) -> bool:
    graph = {s["id"]: s["depends_on"] for s in steps}
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, []))
    return False


def _parallel_overlaps(steps: list[dict]) -> list[str]:
    """Steps marked parallel that would change the same file at the same time."""
    problems = []
    flagged = [s for s in steps if s["parallel"]]
    for i, a in enumerate(flagged):
        for b in flagged[i + 1 :]:
            shared = sorted(set(a["files"]) & set(b["files"]))
            ordered = _reaches(steps, a["id"], b["id"]) or _reaches(steps, b["id"], a["id"])
            if shared and not ordered:
                problems.append(
                    f'steps "{a["id"]}" and "{b["id"]}" are marked parallel but both change '
                    f"{', '.join(shared)}: merge them, or make one depend on the other and "
                    "drop parallel"
                )
    return problems


def files(plan: dict | None) -> list[str]:
    """Every file the plan names, in order, once."""
    seen: dict[str, None] = {}
    for step in (plan or {}).get("steps", []):
        for path in step["files"]:
            seen.setdefault(path, None)
    return list(seen)
