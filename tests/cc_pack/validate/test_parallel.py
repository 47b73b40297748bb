"""A large pack is read in two processes (``validate.parallel``): the findings, their positions
and the errors are exactly those of a single process."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from pathlib import Path

import pytest

from cc_pack.errors import InputError
from cc_pack.validate import run
from cc_pack.validate.settings import Settings

discover = importlib.import_module("cc_pack.validate.discover")  # the module, not the function

SHAPES = [
    "---\nname: a{i}\ndescription: Plain.\ntools: Read, Bash(git diff:*)\n---\nBody\n",
    "---\nname: a{i}\ndescription: Use when: ready\ntools: [Read, Frobnicate]\n---\nBody\n",
    "---\nname: a{i}\ndescription: Use this\n  <example>Context: x</example>\n---\nBody\n",
    "---\nname: a{i}\ndescription: Keep #this\nmodel: gpt-4\ntools: Read\n---\nBody\n",
    "---\nname: a{i}\ndescription: !tag x\nhooks:\n  Stop: []\ntools: Read\n---\nB\n",
    "\ufeff---\nname: a{i}\ndescription: BOM.\ntools: Read\n---\nBody\n",
    "No frontmatter at all.\n",
]


def pack(root: Path, count: int) -> Path:
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "plugin.json").write_text(json.dumps({"name": "big"}))
    agents = root / "agents"
    agents.mkdir()
    for i in range(count):
        text = SHAPES[i % len(SHAPES)].replace("{i}", str(i))
        (agents / f"a{i}.md").write_text(text, encoding="utf-8")
    return root


def outcome(root: Path, parallel: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(discover, "PARALLEL_MIN", 2 if parallel else 10**9)
    monkeypatch.setattr(discover, "_can_fork", lambda: True)
    result = run([root], Settings())
    return result.files, [
        (f.path.name, f.line, f.column, f.code, f.severity, f.message, f.hint)
        for f in result.findings
    ]


def test_two_processes_find_exactly_what_one_finds(tmp_path, monkeypatch):
    root = pack(tmp_path / "big", 140)
    single = outcome(root, False, monkeypatch)
    double = outcome(root, True, monkeypatch)
    assert double == single
    assert single[0] == 141 and len({f[3] for f in single[1]}) >= 8  # the shapes all count


@pytest.mark.parametrize("bad", ["a0.md", "a39.md"], ids=["parent's half", "child's half"])
def test_an_unreadable_file_is_reported_as_by_one_process(tmp_path, monkeypatch, bad):
    root = pack(tmp_path / "big", 40)
    (root / "agents" / bad).write_bytes(b"---\nname: caf\xe9\n---\n")
    messages = []
    for parallel in (False, True):
        monkeypatch.setattr(discover, "PARALLEL_MIN", 2 if parallel else 10**9)
        monkeypatch.setattr(discover, "_can_fork", lambda: True)
        with pytest.raises(InputError) as raised:
            run([root], Settings())
        messages.append((raised.value.message, raised.value.path))
    assert messages[0] == messages[1] and "not UTF-8" in messages[0][0]
    # the parsing process was reaped: no exited child is left behind (or no child at all)
    with contextlib.suppress(ChildProcessError):
        assert os.waitpid(-1, os.WNOHANG) == (0, 0)


def test_one_process_when_asked_or_when_there_is_no_fork(monkeypatch):
    monkeypatch.setenv("CC_PACK_VALIDATE_JOBS", "1")
    assert discover._can_fork() is False


def test_no_fork_while_another_thread_runs(monkeypatch):
    import threading

    monkeypatch.delenv("CC_PACK_VALIDATE_JOBS", raising=False)
    monkeypatch.setattr(discover.os, "cpu_count", lambda: 2)
    assert discover._can_fork() is True
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert discover._can_fork() is False
    finally:
        stop.set()
        other.join()
