"""Lifetime value (docs/metrics.md §4): hand-computed LTV, LTV/CAC and payback, invariants."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import ltv
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.profitability import account_pnl
from keyaccount.config import LtvSettings
from keyaccount.models import btyd


def test_ltv_hand_computed() -> None:
    # m = 100, S = (0.9, 0.8), d = 10%: 100·0.9/1.1 + 100·0.8/1.21 = 81.8181… + 66.1157…
    assert ltv.ltv(100.0, [0.9, 0.8], 0.10, 2) == pytest.approx(100 * 0.9 / 1.1 + 100 * 0.8 / 1.21)
    assert ltv.ltv(100.0, [0.9, 0.8], 0.10, 2) == pytest.approx(147.93388429752066)
    # Only the first H values count; many accounts at once.
    got = ltv.ltv(pd.Series([100.0, -50.0]), [0.9, 0.8, 0.7], 0.10, 2)
    assert got.tolist() == pytest.approx([147.93388429752066, -73.96694214876033])
    # No churn, no discount: H years of contribution.
    assert ltv.ltv(100.0, np.ones(10), 0.0, 10) == pytest.approx(1000.0)


def test_ltv_refuses_a_short_curve() -> None:
    with pytest.raises(ValueError, match=r"S\(1\)…S\(3\)"):
        ltv.ltv(100.0, [0.9, 0.8], 0.10, 3)


def test_yearly_survival_tails() -> None:
    # Kaplan–Meier at whole years, flat past the longest lifetime of 30 months (2.5 years).
    fitted = pd.Series([0.8, 0.7, 0.6, 0.6], index=[1, 2, 3, 4])
    geometric = ltv.yearly_survival(fitted, 4, longest_years=2.5)
    assert geometric.tolist() == pytest.approx([0.8, 0.7, 0.6 ** (3 / 2.5), 0.6 ** (4 / 2.5)])
    assert ltv.yearly_survival(fitted, 4, 2.5, tail="flat").tolist() == [0.8, 0.7, 0.6, 0.6]
    # Lifetimes longer than the horizon: nothing to extend.
    assert ltv.yearly_survival(fitted, 3, longest_years=8.0).tolist() == [0.8, 0.7, 0.6]
    with pytest.raises(ValueError, match=r"S\(1\)…S\(5\)"):
        ltv.yearly_survival(fitted, 5, 2.5)


def test_ratio_payback_and_exposure() -> None:
    ratio = ltv.ltv_to_cac(pd.Series([300.0, 300.0, 300.0]), pd.Series([100.0, 0.0, np.nan]))
    assert ratio.iloc[0] == 3.0 and ratio.iloc[1:].isna().all()
    payback = ltv.payback_months(
        pd.Series([12000.0, 12000.0, 0.0, np.nan]), pd.Series([1000.0, -5.0, -5.0, 100.0])
    )
    assert payback.iloc[0] == 12.0 and math.isnan(payback.iloc[1])  # never pays back
    assert payback.iloc[2] == 0.0 and math.isnan(payback.iloc[3])
    exposure = ltv.exposure_months(pd.Series([0, 5, 20, np.nan]), 12)
    assert exposure.tolist() == [3.0, 6.0, 12.0, 12.0]
    assert ltv.pooled_ratio(pd.Series([600.0, 50.0]), pd.Series([200.0, np.nan])) == (
        600.0,
        200.0,
        3.0,
        1,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20).map(sorted).map(lambda s: s[::-1]),
    st.floats(0.0, 0.5),
)
def test_discounted_survival_bounds(survival: list[float], rate: float) -> None:
    horizon = len(survival)
    factor = ltv.discounted_survival(survival, rate, horizon)
    assert 0.0 <= factor <= horizon + 1e-9
    assert factor <= ltv.discounted_survival(np.ones(horizon), rate, horizon) + 1e-9
    if rate > 0:  # discounting never adds value
        assert factor <= ltv.discounted_survival(survival, 0.0, horizon) + 1e-9


# --- The analysis on a hand-made company -----------------------------------------------------

# As-of = the last commercial invoice, 2025-06-30; window (2024-06-30, 2025-06-30]. Every
# invoice has a cost and is paid the day it is issued and there is no cost-to-serve, so
# contribution = gross profit = amount − cost.
CUSTOMERS = [
    ["customer_id", "name", "industry", "first_date"],
    ["A", "甲", "汽车", "2023-02-20"],
    ["B", "乙", "汽车", ""],
    ["C", "丙", "电力", ""],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "cost", "deal_type", "paid_date"],
    ["1", "C", "2023-01-10", "500", "450", "commercial", "2023-01-10"],  # history starts
    ["2", "A", "2023-03-01", "1000", "600", "commercial", "2023-03-01"],
    ["3", "C", "2024-12-01", "1000", "900", "commercial", "2024-12-01"],
    ["4", "A", "2024-09-01", "3000", "1800", "commercial", "2024-09-01"],
    ["5", "A", "2024-09-01", "-500", "-300", "commercial", "2024-09-01"],  # same-day credit
    ["6", "B", "2025-04-15", "600", "300", "commercial", "2025-04-15"],
    ["7", "A", "2025-06-30", "2500", "1500", "commercial", "2025-06-30"],
]
COSTS = [
    ["period", "category", "amount", "customer_id"],
    ["2023-03-01", "acquisition", "4000", ""],  # 2023Q1: A is its only new account
    ["2025-04-01", "acquisition", "600", "B"],
]
# A: window revenue 5000, contribution 2000, exposure 12 → m 2000, monthly GP 166.67, CAC 4000.
# B: acquired 2025-04-15 (2 months back) → exposure 3: m = 300·12/3 = 1200, monthly GP 100,
#    CAC 600 (tagged). C: first bought in the history's first quarter → CAC unknown; m 100.
CURVES = {  # fake yearly survival curves, by number of lifetimes
    2: pd.Series([0.9, 0.8], index=[1, 2]),  # 汽车: A and B
    4: pd.Series([0.8, 0.6], index=[1, 2]),  # all
}
F_AUTO = 0.9 / 1.1 + 0.8 / 1.21
F_ALL = 0.8 / 1.1 + 0.6 / 1.21


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("ltv")
    company = hand_company(folder, customers=CUSTOMERS, invoices=INVOICES, costs=COSTS)

    def make(**ltv_settings: object) -> AuditContext:
        return company(ltv={"horizon_years": 2, "min_segment_lifetimes": 2, **ltv_settings})

    return make


@pytest.fixture
def fake_lifetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every lifetime set is longer than the two-year horizon: no tail to extend.
    lifetimes = pd.DataFrame(
        {"account_id": ["A", "B", "C", "OLD"], "duration": [27, 2, 29, 40], "event": [0, 0, 0, 1]}
    )

    def fit(group: pd.DataFrame, horizon: int) -> pd.Series:
        return CURVES[len(group)]

    monkeypatch.setattr(ltv, "_lifetimes", lambda ctx: (lifetimes.copy(), fit))


def test_hand_computed_ltv_and_ratios(small, fake_lifetimes) -> None:
    result = ltv.run(small())
    acc = result.accounts.set_index("account_id")
    assert acc.yearly_contribution.to_dict() == pytest.approx(
        {"A": 2000.0, "B": 1200.0, "C": 100.0}
    )
    assert acc.exposure_months.to_dict() == {"A": 12.0, "B": 3.0, "C": 12.0}
    assert acc.curve.to_dict() == {"A": "汽车", "B": "汽车", "C": "(all)"}  # 电力: one lifetime
    assert acc.ltv.to_dict() == pytest.approx(
        {"A": 2000 * F_AUTO, "B": 1200 * F_AUTO, "C": 100 * F_ALL}
    )
    assert acc.cac.to_dict() == pytest.approx({"A": 4000.0, "B": 600.0, "C": math.nan}, nan_ok=True)
    assert acc.ltv_to_cac.loc["A"] == pytest.approx(2000 * F_AUTO / 4000)  # 0.74
    assert acc.ltv_to_cac.loc["B"] == pytest.approx(1200 * F_AUTO / 600)  # 2.96
    assert acc.payback_months.loc["A"] == pytest.approx(24.0)
    assert acc.payback_months.loc["B"] == pytest.approx(6.0)
    assert math.isnan(acc.payback_months.loc["C"])

    company = 3200 * F_AUTO / 4600
    assert result.company_ltv_to_cac == pytest.approx(company)  # 1.03: A and B only
    assert result.accounts_with_cac == 2 and result.company_healthy is False
    segments = result.segments.set_index("segment")
    assert segments.loc["汽车", "ltv_to_cac"] == pytest.approx(company)
    assert math.isnan(segments.loc["电力", "ltv_to_cac"])
    assert segments.lifetimes.to_dict() == {"汽车": 2, "电力": 1}
    survival = result.survival.set_index(["curve", "year"]).survival
    assert survival.loc[("(all)", 2)] == 0.6
    codes = [f.code for f in result.findings]
    assert "ltv.ltv_to_cac_unhealthy" in codes
    below = next(f for f in result.findings if f.code == "ltv.ltv_below_cac")
    assert below.subjects == ("A",)
    skipped = next(f for f in result.findings if f.code == "ltv.purchase_forecast_skipped")
    assert skipped.values == {"reason": "too_few_repeat_accounts"}
    assert result.purchase_forecast is None
    assert result.figures()["company_ltv_to_cac"] == pytest.approx(company)


def test_one_segment_for_all(small, fake_lifetimes) -> None:
    result = ltv.run(small(segment="all", discount_rate=0.0))
    acc = result.accounts.set_index("account_id")
    assert set(acc.curve) == {"(all)"}
    assert acc.ltv.loc["A"] == pytest.approx(2000 * (0.8 + 0.6))
    assert list(result.segments.segment) == ["(all)"]


def test_account_rfm_hand_computed(small) -> None:
    summary = ltv.account_rfm(small())
    # A buys on 2023-03-01 (1000), 2024-09-01 (3000, and a −500 credit the same day) and
    # 2025-06-30 (2500): 3 purchase days, net 6000 → mean spend per purchase day 2000.
    assert summary.loc["A"].to_dict() == pytest.approx(
        {"frequency": 2, "recency": 852 / 7, "T": 852 / 7, "monetary": 2000.0}
    )
    # B bought once, on 2025-04-15: no repeat purchase, no mean spend.
    assert summary.loc["B"].to_dict() == pytest.approx(
        {"frequency": 0, "recency": 0.0, "T": 76 / 7, "monetary": 0.0}
    )
    # C: 2023-01-10 and 2024-12-01 (500 + 1000 over two days).
    assert summary.loc["C"].to_dict() == pytest.approx(
        {"frequency": 1, "recency": 691 / 7, "T": 902 / 7, "monetary": 750.0}
    )


def test_account_rfm_matches_the_pandas_summary_on_the_demo(demo_context: Contexts) -> None:
    ctx = demo_context()
    engine = ltv.account_rfm(ctx)
    lines = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    lines = lines.filter(lines.deal_type == "commercial", lines.date <= ctx.as_of)
    frame = lines.select("account_id", "date", "amount").execute()
    frame["amount"] = frame.amount.astype(float)
    buying = frame[frame.amount > 0]
    local = btyd.rfm_summary(buying, "account_id", "date", pd.Timestamp(ctx.as_of))
    net = frame.groupby("account_id").amount.sum()
    days = buying.groupby("account_id").date.nunique()
    local["monetary"] = (net / days).where(local.frequency > 0, 0.0)
    local.index = local.index.astype(str)
    pd.testing.assert_frame_equal(engine, local, check_names=False, check_dtype=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 31), min_size=1, max_size=31), st.integers(2000 * 12, 2040 * 12))
def test_purchase_day_masks_read_back(days: list[int], month: int) -> None:
    mask = sum(1 << (d - 1) for d in set(days))
    read = ltv.purchase_days(np.array([month]), np.array([mask]))
    start = np.datetime64(f"{month // 12:04d}-{month % 12 + 1:02d}-01")
    assert read.first[0] == start + (min(days) - 1)
    assert read.last[0] == start + (max(days) - 1)
    assert read.count[0] == len(set(days))


def test_settings_default_and_documented() -> None:
    defaults = LtvSettings()
    assert (defaults.discount_rate, defaults.horizon_years, defaults.healthy_ltv_to_cac) == (
        0.10,
        10,
        3.0,
    )
    assert defaults.segment == "industry"
    assert all(f.description for f in LtvSettings.model_fields.values())


# --- The demo company, with the real lifetimes and survival model ----------------------------


def test_demo_ltv_wiring(demo_context: Contexts) -> None:
    ctx = demo_context()
    result = ltv.run(ctx)
    acc = result.accounts
    assert len(acc) == int((account_pnl(ctx).revenue > 0).sum())

    survival = result.survival.pivot(index="year", columns="curve", values="survival")
    assert list(survival.index) == list(range(1, 11))
    assert ((survival >= 0) & (survival <= 1)).all().all()
    assert (survival.diff().iloc[1:] <= 1e-12).all().all()  # never rises
    segments = result.segments.set_index("segment")
    own = segments.lifetimes >= LtvSettings().min_segment_lifetimes
    assert (segments.curve[own] == segments.index[own]).all()
    assert (segments.curve[~own] == ltv.ALL).all() and own.sum() >= 3

    factor = (survival / 1.1 ** survival.index.to_numpy()[:, None]).sum()
    assert np.allclose(acc.ltv, acc.yearly_contribution * acc.curve.map(factor))
    known = acc.cac.notna()
    assert np.allclose(acc.ltv_to_cac[known], acc.ltv[known] / acc.cac[known])
    paying = known & (acc.monthly_gross_profit > 0)
    assert np.allclose(acc.payback_months[paying], (acc.cac / acc.monthly_gross_profit)[paying])
    assert result.company_ltv_to_cac == pytest.approx(acc.ltv[known].sum() / acc.cac[known].sum())
    assert result.accounts_with_cac == int(known.sum()) > 100

    forecast = result.purchase_forecast
    assert forecast is not None and forecast.bgnbd["converged"] == 1.0
    assert forecast.gamma_gamma is not None
    table = forecast.accounts
    assert table.p_alive.between(0, 1).all() and (table.expected_purchases >= 0).all()
