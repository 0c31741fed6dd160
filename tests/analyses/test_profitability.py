"""True profitability (docs/metrics.md §3): hand-computed P&L, invariants, demo black holes."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import profitability as prof
from keyaccount.analyses.tiering import current_scores, growth_potential
from keyaccount.config import ProfitabilitySettings
from keyaccount.data.demo import DemoFiles

EXACT = {"rel": 1e-12, "abs": 1e-9}


# A group G (plants G1, G2) and three single accounts. As-of = the last commercial invoice,
# 2025-06-30: invoice window (2024-06-30, 2025-06-30], cost months July 2024 … June 2025.
CUSTOMERS = [
    ["customer_id", "name", "parent_id", "industry", "region"],
    ["G", "集团", "", "汽车", "江苏"],
    ["G1", "一厂", "G", "汽车", "江苏"],
    ["G2", "二厂", "G", "汽车", "上海"],
    ["A", "甲", "", "电力", "上海"],
    ["B", "乙", "", "汽车", "上海"],
    ["C", "丙", "", "", "上海"],
]
INVOICES = [
    [
        "invoice_id",
        "customer_id",
        "date",
        "amount",
        "cost",
        "rebate",
        "deal_type",
        "payment_days",
        "paid_date",
    ],
    # G1: paid after 60 days (the paid date wins over payment_days 30).
    ["1", "G1", "2025-03-01", "4000", "3400", "30", "commercial", "30", "2025-04-30"],
    # G2: no cost (estimated at 30% margin), unpaid, 90-day terms.
    ["2", "G2", "2025-05-01", "1000", "", "", "commercial", "90", ""],
    # A: paid 195 days later, after the as-of date (so still open at the as-of date).
    ["3", "A", "2025-01-01", "3500", "1800", "100", "commercial", "", "2025-07-15"],
    # A: a credit note with no days at all: the default 60 days.
    ["4", "A", "2025-02-01", "-500", "-300", "", "commercial", "", ""],
    ["5", "B", "2025-06-30", "2000", "1500", "", "commercial", "", "2025-06-30"],
    # On the window's open end: prior TTM, still unpaid.
    ["6", "B", "2024-06-30", "999", "500", "", "commercial", "", ""],
    ["7", "A", "2024-03-01", "2000", "1000", "", "commercial", "", "2024-04-01"],
    ["8", "G1", "2024-01-15", "5000", "4000", "", "commercial", "", "2024-02-15"],
    # A sample: not revenue, but an open receivable.
    ["9", "A", "2025-02-01", "777", "600", "", "sample", "", ""],
    ["10", "C", "2024-05-01", "100", "50", "", "commercial", "", "2024-05-10"],
]
COSTS = [
    ["period", "category", "amount", "customer_id"],
    ["2025-01-01", "support", "300", "A"],
    ["2025-03-01", "service_team", "1000", ""],
    ["2024-07-01", "custom_rnd", "500", ""],  # the window's first cost month
    ["2024-06-01", "other", "10000", ""],  # before the window
    ["2025-07-01", "other", "10000", ""],  # after the as-of month
    ["2025-06-01", "rebate", "200", ""],
    ["2025-04-01", "rebate", "80", "G2"],
    ["2025-02-01", "acquisition", "5000", "B"],  # never in contribution
    ["2025-01-01", "support", "50", "C"],
    ["2025-05-01", "retention", "60", "G1"],
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Contexts:
    """Contexts over the hand-made company (imported once), with the settings given."""
    folder = tmp_path_factory.mktemp("small")
    return hand_company(folder, customers=CUSTOMERS, invoices=INVOICES, costs=COSTS)


# Window revenue: G = 4000 + 1000 = 5000, A = 3500 − 500 = 3000, B = 2000, C = 0; Σ 10000.
# Revenue shares of pooled costs: G .5, A .3, B .2.
# Pooled cost-to-serve 1000 + 500 = 1500 → G 750, A 450, B 300; pooled rebates 200 → 100, 60, 40.
# G: cogs 3400 + 1000 × 0.7 = 4100, GP 900 (estimated); rebates 30 + 80 + 100 = 210;
#    cost-to-serve 60 + 750 = 810; financing (4000 × 60 + 1000 × 90) / 365 × 0.06.
# A: cogs 1800 − 300 = 1500, GP 1500; rebates 100 + 60 = 160; cost-to-serve 300 + 450 = 750;
#    financing (3500 × 195 − 500 × 60) / 365 × 0.06.
# B: GP 500; rebates 40; cost-to-serve 300; financing 0 (paid the same day).
# C: no revenue; its tagged support 50.
FIN_G = (4000 * 60 + 1000 * 90) / 365 * 0.06  # 54.2465753…
FIN_A = (3500 * 195 - 500 * 60) / 365 * 0.06  # 107.2602739…
CONTRIBUTION = {
    "G": 900 - 210 - 810 - FIN_G,  # −174.2465753…
    "A": 1500 - 160 - 750 - FIN_A,  # 482.7397260…
    "B": 500 - 40 - 300,  # 160
    "C": -50.0,
}
COMPANY_CONTRIBUTION = sum(CONTRIBUTION.values())  # 418.4931506…


def test_hand_computed_pnl_rolled_up(small) -> None:
    ctx = small()
    pnl = prof.account_pnl(ctx).set_index("account_id")
    assert list(pnl.index) == ["G", "A", "B", "C"]  # largest revenue first
    assert pnl.revenue.to_dict() == {"G": 5000.0, "A": 3000.0, "B": 2000.0, "C": 0.0}
    assert pnl.cogs.to_dict() == pytest.approx({"G": 4100, "A": 1500, "B": 1500, "C": 0}, **EXACT)
    assert pnl.gross_profit.to_dict() == pytest.approx(
        {"G": 900, "A": 1500, "B": 500, "C": 0}, **EXACT
    )
    assert pnl.estimated.to_dict() == {"G": True, "A": False, "B": False, "C": False}
    assert pnl.uncosted_revenue["G"] == 1000.0
    assert pnl.rebates.to_dict() == pytest.approx({"G": 210, "A": 160, "B": 40, "C": 0}, **EXACT)
    assert pnl.cost_to_serve.to_dict() == pytest.approx(
        {"G": 810, "A": 750, "B": 300, "C": 50}, **EXACT
    )
    assert pnl.financing_cost.to_dict() == pytest.approx(
        {"G": FIN_G, "A": FIN_A, "B": 0, "C": 0}, **EXACT
    )
    assert pnl.financing_cost["G"] == pytest.approx(54.24657534246575, rel=1e-12)
    assert pnl.contribution.to_dict() == pytest.approx(CONTRIBUTION, **EXACT)
    assert pnl.true_margin["G"] == pytest.approx(CONTRIBUTION["G"] / 5000, **EXACT)
    assert pnl.true_margin["A"] == pytest.approx(CONTRIBUTION["A"] / 3000, **EXACT)
    assert math.isnan(pnl.true_margin["C"])
    # Pooled shares (rebates + cost-to-serve): (200 + 1500) × .5, × .3, × .2.
    assert pnl.pooled_costs.to_dict() == pytest.approx(
        {"G": 850, "A": 510, "B": 340, "C": 0}, **EXACT
    )
    # Open at the as-of date: G2's 1000; A's 3500 (paid after), −500 credit note, 777 sample;
    # B's 999 from the prior window (its June 30 invoice was paid on the as-of date).
    assert pnl.unpaid.to_dict() == pytest.approx({"G": 1000, "A": 3777, "B": 999, "C": 0}, **EXACT)
    assert prof.account_pnl(ctx) is prof.account_pnl(ctx)  # memoised for stress and LTV


def test_company_black_hole_whale_bases_and_classes(small) -> None:
    result = prof.run(small())
    company = result.company
    assert company.revenue == 10000.0
    assert company.gross_margin == pytest.approx(0.29, **EXACT)  # 2900 / 10000
    assert company.contribution == pytest.approx(COMPANY_CONTRIBUTION, **EXACT)
    assert company.true_margin == pytest.approx(COMPANY_CONTRIBUTION / 10000, **EXACT)
    assert company.estimated_revenue_share == pytest.approx(0.1, **EXACT)  # G2's 1000
    assert company.unallocated_pooled_costs == pytest.approx(0.0, abs=1e-9)

    # Top decile of 3 accounts with revenue: ceil(0.3) = 1, G; its true margin is negative.
    assert result.top_decile_size == 1
    hole = result.black_holes.set_index("account_id").loc["G"]
    assert list(result.black_holes.account_id) == ["G"]
    # Gaps in points of revenue: gross margin .29 − .18 = .11; rebates 210/5000 − 410/10000
    # = .001; cost-to-serve 810/5000 − 1910/10000 = −.029; financing FIN_G/5000 − (FIN_G +
    # FIN_A)/10000. Main driver: gross margin.
    assert hole.gap_gross_margin == pytest.approx(0.11, **EXACT)
    assert hole.gap_rebates == pytest.approx(0.001, **EXACT)
    assert hole.gap_cost_to_serve == pytest.approx(-0.029, **EXACT)
    assert hole.gap_financing_cost == pytest.approx(FIN_G / 5000 - (FIN_G + FIN_A) / 10000, **EXACT)
    assert hole.main_driver == "gross_margin"
    gaps = hole[["gap_gross_margin", "gap_rebates", "gap_cost_to_serve", "gap_financing_cost"]]
    assert gaps.sum() == pytest.approx(company.true_margin - hole.true_margin, **EXACT)
    black = next(f for f in result.findings if f.code == "profitability.black_holes")
    assert black.subjects == ("G",) and black.severity == "alert"

    # Whale curve: A 482.74, B 160, C −50, G −174.25; the peak after two accounts.
    curve = result.whale_curve
    assert list(curve.account_id) == ["A", "B", "C", "G"]
    peak = (CONTRIBUTION["A"] + CONTRIBUTION["B"]) / COMPANY_CONTRIBUTION  # 153.6%
    assert result.whale_peak_share == pytest.approx(peak, **EXACT)
    assert result.whale_peak_accounts == 2
    assert result.value_destroyers == ("C", "G")
    assert result.value_destroyed == pytest.approx(CONTRIBUTION["C"] + CONTRIBUTION["G"], **EXACT)
    assert curve.cum_contribution_share.iloc[-1] == pytest.approx(1.0, **EXACT)
    assert list(curve.cum_account_share) == [0.25, 0.5, 0.75, 1.0]

    # Revenue base: G .5 + A .3 = 80%. Profit base: A 482.74 / 642.74 = 75% < 80%, so A and B.
    assert result.revenue_base == ("G", "A")
    assert result.profit_base == ("A", "B")
    assert result.base_overlap == pytest.approx(1 / 3, **EXACT)

    # Growth vs prior TTM: G 5000/5000 − 1 = 0, A 3000/2000 − 1 = .5, B 2000/999 − 1 = 1.002;
    # mid-rank percentiles 100 × (rank − ½) / 3: 16.7, 50, 83.3. The potential is §9's
    # growth-potential dimension, here that percentile alone (no industries table gives the
    # industry part). Profit high: A, B (≥ 4.18%).
    acc = result.accounts.set_index("account_id")
    assert acc.growth["B"] == pytest.approx(2000 / 999 - 1, **EXACT)
    assert acc.potential[["G", "A", "B"]].tolist() == pytest.approx([50 / 3, 50, 250 / 3], **EXACT)
    assert acc.abcd[["G", "A", "B"]].tolist() == ["D", "A", "A"]
    assert pd.isna(acc.abcd["C"])
    assert result.abcd.set_index("abcd").accounts.to_dict() == {"A": 2, "B": 0, "C": 0, "D": 1}
    assert result.potential_basis == "growth_potential"
    assert acc.loc["G", "name"] == "集团" and acc.loc["A", "industry"] == "电力"
    assert result.figures()["company"]["revenue"] == 10000.0


def test_invoice_count_allocation(small) -> None:
    ctx = small(profitability={"cost_allocation": "invoice_count"})
    pnl = prof.account_pnl(ctx).set_index("account_id")
    # Invoices of positive amount in the window: G 2, A 1 (the credit note does not count),
    # B 1, C 0 → shares .5, .25, .25: cost-to-serve 750 / 375 / 375, rebates 100 / 50 / 50.
    assert pnl.cost_to_serve.to_dict() == pytest.approx(
        {"G": 810, "A": 675, "B": 375, "C": 50}, **EXACT
    )
    assert pnl.rebates.to_dict() == pytest.approx({"G": 210, "A": 150, "B": 50, "C": 0}, **EXACT)
    assert pnl.contribution["A"] == pytest.approx(1500 - 150 - 675 - FIN_A, **EXACT)
    assert pnl.contribution.sum() == pytest.approx(COMPANY_CONTRIBUTION, **EXACT)


def test_settings_change_estimate_rate_and_days(small) -> None:
    chosen = {"default_gross_margin": 0.5, "capital_rate": 0.10, "default_payment_days": 30}
    ctx = small(profitability=chosen)
    pnl = prof.account_pnl(ctx).set_index("account_id")
    assert pnl.gross_profit["G"] == pytest.approx(600 + 1000 * 0.5, **EXACT)
    assert pnl.financing_cost["A"] == pytest.approx((3500 * 195 - 500 * 30) / 365 * 0.10, **EXACT)


def test_without_rollup_tags_stay_on_the_plant(small) -> None:
    pnl = prof.account_pnl(small(audit={"rollup": False})).set_index("account_id")
    # G2: revenue 1000 (share .1): rebates 80 tagged + 200 × .1 pooled; no cost → estimated.
    assert pnl.rebates["G2"] == pytest.approx(100, **EXACT)
    assert pnl.cost_to_serve["G1"] == pytest.approx(60 + 1500 * 0.4, **EXACT)
    assert pnl.estimated.to_dict()["G1"] is False
    assert "G" not in pnl.index  # the group has no invoices and no costs of its own


def test_whale_curve_when_everyone_loses() -> None:
    curve = prof.whale_curve(pd.Series({"x": -10.0, "y": -30.0}))
    # Total −40: the highest cumulative profit is after the first account (x, −10).
    assert curve.peak_accounts == 1 and curve.destroyers == ("y",)
    assert curve.table.cum_contribution_share.iloc[-1] == 1.0


def test_formulas_known_answers() -> None:
    # 1000 × 90 / 365 × 6% = 14.7945…
    assert prof.financing_cost(1000.0 * 90, 1000.0, 1000.0, 60, 0.06) == pytest.approx(
        1000 * 90 / 365 * 0.06, rel=1e-12
    )
    # 400 of revenue without days: 400 × 60 days.
    assert prof.financing_cost(0.0, 400.0, 0.0, 60, 0.06) == pytest.approx(400 * 60 / 365 * 0.06)
    assert prof.cogs_with_estimate(700.0, 1000.0, 800.0, 0.3) == pytest.approx(700 + 200 * 0.7)
    assert prof.top_decile(pd.Series({"a": 5.0, "b": 9.0, "c": -1.0, "d": 0.0})) == ["b"]
    assert len(prof.top_decile(pd.Series({str(i): float(i) for i in range(1, 12)}))) == 2
    assert prof.jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    ranks = prof.percentile_rank(pd.Series([1.0, 2.0, 2.0, math.inf]))
    assert ranks.tolist() == [12.5, 50.0, 50.0, 87.5]  # ties share the mid-rank
    growth = prof.revenue_growth(pd.Series([150.0, 10.0]), pd.Series([100.0, 0.0]))
    assert growth.tolist() == [0.5, math.inf]  # no prior revenue: new, ranked highest
    classes = prof.abcd_class(
        pd.Series([True, True, False, False]), pd.Series([True, False, True, False])
    )
    assert classes.tolist() == ["A", "B", "C", "D"]


money = st.floats(min_value=-1e5, max_value=1e7, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def facts_and_costs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 12))
    ids = [f"K{i:02d}" for i in range(n)]
    revenue = draw(st.lists(money, min_size=n, max_size=n))
    costed = [r * draw(st.sampled_from([0.0, 0.5, 1.0])) for r in revenue]
    known = [r * draw(st.sampled_from([0.0, 1.0])) for r in revenue]
    facts = pd.DataFrame(
        {
            "account_id": ids,
            "revenue": revenue,
            "cost_known": [c * draw(st.floats(0, 1.5)) for c in costed],
            "revenue_costed": costed,
            "rebate": draw(st.lists(positive, min_size=n, max_size=n)),
            "orders": draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)),
            "paid_days_amount": [k * draw(st.integers(0, 200)) for k in known],
            "amount_days_known": known,
            "unpaid": draw(st.lists(money, min_size=n, max_size=n)),
        }
    )
    tagged = draw(
        st.lists(st.tuples(st.sampled_from([*ids, None]), positive, positive), max_size=8)
    )
    costs = pd.DataFrame(tagged, columns=["account_id", "rebate_cost", "serve_cost"])
    costs = costs.groupby("account_id", dropna=False, as_index=False).sum()
    return facts, costs


@settings(max_examples=80, deadline=None)
@given(facts_and_costs(), st.sampled_from(["revenue", "invoice_count"]))
def test_pnl_invariants(data: tuple[pd.DataFrame, pd.DataFrame], basis: str) -> None:
    facts, costs = data
    pnl, pooled = prof.pnl_from_facts(facts, costs, ProfitabilitySettings(cost_allocation=basis))
    scale = 1.0 + pnl[["revenue", "rebates", "cost_to_serve"]].abs().to_numpy().sum()
    parts = pnl.gross_profit - pnl.rebates - pnl.cost_to_serve - pnl.financing_cost
    assert (parts - pnl.contribution).abs().max() <= 1e-9 * scale
    company = prof.company_totals(pnl, pooled)
    orders = pnl.account_id.map(facts.set_index("account_id").orders)
    takers = (pnl.revenue > 0) if basis == "revenue" else (orders > 0)
    if takers.any():  # every pooled yuan lands on an account
        assert abs(company.unallocated_pooled_costs) <= 1e-9 * scale
    assert (pnl.pooled_costs[~takers] == 0).all()

    curve = prof.whale_curve(pnl.set_index("account_id").contribution)
    if abs(company.contribution) > 1e-6 * scale:
        assert curve.table.cum_contribution_share.iloc[-1] == pytest.approx(1.0)
        assert curve.table.cum_account_share.iloc[-1] == pytest.approx(1.0)
    for column in ("revenue", "contribution"):
        values = pnl.set_index("account_id")[column]
        base = prof.base_accounts(values)
        total = values[values > 0].sum()
        if total > 0:  # reaches 80%, and one account fewer would not
            assert values[base].sum() >= 0.8 * total * (1 - 1e-12)
            assert values[base[:-1]].sum() < 0.8 * total
        else:
            assert base == []


def test_demo_black_holes_are_the_planted_ones(
    demo_context: Contexts, demo_files: DemoFiles
) -> None:
    truth = demo_files.truth["black_holes"]
    plain = prof.run(demo_context(audit={"rollup": False}))
    # The truth is computed per customer (not rolled up) with the default settings.
    assert set(plain.black_holes.account_id) == set(truth["customers"]) == set(truth["detected"])
    assert plain.top_decile_size == truth["top_decile_size"]
    assert plain.company.true_margin == pytest.approx(truth["company_true_margin"], abs=1e-6)
    assert plain.company.gross_margin == pytest.approx(truth["company_gross_margin"], abs=1e-6)
    holes = plain.black_holes.set_index("account_id")
    for customer, detail in truth["details"].items():
        assert holes.true_margin[customer] == pytest.approx(detail["true_margin"], abs=1e-6)
        assert holes.gross_margin[customer] == pytest.approx(detail["gross_margin"], abs=1e-6)
        assert holes.main_driver[customer] == "gross_margin"  # 7% against the company's 35%
    rolled = prof.run(demo_context())
    assert set(rolled.black_holes.account_id) == set(truth["customers"])
    assert set(rolled.value_destroyers) >= set(truth["customers"])


def test_abcd_potential_falls_back_to_revenue_growth_without_tiering(
    small, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = prof.spec

    def without_tiering(key: str) -> Any:  # as if tiering needed a table the company lacks
        found = real(key)
        return (
            dataclasses.replace(found, needs=(*found.needs, "absent"))
            if key == "tiering"
            else found
        )

    monkeypatch.setattr(prof, "spec", without_tiering)
    ctx = small()
    result = prof.run(ctx)
    acc = result.accounts.set_index("account_id")
    assert result.potential_basis == "revenue_growth"
    assert acc.potential[["G", "A", "B"]].tolist() == pytest.approx([50 / 3, 50, 250 / 3], **EXACT)


def test_abcd_potential_is_the_growth_dimension_of_tiering(small) -> None:
    ctx = small()
    # The slim growth pass gives what the full ten-dimension scoring gives.
    _, scored = current_scores(ctx)
    pd.testing.assert_series_equal(growth_potential(ctx), scored.growth, check_names=False)
    # Replace the growth scores so that they differ from the revenue-growth percentiles: G
    # (growth 0) high, B (the fastest grower) low.
    scores = {"G": 90.0, "A": 10.0, "B": 40.0}
    ctx._memo["tiering.growth_potential"] = scored.growth.index.to_series().map(scores)
    result = prof.run(ctx)
    acc = result.accounts.set_index("account_id")
    assert result.potential_basis == "growth_potential"
    assert acc.potential[["G", "A", "B"]].tolist() == [90.0, 10.0, 40.0]
    # Profit high: A and B; potential high (≥ 50): G only. G low profit, high potential → C.
    assert acc.abcd[["G", "A", "B"]].tolist() == ["C", "B", "B"]
