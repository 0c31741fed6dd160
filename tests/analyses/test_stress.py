"""Stress tests (docs/metrics.md §2) on the hand-made company of test_profitability; the demo."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_profitability import COMPANY_CONTRIBUTION, CONTRIBUTION, COSTS, CUSTOMERS, INVOICES

from helpers import Contexts, hand_company
from keyaccount.analyses import stress
from keyaccount.data.demo import DemoFiles

EXACT = {"rel": 1e-12, "abs": 1e-9}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Contexts:
    """Contexts over the hand-made company (imported once), with the settings given."""
    folder = tmp_path_factory.mktemp("small")
    return hand_company(folder, customers=CUSTOMERS, invoices=INVOICES, costs=COSTS)


# From test_profitability (window revenue, gross profit, contribution, open receivables):
#   G 5000, 900, −174.25, 1000;  A 3000, 1500, 482.74, 3777;  B 2000, 500, 160, 999;
#   C 0, 0, −50, 0.  Company: 10000, 2900, 418.49, 5776.
# Fixed costs 20 a month: operating result 418.49 − 240 = 178.49 (a profit: no runway limit).
FIXED = 20.0
CASH = 1000.0


def test_standard_scenarios_hand_computed(small) -> None:
    ctx = small(audit={"top_k": 2}, company={"fixed_costs_per_month": FIXED, "cash": CASH})
    result = stress.run(ctx)
    base = result.baseline
    assert (base.revenue, base.gross_profit, base.receivables) == (10000.0, 2900.0, 5776.0)
    assert base.contribution == pytest.approx(COMPANY_CONTRIBUTION, **EXACT)
    assert base.operating_result == pytest.approx(COMPANY_CONTRIBUTION - 240, **EXACT)
    assert base.runway_months is None

    # Lose G: contribution goes *up* (G destroys 174.25); its pooled share 850 would stay.
    top1 = result.top1
    assert top1.accounts == ("G",) and top1.subjects == ("G",)
    assert (top1.revenue_lost, top1.revenue_lost_share, top1.gross_profit_lost) == (
        5000.0,
        0.5,
        900.0,
    )
    assert top1.contribution_lost == pytest.approx(CONTRIBUTION["G"], **EXACT)
    assert top1.pooled_costs_kept == pytest.approx(850, **EXACT)
    assert top1.receivables_at_risk == 1000.0
    assert top1.operating_result == pytest.approx(COMPANY_CONTRIBUTION - CONTRIBUTION["G"] - 240)
    assert top1.runway_months is None

    # Lose G and A: contribution left = B 160 + C −50 = 110; 110 − 240 = −130 a year, so
    # 1000 of cash lasts 1000 / (130 / 12) = 92.3 months.
    top_k = result.top_k
    assert top_k.accounts == ("G", "A")
    assert (top_k.revenue_lost, top_k.revenue_lost_share, top_k.gross_profit_lost) == (
        8000.0,
        0.8,
        2400.0,
    )
    assert top_k.receivables_at_risk == 4777.0
    assert top_k.contribution_after == pytest.approx(110.0, **EXACT)
    assert top_k.operating_result == pytest.approx(-130.0, **EXACT)
    assert top_k.runway_months == pytest.approx(1000 / (130 / 12), **EXACT)

    # Industry: 汽车 (G 5000 + B 2000) against 电力 (A 3000).
    industry = result.top_industry
    assert industry.subjects == ("汽车",) and industry.accounts == ("G", "B")
    assert (industry.revenue_lost, industry.gross_profit_lost) == (7000.0, 1400.0)
    assert industry.contribution_lost == pytest.approx(CONTRIBUTION["G"] + 160, **EXACT)
    assert industry.receivables_at_risk == 1999.0

    # Region: 上海 (A + B = 5000) ties 江苏 (G, the group's own row: 5000); as in §1 the tie
    # goes to the first name. C (no revenue) is in 上海 too and leaves with it.
    region = result.top_region
    assert region.subjects == ("上海",) and set(region.accounts) == {"A", "B", "C"}
    assert (region.revenue_lost, region.gross_profit_lost) == (5000.0, 2000.0)
    assert region.contribution_lost == pytest.approx(
        CONTRIBUTION["A"] + CONTRIBUTION["B"] + CONTRIBUTION["C"], **EXACT
    )
    assert region.receivables_at_risk == 4776.0

    table = result.scenarios.set_index("name")
    assert list(table.index) == ["top1", "top_k", "top_industry", "top_region"]
    assert table.account_count.to_dict() == {
        "top1": 1,
        "top_k": 2,
        "top_industry": 2,
        "top_region": 3,
    }
    by_code = {f.code: f for f in result.findings}
    assert by_code["stress.top_k"].severity == "alert"
    assert by_code["stress.top_k"].values["turns_to_loss"] is True
    assert by_code["stress.top1"].severity == "info"
    assert result.probabilistic is None  # a few months of history: the churn model does not rank
    assert "stress.probabilistic" not in by_code
    assert list(result.figures()["top1"]["accounts"]) == ["G"]


def test_a_loss_making_company_has_a_runway(small) -> None:
    ctx = small(company={"fixed_costs_per_month": 100.0, "cash": CASH})
    result = stress.run(ctx)
    # 418.49 − 1200 = −781.51 a year: 1000 / (781.51 / 12) = 15.35 months.
    yearly = COMPANY_CONTRIBUTION - 1200
    assert result.baseline.runway_months == pytest.approx(CASH / (-yearly / 12), **EXACT)
    top1 = result.top1  # losing G, a value destroyer, lengthens the runway
    assert top1.runway_months == pytest.approx(CASH / (-(yearly - CONTRIBUTION["G"]) / 12), **EXACT)
    assert top1.runway_months > result.baseline.runway_months


def test_without_company_facts_no_operating_result(small) -> None:
    result = stress.run(small())
    assert result.baseline.operating_result is None and result.baseline.runway_months is None
    assert result.top_k.operating_result is None and result.top_k.runway_months is None
    assert result.top_k.accounts == ("G", "A", "B")  # top_k 5, but only 3 accounts earn


def test_named_scenarios(small) -> None:
    ctx = small()
    # A plant names its group under roll-up; an industry takes its accounts.
    both = stress.named_scenario(ctx, customers=["G2"], industries=["电力"])
    assert set(both.accounts) == {"G", "A"} and both.subjects == ("G2", "电力")
    assert both.revenue_lost == 8000.0
    unknown = stress.named_scenario(ctx, industries=["(unknown)"])  # C has no industry
    assert unknown.accounts == ("C",) and unknown.contribution_lost == pytest.approx(-50.0)
    region = stress.named_scenario(ctx, regions=["江苏"], name="jiangsu")
    assert (region.name, region.accounts, region.revenue_lost_share) == ("jiangsu", ("G",), 0.5)
    with pytest.raises(ValueError, match="unknown customer"):
        stress.named_scenario(ctx, customers=["NOPE"])
    with pytest.raises(ValueError, match="unknown industry"):
        stress.named_scenario(ctx, industries=["造船"])
    # Without roll-up the plant stands alone: G2's 1000 of revenue.
    plant = stress.named_scenario(small(audit={"rollup": False}), customers=["G2"])
    assert (plant.accounts, plant.revenue_lost, plant.receivables_at_risk) == (
        ("G2",),
        1000.0,
        1000.0,
    )


def test_runway_and_operating_result_formulas() -> None:
    assert stress.operating_result(1200.0, 50.0) == 600.0
    assert stress.runway_months(900.0, -1200.0) == 9.0  # 100 a month
    assert stress.runway_months(900.0, 0.0) is None
    assert stress.runway_months(-5.0, -1200.0) == 0.0
    frame = pd.DataFrame(
        {
            "account_id": ["x", "y"],
            "revenue": [30.0, 10.0],
            "gross_profit": [6.0, 5.0],
            "contribution": [3.0, 1.0],
            "pooled_costs": [1.0, 0.5],
            "unpaid": [7.0, 0.0],
        }
    )
    # A six-month window: contribution 4 → 8 a year; without x: 1 → 2 a year.
    base = stress.baseline(frame, 6, fixed_costs_per_month=1.0, cash=10.0)
    assert (base.yearly_contribution, base.operating_result) == (8.0, -4.0)
    lost = stress.lose(frame, ["x"], base, 6, "x")
    assert lost.operating_result == 2.0 - 12.0 and lost.runway_months == 12.0
    assert lost.revenue_lost_share == 0.75
    assert math.isclose(lost.pooled_costs_kept, 1.0)


def test_demo_top1_is_the_planted_group(demo_context: Contexts, demo_files: DemoFiles) -> None:
    truth = demo_files.truth["top_customer"]
    ctx = demo_context()
    result = stress.run(ctx)
    assert result.baseline.revenue == pytest.approx(truth["ttm_revenue_total"], abs=0.01)
    assert result.top1.accounts == (truth["group_parent"],)
    # The truth's share is rounded to two decimals.
    assert result.top1.revenue_lost_share == pytest.approx(truth["top1_share_rolled_up"], abs=0.005)
    members = stress.named_scenario(ctx, customers=truth["group_members"])
    assert members.accounts == (truth["group_parent"],)
    assert members.revenue_lost == pytest.approx(result.top1.revenue_lost, **EXACT)


def test_demo_probabilistic_scenario_is_the_churn_models_monte_carlo(
    demo_audit: dict,
) -> None:
    stress = demo_audit["stress"]["probabilistic"]
    assert stress == demo_audit["churn_risk"]["probabilistic"]
    assert stress["draws"] == 10000
    assert stress["revenue_p5"] <= stress["revenue_p50"] <= stress["revenue_p95"]
    assert stress["revenue_p95"] <= stress["ttm_revenue"]
    assert stress["ttm_revenue"] == pytest.approx(demo_audit["concentration"]["total_revenue"])
    finding = next(
        f for f in demo_audit["stress"]["findings"] if f["code"] == "stress.probabilistic"
    )
    assert finding["values"]["revenue_p50"] == stress["revenue_p50"]
