"""MRR / ARR (docs/metrics.md §5): a hand-computed subscription book, the demo's contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from helpers import Contexts, hand_company
from keyaccount.analyses import mrr
from keyaccount.analyses.context import AuditContext

D = Decimal

CUSTOMERS = [["customer_id", "name"], *[[c, c] for c in "ABCDE"]]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "deal_type"],
    ["1", "A", "2025-12-31", "3000", "commercial"],  # as-of date 2025-12-31
]
# t1 = 2025-12-31, t0 = 2024-12-31.
SUBSCRIPTIONS = [
    ["customer_id", "start", "end", "mrr", "product_line"],
    ["A", "2024-01-01", "", "1000", "软件"],  # running at t0 and t1
    ["A", "2025-07-01", "", "200", "维保"],  # A expands 1000 → 1200
    ["B", "2024-06-15", "2025-06-14", "500", "软件"],  # ends mid-year: B churns
    ["C", "2025-03-10", "", "300.50", "软件"],  # C's first contract: new
    ["D", "2023-01-01", "2023-12-31", "100", "软件"],  # D had a contract before t0 …
    ["D", "2025-02-01", "2026-01-31", "150", "软件"],  # … and comes back: reactivated
    ["E", "2024-01-01", "2025-05-31", "400", "软件"],  # E contracts 400 → 250
    ["E", "2025-06-01", "", "250", "维保"],
]


@pytest.fixture
def book(tmp_path: Path) -> AuditContext:
    tables = {"customers": CUSTOMERS, "invoices": INVOICES, "subscriptions": SUBSCRIPTIONS}
    return hand_company(tmp_path, **tables)()


def test_hand_computed_mrr_bridge(book: AuditContext) -> None:
    result = mrr.run(book)
    assert (result.prior_month_end, result.month_end) == (date(2024, 12, 31), date(2025, 12, 31))
    b = result.bridge
    assert b.start == D("1900")  # A 1000 + B 500 + E 400
    assert result.mrr == b.end == D("1900.50")  # A 1200 + C 300.50 + D 150 + E 250
    assert result.arr == D("22806")
    assert (b.new, b.reactivated, b.expansion) == (D("300.50"), D("150"), D("200"))
    assert (b.contraction, b.churn, b.other) == (D("150"), D("500"), D("0"))
    assert b.adds_up()
    assert result.nrr == float(Fraction(1450, 1900))  # (A 1200 + E 250) / 1900
    assert result.grr == float(Fraction(1250, 1900))  # A 1000 + E 250
    assert result.quick_ratio == float(Fraction("650.50") / Fraction(650))
    states = result.accounts.set_index("account_id").state.to_dict()
    assert states == {
        "A": "expanded",
        "B": "churned",
        "C": "new",
        "D": "reactivated",
        "E": "contracted",
    }


def test_mrr_at_each_month_end(book: AuditContext) -> None:
    series = mrr.run(book).series.set_index("month_end")
    assert series.index[0] == date(2023, 1, 31) and series.index[-1] == date(2025, 12, 31)
    assert len(series) == 36
    assert series.loc[date(2023, 12, 31), "mrr"] == 100.0  # D's contract ends that day
    assert series.loc[date(2024, 1, 31), "mrr"] == 1400.0  # D gone; A and E start
    assert series.loc[date(2024, 5, 31), "mrr"] == 1400.0  # B starts mid-June …
    assert series.loc[date(2024, 6, 30), "mrr"] == 1900.0  # … and runs at the June month end
    assert series.loc[date(2025, 5, 31), "mrr"] == 1000 + 500 + 150 + 300.5 + 400
    # B ends 2025-06-14, E's first contract 2025-05-31 and its second starts 2025-06-01.
    assert series.loc[date(2025, 6, 30), "mrr"] == 1000 + 150 + 300.5 + 250
    assert series.loc[date(2025, 6, 30), "accounts"] == 4
    assert series.loc[date(2025, 12, 31), "arr"] == 22806.0


def test_month_end_helpers() -> None:
    assert mrr.last_month_end(date(2025, 3, 15)) == date(2025, 2, 28)
    assert mrr.last_month_end(date(2024, 2, 29)) == date(2024, 2, 29)
    assert mrr.months_before(date(2025, 2, 28), 12) == date(2024, 2, 29)
    assert mrr.month_ends(date(2024, 11, 5), date(2025, 1, 31)) == [
        date(2024, 11, 30),
        date(2024, 12, 31),
        date(2025, 1, 31),
    ]


def test_demo_mrr(demo_context: Contexts) -> None:
    ctx = demo_context(audit={"rollup": False})
    result = mrr.run(ctx)
    assert result.bridge.adds_up()
    subs = ctx.tables["subscriptions"].execute()
    t1 = pd.Timestamp(result.month_end)
    running = (subs.start <= t1) & (subs.end.isna() | (subs.end >= t1))
    assert result.mrr == sum(subs.mrr[running], D(0))  # exact, against the raw contracts
    assert result.arr == 12 * result.mrr
    assert (result.series.mrr >= 0).all() and result.series.accounts.max() <= 45
    assert result.nrr is not None and 0 < result.nrr < 2
