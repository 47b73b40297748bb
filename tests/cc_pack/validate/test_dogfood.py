"""Dogfood: this repository's own agents, skills, hooks, plugin manifests and .claude/ validate
clean with cc-pack validate (its config included)."""

from __future__ import annotations

from validate_cases import REPO


def test_the_repository_validates_clean(cli):
    done = cli("validate", "--strict", str(REPO), cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("All checks passed"), done.stdout
