"""What a run spent: the tokens of ``cc_pack_hooks.usage`` priced with the config's table, the
``usage`` section of report.json, and the budget's end of a run (FAIL, reason ``budget``).

A cost is an estimate: list prices per million tokens (``pricing`` in the config, dated), times
the tokens the transcripts show. Compaction calls are in no transcript, so they are not counted.
"""

from __future__ import annotations

import time

from cc_pack_hooks import roles, usage

EXCLUDES = "compaction calls: Claude Code writes them to no transcript"
BUDGET_KEYS = ("run_tokens", "agent_tokens", "warn_at", "used", "exhausted")


def price_for(model: str, table: dict) -> tuple[str, dict] | None:
    """(table key, prices) for a model id: the longest key the id starts with, else the
    longest alias the id contains."""
    name = model.lower()
    prefixes = [k for k in table if name.startswith(k.lower())]
    if prefixes:
        key = max(prefixes, key=len)
        return key, table[key]
    aliases = [k for k in table if k.lower() in name]
    if aliases:
        key = max(aliases, key=len)
        return key, table[key]
    return None


def cost(state: dict) -> dict:
    """Estimated US dollars, in all and per model; the models without a price are named."""
    pricing = roles.setting(state.get("config"), "pricing")
    table = pricing.get("models") if isinstance(pricing.get("models"), dict) else {}
    per_model: dict[str, float] = {}
    unpriced: list[str] = []
    for model, counts in usage.by(state, "model").items():
        found = price_for(model, table)
        if found is None:
            unpriced.append(model)
            continue
        prices = found[1]
        per_model[model] = sum(counts[f] * float(prices.get(f) or 0) for f in usage.FIELDS) / 1e6
    return {
        "usd": round(sum(per_model.values()), 6),
        "by_model": {k: round(v, 6) for k, v in per_model.items()},
        "unpriced": unpriced,
        "prices_as_of": pricing.get("as_of"),
    }


def section(state: dict) -> dict:
    """report.json's ``usage``: totals by phase, agent type, agent and model, the cost, the
    budget, and what the figures leave out."""
    info = usage.status(state)
    return {
        "total": usage.total(state),
        "by_phase": usage.by(state, "phase"),
        "by_agent_type": usage.by(state, "type"),
        "by_agent": usage.by(state, "agent"),
        "by_model": usage.by(state, "model"),
        "cost": cost(state),
        "budget": {k: info[k] for k in BUDGET_KEYS},
        "excludes": EXCLUDES,
    }


def line(state: dict) -> str:
    """``run status``'s running total."""
    total = usage.total(state)
    spent = cost(state)
    text = (
        f"usage: {total['tokens']:,} tokens (input {total['input']:,}, output "
        f"{total['output']:,}, cache read {total['cache_read']:,}, cache write "
        f"{total['cache_write']:,}); estimated ${spent['usd']:.4f}"
    )
    info = usage.status(state)
    if info["run_tokens"] or info["agent_tokens"]:
        text += f"; budget: {usage.describe(info)}"
        if info["exhausted"]:
            text += " — spent: `cc-pack run advance` ends the run FAIL (budget)"
    return text


# --- the CLI's tally ------------------------------------------------------------------------------


def after_change(state: dict, before: str) -> None:
    """Inside the update that moved the run: mark the phase it entered (and when it ended), so
    that each message is counted in the phase it was written in."""
    from cc_pack_hooks import store

    if state["phase"] != before or store.is_final(state):
        usage.mark(state, state["phase"], time.time(), final=store.is_final(state))


def tally(run) -> str | None:
    """Read the transcripts into the saved state (``run advance``); the budget warning, once,
    when the run just passed ``budget.warn_at``."""
    from cc_pack import state as runstate

    said: list[str] = []

    def change(state: dict) -> None:
        usage.collect(state)
        info = usage.status(state)
        if info["warn"] and not info["warned"]:
            usage.of(state)["warned"] = True
            said.append(usage.warning(info))

    runstate.update(run, change)
    return said[0] if said else None


def budget_gate(run):
    """Past a limit: the run ends FAIL (reason budget) with the partial report, whatever its
    phase. None while the budget holds (or the run has none)."""
    from cc_pack import phases
    from cc_pack_hooks import store

    if store.is_final(run.state):
        return None
    info = usage.status(run.state)
    if not info["exhausted"]:
        return None
    spent = usage.describe(info)
    by_phase = ", ".join(f"{p} {c['tokens']:,}" for p, c in usage.by(run.state, "phase").items())
    message = f"token budget spent: {spent}"

    def fail(state: dict) -> None:
        state["status"] = "FAIL"
        state["blockers"] = [
            {
                "severity": "HIGH",
                "source": "budget",
                "file": None,
                "line": None,
                "message": message,
                "evidence": f"tokens by phase: {by_phase or 'none'} (read from the run's "
                "transcripts; the work done so far stays in the report)",
            }
        ]
        phases.add_failure(
            state,
            **{"class": "budget", "message": message, "used": info["used"],
               "run_tokens": info["run_tokens"], "agent_tokens": info["agent_tokens"],
               "agents_over": info["agents_over"]},
        )  # fmt: skip

    return phases.Step(
        to="report",
        change=phases._move(run, "report", fail, reason="budget"),
        message=f"{message}: the run FAILED (reason budget); report.md is the partial report",
    )
