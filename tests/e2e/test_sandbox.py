"""The OS sandbox on the real Claude Code (confinement issue, "End-to-end"): a run's Bash goes
through cc-pack's CLAUDE_CODE_SHELL_PREFIX, which ``cc-pack init`` wires on this machine, and runs
inside bubblewrap with the caller's writable set. The kernel refuses what the Bash analysis cannot
see; the model reads why; the in-scope write lands; and the user's own permission rules keep their
meaning (an allowed command runs unprompted, a command they did not allow still needs approval)."""

from __future__ import annotations

import json
import shutil

import pytest
import runstate
from fakeapi import Conversation, main_thread, reply, tool
from scenario import commit_all, install, pack_agent

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
]
DONE = [reply("Stopping here.")] * 10

# Writes the Bash analysis cannot see (inline code, a trap, a file written earlier and run),
# next to one in-scope write.
DISGUISED = (
    "python3 -c \"open('README.md', 'a').write('pwned')\"; "
    "trap 'echo trapped >> README.md' EXIT; "
    "printf 'echo scripted > notes.txt' > $TMPDIR/s.sh && sh $TMPDIR/s.sh; "
    "echo 'Y = 2' >> src/app.py; echo SANDBOX-DONE"
)


@pytest.fixture
def packed(project):
    install(project)
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("X = 1\n")
    commit_all(project)
    return project


def tool_result_text(api, marker: str) -> str:
    for request in api.requests:
        for message in request.messages:
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if block.get("type") == "tool_result":
                    inner = block.get("content")
                    if isinstance(inner, list):
                        inner = "\n".join(b.get("text", "") for b in inner)
                    if marker in (inner or ""):
                        return inner
    raise AssertionError(f"no tool result mentions {marker!r}")


def test_init_wires_the_prefix_on_this_machine_only(packed):
    local = json.loads((packed / ".claude" / "settings.local.json").read_text())
    prefix = local["env"]["CLAUDE_CODE_SHELL_PREFIX"]
    assert prefix == str(packed / ".claude" / "hooks" / "cc-pack" / "bash-sandbox")
    assert "CLAUDE_CODE_SHELL_PREFIX" not in (packed / ".claude" / "settings.json").read_text()
    assert ".claude/settings.local.json" in (packed / ".gitignore").read_text()


def test_an_implementers_bash_is_confined_by_the_kernel(claude, api, packed):
    runstate.write_run(packed, phase="implement", scope=["src/**"], sandbox=True)
    readme = (packed / "README.md").read_bytes()
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "delegate",
                    tool(
                        "Agent",
                        description="impl",
                        prompt="implement step s1",
                        subagent_type="implementer",
                        run_in_background=False,
                    ),
                ),
                *DONE,
            ],
        ),
        Conversation(
            "implementer",
            pack_agent("implementer"),
            [
                reply("work", tool("Bash", command=DISGUISED, description="edit")),
                reply("Done: src/app.py changed."),
            ],
        ),
    )
    claude.run("implement the plan")

    assert (packed / "README.md").read_bytes() == readme, "the kernel let README.md change"
    assert not (packed / "notes.txt").exists(), "a script written earlier escaped"
    assert (packed / "src" / "app.py").read_text() == "X = 1\nY = 2\n", "in-scope write lost"
    seen = tool_result_text(api, "SANDBOX-DONE")
    assert "Read-only file system" in seen, seen  # the model is told why


def test_the_orchestrator_writes_no_project_file_in_a_run(claude, api, packed):
    runstate.write_run(packed, phase="plan", scope=["src/**"], sandbox=True)
    command = "python3 -c \"open('src/app.py', 'w').write('gone')\"; echo MAIN-DONE"
    api.add(Conversation("main", main_thread(), [reply("", tool("Bash", command=command)), *DONE]))
    claude.run("plan it")

    assert (packed / "src" / "app.py").read_text() == "X = 1\n"
    assert "Read-only file system" in tool_result_text(api, "MAIN-DONE")


def test_without_a_run_the_prefix_changes_nothing(claude, api, packed):
    command = "echo free > free.txt && echo FREE-DONE"
    api.add(Conversation("main", main_thread(), [reply("", tool("Bash", command=command)), *DONE]))
    claude.run("just do it")

    assert (packed / "free.txt").read_text() == "free\n"


def test_the_users_permission_rules_keep_their_meaning(claude, api, packed, tmp_path):
    """Default permission mode with the user's rule ``Bash(echo:*)``: during a sandboxed run the
    allowed command runs unprompted (confined), the one they did not allow is still refused
    for approval, exactly as without cc-pack."""
    runstate.write_run(packed, phase="plan", scope=["src/**"], sandbox=True)
    settings = tmp_path / "user-rules.json"
    settings.write_text(json.dumps({"permissions": {"allow": ["Bash(echo:*)"]}}))
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply("", tool("Bash", command="echo ALLOWED-RAN")),
                reply("", tool("Bash", command="touch not-allowed.txt")),
                *DONE,
            ],
        )
    )
    run = claude.run(
        "go", skip_permissions=False, permission_mode="default", extra=["--settings", str(settings)]
    )

    assert "ALLOWED-RAN" in tool_result_text(api, "ALLOWED-RAN")
    assert not (packed / "not-allowed.txt").exists()
    denied = [d for d in run.permission_denials if "not-allowed" in json.dumps(d)]
    assert denied, run.describe()
