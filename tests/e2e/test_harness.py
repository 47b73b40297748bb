"""The harness itself against the real binary: the scripted model drives real tools, routing by
conversation works for parallel subagents, unscripted requests are reported, and a hung session
is killed with everything it started."""

from __future__ import annotations

import os
import time

import pytest
from fakeapi import Conversation, first_user_contains, main_thread, reply, subagent, tool

pytestmark = pytest.mark.e2e


def test_scripted_write_lands_and_result_reaches_next_request(claude, api, project):
    target = project / "hello.txt"
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "writing", tool("Write", file_path=str(target), content="hi from the script\n")
                ),
                reply("all done"),
            ],
        )
    )
    run = claude.run("write the file")
    assert run.returncode == 0, run.describe()
    assert run.init["claude_code_version"] == claude.version
    assert target.read_text() == "hi from the script\n"
    assert run.result["result"] == "all done"
    second = api.requests_of("main")[1]
    assert second.step == 1
    [result] = second.last_tool_results()
    assert not result["is_error"] and "hello.txt" in result["text"]
    assert api.errors == []


def test_parallel_subagents_are_told_apart(claude, api, project):
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    for name in ("alpha", "beta"):
        (agents / f"{name}.md").write_text(
            f"---\nname: {name}\ndescription: test agent {name}\ntools: Read\n---\n"
            f"You are AGENT-{name.upper()}.\n"
        )
    calls = [
        tool(
            "Agent",
            description=f"ask {n}",
            prompt=f"go {n}",
            subagent_type=n,
            run_in_background=False,
        )
        for n in ("alpha", "beta")
    ]
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("fan out", *calls),
                # 2.1.330 wraps each result in a "[Subagent hand-back]" preamble
                lambda req: reply(
                    "got "
                    + " ".join(
                        sorted(
                            w
                            for r in req.last_tool_results()
                            for w in r["text"].split()
                            if w.endswith("-RESULT")
                        )
                    )
                ),
            ],
        ),
        Conversation("alpha", subagent("You are AGENT-ALPHA"), [reply("ALPHA-RESULT")]),
        Conversation("beta", subagent("You are AGENT-BETA"), [reply("BETA-RESULT")]),
    )
    run = claude.run("fan out please")
    assert run.returncode == 0, run.describe()
    assert run.result["result"] == "got ALPHA-RESULT BETA-RESULT", run.describe()
    assert len(api.requests_of("alpha")) == 1 and len(api.requests_of("beta")) == 1
    assert api.errors == []


def test_unscripted_request_is_reported(claude, api):
    api.add(Conversation("other", first_user_contains("NOT-THIS-PROMPT"), [reply("never")]))
    run = claude.run("something unexpected")
    assert "FAKEAPI: no script step" in run.result["result"]
    assert len(api.errors) == 1 and "no conversation matches" in api.errors[0]


def test_timeout_kills_the_whole_process_group(claude, api, project):
    pid_file = project / "sleeper.pid"
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "",
                    tool(
                        "Bash", command=f"echo $$ > {pid_file}; exec sleep 60", description="hang"
                    ),
                ),
                reply("unreachable"),
            ],
        )
    )
    run = claude.run("hang", timeout=4)
    assert run.timed_out
    deadline = time.monotonic() + 5
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = int(pid_file.read_text())
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
