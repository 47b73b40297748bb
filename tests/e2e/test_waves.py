"""A parallel wave on the real client (worktrees issue): `cc-pack run wave` gives each of two
parallel steps its own git tree; two implementers work there at the same time, one trying to
write the main tree and the other step's tree (denied: by the Write guard, and for Bash by the
sandbox or the analysis); then the orchestrator's `run advance` merges the wave and the reviewer
it dispatches reviews the merged change."""

from __future__ import annotations

import json

import pytest
import runstate
from fakeapi import Conversation, both, first_user_contains, main_thread, reply, tool
from runstate import CHECK, plan_step, return_packet
from scenario import cc_pack, commit_all, install, pack_agent
from scripts import last_json
from test_guards import seen_by_model, use_of

pytestmark = pytest.mark.e2e
CONFIG = {
    "dispatch": {"reviewers": {"correctness-reviewer": ["src/**"]}, "skip": []},
    "test_command": CHECK,
}


CONTRACT = {"reviewer": "correctness-reviewer", "summary": "fine", "findings": []}


@pytest.mark.parametrize("sandbox", [False, True], ids=["analysis", "sandbox"])
def test_two_implementers_in_their_own_trees_then_merged_and_reviewed(
    claude, api, project, sandbox
):
    from cc_pack.config import Config, compile_config

    install(project)
    (project / "src").mkdir()
    (project / "src" / "a.py").write_text("A = 1\n")
    (project / "src" / "b.py").write_text("B = 1\n")
    commit_all(project)
    config = compile_config(Config.model_validate(CONFIG))
    path = runstate.write_run(
        project,
        phase="implement",
        scope=["src/**"],
        sandbox=sandbox,
        steps=[plan_step("S1", "src/a.py"), plan_step("S2", "src/b.py")],
        config=config,
    )
    wave = json.loads(cc_pack("run", "wave", "--json", cwd=project).stdout)
    tree = {sid: project / rel for sid, rel in wave["trees"].items()}
    spawn = [
        tool(
            "Agent",
            description=f"implement {p['step']}",
            subagent_type="implementer",
            prompt=f"Handoff packet\n{p['packet']}\nwork in your tree",
            run_in_background=False,
        )
        for p in wave["packets"]
    ]
    a1, b2 = str(tree["S1"] / "src/a.py"), str(tree["S2"] / "src/b.py")
    # every tree holds a copy of every file: S2's copy of a.py is still not S1's to write
    main_a, other_a = str(project / "src/a.py"), str(tree["S2"] / "src/a.py")
    launcher = project / ".claude" / "skills" / "orchestrate" / "bin" / "cc-pack"

    def cli(args: str):
        return reply("", tool("Bash", command=f'"{launcher}" {args}', description=args))

    review = tool(
        "Agent",
        description="review",
        subagent_type="correctness-reviewer",
        prompt="review the merged change",
        run_in_background=False,
    )
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("the wave, in parallel", *spawn),
                cli("run advance"),
                cli("dispatch --json"),
                lambda r: reply("review", review) if last_json(r)["reviewers"] else reply("none"),
                cli("run advance"),
                *[reply("Stopping here.")] * 12,
            ],
        ),
        Conversation(
            "impl-1",
            both(pack_agent("implementer"), first_user_contains("steps: S1")),
            [
                reply(
                    "read",
                    tool("Read", file_path=a1),
                    tool("Read", file_path=main_a),
                    tool("Read", file_path=other_a),
                ),
                reply("mine", tool("Write", file_path=a1, content="A = 2\n")),
                reply("the main tree", tool("Write", file_path=main_a, content="A = 666\n")),
                reply("the other tree", tool("Write", file_path=other_a, content="A = 665\n")),
                reply("via Bash", tool("Bash", command=f"echo 'A = 667' > {main_a}")),
                reply(return_packet("S1", "src/a.py")),
            ],
        ),
        Conversation(
            "impl-2",
            both(pack_agent("implementer"), first_user_contains("steps: S2")),
            [
                reply("read", tool("Read", file_path=b2)),
                reply("mine", tool("Write", file_path=b2, content="B = 2\n")),
                reply(return_packet("S2", "src/b.py")),
            ],
        ),
        Conversation(
            "review", pack_agent("correctness-reviewer"), [reply(json.dumps(CONTRACT))] * 3
        ),
    )
    run = claude.run("run the wave")
    assert api.errors == [], run.describe()
    for marker, where in (
        ("A = 666", "src/a.py is not a file of the steps"),
        ("A = 665", "that is another step's tree"),
    ):
        got = seen_by_model(api, use_of(run, "Write", marker))
        assert got["is_error"] and where in got["text"], got
    bash = seen_by_model(api, use_of(run, "Bash", "A = 667"))
    assert bash["is_error"] or "Read-only file system" in bash["text"], bash
    # merged into the main tree, the trees gone, reviewed, on to verify
    assert (project / "src/a.py").read_text() == "A = 2\n"
    assert (project / "src/b.py").read_text() == "B = 2\n"
    state = runstate.read(path)
    assert state["waves"][0]["status"] == "merged", state["waves"]
    assert not tree["S1"].exists() and not tree["S2"].exists()
    assert state["phase"] in ("verify", "report"), state["phase"]
    assert api.requests_of("review"), "the dispatched reviewer never ran"
