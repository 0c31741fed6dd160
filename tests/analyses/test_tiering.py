"""Key-account scoring and tiering (docs/metrics.md §9): known answers on a hand-made company."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import tiering
from keyaccount.analyses.context import AuditContext
from keyaccount.config import TieringSettings, load_settings
from keyaccount.data.demo import DemoFiles
from keyaccount.engine import duckdb_backend, workspace_tables
from keyaccount.workspace import Workspace

EXACT = {"rel": 1e-9, "abs": 1e-9}

CUSTOMERS = [
    [
        "customer_id",
        "name",
        "industry",
        "ownership",
        "first_date",
        "is_strategic_partner",
        "is_lighthouse",
        "joint_rnd",
        "is_channel",
        "score_channel",
    ],
    ["A", "甲集团", "auto", "国企", "2019-12-31", "是", "是", "Y", "", "80"],
    ["B", "乙公司", "auto", "民企", "2023-12-31", "否", "否", "N", "", ""],
    ["C", "丙公司", "chem", "", "", "否", "", "N", "", ""],
]
INVOICES = [
    [
        "invoice_id",
        "customer_id",
        "date",
        "amount",
        "cost",
        "project_id",
        "product_line",
        "due_date",
        "paid_date",
    ],
    # A: two lines of project P1 (two product lines), one paid on time, one late.
    ["1", "A", "2024-03-01", "600", "300", "P1", "L1", "2024-03-31", "2024-03-20"],
    ["2", "A", "2024-06-01", "400", "200", "P1", "L2", "2024-07-01", "2024-08-01"],
    ["3", "A", "2023-06-01", "500", "250", "P0", "L1", "2023-07-01", "2023-06-30"],
    # B: one project with one line, due and never paid.
    ["4", "B", "2024-05-01", "300", "240", "Q1", "L1", "2024-06-01", ""],
    ["5", "B", "2023-05-01", "100", "50", "", "L1", "2023-06-01", "2023-05-20"],
    # C: new on the as-of date, not due yet, no project.
    ["6", "C", "2024-12-31", "100", "50", "", "L1", "2025-01-30", ""],
]
SURVEYS = [
    ["customer_id", "date", "score"],
    ["A", "2024-02-01", "4"],
    ["A", "2024-09-01", "5"],
    ["B", "2024-04-01", "3"],
    ["B", "2023-04-01", "3"],
]
INDUSTRIES = [
    ["industry", "market_growth", "investment_events"],
    ["auto", "10%", "5"],
    ["chem", "-5%", "1"],
]

# The known answers (see each dimension's curve in the module docstring).
PR = {"A": 250 / 3, "B": 50.0, "C": 50 / 3}  # revenue 1000 > 300 > 100, contribution too
GROWTH_PR = {"A": 50 / 3, "B": 50.0, "C": 250 / 3}  # growth 1.0 < 2.0 < new
INDUSTRY_GROWTH = {"A": 50.0, "B": 50.0, "C": 0.0}  # auto 10% → 50, chem −5% → 0
TENURE_B = 100 * (366 / 365.25) / 5
EXPECTED = {
    "A": {
        "financial": PR["A"],
        "growth": (2 * GROWTH_PR["A"] + INDUSTRY_GROWTH["A"]) / 3,
        "strategic": 100.0,
        "influence": 0.6 * 100 + 0.4 * 100,  # lighthouse; largest of auto
        "stability": (100 + 50) / 2,  # over five years; one of two lines paid on time
        "authority": 100.0,  # SOE
        "complexity": 50.0,  # two product lines in its one project; no costs table
        "co_innovation": 100.0,
        "feedback": 100.0,  # two surveys ≥ P90 of (2, 1) = 1.9
        "channel": 80.0,  # the manual score (is_channel is empty throughout)
    },
    "B": {
        "financial": PR["B"],
        "growth": (2 * GROWTH_PR["B"] + INDUSTRY_GROWTH["B"]) / 3,
        "strategic": 0.0,
        "influence": 0.4 * 50,  # second of the two auto accounts
        "stability": (TENURE_B + 0) / 2,  # one year; its one due line unpaid
        "authority": 25.0,  # private
        "complexity": 0.0,  # one line per project
        "co_innovation": 0.0,
        "feedback": 100 / 1.9,
        "channel": math.nan,
    },
    "C": {
        "financial": PR["C"],
        "growth": (2 * GROWTH_PR["C"] + INDUSTRY_GROWTH["C"]) / 3,
        "strategic": 0.0,
        "influence": 0.4 * 100,  # blank lighthouse = no; the only chem account
        "stability": 0.0,  # first invoice on the as-of date; nothing due yet
        "authority": math.nan,  # ownership unknown: not scored
        "complexity": math.nan,  # no project, no custom R&D data
        "co_innovation": 0.0,
        "feedback": 0.0,
        "channel": math.nan,
    },
}
WEIGHTS = TieringSettings().weights.model_dump()


def expected_score(account: str, weights: dict[str, float] = WEIGHTS) -> float:
    dims = EXPECTED[account]
    used = {d: w for d, w in weights.items() if not math.isnan(dims[d])}
    return sum(dims[d] * w for d, w in used.items()) / sum(used.values())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiering")


@pytest.fixture(scope="module")
def small(folder: Path) -> Contexts:
    return hand_company(
        folder, customers=CUSTOMERS, invoices=INVOICES, surveys=SURVEYS, industries=INDUSTRIES
    )


def by_account(result: tiering.TieringResult) -> pd.DataFrame:
    return result.accounts.set_index("account_id")


def test_every_dimension_by_hand(small: Contexts) -> None:
    ctx = small()
    assert ctx.as_of == date(2024, 12, 31)
    accounts = by_account(tiering.run(ctx))
    for account, dims in EXPECTED.items():
        for dim, value in dims.items():
            got = accounts.loc[account, dim]
            if math.isnan(value):
                assert pd.isna(got), (account, dim)
            else:
                assert got == pytest.approx(value, **EXACT), (account, dim)


def test_score_renormalises_over_the_scored_dimensions(small: Contexts) -> None:
    result = tiering.run(small())
    accounts = by_account(result)
    for account in EXPECTED:
        assert accounts.score[account] == pytest.approx(expected_score(account), **EXACT)
    # A: all ten (score 79); B: nine (no channel); C: seven.
    assert accounts.score["A"] == pytest.approx(79.0, **EXACT)
    assert accounts.dimensions_scored.to_dict() == {"A": 10, "B": 9, "C": 7}
    assert accounts.coverage["C"] == pytest.approx(80 / 100, **EXACT)
    assert accounts.tier.to_dict() == {"A": "strategic", "B": "general", "C": "general"}
    assert accounts.manual_dimensions["A"] == ["channel"]
    assert list(result.accounts.account_id) == ["A", "B", "C"]  # best score first


def test_not_scored_is_not_zero(small: Contexts) -> None:
    """C's unknown ownership leaves authority out; a zero would pull its score down."""
    accounts = by_account(tiering.run(small()))
    assert pd.isna(accounts.authority["C"])
    as_zero = dict(EXPECTED["C"], authority=0.0)
    used = {d: w for d, w in WEIGHTS.items() if not math.isnan(as_zero[d])}
    with_zero = sum(as_zero[d] * w for d, w in used.items()) / sum(used.values())
    assert accounts.score["C"] == pytest.approx(expected_score("C"), **EXACT)
    assert accounts.score["C"] > with_zero + 1


def test_a_flag_column_empty_throughout_is_not_scored(small: Contexts) -> None:
    result = tiering.run(small())
    # is_channel is empty for everyone; only A's manual score gives a channel score.
    assert "channel" in result.dimensions_scored
    assert by_account(result).channel.isna().sum() == 2
    assert result.dimensions_not_scored == ()


def test_a_weight_in_keyaccount_toml_moves_a_tier(small: Contexts, folder: Path) -> None:
    """Weighting only the measured dimensions drops A from strategic to core."""
    ws = Workspace.find(explicit=folder / "ws")
    ws.settings_path.write_text(
        "[tiering.weights]\nstrategic = 0\ninfluence = 0\nauthority = 0\n"
        "co_innovation = 0\nchannel = 0\n",
        encoding="utf-8",
    )
    loaded = load_settings(ws.settings_path)
    assert loaded.tiering.weights.strategic == 0
    backend = duckdb_backend(ws)
    ctx = AuditContext.create(backend, workspace_tables(backend), loaded)
    accounts = by_account(tiering.run(ctx))
    weights = loaded.tiering.weights.model_dump()
    assert accounts.score["A"] == pytest.approx(expected_score("A", weights), **EXACT)
    assert accounts.score["A"] == pytest.approx(4000 / 60, **EXACT)  # 66.7
    assert accounts.tier["A"] == "core"
    assert by_account(tiering.run(small())).tier["A"] == "strategic"  # the default weights


def test_thresholds_move_tiers(small: Contexts) -> None:
    accounts = by_account(tiering.run(small(tiering={"strategic": 80, "developing": 25})))
    assert accounts.tier.to_dict() == {"A": "core", "B": "developing", "C": "general"}


def test_year_over_year_and_pitfalls(small: Contexts) -> None:
    result = tiering.run(small())
    accounts = by_account(result)
    assert result.previous_as_of == date(2023, 12, 31)
    assert accounts.tier_change["C"] == "new" and pd.isna(accounts.previous_score["C"])
    assert not pd.isna(accounts.previous_score["A"])
    # A makes 1000 / 1400 of revenue: over-dependence. B's gross margin 20% is far below the
    # company's 43.6%, but B is not a key account, so it is no pitfall.
    pit = result.pitfalls
    assert pit[["account_id", "pitfall"]].values.tolist() == [["A", "over_dependence"]]
    assert pit.value.iloc[0] == pytest.approx(1000 / 1400, **EXACT)
    assert accounts.pitfalls["A"] == ["over_dependence"]
    codes = {f.code for f in result.findings}
    assert {"tiering.tiers", "tiering.over_dependence", "tiering.portfolio_shape"} <= codes
    shape = result.portfolio_shape.set_index("layer")
    assert shape.status.to_dict() == {
        "anchor": "too_large",
        "core": "too_few",
        "growth_pool": "too_few",
    }
    tiers = result.tiers.set_index("tier")
    assert tiers.accounts.to_dict() == {"strategic": 1, "core": 0, "developing": 0, "general": 2}
    assert tiers.revenue_share.sum() == pytest.approx(1.0, **EXACT)


def test_price_and_payment_giveaways_of_key_accounts(small: Contexts) -> None:
    # With every account a key account, B's 20% gross margin (company 43.6%) is a give-away.
    result = tiering.run(small(tiering={"strategic": 0, "core": 0, "developing": 0}))
    pit = result.pitfalls
    price = pit[pit.pitfall == "price_giveaway"]
    assert price.account_id.tolist() == ["B"]
    assert price.reference.iloc[0] == pytest.approx(610 / 1400, **EXACT)


def test_manual_score_overrides_judgement_but_only_fills_measured(tmp_path: Path) -> None:
    customers = [
        ["customer_id", "is_strategic_partner", "score_strategic", "score_financial"],
        ["A", "是", "30", "5"],
        ["B", "否", "", ""],
    ]
    invoices = [
        ["invoice_id", "customer_id", "date", "amount"],
        ["1", "A", "2024-06-01", "100"],
        ["2", "B", "2024-06-01", "50"],
    ]
    accounts = by_account(
        tiering.run(hand_company(tmp_path, customers=customers, invoices=invoices)())
    )
    assert accounts.strategic.to_dict() == {"A": 30.0, "B": 0.0}  # the manual 30 wins over 是
    assert accounts.financial["A"] == pytest.approx(75.0)  # data wins over the manual 5
    assert accounts.manual_dimensions["A"] == ["strategic"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.floats(0, 100, allow_nan=False)), min_size=10, max_size=10
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.floats(0, 50, allow_nan=False), min_size=10, max_size=10),
)
def test_score_in_range_and_tiers_monotone(rows: list[list[float | None]], w: list[float]) -> None:
    dims = pd.DataFrame(
        [[math.nan if v is None else v for v in r] for r in rows], columns=list(tiering.DIMENSIONS)
    )
    weights = dict(zip(tiering.DIMENSIONS, w, strict=True))
    scored = tiering.key_account_score(dims, weights)
    score = scored.score.dropna()
    assert ((score >= -1e-9) & (score <= 100 + 1e-9)).all()
    tiers = tiering.tier_of(scored.score, TieringSettings())
    rank = scored.assign(t=tiers.map({t: i for i, t in enumerate(tiering.TIERS)})).dropna()
    ordered = rank.sort_values("score")
    assert ordered.t.is_monotonic_decreasing  # a higher score never sits in a lower tier


def test_curves() -> None:
    values = pd.Series([0.0, 1.0, 2.0, 10.0, math.nan])
    capped = tiering.capped_scale(values)
    cap = float(pd.Series([1.0, 2.0, 10.0]).quantile(0.9))
    assert capped.iloc[:4].tolist() == pytest.approx([0, 100 / cap, 200 / cap, 100])
    assert pd.isna(capped.iloc[4])
    ranks = tiering.top_rank(pd.Series([5.0, 1.0, 3.0]), pd.Series(["x", "x", None]))
    assert ranks.iloc[:2].tolist() == [100.0, 50.0] and pd.isna(ranks.iloc[2])
    assert tiering.shift_months(date(2024, 2, 29), 12) == date(2023, 2, 28)
    combined = tiering.combine(
        [(pd.Series([10.0, math.nan, math.nan]), 2), (pd.Series([40.0, 40.0, math.nan]), 1)]
    )
    assert combined.iloc[0] == pytest.approx(20.0) and combined.iloc[1] == 40.0
    assert np.isnan(combined.iloc[2])


def test_demo_planted_strategic_accounts_are_strategic_or_core(
    demo_context: Contexts, demo_files: DemoFiles
) -> None:
    result = tiering.run(demo_context())
    planted = demo_files.truth["strategic_accounts"]["accounts"]
    tiers = by_account(result).tier
    assert len(planted) == 11
    assert tiers[planted].isin(["strategic", "core"]).all(), tiers[planted].to_dict()
    # They are the best-scored accounts of the demo: every strategic account is planted.
    assert set(tiers[tiers == "strategic"].index) <= set(planted)
    # The top group (33% of revenue) is an over-dependence; channel has no data at all.
    over = result.pitfalls[result.pitfalls.pitfall == "over_dependence"]
    assert over.account_id.tolist() == [demo_files.truth["strategic_accounts"]["group"]]
    assert result.dimensions_not_scored == ("channel",)
    assert result.accounts.score.between(0, 100).all()
