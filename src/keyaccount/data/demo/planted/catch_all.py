"""The industry-taxonomy problems: a catch-all label, a near duplicate, empty industries."""

from __future__ import annotations

import numpy as np

from keyaccount.data.demo.customers import Customers, set_industry
from keyaccount.data.demo.industries import (
    AUTO,
    CATCH_ALL,
    EMPTY_INDUSTRY_SHARE,
    INDUSTRIES,
    NEAR_DUPLICATE_LABEL,
    NEAR_DUPLICATE_SHARE,
)


def plant_catch_all(rng: np.random.Generator, cust: Customers) -> None:
    """Plant the industry-taxonomy problems (METRICS §10 taxonomy check).

    A catch-all label, 商务服务, for ~25% of the customers, who buy any mix of lines (a flat
    Dirichlet, so each one leans somewhere else, unlike the customers of a real industry);
    20% of 汽车零部件 customers spelled 汽车零部件业; ~3% with no industry at all.
    """
    u = rng.random(cust.n)
    catch_all = np.flatnonzero(u < INDUSTRIES[CATCH_ALL].weight)
    set_industry(rng, cust, catch_all, CATCH_ALL)
    cust.level2[catch_all[rng.random(len(catch_all)) < 0.3]] = None
    empty = (u >= INDUSTRIES[CATCH_ALL].weight) & (
        u < INDUSTRIES[CATCH_ALL].weight + EMPTY_INDUSTRY_SHARE
    )
    cust.industry[empty] = -1  # their buying keeps the mix of the industry nobody recorded
    cust.industry_label[empty] = None
    cust.level2[empty] = None
    spelled = (cust.industry == AUTO) & (rng.random(cust.n) < NEAR_DUPLICATE_SHARE)
    cust.industry_label[spelled] = NEAR_DUPLICATE_LABEL
