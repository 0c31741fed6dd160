"""The target-account list per industry: won customers and prospects."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company_names import company_names
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.industries import INDUSTRIES


def draw_targets(
    rng: np.random.Generator, cust: Customers, facts: Facts, codes: Arr
) -> dict[str, Arr]:
    """Draw the target-account list per industry (METRICS §10 coverage milestones).

    Won targets are existing customers of the industry; the rest are prospects with statuses
    spread by how far we have got in each industry.
    """
    names, _ = company_names(
        rng, codes, np.repeat(np.arange(len(INDUSTRIES)), [ind.targets for ind in INDUSTRIES])
    )
    out: dict[str, list[Any]] = {"industry": [], "name": [], "cust": [], "status": []}
    used = 0
    for ind in INDUSTRIES:  # one iteration per industry
        if not ind.targets:
            continue
        pool = np.flatnonzero((cust.industry_label == ind.name) & facts.any_commercial)
        won = min(round(ind.targets * ind.coverage[3]), len(pool))
        chosen = np.sort(rng.choice(pool, size=won, replace=False))
        rest = ind.targets - won
        p = np.array(ind.coverage[:3]) / sum(ind.coverage[:3])
        status = np.sort(rng.choice(3, size=rest, p=p))
        out["industry"] += [ind.name] * ind.targets
        out["name"] += [*cust.name[chosen], *names[used : used + rest]]
        out["cust"] += [*chosen, *[-1] * rest]
        out["status"] += [3] * won + [int(s) for s in status]
        used += ind.targets
    return {
        k: np.array(v, dtype=object if k in ("industry", "name") else np.int64)
        for k, v in out.items()
    }
