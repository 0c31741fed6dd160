"""The silent traitors and their decoys, every signal recomputed (METRICS §7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company import Company
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.days import iso
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.truth.figures import figure
from keyaccount.data.demo.vocabulary import PRODUCT_LINES


def _shrink_signals(
    cust: Customers, facts: Facts, wallet: dict[str, Arr], surveys: dict[str, Arr], end: date
) -> dict[str, Arr]:
    """Silent-traitor signals for every customer with the METRICS §7 default thresholds."""
    n = cust.n
    r1, r0 = facts.revenue[:, 0] / 100, facts.revenue[:, 1] / 100
    o1, o0 = facts.orders[:, 0], facts.orders[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        revenue_change = np.where(r0 > 0, r1 / r0 - 1, np.nan)
        orders_change = np.where(o0 > 0, o1 / o0 - 1, np.nan)
        prior_share = facts.line_revenue[:, 1, :] / 100 / r0[:, None]
    dropped = (r0[:, None] > 0) & (prior_share >= 0.10) & (facts.line_revenue[:, 0, :] <= 0)
    spend = {}
    for year in (end.year, end.year - 1):
        w = np.full(n, np.nan)
        sel = wallet["year"] == year
        w[wallet["cust"][sel]] = wallet["spend_wan"][sel] * 1e4
        spend[year] = w
    with np.errstate(divide="ignore", invalid="ignore"):
        share_change = r1 / spend[end.year] - r0 / spend[end.year - 1]
    last = np.full(n, -1)
    order = np.lexsort((surveys["day"], surveys["cust"]))
    cust_sorted = surveys["cust"][order]
    is_last = np.r_[cust_sorted[1:] != cust_sorted[:-1], True]
    last[cust_sorted[is_last]] = order[is_last]
    has_survey = last >= 0
    score = np.where(has_survey, surveys["score"][last], -1)
    nps = np.where(has_survey, surveys["nps"][last], False)
    satisfied = has_survey & np.where(nps, score >= 9, score >= 4)
    signals = {  # keys as _SIGNALS
        "revenue": np.nan_to_num(revenue_change, nan=0.0) <= -0.15,
        "orders": np.nan_to_num(orders_change, nan=0.0) <= -0.30,
        "product_line": dropped.any(axis=1),
        "wallet": np.nan_to_num(share_change, nan=0.0) <= -0.05,
    }
    shrinking = np.zeros(n, dtype=bool)
    for fired in signals.values():
        shrinking |= fired
    return {
        "revenue_change": revenue_change,
        "orders_change": orders_change,
        "dropped": dropped,
        "prior_share": prior_share,
        "share_change": share_change,
        "satisfied": satisfied,
        "score": score,
        "nps": nps,
        "last": last,
        "shrinking": shrinking & (r0 > 0),
        **{f"signal_{k}": v for k, v in signals.items()},
    }


_SIGNALS = ("revenue", "orders", "product_line", "wallet")


def truth_shrinkers(
    co: Company, shrinkers: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The silent traitors and their decoys, with every signal recomputed."""
    cid, surveys = co.cust.id, co.surveys
    sig = _shrink_signals(co.cust, co.facts, co.wallet, surveys, co.end)

    def detail(c: int) -> dict[str, Any]:
        last = int(sig["last"][c])
        dropped = [PRODUCT_LINES[p] for p in np.flatnonzero(sig["dropped"][c])]
        return {
            "signals": [k for k in _SIGNALS if sig[f"signal_{k}"][c]],
            "revenue_change": figure(sig["revenue_change"][c]),
            "orders_change": figure(sig["orders_change"][c]),
            "dropped_lines": dropped,
            "dropped_prior_share": figure(float(sig["prior_share"][c][sig["dropped"][c]].sum()))
            if dropped
            else None,
            "wallet_share_change": figure(sig["share_change"][c]),
            "latest_survey": {
                "date": iso(surveys["day"][last]),
                "score": int(surveys["score"][last]),
                "scale": "nps10" if surveys["nps"][last] else "csat5",
            }
            if last >= 0
            else None,
        }

    traitors = [s for s in shrinkers if s["recipe"].group == "silent_traitor"]
    decoys = [s for s in shrinkers if s["recipe"].group != "silent_traitor"]
    satisfied_prior = sig["satisfied"] & (co.facts.revenue[:, 1] > 0)
    silent_traitors = {
        "customers": [cid(s["customer"]) for s in traitors],
        "planted_signals": {cid(s["customer"]): list(s["recipe"].signals) for s in traitors},
        "details": {cid(s["customer"]): detail(s["customer"]) for s in traitors},
        "detected": [cid(c) for c in np.flatnonzero(sig["satisfied"] & sig["shrinking"])],
        "satisfied_shrinking_share": figure(
            (satisfied_prior & sig["shrinking"]).sum() / max(int(satisfied_prior.sum()), 1)
        ),
    }
    traitor_decoys: dict[str, Any] = {}
    for s in decoys:
        traitor_decoys.setdefault(s["recipe"].group, []).append(cid(s["customer"]))
    traitor_decoys["details"] = {cid(s["customer"]): detail(s["customer"]) for s in decoys}
    return silent_traitors, traitor_decoys
