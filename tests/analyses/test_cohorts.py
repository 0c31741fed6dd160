"""Cohorts and repeat purchase (docs/metrics.md §5): hand-computed matrices, bounds, the demo."""

from __future__ import annotations

import math
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import cohorts


def frame(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    """account_id, period, units from amounts in currency units."""
    return pd.DataFrame(
        [(a, p, round(x * 10_000)) for a, p, x in rows], columns=["account_id", "period", "units"]
    )


YEARLY = frame(
    [
        ("a", 2021, 100),
        ("a", 2022, 50),
        ("a", 2023, -10),  # a credit note: a is not active in 2023
        ("b", 2021, 100),
        ("b", 2022, 150),
        ("b", 2023, 250),
        ("c", 2022, 80),
        ("c", 2023, 40),
        ("d", 2022, 20),
    ]
)


def test_yearly_cohort_matrix_by_hand() -> None:
    m = cohorts.cohort_matrix(YEARLY, "year", 2023).set_index(["cohort", "years_since"])
    assert list(m.index) == [("2021", 0), ("2021", 1), ("2021", 2), ("2022", 0), ("2022", 1)]
    assert m.accounts.tolist() == [2, 2, 2, 2, 2]
    assert m.active.tolist() == [2, 2, 1, 2, 1]
    assert m.logo_retention.tolist() == [1.0, 1.0, 0.5, 1.0, 0.5]
    assert m.revenue.tolist() == [200.0, 200.0, 240.0, 100.0, 40.0]  # a's −10 nets in
    assert m.revenue_retention.tolist() == [1.0, 1.0, 1.2, 1.0, 0.4]
    assert m.complete.all() and not m.partial_start.any()

    flagged = cohorts.cohort_matrix(
        YEARLY, "year", 2023, last_complete_period=2022, first_observed_period=2022
    ).set_index(["cohort", "years_since"])
    assert flagged.complete.tolist() == [True, True, False, True, False]
    assert flagged.partial_start.tolist() == [True, True, True, False, False]

    grid = cohorts.cohort_pivot(cohorts.cohort_matrix(YEARLY, "year", 2023))
    assert grid.loc["2022", 1] == 0.5 and math.isnan(grid.loc["2022", 2])


def test_quarterly_cohorts_count_years_from_the_cohort_quarter() -> None:
    q = 4
    revenue = frame(
        [
            ("x", 2022 * q + 2, 10),  # 2022Q3: x's cohort
            ("x", 2023 * q + 1, 5),  # 2023Q2: still x's year 0
            ("x", 2023 * q + 2, 30),  # 2023Q3: x's year 1
            ("y", 2022 * q + 3, 20),  # 2022Q4: y's cohort
            ("y", 2023 * q + 2, 7),  # 2023Q3: y's year 0
        ]
    )
    m = cohorts.cohort_matrix(
        revenue, "quarter", 2024 * q, last_complete_period=2023 * q + 3
    ).set_index(["cohort", "years_since"])
    assert list(m.index) == [("2022Q3", 0), ("2022Q3", 1), ("2022Q4", 0), ("2022Q4", 1)]
    assert m.revenue.tolist() == [15.0, 30.0, 27.0, 0.0]
    assert m.revenue_retention.tolist() == [1.0, 2.0, 1.0, 0.0]
    assert m.logo_retention.tolist() == [1.0, 1.0, 1.0, 0.0]
    # Year 1 of 2022Q3 runs 2023Q3 … 2024Q2, past the last complete quarter 2023Q4.
    assert m.complete.tolist() == [True, False, True, False]


def test_repeat_purchase_rate_by_hand() -> None:
    assert cohorts.repeat_purchase_rate(YEARLY) == (0.75, 3, 4)  # d bought in 2022 only
    never = frame([("z", 2022, -5)])
    assert cohorts.repeat_purchase_rate(never) == (None, 0, 0)


def test_no_accounts_no_cohorts() -> None:
    empty = cohorts.cohort_matrix(frame([]), "year", 2023)
    assert empty.empty and list(empty.columns) == list(cohorts.MATRIX_COLUMNS)


def test_revenue_retention_needs_positive_first_year() -> None:
    m = cohorts.cohort_matrix(frame([("a", 2022, -5), ("a", 2023, 10)]), "year", 2023)
    assert m.revenue_retention.isna().all() and m.logo_retention.tolist() == [0.0, 1.0]


money = st.one_of(st.just(0), st.integers(-(10**6), 10**8))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefghij"), st.integers(0, 11), money), min_size=1),
    st.sampled_from(["year", "quarter"]),
)
def test_cohort_shares_are_shares(rows: list[tuple[str, int, int]], grain: str) -> None:
    revenue = pd.DataFrame(rows, columns=["account_id", "period", "units"])
    m = cohorts.cohort_matrix(revenue, grain, 11)  # type: ignore[arg-type]
    assert m.logo_retention.between(0, 1).all()
    assert (m.active <= m.accounts).all()
    first = m[m.years_since == 0]
    assert first.accounts.sum() == revenue.account_id.nunique()
    assert m.groupby("cohort").accounts.nunique().eq(1).all()
    assert m.revenue.sum() == pytest.approx(revenue.units.sum() / 10_000)
    rate, repeat, active = cohorts.repeat_purchase_rate(revenue)
    assert repeat <= active <= revenue.account_id.nunique()
    assert rate is None or 0 <= rate <= 1


CUSTOMERS = [
    ["customer_id", "name", "first_date"],
    ["OLD", "老客户", "2010-05-01"],  # older than the data: not in any cohort
    ["N1", "新一", ""],
    ["N2", "新二", "2023-02-01"],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "deal_type"],
    ["1", "OLD", "2023-01-10", "500", "commercial"],
    ["2", "OLD", "2024-01-10", "500", "commercial"],
    ["3", "N1", "2023-03-01", "100", "commercial"],
    ["4", "N1", "2024-06-01", "100", "commercial"],
    ["5", "N2", "2024-02-01", "80", "commercial"],
    ["6", "N2", "2024-11-15", "20", "commercial"],
]


def test_run_leaves_out_accounts_older_than_the_data(tmp_path: Path) -> None:
    result = cohorts.run(hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)())
    assert result.older_accounts == 1
    yearly = result.yearly.set_index(["cohort", "years_since"])
    assert yearly.accounts.to_dict() == {("2023", 0): 1, ("2023", 1): 1, ("2024", 0): 1}
    assert yearly.loc[("2023", 1), "revenue_retention"] == 1.0
    assert not yearly.loc[("2024", 0), "complete"]  # as-of 2024-11-15: 2024 is partial
    assert (result.repeat_purchase_rate, result.active_accounts) == (2 / 3, 3)
    quarterly = result.quarterly.set_index(["cohort", "years_since"])
    assert quarterly.loc[("2023Q1", 0), "accounts"] == 1  # N1
    assert quarterly.loc[("2024Q1", 0), "revenue"] == 100.0  # N2: 80 + 20 in its first year
    codes = {f.code for f in result.findings}
    assert codes == {"cohorts.repeat_purchase_rate", "cohorts.older_accounts"}


def test_demo_cohorts(demo_context: Contexts) -> None:
    result = cohorts.run(demo_context())
    assert result.repeat_purchase_rate is not None and 0.4 < result.repeat_purchase_rate < 0.95
    for matrix in (result.yearly, result.quarterly):
        assert matrix.logo_retention.between(0, 1).all()
        assert (matrix[matrix.years_since == 0].logo_retention > 0.9).all()
    yearly_sizes = result.yearly[result.yearly.years_since == 0].accounts.sum()
    quarterly_sizes = result.quarterly[result.quarterly.years_since == 0].accounts.sum()
    assert yearly_sizes == quarterly_sizes  # the same accounts, cut two ways
    assert result.yearly.partial_start.iloc[0]  # the data begin in October 2021
    assert result.older_accounts > 100  # the demo's legacy customers
