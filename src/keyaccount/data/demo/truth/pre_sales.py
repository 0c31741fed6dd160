"""Sample-only customers and POC conversions as the ledger shows them (METRICS §8)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import iso
from keyaccount.data.demo.truth.figures import share
from keyaccount.data.demo.vocabulary import POC


def truth_pre_sales(
    co: Company, sample_only: Sequence[int], poc: dict[int, tuple[int, int]]
) -> dict[str, Any]:
    """The planted pre-sales customers, and every customer with no commercial order."""
    cid, facts, ledger = co.cust.id, co.facts, co.ledger
    poc_deals = np.unique(ledger.cust[ledger.deal == POC])
    converted = facts.any_commercial[poc_deals]
    return {
        "sample_only": [cid(c) for c in sample_only],
        "sample_only_detected": [cid(c) for c in np.flatnonzero(~facts.any_commercial)],
        "poc_converted": {
            cid(c): {
                "poc_date": iso(p),
                "conversion_date": iso(facts.first_commercial[c]),
                "days": int(facts.first_commercial[c] - p),
            }
            for c, (p, _) in poc.items()
        },
        "poc_conversion_rate": share(converted.mean() if len(poc_deals) else 0.0),
    }
