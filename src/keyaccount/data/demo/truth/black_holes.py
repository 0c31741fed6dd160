"""The black holes' true margins and the customers that meet the definition (METRICS §3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import Calendar, month_start
from keyaccount.data.demo.ledger import Ledger
from keyaccount.data.demo.truth.figures import figure, share
from keyaccount.data.demo.vocabulary import (
    COMMERCIAL,
    CUSTOM_RND,
    OTHER,
    REBATE,
    RETENTION,
    SERVICE_TEAM,
    SUPPORT,
)

CAPITAL_RATE = 0.06  # METRICS.md section 3 default, used to recompute true margins in the truth


@dataclass(frozen=True)
class _Margins:
    """TTM profitability per customer (METRICS §3) and for the company."""

    revenue: Arr
    gross_margin: Arr
    true_margin: Arr
    positive: Arr
    company_gross_margin: float
    company_true_margin: float


def _true_margins(ledger: Ledger, costs: dict[str, Arr], cal: Calendar, n: int) -> _Margins:
    """Compute the TTM contribution per customer as METRICS §3 defines it.

    Defaults: pooled costs allocated by revenue share, 6% capital rate.
    """
    lo, hi = cal.ttm
    sel = (ledger.deal == COMMERCIAL) & (ledger.day >= lo) & (ledger.day <= hi)
    c = ledger.cust[sel]
    revenue = np.bincount(c, ledger.amount[sel], minlength=n) / 100
    cogs = np.bincount(c, ledger.cost[sel], minlength=n) / 100
    rebates = np.bincount(c, ledger.rebate[sel], minlength=n) / 100
    paid = ledger.inv_paid[ledger.invoice[sel]]
    days = np.where(paid >= 0, paid - ledger.day[sel], ledger.inv_terms[ledger.invoice[sel]])
    financing = np.bincount(c, ledger.amount[sel] / 100 * days / 365 * CAPITAL_RATE, minlength=n)
    month_first = month_start(costs["month"])
    in_ttm = (month_first >= lo) & (month_first <= hi)
    serve = in_ttm & np.isin(
        costs["category"], (SERVICE_TEAM, CUSTOM_RND, SUPPORT, RETENTION, OTHER)
    )
    tagged = serve & (costs["cust"] >= 0)
    cost_to_serve = np.bincount(costs["cust"][tagged], costs["yuan"][tagged], minlength=n)
    positive = revenue > 0
    weight = np.where(positive, revenue, 0) / revenue[positive].sum()
    cost_to_serve = cost_to_serve + weight * costs["yuan"][serve & (costs["cust"] < 0)].sum()
    pooled_rebate = in_ttm & (costs["category"] == REBATE) & (costs["cust"] < 0)
    rebates = rebates + weight * costs["yuan"][pooled_rebate].sum()
    contribution = revenue - cogs - rebates - cost_to_serve - financing
    with np.errstate(divide="ignore", invalid="ignore"):
        true_margin = np.where(positive, contribution / revenue, np.nan)
        gross_margin = np.where(positive, (revenue - cogs) / revenue, np.nan)
    total = revenue[positive].sum()
    return _Margins(
        revenue,
        gross_margin,
        true_margin,
        positive,
        float((revenue - cogs)[positive].sum() / total),
        float(contribution[positive].sum() / total),
    )


def truth_black_holes(co: Company, holes: Sequence[int]) -> dict[str, Any]:
    """The black holes' figures, and every top-decile customer below the margin bar."""
    n, cid = co.cust.n, co.cust.id
    tm = _true_margins(co.ledger, co.costs, co.cal, n)
    ranked = np.argsort(-np.where(tm.positive, tm.revenue, -np.inf), kind="stable")
    decile = math.ceil(0.1 * int(tm.positive.sum()))
    top_decile = np.zeros(n, dtype=bool)
    top_decile[ranked[:decile]] = True
    detected = top_decile & ((tm.true_margin < 0.5 * tm.company_true_margin) | (tm.true_margin < 0))
    paid_days = _mean_days_to_pay(co.ledger, n)
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[ranked] = np.arange(1, n + 1)
    total = tm.revenue[tm.positive].sum()
    return {
        "customers": [cid(c) for c in holes],
        "details": {
            cid(c): {
                "revenue_rank": int(rank_of[c]),
                "ttm_revenue": round(float(tm.revenue[c]), 2),
                "share": share(tm.revenue[c] / total),
                "gross_margin": figure(tm.gross_margin[c]),
                "true_margin": figure(tm.true_margin[c]),
                "mean_days_to_pay": figure(paid_days[c]),
                "tagged_cost_to_serve_ttm": int(_tagged(co.costs, co.cal, c)),
            }
            for c in holes
        },
        "company_gross_margin": figure(tm.company_gross_margin),
        "company_true_margin": figure(tm.company_true_margin),
        "top_decile_size": decile,
        "detected": [cid(c) for c in np.flatnonzero(detected)],
    }


def _tagged(costs: dict[str, Arr], cal: Calendar, c: int) -> float:
    month_first = month_start(costs["month"])
    sel = (costs["cust"] == c) & (month_first >= cal.ttm[0]) & (month_first <= cal.ttm[1])
    return float(costs["yuan"][sel].sum())


def _mean_days_to_pay(ledger: Ledger, n: int) -> Arr:
    paid = ledger.inv_paid >= 0
    days = (ledger.inv_paid - ledger.inv_day)[paid]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.bincount(ledger.inv_cust[paid], days, minlength=n) / np.bincount(
            ledger.inv_cust[paid], minlength=n
        )
