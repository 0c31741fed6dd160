"""Wallet share (docs/metrics.md §6): a hand-made company, the shares' invariants, the demo."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import wallet_share

CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    ["W", "Wane", ""],
    ["P", "Parent", ""],
    ["P1", "Plant", "P"],
    ["Z", "Zero", ""],
    ["F", "Future", ""],
]
# As-of 2024-09-30: wallet year 2024 meets (2023-09-30, 2024-09-30], 2023 the twelve months before.
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount"],
    ["1", "W", "2023-03-15", "400"],
    ["2", "W", "2023-12-01", "100"],
    ["3", "W", "2024-09-30", "200"],
    ["4", "P", "2023-06-01", "100"],
    ["5", "P1", "2024-06-01", "480"],
    ["6", "F", "2024-01-10", "50"],
]
WALLET = [
    ["customer_id", "year", "category_spend"],
    ["W", "2023", "1000"],
    ["W", "2024", "1000"],
    ["P", "2023", "500"],
    ["P", "2024", "300"],
    ["P1", "2024", "700"],  # summed into the group P
    ["Z", "2024", "500"],
    ["F", "2025", "900"],  # after the as-of year: ignored
]


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    """The hand-made company with wallet estimates."""
    return hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES, wallet=WALLET)


def test_wallet_share_by_hand(company: Contexts) -> None:
    result = wallet_share.run(company())
    years = result.years.set_index(["account_id", "year"])
    assert list(years.index) == [("P", 2023), ("P", 2024), ("W", 2023), ("W", 2024), ("Z", 2024)]
    assert years.wallet.tolist() == [500.0, 1000.0, 1000.0, 1000.0, 500.0]
    assert years.revenue.tolist() == [100.0, 480.0, 400.0, 300.0, 0.0]
    assert years.wallet_share.tolist() == pytest.approx([0.2, 0.48, 0.4, 0.3, 0.0])
    assert years.change.loc[("P", 2024)] == pytest.approx(0.28)
    assert years.change.loc[("W", 2024)] == pytest.approx(-0.1)
    assert np.isnan(years.change.loc[("Z", 2024)])
    # The data begin in March 2023: the 2023 window (from October 2022) is not fully observed.
    assert years.observed.tolist() == [False, True, False, True, True]
    assert result.latest_year == 2024 and result.accounts == 3
    assert result.median_share == pytest.approx(0.3)
    assert result.mean_share == pytest.approx((0.48 + 0.3 + 0.0) / 3)
    assert result.pooled_share == pytest.approx((480 + 300) / (1000 + 1000 + 500))
    assert result.declining_accounts == 1
    assert result.falling.to_dict("records") == [
        pytest.approx(
            {"account_id": "W", "previous_share": 0.4, "wallet_share": 0.3, "change": -0.1}
        )
    ]
    dist = result.distribution.set_index("bucket").accounts
    assert dist.to_dict() == {"<10%": 1, "10-30%": 0, "30-50%": 2, "50-70%": 0, ">=70%": 0}
    findings = {f.code: f for f in result.findings}
    assert findings["wallet_share.falling"].subjects == ("W",)
    assert findings["wallet_share.falling"].values["largest_fall"] == pytest.approx(0.1)
    assert findings["wallet_share.latest"].values["accounts"] == 3


def test_falling_uses_the_silent_traitor_threshold(company: Contexts) -> None:
    result = wallet_share.run(company(silent_traitors={"wallet_share_drop": 0.15}))
    assert result.falling.empty and result.declining_accounts == 1
    assert "wallet_share.falling" not in {f.code for f in result.findings}


def test_without_rollup_each_member_has_its_own_share(company: Contexts) -> None:
    years = wallet_share.run(company(audit={"rollup": False})).years.set_index(
        ["account_id", "year"]
    )
    assert years.wallet_share.loc[("P1", 2024)] == pytest.approx(480 / 700)
    assert years.wallet_share.loc[("P", 2024)] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.integers(2020, 2024),
            st.integers(1, 10**6),
            st.integers(-100, 10**6),
        ),
        min_size=1,
        max_size=15,
        unique_by=lambda r: (r[0], r[1]),
    )
)
def test_changes_are_differences_of_consecutive_shares(
    rows: list[tuple[str, int, int, int]],
) -> None:
    wallets = pd.DataFrame(
        [(a, y, float(w)) for a, y, w, _ in rows], columns=["account_id", "year", "wallet"]
    )
    revenue = pd.DataFrame(
        [(a, y, float(r)) for a, y, _, r in rows], columns=["account_id", "year", "revenue"]
    )
    table = wallet_share.share_table(wallets, revenue, 60, 2024)
    assert len(table) == len(rows)
    assert (table.wallet_share * table.wallet).to_numpy() == pytest.approx(table.revenue)
    shares = table.set_index(["account_id", "year"]).wallet_share
    for (account, year), change in table.set_index(["account_id", "year"]).change.items():
        if (account, year - 1) in shares.index:
            assert change == pytest.approx(shares[(account, year)] - shares[(account, year - 1)])
        else:
            assert np.isnan(change)
    dist = wallet_share.distribution(table.wallet_share)
    assert dist.accounts.sum() == len(table)


def test_demo_wallet_share_finds_the_planted_wallet_losers(
    demo_context: Contexts, demo_files
) -> None:
    result = wallet_share.run(demo_context())
    truth = demo_files.truth
    details = truth["silent_traitors"]["details"] | truth["traitor_decoys"]["details"]
    planted = {c: d["wallet_share_change"] for c, d in details.items()}
    planted = {c: v for c, v in planted.items() if v is not None}
    latest = result.years[result.years.year == result.latest_year].set_index("account_id")
    for account, change in planted.items():
        assert latest.change.loc[account] == pytest.approx(change, abs=1e-6)
    losers = {c for c, v in planted.items() if v <= -0.05}
    assert losers  # the demo plants wallet losers among its silent traitors
    assert set(result.falling.account_id) == losers
    assert result.latest_year == 2026 and result.years.observed.any()
    assert 0.2 < result.median_share < 0.6  # the demo's steady shares are drawn in 20-60%
