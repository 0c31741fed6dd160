"""The realistic background: the customers' buying, subscriptions and credit notes."""

from __future__ import annotations

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_BACKGROUND, Customers
from keyaccount.data.demo.days import Calendar, add_months_days, month_index
from keyaccount.data.demo.lines import Lines
from keyaccount.data.demo.segments import Segments
from keyaccount.data.demo.vocabulary import (
    COMMERCIAL,
    FREE,
    GROSS_MARGIN,
    MAINTENANCE,
    PILOT,
    SAMPLE,
    SOFTWARE,
)


def background_segments(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments
) -> None:
    """Add the realistic background's invoice segments.

    Repeat buyers growing or shrinking, one-off buyers, churn, pauses of over a year followed
    by a return (reactivation, METRICS §5), and samples or trials before a new customer's
    first order (METRICS §8).
    """
    idx = np.flatnonzero(cust.role == ROLE_BACKGROUND)
    af, last, gap = cust.active_from[idx], cust.last_day[idx], cust.gap[idx]
    value = cust.size[idx] / cust.freq[idx]
    has_gap = gap[:, 0] >= 0
    stop1 = np.where(has_gap, gap[:, 0] - 1, last)

    def count(lo: Arr, hi: Arr) -> Arr:
        years = (hi - lo + 1) / 365.25
        return np.maximum(1, rng.poisson(cust.freq[idx] * years))

    one = cust.one_time[idx]
    segs.add(idx, af, stop1, np.where(one, 1, count(af, stop1)), value, trend=cust.trend[idx])
    segs.add(
        idx[has_gap],
        gap[has_gap, 1],
        last[has_gap],
        count(gap[:, 1], last)[has_gap],
        value[has_gap] * 1.1,
        trend=cust.trend[idx][has_gap],
    )
    tried = ~cust.legacy[idx] & (rng.random(len(idx)) < 0.25) & (af - 20 >= cal.start)
    deal = rng.choice([SAMPLE, PILOT, FREE], size=len(idx), p=[0.5, 0.3, 0.2])
    segs.add(
        idx[tried],
        np.maximum(cal.start, af - 150)[tried],
        (af - 20)[tried],
        rng.integers(1, 3, len(idx))[tried],
        np.clip(cust.size[idx] * 0.02, 2000, 30000)[tried],
        deal=deal[tried],
        single=True,
    )


def draw_subscriptions(
    rng: np.random.Generator, cust: Customers, cal: Calendar
) -> tuple[dict[str, Arr], Lines]:
    """Draw subscription contracts on 工业软件 / 维保服务 for about 8% of customers.

    They are billed quarterly in advance on the invoices and often renewed (MRR / ARR and the
    MRR bridge, METRICS §5).
    """
    soft = np.maximum(cust.mix[:, SOFTWARE], cust.mix[:, MAINTENANCE])
    eligible = (
        (cust.role == ROLE_BACKGROUND)
        & ~cust.one_time
        & (cust.last_day - cust.active_from >= 365)
        & (soft >= 0.12)
    )
    rate = 0.08 / max(float(eligible.mean()), 1e-9)
    idx = np.flatnonzero(eligible & (rng.random(cust.n) < rate))
    k = len(idx)
    product = np.where(cust.mix[idx, SOFTWARE] >= cust.mix[idx, MAINTENANCE], SOFTWARE, MAINTENANCE)
    mrr = np.round(np.clip(cust.size[idx] * rng.uniform(0.04, 0.12, k) / 12, 1500, 80000), -2)
    start = cust.active_from[idx] + rng.integers(0, 180, k)
    last = cust.last_day[idx]

    def ends(begin: Arr, months: Arr, last: Arr) -> Arr:
        """Contract end: empty while running at the as-of date, cut short by churn."""
        stop = add_months_days(begin, months) - 1
        running = (stop >= cal.end) & (last >= cal.end)
        return np.where(running, -1, np.minimum(stop, last))

    end = ends(start, rng.choice([12, 24, 36], size=k), last)
    renew = (end >= 0) & (end < last - 30) & (rng.random(k) < 0.6)
    start2 = end[renew] + 1
    end2 = ends(start2, rng.choice([12, 24], size=int(renew.sum())), last[renew])
    subs = {
        "cust": np.concatenate([idx, idx[renew]]),
        "start": np.concatenate([start, start2]),
        "end": np.concatenate([end, end2]),
        "mrr": np.concatenate([mrr, np.round(mrr[renew] * 1.08, -2)]),
        "product": np.concatenate([product, product[renew]]),
    }
    stop = np.where(subs["end"] >= 0, subs["end"], cal.end)
    months = month_index(stop) - month_index(subs["start"])
    bills = months // 3 + 1
    row = np.repeat(np.arange(len(bills)), bills)
    quarter = np.arange(len(row)) - np.repeat(np.cumsum(bills) - bills, bills)
    day = add_months_days(subs["start"][row], 3 * quarter)
    keep = day <= stop[row]
    row, day = row[keep], day[keep]
    n = len(row)
    prod = subs["product"][row]
    lines = Lines(
        cust=subs["cust"][row],
        day=day,
        inv=np.arange(n),
        line_no=np.ones(n, dtype=np.int64),
        product=prod,
        deal=np.full(n, COMMERCIAL),
        base=3 * subs["mrr"][row],
        cost_ratio=1 - GROSS_MARGIN[prod] + rng.normal(0, 0.02, n),
        rebate_rate=np.zeros(n),
        project=np.full(n, -1, dtype=np.int64),
        unit=np.full(n, -1, dtype=np.int64),
        origin=np.ones(n, dtype=np.int64),
    )
    order = np.lexsort((subs["start"], subs["cust"]))
    return {key: v[order] for key, v in subs.items()}, lines


def draw_credit_notes(
    rng: np.random.Generator, lines: Lines, cust: Customers, cal: Calendar
) -> Lines:
    """Draw credit notes (red invoices, negative amounts).

    Returns and price corrections on about 0.6% of background lines, 5-60 days after the
    original.
    """
    ok = (
        (lines.deal == COMMERCIAL)
        & (lines.origin == 0)
        & (lines.day <= cal.end - 5)
        & (cust.role[lines.cust] == ROLE_BACKGROUND)
    )
    pick = np.flatnonzero(ok & (rng.random(len(lines)) < 0.006))
    k = len(pick)
    frac = np.where(rng.random(k) < 0.5, 1.0, rng.uniform(0.1, 0.6, k))
    return Lines(
        cust=lines.cust[pick],
        day=np.minimum(lines.day[pick] + rng.integers(5, 61, k), cal.end),
        inv=np.arange(k),
        line_no=np.ones(k, dtype=np.int64),
        product=lines.product[pick],
        deal=np.full(k, COMMERCIAL),
        base=-lines.base[pick] * frac,
        cost_ratio=lines.cost_ratio[pick],
        rebate_rate=np.zeros(k),
        project=lines.project[pick],
        unit=np.full(k, -1, dtype=np.int64),
        origin=np.full(k, 2, dtype=np.int64),
    )
