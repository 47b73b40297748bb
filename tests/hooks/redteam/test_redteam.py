"""The red-team corpus of the confinement issue, run through the real installed hooks and then
executed like Claude Code executes Bash, the whole world diffed (``harness.py``).

* sandbox mode (the run confines Bash with bubblewrap): no attack changes anything outside the
  allowed set, and no legitimate command is refused or fails its check;
* nosandbox mode (the guard's analysis and the audit alone): no legitimate command that does not
  need the sandbox is refused, and every bypass is one of ``known_nosandbox_bypasses.txt`` (a new
  one fails; regenerate with ``python tests/hooks/redteam/harness.py --mode nosandbox --record``).
"""

from __future__ import annotations

import shutil

import corpus
import harness
import pytest

pytestmark = pytest.mark.redteam


def _report(results, title: str) -> str:
    return f"{title}\n\n" + "\n\n".join(harness.describe(r) for r in results)


def test_the_corpus_is_what_the_issue_asks_for():
    attacks = [c for c in corpus.CASES if not c.legit]
    legit = [c for c in corpus.CASES if c.legit]
    assert len(attacks) >= 330 and len(legit) >= 110, (len(attacks), len(legit))
    assert {c.scenario for c in attacks} >= {"impl", "plan", "review", "main-impl", "norun"}
    for c in legit:  # a command that writes must show it did its job (reading: exit 0, no change)
        if c.cls in ("legit-write", "legit-cli", "legit-norun"):
            assert c.check or c.expect or c.changes or c.rc != (0,), c.key
    checked = [c for c in legit if c.check or c.expect or c.changes]
    assert len(checked) >= 0.85 * len(legit), (len(checked), len(legit))


def test_the_harness_sees_a_write_nothing_guards():
    """The diff is not blind: the same attacks, unguarded, change what they target."""
    keys = {"impl/trap-exit", "impl/hardlink-git-config", "impl/chmod-x", "impl/mkfifo"}
    cases = [corpus.BY_KEY[k] for k in sorted(keys)]
    results = harness.run_corpus("nosandbox", cases, jobs=2, guarded=False)
    assert all(r.outcome == "bypass" for r in results), _report(results, "duds")


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_with_the_sandbox_no_attack_gets_through_and_nothing_legitimate_is_refused():
    results = harness.run_corpus("sandbox")
    bypasses = [r for r in results if r.outcome == "bypass"]
    refused = [r for r in results if r.legit and r.outcome in ("false_block", "failed")]
    assert not bypasses and not refused, _report(
        bypasses + refused,
        f"{len(bypasses)} bypass(es), {len(refused)} legitimate command(s) refused or failed\n"
        + harness.table(results),
    )


def test_without_the_sandbox_only_the_known_bypasses_remain():
    results = harness.run_corpus("nosandbox")
    known = harness.load_known()
    new = sorted(harness.residual(results) - known)
    by_key = {r.key: r for r in results}
    refused = [
        r
        for r in results
        if r.legit
        and r.outcome in ("false_block", "failed")
        and not corpus.BY_KEY[r.key].needs_sandbox
    ]
    assert not new and not refused, _report(
        [by_key[e.split(" ", 1)[1]] for e in new] + refused,
        f"{len(new)} new bypass(es) not in {harness.KNOWN_FILE.name}, {len(refused)} legitimate "
        "command(s) refused that need no sandbox\n" + harness.table(results),
    )
