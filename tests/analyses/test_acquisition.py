"""CAC and its trend (docs/metrics.md §4): hand-computed company, formulas, demo inflation."""

from __future__ import annotations

import math
from datetime import date

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import acquisition as acq
from keyaccount.data.demo import DemoFiles

# History starts 2023-01-05 (L's first invoice); as-of = the last commercial invoice,
# 2025-01-15. Acquisition costs from 2023Q1 on, so every quarter 2023Q1 … 2025Q1 is covered.
CUSTOMERS = [
    ["customer_id", "name", "parent_id", "industry", "first_date"],
    ["L", "老客户", "", "汽车", "2018-01-01"],  # a customer from before the data
    ["P", "早客户", "", "汽车", ""],  # first bought in the history's first quarter: unknown age
    ["A1", "甲一", "", "电力", "2023-05-01"],
    ["A2", "甲二", "", "电力", ""],
    ["G", "集团", "", "汽车", ""],
    ["G1", "一厂", "G", "汽车", ""],
    ["G2", "二厂", "G", "汽车", ""],
    ["B1", "乙一", "", "电力", ""],
    ["B2", "乙二", "", "电力", ""],
    ["B3", "乙三", "", "电力", ""],
    ["S", "样品客户", "", "电力", ""],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "cost", "deal_type"],
    ["1", "L", "2023-01-05", "100", "60", "commercial"],
    ["2", "P", "2023-02-01", "100", "60", "commercial"],
    ["3", "A2", "2023-04-01", "1000", "3000", "poc"],  # pre-sales net cost 2000
    ["4", "A1", "2023-05-10", "100", "60", "commercial"],
    ["5", "A2", "2023-06-20", "100", "60", "commercial"],
    ["6", "G1", "2023-11-01", "100", "60", "commercial"],
    ["7", "S", "2024-03-01", "0", "500", "sample"],  # never buys: unconverted pre-sales 500
    ["8", "B3", "2024-04-15", "100", "60", "commercial"],
    ["9", "B1", "2024-05-05", "100", "60", "commercial"],
    ["10", "G2", "2024-05-20", "100", "60", "commercial"],  # new plant of an old group
    ["11", "B2", "2024-06-01", "100", "60", "commercial"],
    ["12", "A1", "2025-01-15", "100", "60", "commercial"],
]
COSTS = [
    ["period", "category", "amount", "customer_id"],
    ["2023-01-01", "acquisition", "1000", ""],
    ["2023-04-01", "acquisition", "6000", ""],
    ["2023-06-01", "acquisition", "4000", ""],
    ["2023-10-01", "acquisition", "3000", ""],
    ["2024-03-01", "acquisition", "9000", "B2"],
    ["2024-04-01", "acquisition", "12000", ""],
    ["2024-05-01", "acquisition", "6000", ""],
    ["2024-01-01", "service_team", "500", ""],  # not acquisition
    ["2025-02-01", "acquisition", "99999", ""],  # after the as-of month
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Contexts:
    folder = tmp_path_factory.mktemp("acquisition")
    return hand_company(folder, customers=CUSTOMERS, invoices=INVOICES, costs=COSTS)


def test_hand_computed_cac_rolled_up(small) -> None:
    result = acq.run(small())
    cac = result.accounts.set_index("account_id")
    # 2023Q2: untagged 6000 + 4000 over A1, A2 -> 5000; A2 adds its POC's net cost 3000 − 1000.
    # 2023Q4: 3000 over the group G. 2024Q2: 12000 + 6000 over B1, B2, B3 (G2 is a plant of
    # G, not a new account) -> 6000; B2's own tagged 9000 replaces it.
    assert cac.cac.to_dict() == pytest.approx(
        {
            "L": math.nan,
            "P": math.nan,
            "A1": 5000.0,
            "A2": 7000.0,
            "G": 3000.0,
            "B3": 6000.0,
            "B1": 6000.0,
            "B2": 9000.0,
        },
        nan_ok=True,
    )
    assert cac.cac_basis.to_dict() == {
        "L": "pre_history",
        "P": "pre_history",
        "A1": "blended",
        "A2": "blended",
        "G": "blended",
        "B3": "blended",
        "B1": "blended",
        "B2": "tagged",
    }
    assert cac.loc["A2", "pre_sales_net_cost"] == 2000.0
    assert cac.loc["G", "acquisition_quarter"] == "2023Q4"
    assert "S" not in cac.index  # never bought: its sample is reported apart
    assert result.unconverted_pre_sales == 500.0

    quarters = result.quarters.set_index("quarter")
    assert list(quarters.index) == [f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)] + [
        "2025Q1"
    ]
    assert quarters.loc["2023Q2", "blended_cac"] == 5000.0
    assert math.isnan(quarters.loc["2023Q3", "blended_cac"])  # no new account
    assert quarters.loc["2024Q2", "yoy_growth"] == pytest.approx(6000 / 5000 - 1)
    assert quarters.loc["2024Q1", "tagged_spend"] == 9000.0 + 500.0  # B2's tag, S's sample
    assert bool(quarters.loc["2025Q1", "partial"]) and not quarters.loc["2024Q4", "partial"]

    years = result.years.set_index("year")
    # 2023: (1000 + 10000 + 3000) / 3 new (A1, A2, G). 2024: 18000 / 3.
    assert years.loc[2023, "blended_cac"] == pytest.approx(14000 / 3)
    assert years.loc[2024, "blended_cac"] == 6000.0
    assert years.loc[2024, "yoy_growth"] == pytest.approx(6000 / (14000 / 3) - 1)  # +28.6%
    assert years.complete.to_dict() == {2023: True, 2024: True, 2025: False}
    assert result.latest_year == 2024
    assert result.latest_yoy_growth == pytest.approx(2 / 7)
    assert result.cac_cagr == pytest.approx(2 / 7)
    # Acquired in the window (2024-01-15, 2025-01-15]: B1, B2, B3.
    assert result.window_new_accounts == 3
    assert result.window_average_cac == pytest.approx(7000.0)
    inflation = [f for f in result.findings if f.code == "acquisition.cac_inflation"]
    assert len(inflation) == 1 and inflation[0].values["growth"] == pytest.approx(2 / 7)
    assert inflation[0].values["previous_cac"] == pytest.approx(14000 / 3)


def test_without_rollup_the_new_plant_is_a_new_account(small) -> None:
    result = acq.run(small(audit={"rollup": False}))
    cac = result.accounts.set_index("account_id").cac
    # 2024Q2 now has four new accounts (B1, B2, B3, G2): 18000 / 4.
    assert cac.loc["G2"] == cac.loc["B1"] == 4500.0
    assert cac.loc["G1"] == 3000.0
    years = result.years.set_index("year")
    assert years.loc[2024, "blended_cac"] == 4500.0
    assert not any(f.code == "acquisition.cac_inflation" for f in result.findings)


def test_no_costs_means_unknown_cac(tmp_path) -> None:
    ctx = hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)()
    result = acq.run(ctx)
    assert not result.acquisition_costs_given
    basis = result.accounts.set_index("account_id").cac_basis
    assert basis.loc["A2"] == "unknown"  # a POC on record is not the whole CAC
    assert result.accounts.cac.isna().all()
    assert result.years.blended_cac.isna().all()
    assert any(f.code == "acquisition.no_acquisition_costs" for f in result.findings)


# --- Formulas --------------------------------------------------------------------------------


def test_acquisition_quarters_and_pre_history() -> None:
    acquired = pd.Series(pd.to_datetime(["2023-02-01", "2023-02-01", "2023-08-01", None]))
    since = pd.Series(pd.to_datetime([None, "2023-01-20", "2019-01-01", None]))
    got = acq.acquisition_quarters(acquired, since, date(2023, 1, 5))
    assert list(got.pre_history) == [True, False, True, False]
    assert str(got.acquisition_quarter.iloc[1]) == "2023Q1"
    assert got.acquisition_quarter.isna().tolist() == [True, False, True, True]


def test_quarterly_trend_coverage_and_partial_quarter() -> None:
    q = pd.Period
    trend = acq.quarterly_trend(
        new_accounts=pd.Series({q("2024Q1", "Q"): 2, q("2024Q3", "Q"): 4}),
        untagged_spend=pd.Series({q("2023Q4", "Q"): 700.0, q("2024Q1", "Q"): 1000.0}),
        tagged_spend=pd.Series(dtype=float),
        covered_from=q("2024Q1", "Q"),
        as_of=date(2024, 8, 15),
    ).set_index("quarter")
    assert list(trend.index) == ["2023Q4", "2024Q1", "2024Q2", "2024Q3"]
    assert math.isnan(trend.loc["2023Q4", "blended_cac"])  # before the costs start
    assert trend.loc["2024Q1", "blended_cac"] == 500.0
    assert math.isnan(trend.loc["2024Q2", "blended_cac"])  # no new account
    assert trend.loc["2024Q3", "blended_cac"] == 0.0  # covered, no spend: zero, not unknown
    assert trend.partial.tolist() == [False, False, False, True]


def test_yearly_trend_completeness_and_growth() -> None:
    q = pd.Period
    quarters = acq.quarterly_trend(
        pd.Series({q(f"{y}Q{i}", "Q"): 1 for y in (2022, 2023) for i in (1, 2, 3, 4)}),
        pd.Series(
            {q(f"{y}Q{i}", "Q"): 100.0 * (y - 2021) for y in (2022, 2023) for i in (1, 2, 3, 4)}
        ),
        pd.Series(dtype=float),
        q("2022Q2", "Q"),
        date(2023, 12, 31),
    )
    years = acq.yearly_trend(quarters, date(2023, 12, 31)).set_index("year")
    # 2022: quarters 2–4 covered (300 / 3); 2023: 800 / 4.
    assert years.blended_cac.to_dict() == {2022: 100.0, 2023: 200.0}
    assert years.complete.to_dict() == {2022: False, 2023: True}
    assert years.loc[2023, "yoy_growth"] == 1.0
    assert not years.partial.any()  # the as-of date is 31 December


def test_cagr() -> None:
    assert acq.cagr(pd.Series({2021: 100.0, 2023: 121.0})) == pytest.approx(0.10)
    assert math.isnan(acq.cagr(pd.Series({2021: 100.0})))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(0, 1e6)), min_size=1, max_size=16))
def test_blended_cac_times_new_accounts_gives_back_the_spend(rows) -> None:
    periods = pd.period_range("2020Q1", periods=len(rows), freq="Q")
    new = pd.Series([r[0] for r in rows], index=periods)
    spend = pd.Series([r[1] for r in rows], index=periods)
    trend = acq.quarterly_trend(
        new, spend, pd.Series(dtype=float), periods[0], periods[-1].end_time.date()
    )
    with_new = trend.new_accounts > 0
    assert np.allclose(
        trend.blended_cac[with_new] * trend.new_accounts[with_new], trend.untagged_spend[with_new]
    )
    assert trend.blended_cac[~with_new].isna().all()
    years = acq.yearly_trend(trend, periods[-1].end_time.date())
    assert years.new_accounts.sum() == new.sum()
    assert years.untagged_spend.sum() == pytest.approx(spend.sum())


# --- The demo company ------------------------------------------------------------------------


def test_demo_cac_inflation_found(demo_context: Contexts, demo_files: DemoFiles) -> None:
    result = acq.run(demo_context())
    truth = demo_files.truth["background"]["cac_by_year"]
    years = result.years.set_index("year")
    complete = years[years.complete]
    assert len(complete) >= 3
    for year, row in complete.iterrows():
        # The demo's truth divides a year's spend by the customers it won, sample-only
        # prospects included; CAC here counts accounts with a first commercial invoice.
        assert row.blended_cac == pytest.approx(truth[str(year)], rel=0.2)
    assert 0.10 < result.cac_cagr < 0.26  # planted: ~18% a year
    assert any(f.code == "acquisition.cac_inflation" for f in result.findings)
