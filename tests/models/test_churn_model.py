"""The churn-risk model (docs/metrics.md §7): features, labels, backtest plan, Monte-Carlo."""

from __future__ import annotations

import math
from datetime import date

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from keyaccount.models import churn_model as cm

AS_OF = date(2024, 12, 31)


def months(rows: list[tuple[str, int, float, int, str | None]]) -> pd.DataFrame:
    """account_id, back, revenue, orders, last_day."""
    frame = pd.DataFrame(rows, columns=["account_id", "back", "revenue", "orders", "last_day"])
    frame["last_day"] = pd.to_datetime(frame.last_day)
    return frame


# a: steady then growing; b: shrinks after the cut-off (contracted); c: leaves (churned);
# d: only before the prior year (not in the population at back 12).
MONTHS = months(
    [
        ("a", 30, 100.0, 1, "2022-06-10"),
        ("a", 20, 200.0, 2, "2023-04-20"),
        ("a", 14, 300.0, 1, "2023-10-05"),
        ("a", 3, 500.0, 1, "2024-09-01"),
        ("b", 16, 1000.0, 4, "2023-08-31"),
        ("b", 12, 0.0, 1, "2023-12-31"),  # an invoice of 50 and a credit note of −50
        ("b", 5, 690.0, 2, "2024-07-02"),
        ("c", 13, 80.0, 1, "2023-11-30"),
        ("d", 35, 10.0, 1, "2022-01-05"),
    ]
)
FIRST_DAY = pd.Series(
    pd.to_datetime(["2021-01-01", "2023-03-01", "2023-11-30", "2022-01-05"]),
    index=["a", "b", "c", "d"],
)


def history(**optional: pd.DataFrame) -> cm.History:
    return cm.History(AS_OF, MONTHS, FIRST_DAY, observed_months=36, **optional)


def test_cutoff_dates_follow_the_month_index() -> None:
    assert cm.cutoff_date(AS_OF, 12) == date(2023, 12, 31)
    assert cm.cutoff_date(AS_OF, 10) == date(2024, 2, 29)
    assert cm.cutoff_date(date(2026, 9, 30), 18) == date(2025, 3, 30)  # 31 March is month 17


def test_change_is_bounded_and_zero_without_activity() -> None:
    got = cm.change(pd.Series([300.0, 0.0, 0.0, 50.0]), pd.Series([100.0, 0.0, 80.0, -10.0]))
    assert got.tolist() == [0.5, 0.0, -1.0, 1.0]


def test_core_features_and_labels_at_a_cutoff_by_hand() -> None:
    h = history()
    f = cm.features_at(h, 12)
    assert list(f.index) == ["a", "b", "c"]  # d bought only before the prior year
    a, b, c = f.loc["a"], f.loc["b"], f.loc["c"]
    # a: last order 2023-10-05, 87 days before 2023-12-31; 3 orders in the TTM (2 + 1).
    assert a.recency_days == 87
    assert a.orders_ttm == pytest.approx(math.log1p(3))
    assert a.orders_trend == pytest.approx((1 - 2) / 3)  # 1 order in months 12-17, 2 in 18-23
    assert a.revenue_level == pytest.approx(math.log1p(500))
    assert a.revenue_trend_6m == pytest.approx((300 - 200) / 500)
    assert a.revenue_trend_ttm == pytest.approx((500 - 100) / 600)
    assert a.tenure_years == pytest.approx((pd.Timestamp("2023-12-31") - FIRST_DAY.a).days / 365.25)
    assert b.recency_days == 0 and b.revenue_ttm == 1000 and b.orders_ttm_count == 5
    assert c.revenue_trend_ttm == 1.0 and c.tenure_years == pytest.approx(31 / 365.25)
    assert f.columns[: len(cm.CORE_FEATURES)].tolist() == list(cm.CORE_FEATURES)

    label = cm.label_at(h, 12, horizon=12, contraction=0.30)
    # a: 500 after vs 500 before (kept); b: 690 ≤ 0.7 × 1000 (contracted); c: nothing (churned).
    assert label.to_dict() == {"a": 0, "b": 1, "c": 1}
    # b's 690 is down 31%: contracted at 30.9%, not at 31.1%.
    assert cm.label_at(h, 12, horizon=12, contraction=0.309).b == 1
    assert cm.label_at(h, 12, horizon=12, contraction=0.311).b == 0
    # A six-month horizon compares with half the twelve months before: at back 6, b's 690
    # in months 0-5 against 1000 in months 6-17 is not a contraction; c has nothing.
    assert cm.label_at(h, 6, horizon=6, contraction=0.30).to_dict() == {"a": 0, "b": 0, "c": 1}
    with pytest.raises(ValueError, match="needs 12 months"):
        cm.label_at(h, 6, horizon=12, contraction=0.30)


def test_optional_features_by_hand_and_missing_stays_missing() -> None:
    surveys = pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b"],
            "date": pd.to_datetime(["2023-06-01", "2023-12-31", "2024-01-02", "2023-05-01"]),
            "satisfaction": [0.25, 0.75, 0.0, 0.6],
            "satisfied": [False, True, False, False],
        }
    )
    interactions = pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b", "b"],
            "date": pd.to_datetime(
                ["2023-05-01", "2023-10-01", "2023-12-01", "2023-07-10", "2024-01-05"]
            ),
            "department": ["rd", "procurement", "procurement", None, "it"],
        }
    )
    payments = pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b"],
            "back": [13, 15, 20, 19],
            "amount": [100.0, 300.0, 200.0, 1000.0],
            "amount_days": [100.0 * 20, 300.0 * 40, 200.0 * 30, 1000.0 * 90],
        }
    )
    lines = pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b", "b", "c"],
            "back": [14, 20, 30, 16, 12, 13],
            "product_line": ["x", "y", "z", "x", "y", "x"],
            "revenue": [300.0, 200.0, 100.0, 1000.0, 0.0, 80.0],
        }
    )
    wallet = pd.DataFrame(
        {
            "account_id": ["a", "a", "b"],
            "year": [2023, 2022, 2023],
            "spend": [1000.0, 500.0, 4000.0],
        }
    )
    h = history(
        surveys=surveys,
        interactions=interactions,
        payments=payments,
        product_lines=lines,
        wallet=wallet,
    )
    assert h.features()[-5:] == (
        "wallet_share_trend",
        "satisfaction",
        "active_departments",
        "payment_days_trend",
        "product_lines",
    )
    f = cm.features_at(h, 12)
    # Latest answer up to 2023-12-31 (the one of 2 January comes after the cut-off).
    assert f.satisfaction.a == 0.75 and bool(f.satisfied.a)
    assert f.satisfaction.b == 0.6 and math.isnan(f.satisfaction.c)
    # Interactions in (2023-07-04, 2023-12-31]: a touched procurement only (rd was in May).
    assert f.active_departments.to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0}
    # a paid 100 at 20 days and 300 at 40 days in months 12-17 (mean 35), 200 at 30 before.
    assert f.payment_days_trend.a == pytest.approx(35 - 30)
    assert math.isnan(f.payment_days_trend.b)  # nothing paid in the last six months
    # Lines with positive revenue in months 12-23: a x and y; b x (y nets to 0); c x.
    assert f.product_lines.to_dict() == {"a": 2.0, "b": 1.0, "c": 1.0}
    # Wallet year 2023 = months 12-23 (500 / 1000) against 2022 = months 24-35 (100 / 500).
    assert f.wallet_share_trend.a == pytest.approx(0.5 - 0.2)
    assert math.isnan(f.wallet_share_trend.b) and math.isnan(f.wallet_share_trend.c)

    # Before the interaction log reaches back 180 days, the breadth is unknown, not zero.
    early = cm.features_at(h, 17)
    assert early.active_departments.isna().all()


def test_missing_values_are_imputed_with_the_training_median_and_flagged() -> None:
    frame = pd.DataFrame(
        {"recency_days": [10.0, 200.0, 30.0, 300.0], "satisfaction": [1.0, np.nan, 0.5, 0.0]},
        index=list("wxyz"),
    )
    labels = pd.Series([0, 1, 0, 1], index=frame.index)
    model = cm.fit_model(frame, labels, ["recency_days", "satisfaction"], seed=0)
    assert model.columns == ("recency_days", "satisfaction", "satisfaction_missing")
    assert model.medians == {"recency_days": 115.0, "satisfaction": 0.5}
    design = model.matrix(frame)
    assert design[:, 1].tolist() == [1.0, 0.5, 0.5, 0.0]
    assert design[:, 2].tolist() == [0.0, 1.0, 0.0, 0.0]
    contributions = model.contributions(frame)
    # The log-odds are the intercept plus the contributions, so they explain the score.
    logit = model.pipeline[-1].intercept_[0] + contributions.sum(axis=1)
    assert np.allclose(1 / (1 + np.exp(-logit)), model.predict(frame))
    factors = cm.top_factors(contributions, 2)
    for key, row in contributions.iterrows():
        best = row.max()
        assert factors.factor_1[key] == (row.idxmax() if best > 0 else None)
        assert factors.effect_1[key] == best or (best <= 0 and math.isnan(factors.effect_1[key]))


def test_top_factors_name_only_what_raises_the_risk() -> None:
    contributions = pd.DataFrame(
        {"recency_days": [1.5, -1.0], "satisfaction": [0.5, -0.2], "orders_trend": [-0.1, 0.3]},
        index=["p", "q"],
    )
    got = cm.top_factors(contributions, 3)
    assert got.loc["p", ["factor_1", "factor_2", "factor_3"]].tolist() == [
        "recency_days",
        "satisfaction",
        None,
    ]
    assert got.loc["p", "effect_1"] == 1.5 and math.isnan(got.loc["p", "effect_3"])
    assert got.loc["q", "factor_1"] == "orders_trend" and got.loc["q", "factor_2"] is None


def test_cutoff_plan_is_a_time_split() -> None:
    long = cm.History(AS_OF, MONTHS, FIRST_DAY, observed_months=60)
    plan = cm.cutoff_plan(long, 12)
    assert plan.test == 12
    assert plan.train == (24, 27, 30, 33, 36)  # labels observed by the test cut-off
    assert plan.refit == (12, 15, 18, 21, 24, 27, 30, 33, 36)  # 36 + 24 months reach the data
    assert max(plan.train) + 24 <= 60 and min(plan.train) >= plan.test + 12


def test_too_little_history_refuses_to_rank() -> None:
    result = cm.backtest(history(), horizon=12, contraction=0.3, min_train_cutoffs=2, seed=1)
    assert result.status == cm.TOO_LITTLE_HISTORY
    assert result.model is None and result.auc is None and result.plan.train == ()
    assert result.test_accounts == 3 and result.test_positives == 2


def test_calibration_bins_have_equal_counts_and_true_rates() -> None:
    predicted = np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.5, 0.55])
    observed = np.array([0, 1, 0, 1, 0, 1, 1, 0, 0, 1])
    table = cm.calibration_table(predicted, observed, [f"k{i}" for i in range(10)])
    assert table.accounts.tolist() == [2] * 5
    assert table.mean_predicted.tolist() == pytest.approx([0.15, 0.35, 0.525, 0.65, 0.85])
    assert table.observed_rate.tolist() == [0.0, 0.5, 0.5, 0.5, 1.0]


def test_simulation_is_seeded_and_does_not_depend_on_the_chunk_size() -> None:
    p = np.array([0.0, 1.0, 0.5, 0.2])
    revenue = np.array([100.0, 50.0, 20.0, 10.0])
    contribution = np.array([30.0, -5.0, 4.0, 1.0])
    one = cm.simulate_stays(p, revenue, contribution, 1000, seed=3)
    chunked = cm.simulate_stays(p, revenue, contribution, 1000, seed=3, chunk_cells=12)
    assert np.array_equal(one.revenue, chunked.revenue)
    assert np.array_equal(one.contribution, chunked.contribution)
    # The sure stayer is always there, the sure leaver never.
    assert one.revenue.min() >= 100 and one.revenue.max() <= 130
    assert set(np.unique(one.contribution)) <= {30 + a + b for a in (0, 4) for b in (0, 1)}
    assert one.revenue.mean() == pytest.approx(100 + 0.5 * 20 + 0.8 * 10, rel=0.02)
    other = cm.simulate_stays(p, revenue, contribution, 1000, seed=4)
    assert not np.array_equal(one.revenue, other.revenue)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1e6, allow_subnormal=False)),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 2**32 - 1),
)
def test_simulated_revenue_stays_within_zero_and_the_total(cells, seed) -> None:
    p = np.array([c[0] for c in cells])
    revenue = np.array([c[1] for c in cells])
    kept = cm.simulate_stays(p, revenue, revenue * 0.1, 200, seed)
    assert (kept.revenue >= 0).all()
    assert (kept.revenue <= revenue.sum() * (1 + 1e-12)).all()
    q5, q50, q95 = np.percentile(kept.revenue, [5, 50, 95])
    assert q5 <= q50 <= q95


@given(st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=20), st.data())
def test_change_is_always_within_minus_one_and_one(recent, data) -> None:
    before = data.draw(st.lists(st.floats(-1e9, 1e9), min_size=len(recent), max_size=len(recent)))
    got = cm.change(pd.Series(recent), pd.Series(before))
    assert ((got >= -1) & (got <= 1)).all()


def test_window_sum_over_account_codes_equals_grouping_by_id() -> None:
    """The fast path (integer codes, bincount) gives the sums of a plain groupby."""
    rng = np.random.default_rng(1)
    n = 5000
    frame = pd.DataFrame(
        {
            "account_id": rng.choice([f"A{i:04d}" for i in range(700)], n),
            "back": rng.integers(0, 40, n),
            "revenue": rng.normal(100, 50, n),
        }
    )
    coded = cm.with_account_codes(frame)
    for start, months in ((0, 12), (5, 6), (30, 24)):
        plain = cm.window_sum(frame, "revenue", start, months)
        fast = cm.window_sum(coded, "revenue", start, months)
        assert list(fast.index) == list(plain.index)
        np.testing.assert_allclose(fast.to_numpy(), plain.to_numpy(), rtol=1e-12)
