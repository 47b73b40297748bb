"""A settings file is the user's, except cc-pack's entries in it: its hook registrations, the
Bash sandbox prefix, disableAllHooks — and it must stay valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cc_pack_hooks import settingsguard

OURS = {
    "type": "command",
    "command": "/bin/sh",
    "args": ["-c", '. "$0" || exit 2', "${CLAUDE_PROJECT_DIR}/.claude/hooks/cc-pack/run-hook"],
}
SETTINGS = {
    "model": "sonnet",
    "env": {"CLAUDE_CODE_SHELL_PREFIX": "/p/.claude/hooks/cc-pack/bash-sandbox", "A": "1"},
    "hooks": {
        "Stop": [{"hooks": [OURS]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "mine.sh"}]}],
    },
}


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(SETTINGS, indent=2))
    return path


def write(settings: Path, data) -> str | None:
    content = data if isinstance(data, str) else json.dumps(data)
    return settingsguard.refusal(str(settings), "Write", {"content": content})


def test_the_users_own_entries_may_change(settings: Path):
    assert write(settings, {**SETTINGS, "model": "opus"}) is None
    changed = {**SETTINGS, "env": {**SETTINGS["env"], "A": "2"}}
    assert write(settings, changed) is None
    theirs = json.loads(json.dumps(SETTINGS))
    theirs["hooks"]["PreToolUse"] = []
    assert write(settings, theirs) is None


@pytest.mark.parametrize(
    "change,named",
    [
        (lambda d: d["hooks"].pop("Stop"), "hook registrations"),
        (lambda d: d["env"].pop("CLAUDE_CODE_SHELL_PREFIX"), "CLAUDE_CODE_SHELL_PREFIX"),
        (lambda d: d["env"].update(CLAUDE_CODE_SHELL_PREFIX=""), "CLAUDE_CODE_SHELL_PREFIX"),
        (lambda d: d.update(disableAllHooks=True), "disableAllHooks"),
        (lambda d: d.update(hooks=[]), "hook registrations"),
    ],
)
def test_cc_packs_entries_may_not(settings: Path, change, named):
    data = json.loads(json.dumps(SETTINGS))
    change(data)
    reason = write(settings, data)
    assert reason and named in reason and "cc-pack init" in reason


def test_an_edit_is_checked_on_its_result(settings: Path):
    text = settings.read_text()
    edit = {"old_string": '"model": "sonnet"', "new_string": '"model": "haiku"'}
    assert settingsguard.refusal(str(settings), "Edit", edit) is None
    prefix = SETTINGS["env"]["CLAUDE_CODE_SHELL_PREFIX"]
    edit = {"old_string": prefix, "new_string": "/bin/true"}
    assert "CLAUDE_CODE_SHELL_PREFIX" in settingsguard.refusal(str(settings), "Edit", edit)
    assert settings.read_text() == text  # deciding never writes


def test_invalid_json_is_refused(settings: Path):
    reason = write(settings, '{"hooks": ')
    assert reason and "not be valid JSON" in reason


def test_a_new_user_settings_file_may_be_created_without_disabling_hooks(tmp_path: Path):
    path = tmp_path / "new.json"
    assert write(path, {"model": "opus"}) is None
    assert "disableAllHooks" in write(path, {"disableAllHooks": True})
