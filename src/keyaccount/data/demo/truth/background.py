"""The background's figures: cohorts, churn, reactivation, CAC and win rates."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import month_start, ymd
from keyaccount.data.demo.truth.figures import share
from keyaccount.data.demo.vocabulary import ACQUISITION


def background_truth(co: Company) -> dict[str, Any]:
    """Cohorts, churn, reactivation, pauses, CAC by year and win rates."""
    cust, facts, costs, opps = co.cust, co.facts, co.costs, co.opps
    first_year, _, _ = ymd(cust.first_day)
    new = ~cust.legacy
    cohorts = {str(y): int(((first_year == y) & new).sum()) for y in np.unique(first_year[new])}
    active = facts.revenue > 0
    churned = active[:, 1] & ~active[:, 0]
    reactivated = (~active[:, 1]) & active[:, 0] & active[:, 2:].any(axis=1)
    acq = costs["category"] == ACQUISITION
    spend_year, _, _ = ymd(month_start(costs["month"][acq]))
    cac = {}
    for y in np.unique(spend_year):
        count = int(((first_year == y) & new).sum())
        if count:
            cac[str(y)] = round(float(costs["yuan"][acq][spend_year == y].sum()) / count, 2)
    closed = opps["won"] >= 0
    label = cust.industry_label[opps["cust"]]
    win_rate = {}
    for name in sorted({str(x) for x in label[closed] if x is not None}):
        sel = closed & (label == name)
        win_rate[name] = share(opps["won"][sel].mean())
    return {
        "cohorts_by_first_year": cohorts,
        "legacy_customers": int(cust.legacy.sum()),
        "active_ttm": int(active[:, 0].sum()),
        "churned_in_ttm": int(churned.sum()),
        "reactivated_in_ttm": int(reactivated.sum()),
        "customers_with_a_pause": int((cust.gap[:, 0] >= 0).sum()),
        "cac_by_year": cac,
        "win_rate_by_industry": win_rate,
        "win_rate_overall": share(opps["won"][closed].mean()),
        "subscription_customers": len(np.unique(co.subs["cust"])),
        "credit_notes": int((co.ledger.amount < 0).sum()),
        "projects": len(co.ledger.project_labels),
    }
