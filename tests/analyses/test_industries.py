"""Industry traffic light (docs/metrics.md §10): curves, a hand-made company, the demo."""

from __future__ import annotations

import math
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import industries as ind
from keyaccount.config import IndustrySettings

# -- the curves ------------------------------------------------------------------------------


def test_rank_score_spreads_the_values_over_zero_to_ten() -> None:
    values = pd.Series([5.0, 20.0, np.nan, 10.0, 10.0], index=list("abcde"))
    scores = ind.rank_score(values)
    # ranks among the four present: a 1, d/e 2.5 (tie), b 4 → 10 · (rank − 1) / 3
    assert scores.drop("c").to_dict() == pytest.approx({"a": 0.0, "b": 10.0, "d": 5.0, "e": 5.0})
    assert np.isnan(scores["c"])
    assert ind.rank_score(pd.Series([3.0, np.nan])).isna().all()  # one value: not scored


def test_ratio_score_against_the_company_average() -> None:
    values = pd.Series([0.2, 0.4, 1.0, np.nan])
    assert ind.ratio_score(values, 0.4, True).tolist()[:3] == pytest.approx([2.5, 5.0, 10.0])
    lower = ind.ratio_score(pd.Series([50.0, 100.0, 400.0, 0.0, -5.0]), 100.0, False)
    assert lower.tolist() == pytest.approx([10.0, 5.0, 1.25, 10.0, 10.0])
    assert ind.ratio_score(values, None, True).isna().all()
    assert ind.ratio_score(values, 0.0, True).isna().all()


def test_linear_score_is_clipped() -> None:
    scores = ind.linear_score(pd.Series([0.17, 0.52, 0.25, np.nan]), 0.0, 0.5)
    assert scores.tolist()[:3] == pytest.approx([3.4, 10.0, 5.0])
    assert np.isnan(scores.iloc[3])
    nrr = ind.linear_score(pd.Series([0.4, 1.0, 1.3]), 0.5, 1.2)
    assert nrr.tolist() == pytest.approx([0.0, 10.0 * 0.5 / 0.7, 10.0])


def test_weights_renormalise_over_the_scored_criteria() -> None:
    scores = pd.DataFrame(
        {"a": [8.0, 8.0, np.nan], "b": [2.0, np.nan, np.nan]}, index=["full", "half", "none"]
    )
    out = ind.weighted_total(scores, {"a": 30, "b": 10})
    assert out.total["full"] == pytest.approx((30 * 8 + 10 * 2) / 40)
    assert out.total["half"] == pytest.approx(8.0)  # b not scored: not a zero
    assert np.isnan(out.total["none"])
    assert out.scored_weight.tolist() == pytest.approx([1.0, 0.75, 0.0])


def test_lights_at_the_thresholds() -> None:
    assert [ind.light(x, 7, 5) for x in (7.0, 6.99, 5.0, 4.99, None, math.nan)] == [
        "green",
        "yellow",
        "yellow",
        "red",
        None,
        None,
    ]


# -- budget ----------------------------------------------------------------------------------


def test_budget_split_by_light_then_score_to_the_cent() -> None:
    split = ind.split_budget(
        ["green", "green", "yellow", "red", None, "red"],
        [8.0, 7.0, 6.0, 3.0, 0.0, 4.0],
        [True, True, True, True, True, False],  # the last is a catch-all: no budget
        50_000_000,
        (0.6, 0.3, 0.1),
    )
    assert split.cents == [1_600_000_000, 1_400_000_000, 1_500_000_000, 500_000_000, None, None]
    assert split.tiers.budget.tolist() == [30_000_000.0, 15_000_000.0, 5_000_000.0]
    assert split.tiers.industries.tolist() == [2, 1, 1]
    assert split.shares == pytest.approx([0.6 * 8 / 15, 0.6 * 7 / 15, 0.3, 0.1, None, None])
    shares_only = ind.split_budget(["green", "red"], [8.0, 3.0], [True, True], None, (6, 3, 1))
    assert shares_only.shares == pytest.approx([6 / 7, 1 / 7]) and shares_only.cents == [None] * 2
    assert shares_only.tiers.budget.isna().all()


def test_a_light_without_industries_passes_its_share_on() -> None:
    split = ind.split_budget(
        ["green", "red", "red"], [9.0, 1.0, 2.0], [True] * 3, 100.0, (0.6, 0.3, 0.1)
    )
    # yellow is empty: green gets 0.6 / 0.7, red 0.1 / 0.7 of 100.00
    assert split.tiers.share.tolist() == pytest.approx([0.6 / 0.7, 0.0, 0.1 / 0.7])
    assert split.cents[0] == 8571 and split.cents[1] + split.cents[2] == 1429
    assert split.cents[1:] == [476, 953]  # 1429 by score 1 : 2, the odd cent to the larger rest
    nothing = ind.split_budget([None], [0.0], [True], 100.0, (0.6, 0.3, 0.1))
    assert nothing.cents == [None] and nothing.tiers.budget.sum() == 0


def test_zero_scores_in_a_light_split_equally() -> None:
    split = ind.split_budget(["red"] * 3, [0.0] * 3, [True] * 3, 1.0, (0.6, 0.3, 0.1))
    assert split.cents == [34, 33, 33]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["green", "yellow", "red", None]),
            st.floats(0, 10),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    ),
    st.decimals(0, 10**10, places=2),
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
)
def test_budget_shares_add_up_to_the_budget(rows, budget, shares) -> None:
    lights = [r[0] for r in rows]
    split = ind.split_budget(
        lights, [r[1] for r in rows], [r[2] for r in rows], float(budget), shares
    )
    given_cents = sum(c for c in split.cents if c is not None)
    assert all(c is None or c >= 0 for c in split.cents)
    tier_cents = round(float(split.tiers.budget.sum()) * 100)
    assert given_cents == tier_cents
    funded = any(lt is not None and ok for lt, _, ok in rows)
    if (
        funded
        and sum(shares) > 0
        and any(
            shares[k] > 0
            for k, lt in enumerate(ind.LIGHTS)
            if any(r[0] == lt and r[2] for r in rows)
        )
    ):
        assert given_cents == int(budget * 100)
        assert sum(x for x in split.shares if x is not None) == pytest.approx(1.0)
    else:
        assert given_cents == 0


# -- milestones ------------------------------------------------------------------------------


def test_milestones_reach_shares_next_and_gap() -> None:
    counts = pd.DataFrame(
        {
            "industry": ["a", "b", "c"],
            "untouched": [6, 3, 0],
            "contacted": [2, 1, 1],
            "funnel": [1, 0, 2],
            "won": [1, 0, 7],
        }
    )
    table = ind.milestone_table(counts, (0.3, 0.6, 0.9)).set_index("industry")
    assert table.loc["a", ["targets", "contacted", "funnel", "won"]].tolist() == [10, 4, 2, 1]
    assert table.loc["a", "contacted_share"] == pytest.approx(0.4)
    assert table.loc["a", "milestones_met"] == 1 and table.loc["a", "next_milestone"] == 0.6
    assert table.loc["a", "short_of_next"] == 2
    assert table.loc["b", "milestones_met"] == 0 and table.loc["b", "short_of_next"] == 1
    assert table.loc["c", "milestones_met"] == 3 and np.isnan(table.loc["c", "next_milestone"])
    assert table.loc["c", "won_share"] == pytest.approx(0.7)


# -- taxonomy --------------------------------------------------------------------------------


def test_normalise_and_edit_distance() -> None:
    assert ind.normalise("汽车零部件业") == ind.normalise("汽车零部件") == "汽车零部件"
    assert ind.normalise("ＩＴ服务行业") == "it服务"
    assert ind.normalise(" Business  Services ") == "businessservices"
    assert ind.normalise("Retail Industry") == "retail"
    assert ind.normalise("业") == "业"
    assert ind.edit_distance("电子制造", "电子智造") == 1
    assert ind.edit_distance("kitten", "sitting") == 3
    assert ind.edit_distance("abc", "abc") == 0


def test_near_duplicates_keep_the_listed_spelling() -> None:
    labels = {
        "汽车零部件": 71,
        "汽车零部件业": 17,
        "化工": 10,
        "化学": 5,
        "电子制造": 3,
        "电子智造": 9,
    }
    pairs = ind.near_duplicates(labels, ["汽车零部件", "电子制造"], 1, 4)
    assert pairs[["canonical", "label", "reason"]].values.tolist() == [
        ["汽车零部件", "汽车零部件业", "normalised"],
        ["电子制造", "电子智造", "edit_distance"],  # the industries table's spelling is kept
    ]
    assert ind.near_duplicates(labels, [], 0, 4).label.tolist() == ["汽车零部件业"]


def test_top_line_agreement_and_catch_all_rules() -> None:
    lines = pd.DataFrame(
        {
            "label": ["x", "x", "x", "x", "y", "y", "y"],
            "customer_id": ["1", "1", "2", "3", "4", "5", "6"],
            "product_line": ["A", "B", "A", "B", "A", "B", "C"],
            "revenue": [5.0, 3.0, 2.0, 4.0, 1.0, 1.0, 1.0],
        }
    )
    agreement = ind.top_line_agreement(lines)
    assert agreement.to_dict() == pytest.approx({"x": 2 / 3, "y": 1 / 3})
    customers = pd.DataFrame(
        {
            "label": ["x", "x", "x", "y", "y", "y", "其他", None, None, "z"],
            "industry_l2": ["x1", "x2", None, "y1", "y1", None, None, None, None, None],
        }
    )
    table = ind.taxonomy_table(customers, agreement, IndustrySettings()).set_index("industry")
    assert table.loc["y", "outsized"] and table.loc["y", "mixed"] and table.loc["y", "catch_all"]
    assert table.loc["x", "outsized"] and not table.loc["x", "catch_all"]
    assert table.loc["其他", "listed"] and table.loc["其他", "catch_all"]
    assert not table.loc["z", "catch_all"] and np.isnan(table.loc["z", "top_line_agreement"])
    assert table.loc["y", "level2_share"] == pytest.approx(2 / 3)
    assert table.loc["y", "level2_values"] == 1 and table.loc["x", "level2_values"] == 2
    assert table.customers.sum() == 8  # the unknown rows are not a label


# -- a hand-made company ---------------------------------------------------------------------

CUSTOMERS = [
    ["customer_id", "name", "industry", "industry_l2"],
    ["A1", "Axle", "Auto", ""],
    ["A2", "Brake", "Auto", ""],
    ["A3", "Clutch", "Auto", ""],
    ["E1", "Diode", "Electronics", ""],
    ["E2", "Emitter", "Electronics", ""],
    ["E3", "Fuse", "Electronics", ""],
    ["S1", "Trader", "商务服务", "贸易"],
    ["S2", "Consult", "商务服务", ""],
    ["X1", "Nobody", "", ""],
    ["D1", "Gear", "Auto Industry", ""],
]
# As-of 2024-12-31: TTM = 2024, prior TTM = 2023.
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "product_line"],
    ["1", "A1", "2023-06-01", "100", "L1"],
    ["2", "A1", "2024-06-01", "150", "L1"],
    ["3", "A2", "2023-06-01", "100", "L1"],
    ["4", "A2", "2024-06-01", "50", "L1"],
    ["5", "A3", "2024-03-01", "100", "L2"],
    ["6", "E1", "2023-05-01", "200", "L2"],
    ["7", "E1", "2024-05-01", "300", "L2"],
    ["8", "E2", "2023-05-01", "100", "L2"],
    ["9", "E2", "2024-05-01", "200", "L2"],
    ["10", "E3", "2023-05-01", "100", "L1"],
    ["11", "S1", "2024-02-01", "50", "L1"],
    ["12", "S2", "2024-12-31", "50", "L2"],
    ["13", "X1", "2024-07-01", "30", "L1"],
    ["14", "D1", "2024-08-01", "20", "L1"],
]
INDUSTRIES = [
    [
        "industry",
        "market_size",
        "market_growth",
        "investment_events",
        "investment_amount",
        "top20_share",
        "fit_score",
    ],
    ["Auto", "300", "30%", "10", "50", "25%", "8"],
    ["Electronics", "500", "5%", "20", "40", "60%", "10"],
    ["Pharma", "100", "20%", "5", "10", "40%", "9"],
    ["商务服务", "", "", "", "", "", "2"],
]
OPPORTUNITIES = [
    ["opportunity_id", "customer_id", "created", "stage", "closed", "won", "amount", "industry"],
    ["O1", "A1", "2024-01-01", "closed", "2024-02-01", "true", "100", ""],
    ["O2", "A2", "2024-01-01", "closed", "2024-02-01", "false", "900", ""],
    ["O3", "A3", "2024-01-01", "closed", "2024-02-01", "true", "300", ""],
    ["O4", "A1", "2024-01-01", "closed", "2024-03-01", "false", "", ""],
    ["O5", "S1", "2024-01-01", "closed", "2024-03-01", "true", "200", "Auto"],  # the deal's own
    ["O6", "E1", "2024-01-01", "closed", "2024-02-01", "true", "600", "Electronics"],
    ["O7", "E2", "2024-01-01", "closed", "2024-02-01", "true", "200", ""],
    ["O8", "E3", "2024-01-01", "closed", "2024-02-01", "false", "50", ""],
    ["O9", "E1", "2024-01-01", "closed", "2024-02-01", "false", "50", ""],
    ["O10", "E2", "2024-01-01", "closed", "2024-02-01", "false", "50", ""],
    ["O11", "X1", "2024-01-01", "closed", "2024-02-01", "false", "70", ""],
    ["O12", "S2", "2024-06-01", "proposal", "", "", "500", ""],  # open
    ["O13", "A1", "2024-06-01", "closed", "2025-02-01", "true", "999", ""],  # after the as-of
]
COSTS = [
    ["period", "category", "amount", "customer_id"],
    ["2024-01-01", "acquisition", "300", ""],
    ["2024-01-01", "acquisition", "100", "A1"],
    ["2024-01-01", "acquisition", "100", "A2"],
    ["2024-01-01", "acquisition", "400", "A3"],
    ["2024-01-01", "acquisition", "100", "E1"],
    ["2024-01-01", "acquisition", "100", "E2"],
    ["2024-01-01", "acquisition", "100", "E3"],
]
TARGETS = [
    ["industry", "account_name", "status"],
    *[
        ["Auto", f"Auto target {i}", s]
        for i, s in enumerate(["won", "funnel", "contacted", "已接触"])
    ],
    *[["Auto", f"Auto prospect {i}", "untouched"] for i in range(6)],
    ["Electronics", "Chip one", "contacted"],
    ["Electronics", "Chip two", ""],
    ["Electronics", "Chip three", "未接触"],
    ["Electronics", "Chip four", "untouched"],
]
TEST_SETTINGS = {"min_accounts": 2, "min_deals": 2, "min_scored_weight": 0.2}


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    """The hand-made company with market data, a funnel, costs and targets."""
    return hand_company(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        industries=INDUSTRIES,
        opportunities=OPPORTUNITIES,
        costs=COSTS,
        targets=TARGETS,
    )


def test_own_data_by_hand(company: Contexts) -> None:
    result = ind.run(company(industries=TEST_SETTINGS))
    t = result.scores.set_index("industry")
    assert t.revenue.to_dict() == pytest.approx(
        {
            "Auto": 300.0,
            "Electronics": 500.0,
            "商务服务": 100.0,
            "Auto Industry": 20.0,
            "Pharma": 0.0,
            "(unknown)": 30.0,
        }
    )
    assert t.revenue_prior["Auto"] == 200.0 and t.growth["Auto"] == pytest.approx(0.5)
    assert t.revenue_share["Electronics"] == pytest.approx(500 / 950)
    assert t.accounts.to_dict() == {
        "Auto": 3,
        "Electronics": 2,
        "商务服务": 2,
        "Auto Industry": 1,
        "Pharma": 0,
        "(unknown)": 1,
    }
    assert t.nrr["Auto"] == pytest.approx(1.0) and t.nrr["Electronics"] == pytest.approx(1.25)
    assert t.nrr.isna()["商务服务"]  # nobody bought in the prior TTM
    # Auto: O1, O3 and S1's deal labelled Auto won, O2 and O4 lost; O12 open, O13 after as-of.
    assert t.closed_deals.to_dict() == {
        "Auto": 5,
        "Electronics": 5,
        "商务服务": 0,
        "Auto Industry": 0,
        "Pharma": 0,
        "(unknown)": 1,
    }
    assert t.win_rate["Auto"] == pytest.approx(0.6) and t.win_rate["Electronics"] == 0.4
    assert t.avg_deal_size["Auto"] == pytest.approx(200.0)
    assert t.avg_deal_size["Electronics"] == pytest.approx(400.0)
    assert result.company_win_rate == pytest.approx(5 / 11)
    assert result.company_deal_size == pytest.approx(1400 / 5)
    # CAC: tagged A 100/100/400, E 100 each; S1 takes 2024Q1's blended 300 / 2 new (A3, S1).
    assert t.cac["Auto"] == pytest.approx(200.0) and t.cac["Electronics"] == 100.0
    assert result.company_cac is not None


def test_scores_total_and_lights_by_hand(company: Contexts) -> None:
    result = ind.run(company(industries=TEST_SETTINGS))
    t = result.scores.set_index("industry")
    company_cac = result.company_cac
    assert company_cac is not None
    expected = {
        "Auto": {
            "investment": (5 + 10) / 2,  # events rank 2 of 3, amount rank 3 of 3
            "market": (5 + 10) / 2,
            "concentration": 5.0,  # 25% of the 50% that scores 10
            "win_rate": 5 * 0.6 / (5 / 11),
            "deal_size": 5 * 200 / 280,
            "cac": 5 * company_cac / 200,
            "retention": 10 * (1.0 - 0.5) / (1.2 - 0.5),
            "fit": 8.0,
        },
        "Electronics": {
            "investment": (10 + 5) / 2,
            "market": (10 + 0) / 2,
            "concentration": 10.0,
            "win_rate": 5 * 0.4 / (5 / 11),
            "deal_size": 5 * 400 / 280,
            "cac": min(5 * company_cac / 100, 10.0),
            "retention": 10.0,
            "fit": 10.0,
        },
    }
    weights = IndustrySettings().weights.model_dump()
    for name, scores in expected.items():
        for criterion, value in scores.items():
            assert t.loc[name, f"score_{criterion}"] == pytest.approx(value), (name, criterion)
        total = sum(weights[c] * v for c, v in scores.items()) / sum(weights.values())
        assert t.total[name] == pytest.approx(total)
        assert t.scored_weight[name] == pytest.approx(1.0)
    # Pharma has market data only: 55 of the 100 weight points, re-normalised.
    assert t.score_investment["Pharma"] == 0.0 and t.score_market["Pharma"] == 2.5
    assert t.total["Pharma"] == pytest.approx((15 * 0 + 15 * 2.5 + 10 * 8 + 15 * 9) / 55)
    assert t.scored_weight["Pharma"] == pytest.approx(0.55)
    assert np.isnan(t.score_win_rate["Pharma"])  # not scored, not zero
    assert t.light.to_dict() == {
        "Electronics": "green",
        "Auto": "yellow",
        "商务服务": "red",
        "Pharma": "red",
        "Auto Industry": None,  # nothing scored
        "(unknown)": None,
    }
    assert list(t.index) == [
        "Electronics",
        "Auto",
        "Pharma",
        "商务服务",
        "Auto Industry",
        "(unknown)",
    ]
    assert (result.green, result.yellow, result.red, result.industries) == (1, 1, 2, 4)
    # With the default minimum of half the weight scored, 商务服务 (fit and CAC) gets no light.
    default = ind.run(company(industries={"min_accounts": 2, "min_deals": 2}))
    assert default.scores.set_index("industry").light["商务服务"] is None


def test_budget_milestones_taxonomy_and_findings(company: Contexts) -> None:
    result = ind.run(company(industries=TEST_SETTINGS | {"budget": 1000.0}))
    t = result.scores.set_index("industry")
    # 商务服务 is red but a catch-all: Pharma takes the whole red share.
    assert t.budget.dropna().to_dict() == {"Electronics": 600.0, "Auto": 300.0, "Pharma": 100.0}
    assert result.budget_tiers.budget.tolist() == [600.0, 300.0, 100.0]

    m = result.milestones.set_index("industry")
    assert m.loc["Auto", ["targets", "contacted", "funnel", "won"]].tolist() == [10, 4, 2, 1]
    assert m.loc["Auto", "next_milestone"] == 0.6 and m.loc["Auto", "short_of_next"] == 2
    assert m.loc["Electronics", "contacted_share"] == 0.25
    assert m.loc["Electronics", "short_of_next"] == 1
    assert result.targets == 14 and result.targets_contacted_share == pytest.approx(5 / 14)

    tax = result.taxonomy.set_index("industry")
    assert tax.loc["商务服务", "catch_all"] and tax.loc["商务服务", "listed"]
    assert tax.loc["商务服务", "share"] == pytest.approx(0.2)
    assert tax.loc["商务服务", "level2_share"] == 0.5
    assert tax.loc["Auto", "top_line_agreement"] == pytest.approx(2 / 3)
    assert result.catch_all_labels == ("商务服务",)
    assert result.unknown_customers == 1 and result.unknown_share == pytest.approx(0.1)
    assert result.near_duplicates[["canonical", "label"]].values.tolist() == [
        ["Auto", "Auto Industry"]
    ]

    found = {f.code: f for f in result.findings}
    assert found["industries.lights"].subjects == ("Electronics",)
    assert found["industries.red_revenue"].subjects == ("商务服务",)
    assert found["industries.red_revenue"].values["revenue_share"] == pytest.approx(100 / 950)
    assert found["industries.catch_all"].severity == "alert"
    assert found["industries.catch_all"].values["level2_values"] == 1
    assert found["industries.near_duplicate"].subjects == ("Auto Industry", "Auto")
    assert found["industries.unknown"].severity == "warning"
    assert found["industries.budget"].values == pytest.approx(
        {"budget": 1000.0, "green": 600.0, "yellow": 300.0, "red": 100.0}
    )
    assert found["industries.milestone_behind"].subjects == ("Electronics",)
    assert found["industries.milestone_behind"].values["short"] == 1


def test_without_funnel_costs_or_targets_those_criteria_are_not_scored(tmp_path: Path) -> None:
    make = hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES, industries=INDUSTRIES)
    result = ind.run(make(industries={"min_accounts": 2}))
    t = result.scores.set_index("industry")
    assert t.score_win_rate.isna().all() and t.score_deal_size.isna().all()
    assert t.score_cac.isna().all() and result.company_cac is None
    assert result.milestones.empty and result.targets == 0
    assert t.budget.isna().all() and result.budget_tiers.budget.isna().all()
    assert t.budget_share.sum() == pytest.approx(1.0)  # the split holds without an amount
    assert t.scored_weight["Auto"] == pytest.approx(0.65)  # no win rate, deal size, CAC
    codes = {f.code for f in result.findings}
    assert "industries.budget" not in codes and "industries.milestones" not in codes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(*(st.one_of(st.none(), st.floats(-5, 50)) for _ in range(8))),
        min_size=1,
        max_size=8,
    )
)
def test_totals_stay_between_zero_and_ten(rows: list[tuple[float | None, ...]]) -> None:
    raw = pd.DataFrame(rows, columns=list(ind.CRITERIA), dtype=float)
    scores = pd.DataFrame(
        {
            "investment": ind.rank_score(raw.investment),
            "market": ind.rank_score(raw.market),
            "concentration": ind.linear_score(raw.concentration, 0.0, 0.5),
            "win_rate": ind.ratio_score(raw.win_rate, 1.0, True),
            "deal_size": ind.ratio_score(raw.deal_size, 3.0, True),
            "cac": ind.ratio_score(raw.cac, 2.0, False),
            "retention": ind.linear_score(raw.retention, 0.5, 1.2),
            "fit": raw.fit.clip(0, 10),
        }
    )
    present = scores.stack()
    assert ((present >= 0) & (present <= 10)).all()
    out = ind.weighted_total(scores, IndustrySettings().weights.model_dump())
    totals = out.total.dropna()
    assert ((totals >= 0) & (totals <= 10)).all()
    assert (out.total.isna() == scores.isna().all(axis=1)).all()


# -- the demo --------------------------------------------------------------------------------


def test_demo_flags_the_planted_taxonomy_problems(demo_context: Contexts, demo_files) -> None:
    truth = demo_files.truth["catch_all_industry"]
    result = ind.run(demo_context())
    assert result.catch_all_labels == (truth["label"],)
    tax = result.taxonomy.set_index("industry")
    row = tax.loc[truth["label"]]
    assert row.customers == truth["customers"]
    assert row.share == pytest.approx(truth["share_of_customers"], abs=1e-4)
    assert row.listed and row.outsized and row.mixed  # caught by its name and by its data
    for label, agreement in truth["top_line_agreement"].items():
        assert tax.top_line_agreement[label] == pytest.approx(agreement, abs=1e-6)
    assert result.unknown_customers == truth["empty_industry_customers"]
    assert result.unknown_share == pytest.approx(truth["empty_industry_share"], abs=1e-4)
    canonical, spelled = truth["near_duplicates"]
    assert result.near_duplicates[["canonical", "label"]].values.tolist() == [[canonical, spelled]]
    assert result.near_duplicates.label_customers[0] == truth["near_duplicate_customers"]
    found = {f.code: f for f in result.findings}
    assert found["industries.catch_all"].subjects == (truth["label"],)
    assert found["industries.catch_all"].severity == "alert"
    assert found["industries.near_duplicate"].subjects == (spelled, canonical)
    assert found["industries.unknown"].severity == "warning"
    # Without its name on the list the catch-all is still caught by its mixed buying.
    unlisted = ind.run(demo_context(industries={"catch_all_labels": []}))
    assert unlisted.catch_all_labels == (truth["label"],)


def test_demo_traffic_light_budget_and_milestones(demo_context: Contexts) -> None:
    result = ind.run(demo_context(industries={"budget": 50_000_000}))
    t = result.scores.set_index("industry")
    assert result.industries >= 5 and result.green >= 1 and result.red >= 1
    lit = t[t.light.notna()]
    assert ((lit.total >= 0) & (lit.total <= 10)).all()
    assert (lit.light == [ind.light(x, 7, 5) for x in lit.total]).all()
    assert t.light["(unknown)"] is None
    assert np.isnan(t.budget["商务服务"])  # a catch-all gets no budget
    assert round(t.budget.sum() * 100) == 50_000_000 * 100
    assert result.budget_tiers.budget.tolist() == [30_000_000.0, 15_000_000.0, 5_000_000.0]
    assert t.score_fit["新能源"] == 9.0 and t.score_cac.notna().sum() >= 5
    assert result.targets == 275
    m = result.milestones.set_index("industry")
    assert m.targets.sum() == 275 and m.loc["冶金", "milestones_met"] == 0
    assert (m.contacted >= m.funnel).all() and (m.funnel >= m.won).all()
