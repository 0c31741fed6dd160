"""Customer lifetimes and Kaplan–Meier survival (docs/metrics.md §5): hand cases, the demo."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import Contexts, hand_company
from keyaccount.models import lifetimes as lt

# Active months, as month indices back from the as-of date (0 = the as-of month).
ACTIVE = {
    "a": [20, 19, 15, 14, 2],  # 3 silent months after 19: lost at 19
    "b": [10, 8, 5, 1],  # gaps of 1, 2, then 3 (months 4, 3, 2): lost at 5
    "c": [6, 4, 2],  # 2 silent months since 2: still active, censored
    "d": [3],  # 3 silent months since: lost at 3
    "e": [0],  # bought in the as-of month: censored
}


def spells_of(active: dict[str, list[int]], gap: int) -> pd.DataFrame:
    table = ibis.memtable(
        pd.DataFrame(
            [(a, b) for a, backs in active.items() for b in backs], columns=["account_id", "back"]
        )
    )
    return lt.spells(table, gap).execute().sort_values("account_id").reset_index(drop=True)


def test_spells_and_lifetimes_with_a_gap_of_three() -> None:
    spell = spells_of(ACTIVE, 3)
    life = lt.lifetimes_from_spells(spell, data_back=20).set_index("account_id")
    assert life.duration.to_dict() == {"a": 2, "b": 6, "c": 7, "d": 1, "e": 1}
    assert life.event.to_dict() == {"a": True, "b": True, "c": False, "d": True, "e": False}
    assert life.end_back.to_dict() == {"a": 19, "b": 5, "c": 0, "d": 3, "e": 0}
    assert (life.entry == 0).all()


@pytest.mark.parametrize("gap", [1, 3, 12])
def test_spells_from_local_months_match_the_engine(gap: int) -> None:
    pairs = [(a, b) for a, backs in ACTIVE.items() for b in backs]
    rng = np.random.default_rng(gap)
    pairs = [pairs[i] for i in rng.permutation(len(pairs))]  # any row order
    local = lt.spells_from_months(
        np.array([a for a, _ in pairs], dtype=object), np.array([b for _, b in pairs]), gap
    )
    engine = spells_of(ACTIVE, gap)
    assert local.account_id.tolist() == engine.account_id.tolist()
    assert local.first_back.tolist() == engine.first_back.astype("int64").tolist()
    pd.testing.assert_series_equal(
        local.lost_back, pd.to_numeric(engine.lost_back).astype("float64"), check_names=False
    )


def test_the_default_gap_of_twelve_keeps_them_all() -> None:
    life = lt.lifetimes_from_spells(spells_of(ACTIVE, 12), data_back=20).set_index("account_id")
    assert not life.event.any()  # no gap of 12 months, and none silent for 12 at the end
    assert life.duration.to_dict() == {"a": 21, "b": 11, "c": 7, "d": 4, "e": 1}


def test_older_accounts_enter_late() -> None:
    # f's first_date lies 30 months back, before the data (20 months back): it had lived 10
    # months when the data begin; it bought in month 18 and was lost after 3 silent months.
    spell = spells_of({"f": [18], "g": [12]}, 3)
    older = pd.Series({"f": 30, "g": 15})  # g's first date is inside the data: ignored
    life = lt.lifetimes_from_spells(spell, 20, older).set_index("account_id")
    assert life.loc["f"].tolist() == [30, 18, 13, True, 10]
    assert life.loc["g"].tolist() == [12, 12, 1, True, 0]


def test_months_back_of_matches_the_context() -> None:
    as_of = date(2025, 6, 15)
    assert lt.months_back_of(date(2025, 6, 15), as_of) == 0
    assert lt.months_back_of(date(2025, 5, 16), as_of) == 0
    assert lt.months_back_of(date(2025, 5, 15), as_of) == 1
    assert lt.months_back_of(date(2024, 6, 16), as_of) == 11


# Eight lifetimes in months; 0 = censored.
DURATIONS = [6, 12, 12, 18, 30, 30, 40, 50]
EVENTS = [1, 1, 0, 1, 1, 0, 0, 1]


def test_kaplan_meier_against_the_product_limit_by_hand() -> None:
    curve = lt.survival_curve(DURATIONS, EVENTS, horizon_years=6)
    # n_i at risk and d_i lost: 6: 8, 1; 12: 7, 1 (the one censored at 12 is still at risk);
    # 18: 5, 1; 30: 4, 1; 50: 1, 1.
    s12 = Fraction(7, 8) * Fraction(6, 7)
    s24 = s12 * Fraction(4, 5)
    s36 = s24 * Fraction(3, 4)
    expected = [s12, s24, s36, s36, Fraction(0), Fraction(0)]
    assert list(curve.index) == [1, 2, 3, 4, 5, 6] and curve.name == "survival"
    assert curve.to_numpy() == pytest.approx([float(x) for x in expected], abs=1e-12)
    steps = lt.survival_steps(DURATIONS, EVENTS)
    assert steps.loc[18.0] == pytest.approx(float(s24))


def test_delayed_entry_changes_the_risk_sets() -> None:
    # The third lifetime (20 months) enters at month 10: at month 6 only two are at risk.
    late = lt.survival_curve([6, 12, 20], [1, 1, 1], entry=[0, 0, 10], horizon_years=1)
    assert late.iloc[0] == pytest.approx(0.5 * 0.5)
    naive = lt.survival_curve([6, 12, 20], [1, 1, 1], horizon_years=1)
    assert naive.iloc[0] == pytest.approx(2 / 3 * 1 / 2)


def test_survival_curve_checks_its_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        lt.survival_curve([], [])
    with pytest.raises(ValueError, match="events"):
        lt.survival_curve([1, 2], [True])
    with pytest.raises(ValueError, match="positive"):
        lt.survival_curve([0, 2], [True, False])
    with pytest.raises(ValueError, match="entry"):
        lt.survival_curve([5], [True], entry=[5])


CUSTOMERS = [
    ["customer_id", "name", "first_date"],
    ["A", "A", ""],
    ["C", "C", ""],
    ["G", "G", "2015-03-01"],  # older than the data
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "deal_type"],
    ["1", "G", "2022-01-05", "90", "commercial"],  # G lost after January 2022 …
    ["2", "G", "2025-11-11", "60", "commercial"],  # … its return does not reopen it
    ["3", "A", "2024-03-15", "100", "commercial"],  # 13 silent months: lost in March 2024
    ["4", "A", "2025-05-10", "150", "commercial"],
    ["5", "C", "2024-12-31", "50", "commercial"],
    ["6", "C", "2025-01-01", "30", "commercial"],
    ["7", "C", "2025-12-31", "-20", "commercial"],  # a credit note is not an active month
    ["8", "C", "2025-03-31", "20", "commercial"],
]


def test_account_lifetimes_from_invoices(tmp_path: Path) -> None:
    ctx = hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)()
    assert ctx.as_of == date(2025, 12, 31)
    life = lt.account_lifetimes(ctx).set_index("account_id")
    # Months back from 2025-12-31: Jan 2022 = 47, Mar 2024 = 21, Dec 2024 = 12, Mar 2025 = 9;
    # G's first date, March 2015, = 129: it had lived 129 − 47 = 82 months before the data.
    assert life.loc["G"].tolist() == [129, 47, 83, True, 82]
    assert life.loc["A"].tolist() == [21, 21, 1, True, 0]
    assert life.loc["C"].tolist() == [12, 0, 13, False, 0]  # last active in March: 9 < 12
    assert lt.account_lifetimes(ctx, churn_gap=6).loc[lambda f: f.account_id == "C"].event.item()
    curve = lt.lifetime_survival(life.reset_index(), horizon_years=2)
    assert curve.between(0, 1).all()


def test_demo_lifetimes(demo_context: Contexts) -> None:
    ctx = demo_context()
    life = lt.account_lifetimes(ctx)
    assert life.account_id.is_unique and len(life) > 400
    assert (life.duration >= 1).all() and (life.entry < life.duration).all()
    assert 0.1 < life.event.mean() < 0.9
    curve = lt.lifetime_survival(life)
    assert list(curve.index) == list(range(1, 11))
    assert (np.diff(curve.to_numpy()) <= 0).all() and curve.between(0, 1).all()
    assert 0.5 < curve.loc[1] < 0.95


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 30), st.integers(-5_000, 20_000)),
        max_size=80,
    )
)
def test_active_cells_sum_each_month_once(rows: list[tuple[int, int, int]]) -> None:
    # A month may come in several rows (around the as-of day); it is active when they sum > 0.
    code = np.array([r[0] for r in rows], dtype="int64")
    back = np.array([r[1] for r in rows], dtype="int64")
    units = np.array([r[2] for r in rows], dtype="int64")
    frame = pd.DataFrame({"code": code, "back": back, "units": units})
    sums = frame.groupby(["code", "back"]).units.sum()
    expected = sums[sums > 0].reset_index().sort_values(["code", "back"], ascending=[True, False])
    dense = lt.active_cells(code, back, units)
    with pytest.MonkeyPatch.context() as patch:  # the sorting path, for grids too large
        patch.setattr(lt, "DENSE_CELLS", 0)
        sorted_ = lt.active_cells(code, back, units)
    for got_code, got_back in (dense, sorted_):
        assert got_code.tolist() == expected.code.tolist()
        assert got_back.tolist() == expected.back.tolist()
