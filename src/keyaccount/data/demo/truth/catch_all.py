"""The industry taxonomy once every phenomenon is planted (METRICS §10)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.industries import AUTO, CATCH_ALL_LABEL, INDUSTRIES, NEAR_DUPLICATE_LABEL
from keyaccount.data.demo.truth.figures import share


def catch_all_truth(cust: Customers) -> dict[str, Any]:
    """What the taxonomy looks like once every phenomenon is planted."""
    label = cust.industry_label
    return {
        "label": CATCH_ALL_LABEL,
        "customers": int((label == CATCH_ALL_LABEL).sum()),
        "share_of_customers": round(float((label == CATCH_ALL_LABEL).mean()), 4),
        "near_duplicates": [INDUSTRIES[AUTO].name, NEAR_DUPLICATE_LABEL],
        "near_duplicate_customers": int((label == NEAR_DUPLICATE_LABEL).sum()),
        "empty_industry_customers": int((cust.industry < 0).sum()),
        "empty_industry_share": round(float((cust.industry < 0).mean()), 4),
    }


def product_patterns(cust: Customers, facts: Facts) -> dict[str, Any]:
    """Measure how alike the customers of each industry buy.

    The share whose top product line is the industry's most common top line (low for a
    catch-all label).
    """
    buyers = facts.all_line_revenue.sum(axis=1) > 0
    top = np.argmax(facts.all_line_revenue, axis=1)
    out: dict[str, float] = {}
    for ind in INDUSTRIES:
        sel = buyers & (cust.industry_label == ind.name)
        if sel.sum():
            out[ind.name] = share(np.bincount(top[sel], minlength=5).max() / sel.sum())
    return {"top_line_agreement": out}
