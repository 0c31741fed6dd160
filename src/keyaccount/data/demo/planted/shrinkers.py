"""Silent traitors (satisfied but shrinking) and the decoys not to flag (METRICS §7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_DECOY, ROLE_TRAITOR, Customers, make_steady
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.segments import Segments


@dataclass(frozen=True)
class Recipe:
    """How a planted shrinker (silent traitor or decoy) moves from the prior TTM to the TTM."""

    group: str  # silent_traitor, or the decoy kind
    signals: tuple[str, ...]  # the silent-traitor signals it is built to fire
    revenue: float  # TTM revenue / prior-TTM revenue
    orders: float  # TTM orders / prior-TTM orders
    dropped: float  # prior-TTM revenue share of a product line that stops in the TTM
    wallet: tuple[float, float]  # wallet share in the prior year and the as-of year
    earlier: int  # survey score before the latest
    latest: int  # latest survey score
    nps: bool = False  # scores on the NPS 0-10 scale instead of CSAT 1-5


TRAITOR_RECIPES = (
    Recipe("silent_traitor", ("revenue",), 0.60, 1.00, 0.0, (0.35, 0.35), 4, 5),
    Recipe("silent_traitor", ("revenue", "orders"), 0.50, 0.50, 0.0, (0.35, 0.35), 5, 4),
    Recipe("silent_traitor", ("orders",), 1.00, 0.45, 0.0, (0.35, 0.35), 4, 4),
    Recipe("silent_traitor", ("orders",), 1.03, 0.50, 0.0, (0.35, 0.35), 5, 5),
    Recipe("silent_traitor", ("product_line",), 1.00, 1.00, 0.30, (0.35, 0.35), 4, 5),
    Recipe("silent_traitor", ("product_line", "revenue"), 0.65, 0.95, 0.35, (0.35, 0.35), 5, 4),
    Recipe("silent_traitor", ("wallet",), 1.02, 1.00, 0.0, (0.40, 0.25), 4, 5),
    Recipe("silent_traitor", ("wallet", "revenue"), 0.70, 0.95, 0.0, (0.40, 0.28), 9, 9, nps=True),
)
DECOY_RECIPES = (
    *[Recipe("satisfied_stable", (), 1.15, 1.10, 0.0, (0.35, 0.35), 4, 5)] * 3,
    *[Recipe("unsatisfied_shrinking", (), 0.55, 0.50, 0.0, (0.35, 0.35), 2, s) for s in (2, 1, 2)],
    *[Recipe("satisfied_small_dip", (), 0.95, 0.95, 0.0, (0.35, 0.34), 5, 4)] * 3,
)


def _plant_shrinkers(
    rng: np.random.Generator,
    cust: Customers,
    cal: Calendar,
    segs: Segments,
    idx: Arr,
    recipes: Sequence[Recipe],
    role: int,
) -> list[dict[str, Any]]:
    """Plant customers whose TTM moves against the prior TTM as their recipe says.

    Revenue, orders and product lines per window are exact (one segment per window and line,
    single-line invoices), so each silent-traitor signal is either far past its METRICS §7
    threshold or clearly short of it. Wallet and surveys follow the recipe too.
    """
    cust.role[idx] = role
    make_steady(cust, cal, idx, cal.start - rng.integers(400, 2500, len(idx)))
    cust.rebate[idx], cust.gross_margin[idx], cust.terms[idx] = 0.0, np.nan, 60
    (ttm0, ttm1), (prior0, prior1) = cal.ttm, cal.prior
    early_years = (prior0 - cal.start) / 365.25
    out = []
    for c, recipe in zip(idx, recipes, strict=True):  # one iteration per planted customer
        revenue = float(rng.uniform(1.5e6, 3.0e6))
        orders = int(rng.integers(24, 37))
        if recipe.dropped:
            products = rng.permutation(5)[:3]
            shares = np.array([recipe.dropped, *(np.array([0.55, 0.45]) * (1 - recipe.dropped))])
        else:
            products = rng.permutation(5)[: int(rng.integers(2, 4))]
            shares = np.array([0.6, 0.4]) if len(products) == 2 else np.array([0.5, 0.3, 0.2])
        ttm_shares = shares.copy()
        if recipe.dropped:
            ttm_shares[0] = 0.0
            ttm_shares /= ttm_shares.sum()
        periods = (
            (cal.start, prior0 - 1, revenue * early_years, orders * early_years, shares),
            (prior0, prior1, revenue, orders, shares),
            (ttm0, ttm1, revenue * recipe.revenue, orders * recipe.orders, ttm_shares),
        )
        for lo, hi, total, count, share in periods:
            for product, s in zip(products, share, strict=True):
                if s > 0:
                    segs.add(
                        c,
                        lo,
                        hi,
                        max(2, round(count * s)),
                        1.0,
                        target=total * s,
                        product=product,
                        single=True,
                    )
        out.append(
            {
                "customer": int(c),
                "recipe": recipe,
                "products": [int(p) for p in products],
                "dropped": int(products[0]) if recipe.dropped else None,
            }
        )
    return out


def plant_silent_traitors(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> list[dict[str, Any]]:
    """Plant silent traitors (METRICS §7): satisfied customers who are leaving.

    Their latest survey is satisfied (CSAT 4-5, one NPS 9) yet they shrink: revenue down
    30-50%, orders down 50-55%, a product line worth 30-35% of the prior TTM gone, or wallet
    share down 12-15 points; each recipe names the signals it fires.
    """
    return _plant_shrinkers(rng, cust, cal, segs, idx, TRAITOR_RECIPES, ROLE_TRAITOR)


def plant_traitor_decoys(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> list[dict[str, Any]]:
    """Plant the decoys of the silent-traitor test.

    Satisfied and growing; unsatisfied (CSAT 1-2) and shrinking; satisfied with a 5% dip that
    no threshold catches.
    """
    return _plant_shrinkers(rng, cust, cal, segs, idx, DECOY_RECIPES, ROLE_DECOY)
