"""One version: ``cc_pack.__version__`` is what the wheel's metadata says (hatch reads it), what
``cc-pack --version`` prints, and, in semver spelling, what the plugin manifests carry."""

from __future__ import annotations

import json
import re
import tomllib

from cc_pack import __version__
from realproc import REPO, run_cli


def semver(version: str) -> str:
    """PEP 440 ``0.2.0.dev0`` / ``1.0.0rc1`` as semver ``0.2.0-dev.0`` / ``1.0.0-rc.1``."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:\.?(dev|a|b|rc)(\d+))?", version)
    assert match, version
    base, tag, number = match.groups()
    return base if tag is None else f"{base}-{tag}.{number}"


def test_the_package_metadata_reads_the_one_version_attribute():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    path = REPO / project["tool"]["hatch"]["version"]["path"]
    assert path.resolve() == (REPO / "tools/cc_pack/__init__.py").resolve()


def test_the_plugin_manifests_carry_the_same_version():
    plugin = json.loads((REPO / ".claude-plugin/plugin.json").read_text())
    market = json.loads((REPO / ".claude-plugin/marketplace.json").read_text())
    assert plugin["version"] == semver(__version__)
    assert [p["version"] for p in market["plugins"] if p["name"] == "cc-pack"] == [
        semver(__version__)
    ]


def test_version_flag_prints_it():
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"cc-pack, version {__version__}"


def test_the_license_file_is_the_declared_license():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")
    assert set(project["urls"]) >= {"Homepage", "Repository", "Issues", "Changelog"}
    assert f"## Unreleased ({__version__.split('.dev')[0]})" in (REPO / "CHANGELOG.md").read_text()


def test_short_version_flag_is_the_same():
    assert run_cli("-V").stdout == run_cli("--version").stdout


def test_shell_completion_as_documented():
    """README: `eval "$(_CC_PACK_COMPLETE=bash_source cc-pack)"`; click's completion then
    completes subcommand names from the lazy group."""
    script = run_cli(env={"_CC_PACK_COMPLETE": "bash_source"})
    assert script.returncode == 0 and "_cc_pack_completion()" in script.stdout, script.stderr
    words = run_cli(env={"_CC_PACK_COMPLETE": "bash_complete", "COMP_WORDS": "cc-pack r",
                         "COMP_CWORD": "1"})  # fmt: skip
    assert words.stdout.split() == ["plain,report", "plain,run"], words.stdout
    fish = run_cli(env={"_CC_PACK_COMPLETE": "fish_source"})
    assert "complete --no-files --command cc-pack" in fish.stdout
