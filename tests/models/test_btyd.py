"""BG/NBD and Gamma-Gamma (docs/metrics.md §4): the published CDNOW answers, then invariants."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from keyaccount.models import btyd

CDNOW = Path(__file__).parent.parent / "data" / "cdnow"
CALIBRATION_END = pd.Timestamp("1997-09-30")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """Hardie's CDNOW summary: 2,357 customers, x / t_x / T in weeks, zbar in USD."""
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv").set_index("ID")


@pytest.fixture(scope="module")
def bgnbd(cdnow: pd.DataFrame) -> btyd.BgNbd:
    return btyd.fit_bgnbd(cdnow.x, cdnow.t_x, cdnow["T"])


def test_bgnbd_params_out_is_close_to_hardie_paper(bgnbd: btyd.BgNbd) -> None:
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 280: r = 0.243, α = 4.414,
    # a = 0.793, b = 2.426, LL = −9582.4.
    assert bgnbd.converged
    assert bgnbd.customers == 2357
    assert bgnbd.r == pytest.approx(0.243, abs=1e-3)
    assert bgnbd.alpha == pytest.approx(4.414, abs=1e-3)
    assert bgnbd.a == pytest.approx(0.793, abs=1e-3)
    assert bgnbd.b == pytest.approx(2.426, abs=1e-3)
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_params_out_is_close_to_hardie_paper(cdnow: pd.DataFrame) -> None:
    # Fader, Hardie & Lee (2005), JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma Model of
    # Monetary Value": on the 946 repeat customers, p = 6.25, q = 3.74, γ = 15.44.
    repeat = cdnow[cdnow.x > 0]
    model = btyd.fit_gamma_gamma(repeat.x, repeat.zbar)
    assert model.converged and model.customers == 946
    assert model.p == pytest.approx(6.25, abs=0.01)
    assert model.q == pytest.approx(3.74, abs=0.01)
    assert model.gamma == pytest.approx(15.44, rel=1e-3)
    assert model.mean_spend == pytest.approx(model.p * model.gamma / (model.q - 1))


def test_conditional_expectation_matches_hardie_spreadsheet(bgnbd: btyd.BgNbd) -> None:
    # The paper's worked customer: x = 2, t_x = 30.43, T = 38.86 buys 1.226 times in the next
    # 39 weeks (Fader, Hardie & Lee 2005, section 4).
    expected = bgnbd.expected_purchases(39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=1e-3)


def test_new_customer_expectation_matches_hardie_spreadsheet(bgnbd: btyd.BgNbd) -> None:
    # E[X(t)] of eq. 7 at the times of Hardie's BG/NBD spreadsheet (as pinned by lifetimes'
    # test_expectation_returns_same_value_Hardie_excel_sheet).
    times = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]
    published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    got = [bgnbd.expected_purchases_new(t) for t in times]
    assert got == pytest.approx(published, abs=1e-3)


def test_probability_alive(bgnbd: btyd.BgNbd) -> None:
    alive = bgnbd.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86])
    assert alive[0] == 1.0  # no repeat purchase: never had a chance to drop out
    # x = 2 at 30.43: 1 / (1 + a/(b+1) · ((α+T)/(α+t_x))^{r+2}), by hand.
    odds = (
        bgnbd.a / (bgnbd.b + 1) * ((bgnbd.alpha + 38.86) / (bgnbd.alpha + 30.43)) ** (bgnbd.r + 2)
    )
    assert alive[1] == pytest.approx(1 / (1 + odds))
    assert alive[2] < alive[1]  # the same purchases, longer ago: less likely alive


def test_rfm_summary_reproduces_hardie_summary(cdnow: pd.DataFrame) -> None:
    transactions = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "value"],
        dtype={"date": str},
    )
    transactions["date"] = pd.to_datetime(transactions.date, format="%Y%m%d")
    summary = btyd.rfm_summary(transactions, "id", "date", CALIBRATION_END, amount="value")
    assert len(summary) == 2357
    ref = cdnow.loc[summary.index]
    assert (summary.frequency == ref.x).all()
    # The published file rounds to two decimals.
    assert np.abs(summary.recency - ref.t_x).max() <= 0.005
    assert np.abs(summary["T"] - ref["T"]).max() <= 0.005
    assert np.abs(summary.monetary - ref.zbar).max() <= 0.005 + 1e-9


def test_rfm_summary_by_hand() -> None:
    tx = pd.DataFrame(
        {
            "c": ["A", "A", "A", "A", "B", "C"],
            "day": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-15", "2024-02-12", "2024-02-05", "2024-03-01"]
            ),
            "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 99.0],
        }
    )
    summary = btyd.rfm_summary(tx, "c", "day", pd.Timestamp("2024-02-26"), amount="amount")
    # A: purchase days 01-01 (15, two lines), 01-15, 02-12 -> x = 2, t_x = 6 weeks, T = 8 weeks,
    # monetary (20 + 40) / 2. B: one day, three weeks before the end. C: after the end, left out.
    assert summary.to_dict("index") == {
        "A": {"frequency": 2, "recency": 6.0, "T": 8.0, "monetary": 30.0},
        "B": {"frequency": 0, "recency": 0.0, "T": 3.0, "monetary": 0.0},
    }
    daily = btyd.rfm_summary(tx, "c", "day", pd.Timestamp("2024-02-26"), period_days=1)
    assert daily.loc["A", "T"] == 56.0 and "monetary" not in daily


def test_gamma_gamma_expected_spend_by_hand() -> None:
    model = btyd.GammaGamma(
        p=6.0, q=4.0, gamma=15.0, log_likelihood=0.0, customers=0, converged=True
    )
    # p (γ + x z̄) / (p x + q − 1): 6 · (15 + 2·30) / (12 + 3) = 30; x = 0 -> p γ / (q − 1) = 30.
    spend = model.expected_average_spend([2, 0, 10], [30.0, 0.0, 100.0])
    assert spend[0] == pytest.approx(30.0)
    assert spend[1] == pytest.approx(model.mean_spend) == pytest.approx(30.0)
    assert spend[2] == pytest.approx(6 * (15 + 1000) / 63)


def test_many_purchases_stay_finite(bgnbd: btyd.BgNbd) -> None:
    # A distributor's account with 800 repeat purchase days, the last half a week ago: the
    # untransformed ₂F₁(r+x, b+x; a+b+x−1; z) is ~1e100 here.
    expected = bgnbd.expected_purchases(52, [800], [150.0], [150.5])
    assert np.isfinite(expected).all()
    assert 200 < expected[0] < 800 / 150 * 52  # near its own rate, less the risk of dropping out
    # The same account silent for six weeks (30 purchases missed) is almost surely gone.
    assert bgnbd.probability_alive([800], [150.0], [156.0])[0] < 1e-6


def test_purchase_forecast_on_cdnow(cdnow: pd.DataFrame) -> None:
    summary = cdnow.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary"})
    forecast, model, spend = btyd.purchase_forecast(summary, t=39)
    assert spend is not None and model.r == pytest.approx(0.243, abs=1e-3)
    row = forecast.loc[1]
    assert row.expected_purchases == pytest.approx(1.226, abs=1e-3)
    assert row.expected_value == pytest.approx(row.expected_purchases * row.expected_spend)
    assert btyd.parameters(spend).keys() == {"p", "q", "gamma"}


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1.5], [1.0], [2.0], "whole numbers"),
        ([1], [3.0], [2.0], r"\[0, T\]"),
        ([0], [1.0], [2.0], "recency must be 0"),
        ([1, 2], [1.0], [2.0], "same length"),
        ([0, 0], [0.0, 0.0], [2.0, 3.0], "repeat purchases"),
    ],
)
def test_bad_summaries_are_refused(frequency, recency, T, message) -> None:
    with pytest.raises(ValueError, match=message):
        btyd.fit_bgnbd(frequency, recency, T)


def test_gamma_gamma_refuses_one_time_buyers() -> None:
    with pytest.raises(ValueError, match="repeat customers only"):
        btyd.fit_gamma_gamma([0, 2], [0.0, 10.0])


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 300),
    st.floats(0.0, 1.0),
    st.floats(0.1, 500.0),
    st.floats(0.1, 200.0),
)
def test_forecast_invariants(x: int, share: float, T: float, t: float) -> None:
    model = btyd.BgNbd(0.243, 4.414, 0.793, 2.426, 0.0, 0, True)
    t_x = 0.0 if x == 0 else share * T
    alive = model.probability_alive([x], [t_x], [T])[0]
    assert 0.0 <= alive <= 1.0
    now = model.expected_purchases(t, [x], [t_x], [T])[0]
    later = model.expected_purchases(2 * t, [x], [t_x], [T])[0]
    assert 0.0 <= now <= later + 1e-9
