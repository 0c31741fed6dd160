"""Penetration inside key accounts (docs/metrics.md §6): a hand-made company, the demo."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import penetration

CUSTOMERS = [
    ["customer_id", "name", "industry", "parent_id"],
    ["A", "Alpha", "auto", ""],
    ["G", "Group", "chem", ""],
    ["G1", "Group plant", "chem", "G"],
    ["S", "Stuck", "auto", ""],
    ["N", "No units", "auto", ""],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "product_line", "unit_id", "deal_type"],
    ["1", "A", "2023-06-01", "100", "P1", "A-1", "commercial"],
    ["2", "A", "2024-06-01", "150", "P1", "A-1", "commercial"],
    ["3", "A", "2023-01-05", "-10", "P2", "A-2", "commercial"],  # a credit note adopts nothing
    ["4", "A", "2023-02-10", "200", "P2", "A-2", "commercial"],  # A-2 adopted here
    ["5", "A", "2024-03-01", "50", "P2", "A-2", "commercial"],
    ["6", "A", "2024-01-01", "5", "P2", "A-3", "sample"],  # a sample adopts nothing
    ["7", "G1", "2024-05-20", "300", "P1", "G-2", "commercial"],  # G's unit, billed to its plant
    ["8", "G", "2024-12-31", "100", "P3", "", "commercial"],  # the as-of date
    ["9", "S", "2023-04-01", "200", "P1", "S-1", "commercial"],
    ["10", "S", "2024-04-01", "100", "P1", "S-1", "commercial"],
    ["11", "N", "2024-07-01", "1000", "P2", "", "commercial"],
]
UNITS = [
    ["customer_id", "unit_id", "name", "potential", "adopted_date"],
    ["A", "A-1", "Plant 1", "100", "2021-06-15"],
    ["A", "A-2", "Plant 2", "300", ""],
    ["A", "A-3", "Plant 3", "600", ""],
    ["G", "G-1", "BU 1", "10", "2024-02-01"],
    ["G", "G-2", "BU 2", "", ""],
    ["G", "G-3", "BU 3", "5", "2025-03-01"],  # after the as-of date: not adopted yet
    ["S", "S-1", "Site 1", "50", "2022-03-01"],
    ["S", "S-2", "Site 2", "150", ""],
]
INDUSTRIES = [
    ["industry", "market_size"],
    ["auto", "10000"],
    ["chem", "4000"],
    ["food", "5000"],
]


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    """The hand-made company with units and market sizes."""
    return hand_company(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        account_units=UNITS,
        industries=INDUSTRIES,
    )


# Tier thresholds no account can reach: the index covers every account with units.
NO_KEY_TIERS = {"strategic": 100.0, "core": 100.0}


def by_account(result: penetration.PenetrationResult) -> pd.DataFrame:
    return result.accounts.set_index("account_id")


def test_unit_penetration_by_hand(company: Contexts) -> None:
    result = penetration.run(company(tiering=NO_KEY_TIERS))
    accounts = by_account(result)
    assert list(accounts.index) == ["A", "G", "S"]  # N has no units
    assert accounts.total_units.tolist() == [3, 3, 2]
    assert accounts.adopted_units.tolist() == [2, 2, 1]
    assert accounts.penetration.tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 2])
    # A: (100 + 300) / 1000; G has a unit without potential: none; S: 50 / 200.
    assert accounts.weighted_penetration.loc["A"] == pytest.approx(0.4)
    assert np.isnan(accounts.weighted_penetration.loc["G"])
    assert accounts.weighted_penetration.loc["S"] == pytest.approx(0.25)
    assert accounts.revenue.tolist() == [200.0, 400.0, 100.0]
    units = result.whitespace_units.set_index("unit_id")
    assert units.adopted_date.to_dict() == {
        "A-1": date(2021, 6, 15),
        "A-2": date(2023, 2, 10),
        "A-3": None,
        "G-1": date(2024, 2, 1),
        "G-2": date(2024, 5, 20),
        "G-3": None,
        "S-1": date(2022, 3, 1),
        "S-2": None,
    }
    assert units.adoption_source.loc[["A-1", "A-2", "A-3"]].tolist() == [
        "adopted_date",
        "invoice",
        None,
    ]
    assert units.revenue.loc[["A-1", "A-2", "G-2"]].tolist() == [150.0, 50.0, 300.0]
    assert (result.total_units, result.adopted_units) == (8, 5)


def test_index_breadth_upsell_and_land_and_expand_by_hand(company: Contexts) -> None:
    result = penetration.run(company(tiering=NO_KEY_TIERS))
    # No account reaches the core tier: the index falls back to every account with units.
    assert result.index_basis == "accounts_with_units"
    assert result.index_accounts == 3
    assert result.index == pytest.approx((200 * 2 / 3 + 400 * 2 / 3 + 100 * 0.5) / 700)
    assert result.weighted_index == pytest.approx((200 * 0.4 + 100 * 0.25) / 300)
    accounts = by_account(result)
    assert result.offered_product_lines == 3  # P1, P2, P3 sold in the TTM
    assert accounts.product_lines.tolist() == [2, 2, 1]
    assert accounts.product_breadth.tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])
    # Units adopted before the prior TTM began (2022-12-31): A-1 and S-1.
    assert accounts.upsell_units.tolist() == [1, 0, 1]
    assert accounts.upsell_growth.loc["A"] == pytest.approx(0.5)
    assert np.isnan(accounts.upsell_growth.loc["G"])
    assert accounts.upsell_growth.loc["S"] == pytest.approx(-0.5)
    assert result.upsell_growth == pytest.approx((150 + 100) / (100 + 200) - 1)
    assert accounts.days_to_second.loc["A"] == 605  # 2021-06-15 → 2023-02-10
    assert accounts.days_to_second.loc["G"] == 109  # 2024-02-01 → 2024-05-20
    assert result.expanded_share == pytest.approx(2 / 3)
    assert result.median_days_to_second == 357
    assert accounts.stuck_at_one_unit.tolist() == [False, False, True]
    lines = result.whitespace_product_lines.set_index(["account_id", "product_line"]).revenue
    assert lines.loc[("A", "P3")] == 0.0 and lines.loc[("G", "P1")] == 300.0
    assert len(lines) == 9


def test_quarter_end_series_by_hand(company: Contexts) -> None:
    result = penetration.run(company(tiering=NO_KEY_TIERS))
    g = result.series[result.series.account_id == "G"]
    assert g.date.tolist() == [
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
    ]
    assert g.adopted_units.tolist() == [1, 2, 2, 2]
    assert g.quarter.tolist() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    a = result.series[result.series.account_id == "A"]
    assert a.date.iloc[0] == date(2021, 6, 30) and a.date.iloc[-1] == date(2024, 12, 31)
    assert a.set_index("date").weighted_penetration.loc[date(2023, 3, 31)] == pytest.approx(0.4)
    index = result.index_series.set_index("date")["index"]
    assert index.iloc[-1] == pytest.approx(result.index)
    # 2024-03-31: A 2/3, G 1/3, S 1/2 with today's weights 200, 400, 100.
    assert index.loc[date(2024, 3, 31)] == pytest.approx((200 * 2 / 3 + 400 / 3 + 50) / 700)
    assert index.loc[date(2021, 6, 30)] == pytest.approx(200 / 3 / 700)


def test_market_share_against_penetration_by_hand(company: Contexts) -> None:
    result = penetration.run(company(tiering=NO_KEY_TIERS))
    table = result.industries.set_index("industry")
    assert table.market_share.to_dict() == pytest.approx(
        {"auto": 1300 / 10000, "chem": 400 / 4000, "food": 0.0}
    )
    assert table.penetration.loc["auto"] == pytest.approx((200 * 2 / 3 + 100 * 0.5) / 300)
    assert table.penetration.loc["chem"] == pytest.approx(2 / 3)
    assert table.quadrant.to_dict() == {
        "auto": "shallow_share",
        "chem": "deep_niche",
        "food": None,
    }
    assert result.share_threshold == pytest.approx(0.115)
    findings = {f.code: f for f in result.findings}
    assert findings["penetration.shallow_share"].subjects == ("auto",)
    assert findings["penetration.deep_niche"].subjects == ("chem",)
    assert findings["penetration.stuck_at_one_unit"].subjects == ("S",)
    assert findings["penetration.index"].severity == "info"
    assert findings["penetration.upsell"].severity == "warning"


def test_adoption_from_invoices_can_be_turned_off(company: Contexts) -> None:
    result = penetration.run(company(penetration={"adopted_from_invoices": False}))
    accounts = by_account(result)
    assert accounts.adopted_units.tolist() == [1, 1, 1]  # A-2 and G-2 were invoice-adopted
    assert accounts.stuck_at_one_unit.tolist() == [True, False, True]  # G adopted in 2024


def test_without_rollup_a_plant_invoice_does_not_adopt_the_group_unit(company: Contexts) -> None:
    result = penetration.run(company(audit={"rollup": False}))
    assert by_account(result).adopted_units.loc["G"] == 1


def test_no_market_table_no_quadrants(tmp_path: Path) -> None:
    make = hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES, account_units=UNITS)
    result = penetration.run(make())
    assert result.industries.empty and result.share_threshold is None
    assert not [f for f in result.findings if f.code == "penetration.deep_niche"]


unit_rows = st.lists(
    st.tuples(
        st.sampled_from("abcd"),
        st.one_of(st.none(), st.integers(0, 1900)),  # adoption day after 2020-01-01, <= as-of
        st.one_of(st.none(), st.integers(1, 1000)),  # potential
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(unit_rows, st.lists(st.integers(0, 10**6), min_size=4, max_size=4))
def test_penetration_is_a_share_and_never_falls(rows: list[Any], revenue: list[int]) -> None:
    start, as_of = date(2020, 1, 1), date(2025, 6, 15)
    units = pd.DataFrame(
        {
            "account_id": [a for a, _, _ in rows],
            "unit_id": [str(i) for i in range(len(rows))],
            "potential": [np.nan if p is None else float(p) for _, _, p in rows],
            "adopted_date": [
                None if d is None else (pd.Timestamp(start) + pd.Timedelta(days=d)).date()
                for _, d, _ in rows
            ],
        }
    )
    units["adopted"] = units.adopted_date.notna()
    per = penetration.account_penetration(units)
    assert per.penetration.between(0, 1).all()
    assert per.weighted_penetration.dropna().between(0, 1).all()
    series = penetration.penetration_series(units, as_of)
    for account, s in series.groupby("account_id"):
        assert s.penetration.is_monotonic_increasing
        assert s.date.iloc[-1] == as_of
        assert s.penetration.iloc[-1] == per.penetration.loc[account]
    weights = pd.Series(revenue, index=list("abcd"), dtype=float)
    index = penetration.penetration_index(per.penetration, weights.reindex(per.index))
    if index is not None:
        assert per.penetration.min() - 1e-12 <= index <= per.penetration.max() + 1e-12
        indexed = penetration.index_series(series, weights.reindex(per.index), as_of)
        if indexed.empty:  # no unit adopted yet: nothing to chart
            assert index == 0
        else:
            assert indexed["index"].iloc[-1] == pytest.approx(index)
            assert indexed["index"].is_monotonic_increasing


def expected_series(units: list[dict[str, Any]], as_of: date) -> list[tuple[date, int]]:
    """The planted quarter-end series: adopted units at each quarter end since the first."""
    days = sorted(date.fromisoformat(u["adopted_date"]) for u in units if u["adopted_date"])
    points = []
    year, quarter = days[0].year, (days[0].month - 1) // 3
    while True:
        end = (pd.Timestamp(year, quarter * 3 + 3, 1) + pd.offsets.MonthEnd(0)).date()
        if end > as_of:
            break
        points.append((end, sum(d <= end for d in days)))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    if points[-1][0] != as_of:
        points.append((as_of, sum(d <= as_of for d in days)))
    return points


def test_index_narrows_to_the_strategic_and_core_tiers(company: Contexts) -> None:
    ctx = company()
    tiering = ctx.result("tiering")
    accounts = by_account(penetration.run(company()))
    chosen = accounts.index[:2]  # two of the three accounts with units, tiered by hand
    tiers = tiering.accounts.assign(
        tier=np.where(tiering.accounts.account_id.isin(chosen), "core", "general")
    )
    ctx._memo["result.tiering"] = dataclasses.replace(tiering, accounts=tiers)
    result = penetration.run(ctx)
    assert result.index_basis == "strategic_and_core"
    assert result.index_accounts == 2
    basis = accounts.loc[chosen]
    expected = (basis.penetration * basis.revenue).sum() / basis.revenue.sum()
    assert result.index == pytest.approx(expected)


def test_demo_index_basis_is_the_strategic_and_core_tiers(demo_context: Contexts) -> None:
    result = penetration.run(demo_context())
    assert result.index_basis == "strategic_and_core"
    assert 0 < result.index_accounts <= result.accounts_with_units


def test_demo_penetration_matches_the_planted_units(demo_context: Contexts, demo_files) -> None:
    ctx = demo_context()
    result = penetration.run(ctx)
    planted = demo_files.truth["key_accounts_with_units"]
    accounts = by_account(result)
    assert sorted(accounts.index) == sorted(planted)
    for account, truth in planted.items():
        row = accounts.loc[account]
        assert (row.total_units, row.adopted_units) == (
            truth["total_units"],
            truth["adopted_units"],
        )
        assert row.penetration == pytest.approx(truth["penetration"], abs=1e-6)
        assert row.weighted_penetration == pytest.approx(truth["weighted_penetration"], abs=1e-6)
        series = result.series[result.series.account_id == account]
        assert list(zip(series.date, series.adopted_units, strict=True)) == expected_series(
            truth["units"], ctx.as_of
        )
        units = result.whitespace_units[result.whitespace_units.account_id == account]
        assert {
            u: (d.isoformat() if d else None)
            for u, d in zip(units.unit_id, units.adopted_date, strict=True)
        } == {u["unit_id"]: u["adopted_date"] for u in truth["units"]}
    assert result.index is not None and 0 < result.index <= 1
    assert result.expanded_share == pytest.approx(
        np.mean([t["adopted_units"] >= 2 for t in planted.values()])
    )


def test_plants_of_a_group_may_reuse_a_unit_id(tmp_path: Path) -> None:
    """A unit is (customer, unit id): G1's u1 and G2's u1 are two units of group G."""
    make = hand_company(
        tmp_path,
        customers=[
            ["customer_id", "name", "parent_id"],
            ["G", "集团", ""],
            ["G1", "一厂", "G"],
            ["G2", "二厂", "G"],
        ],
        account_units=[
            ["customer_id", "unit_id", "potential", "adopted_date"],
            ["G1", "u1", "100", "2023-06-15"],
            ["G1", "u2", "300", ""],
            ["G2", "u1", "100", "2024-02-01"],
            ["G2", "u3", "500", ""],
        ],
        invoices=[
            ["invoice_id", "customer_id", "date", "amount", "unit_id", "deal_type"],
            ["1", "G1", "2023-06-20", "1000", "u1", "commercial"],
            ["2", "G1", "2024-05-01", "400", "u1", "commercial"],
            ["3", "G1", "2025-04-01", "600", "u1", "commercial"],
            ["4", "G1", "2024-12-01", "50", "u2", "sample"],
            ["5", "G1", "2025-03-10", "200", "u2", "commercial"],
            ["6", "G2", "2024-03-01", "300", "u1", "commercial"],
            ["7", "G2", "2025-02-01", "500", "u1", "commercial"],
            ["8", "G1", "2025-12-31", "1", "", "commercial"],
        ],
    )
    result = penetration.run(make())
    g = result.accounts.set_index("account_id").loc["G"]
    assert (g.total_units, g.adopted_units, g.penetration) == (4, 3, 0.75)
    assert g.weighted_penetration == pytest.approx(500 / 1000)  # u1 + u1 + u2 (300)
    assert g.days_to_second == (date(2024, 2, 1) - date(2023, 6, 15)).days
    # Up-sell: only G1's u1 was adopted before the prior TTM; G2's u1 bills do not count.
    assert (g.upsell_prior, g.upsell_ttm) == (400.0, 600.0)
    units = result.whitespace_units.set_index(["customer_id", "unit_id"])
    assert str(units.loc[("G1", "u2"), "adopted_date"]) == "2025-03-10"  # first commercial bill
    assert units.loc[("G1", "u2"), "adoption_source"] == "invoice"
    assert units.loc[("G2", "u3"), "adopted"] == False  # noqa: E712
