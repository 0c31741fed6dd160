"""Per-customer figures of the ledger by twelve-month window, which later tables follow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.ledger import Ledger
from keyaccount.data.demo.vocabulary import COMMERCIAL


@dataclass(frozen=True)
class Facts:
    """Per-customer figures of the ledger by twelve-month window (index 0 = TTM)."""

    revenue: Arr  # (n, years) commercial revenue, cents
    orders: Arr  # (n, years) commercial invoices with a positive amount
    line_revenue: Arr  # (n, 2, 5) commercial revenue by product line in the TTM and prior
    all_line_revenue: Arr  # (n, 5) all-time commercial revenue by product line
    first_commercial: Arr  # day of the first commercial invoice, -1
    any_commercial: Arr


def customer_facts(ledger: Ledger, cal: Calendar, n: int) -> Facts:
    """Tally each customer's figures of the ledger by window."""
    years = len(cal.windows)
    com = ledger.deal == COMMERCIAL
    window = cal.window_of(ledger.day)
    sel = com & (window >= 0)
    revenue = np.bincount(
        ledger.cust[sel] * years + window[sel], ledger.amount[sel], minlength=n * years
    ).reshape(n, years)
    inv_total = np.bincount(
        ledger.invoice, np.where(com, ledger.amount, 0), minlength=len(ledger.inv_day)
    )
    inv_com = np.bincount(ledger.invoice, com, minlength=len(ledger.inv_day)) > 0
    inv_window = cal.window_of(ledger.inv_day)
    ok = inv_com & (inv_total > 0) & (inv_window >= 0)
    orders = np.bincount(ledger.inv_cust[ok] * years + inv_window[ok], minlength=n * years).reshape(
        n, years
    )
    two = sel & (window <= 1)
    line_revenue = np.bincount(
        (ledger.cust[two] * 2 + window[two]) * 5 + ledger.product[two],
        ledger.amount[two],
        minlength=n * 10,
    ).reshape(n, 2, 5)
    all_lines = np.bincount(
        ledger.cust[com] * 5 + ledger.product[com], ledger.amount[com], minlength=n * 5
    ).reshape(n, 5)
    first = np.full(n, -1, dtype=np.int64)
    cust_com = ledger.cust[com]
    uniq, at = np.unique(cust_com, return_index=True)
    first[uniq] = ledger.day[com][at]
    return Facts(revenue, orders, line_revenue, all_lines, first, first >= 0)
