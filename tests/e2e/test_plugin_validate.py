"""cc-pack validate against the real Claude Code, 2.1.197 and 2.1.330.

The repository passes the real `claude plugin validate --strict`; and each rule that claims a
runtime consequence is checked here against a real session with the fake API: the same files
are loaded by Claude Code (what its ``init`` line and first request list, what its hooks see, what
runs) and validated by cc-pack, and both must tell the same story. The frontmatter table is the
two-step parse (YAML 1.2, the quoting retry) compared shape by shape with what the client lists.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from fakeapi import Conversation, main_thread, reply, subagent, tool

from cc_pack.validate import frontmatter, run, vocab
from cc_pack.validate.settings import Settings

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def validate(binary: Path, target: Path, home: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run(
        [str(binary), "plugin", "validate", "--strict", str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "target", [".", ".claude-plugin/plugin.json"], ids=["marketplace", "plugin"]
)
def test_claude_plugin_validate_strict_passes(claude_binary: Path, tmp_path: Path, target: str):
    done = validate(claude_binary, REPO / target, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation passed" in done.stdout
    assert "✘" not in done.stdout.split("These plugin directory checks")[-1]


def test_claude_plugin_validate_catches_a_broken_manifest(claude_binary: Path, tmp_path: Path):
    """The check above can fail: the same command on a manifest without a name does."""
    broken = tmp_path / "broken" / ".claude-plugin"
    broken.mkdir(parents=True)
    (broken / "plugin.json").write_text('{"version": "1.0.0"}')
    home = tmp_path / "home"
    home.mkdir()
    done = validate(claude_binary, broken.parent, home)
    assert done.returncode == 1


# --- helpers ----------------------------------------------------------------------------------


def write(path: Path, text: str | bytes, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    if mode is not None:
        path.chmod(mode)
    return path


def manifest(root: Path, name: str, **fields) -> Path:
    data = {"name": name, "version": "1.0.0", "description": "d", "author": {"name": "a"}}
    return write(root / ".claude-plugin" / "plugin.json", json.dumps({**data, **fields}))


def ours(*targets: Path) -> set[tuple[str, str, str]]:
    """(file name, code, severity) of every finding cc-pack reports (default settings: a pack
    without cc-pack, where policy rules are warnings)."""
    return {(f.path.name, f.code, f.severity) for f in run(list(targets), Settings()).findings}


def codes(found: set, name: str) -> set[str]:
    return {code for file, code, _ in found if file == name}


def listed(request, prefix: str = "") -> dict[str, str]:
    """name -> description of the agents and skills the first request lists to the model
    (``- name: description (Tools: ...)`` and ``- name: description`` lines)."""
    out = {}
    for match in re.finditer(r"^- ([^:\n]+(?::[^:\s\n]+)*): (.*)$", request.text(), re.M):
        name, text = match.group(1), match.group(2)
        if name.startswith(prefix):
            out[name] = re.sub(r" \(Tools: [^)]*\)$", "", text)
    return out


def say_ok(api) -> None:
    api.add(Conversation("main", main_thread(), [reply("ok"), reply("ok"), reply("ok")]))


# --- frontmatter: the two-step parse agrees with the client --------------------------------------

SHAPES = {
    "plain": "---\nname: {n}\ndescription: Plain description.\n---\nBody\n",
    "colon": "---\nname: {n}\ndescription: Use when X. Example: Y\n---\nBody\n",
    "at-sign": "---\nname: {n}\ndescription: @team reviews\n---\nBody\n",
    "backquote": "---\nname: {n}\ndescription: `x` marks it\n---\nBody\n",
    "bracket": "---\nname: {n}\ndescription: [Draft] reviews code\n---\nBody\n",
    "unclosed": "---\nname: {n}\ndescription: [House style\n---\nBody\n",
    "quotes": '---\nname: {n}\ndescription: say "hi": now\n---\nBody\n',
    "tabs": "---\nname: {n}\ndescription: Tabbed.\nhooks:\n\tStop: []\n---\nBody\n",
    "folded": "---\nname: {n}\ndescription: >-\n  Folded: with colon\n  and more\n---\nBody\n",
    "multi-line": "---\nname: {n}\ndescription: Use this agent\n  <example>Context: x</example>\n"
    "---\nBody\n",
    "end-colon": "---\nname: {n}\ndescription: Examples:\n---\nBody\n",
    "digit-key": "---\nname: {n}\nkey2: a: b\ndescription: Digit key.\n---\nBody\n",
    "crlf": "---\r\nname: {n}\r\ndescription: CRLF description.\r\n---\r\nBody\r\n",
    "crlf-colon": "---\r\nname: {n}\r\ndescription: Use when X. Example: Y\r\n---\r\nBody\r\n",
    "quoted-0": '---\nname: {n}\ndescription: "Use this agent when\nthe user asks"\n---\nBody\n',
    "quoted-2": '---\nname: {n}\ndescription: "Use this agent when\n  the user asks"\n---\nBody\n',
    "comment": "---\nname: {n}\ndescription: Keep #this\n---\nBody\n",
    "tag": "---\nname: {n}\ndescription: !important read this\n---\nBody\n",
    "dashes": "---\nname: {n}\ndescription: a---b\n---\nBody\n",
    "duplicate": "---\nname: {n}\ndescription: First.\ndescription: Second.\n---\nBody\n",
    "yes": "---\nname: {n}\ndescription: yes\n---\nBody\n",
    "number": "---\nname: {n}\ndescription: 42\n---\nBody\n",
    "list": "---\nname: {n}\ndescription: [a, b]\n---\nBody\n",
    "bom": "\ufeff---\nname: {n}\ndescription: BOM description.\n---\nBody\n",
    "no-frontmatter": "You are an agent.\n",
    "never-closed": "---\nname: {n}\ndescription: Never closed.\nBody\n",
}


def predicted_agent(text: str, version: str) -> str | None:
    """The description a project agent is listed with, by cc-pack's reader; None: dropped."""
    doc = frontmatter.parse(Path("a.md"), text)
    if doc.bom and version == "2.1.197":
        return None  # FM008: 2.1.197 does not strip the mark
    data = doc.data if isinstance(doc.data, dict) else {}
    name, description = data.get("name"), data.get("description")
    if not (isinstance(name, str) and name and isinstance(description, str) and description):
        return None
    return description


def test_the_two_step_parse_agrees_with_the_client(claude, api, project):
    for shape, text in SHAPES.items():
        write(project / ".claude" / "agents" / f"fm-{shape}.md", text.replace("{n}", f"fm-{shape}"))
    say_ok(api)
    session = claude.run("hi")
    assert session.returncode == 0, session.describe()
    agents = listed(api.requests[0], "fm-")
    for shape, text in SHAPES.items():
        want = predicted_agent(text.replace("{n}", f"fm-{shape}"), claude.version)
        got = agents.get(f"fm-{shape}")
        assert got == want, f"{shape}: Claude Code lists {got!r}, cc-pack predicts {want!r}"
    # and cc-pack's verdict: an error exactly where the client drops the agent
    found = ours(project)
    for shape in SHAPES:
        name = f"fm-{shape}.md"
        errors = {c for f, c, s in found if f == name and s == "error"}
        dropped = f"fm-{shape}" not in agents
        if shape == "bom":
            assert errors == {"FM008"}  # dropped by 2.1.197 only
        else:
            assert bool(errors) == dropped, (shape, errors, dropped)
    assert codes(found, "fm-colon.md") == {"FM003", "SP001"}  # SP001: tools omitted
    assert "FM009" in codes(found, "fm-comment.md") and "FM009" in codes(found, "fm-dashes.md")


def test_files_without_frontmatter_and_readmes(claude, api, project, tmp_path):
    plugin = tmp_path / "plug"
    manifest(plugin, "plug")
    for base in (project / ".claude", plugin):
        write(base / "agents" / "README.md", "# Agents\n\nDocs.\n")
        write(base / "agents" / "nofm.md", "You are a plain agent.\n")
        write(base / "commands" / "README.md", "# Commands\n\nDocs.\n")
        write(base / "commands" / "plain.md", "Just do $ARGUMENTS\n")
        write(base / "skills" / "nofm" / "SKILL.md", "First paragraph of the skill.\n")
    say_ok(api)
    session = claude.run("hi", plugin_dir=plugin)
    init = session.init
    # a project agent without frontmatter (README or not) is dropped; a plugin's is loaded
    assert "nofm" not in init["agents"] and "README" not in init["agents"]
    assert {"plug:nofm", "plug:README"} <= set(init["agents"]), init["agents"]
    # commands and skills without frontmatter load, README.md in commands/ too
    assert {"plain", "README", "nofm", "plug:plain", "plug:README"} <= set(init["slash_commands"])
    found = ours(project, plugin)
    assert ("nofm.md", "FM001", "error") in found  # the project agent
    assert ("nofm.md", "FM001", "warning") in found  # the plugin agent
    assert ("README.md", "AG013", "warning") in found  # the plugin's agents/README.md
    assert ("README.md", "CM006", "warning") in found
    assert codes(found, "plain.md") == {"FM001"}
    assert not any(s == "error" for f, c, s in found if f in ("plain.md", "SKILL.md"))


# --- agents: the tools a subagent gets ---------------------------------------------------------


def test_subagent_tools_and_nesting(claude, api, project):
    write(
        project / ".claude" / "agents" / "toolsy.md",
        "---\nname: toolsy\ndescription: Tool probe.\n"
        "tools: Read, Glob, Grep, KillShell, MultiEdit, TodoRead, mcp__task-master__get_task\n"
        "---\nYou are toolsy.\n",
    )
    write(
        project / ".claude" / "agents" / "open.md", "---\nname: open\ndescription: O.\n---\nOpen.\n"
    )
    api.add(
        Conversation(
            "main",
            main_thread(),
            [
                reply(
                    "x",
                    tool("Agent", subagent_type="toolsy", description="d", prompt="go"),
                    tool("Agent", subagent_type="open", description="d", prompt="go"),
                ),
                reply("done"),
                reply("done"),
            ],
        ),
        Conversation("toolsy", subagent("You are toolsy"), [reply("t")]),
        Conversation("open", subagent("Open."), [reply("o")]),
    )
    session = claude.run("hi")
    assert session.returncode == 0, session.describe()
    tools = {r.conversation: set(r.tool_names) for r in api.requests if r.is_subagent}
    assert {"Read", "Glob", "Grep", "TaskStop"} <= tools["toolsy"], tools  # KillShell = TaskStop
    assert not {"MultiEdit", "TodoRead"} & tools["toolsy"]
    assert "Agent" in tools["open"]  # Claude Code nests by default: SP001 is cc-pack's policy
    found = ours(project)
    assert {(c, s) for f, c, s in found if f == "toolsy.md"} == {("AG008", "warning")}
    assert ("open.md", "SP001", "warning") in found  # no cc-pack here: policy, not a defect


# --- skills and commands: `!` commands run at invocation -----------------------------------------


def test_shell_commands_in_a_skill_run_when_it_is_invoked(claude, api, project):
    skills = project / ".claude" / "skills"
    write(
        skills / "fenced" / "SKILL.md",
        "---\ndescription: Documents dynamic context.\n---\nExample:\n\n```markdown\n"
        f"Now: !`touch {project}/fenced-ran`\n```\n",
    )
    write(
        skills / "escaped" / "SKILL.md",
        f"---\ndescription: Escaped.\n---\nExample: \\!`touch {project}/escaped-ran`\n",
    )
    write(
        skills / "allowed" / "SKILL.md",
        "---\ndescription: Allowed.\nallowed-tools: Bash(touch:*)\n---\n"
        f"Status: !`touch {project}/allowed-ran`\n",
    )
    write(
        skills / "spanned" / "SKILL.md",
        f"---\ndescription: Spanned.\n---\nWrite `Now: !`touch {project}/spanned-ran`` here.\n",
    )
    # the code spans of one line pair up left to right: here the last `!` is not inside one
    write(
        skills / "paired" / "SKILL.md",
        "---\ndescription: Paired.\n---\nWrite \\!`a` or `!`b`` or "
        f"`Now: !`touch {project}/paired-ran`` here.\n",
    )
    say_ok(api)
    outcomes = {}
    for name in ("fenced", "escaped", "allowed", "spanned", "paired"):
        before = len(api.requests)
        session = claude.run(f"/{name}", skip_permissions=False, permission_mode="default")
        outcomes[name] = (len(api.requests) > before, (project / f"{name}-ran").exists())
    # the example in a code fence is executed: not permitted, so the skill fails to load
    assert outcomes["fenced"] == (False, False), session.describe()
    assert outcomes["escaped"] == (True, False)  # \! shows the example, runs nothing
    assert outcomes["allowed"] == (True, True)  # allowed-tools pre-approves the command
    assert outcomes["spanned"] == (True, False)  # inside a code span: shown, not run
    assert outcomes["paired"] == (False, False)  # run, not permitted: the skill fails
    found = [f for f in run([project], Settings()).findings if f.code == "SK009"]
    assert {(f.path.parent.name, f.severity) for f in found} == {
        ("fenced", "error"),
        ("paired", "warning"),
    }


# --- hooks: environment, quoting, interpreters --------------------------------------------------


def test_hook_commands(claude, api, project, tmp_path):
    plugin = tmp_path / "my plug"  # a space in the path, as under some users' homes
    manifest(plugin, "plug")
    marks = project / "marks"
    marks.mkdir()
    write(plugin / "hooks" / "mark.sh", '#!/bin/sh\ntouch "$1/$2"\n', 0o755)
    write(plugin / "hooks" / "env.sh", '#!/bin/sh\nenv > "$1/env.txt"\n', 0o755)
    write(plugin / "hooks" / "pinned.sh", "#!/opt/nowhere/bin/sh\ntouch marks/pinned\n", 0o755)
    root = "${CLAUDE_PLUGIN_ROOT}"
    handlers = [
        ("quoted", f'sh "{root}/hooks/mark.sh" "{marks}" quoted'),
        ("unquoted", f'sh {root}/hooks/mark.sh "{marks}" unquoted'),
        ("single", f"sh '{root}/hooks/mark.sh' \"{marks}\" single"),
        ("tool-name", f'[ -n "$CLAUDE_TOOL_NAME" ] && touch "{marks}/tool-name"; true'),
        ("interpreter", f'/usr/local/bin/python3.99 -c "" && touch "{marks}/interpreter"'),
        ("shebang", f'"{root}/hooks/pinned.sh"'),
        ("env", f'sh "{root}/hooks/env.sh" "{marks}"'),
    ]
    hooks = [{"type": "command", "command": command} for _, command in handlers]
    hooks += [
        {"type": "command", "command": "sh", "args": [f"{root}/hooks/mark.sh", str(marks), "exec"]},
        {
            "type": "command",
            "command": "sh",
            "args": ["$CLAUDE_PLUGIN_ROOT/hooks/mark.sh", str(marks), "exec-bare"],
        },
    ]
    write(
        plugin / "hooks" / "hooks.json",
        json.dumps({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": hooks}]}}, indent=2),
    )
    api.add(
        Conversation(
            "main", main_thread(), [reply("x", tool("Bash", command="echo hi")), reply("done")]
        )
    )
    session = claude.run("hi", plugin_dir=plugin)
    assert session.returncode == 0, session.describe()
    ran = {p.name for p in marks.iterdir()}
    assert {"quoted", "exec", "env.txt"} <= ran, ran
    assert not {"unquoted", "single", "tool-name", "interpreter", "exec-bare", "pinned"} & ran
    # every variable cc-pack treats as set is set (CLAUDE_ENV_FILE: SessionStart only)
    env = {line.split("=", 1)[0] for line in (marks / "env.txt").read_text().splitlines()}
    expected = {"CLAUDECODE", "CLAUDE_PROJECT_DIR", "CLAUDE_CODE_SESSION_ID", "CLAUDE_PLUGIN_ROOT"}
    expected |= {"CLAUDE_CODE_ENTRYPOINT", "CLAUDE_PLUGIN_DATA", "CLAUDE_EFFORT"}
    assert expected <= env and expected <= vocab.HOOK_ENV, sorted(env)
    assert not {"CLAUDE_TOOL_NAME", "CLAUDE_TOOL_FILE_PATH", "CLAUDE_SESSION_ID"} & env
    # cc-pack: each broken handler, at its line, with the right code
    found = run([plugin], Settings()).findings
    data = json.loads((plugin / "hooks" / "hooks.json").read_text())
    lines = (plugin / "hooks" / "hooks.json").read_text().splitlines()
    by_line = {f.line: (f.code, f.severity) for f in found if f.path.name == "hooks.json"}
    want = {
        "unquoted": ("HK014", "warning"),
        "single": ("HK015", "error"),
        "tool-name": ("HK012", "error"),
        "interpreter": ("HK013", "error"),
        "shebang": ("HK013", "error"),
    }
    for label, command in handlers:
        line = 1 + next(i for i, text in enumerate(lines) if json.dumps(command) in text)
        assert by_line.get(line) == want.get(label), (label, by_line)
    assert len(data["hooks"]["PreToolUse"][0]["hooks"]) == len(handlers) + 2
    assert ("HK015", "error") in by_line.values()  # the unbraced exec-form argument


# --- plugin and marketplace manifests ----------------------------------------------------------


def test_plugin_manifest_types_and_names(claude, api, project, tmp_path):
    repo_object = tmp_path / "repo-object"
    manifest(repo_object, "repo-object", repository={"type": "git", "url": "https://x/y"})
    colon = tmp_path / "colon"
    manifest(colon, "team:tools")
    for root in (repo_object, colon):
        write(root / "agents" / "a.md", "---\nname: a\ndescription: A.\ntools: Read\n---\nA.\n")
    say_ok(api)
    extra = ["--plugin-dir", str(repo_object), "--plugin-dir", str(colon)]
    init = claude.run("hi", extra=extra).init
    loaded = {p["name"] for p in init.get("plugins") or []}
    errors = json.dumps(init.get("plugin_errors") or [])
    if claude.version == "2.1.197":
        assert "repo-object" not in loaded and "repository" in errors  # refuses to load it
        assert "team:tools" in loaded
    else:
        assert "repo-object" in loaded  # 2.1.330 ignores the bad metadata
        assert "team:tools" not in loaded and "not a valid plugin name" in errors
    found = ours(repo_object, colon)
    assert ("plugin.json", "PL015", "error") in found and ("plugin.json", "PL004", "error") in found


def _cli(binary: Path, home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_a_marketplace_entry_is_the_manifest_of_a_plugin_without_one(
    claude, api, project, tmp_path
):
    market = tmp_path / "market"
    entry = {
        "name": "tools",
        "source": "./plugins/tools",
        "description": "No plugin.json.",
        "version": "1.0.0",
        "agents": ["./extra/listed.md"],
    }
    data = {"name": "my-market", "owner": {"name": "o"}, "description": "M.", "plugins": [entry]}
    write(market / ".claude-plugin" / "marketplace.json", json.dumps(data))
    tools = market / "plugins" / "tools"
    write(
        tools / "agents" / "auto.md", "---\nname: auto\ndescription: Auto.\ntools: Read\n---\nA\n"
    )
    write(
        tools / "extra" / "listed.md", "---\nname: listed\ndescription: L.\ntools: Read\n---\nL\n"
    )
    reserved = tmp_path / "reserved"
    write(
        reserved / ".claude-plugin" / "marketplace.json",
        json.dumps({**data, "name": "inline"}),
    )
    added = _cli(claude.binary, claude.home, project, "plugin", "marketplace", "add", str(market))
    assert added.returncode == 0, added.stdout + added.stderr
    installed = _cli(claude.binary, claude.home, project, "plugin", "install", "tools@my-market")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    refused = _cli(
        claude.binary, claude.home, project, "plugin", "marketplace", "add", str(reserved)
    )
    assert refused.returncode != 0 and "reserved" in refused.stdout + refused.stderr
    say_ok(api)
    init = claude.run("hi").init
    # loaded from the entry, whose agents add to agents/
    assert {"tools:auto", "tools:listed"} <= set(init["agents"]), init["agents"]
    assert ours(market) == set()  # no PL018 for the missing plugin.json, no PL001
    assert ("marketplace.json", "PL021", "error") in ours(reserved)


# --- MCP servers and CLAUDE.md imports -----------------------------------------------------------


def test_mcp_servers_and_claude_md_imports(claude, api, project, tmp_path):
    servers = {
        "alive": {"command": "sh", "args": ["-c", "sleep 30"]},
        "no-command": {"args": ["x"]},
        "url-no-type": {"url": "https://mcp.invalid/mcp"},
        "bad-args": {"command": "sh", "args": "-c"},
        "bad-type": {"type": "websocket", "url": "wss://mcp.invalid"},
    }
    write(project / ".mcp.json", json.dumps({"mcpServers": servers}, indent=2))
    plugin = tmp_path / "plug"
    manifest(plugin, "plug")
    write(plugin / ".mcp.json", '{"mcpServers": {"broken": {"command": "sh",}}}')
    write(project / "docs" / "style.md", "MARKER-STYLE\n")
    write(project / "docs" / "dot.md", "MARKER-DOT\n")
    write(
        project / "CLAUDE.md",
        "# P\n\nUse @docs/style.md for style.\nSee @docs/dot.md.\nAlso @docs/missing.md here.\n",
    )
    say_ok(api)
    init = claude.run("hi", plugin_dir=plugin).init
    names = {s["name"] for s in init.get("mcp_servers") or []}
    assert "alive" in names and not {"no-command", "url-no-type", "bad-args", "bad-type"} & names
    assert not any("broken" in n for n in names), names  # the bad JSON file: nothing, silently
    text = api.requests[0].text()
    assert "MARKER-STYLE" in text and "MARKER-DOT" not in text  # '@docs/dot.md.' is not imported
    found = ours(project, plugin)
    mcp = [f for f in run([project], Settings()).findings if f.code == "MC003"]
    assert len(mcp) == 4 and all(f.severity == "error" for f in mcp)
    assert (".mcp.json", "MC001", "error") in found
    assert {c for f, c, _ in found if f == "CLAUDE.md"} == {"MD001", "MD002"}
