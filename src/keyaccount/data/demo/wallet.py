"""The wallet: each covered customer's category spend per year, in 万元."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_BACKGROUND, Customers
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.facts import Facts


def draw_wallet(
    rng: np.random.Generator,
    cust: Customers,
    facts: Facts,
    cal: Calendar,
    shrinkers: Sequence[dict[str, Any]],
    special: Arr,
    end: date,
) -> dict[str, Arr]:
    """Estimate the category spend (wallet) per customer and year.

    The year is that of each twelve-month window's end. Planted shrinkers get exact wallet
    shares from their recipes; the other covered accounts keep a steady share (±2%), so only
    the planted wallet losers lose share.
    """
    size_rank = np.argsort(np.argsort(cust.size)) / max(cust.n - 1, 1)
    covered = np.zeros(cust.n, dtype=bool)
    covered[special] = True
    covered |= (cust.role == ROLE_BACKGROUND) & (size_rank >= 0.5) & (rng.random(cust.n) < 0.6)
    share = rng.uniform(0.2, 0.6, (cust.n, 1)) * rng.uniform(0.98, 1.02, (cust.n, len(cal.windows)))
    for s in shrinkers:
        prior, asof = s["recipe"].wallet
        share[s["customer"]] = prior
        share[s["customer"], 0] = asof
    spend = np.where(facts.revenue > 0, facts.revenue / 100 / share, 0.0)
    who, window = np.nonzero(covered[:, None] & (spend > 0))
    order = np.lexsort((-window, who))
    who, window = who[order], window[order]
    return {
        "cust": who,
        "year": end.year - window,
        "spend_wan": np.round(spend[who, window] / 1e4, 2),
    }
