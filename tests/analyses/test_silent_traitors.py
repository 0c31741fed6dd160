"""Silent traitors (docs/metrics.md §7): hand-computed signals, invariants, the demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import silent_traitors

CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    *[[c, f"客户{c}", ""] for c in ("T1", "T2", "T3", "T4", "S1", "U1", "U2", "Z", "G", "Q")],
    ["P", "工厂", "G"],
]

T2_PRIOR = [f"2023-{m:02d}-05" for m in range(7, 13)] + [f"2024-{m:02d}-05" for m in range(1, 5)]
T2_TTM = [f"2024-{m:02d}-05" for m in range(7, 13)] + ["2025-01-05"]

# As-of 2025-06-30 (Q's invoice): TTM (2024-06-30, 2025-06-30], prior TTM the year before.
INVOICES = [
    ["invoice_id", "line_id", "customer_id", "date", "amount", "product_line", "deal_type"],
    # T1: revenue 1000 → 850, exactly −15%.
    ["T1-1", "1", "T1", "2023-09-01", "500", "X", "commercial"],
    ["T1-2", "1", "T1", "2024-03-01", "500", "X", "commercial"],
    ["T1-3", "1", "T1", "2024-09-01", "425", "X", "commercial"],
    ["T1-4", "1", "T1", "2025-03-01", "425", "X", "commercial"],
    # T2: 10 orders → 7, exactly −30%; revenue flat (a credit note is not an order).
    *[[f"T2-{i}", "1", "T2", d, "100", "X", "commercial"] for i, d in enumerate(T2_PRIOR)],
    *[[f"T2-{i + 10}", "1", "T2", d, "143", "X", "commercial"] for i, d in enumerate(T2_TTM)],
    ["T2-C", "1", "T2", "2025-02-10", "-1", "X", "commercial"],
    # T3: line Y made exactly 10% of the prior TTM (one invoice, two lines) and stops; a
    # sample of Y in the TTM is not revenue.
    ["T3-1", "1", "T3", "2023-10-01", "450", "X", "commercial"],
    ["T3-1", "2", "T3", "2023-10-01", "100", "Y", "commercial"],
    ["T3-2", "1", "T3", "2024-02-01", "450", "X", "commercial"],
    ["T3-3", "1", "T3", "2024-10-01", "500", "X", "commercial"],
    ["T3-4", "1", "T3", "2025-02-01", "500", "X", "commercial"],
    ["T3-S", "1", "T3", "2025-01-01", "50", "Y", "sample"],
    # T4: flat revenue; wallet share 25% → 20% (see WALLET).
    ["T4-1", "1", "T4", "2023-08-01", "1000", "X", "commercial"],
    ["T4-2", "1", "T4", "2024-08-01", "1000", "X", "commercial"],
    # S1: just short of every threshold: revenue −14%, orders −25%, a 9% line gone,
    # wallet share −4 points.
    ["S1-1", "1", "S1", "2023-08-01", "300", "X", "commercial"],
    ["S1-2", "1", "S1", "2023-11-01", "300", "X", "commercial"],
    ["S1-3", "1", "S1", "2024-02-01", "310", "X", "commercial"],
    ["S1-4", "1", "S1", "2024-05-01", "90", "Z", "commercial"],
    ["S1-5", "1", "S1", "2024-08-01", "300", "X", "commercial"],
    ["S1-6", "1", "S1", "2024-11-01", "300", "X", "commercial"],
    ["S1-7", "1", "S1", "2025-02-01", "260", "X", "commercial"],
    # U1 halves; U2 is flat.
    ["U1-1", "1", "U1", "2023-08-01", "1000", "X", "commercial"],
    ["U1-2", "1", "U1", "2024-08-01", "500", "X", "commercial"],
    ["U2-1", "1", "U2", "2023-08-01", "1000", "X", "commercial"],
    ["U2-2", "1", "U2", "2024-08-01", "1000", "X", "commercial"],
    # Z is new in the TTM; the group G (with its plant P) halves; Q has no survey.
    ["Z-1", "1", "Z", "2025-01-01", "800", "X", "commercial"],
    ["G-1", "1", "G", "2023-08-01", "600", "X", "commercial"],
    ["P-1", "1", "P", "2023-08-01", "400", "X", "commercial"],
    ["G-2", "1", "G", "2024-08-01", "300", "X", "commercial"],
    ["P-2", "1", "P", "2024-08-01", "200", "X", "commercial"],
    ["Q-1", "1", "Q", "2025-06-30", "100", "X", "commercial"],
]
SURVEYS = [
    ["customer_id", "date", "score", "scale"],
    ["T1", "2024-01-01", "2", "csat5"],
    ["T1", "2025-03-01", "4", "csat5"],
    ["T2", "2024-04-01", "3", "nps10"],
    ["T2", "2025-04-01", "9", "nps10"],
    ["T3", "2025-03-01", "5", "csat5"],
    ["T4", "2025-03-01", "4", "csat5"],
    ["S1", "2025-03-01", "4", "csat5"],
    ["U1", "2024-01-10", "5", "csat5"],
    ["U1", "2025-01-10", "3", "csat5"],
    ["U2", "2025-01-01", "2", "csat5"],
    ["U2", "2025-08-01", "5", "csat5"],  # after the as-of date: ignored
    ["Z", "2025-03-01", "5", "csat5"],
    ["G", "2025-02-01", "5", "csat5"],
    ["P", "2025-02-01", "3", "csat5"],  # same day as G's answer: the least satisfied counts
]
WALLET = [
    ["customer_id", "year", "category_spend"],
    ["T4", "2024", "4000"],
    ["T4", "2025", "5000"],
    ["S1", "2024", "5000"],
    ["S1", "2025", "5375"],
    ["U2", "2025", "2000"],  # no 2024 wallet: no wallet share change
]


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    return hand_company(
        tmp_path, customers=CUSTOMERS, invoices=INVOICES, surveys=SURVEYS, wallet=WALLET
    )


def nulls(values: pd.Series) -> list[Any]:
    """The values with NaN as None."""
    return [None if isinstance(v, float) and np.isnan(v) else v for v in values]


def test_silent_traitors_by_hand(company: Contexts) -> None:
    ctx = company()
    assert ctx.as_of == date(2025, 6, 30)
    result = silent_traitors.run(ctx)
    traitors = result.traitors.set_index("account_id")
    assert list(traitors.index) == ["T1", "T2", "T3", "T4"]  # equal prior revenue: by id
    assert traitors.signals.to_dict() == {
        "T1": ["revenue"],
        "T2": ["orders"],
        "T3": ["product_line"],
        "T4": ["wallet"],
    }
    assert traitors.loc["T1", "revenue_change"] == pytest.approx(-0.15)
    assert (traitors.loc["T2", "orders_prior"], traitors.loc["T2", "orders"]) == (10, 7)
    assert traitors.loc["T2", "revenue"] == 1000.0
    assert traitors.loc["T3", "dropped_lines"] == ["Y"]
    assert traitors.loc["T3", "dropped_share"] == pytest.approx(0.10)
    assert (traitors.loc["T3", "orders_prior"], traitors.loc["T3", "orders"]) == (2, 2)
    assert traitors.loc["T4", "wallet_share_prior"] == 0.25
    assert traitors.loc["T4", "wallet_share"] == 0.2
    assert traitors.loc["T4", "wallet_share_change"] == pytest.approx(-0.05)
    assert traitors.loc["T2", "scale"] == "nps10" and traitors.loc["T2", "score"] == 9
    assert traitors.loc["T1", "survey_date"] == date(2025, 3, 1)
    assert traitors.name.tolist() == ["客户T1", "客户T2", "客户T3", "客户T4"]

    assert result.satisfied_accounts == 5  # Z is satisfied but was not active in the prior TTM
    assert result.silent_traitor_count == 4
    assert result.satisfied_shrinking_share == 0.8
    assert (result.satisfied_stable, result.unsatisfied_shrinking) == (1, 2)
    assert result.unsatisfied_stable == 1
    assert result.surveyed_accounts == 8
    assert (result.surveyed_active_accounts, result.survey_coverage) == (9, 0.9)  # not Q
    assert result.by_signal == {"revenue": 1, "orders": 1, "product_line": 1, "wallet": 1}
    assert (result.traitor_revenue_prior, result.traitor_revenue) == (4000.0, 3850.0)
    assert result.wallet_used


def test_decoys_and_their_groups(company: Contexts) -> None:
    accounts = silent_traitors.run(company()).accounts.set_index("account_id")
    assert list(accounts.index) == ["G", "S1", "T1", "T2", "T3", "T4", "U1", "U2"]
    assert accounts.group.to_dict() == {
        "G": "unsatisfied_shrinking",
        "S1": "satisfied_stable",
        "T1": "silent_traitor",
        "T2": "silent_traitor",
        "T3": "silent_traitor",
        "T4": "silent_traitor",
        "U1": "unsatisfied_shrinking",
        "U2": "unsatisfied_stable",
    }
    s1 = accounts.loc["S1"]
    assert s1.signals == [] and s1.dropped_lines == []
    assert s1.revenue_change == pytest.approx(-0.14)
    assert s1.orders_change == pytest.approx(-0.25)
    assert s1.wallet_share_change == pytest.approx(-0.04)
    g = accounts.loc["G"]
    assert (g.revenue_prior, g.revenue, g.score, g.satisfied) == (1000.0, 500.0, 3.0, False)
    assert accounts.loc["U2", "score"] == 2 and accounts.loc["U2", "survey_date"] == date(
        2025, 1, 1
    )
    assert nulls(accounts.loc[["U2"], "wallet_share_change"]) == [None]


def test_findings_by_hand(company: Contexts) -> None:
    findings = {f.code: f for f in silent_traitors.run(company()).findings}
    assert set(findings) == {"silent_traitors.found", "silent_traitors.survey_coverage"}
    found = findings["silent_traitors.found"]
    assert found.severity == "alert" and found.subjects == ("T1", "T2", "T3", "T4")
    assert found.values["share"] == 0.8 and found.values["unsatisfied_shrinking"] == 2
    assert found.values["by_wallet"] == 1


def test_without_wallet_the_wallet_signal_is_not_used(tmp_path: Path) -> None:
    make = hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES, surveys=SURVEYS)
    result = silent_traitors.run(make())
    assert not result.wallet_used
    assert result.traitors.account_id.tolist() == ["T1", "T2", "T3"]
    assert result.satisfied_stable == 2
    assert result.accounts.wallet_share_change.isna().all()


def test_settings_move_the_thresholds(company: Contexts) -> None:
    ctx = company(silent_traitors={"revenue_drop": 0.2, "csat_satisfied": 3})
    result = silent_traitors.run(ctx)
    # T1's 15% no longer counts; a CSAT of 3 now satisfies U1 and the group G.
    assert result.traitors.account_id.tolist() == ["G", "T2", "T3", "T4", "U1"]
    assert result.satisfied_accounts == 7
    ctx = company(silent_traitors={"orders_drop": 0.2, "product_line_share": 0.05})
    accounts = silent_traitors.run(ctx).accounts.set_index("account_id")
    assert accounts.loc["S1", "signals"] == ["orders", "product_line"]
    assert accounts.loc["S1", "dropped_lines"] == ["Z"]


def test_least_satisfied_answer_of_the_latest_day_counts() -> None:
    answers = pd.DataFrame(
        {
            "account_id": ["g", "g", "h", "h"],
            "customer_id": ["g2", "g1", "h1", "h2"],
            "survey_date": [date(2025, 1, 1)] * 4,
            "score": [8.0, 4.0, 9.0, 4.0],
            "scale": ["nps10", "csat5", "nps10", "csat5"],
        }
    )
    picked = silent_traitors.account_satisfaction(answers, 4, 9).set_index("account_id")
    # 8 of 10 and 4 of 5 tie as shares of their scales; the unsatisfied answer counts.
    assert picked.loc["g"].tolist() == [8.0, "nps10", date(2025, 1, 1), False]
    assert picked.loc["h"].tolist() == [4.0, "csat5", date(2025, 1, 1), True]  # 0.8 < 0.9


facts = st.fixed_dictionaries(
    {
        "revenue_prior": st.floats(0, 1e6),
        "revenue": st.floats(-1e3, 1e6),
        "orders_prior": st.integers(0, 50),
        "orders": st.integers(0, 50),
        "dropped_share": st.sampled_from([0.0, 0.1, 0.4]),
        "wallet_share_prior": st.one_of(st.just(np.nan), st.floats(0, 1)),
        "wallet_share": st.one_of(st.just(np.nan), st.floats(0, 1)),
    }
)
DROPS = {"revenue": 0.15, "orders": 0.3, "wallet_share": 0.05}


@settings(max_examples=100, deadline=None)
@given(st.lists(facts, min_size=1, max_size=20), st.lists(st.booleans(), min_size=20))
def test_signals_and_groups_are_consistent(rows: list[dict[str, Any]], happy: list[bool]) -> None:
    table = silent_traitors.shrink_signals(pd.DataFrame(rows), DROPS)
    assert (table.shrinking == table.signals.map(bool)).all()
    assert not table.shrinking[table.revenue_prior <= 0].any()
    growing = (
        (table.revenue >= table.revenue_prior)
        & (table.orders >= table.orders_prior)
        & (table.dropped_share == 0)
        & ~(table.wallet_share < table.wallet_share_prior)
    )
    assert not table.shrinking[growing].any()
    satisfied = pd.Series(happy[: len(table)], index=table.index)
    groups = silent_traitors.quadrant(satisfied, table.shrinking)
    assert ((groups == "silent_traitor") == (satisfied & table.shrinking)).all()
    assert set(groups) <= {
        "silent_traitor",
        "satisfied_stable",
        "unsatisfied_shrinking",
        "unsatisfied_stable",
    }


def test_demo_silent_traitors_are_found(demo_audit: dict[str, Any], demo_files: Any) -> None:
    truth = demo_files.truth
    figures = demo_audit["silent_traitors"]
    traitors = {r["account_id"]: r for r in figures["traitors"]}
    planted = truth["silent_traitors"]
    for account in planted["customers"]:
        assert set(traitors[account]["signals"]) == set(planted["planted_signals"][account])
        survey = planted["details"][account]["latest_survey"]
        assert traitors[account]["survey_date"] == survey["date"]
        assert (traitors[account]["score"], traitors[account]["scale"]) == (
            survey["score"],
            survey["scale"],
        )
    decoys = truth["traitor_decoys"]
    groups = {r["account_id"]: r["group"] for r in figures["accounts"]}
    for kind, expected in (
        ("satisfied_stable", "satisfied_stable"),
        ("satisfied_small_dip", "satisfied_stable"),
        ("unsatisfied_shrinking", "unsatisfied_shrinking"),
    ):
        for account in decoys[kind]:
            assert account not in traitors and groups[account] == expected, account
    # The generator reads customers without roll-up; the top group's members are one account.
    group = set(truth["top_customer"]["group_members"])
    assert set(traitors) - group == set(planted["detected"]) - group


def test_demo_without_rollup_matches_the_generator(demo_context: Contexts, demo_files: Any) -> None:
    result = silent_traitors.run(demo_context(audit={"rollup": False}))
    planted = demo_files.truth["silent_traitors"]
    assert set(result.traitors.account_id) == set(planted["detected"])
    assert result.satisfied_shrinking_share == pytest.approx(
        planted["satisfied_shrinking_share"], abs=1e-6
    )
