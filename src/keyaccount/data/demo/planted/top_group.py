"""The top customer planted as a group of a parent and its subsidiaries (METRICS §1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company_names import BRAND_CHARS, CITIES
from keyaccount.data.demo.customers import ROLE_GROUP, Customers, make_steady, set_industry
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.industries import AUTO
from keyaccount.data.demo.segments import Segments, steady_segments
from keyaccount.data.demo.vocabulary import LISTED, PRIVATE, SOE

GROUP_SHARES = (0.14, 0.10, 0.06, 0.03)  # TTM revenue shares of the group's parent and members


def plant_top_group(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, members: Arr
) -> dict[str, Any]:
    """Plant the top customer as a group of a parent and three subsidiaries.

    Each member is its own customer row with ``parent_id`` = the parent.

    ``scale_to_shares`` later sizes them to GROUP_SHARES of TTM revenue, so the group rolled
    up holds ~33% — over the 30% "shadow department" alert of METRICS §1 (default: roll up to
    the group) — while its largest member alone holds 14%: without the roll-up the alert
    stays silent.
    """
    parent = int(members[0])
    cust.role[members] = ROLE_GROUP
    set_industry(rng, cust, members, AUTO)
    make_steady(cust, cal, members, cal.start - rng.integers(900, 3000, len(members)))
    cust.parent[members[1:]] = parent
    cust.ownership[members] = [SOE, LISTED, SOE, PRIVATE][: len(members)]
    cust.lighthouse[parent] = True
    cust.strategic[members] = True
    cust.joint_rnd[parent] = True  # the strategic anchor account (METRICS §9)
    cust.terms[members], cust.delay[members], cust.rebate[members] = 60, 5.0, 0.02
    cust.project_rate[members], cust.project_slots[members] = 0.8, 4
    cust.gross_margin[members] = np.nan
    brand = "".join(rng.choice(list(BRAND_CHARS), size=2, replace=False))
    cities = [c for c, _ in CITIES]
    cust.name[parent] = f"{cities[int(cust.city[parent])]}{brand}汽车集团有限公司"
    for m in members[1:]:
        cust.name[m] = f"{brand}汽车零部件（{cities[int(cust.city[m])]}）有限公司"
    for m in members:
        steady_segments(segs, cal, int(m), cal.start, 5e6, 110, 0.06)
    segs.add(parent, cal.end, cal.end, 1, 5e4)  # the last invoice falls on the as-of date
    return {"parent": parent, "members": [int(m) for m in members]}
