"""The invoice lines as written: planted shares, cents, invoices numbered by date, payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow.compute as pc

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.days import Calendar, ymd
from keyaccount.data.demo.lines import Lines
from keyaccount.data.demo.text import int_text, pad
from keyaccount.data.demo.vocabulary import COMMERCIAL, FREE


def scale_to_shares(lines: Lines, cal: Calendar, n: int, targets: dict[int, float]) -> None:
    """Resize the targeted customers to their shares of TTM commercial revenue.

    The denominator is the revenue of the customers with positive TTM revenue (METRICS §1).
    """
    ttm = (lines.deal == COMMERCIAL) & (lines.day >= cal.ttm[0]) & (lines.day <= cal.ttm[1])
    revenue = np.bincount(lines.cust[ttm], lines.base[ttm], minlength=n)
    ids = np.array(list(targets))
    others = revenue.copy()
    others[ids] = 0.0
    total = others[others > 0].sum() / (1 - sum(targets.values()))
    factor = np.ones(n)
    factor[ids] = np.array(list(targets.values())) * total / revenue[ids]
    lines.base *= factor[lines.cust]


@dataclass
class Ledger:
    """The invoice lines as written: file order, amounts in cents, invoices numbered by date."""

    cust: Arr
    day: Arr
    invoice: Arr  # invoice number - 1, increasing with the date
    line_no: Arr
    product: Arr
    deal: Arr
    amount: Arr
    cost: Arr
    rebate: Arr
    project: Arr  # index into project_labels, -1
    unit: Arr  # index into the units, -1
    money_style: Arr
    inv_cust: Arr  # per invoice
    inv_day: Arr
    inv_terms: Arr
    inv_due: Arr
    inv_paid: Arr
    inv_date_style: Arr
    inv_terms_style: Arr
    project_labels: Any

    def __len__(self) -> int:
        return len(self.cust)


def finalise_ledger(
    rng: np.random.Generator, lines: Lines, cust: Customers, cal: Calendar
) -> Ledger:
    """Round to cents, number invoices in date order, add payments and project numbers."""
    n_inv = int(lines.inv.max()) + 1
    first = np.flatnonzero(lines.line_no == 1)
    tiebreak = rng.random(n_inv)
    rank = np.empty(n_inv, dtype=np.int64)
    rank[np.lexsort((tiebreak, lines.day[first]))] = np.arange(n_inv)
    order = np.argsort(rank[lines.inv], kind="stable")
    invoice = rank[lines.inv][order]
    base, deal = lines.base[order], lines.deal[order]
    amount = np.where(deal == FREE, 0, np.rint(base * 100)).astype(np.int64)
    cost = np.rint(base * lines.cost_ratio[order] * 100).astype(np.int64)
    rebate = np.where(amount > 0, np.rint(base * lines.rebate_rate[order] * 100), 0).astype(
        np.int64
    )
    cust_l, day = lines.cust[order], lines.day[order]

    inv_first = np.flatnonzero(np.r_[True, invoice[1:] != invoice[:-1]])
    inv_cust, inv_day = cust_l[inv_first], day[inv_first]
    total = np.bincount(invoice, amount, minlength=n_inv)
    terms = cust.terms[inv_cust]
    delay = np.rint(rng.normal(cust.delay[inv_cust], 7.0)).astype(np.int64)
    paid = inv_day + np.maximum(terms + delay, 3)
    paid = np.where(cust.slow_pay[inv_cust], inv_day + rng.integers(150, 181, n_inv), paid)
    unpaid = (total <= 0) | (rng.random(n_inv) < 0.004) | (paid > cal.end)
    paid = np.where(unpaid, -1, paid)
    due = np.where(total < 0, -1, inv_day + terms)

    key = lines.project[order]
    has = key >= 0
    uniq, first_at, inverse = np.unique(key[has], return_index=True, return_inverse=True)
    by_appearance = np.argsort(first_at, kind="stable")
    appearance = np.empty(len(uniq), dtype=np.int64)
    appearance[by_appearance] = np.arange(len(uniq))
    year, _, _ = ymd(day[has][first_at])
    ordered = np.lexsort((appearance, year))
    seq = np.empty(len(uniq), dtype=np.int64)
    year_sorted = year[ordered]
    group_start = np.r_[0, np.flatnonzero(year_sorted[1:] != year_sorted[:-1]) + 1]
    starts = np.repeat(group_start, np.diff(np.r_[group_start, len(uniq)]))
    seq[ordered] = np.arange(len(uniq)) - starts + 1
    labels = pc.binary_join_element_wise("XM", int_text(year), "-", pad(seq, 6), "")
    project = np.full(len(key), -1, dtype=np.int64)
    project[has] = inverse

    return Ledger(
        cust=cust_l,
        day=day,
        invoice=invoice,
        line_no=lines.line_no[order],
        product=lines.product[order],
        deal=deal,
        amount=amount,
        cost=cost,
        rebate=rebate,
        project=project,
        unit=lines.unit[order],
        money_style=rng.choice(3, size=len(order), p=[0.6, 0.15, 0.25]),
        inv_cust=inv_cust,
        inv_day=inv_day,
        inv_terms=terms,
        inv_due=due,
        inv_paid=paid,
        inv_date_style=rng.choice(3, size=n_inv, p=[0.5, 0.35, 0.15]),
        inv_terms_style=(rng.random(n_inv) < 0.5).astype(np.int64),
        project_labels=labels,
    )
