"""The key accounts' units and penetration (METRICS §6)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import iso
from keyaccount.data.demo.truth.figures import share


def truth_units(co: Company) -> dict[str, Any]:
    """Each key account's units, their adoption and the (weighted) penetration."""
    units, cid = co.units, co.cust.id
    out: dict[str, Any] = {}
    for c in np.unique(units.cust):  # one iteration per key account
        mine = np.flatnonzero(units.cust == c)
        adopted = units.adopted[mine] >= 0
        potential = units.potential[mine].astype(float)
        out[cid(c)] = {
            "units": [
                {
                    "unit_id": str(units.code[u]),
                    "adopted_date": iso(units.adopted[u]) if units.adopted[u] >= 0 else None,
                    "potential": int(units.potential[u]),
                }
                for u in mine
            ],
            "total_units": len(mine),
            "adopted_units": int(adopted.sum()),
            "penetration": share(adopted.mean()),
            "weighted_penetration": share(potential[adopted].sum() / potential.sum()),
        }
    return out
