"""The top customer's shares, rolled up to the group and not (METRICS §1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.company import Company
from keyaccount.data.demo.truth.figures import share


def truth_top_customer(co: Company, group: dict[str, Any]) -> dict[str, Any]:
    """The group's and the largest customers' shares of TTM revenue, rolled up and not."""
    cust, cid = co.cust, co.cust.id
    rev = co.facts.revenue[:, 0] / 100
    positive = rev > 0
    total = rev[positive].sum()
    members = group["members"]
    account = np.where(cust.parent >= 0, cust.parent, np.arange(cust.n))
    account_rev = np.bincount(account, np.where(positive, rev, 0), minlength=cust.n)
    top_single = int(np.argmax(rev))
    return {
        "group_parent": cid(group["parent"]),
        "group_members": [cid(m) for m in members],
        "member_shares": {cid(m): share(rev[m] / total) for m in members},
        "top1_share_rolled_up": share(account_rev[group["parent"]] / total),
        "top1_account_rolled_up": cid(int(np.argmax(account_rev))),
        "largest_member": cid(members[int(np.argmax(rev[members]))]),
        "largest_member_share": share(rev[members].max() / total),
        "top1_customer_unrolled": cid(top_single),
        "top1_share_unrolled": share(rev[top_single] / total),
        "ttm_revenue_total": round(float(total), 2),
    }
