"""Facts for wiring a bubblewrap sandbox around every Bash call (README: Enforcement, "Why this
wiring"). Each test replays one fact against both pinned binaries. Claude Code's own sandbox and
@anthropic-ai/sandbox-runtime were evaluated by hand (the README says why neither fits).

Two routes were compared:

* Route 1, a PreToolUse hook that rewrites ``tool_input.command`` through ``updatedInput``:
  Claude Code checks the user's permission rules against the *rewritten* command, so an allowed
  command starts to need approval (``permissionDecision`` "allow"/"ask" only trade that for
  "everything runs"/"nothing runs").
* Route 2, ``CLAUDE_CODE_SHELL_PREFIX``: Claude Code checks the rules against the model's command
  and only then hands the whole shell string it built to the prefix program. The rules keep their
  meaning.

The prefix programs here are tiny scripts written into ``tmp_path``: a logger (records its argv,
parent command line and environment, then runs the string with bash) and a bwrap wrapper.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest
from fakeapi import Conversation, main_thread, reply, subagent, tool

pytestmark = pytest.mark.e2e

PY = sys.executable  # the venv interpreter; hooks and loggers need only the stdlib
BWRAP = shutil.which("bwrap")
needs_bwrap = pytest.mark.skipif(BWRAP is None, reason="bubblewrap (bwrap) is not installed")

LOGGER = """#!{py} -S
import json, os, sys
try:
    raw = open(f"/proc/{{os.getppid()}}/cmdline", "rb").read()
    parent = [p.decode() for p in raw.split(b"\\0") if p]
except OSError:
    parent = None
with open({log!r}, "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv, "parent": parent, "env": dict(os.environ)}}) + "\\n")
os.execv("/bin/bash", ["bash", "-c", sys.argv[-1]])
"""

# a CLAUDE_CODE_SHELL stand-in (its path must contain "bash"): records the argv Claude Code
# gives the shell, NUL-separated, one call per line
LOGBASH = """#!/bin/bash
printf '%s\\0' "$@" >> {log}
printf '\\n' >> {log}
exec /bin/bash "$@"
"""

# the bwrap prefix: read-only root, the scratch dir writable; BIND_CWD_FILE=1 also binds the
# file Claude Code's `pwd -P >| <file>` tail writes (created first: bwrap binds existing paths)
BWRAP_WRAPPER = r"""#!/bin/bash
extra=()
re='pwd -P >\| ([^ ]+)$'
if [[ "{bind_cwd}" == 1 && $1 =~ $re ]]; then
  f="${{BASH_REMATCH[1]}}"; : > "$f"; extra=(--bind "$f" "$f")
fi
exec bwrap --ro-bind / / --dev /dev --proc /proc --bind {scratch} {scratch} "${{extra[@]}}" \
     --unshare-pid --die-with-parent -- /bin/bash -c "$1"
"""

WORKER = "---\nname: worker\ndescription: worker agent\ntools: Bash\n---\nYou are WORKER-AGENT.\n"
CWD_TAIL = re.compile(r" && pwd -P >\| (/tmp/claude-[0-9a-f]+-cwd)$")


# --- helpers --------------------------------------------------------------------------------------


def logger(tmp_path: Path, name: str = "pfx-logger") -> tuple[Path, Path]:
    log = tmp_path / f"{name}.jsonl"
    path = tmp_path / name
    path.write_text(LOGGER.format(py=PY, log=str(log)))
    path.chmod(0o755)
    return path, log


def records(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def tool_records(log: Path) -> list[dict]:
    """Logger calls made for a Bash tool call (the string Claude Code built ends in the cwd
    file write); the others are hook commands."""
    return [r for r in records(log) if " && pwd -P >| " in r["argv"][-1]]


def fake_tools(claude, tmp_path: Path) -> Path:
    """`cctool-ok` and `cctool-no` on PATH: each prints RAN-<name> and appends its name to
    tmp_path/ran.txt."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name in ("cctool-ok", "cctool-no"):
        script = bindir / name
        script.write_text(f"#!/bin/sh\necho RAN-{name}\necho {name} >> {tmp_path}/ran.txt\n")
        script.chmod(0o755)
    claude.extra_env["PATH"] = f"{bindir}:{claude.env()['PATH']}"
    return tmp_path / "ran.txt"


def ran(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def allow_settings(tmp_path: Path, rules=("Bash(cctool-ok:*)",)) -> list[str]:
    """User allow rules through --settings (project allow rules are ignored untrusted, D.5)."""
    path = tmp_path / "flag-settings.json"
    path.write_text(json.dumps({"permissions": {"allow": list(rules)}}))
    return ["--settings", str(path)]


def write_settings(project: Path, data: dict, name: str = "settings.json") -> Path:
    path = project / ".claude" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def bash(command: str, **extra) -> object:
    return reply("", tool("Bash", command=command, description="step", **extra))


def script(api, *steps) -> None:
    api.add(Conversation("main", main_thread(), [*steps, reply("fin")]))


def results(run, n: int) -> list[dict]:
    return [run.result_for("Bash", i) for i in range(n)]


def eval_argument(shell_string: str) -> str:
    """The command Claude Code put after the last `eval` of the string it built."""
    tokens = shlex.split(shell_string)
    at = len(tokens) - 1 - tokens[::-1].index("eval")
    return tokens[at + 1]


def bwrap_wrapper(tmp_path: Path, scratch: Path, bind_cwd: bool) -> Path:
    path = tmp_path / "sbx-wrap"
    path.write_text(BWRAP_WRAPPER.format(scratch=scratch, bind_cwd=int(bind_cwd)))
    path.chmod(0o755)
    return path


# --- Route 1: PreToolUse updatedInput -------------------------------------------------------------

REWRITE_HOOK = r"""import json, shlex, sys
mode, root = sys.argv[1], sys.argv[2]
ev = json.load(sys.stdin)
ti = dict(ev["tool_input"])
ti["command"] = "bwrap --ro-bind / / --dev /dev --proc /proc --bind %s %s -- bash -c %s" % (
    shlex.quote(root), shlex.quote(root), shlex.quote(ti["command"]))
out = {"hookEventName": "PreToolUse", "updatedInput": ti}
if mode != "rewrite":
    out["permissionDecision"] = mode
    out["permissionDecisionReason"] = "R1-" + mode
print(json.dumps({"hookSpecificOutput": out}))
"""


@needs_bwrap
@pytest.mark.parametrize("mode", ["none", "rewrite", "ask", "allow"])
def test_route1_updated_input_is_permission_checked_as_rewritten(
    claude, api, project, tmp_path, mode
):
    """default mode, user rule Bash(cctool-ok:*). Without a hook the allowed command runs and the
    other is refused. A hook that only rewrites (updatedInput, no permissionDecision) makes BOTH
    refused: the rule is matched against `bwrap … -- bash -c 'cctool-ok --x'`. "ask" refuses both
    (in -p), "allow" runs both. The model keeps seeing its own command; permission_denials
    carry the rewritten one."""
    ran_file = fake_tools(claude, tmp_path)
    if mode != "none":
        hook = tmp_path / "rewrite.py"
        hook.write_text(REWRITE_HOOK)
        cmd = f"{PY} {hook} {mode} {tmp_path}"
        write_settings(
            project,
            {
                "hooks": {
                    "PreToolUse": [
                        {"matcher": "Bash", "hooks": [{"type": "command", "command": cmd}]}
                    ]
                }
            },
        )
    script(api, bash("cctool-ok --x"), bash("cctool-no --y"))
    run = claude.run(
        "go", skip_permissions=False, permission_mode="default", extra=allow_settings(tmp_path)
    )
    ok, no = results(run, 2)
    denied = [d["tool_input"]["command"] for d in run.permission_denials]
    if mode == "none":
        assert not ok["is_error"] and ok["text"] == "RAN-cctool-ok", run.describe()
        assert no["is_error"] and "requires approval" in no["text"]
        assert ran(ran_file) == ["cctool-ok"] and denied == ["cctool-no --y"]
    elif mode == "rewrite":
        assert ok["is_error"] and "requires approval" in ok["text"], run.describe()
        assert no["is_error"] and "requires approval" in no["text"]
        assert ran(ran_file) == []
        assert len(denied) == 2 and all(d.startswith("bwrap --ro-bind / / ") for d in denied)
        assert denied[0].endswith("-- bash -c 'cctool-ok --x'")
    elif mode == "ask":
        assert (ok["is_error"], ok["text"], no["is_error"], no["text"]) == (
            True,
            "R1-ask",
            True,
            "R1-ask",
        )
        assert ran(ran_file) == [] and len(denied) == 2
    else:  # allow: the user's rules are bypassed, the unallowed command runs unprompted
        assert "RAN-cctool-ok" in ok["text"] and "RAN-cctool-no" in no["text"], run.describe()
        assert ran(ran_file) == ["cctool-ok", "cctool-no"] and denied == []
    # (d) the model never sees the rewrite: stream-json tool_use and the next request's history
    assert [u["input"]["command"] for u in run.tool_uses()] == ["cctool-ok --x", "cctool-no --y"]
    history = [
        b["input"]["command"]
        for m in api.requests_of("main")[-1].messages
        if m["role"] == "assistant"
        for b in m["content"]
        if b.get("type") == "tool_use"
    ]
    assert history == ["cctool-ok --x", "cctool-no --y"]


# --- Route 2: CLAUDE_CODE_SHELL_PREFIX ------------------------------------------------------------


def test_prefix_is_invisible_to_permission_rules(claude, api, project, tmp_path):
    """Prefix set in project settings `env`, default mode, user rule Bash(cctool-ok:*): the allowed
    command runs (through the prefix), the unallowed one is refused before the prefix is ever
    called, a read-only `echo` runs without a rule. Exactly as without a prefix."""
    ran_file = fake_tools(claude, tmp_path)
    prefix, log = logger(tmp_path)
    write_settings(project, {"env": {"CLAUDE_CODE_SHELL_PREFIX": str(prefix)}})
    script(api, bash("cctool-ok --x"), bash("cctool-no --y"), bash("echo READONLY-MARK"))
    run = claude.run(
        "go", skip_permissions=False, permission_mode="default", extra=allow_settings(tmp_path)
    )
    ok, no, ro = results(run, 3)
    assert (ok["is_error"], ok["text"]) == (False, "RAN-cctool-ok"), run.describe()
    assert no["is_error"] and "requires approval" in no["text"]
    assert (ro["is_error"], ro["text"]) == (False, "READONLY-MARK")
    assert ran(ran_file) == ["cctool-ok"]
    assert [d["tool_input"]["command"] for d in run.permission_denials] == ["cctool-no --y"]
    assert [eval_argument(r["argv"][-1]) for r in tool_records(log)] == [
        "cctool-ok --x",
        "echo READONLY-MARK",
    ]


@pytest.mark.parametrize(
    "where",
    [
        "project-settings",
        "local-settings",
    ],
)
def test_prefix_takes_effect_from_every_env_source_in_print_mode(
    claude, api, project, tmp_path, where
):
    """In -p mode the prefix works from the launch environment and from the `env` of every
    settings source, including project .claude/settings.json of a never-trusted workspace
    (2.1.197 applies all settings env after setup when non-interactive: `if(Cr())m3()`);
    marking the workspace trusted in ~/.claude.json changes nothing."""
    prefix, log = logger(tmp_path)
    entry = {"env": {"CLAUDE_CODE_SHELL_PREFIX": str(prefix)}}
    extra: list[str] = []
    if where == "process-env":
        claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(prefix)
    elif where.startswith("project-settings"):
        write_settings(project, entry)
        if where.endswith("trusted"):
            (claude.home / ".claude.json").write_text(
                json.dumps({"projects": {str(project): {"hasTrustDialogAccepted": True}}})
            )
    elif where == "local-settings":
        write_settings(project, entry, "settings.local.json")
    elif where == "flag-settings":
        (tmp_path / "flag.json").write_text(json.dumps(entry))
        extra = ["--settings", str(tmp_path / "flag.json")]
    else:
        (claude.home / ".claude").mkdir(parents=True, exist_ok=True)
        (claude.home / ".claude" / "settings.json").write_text(json.dumps(entry))
    script(api, bash("echo MAIN-MARK"))
    run = claude.run("go", extra=extra)
    assert run.result_for("Bash")["text"] == "MAIN-MARK", run.describe()
    assert [eval_argument(r["argv"][-1]) for r in tool_records(log)] == ["echo MAIN-MARK"]


def test_prefix_receives_the_whole_shell_string_main_and_subagent(claude, api, project, tmp_path):
    """Claude Code runs `<shell> -c "<prefix> '<string>'"` (no -l once a snapshot exists), where
    <string> = `source <snapshot> 2>/dev/null || true && … && eval '<cmd>' < /dev/null && pwd -P
    >| /tmp/claude-<hex>-cwd`, quoted as one single-quoted word. The prefix gets that string as
    its only argument; a subagent's Bash call has the same shape (own cwd file)."""
    prefix, log = logger(tmp_path)
    shell_log = tmp_path / "shell.log"
    logbash = tmp_path / "logbash"
    logbash.write_text(LOGBASH.format(log=shell_log))
    logbash.chmod(0o755)
    claude.extra_env.update(CLAUDE_CODE_SHELL_PREFIX=str(prefix), CLAUDE_CODE_SHELL=str(logbash))
    (project / ".claude" / "agents").mkdir(parents=True)
    (project / ".claude" / "agents" / "worker.md").write_text(WORKER)
    api.add(
        Conversation(
            "worker",
            subagent("You are WORKER-AGENT"),
            [bash("echo SUB-$((6*7))"), reply("subdone")],
        )
    )
    script(
        api,
        bash("echo MAIN-$((6*7))"),
        reply(
            "",
            tool(
                "Agent",
                subagent_type="worker",
                description="w",
                prompt="go",
                run_in_background=False,
            ),
        ),
    )
    run = claude.run("go")
    assert [r["text"] for r in results(run, 2)] == ["MAIN-42", "SUB-42"], run.describe()
    recs = tool_records(log)
    assert len(recs) == 2
    shell_calls = [
        [a for a in line.split("\0") if a]
        for line in shell_log.read_text().split("\n")
        if " && pwd -P >| " in line
    ]
    cwd_files = []
    assert len(shell_calls) == 2
    for rec, mark, shell_argv in zip(recs, ("MAIN", "SUB"), shell_calls, strict=True):
        inner = rec["argv"][1:]
        assert rec["argv"][0] == str(prefix) and len(inner) == 1
        inner = inner[0]
        assert inner.startswith(f"source {claude.home}/.claude/shell-snapshots/snapshot-bash-")
        assert "shopt -u extglob" in inner
        assert f" && eval 'echo {mark}-$((6*7))' < /dev/null && pwd -P >| /tmp/claude-" in inner
        cwd_files.append(CWD_TAIL.search(inner).group(1))
        quoted = "'" + inner.replace("'", "'\"'\"'") + "'"
        assert shell_argv == ["-c", f"{prefix} {quoted}"]
    assert cwd_files[0] != cwd_files[1]


DENY_HOOK = r"""import json, os, sys
ev = json.load(sys.stdin)
with open(sys.argv[2], "a") as fh:
    rec = {"form": sys.argv[1], "project_dir": os.environ.get("CLAUDE_PROJECT_DIR")}
    fh.write(json.dumps(rec) + "\n")
if sys.argv[1] == "SHELLFORM" and "DENY-ME" in ev["tool_input"]["command"]:
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse",
          "permissionDecision": "deny", "permissionDecisionReason": "DENIED-THROUGH-PREFIX"}}))
"""


def test_prefix_wraps_shell_form_hooks_but_not_exec_form(claude, api, project, tmp_path):
    """A hook in shell form runs as `/bin/sh -c "<prefix> '<hook command>'"` (its stdin and JSON
    answer still work through the prefix: the deny holds); a hook in exec form (`command` +
    `args`) is spawned directly, never through the prefix. So a sandboxing prefix must pass hook
    strings through (they do not end in `&& pwd -P >| <file>`), or every shell-form hook of the
    user and of cc-pack runs inside the sandbox."""
    prefix, log = logger(tmp_path)
    hook, hook_log = tmp_path / "hook.py", tmp_path / "hook.log"
    hook.write_text(DENY_HOOK)
    shell_cmd = f"{PY} {hook} SHELLFORM {hook_log}"
    write_settings(
        project,
        {
            "env": {"CLAUDE_CODE_SHELL_PREFIX": str(prefix)},
            "hooks": {
                "PreToolUse": [
                    {
                        "matcher": "Bash",
                        "hooks": [
                            {"type": "command", "command": shell_cmd},
                            {
                                "type": "command",
                                "command": PY,
                                "args": [str(hook), "EXECFORM", str(hook_log)],
                            },
                        ],
                    }
                ]
            },
        },
    )
    script(api, bash("echo DENY-ME"), bash("echo OK-ME"))
    run = claude.run("go")
    denied, allowed = results(run, 2)
    assert (denied["is_error"], allowed["text"]) == (True, "OK-ME"), run.describe()
    assert "DENIED-THROUGH-PREFIX" in denied["text"]
    hook_calls = [r for r in records(log) if r not in tool_records(log)]
    assert [r["argv"][1:] for r in hook_calls] == [[shell_cmd], [shell_cmd]]
    assert hook_calls[0]["parent"] == ["/bin/sh", "-c", f"{prefix} '{shell_cmd}'"]
    assert hook_calls[0]["env"]["CLAUDE_PROJECT_DIR"] == str(project)
    assert not any("EXECFORM" in json.dumps(r["argv"]) for r in records(log))
    forms = [json.loads(line)["form"] for line in hook_log.read_text().splitlines()]
    assert sorted(forms) == ["EXECFORM", "EXECFORM", "SHELLFORM", "SHELLFORM"]
    assert [eval_argument(r["argv"][-1]) for r in tool_records(log)] == ["echo OK-ME"]


def test_bash_environment_names_no_agent(claude, api, project, tmp_path):
    """A Bash command (and so the prefix) sees CLAUDECODE=1, CLAUDE_CODE_SESSION_ID (the
    session), CLAUDE_CODE_ENTRYPOINT=sdk-cli, CLAUDE_CODE_CHILD_SESSION=1, CLAUDE_CODE_EXECPATH,
    CLAUDE_EFFORT, AI_AGENT=claude-code_<version>_agent — identical for the main thread and a
    subagent: nothing names the agent, and CLAUDE_PROJECT_DIR is NOT set (hooks get it).
    2.1.330 adds CLAUDE_PID, CLAUDE_CODE_SESSION_ATTENDED=0, CLAUDE_CODE_MESSAGING_SOCKET/_TOKEN
    and CLAUDE_CODE_CHILD_NOTES_DIR."""
    prefix, log = logger(tmp_path)
    claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(prefix)
    (project / ".claude" / "agents").mkdir(parents=True)
    (project / ".claude" / "agents" / "worker.md").write_text(WORKER)
    api.add(
        Conversation(
            "worker", subagent("You are WORKER-AGENT"), [bash("echo SUB"), reply("subdone")]
        )
    )
    script(
        api,
        bash("echo MAIN"),
        reply("", tool("Agent", subagent_type="worker", description="w", prompt="go")),
    )
    run = claude.run("go")
    main, sub = (r["env"] for r in tool_records(log))
    assert [r["text"] for r in results(run, 2)] == ["MAIN", "SUB"], run.describe()
    ours = {k for k in claude.env()} | {"CLAUDE_CODE_SHELL_PREFIX"}

    def added(env):
        return {
            k: v
            for k, v in env.items()
            if k not in ours and k not in ("PWD", "SHLVL", "_", "OLDPWD")
        }

    assert added(main) == added(sub)
    assert "CLAUDE_PROJECT_DIR" not in main
    assert not [k for k in main if "AGENT_ID" in k or "AGENT_TYPE" in k or "TOOL_USE" in k]
    assert main["CLAUDE_CODE_SESSION_ID"] == run.session_id
    assert (
        main["CLAUDECODE"],
        main["CLAUDE_CODE_ENTRYPOINT"],
        main["CLAUDE_CODE_CHILD_SESSION"],
    ) == ("1", "sdk-cli", "1")
    assert main["AI_AGENT"] == f"claude-code_{claude.version.replace('.', '-')}_agent"
    assert main["CLAUDE_CODE_EXECPATH"].endswith("/bin/claude.exe")
    expected = {
        "AI_AGENT",
        "CLAUDECODE",
        "CLAUDE_CODE_CHILD_SESSION",
        "CLAUDE_CODE_ENTRYPOINT",
        "CLAUDE_CODE_EXECPATH",
        "CLAUDE_CODE_SESSION_ID",
        "CLAUDE_EFFORT",
        "SHELL",
        "GIT_EDITOR",
        "COREPACK_ENABLE_AUTO_PIN",
        "NoDefaultCurrentDirectoryInExePath",
    }
    if claude.version != "2.1.197":
        expected |= {
            "CLAUDE_PID",
            "CLAUDE_CODE_SESSION_ATTENDED",
            "CLAUDE_CODE_MESSAGING_SOCKET",
            "CLAUDE_CODE_MESSAGING_TOKEN",
            "CLAUDE_CODE_CHILD_NOTES_DIR",
        }
    assert set(added(main)) == expected


TICKET_HOOK = r"""import json, sys
ev = json.load(sys.stdin)
with open(sys.argv[1], "a") as fh:
    fh.write(json.dumps({"agent_type": ev.get("agent_type"), "agent_id": ev.get("agent_id"),
                         "command": ev["tool_input"]["command"]}) + "\n")
"""
TICKET_COMMANDS = [
    "echo 'single q' \"double q\" $HOME | tr a-z A-Z",
    "cat <<'EOF'\nheredoc line\nEOF",
    "x='multi\nline'; echo \"$x\"",
    "echo NUL >nul; echo done",
]


def test_prefix_can_recover_the_hooks_command_for_a_ticket(claude, api, project, tmp_path):
    """The PreToolUse hook knows agent_id/agent_type and tool_input.command; the prefix gets the
    string with `eval <quoted command>`. shlex-decoding the word after the last `eval` gives the
    hook's command back exactly (quotes, pipes, heredocs, multi-line strings; main thread and
    subagent), except that Claude Code rewrites a Windows `>nul` to `>/dev/null` first. That is
    the handshake a per-agent writable set needs, since the Bash environment names no agent."""
    prefix, log = logger(tmp_path)
    claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(prefix)
    hook, hook_log = tmp_path / "ticket.py", tmp_path / "tickets.jsonl"
    hook.write_text(TICKET_HOOK)
    write_settings(
        project,
        {
            "hooks": {
                "PreToolUse": [
                    {
                        "matcher": "Bash",
                        "hooks": [
                            {"type": "command", "command": PY, "args": [str(hook), str(hook_log)]}
                        ],
                    }
                ]
            }
        },
    )
    (project / ".claude" / "agents").mkdir(parents=True)
    (project / ".claude" / "agents" / "worker.md").write_text(WORKER)
    api.add(
        Conversation(
            "worker", subagent("You are WORKER-AGENT"), [bash("echo SUB 'x y'"), reply("subdone")]
        )
    )
    script(
        api,
        *[bash(c) for c in TICKET_COMMANDS],
        reply("", tool("Agent", subagent_type="worker", description="w", prompt="go")),
    )
    run = claude.run("go")
    tickets = records(hook_log)
    seen = [eval_argument(r["argv"][-1]) for r in tool_records(log)]
    assert [t["command"] for t in tickets] == [*TICKET_COMMANDS, "echo SUB 'x y'"], run.describe()
    assert seen[:3] == TICKET_COMMANDS[:3] and seen[4] == "echo SUB 'x y'"
    assert seen[3] == "echo NUL >/dev/null; echo done"
    assert [t["agent_type"] for t in tickets] == [None] * 4 + ["worker"] and tickets[4]["agent_id"]
    assert results(run, 3)[1]["text"] == "heredoc line"


@needs_bwrap
@pytest.mark.parametrize("variant", ["scratch-only", "cwd-file-bound"])
def test_bwrap_prefix_needs_the_cwd_file_writable(claude, api, project, tmp_path, variant):
    """With `bwrap --ro-bind / / … --bind <scratch>` as the prefix, Claude Code's own tail
    `pwd -P >| /tmp/claude-<hex>-cwd` fails: every call reports `Exit code 1` with `…-cwd:
    Read-only file system` after its real output, and `cd` no longer carries over. Binding that
    one file (created first) fixes both. Either way a write outside the writable set fails with
    `Read-only file system`, which is what the model sees."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (project / "sub").mkdir()
    claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(
        bwrap_wrapper(tmp_path, scratch, variant != "scratch-only")
    )
    script(
        api,
        bash(f"echo x > {scratch}/in.txt && echo SCRATCH-OK"),
        bash(f"echo y > {project}/out.txt"),
        bash("cd sub && echo CD-DONE"),
        bash("pwd"),
    )
    run = claude.run("go")
    write_scratch, write_project, cd, pwd = results(run, 4)
    assert (scratch / "in.txt").read_text() == "x\n" and not (project / "out.txt").exists()
    assert (
        write_project["is_error"]
        and f"{project}/out.txt: Read-only file system" in write_project["text"]
    )
    if variant == "scratch-only":
        for r in (write_scratch, cd, pwd):
            assert r["is_error"] and r["text"].startswith("Exit code 1"), run.describe()
            assert re.search(r"/tmp/claude-[0-9a-f]+-cwd: Read-only file system", r["text"])
        assert "SCRATCH-OK" in write_scratch["text"] and "CD-DONE" in cd["text"]
        assert f"\n{project}\n" in pwd["text"]
    else:
        assert (write_scratch["is_error"], write_scratch["text"]) == (False, "SCRATCH-OK"), (
            run.describe()
        )
        assert (cd["is_error"], cd["text"]) == (False, "CD-DONE")
        assert (pwd["is_error"], pwd["text"]) == (False, f"{project}/sub")


def test_writing_settings_mid_session_turns_the_prefix_off(claude, api, project, tmp_path):
    """The prefix comes from process.env at each call, and a settings file written during the
    session is re-applied to process.env: the model's Write of .claude/settings.local.json with
    `"CLAUDE_CODE_SHELL_PREFIX": ""` turns off a prefix given in the LAUNCH environment for every
    later call (untrusted -p session). The Write tool is not under the Bash sandbox: a guard must
    deny writes to the settings files."""
    prefix, log = logger(tmp_path)
    claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(prefix)
    target = project / ".claude" / "settings.local.json"
    target.parent.mkdir(parents=True)

    def later(request):
        time.sleep(3)  # the settings watcher
        return bash("echo SECOND")

    script(
        api,
        bash("echo FIRST"),
        reply(
            "",
            tool(
                "Write",
                file_path=str(target),
                content=json.dumps({"env": {"CLAUDE_CODE_SHELL_PREFIX": ""}}),
            ),
        ),
        later,
    )
    run = claude.run("go")
    assert [r["text"] for r in results(run, 2)] == ["FIRST", "SECOND"], run.describe()
    assert [eval_argument(r["argv"][-1]) for r in tool_records(log)] == ["echo FIRST"]


# --- Claude Code's own sandbox settings -----------------------------------------------------------


@needs_bwrap
def test_bwrap_prefix_covers_background_commands(claude, api, project, tmp_path):
    """A `run_in_background` Bash call goes through the same prefix: under the bwrap wrapper it
    runs sandboxed (a write into the scratch dir lands, a write into the project is refused) and
    Claude Code still reports it started in the background."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    claude.extra_env["CLAUDE_CODE_SHELL_PREFIX"] = str(bwrap_wrapper(tmp_path, scratch, True))
    command = f"echo BG > {scratch}/bg.txt; {{ echo P > {project}/bg.txt; }} 2> {scratch}/err.txt"

    def wait(request):
        time.sleep(2)
        return reply("waited")

    api.add(
        Conversation(
            "main",
            main_thread(),
            [bash(command, run_in_background=True), wait, reply("fin"), reply("fin")],
        )
    )
    run = claude.run("go")
    started = run.result_for("Bash")
    assert "Command running in background with ID:" in started["text"], run.describe()
    assert (scratch / "bg.txt").read_text() == "BG\n"
    assert not (project / "bg.txt").exists()
    assert "Read-only file system" in (scratch / "err.txt").read_text()
