"""A fact about Claude Code that ``cc-pack queue`` relies on, replayed on both pinned versions:
which ``.claude/settings.local.json`` a session in a linked git worktree applies."""

from __future__ import annotations

import json

import pytest
from fakeapi import Conversation, reply, tool
from scenario import commit_all, git

pytestmark = pytest.mark.e2e


def test_fact_a_linked_worktree_and_its_local_settings(claude, api, project, claude_version):
    """2.1.197 applies a linked worktree's own .claude/settings.local.json; 2.1.330 applies the
    main checkout's instead (so a task's Bash would go through the main checkout's sandbox).
    ``--settings`` wins over both on both versions: ``queue run`` passes the worktree's own
    sandbox prefix that way."""
    (project / ".claude").mkdir()
    (project / ".claude/settings.local.json").write_text(json.dumps({"env": {"FOO": "main"}}))
    (project / ".gitignore").write_text(".claude/settings.local.json\n.x/\n")
    commit_all(project)
    wt = project / ".x" / "wt"
    git(project, "worktree", "add", "-q", "-b", "b", str(wt))
    (wt / ".claude").mkdir(exist_ok=True)
    (wt / ".claude/settings.local.json").write_text(json.dumps({"env": {"FOO": "worktree"}}))
    echo = [reply("", tool("Bash", command="echo FOO=$FOO", description="x")), reply("done")]
    api.add(Conversation("m", lambda r: not r.is_subagent, echo))
    seen = []
    for extra in ([], ["--settings", json.dumps({"env": {"FOO": "flag"}})]):
        run = claude.run("go", cwd=wt, extra=extra)
        assert run.returncode == 0, run.describe()
        seen.append(run.tool_results()[0]["text"].strip())
    local = "FOO=main" if claude_version == "2.1.330" else "FOO=worktree"
    assert seen == [local, "FOO=flag"]
