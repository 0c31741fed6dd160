"""The monthly costs: pooled cost-to-serve, rebates and acquisition, and tagged costs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.days import Calendar, month_index, month_start, ymd
from keyaccount.data.demo.ledger import Ledger
from keyaccount.data.demo.vocabulary import (
    ACQUISITION,
    COMMERCIAL,
    CUSTOM_RND,
    POOLED_COST_RATES,
    REBATE,
    SERVICE_TEAM,
)


def draw_costs(
    rng: np.random.Generator,
    cust: Customers,
    ledger: Ledger,
    cal: Calendar,
    black_holes: Sequence[int],
) -> dict[str, Arr]:
    """Draw the monthly costs.

    Pooled cost-to-serve in proportion to revenue, half-yearly pooled rebates, pooled
    acquisition spend per new customer with a CAC rising ~18% a year (CAC inflation,
    METRICS §4), and the black holes' dedicated service team and custom R&D.
    """
    m0, m1 = int(month_index(np.array([cal.start]))[0]), int(month_index(np.array([cal.end]))[0])
    months = np.arange(m0, m1 + 1)
    com = ledger.deal == COMMERCIAL
    month_of = month_index(ledger.day[com]) - m0
    revenue = np.bincount(month_of, ledger.amount[com] / 100, minlength=len(months))
    parts: list[tuple[Arr, Arr, Arr, Arr]] = []

    def add(month: Arr, category: int, customer: Arr | int, amount: Arr) -> None:
        month = np.asarray(month)
        parts.append(
            (
                month,
                np.full(len(month), category),
                np.broadcast_to(np.asarray(customer), month.shape),
                np.asarray(amount),
            )
        )

    for category, rate in POOLED_COST_RATES.items():
        add(months, category, -1, revenue * rate * rng.uniform(0.85, 1.15, len(months)))
    _, month_no, _ = ymd(month_start(months))
    half = np.flatnonzero(np.isin(month_no, (6, 12)))
    window6 = np.convolve(revenue, np.ones(6))[: len(months)]
    add(months[half], REBATE, -1, 0.01 * window6[half])

    quarter = months // 3
    new = ~cust.legacy
    new_quarter = month_index(cust.first_day[new]) // 3
    q_all = np.unique(quarter)
    in_range = (new_quarter >= q_all[0]) & (new_quarter <= q_all[-1])
    new_count = np.bincount(new_quarter[in_range] - q_all[0], minlength=len(q_all))
    years_in = (month_start(q_all * 3) - cal.start) / 365.25
    cac = 38000 * 1.18 ** np.maximum(years_in, 0) * rng.uniform(0.92, 1.08, len(q_all))
    spend = np.maximum(new_count, 1) * cac
    weight = np.array([0.30, 0.33, 0.37])[months % 3] * rng.uniform(0.9, 1.1, len(months))
    q_weight = np.bincount(np.searchsorted(q_all, quarter), weight)
    add(
        months,
        ACQUISITION,
        -1,
        spend[np.searchsorted(q_all, quarter)] * weight / q_weight[np.searchsorted(q_all, quarter)],
    )
    for c in black_holes:
        mine = com & (ledger.cust == c)
        level = ledger.amount[mine].sum() / 100 / len(months)
        add(months, SERVICE_TEAM, c, 0.07 * level * rng.uniform(0.85, 1.15, len(months)))
        add(months, CUSTOM_RND, c, 0.05 * level * rng.uniform(0.7, 1.3, len(months)))
    rows = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    order = np.lexsort((rows[2], rows[1], rows[0]))
    return {
        "month": rows[0][order],
        "category": rows[1][order],
        "cust": rows[2][order].astype(np.int64),
        "yuan": np.rint(rows[3][order]).astype(np.int64),
        "as_date": rng.random(len(order)) < 0.3,
    }
