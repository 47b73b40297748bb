"""Running one plan step's validation command the way cc-pack trusts: an argument vector (no
shell), a timeout, inside the run's sandbox when it has one, the output in the run dir's
``steps/<id>.log``. The implement gate runs it for every step; the return check reruns the ones
an implementer claims pass. Stdlib only: the SubagentStop hook imports it.
"""

from __future__ import annotations

import os
import time

from cc_pack_hooks import sandbox


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def run(
    project: str,
    run_dir: str,
    step_id: str,
    command: str,
    timeout: float,
    confine: tuple[str, list[str]] | None,
    cwd: str | None = None,
) -> dict:
    """The validation record ``{command, exit_code, log, at}``: ``exit_code`` None on timeout.
    ``confine`` is (run id, scope.test_outputs) for a sandboxed run; ``cwd`` another tree of
    the project to run in (a step's own tree, a wave's merge), which is then what the sandbox
    lets it write test outputs in."""
    log = os.path.join(run_dir, "steps", f"{step_id}.log")
    rel = os.path.relpath(log, project)
    os.makedirs(os.path.dirname(log), exist_ok=True)

    def record(code: int | None) -> dict:
        return {"command": command, "exit_code": code, "log": rel, "at": _now()}

    # imported here, when a validation really runs: shlex (with re) and subprocess cost the
    # SubagentStop hook about 20 ms on every reviewer's stop otherwise
    import shlex
    import subprocess

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        with open(log, "w", encoding="utf-8") as out:
            out.write(f"$ {command}\ncc-pack: not a command line: {exc}\n")
        return record(2)
    if not argv:
        with open(log, "w", encoding="utf-8") as out:
            out.write("cc-pack: the step has no validation command\n")
        return record(2)
    where = cwd or project
    confined = (
        sandbox.Confined(project, argv, confine[1], confine[0], cwd=where) if confine else None
    )
    started = time.monotonic()
    with open(log, "wb") as out:
        out.write(f"$ {command}\n".encode())
        out.flush()
        try:
            done = subprocess.run(
                confined.argv if confined else argv,
                cwd=where,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
            code: int | None = done.returncode
        except FileNotFoundError:
            out.write(f"cc-pack: {argv[0]!r} is not installed or not on PATH\n".encode())
            code = 127
        except subprocess.TimeoutExpired:
            out.write(f"cc-pack: timed out after {timeout:g}s (plan.validation_timeout)\n".encode())
            code = None
        if confined is not None:
            for note in confined.finish():
                out.write(f"cc-pack sandbox: {note}\n".encode())
        out.write(f"cc-pack: exit {code} after {time.monotonic() - started:.1f}s\n".encode())
    return record(code)
