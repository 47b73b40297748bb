"""Scope guard: a table of write attempts that must be denied and of legitimate calls that must
pass, against a real project with real symlinks; plus the real script as a process."""

from __future__ import annotations

import json
import os

import pytest
from hookenv import SCOPE, run_hook

from cc_pack_hooks.rules import scope

W, E, N, M = "Write", "Edit", "NotebookEdit", "MultiEdit"

# The human's CLI steps in every disguise the guard must see through, run or no run.
HUMAN_ONLY_CALLS = [
    "env -u CLAUDECODE cc-pack run start --auto-approve x",
    "env -u CLAUDECODE -u CLAUDE_CODE_SESSION_ID cc-pack run start x --auto-approve",
    "env CLAUDECODE= cc-pack run start --auto-approve x",
    "CLAUDECODE= CLAUDE_CODE_SESSION_ID= cc-pack run start --auto-approve x",
    "/usr/bin/env -i PATH=/usr/bin cc-pack run start --auto-approve x",
    "unset CLAUDECODE; cc-pack run start --auto-approve x",
    "python -m cc_pack run start --auto-approve x",
    ".venv/bin/python3 -m cc_pack.__main__ run start --auto-approve x",
    "{root}/skills/orchestrate/bin/cc-pack run start --auto-approve x",
    "\"{root}/skills/orchestrate/bin/cc-pack\" run start 'x' --auto-approve",
    "cc-pack run start --auto-approve=1 x",
    "cc-pack run start --auto x",
    "cc-pack run start --auto-a x",
    "cc-pack run start -- --auto-approve",
    'cc-pack run start "$TASK"',
    "cc-pack run abort",
    "env -u CLAUDECODE cc-pack run abort",
    "python -m cc_pack run abort",
    "cc-pack 'run' \"abort\"",
    "cc\\-pack run abort",
    "exec nohup cc-pack run abort",
    "sudo -u me timeout 5 cc-pack run abort",
    "{ cc-pack run abort; }",
    "if true; then cc-pack run abort; fi",
    'echo "$(cc-pack run abort)"',
    "cc-pack run resume --from-backup",
    "cc-pack run resume --from",
    "{root}/skills/orchestrate/bin/cc-pack run resume --from-backup=yes",
    'f(){ cc-pack "$@"; }; f run abort',
    "c=cc-pack; $c run abort",
    "$(echo cc-pack) run start --auto-approve x",
    "bash -c 'cc-pack run abort'",
    'sh -c "cc-pack run start --auto-approve x"',
    "eval cc-pack run abort",
    "echo abort | xargs cc-pack run",
    "echo run abort | xargs cc-pack",
    "find . -maxdepth 0 -exec cc-pack run abort \\;",
    "uv run cc-pack run abort",
    "python -Im cc_pack run abort",
    "python -c \"from cc_pack.cli import main; main(['run', 'start', '--auto-approve', 'x'])\"",
    # installing, removing or overwriting the guards, and forging a reviewer's contract
    "cc-pack init",
    "cc-pack init --uninstall",
    "cc-pack init . --force",
    "env -u CLAUDECODE cc-pack init --uninstall",
    "python -m cc_pack init --uninstall .",
    "{root}/skills/orchestrate/bin/cc-pack init --uninstall",
    "cc-pack report -o .claude/hooks/cc-pack/scope_guard.py",
    "cc-pack report --format json -o x.json",
    "cc-pack report --output=x.md",
    "cc-pack report --out x.md",
    "cc-pack report -ox.md",
    "cc-pack validate -o .claude/hooks/cc-pack/run-hook .",
    "cc-pack findings add -",
    "cc-pack findings add review.json",
    "python -m cc_pack findings add review.json",
    # the queue: an envelope, an approval or a headless run is the human's
    "cc-pack queue approve t1",
    "cc-pack queue reject t1 'fine'",
    "python -m cc_pack queue add 'x' --scope '**'",
    "{root}/skills/orchestrate/bin/cc-pack queue add x --scope 'src/**'",
    "env -u CLAUDECODE cc-pack queue run --workers 2",
    "cc-pack queue retry t1",
]
# The session's own CLI steps: never mistaken for the human's.
SESSION_CALLS = [
    "cc-pack run start 'add --auto-approve docs'",
    "cc-pack run status",
    "cc-pack run resume",
    "{root}/skills/orchestrate/bin/cc-pack run advance --json",
    "cc-pack run record plan - <<'CC_PACK_ARTIFACT'\n# abort? --auto-approve\nCC_PACK_ARTIFACT",
    "python -m cc_pack run status",
    "echo run status | xargs -n2 echo",
    "cc-pack report",
    "cc-pack report --format sarif",
    "cc-pack validate --strict .",
    "cc-pack findings aggregate --json",
]

# (tool, path or command[, cwd relative to the project]) that must be DENIED during implement
# with scope src/**, tests/test_app.py, docs/*.md
DENIED = [
    (W, "setup.py"),
    (W, "{root}/setup.py"),
    (W, "src/../setup.py"),
    (W, "./setup.py"),
    (W, "src//../README.md"),
    (W, "~/x.py"),
    (W, "/etc/passwd"),
    (W, "src/link_out/x.py"),
    (W, "src/evil.py"),
    (W, "src/statelink/runs/r1/state.json"),
    (W, ".claude/cc-pack/runs/r1/state.json"),
    (W, ".Claude/CC-Pack/active.json"),
    (W, "SRC/app.py"),
    (W, "tests/test_other.py"),
    (W, "docs/sub/x.md"),
    (E, "lib/x.py"),
    (N, "nb.ipynb"),
    (M, "lib/y.py"),
    (W, "../setup.py", "src"),
    (W, "{root}/../outside.py"),
    ("Bash", "echo x > setup.py"),
    ("Bash", "echo x >> lib/a.py"),
    ("Bash", "echo x &> out.log"),
    ("Bash", "ls 2> err.txt"),
    ("Bash", "cat a | tee lib/x"),
    ("Bash", "sed -i 's/a/b/' setup.py"),
    ("Bash", "perl -pi -e 's/a/b/' setup.py"),
    ("Bash", "cp src/app.py lib/app.py"),
    ("Bash", "mv src/app.py app.py"),
    ("Bash", "rm setup.py"),
    ("Bash", "touch lib/new.py"),
    ("Bash", "mkdir lib/newdir"),
    ("Bash", "ln -s src/app.py lib/l.py"),
    ("Bash", "install src/app.py /usr/local/bin/app"),
    ("Bash", "truncate -s 0 setup.py"),
    ("Bash", "dd if=/dev/zero of=lib/blob bs=1 count=1"),
    ("Bash", "git checkout -- setup.py"),
    ("Bash", "git restore setup.py"),
    ("Bash", "git apply x.diff"),
    ("Bash", "git stash"),
    ("Bash", "patch -p1 < x.diff"),
    ("Bash", "cat > lib/f.py <<EOF\nx = 1\nEOF"),
    ("Bash", "echo ok; echo x > lib/a"),
    ("Bash", "true && echo x > lib/a"),
    ("Bash", "false || echo x > lib/a"),
    ("Bash", "echo a | tee -a lib/b"),
    ("Bash", "(echo x > lib/a)"),
    ("Bash", "cd lib && echo x > a.py"),
    ("Bash", "cd src; echo x > app2.py"),
    ("Bash", "python -c \"open('x','w')\""),
    ("Bash", "bash -c 'echo > src/a.py'"),
    ("Bash", "sh -c 'ls'"),
    ("Bash", "eval 'echo x > src/a'"),
    ("Bash", "find . -name '*.pyc' -delete"),
    ("Bash", "find src -exec rm {} \\;"),
    ("Bash", "ls | xargs rm"),
    ("Bash", "echo x > $(echo src/a.py)"),
    ("Bash", 'echo x > "$HOME/x"'),
    ("Bash", "rm -rf tests"),
    ("Bash", "rm -rf ."),
    ("Bash", "mv .claude /tmp/x"),
    ("Bash", "ln -s .claude/cc-pack src/state"),
    ("Bash", "ln .claude/cc-pack/runs/r1/state.json src/s.json"),
    ("Bash", "echo x > .claude/cc-pack/active.json"),
    ("Bash", "python scripts/x.py .claude/cc-pack/runs/r1/state.json"),
    ("Bash", "cc-pack run abort"),
    ("Bash", "cc-pack run start 'task' --auto-approve"),
    ("Bash", "python -m cc_pack run abort"),
    ("Bash", "{root}/skills/orchestrate/bin/cc-pack run abort"),
    *[("Bash", cmd) for cmd in HUMAN_ONLY_CALLS],
    ("Bash", "echo x > src/link_out/y"),
    ("Bash", "cp -r lib src/../docs"),
    ("Bash", "touch src/{a,b}.py lib/c.py"),
    ("Bash", "echo x > ~/file"),
    ("Bash", "rm src/*.py lib/*.py"),
    ("Bash", "node -e \"require('fs').writeFileSync('x','')\""),
    ("Bash", "git -C lib checkout -- a.py"),
    ("Bash", "awk '{print > \"out\"}' src/app.py"),
    ("Bash", "echo `touch lib/x`"),
    ("Bash", "echo x >| lib/a"),
    ("Bash", "echo x 1>lib/a"),
    ("Bash", "exec 3>lib/fd"),
    ("Bash", "curl -o lib/page http://127.0.0.1/"),
    ("Bash", "sudo rm -f setup.py"),
    ("Bash", "env FOO=1 rm setup.py"),
    ("Bash", "timeout 5 touch lib/t"),
    ("Bash", "cat <<'EOF' > lib/h.py\n$(not run)\nEOF"),
    ("Bash", "cat <<EOF > src/h.py\n$(touch lib/evil)\nEOF"),
    ("Bash", "echo 'unterminated > x"),
    ("Bash", "cd $DIR && touch a"),
    ("Bash", "echo x > src/'a'\"b\"; touch li''b/x"),
    ("Bash", "for f in a b; do touch lib/$f; done"),
    ("Bash", "git clean -fd"),
    ("Bash", "ruff format ."),
    ("Bash", "ruff check --fix lib"),
    ("Bash", "tar xf a.tar"),
    ("Bash", "echo x > /dev/../tmp/escape"),
]

# (tool, path or command[, cwd]) that must PASS during implement
ALLOWED = [
    (W, "src/app.py"),
    (W, "{root}/src/new.py"),
    (W, "./src/x.py"),
    (W, "src/sub/deep.py"),
    (W, "tests/test_app.py"),
    (W, "docs/guide.md"),
    (W, "src//a.py"),
    (W, "a.py", "src"),
    (E, "src/app.py"),
    (N, "src/n.ipynb"),
    (M, "src/m.py"),
    ("Bash", "ls -la"),
    ("Bash", "cat src/app.py"),
    ("Bash", "git status"),
    ("Bash", "git diff HEAD~1"),
    ("Bash", "git log --oneline -5"),
    ("Bash", "grep -rn foo src"),
    ("Bash", "rg foo"),
    ("Bash", "find . -name '*.py'"),
    ("Bash", "pytest -q"),
    ("Bash", "ruff check src"),
    ("Bash", "cc-pack run status"),
    ("Bash", "cc-pack run advance --json"),
    ("Bash", "{root}/skills/orchestrate/bin/cc-pack run advance"),
    *[("Bash", cmd) for cmd in SESSION_CALLS],
    ("Bash", "python -m pytest -x tests"),
    ("Bash", "echo hi > /dev/null"),
    ("Bash", "ls 2>/dev/null"),
    ("Bash", "echo x > src/out.txt"),
    ("Bash", "cd src && echo x > a.py"),
    ("Bash", "cat > src/f.py <<EOF\nrm -rf /\n$HOME\nEOF"),
    ("Bash", "sed -i 's/a/b/' src/app.py"),
    ("Bash", "cp src/app.py src/copy.py"),
    ("Bash", "mv src/app.py src/moved.py"),
    ("Bash", "rm -f src/app.py"),
    ("Bash", "mkdir -p src/pkg"),
    ("Bash", "touch src/{a,b}.py"),
    ("Bash", "cat src/app.py | grep x | wc -l"),
    ("Bash", "git diff > src/diff.txt"),
    ("Bash", "echo x 2>&1 | tee src/log.txt"),
    ("Bash", "rm -rf src/pkg"),
    ("Bash", "git checkout -- src/app.py"),
    ("Bash", "git add src/app.py"),
    ("Bash", "echo $(date)"),
    ("Bash", "python -m cc_pack run status"),
    ("Bash", "echo x >&2"),
    ("Bash", "cat .claude/cc-pack/runs/r1/state.json"),
    ("Bash", "ls # rm -rf / in a comment"),
    ("Bash", "echo 'a > b; rm -rf /'"),
    ("Bash", "(cd src && touch new.py)"),
    ("Bash", "ruff format src/app.py"),
]


@pytest.fixture
def tree(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, project.root / "src" / "link_out")
    os.symlink(project.root / "setup.py", project.root / "src" / "evil.py")
    os.symlink(project.root / ".claude" / "cc-pack", project.root / "src" / "statelink")
    (project.root / "lib").mkdir()
    (project.root / "setup.py").write_text("")
    return project


IMPLEMENTER = {"agent_id": "impl-1", "agent_type": "implementer"}


def _event(project, spec, **extra):
    """A tool call of an implementer subagent, unless ``extra`` names another caller
    (``agent_type=None``: the main thread)."""
    extra = {**IMPLEMENTER, **extra}
    extra = {k: v for k, v in extra.items() if v is not None}
    if "agent_type" not in extra:
        extra.pop("agent_id", None)
    tool, target = spec[0], spec[1].replace("{root}", str(project.root))
    cwd = str(project.root / spec[2]) if len(spec) > 2 else str(project.root)
    if tool == "Bash":
        tool_input = {"command": target}
    elif tool == N:
        tool_input = {"notebook_path": target, "new_source": "x"}
    elif tool == M:
        tool_input = {"file_path": target, "edits": [{"old_string": "a", "new_string": "b"}]}
    else:
        tool_input = {"file_path": target, "content": "x", "old_string": "a", "new_string": "b"}
    return project.event(
        hook_event_name="PreToolUse", tool_name=tool, tool_input=tool_input, cwd=cwd, **extra
    )


def test_table_sizes():
    assert len(DENIED) >= 60 and len(ALLOWED) >= 30


@pytest.mark.parametrize("spec", DENIED, ids=[s[1][:40] for s in DENIED])
def test_denied_during_implement(tree, spec):
    tree.start()
    decision = scope.decide(_event(tree, spec))
    assert decision.action == "deny", decision
    assert "cc-pack" in decision.message


@pytest.mark.parametrize("spec", ALLOWED, ids=[s[1][:40] for s in ALLOWED])
def test_allowed_during_implement(tree, spec):
    tree.start()
    decision = scope.decide(_event(tree, spec))
    assert decision.action == "allow", decision.message


def test_only_implementers_write_during_implement(tree):
    """The orchestrator delegates: the main thread (and any other agent) changes no project
    file during a run, in scope or not."""
    tree.start()
    for who in [{"agent_type": None}, {"agent_type": "general-purpose", "agent_id": "g1"}]:
        for spec in [(W, "src/app.py"), ("Bash", "echo x > src/app.py")]:
            decision = scope.decide(_event(tree, spec, **who))
            assert decision.action == "deny", (who, spec)
            assert "only implementers change files" in decision.message


def test_reason_names_path_scope_and_way_forward(tree):
    tree.start()
    msg = scope.decide(_event(tree, (W, "lib/x.py"))).message
    assert "lib/x.py" in msg and "src/**" in msg and "approval" in msg


@pytest.mark.parametrize("phase", ["research", "plan", "approval", "review", "verify", "report"])
def test_other_phases_write_nothing(tree, phase):
    tree.start(phase=phase)
    for spec in [(W, "src/app.py"), ("Bash", "echo x > src/app.py")]:
        decision = scope.decide(_event(tree, spec))
        assert decision.action == "deny"
        assert f"phase {phase} does not change files" in decision.message
        assert "cc-pack run status" in decision.message
    assert scope.decide(_event(tree, ("Bash", "git status"))).action == "allow"


@pytest.mark.parametrize("status", ["PASS", "FAIL", "aborted"])
def test_finished_run_no_longer_restricts(tree, status):
    tree.start(status=status)
    assert scope.decide(_event(tree, (W, "setup.py"))).action == "allow"
    assert scope.decide(_event(tree, (W, ".claude/cc-pack/x"))).action == "deny"


@pytest.mark.parametrize("cmd", HUMAN_ONLY_CALLS, ids=[c[:40] for c in HUMAN_ONLY_CALLS])
def test_human_only_cli_steps_are_denied_run_or_no_run(tree, cmd):
    """A model could start a fresh auto-approved run when none is active, or act on a run that
    another session (or nobody yet) drives: the guard denies these calls in every case."""
    runs = [
        None,
        {"status": "PASS"},
        {"phase": "plan", "session_id": "someone-else"},
        {"phase": "approval"},
    ]
    for run in runs:
        if run is not None:
            tree.start(**run)
        decision = scope.decide(_event(tree, ("Bash", cmd)))
        assert decision.action == "deny", (cmd, run)
        assert "human" in decision.message and "own terminal" in decision.message


@pytest.mark.parametrize("cmd", SESSION_CALLS, ids=[c[:40] for c in SESSION_CALLS])
def test_session_cli_steps_pass_without_a_run(tree, cmd):
    assert scope.decide(_event(tree, ("Bash", cmd))).action == "allow"


def test_no_run_allows_all_but_the_always_rules(tree):
    for spec in [(W, "setup.py"), ("Bash", "python -c 'print(1)'"), ("Bash", "rm -rf lib")]:
        assert scope.decide(_event(tree, spec)).action == "allow", spec
    for spec in [
        (W, ".claude/cc-pack/active.json"),
        (W, "src/statelink/x"),
        ("Bash", "echo {} > .claude/cc-pack/active.json"),
        ("Bash", "ln -s .claude/cc-pack x"),
        ("Bash", "python -c \"open('.claude/cc-pack/active.json','w')\""),
    ]:
        assert scope.decide(_event(tree, spec)).action == "deny", spec


@pytest.mark.parametrize(
    "agent", ["researcher", "planner", "cc-pack:security-reviewer", "test-reviewer"]
)
def test_read_only_roles_never_write(tree, agent):
    extra = {"agent_id": "a1", "agent_type": agent}
    for started in (False, True):
        if started:
            tree.start()
        for spec in [(W, "src/app.py"), ("Bash", "touch src/a.py"), ("Bash", "python -c 1")]:
            decision = scope.decide(_event(tree, spec, **extra))
            assert decision.action == "deny", (agent, spec)
        assert scope.decide(_event(tree, ("Bash", "git diff"), **extra)).action == "allow"


def test_other_plugins_reviewer_is_not_ours(tree):
    extra = {"agent_id": "a1", "agent_type": "other:security-reviewer"}
    assert scope.decide(_event(tree, (W, "setup.py"), **extra)).action == "allow"


def test_other_sessions_are_not_governed(tree):
    tree.start(session_id="someone-else")
    assert scope.decide(_event(tree, (W, "setup.py"))).action == "allow"


def test_lenient_mode_allows_unanalysable_but_not_state_mentions(tree):
    tree.start(config={"scope": {"strict": False}})
    decision = scope.decide(_event(tree, ("Bash", "python -c 'print(1)'")))
    assert decision.action == "allow" and decision.log == {
        "lenient": ["python -c runs inline code"]
    }
    assert scope.decide(_event(tree, ("Bash", "echo x > lib/a"))).action == "deny"
    cmd = "python -c \"open('.claude/cc-pack/runs/r1/state.json','w')\""
    assert scope.decide(_event(tree, ("Bash", cmd))).action == "deny"


def test_unbound_run_is_claimed_by_the_first_session(tree):
    tree.start(session_id=None)
    event = _event(tree, (W, "lib/x.py"))
    assert scope.decide(event).action == "deny"
    assert tree.state()["session_id"] is None  # decide() wrote nothing
    scope.handle(event)
    assert tree.state()["session_id"] == "sess-1"


# --- the real script -------------------------------------------------------------------------


def _proc(project, event):
    return run_hook("scope_guard", event, env={"CLAUDE_PROJECT_DIR": str(project.root)})


def test_process_deny_is_json_on_stdout(tree):
    tree.start()
    proc = _proc(tree, _event(tree, (W, "lib/x.py")))
    assert proc.returncode == 0 and proc.stderr == b""
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse" and out["permissionDecision"] == "deny"
    assert "lib/x.py" in out["permissionDecisionReason"]


def test_process_allow_is_silent(tree):
    tree.start()
    proc = _proc(tree, _event(tree, (W, "src/app.py")))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


@pytest.mark.parametrize(
    "stdin",
    [
        b"",
        b"{not json",
        b"[1,2]",
        b'"str"',
        b"\xff\xfe",
        b'{"tool_name": "Write"}',
        b'{"tool_name": "Write", "tool_input": []}',
        b'{"tool_name": "Bash", "tool_input": {"command": 5}}',
        b'{"tool_name": "Write", "tool_input": {"file_path": null}}',
    ],
)
def test_process_bad_input_fails_closed_without_traceback(tree, stdin):
    proc = _proc(tree, stdin)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr + proc.stdout
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert (
        out["permissionDecision"] == "deny"
        and "could not decide" in out["permissionDecisionReason"]
    )


def test_process_one_megabyte_input(tree):
    tree.start()
    event = _event(tree, ("Bash", "echo " + "a" * (1 << 20) + " > lib/x"))
    proc = _proc(tree, event)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_process_irrelevant_tool_is_silent(tree):
    proc = _proc(tree, tree.event(hook_event_name="PreToolUse", tool_name="Read", tool_input={}))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_process_corrupt_state_denies_with_fix(tree):
    tree.start()
    (tree.run_dir() / "state.json").write_text("{broken")
    proc = _proc(tree, _event(tree, (W, "src/app.py")))
    reason = json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "state.json" in reason and "fix" in reason


# --- with the OS sandbox -------------------------------------------------------------------------

SANDBOX = {"kind": "bwrap", "mode": "auto", "reason": None}
# Commands the analysis refused without a sandbox (it cannot tell what they write): with one,
# the kernel decides, so they pass.
UNSURE = [
    "awk '{ if ($1 > 3) print $0 > \"/dev/stderr\" }' src/app.py",
    "awk '{print $1 | \"sort\"}' src/app.py",
    "python3 -c 'print(1)'",
    "make -n",
    "find . -name '*.py' -exec grep -l x {} +",
    "bash scripts/check.sh",
]
SURE_NOW = ["(( a > b ))", "[[ b > a ]] && echo y", "command -v ruff", "pushd src && ls && popd",
            "ruff check --output-format concise src", "sed '/x/r docs/a.md' src/app.py",
            "cp src/app.py /dev/null"]  # fmt: skip


@pytest.fixture
def boxed(tree, monkeypatch):
    """A run with the sandbox, in a session that sends its Bash through cc-pack's prefix."""
    prefix = tree.root / ".claude" / "hooks" / "cc-pack" / "bash-sandbox"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.write_text("#!/bin/sh\n")
    monkeypatch.setenv("CLAUDE_CODE_SHELL_PREFIX", str(prefix))
    return tree


def tickets(project) -> list[dict]:
    folder = project.root / ".claude" / "cc-pack" / "tickets"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize("cmd", UNSURE + SURE_NOW)
def test_with_a_sandbox_unsure_commands_pass_with_a_ticket(boxed, cmd):
    boxed.start(sandbox=SANDBOX)
    decision = scope.handle(_event(boxed, ("Bash", cmd), tool_use_id="tu-1"))
    assert decision.action == "allow", decision.message
    (ticket,) = tickets(boxed)
    assert ticket["mode"] == "sandbox" and ticket["patterns"] == SCOPE
    assert ticket["role"] == "implementer" and ticket["tool_use_id"] == "tu-1"


@pytest.mark.parametrize("cmd", SURE_NOW)
def test_the_analysis_no_longer_misreads_these(tree, cmd):
    tree.start()
    assert scope.decide(_event(tree, ("Bash", cmd))).action == "allow"


def test_with_a_sandbox_sure_violations_are_still_denied_early(boxed):
    boxed.start(sandbox=SANDBOX)
    decision = scope.handle(_event(boxed, ("Bash", "echo x > setup.py")))
    assert decision.action == "deny" and "outside the approved scope" in decision.message
    assert tickets(boxed) == []


def test_others_get_a_ticket_with_nothing_writable(boxed):
    boxed.start(sandbox=SANDBOX, phase="review")
    for k, who in enumerate(
        [{"agent_type": None}, {"agent_type": "test-reviewer", "agent_id": "r"}]
    ):
        event = _event(boxed, ("Bash", "python3 -c 1"), tool_use_id=f"tu-{k}", **who)
        assert scope.handle(event).action == "allow"
    assert [t["patterns"] for t in tickets(boxed)] == [[], []]


def test_the_skills_own_cli_call_gets_a_direct_ticket(boxed):
    boxed.start(sandbox=SANDBOX, phase="plan")
    launcher = boxed.root / ".claude" / "skills" / "orchestrate" / "bin" / "cc-pack"
    launcher.parent.mkdir(parents=True)
    launcher.write_text("#!/bin/sh\n")
    for cmd in (f'"{launcher}" run advance', f'"{launcher}" run advance; ls'):
        scope.handle(_event(boxed, ("Bash", cmd), agent_type=None))
    assert sorted(t["mode"] for t in tickets(boxed)) == ["direct", "sandbox"]


def test_a_session_without_the_prefix_runs_no_bash_in_a_sandboxed_run(boxed, monkeypatch):
    boxed.start(sandbox=SANDBOX)
    for wired in ("", "/usr/bin/env"):
        monkeypatch.setenv("CLAUDE_CODE_SHELL_PREFIX", wired)
        decision = scope.handle(_event(boxed, ("Bash", "ls")))
        assert decision.action == "deny" and "does not send Bash through it" in decision.message
    assert tickets(boxed) == []


def test_a_ticket_that_cannot_be_written_denies(boxed):
    boxed.start(sandbox=SANDBOX)
    state_dir = boxed.root / ".claude" / "cc-pack"
    (state_dir / "tickets").write_text("not a directory")
    decision = scope.handle(_event(boxed, ("Bash", "ls")))
    assert decision.action == "deny" and "sandbox ticket" in decision.message


def test_no_run_no_ticket(boxed):
    assert scope.handle(_event(boxed, ("Bash", "python3 -c 1"))).action == "allow"
    assert tickets(boxed) == []


def test_a_hard_linked_target_is_refused_for_the_file_tools(tree):
    tree.start()
    os.link(tree.root / "setup.py", tree.root / "src" / "twin.py")
    decision = scope.decide(_event(tree, (W, "src/twin.py")))
    assert decision.action == "deny" and "hard links" in decision.message


def test_outside_a_run_a_hard_link_to_the_state_is_refused(tree):
    state = tree.root / ".claude" / "cc-pack" / "decisions.jsonl"
    state.write_text("")
    os.link(state, tree.root / "src" / "innocent.json")
    decision = scope.decide(_event(tree, (W, "src/innocent.json")))
    assert decision.action == "deny" and "hard links" in decision.message
    os.link(tree.root / "setup.py", tree.root / "src" / "fine.py")
    assert scope.decide(_event(tree, (W, "src/fine.py"))).action == "allow"


@pytest.mark.parametrize(
    "spec",
    [
        (W, ".claude/hooks/cc-pack/scope_guard.py"),
        (E, ".claude/hooks/cc-pack/cc_pack_hooks/runtime.py"),
        ("Bash", "echo x >> .claude/hooks/cc-pack/run-hook"),
        ("Bash", "rm -rf .claude/hooks"),
        ("Bash", "echo '{}' > .claude/settings.local.json"),
        ("Bash", "sed -i s/a/b/ .claude/settings.json"),
        ("Bash", "cp x ~/.claude/settings.json"),
    ],
)
def test_the_pack_protects_itself_run_or_not(tree, spec):
    for started in (False, True):
        if started:
            tree.start()
        decision = scope.decide(_event(tree, spec))
        assert decision.action == "deny", (spec, started)


def test_outside_a_run_the_skills_cli_call_gets_a_direct_ticket(boxed):
    """Outside a run the prefix keeps the state dir read-only; `run start` must still create
    the run: the orchestrator's exact CLI call runs as is (a subagent's never does)."""
    launcher = boxed.root / ".claude" / "skills" / "orchestrate" / "bin" / "cc-pack"
    launcher.parent.mkdir(parents=True)
    launcher.write_text("#!/bin/sh\n")
    start = f"\"{launcher}\" run start 'add x'"
    for k, who in enumerate([{"agent_type": None}, {"agent_type": "researcher", "agent_id": "a"}]):
        scope.handle(_event(boxed, ("Bash", start), tool_use_id=f"tu-{k}", **who))
    scope.handle(_event(boxed, ("Bash", f"{start}; ls"), tool_use_id="tu-9", agent_type=None))
    found = sorted((t["mode"], t["tool_use_id"]) for t in tickets(boxed))
    assert found == [("direct", "tu-0"), ("sandbox", "tu-1")]  # a read-only role: confined
