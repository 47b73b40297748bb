"""The queue's files under contention: eight real processes claiming at once take every pending
task exactly once (the lock is what makes it so)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cc_pack import taskqueue as tq

CLAIMER = """
import os, sys, time
from pathlib import Path
from cc_pack import taskqueue as tq
root, go = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
while (task := tq.claim(root, os.getpid())) is not None:
    print(task["id"], flush=True)
"""


def test_eight_claimers_take_each_task_exactly_once(tmp_path: Path):
    root = tmp_path / "repo"
    (root / ".claude").mkdir(parents=True)
    for k in range(120):
        tq.add(root, f"task {k}", ["src/**"], None, None)
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(root), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    time.sleep(1.0)  # every interpreter is up and waiting
    go.touch()
    claimed = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        claimed += out.split()
    assert sorted(claimed) == sorted(f"t{k}" for k in range(1, 121))  # each once, none lost
    tasks = tq.all_tasks(root)
    assert {t["status"] for t in tasks} == {"active"}
    assert len({t["worker"] for t in tasks}) > 1
