"""Invoice segments: how many invoices of a customer fall between two days, and of what deal."""

from __future__ import annotations

import math

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.vocabulary import COMMERCIAL


class Segments:
    """Invoice segments: ``n`` invoices of one customer between two days, of one deal type.

    ``value`` is the mean invoice value at ``d0`` (growing with ``trend`` per year); with a
    ``target`` the segment's lines are rescaled to add up to it exactly. ``product`` -1 draws
    each line from the customer's product mix.
    """

    FIELDS = ("cust", "d0", "d1", "n", "value", "target", "product", "deal", "trend", "single")
    _TYPES = (np.int64, np.int64, np.int64, np.int64, float, float, np.int64, np.int64, float, bool)

    def __init__(self) -> None:
        self._parts: list[dict[str, Arr]] = []

    def add(
        self,
        cust: Arr | int,
        d0: Arr | int,
        d1: Arr | int,
        n: Arr | int,
        value: Arr | float,
        *,
        target: Arr | float = math.nan,
        product: Arr | int = -1,
        deal: Arr | int = COMMERCIAL,
        trend: Arr | float = 0.0,
        single: bool = False,
    ) -> None:
        """Add segments (scalars broadcast); empty ones (d1 < d0 or n < 1) are dropped."""
        values = (cust, d0, d1, n, value, target, product, deal, trend, single)
        size = len(np.atleast_1d(cust))
        part = {
            f: np.broadcast_to(np.asarray(v), (size,)).astype(t)
            for f, v, t in zip(self.FIELDS, values, self._TYPES, strict=True)
        }
        keep = (part["d1"] >= part["d0"]) & (part["n"] > 0)
        self._parts.append({f: a[keep] for f, a in part.items()})

    def arrays(self) -> dict[str, Arr]:
        """All segments as arrays."""
        return {f: np.concatenate([p[f] for p in self._parts]) for f in self.FIELDS}


def steady_segments(
    segs: Segments,
    cal: Calendar,
    c: int,
    first: int,
    revenue: float,
    orders: float,
    growth: float,
) -> None:
    """Add one segment per twelve-month window with exact revenue and order count.

    Revenue grows ``growth`` a year, so a planted account never shrinks by accident.
    """
    for k, (lo, hi) in enumerate(cal.windows):
        frac = (hi - max(lo, first) + 1) / (hi - lo + 1)
        if frac <= 0:
            continue
        total = revenue * (1 + growth) ** (-k) * frac
        count = max(1, round(orders * frac))
        segs.add(c, max(lo, first), hi, count, total / count, target=total)
