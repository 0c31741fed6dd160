"""Value black holes: large customers with a true margin far below zero (METRICS §3)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_BLACK_HOLE, Customers, make_steady, set_industry
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.industries import ELECTRONICS, MACHINERY, NEW_ENERGY
from keyaccount.data.demo.segments import Segments, steady_segments

BLACK_HOLE_SHARES = (0.035, 0.030, 0.025)


def plant_black_holes(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> dict[str, Any]:
    """Plant value black holes (METRICS §3).

    Top-decile customers (sized to BLACK_HOLE_SHARES of TTM revenue by ``scale_to_shares``)
    with a 5-10% gross margin against the company's ~33%, 180-day terms paid after 150-180
    days, rebates, and a dedicated service team and custom R&D tagged to them in the costs:
    a true margin far below zero.
    """
    cust.role[idx] = ROLE_BLACK_HOLE
    for i, industry in zip(idx, (NEW_ENERGY, ELECTRONICS, MACHINERY), strict=False):
        set_industry(rng, cust, np.array([i]), industry)
    make_steady(cust, cal, idx, cal.start - rng.integers(400, 2500, len(idx)))
    cust.mix[idx] = [0.10, 0.35, 0.05, 0.10, 0.40]
    cust.gross_margin[idx] = rng.uniform(0.06, 0.09, len(idx))
    cust.terms[idx], cust.slow_pay[idx], cust.rebate[idx] = 180, True, 0.03
    cust.strategic[idx] = True
    for c in idx:
        steady_segments(segs, cal, int(c), cal.start, 2e6, 70, 0.03)
    return {"customers": [int(i) for i in idx]}
