"""Plan steps on the real client (steps issue): two implementers in parallel, each bound to its
own step by the packet's `steps:` line, one trying the other's file (denied, by the Write guard
and, for Bash, by the sandbox or the analysis); their return packets checked against git and
rerun; and a run compacted mid-implement whose next request carries cc-pack's handoff."""

from __future__ import annotations

import pytest
import runstate
from fakeapi import Conversation, both, first_user_contains, main_thread, reply, tool
from runstate import plan_step, return_packet
from scenario import commit_all, install, pack_agent
from test_facts_agents_runtime import SUMMARY, is_compaction, system_texts
from test_guards import seen_by_model, use_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_steps(project):
    install(project)
    (project / "src").mkdir()
    (project / "src" / "a.py").write_text("A = 1\n")
    (project / "src" / "b.py").write_text("B = 1\n")
    (project / "src" / "c.py").write_text("C = 1\n")
    commit_all(project)
    return project


@pytest.mark.parametrize("sandbox", [False, True], ids=["analysis", "sandbox"])
def test_two_implementers_each_write_only_their_own_step(claude, api, two_steps, sandbox):
    project = two_steps
    path = runstate.write_run(
        project,
        phase="implement",
        scope=["src/**"],
        sandbox=sandbox,
        steps=[
            plan_step("S1", "src/a.py"),
            plan_step("S2", "src/b.py", "src/c.py"),
        ],
    )
    spawn = [
        tool(
            "Agent",
            description=f"implement {sid}",
            subagent_type="implementer",
            prompt=f"Handoff packet\nsteps: {sid}\nwrite {sid}",
            run_in_background=False,
        )
        for sid in ("S1", "S2")
    ]
    a, b, c = (str(project / f"src/{n}.py") for n in "abc")
    api.add(
        Conversation(
            "main",
            main_thread(),
            [reply("two steps, in parallel", *spawn), *[reply("Stopping here.")] * 10],
        ),
        Conversation(
            "impl-1",
            both(pack_agent("implementer"), first_user_contains("steps: S1")),
            [
                reply("read", tool("Read", file_path=a), tool("Read", file_path=c)),
                reply("mine", tool("Write", file_path=a, content="A = 2\n")),
                reply("and theirs", tool("Write", file_path=c, content="C = 666\n")),
                reply("via Bash", tool("Bash", command=f"echo 'C = 667' > {c}")),
                reply(return_packet("S1", "src/a.py")),
            ],
        ),
        Conversation(
            "impl-2",
            both(pack_agent("implementer"), first_user_contains("steps: S2")),
            [
                reply("read", tool("Read", file_path=b)),
                reply("mine", tool("Write", file_path=b, content="B = 2\n")),
                reply(return_packet("S2", "src/b.py")),
            ],
        ),
    )
    run = claude.run("implement the plan")
    assert api.errors == [], run.describe()
    assert (project / "src/a.py").read_text() == "A = 2\n"
    assert (project / "src/b.py").read_text() == "B = 2\n"
    assert (project / "src/c.py").read_text() == "C = 1\n"
    theirs = seen_by_model(api, use_of(run, "Write", "C = 666"))
    assert theirs["is_error"] and "is not a file of the steps implementer owns" in theirs["text"]
    bash = seen_by_model(api, use_of(run, "Bash", "C = 667"))
    assert bash["is_error"] or "Read-only file system" in bash["text"], bash
    state = runstate.read(path)
    owners = {o["steps"][0]: o for o in state["owners"].values()}
    assert owners["S1"]["files"] == ["src/a.py"]
    assert owners["S2"]["files"] == ["src/b.py", "src/c.py"]
    assert [o["status"] for o in (owners["S1"], owners["S2"])] == ["done", "done"]
    assert all(o["reruns"][sid]["exit_code"] == 0 for sid, o in owners.items())
    assert state["spawns"] == {}


def test_a_compacted_session_gets_the_handoff_in_its_next_request(claude, api, two_steps):
    """Mid-implement, the client compacts (reference B: CLAUDE_CODE_AUTO_COMPACT_WINDOW with a
    served input_tokens near it); cc-pack's SessionStart hook answers `compact` with the short
    handoff, and the very next request carries it."""
    project = two_steps
    runstate.write_run(
        project,
        phase="implement",
        scope=["src/**"],
        iteration=2,
        steps=[plan_step("S1", "src/a.py"), plan_step("S2", "src/b.py")],
    )
    big = {"input_tokens": 95000, "output_tokens": 10}
    continued = lambda r: "continued from a previous conversation" in r.text()  # noqa: E731
    api.add(
        Conversation("compact", is_compaction, [SUMMARY] * 5),
        Conversation("after", both(main_thread(), continued), [reply("carrying on")] * 12),
        Conversation(
            "main",
            main_thread(),
            [
                reply("", tool("Read", file_path=str(project / "src/a.py")), usage=big),
                reply("", tool("Read", file_path=str(project / "src/b.py")), usage=big),
                reply("never reached"),
            ],
        ),
    )
    claude.extra_env["CLAUDE_CODE_AUTO_COMPACT_WINDOW"] = "100000"
    run = claude.run("carry on with the run")
    assert api.errors == [], run.describe()
    after = api.requests_of("after")[0]  # the first request after the compaction
    [handoff] = [t for t in system_texts(after) if "cc-pack: this session drives run" in t]
    assert (
        "SessionStart hook additional context: cc-pack: this session drives run e2e-run "
        "(SessionStart compact)." in handoff
    )
    assert "Phase: implement, iteration 2 of 3; plan approval: approved by user." in handoff
    assert "Steps done: none; remaining: S1, S2." in handoff
    assert ".claude/cc-pack/runs/e2e-run/handoff.md" in handoff
