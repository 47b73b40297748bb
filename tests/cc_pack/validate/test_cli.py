"""``cc-pack validate`` as a real process: exit codes, selection, config, the three formats."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from cc_pack.config import Config, compile_config
from cc_pack.validate import rules
from cc_pack.validate.settings import DEFAULTS
from validate_cases import C6, FIXTURES, REPO

SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
LINE = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]{2}\d{3}) \S")


@pytest.fixture
def third_party(tmp_path) -> Path:
    """A copy of the clean C.6 baseline plugin, free to break: a pack without cc-pack."""
    target = tmp_path / "pack"
    shutil.copytree(C6 / "00-valid-baseline", target)
    (target / "expected.txt").unlink()
    return target


@pytest.fixture
def pack(third_party) -> Path:
    """The same pack in a project that uses cc-pack (a .claude/cc-pack.yaml): policy rules such
    as SP002 are errors there."""
    (third_party / ".claude").mkdir()
    (third_party / ".claude" / "cc-pack.yaml").write_text("version: 1\n")
    return third_party


def break_agent(pack: Path) -> None:
    agent = pack / "agents" / "reviewer.md"
    agent.write_text(agent.read_text().replace("tools: Read, Bash", "tools: Read, Agent"))


def warn_agent(pack: Path) -> None:
    agent = pack / "agents" / "reviewer.md"
    agent.write_text(agent.read_text().replace("model: sonnet", "model: sonnet\ncolor: mauve"))


def test_clean_pack_exits_0(cli, pack):
    done = cli("validate", ".", cwd=pack)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("All checks passed")


def test_error_exits_1_with_ruff_like_line_and_hint(cli, pack):
    break_agent(pack)
    done = cli("validate", cwd=pack)  # default path: the current directory
    assert done.returncode == 1, done.stdout
    first, hint = done.stdout.splitlines()[:2]
    assert first == (
        "agents/reviewer.md:4:14: SP002 'Agent' in tools lets this subagent spawn "
        "subagents (cc-pack's policy: only the main thread spawns)"
    )
    assert hint.startswith("  hint: remove Agent from tools")
    assert "\033[" not in done.stdout  # not a terminal: no colour


def test_policy_is_an_error_only_where_the_project_opted_in(cli, third_party):
    break_agent(third_party)  # SP002: cc-pack's no-nesting policy, not a runtime defect
    done = cli("validate", "--format", "json", str(third_party))
    assert done.returncode == 0, done.stdout
    assert [(f["code"], f["severity"]) for f in json.loads(done.stdout)["findings"]] == [
        ("SP002", "warning")
    ]
    # the pack installed (cc-pack's hook directory) opts the project in
    (third_party / ".claude" / "hooks" / "cc-pack").mkdir(parents=True)
    installed = cli("validate", "--format", "json", str(third_party))
    assert installed.returncode == 1
    assert json.loads(installed.stdout)["findings"][0]["severity"] == "error"


def test_registering_cc_pack_hooks_opts_a_project_in(cli, tmp_path):
    project = tmp_path / "proj"
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "worker.md").write_text("---\nname: worker\ndescription: Works.\n---\nWork.\n")
    assert cli("validate", str(project)).returncode == 0  # SP001 is a warning here
    hooks = {
        "hooks": {
            "PreToolUse": [
                {
                    "matcher": "Agent",
                    "hooks": [
                        {
                            "type": "command",
                            "command": 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/cc-pack/'
                            'spawn_gate.py"',
                        }
                    ],
                }
            ]
        }
    }
    (project / ".claude" / "settings.json").write_text(json.dumps(hooks))
    done = cli("validate", str(project))
    assert done.returncode == 1 and " SP001 " in done.stdout, done.stdout
    # a checkout wired to its own hook entry files (this repository's form): three or more of
    # cc-pack's hook scripts named in one settings file
    group = hooks["hooks"]["PreToolUse"][0]
    (project / "run").write_text('exec python3 -m "$1"\n')
    group["hooks"] = [
        {"type": "command", "command": "/bin/sh", "args": ["${CLAUDE_PROJECT_DIR}/run", name]}
        for name in ("scope_guard", "spawn_gate", "stop_gate")
    ]
    (project / ".claude" / "settings.json").write_text(json.dumps(hooks))
    assert cli("validate", str(project)).returncode == 1
    group["hooks"] = group["hooks"][:2]  # two names are not enough to call it cc-pack
    (project / ".claude" / "settings.json").write_text(json.dumps(hooks))
    assert cli("validate", str(project)).returncode == 0


def test_warnings_pass_unless_strict(cli, pack):
    warn_agent(pack)
    assert cli("validate", str(pack)).returncode == 0
    done = cli("validate", "--strict", str(pack))
    assert done.returncode == 1
    assert " AG011 " in done.stdout


def test_select_and_ignore_take_codes_and_prefixes(cli, pack):
    break_agent(pack)
    warn_agent(pack)
    assert cli("validate", "--ignore", "SP", str(pack)).returncode == 0
    assert cli("validate", "--select", "AG011", "--strict", str(pack)).returncode == 1
    only = cli("validate", "--select", "AG,PL", str(pack))
    assert only.returncode == 0 and "SP002" not in only.stdout and "AG011" in only.stdout


def test_config_select_ignore_and_nesting(cli, pack):
    break_agent(pack)
    (pack / ".git").mkdir()  # the project root for the config lookup
    config = pack / ".claude" / "cc-pack.yaml"
    config.write_text("version: 1\nvalidate:\n  ignore: [SP002]\n")
    assert cli("validate", str(pack)).returncode == 0
    config.write_text("version: 1\nspawn:\n  allow_nesting: true\n")
    assert cli("validate", str(pack)).returncode == 0
    config.write_text("version: 1\nvalidate:\n  ignor: [SP002]\n")
    bad = cli("validate", str(pack))
    assert bad.returncode == 2 and "cc-pack.yaml:3" in bad.stderr and "Traceback" not in bad.stderr


def test_usage_and_input_errors_exit_2(cli, pack, tmp_path):
    missing = cli("validate", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    assert cli("validate", "--select", "ZZ9", str(pack)).returncode == 2
    assert cli("validate", "--format", "xml", str(pack)).returncode == 2
    (pack / "agents" / "latin1.md").write_bytes(b"---\nname: caf\xe9\n---\n")
    bad = cli("validate", str(pack))
    assert bad.returncode == 2
    assert "latin1.md: not UTF-8" in bad.stderr and "Traceback" not in bad.stderr
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert cli("validate", str(other)).returncode == 2


def test_a_single_file_reports_only_that_file_with_its_pack_as_context(cli, pack):
    break_agent(pack)
    (pack / "skills" / "style-guide" / "SKILL.md").write_text("---\nname: style-guide\n---\nx\n")
    done = cli("validate", "agents/reviewer.md", cwd=pack)
    assert done.returncode == 1
    assert {m["code"] for m in map(LINE.match, done.stdout.splitlines()) if m} == {"SP002"}
    # the agent's skills entry resolves against the pack even though only one file was named
    agent = pack / "agents" / "reviewer.md"
    agent.write_text(
        agent.read_text().replace("model: sonnet", "model: sonnet\nskills: [style-guide]")
    )
    assert "SK005" not in cli("validate", "agents/reviewer.md", cwd=pack).stdout


def test_a_file_the_manifest_lists_outside_agents_is_accepted_alone(cli, pack):
    listed = pack / "reviewers" / "checker.md"
    listed.parent.mkdir()
    listed.write_text("---\nname: checker\ndescription: Checks.\ntools: Read, Frobnicate\n---\nX\n")
    manifest = pack / ".claude-plugin" / "plugin.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(
        json.dumps({**data, "agents": ["./agents/reviewer.md", "./reviewers/checker.md"]})
    )
    done = cli("validate", "reviewers/checker.md", cwd=pack)
    assert done.returncode == 1, done.stdout + done.stderr
    assert [
        m["path"] + " " + m["code"] for m in map(LINE.match, done.stdout.splitlines()) if m
    ] == ["reviewers/checker.md AG007"]
    # a file nothing lists is still refused, with the reason
    (pack / "reviewers" / "stray.md").write_text("---\nname: stray\n---\n")
    stray = cli("validate", "reviewers/stray.md", cwd=pack)
    assert stray.returncode == 2 and "not a Claude Code file" in stray.stderr


def test_a_file_of_a_plugin_without_manifest_is_checked_from_its_marketplace_entry(cli, tmp_path):
    market = tmp_path / "market"
    (market / ".claude-plugin").mkdir(parents=True)
    entry = {"name": "tools", "source": "./tools", "description": "Tools.", "agents": ["./x/a.md"]}
    (market / ".claude-plugin" / "marketplace.json").write_text(
        json.dumps({"name": "m", "owner": {"name": "o"}, "description": "M.", "plugins": [entry]})
    )
    agent = market / "tools" / "x" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_text("---\nname: a\ndescription: A.\ntools: Read\nmodel: gpt-4\n---\nX\n")
    done = cli("validate", "tools/x/a.md", cwd=market)
    assert done.returncode == 1, done.stdout + done.stderr
    assert " AG006 " in done.stdout and " PL001 " not in done.stdout
    plugin_dir = cli("validate", "tools", cwd=market)
    assert " AG006 " in plugin_dir.stdout and " PL001 " not in plugin_dir.stdout


def test_crlf_files_are_read_as_claude_code_reads_them(cli, third_party):
    """With CRLF line ends Claude Code's quoting retry does not apply (its line pattern stops at
    the \\r): the same frontmatter that loads with LF is dropped with CRLF."""
    agent = third_party / "agents" / "reviewer.md"
    text = "---\nname: reviewer\ndescription: Use when: ready\ntools: Read\n---\nReview.\n"
    agent.write_bytes(text.encode())
    assert " FM003 " in cli("validate", str(third_party)).stdout
    agent.write_bytes(text.replace("\n", "\r\n").encode())
    done = cli("validate", str(third_party))
    assert done.returncode == 1 and " FM002 " in done.stdout, done.stdout


def test_json_format_has_the_documented_shape(cli, pack):
    break_agent(pack)
    warn_agent(pack)
    done = cli("validate", "--format", "json", ".", cwd=pack)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["version"] == 1
    assert [f["code"] for f in report["findings"]] == ["SP002", "AG011"]
    assert set(report["findings"][0]) == {
        "path",
        "line",
        "column",
        "code",
        "severity",
        "message",
        "hint",
    }
    assert report["findings"][0]["path"] == "agents/reviewer.md"
    assert report["summary"] == {
        "files": 5,
        "errors": 1,
        "warnings": 1,
        "by_code": {"AG011": 1, "SP002": 1},
    }


def test_sarif_validates_against_the_official_schema(cli, tmp_path):
    out = tmp_path / "report.sarif"
    case = FIXTURES / "hooks" / "invalid" / "settings"
    done = cli("validate", "--format", "sarif", "-o", str(out), str(case))
    assert done.returncode == 1 and done.stdout == ""
    report = json.loads(out.read_text())
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(report)
    run = report["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(rules.RULES)
    first = run["results"][0]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    # the schema is strict enough to fail: a result without a message is rejected
    del report["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(report)


def _tty(args: list[str], env: dict, cwd: Path) -> str:
    """Run cc-pack with stdout on a pseudo-terminal; return what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_pack", *args],
        cwd=cwd,
        env=env,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(pack):
    break_agent(pack)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\033[31mSP002" in _tty(["validate", "."], env, pack)
    assert "\033[" not in _tty(["validate", "."], {**env, "NO_COLOR": "1"}, pack)


def test_explain_prints_the_rules_doc_which_is_up_to_date(cli):
    done = cli("validate", "--explain", "all")
    assert done.returncode == 0
    readme = (REPO / "README.md").read_text()
    block = readme.split("a test keeps it in step -->\n", 1)[1].split("<!-- /rules -->", 1)[0]
    assert done.stdout == block, "README's rule reference is stale: paste --explain all into it"
    for code, rule in rules.RULES.items():
        assert f"#### {code}\n\n**{rules.severity_text(rule)}**, {rules.KINDS[rule.kind]}" in (
            done.stdout
        )
    one = cli("validate", "--explain", "hk006")
    assert one.stdout.startswith("### HK006") and "Fix: create <target>" in one.stdout
    assert cli("validate", "--explain", "XX001").returncode == 2


def test_the_opt_in_detection_knows_every_cc_pack_hook():
    from cc_pack import hookspec
    from cc_pack.validate.settings import HOOK_SCRIPTS

    assert {spec.script.removesuffix(".py") for spec in hookspec.HOOKS} == HOOK_SCRIPTS


FRONT = """
import sys
from cc_pack.cli import main
argv = sys.argv[1:]
try:
    main(argv) if argv[0] == "validate" else main.group(argv[1:], prog_name="cc-pack")
finally:
    heavy = ("click", "yaml", "pydantic", "jsonschema", "dataclasses")
    sys.stderr.write("imported: %s" % sorted(m for m in heavy if m in sys.modules))
"""


def _front(args: list[str], cwd: Path, click_front: bool):
    argv = ["click", "validate", *args] if click_front else ["validate", *args]
    done = subprocess.run(
        [sys.executable, "-c", FRONT, *argv], cwd=cwd, capture_output=True, text=True, check=False
    )
    body, _, imported = done.stderr.rpartition("imported: ")
    return (done.returncode, done.stdout, body), imported


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "json", "."],
        ["--format=sarif", "--strict", "."],
        ["--select", "AG,SP", "--ignore=SP002", "."],
        ["--explain", "HK014"],
        ["--explain", "XX001"],
        ["-o", "report.txt", "."],
        ["nope"],
        ["--select", "ZZ9"],
    ],
    ids=lambda a: " ".join(a) or "(none)",
)
def test_the_fast_front_end_behaves_like_click_and_imports_none_of_it(args, third_party):
    """Same output and exit status through both front ends; the fast one, on a pack without a
    cc-pack config (whose loader needs pydantic and yaml), imports none of the heavy modules."""
    break_agent(third_party)
    warn_agent(third_party)
    (third_party / "agents" / "broken.md").write_text("---\nname: broken\ntools: [Read\n---\n")
    fast, imported = _front(args, third_party, click_front=False)
    (third_party / "report.txt").unlink(missing_ok=True)
    slow, _ = _front(args, third_party, click_front=True)
    assert fast == slow
    # yaml only when it reads the one frontmatter that needs libyaml
    reads = not args or args[-1] == "."
    assert imported == ("['yaml']" if reads else "[]"), imported


def test_help_and_usage_errors_still_go_through_click(cli):
    assert "Usage: cc-pack validate" in cli("validate", "--help").stdout
    bad = cli("validate", "--format")
    assert bad.returncode == 2 and "requires an argument" in bad.stderr


def test_default_settings_match_the_config_defaults():
    compiled = compile_config(Config())
    assert DEFAULTS["spawn"] == {"allow_nesting": compiled["spawn"]["allow_nesting"]}
    assert DEFAULTS["roles"]["reviewers"] == compiled["roles"]["reviewers"]
    assert DEFAULTS["roles"]["orchestrator"] == compiled["roles"]["orchestrator"]
    assert DEFAULTS["validate"] == compiled["validate"]
