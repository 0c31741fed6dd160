"""Invoice lines expanded from the segments: seasonal dates, products, values and costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.days import Calendar, sample_days, ymd
from keyaccount.data.demo.segments import Segments
from keyaccount.data.demo.vocabulary import (
    COMMERCIAL,
    FREE,
    GROSS_MARGIN,
    LINE_PRICE,
    PILOT,
    POC,
    SAMPLE,
)


@dataclass
class Lines:
    """Invoice lines before they are numbered and rounded (amounts in yuan as ``base``)."""

    cust: Arr
    day: Arr
    inv: Arr  # invoice index, lines of one invoice contiguous
    line_no: Arr
    product: Arr
    deal: Arr
    base: Arr  # amount, or cost for free deals
    cost_ratio: Arr
    rebate_rate: Arr
    project: Arr  # project key, -1
    unit: Arr  # account unit index, -1
    origin: Arr  # 0 segment, 1 subscription, 2 credit note

    def __len__(self) -> int:
        return len(self.cust)


def concat_lines(parts: Sequence[Lines]) -> Lines:
    """Join invoice lines, numbering each part's invoices after the previous part's."""
    offset, invs = 0, []
    for part in parts:
        invs.append(part.inv + offset)
        offset += int(part.inv.max()) + 1 if len(part) else 0
    joined = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Lines)}
    joined["inv"] = np.concatenate(invs)
    return Lines(**joined)


def _draw_products(rng: np.random.Generator, mix: Arr, cust: Arr) -> Arr:
    cum = np.cumsum(mix, axis=1)
    u = rng.random(len(cust))
    product = np.zeros(len(cust), dtype=np.int64)
    for k in range(mix.shape[1] - 1):
        product += u > cum[cust, k]
    return product


def lines_from_segments(
    rng: np.random.Generator, segs: Segments, cust: Customers, cal: Calendar
) -> Lines:
    """Expand segments into invoices (seasonal dates) and lines (products, values, costs)."""
    s = segs.arrays()
    n_seg = len(s["cust"])
    inv_seg = np.repeat(np.arange(n_seg), s["n"])
    n_inv = len(inv_seg)
    inv_day = sample_days(rng, cal, s["d0"][inv_seg], s["d1"][inv_seg])
    n_lines = np.where(s["single"][inv_seg], 1, 1 + np.minimum(rng.poisson(0.8, n_inv), 5))
    inv = np.repeat(np.arange(n_inv), n_lines)
    n_all = len(inv)
    line_no = np.arange(n_all) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    seg = inv_seg[inv]
    c = s["cust"][seg]
    product = s["product"][seg].copy()
    drawn = product < 0
    product[drawn] = _draw_products(rng, cust.mix, c[drawn])

    weight = rng.gamma(2.0, 0.5, n_all) * LINE_PRICE[product]
    years = (inv_day - s["d0"][inv_seg]) / 365.25
    inv_value = (
        s["value"][inv_seg] * rng.lognormal(0, 0.45, n_inv) * (1 + s["trend"][inv_seg]) ** years
    )
    base = inv_value[inv] * weight / np.bincount(inv, weight, minlength=n_inv)[inv]
    targeted = ~np.isnan(s["target"])
    totals = np.bincount(seg, base, minlength=n_seg)
    factor = np.ones(n_seg)
    factor[targeted] = s["target"][targeted] / totals[targeted]
    base *= factor[seg]

    deal = s["deal"][seg]
    margin = GROSS_MARGIN[product] + rng.normal(0, 0.03, n_all)
    override = cust.gross_margin[c]
    margin = np.where(np.isnan(override), margin, override + rng.normal(0, 0.012, n_all))
    cost_ratio = np.select(
        [deal == SAMPLE, deal == POC, deal == PILOT, deal == FREE],
        [1.3, 0.85, 0.8, 1.0],
        np.clip(1 - margin, 0.2, 1.1),
    )
    rebate_rate = np.where(deal == COMMERCIAL, cust.rebate[c], 0.0)

    # Projects: per customer and year a few slots; many slots stay small (small-deal projects).
    inv_cust = s["cust"][inv_seg]
    year, _, _ = ymd(inv_day)
    has = rng.random(n_inv) < cust.project_rate[inv_cust]
    slot = (rng.random(n_inv) * cust.project_slots[inv_cust]).astype(np.int64)
    key = (inv_cust * 64 + (year - 2000)) * 8 + slot
    key = np.where(
        s["deal"][inv_seg] == COMMERCIAL, np.where(has, key, -1), (inv_cust * 64 + 63) * 8
    )
    return Lines(
        cust=c,
        day=inv_day[inv],
        inv=inv,
        line_no=line_no,
        product=product,
        deal=deal,
        base=base,
        cost_ratio=cost_ratio,
        rebate_rate=rebate_rate,
        project=key[inv],
        unit=np.full(n_all, -1, dtype=np.int64),
        origin=np.zeros(n_all, dtype=np.int64),
    )
