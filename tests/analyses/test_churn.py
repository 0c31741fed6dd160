"""Churn risk (docs/metrics.md §7) and the probabilistic stress test (§2): by hand and the demo."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers import Contexts, hand_company
from keyaccount.analyses import churn
from keyaccount.data.demo import DemoFiles
from keyaccount.models import churn_model as cm

HEADER = ["invoice_id", "customer_id", "date", "amount", "product_line", "deal_type", "paid_date"]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Contexts:
    """Three years of a small company: C1 keeps buying, C2 leaves, C3 shrinks, C4 is new."""
    return hand_company(
        tmp_path_factory.mktemp("churn"),
        customers=[
            ["customer_id", "name", "first_date"],
            ["C1", "Steady", "2020-01-01"],
            ["C2", "Leaver", ""],
            ["C3", "Shrinker", ""],
            ["C4", "Newcomer", ""],
            ["C5", "Old", ""],
        ],
        invoices=[
            HEADER,
            ["I01", "C5", "2021-12-15", "10", "A", "commercial", ""],
            ["I02", "C1", "2022-03-15", "100", "A", "commercial", "2022-04-14"],
            ["I03", "C1", "2023-02-10", "200", "A", "commercial", "2023-03-12"],
            ["I04", "C1", "2023-11-20", "300", "B", "commercial", "2023-12-30"],
            ["I05", "C1", "2024-12-31", "400", "B", "commercial", ""],
            ["I06", "C2", "2023-03-01", "1000", "A", "commercial", "2023-05-30"],
            ["I07", "C2", "2023-09-15", "-200", "A", "commercial", ""],
            ["I08", "C2", "2024-05-01", "500", "A", "sample", ""],
            ["I09", "C3", "2023-12-31", "100", "B", "commercial", ""],
            ["I10", "C3", "2024-06-01", "60", "B", "commercial", ""],
            ["I11", "C4", "2024-02-01", "70", "A", "commercial", ""],
        ],
        surveys=[
            ["customer_id", "date", "score", "scale"],
            ["C1", "2023-12-01", "4", "csat5"],
            ["C1", "2024-01-15", "1", "csat5"],
            ["C2", "2023-06-01", "6", "nps10"],
        ],
        wallet=[
            ["customer_id", "year", "category_spend"],
            ["C1", "2022", "500"],
            ["C1", "2023", "1000"],
        ],
        contacts=[
            ["customer_id", "contact_id", "department"],
            ["C1", "K1", "procurement"],
            ["C1", "K2", "rd"],
            ["C2", "K3", "finance"],
        ],
        interactions=[
            ["customer_id", "date", "contact_id"],
            ["C1", "2023-05-01", "K2"],
            ["C1", "2023-10-01", "K1"],
            ["C2", "2023-07-10", "K3"],
        ],
    )


def test_features_and_labels_at_a_cutoff_through_the_engine(small: Contexts) -> None:
    ctx = small()
    assert ctx.as_of == date(2024, 12, 31)
    history = churn.churn_history(ctx)
    assert history.observed_months == 37  # 2021-12-15 is 36 months back
    assert cm.cutoff_date(ctx.as_of, 12) == date(2023, 12, 31)
    f = cm.features_at(history, 12)
    assert list(f.index) == ["C1", "C2", "C3"]  # active in 2023; C4 came later, C5 left earlier
    c1, c2, c3 = f.loc["C1"], f.loc["C2"], f.loc["C3"]
    assert c1.recency_days == 41  # 2023-11-20 → 2023-12-31
    assert c1.orders_ttm == pytest.approx(math.log1p(2)) and c1.orders_trend == 0
    assert c1.revenue_level == pytest.approx(math.log1p(500))
    assert c1.revenue_trend_6m == pytest.approx((300 - 200) / 500)
    assert c1.revenue_trend_ttm == pytest.approx((500 - 100) / 600)
    assert c1.tenure_years == pytest.approx(1460 / 365.25)  # from first_date
    assert c1.wallet_share_trend == pytest.approx(500 / 1000 - 100 / 500)
    assert c1.satisfaction == 0.75  # CSAT 4 of 5; the answer of January 2024 comes later
    assert c1.active_departments == 1  # procurement in October; R&D in May is too old
    assert c1.payment_days_trend == 40 - 30
    assert c1.product_lines == 2
    # C2: the credit note nets revenue to 800 but is no order; NPS 6 is 0.6.
    assert c2.revenue_ttm == 800 and c2.orders_ttm == pytest.approx(math.log1p(1))
    assert c2.recency_days == (date(2023, 12, 31) - date(2023, 3, 1)).days
    assert c2.satisfaction == pytest.approx(0.6) and c2.active_departments == 1
    assert math.isnan(c2.payment_days_trend) and math.isnan(c2.wallet_share_trend)
    assert c2.product_lines == 1
    # C3 bought on the cut-off day itself; no survey: missing, not zero.
    assert c3.recency_days == 0 and math.isnan(c3.satisfaction) and c3.active_departments == 0

    labels = cm.label_at(history, 12, horizon=12, contraction=0.30)
    # C1 400 after 500 (kept); C2 only a sample after (churned); C3 60 ≤ 0.7 × 100.
    assert labels.to_dict() == {"C1": 0, "C2": 1, "C3": 1}


def test_too_little_history_gives_no_ranking_and_says_why(small: Contexts) -> None:
    result = churn.run(small())
    assert result.model_status == "too_little_history"
    assert result.train_cutoffs == 0 and result.backtest_auc is None
    assert result.probabilistic is None and churn.probabilistic_stress(small()) is None
    assert result.coefficients.empty and result.calibration.empty
    codes = {f.code: f for f in result.findings}
    assert dict(codes["churn_risk.too_little_history"].values) == {
        "train_cutoffs": 0,
        "needed_cutoffs": 2,
        "test_accounts": 3,
    }
    assert "churn_risk.backtest" not in codes and "churn_risk.high_risk" not in codes
    accounts = result.accounts.set_index("account_id")
    assert accounts.churn_probability.isna().all() and accounts.risk_rank.isna().all()
    # Only the rule-based signals: ordered by signal count, then TTM revenue.
    assert list(accounts.index) == ["C1", "C3", "C4"]
    fired = {a: [s for s in churn.SIGNALS if accounts.loc[a, s]] for a in accounts.index}
    assert fired == {
        # C1: 1 order against 2; latest CSAT 1; nobody met in the last 180 days.
        "C1": ["orders_down", "dissatisfied", "no_active_relationship"],
        # C3: 60 against 100; its last order was in June.
        "C3": ["revenue_down", "no_recent_order", "no_active_relationship"],
        "C4": ["no_recent_order", "no_active_relationship"],
    }
    assert accounts.signal_count.tolist() == [3, 3, 2]
    assert codes["churn_risk.rule_signals"].values["accounts"] == 3


def test_min_train_cutoffs_is_the_refusal_threshold(small: Contexts) -> None:
    result = churn.run(small(churn={"min_train_cutoffs": 1}))
    assert result.model_status == "too_little_history"  # still none: the data are too short
    assert result.cutoffs.role.tolist() == ["test"]
    assert result.cutoffs.cutoff.tolist() == [date(2023, 12, 31)]


# --- The demo company ------------------------------------------------------------------------


def test_demo_backtest_beats_the_recency_baseline(demo_audit: dict[str, Any]) -> None:
    result = demo_audit["churn_risk"]
    assert result["model_status"] == "ok"
    assert result["test_cutoff"] == "2025-09-30"  # as-of 2026-09-30 minus the 12-month horizon
    assert result["train_cutoffs"] >= 2
    train = [c for c in result["cutoffs"] if c["role"] == "train"]
    assert all(c["cutoff"] <= "2024-09-30" for c in train)  # labels complete at the test
    auc, baseline = result["backtest_auc"], result["baseline_auc"]
    assert 0.5 < baseline < auc < 1
    calibration = result["calibration"]
    assert len(calibration) == 5
    assert sum(b["accounts"] for b in calibration) == result["test_accounts"]
    rates = [b["observed_rate"] for b in calibration]
    assert rates[-1] > rates[0]  # the riskiest fifth does churn more than the safest
    assert {f["code"] for f in result["findings"]} >= {"churn_risk.backtest"}


def test_demo_scores_every_active_account_with_its_factors(
    demo_audit: dict[str, Any],
) -> None:
    result = demo_audit["churn_risk"]
    accounts = result["accounts"]
    assert len(accounts) == demo_audit["concentration"]["active_accounts"]
    probabilities = [a["churn_probability"] for a in accounts]
    assert all(0 < p < 1 for p in probabilities)
    assert probabilities == sorted(probabilities, reverse=True)
    assert [a["risk_rank"] for a in accounts] == list(range(1, len(accounts) + 1))
    columns = {c["column"] for c in result["coefficients"]}
    for a in accounts:
        named = [a[f"factor_{k}"] for k in (1, 2, 3) if a[f"factor_{k}"] is not None]
        assert set(named) <= columns
        effects = [a[f"effect_{k}"] for k in (1, 2, 3) if a[f"factor_{k}"] is not None]
        assert effects == sorted(effects, reverse=True) and all(e > 0 for e in effects)
    high = [a["account_id"] for a in accounts if a["churn_probability"] >= 0.5]  # the default
    assert list(result["high_risk_accounts"]) == high


def test_demo_rule_signals_name_the_planted_shrinkers(
    demo_audit: dict[str, Any], demo_files: DemoFiles
) -> None:
    accounts = {a["account_id"]: a for a in demo_audit["churn_risk"]["accounts"]}
    truth = demo_files.truth
    # Planted with revenue down 45%, orders down 50% and a CSAT of 1-2.
    for account in truth["traitor_decoys"]["unsatisfied_shrinking"]:
        row = accounts[account]
        assert row["revenue_down"] and row["orders_down"] and row["dissatisfied"]
    for account, signals in truth["silent_traitors"]["planted_signals"].items():
        details = truth["silent_traitors"]["details"][account]
        if "orders" in signals:
            assert accounts[account]["orders_down"]
        if details["revenue_change"] < -0.301:
            assert accounts[account]["revenue_down"]
        assert not accounts[account]["dissatisfied"]  # satisfied: that is their disguise
    for account in truth["traitor_decoys"]["satisfied_stable"]:
        assert accounts[account]["signal_count"] <= 1


def test_demo_probabilistic_stress_is_seeded_and_ordered(
    demo_context: Contexts, demo_audit: dict[str, Any]
) -> None:
    stress = churn.probabilistic_stress(demo_context())
    assert stress is not None
    assert stress.draws == 10_000 and stress.seed == 7
    published = demo_audit["churn_risk"]["probabilistic"]
    assert published["revenue_p50"] == stress.revenue_p50  # the same draws, run again
    assert published["contribution_p5"] == stress.contribution_p5
    ttm = demo_audit["concentration"]["total_revenue"]
    assert stress.ttm_revenue == pytest.approx(ttm, rel=1e-12)
    assert stress.revenue_p5 <= stress.revenue_p50 <= stress.revenue_p95 <= stress.ttm_revenue
    assert stress.contribution_p5 <= stress.contribution_p50 <= stress.contribution_p95
    assert stress.revenue_p5 < stress.expected_revenue < stress.revenue_p95
    scored = churn.scored_accounts(demo_context())
    expected = (
        (1 - scored.churn_probability) * scored.revenue_ttm
    ).sum()  # Σ (1 − p) × TTM revenue
    assert stress.expected_revenue == pytest.approx(expected, rel=1e-9)
    other = churn.probabilistic_stress(demo_context(churn={"seed": 8, "simulations": 2000}))
    assert other is not None and other.draws == 2000
    assert other.revenue_p50 != stress.revenue_p50
    assert other.revenue_p50 == pytest.approx(stress.revenue_p50, rel=0.02)


def test_simulation_percentiles_match_numpy_on_the_same_draws() -> None:
    p = np.array([0.3, 0.6])
    revenue, contribution = np.array([10.0, 20.0]), np.array([1.0, -2.0])
    kept = cm.simulate_stays(p, revenue, contribution, 500, seed=11)
    rng = np.random.default_rng(11)
    stays = rng.random((500, 2)) >= p
    assert np.array_equal(kept.revenue, stays @ revenue)
    assert np.array_equal(kept.contribution, stays @ contribution)


def test_the_result_is_published_with_its_findings(tmp_path: Path, small: Contexts) -> None:
    figures = churn.run(small()).figures()
    assert figures["model_status"] == "too_little_history"
    assert figures["model"] == "logistic_regression"
    assert figures["features"][-5:] == [
        "wallet_share_trend",
        "satisfaction",
        "active_departments",
        "payment_days_trend",
        "product_lines",
    ]
    assert figures["accounts"][0]["account_id"] == "C1"
    assert figures["accounts"][0]["churn_probability"] is None


def test_high_risk_threshold_is_a_setting(demo_context: Contexts) -> None:
    default = churn.run(demo_context())
    stricter = churn.run(demo_context(churn={"high_risk": 0.7}))
    probabilities = default.accounts.set_index("account_id").churn_probability
    assert list(stricter.high_risk_accounts) == [
        a for a in default.high_risk_accounts if probabilities[a] >= 0.7
    ]
    assert len(stricter.high_risk_accounts) < len(default.high_risk_accounts)
    finding = next(f for f in stricter.findings if f.code == "churn_risk.high_risk")
    assert finding.values["threshold"] == 0.7


def test_zero_simulations_leave_the_scenario_out_without_fitting_the_model(
    demo_context: Contexts,
) -> None:
    from keyaccount.analyses import stress

    ctx = demo_context(churn={"simulations": 0})
    result = stress.run(ctx)
    assert result.probabilistic is None
    assert not any(f.code == "stress.probabilistic" for f in result.findings)
    assert result.top1 is not None  # the deterministic scenarios stand
    assert "churn.backtest" not in ctx._memo and "churn.history" not in ctx._memo
    assert churn.run(ctx).probabilistic is None  # churn_risk itself still scores
    assert churn.run(ctx).model_status == "ok"


def _assert_same_features(engine: cm.History, reference: cm.History, backs: list[int]) -> None:
    assert engine.features() == reference.features()
    assert engine.observed_months == reference.observed_months
    for back in backs:
        new, old = cm.features_at(engine, back), cm.features_at(reference, back)
        assert list(new.index) == list(old.index), back
        assert list(new.columns) == list(old.columns)
        numbers = [c for c in new.columns if c != "satisfied"]
        np.testing.assert_allclose(
            new[numbers].to_numpy(float), old[numbers].to_numpy(float), rtol=1e-12, atol=1e-9
        )
        assert new.satisfied.equals(old.satisfied)
        windows = engine.windows_at(back).drop(columns="revenue_after")
        reference_windows = reference.windows_at(back).drop(columns="revenue_after")
        pd.testing.assert_frame_equal(windows, reference_windows, rtol=1e-12, check_dtype=False)


def test_the_one_engine_pass_gives_the_reference_features_and_labels(
    demo_context: Contexts, small: Contexts
) -> None:
    """Every cut-off's sums from the engine equal the per-cut-off pandas reference."""
    for make in (demo_context, small):
        ctx = make()
        engine, reference = churn.churn_history(ctx), churn.reference_history(ctx)
        assert engine.windows is not None
        backs = sorted(engine.windows)
        _assert_same_features(engine, reference, backs)
        horizon = ctx.settings.churn.horizon_months
        for back in (b for b in backs if b >= horizon):
            new = cm.label_at(engine, back, horizon, 0.3)
            assert new.equals(cm.label_at(reference, back, horizon, 0.3)), back
        with pytest.raises(ValueError, match="horizon"):
            cm.label_at(engine, backs[-1], horizon - 1, 0.3)  # windows of another horizon
    assert len(backs) >= 2  # the small company: the as-of date and the test cut-off


def test_demo_backtest_is_the_same_on_the_reference_history(demo_context: Contexts) -> None:
    ctx = demo_context()
    settings = ctx.settings.churn
    args = (settings.horizon_months, settings.contraction, settings.min_train_cutoffs, 7)
    new = cm.backtest(churn.churn_history(ctx), *args)
    old = cm.backtest(churn.reference_history(ctx), *args)
    assert new.status == old.status == "ok"
    assert new.auc == pytest.approx(old.auc, rel=1e-9)
    assert new.brier == pytest.approx(old.brier, rel=1e-9)
    assert new.model is not None and old.model is not None
    np.testing.assert_allclose(
        new.model.coefficients().coefficient, old.model.coefficients().coefficient, rtol=1e-6
    )
