"""Retention (docs/metrics.md §5): hand-computed states and bridges, invariants, the demo."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import retention as ret
from keyaccount.data.demo import DemoFiles

D = Decimal

# As-of 2025-12-31: the TTM is calendar 2025 and the prior TTM calendar 2024.
CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    *[[c, c, ""] for c in ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "S")],
    ["K1", "K1", "K"],
    ["K2", "K2", "K"],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "deal_type"],
    ["1", "A", "2024-03-15", "100.01", "commercial"],  # A expanded 100.01 → 150.52
    ["2", "A", "2025-05-10", "150.52", "commercial"],
    ["3", "B", "2024-06-30", "200.00", "commercial"],  # B contracted 200 → 80.25
    ["4", "B", "2025-02-01", "80.25", "commercial"],
    ["5", "C", "2024-12-31", "50.00", "commercial"],  # C flat 50 → 30 + 20
    ["6", "C", "2025-01-01", "30.00", "commercial"],
    ["7", "C", "2025-12-31", "20.00", "commercial"],
    ["8", "D", "2024-07-01", "120.00", "commercial"],  # D churned
    ["9", "E", "2024-08-08", "300.00", "commercial"],  # E churned, then a credit note
    ["10", "E", "2025-01-20", "-40.00", "commercial"],
    ["11", "F", "2025-09-09", "70.00", "commercial"],  # F new
    ["12", "G", "2022-01-05", "90.00", "commercial"],  # G reactivated after 2022
    ["13", "G", "2025-11-11", "60.00", "commercial"],
    ["14", "H", "2023-04-04", "100.00", "commercial"],  # H: credit note in P0, back in P1
    ["15", "H", "2024-02-02", "-25.00", "commercial"],
    ["16", "H", "2025-10-10", "40.00", "commercial"],
    ["17", "J", "2023-05-05", "5.00", "commercial"],  # J: credit note only, inactive
    ["18", "J", "2024-05-05", "-5.00", "commercial"],
    ["19", "K1", "2024-04-04", "30.00", "commercial"],  # group K flat across its plants
    ["20", "K2", "2025-04-04", "30.00", "commercial"],
    ["21", "S", "2025-06-06", "500.00", "sample"],  # samples are not revenue
]
TTM_STATES = {
    "A": "expanded",
    "B": "contracted",
    "C": "flat",
    "D": "churned",
    "E": "churned",
    "F": "new",
    "G": "reactivated",
    "H": "reactivated",
    "J": "inactive",
    "K": "flat",
}


@pytest.fixture
def hand_context(tmp_path: Path) -> Contexts:
    return hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)


def test_hand_computed_ttm_states_bridge_and_ratios(hand_context) -> None:
    result = ret.run(hand_context())
    states = result.accounts.set_index("account_id").state.to_dict()
    assert states == TTM_STATES
    b = result.ttm
    assert (b.start, b.end) == (D("770.01"), D("440.77"))
    assert b.new == D("70") and b.reactivated == D("100")  # G 60 + H 40
    assert b.expansion == D("50.51") and b.contraction == D("119.75")
    assert b.churn == D("420")  # D 120 + E 300
    # E's credit note after churning (−40), H's (−25) and J's (−5) in P0: −40 + 25 + 5.
    assert b.other == D("-10")
    assert b.adds_up() and b.complete
    assert b.base == D("800.01")  # A, B, C, D, E, K
    assert b.nrr == float(Fraction("310.77") / Fraction("800.01"))  # E's −40 counts as 0
    assert b.grr == float(Fraction("260.26") / Fraction("800.01"))
    assert b.quick_ratio == float(Fraction("220.51") / Fraction("539.75"))
    assert (result.nrr, result.grr, result.quick_ratio) == (b.nrr, b.grr, b.quick_ratio)
    assert b.accounts == ret.StateCounts(
        new=1, reactivated=2, expanded=1, contracted=1, flat=2, churned=2, inactive=1
    )
    amounts = b.amounts()
    assert amounts["end"] == 440.77 and amounts["other"] == -10.0
    e = result.accounts.set_index("account_id").loc["E"]
    assert (e.revenue_prior, e.revenue_ttm, e.change) == (300.0, -40.0, -340.0)
    codes = {f.code: f for f in result.findings}
    assert codes["retention.nrr"].severity == "warning"  # NRR < 100%
    assert codes["retention.quick_ratio"].severity == "warning"
    assert "retention.elite_nrr" not in codes


def test_without_rollup_the_plants_churn_and_start(hand_context) -> None:
    b = ret.run(hand_context(audit={"rollup": False})).ttm
    assert b.new == D("100") and b.churn == D("450")  # K2 new, K1 churned
    assert b.nrr == float(Fraction("280.77") / Fraction("800.01"))
    assert b.adds_up()


def test_calendar_years_and_quarters(hand_context) -> None:
    result = ret.run(hand_context())
    years = {(b.period0, b.period1): b for b in result.years}
    assert list(years) == [("2022", "2023"), ("2023", "2024"), ("2024", "2025")]
    assert all(b.complete for b in result.years)  # data from January 2022 to 31 December 2025
    last = years["2024", "2025"]
    ttm = result.ttm
    assert [getattr(last, a) for a in ret.AMOUNTS] == [getattr(ttm, a) for a in ret.AMOUNTS]
    y23 = years["2022", "2023"]
    assert (y23.churn, y23.new, y23.accounts.new) == (D("90"), D("105"), 2)  # G out, H and J in
    y24 = years["2023", "2024"]
    assert y24.churn == D("105") and y24.new == D("800.01") and y24.other == D("-30")
    assert y24.adds_up()

    quarters = {(b.period0, b.period1): b for b in result.quarters}
    assert len(quarters) == 15  # 2022Q1 → … → 2025Q4
    q = quarters["2024Q4", "2025Q1"]
    # C 50 → 30 contracted; B (history in 2024) reactivated; E only a credit note: other.
    assert (q.start, q.contraction, q.reactivated, q.other, q.end) == (
        D("50"),
        D("20"),
        D("80.25"),
        D("-40"),
        D("70.25"),
    )
    assert all(b.adds_up() for b in result.quarters)
    moved = sum((b.end - b.start for b in result.quarters), D(0))
    assert moved == result.quarters[-1].end - result.quarters[0].start

    table = ret.bridge_table(result.years)
    assert list(table.period1) == ["2023", "2024", "2025"]
    assert table.new_accounts.tolist() == [2, 6, 1]


def test_partial_current_year_is_flagged(hand_context) -> None:
    result = ret.run(hand_context(audit={"as_of": "2025-11-30"}))
    assert [b.complete for b in result.years] == [True, True, False]
    assert result.quarters[-1].period1 == "2025Q4" and not result.quarters[-1].complete
    # TTM (2024-11-30, 2025-11-30]: C's 2025-12-31 invoice is after the as-of date and its
    # 2024-12-31 one now in the TTM.
    assert result.ttm.end == D("440.77") - D("20") + D("50")
    assert result.ttm.adds_up()


def test_elite_nrr_finding() -> None:
    accounts = pd.DataFrame({"r0": [100_0000, 50_0000], "r1": [120_0000, 60_0000]})
    accounts["state"] = ret.customer_states(accounts.r0, accounts.r1, pd.Series([True, True]))
    bridge = ret.revenue_bridge(accounts, "ttm", "prior_ttm", "ttm")
    assert bridge.nrr == 1.2  # exactly at the threshold: elite
    codes = {f.code for f in ret.retention_findings("retention", bridge, 1.2)}
    assert codes == {"retention.nrr", "retention.elite_nrr"}
    assert bridge.quick_ratio is None  # nothing lost: no ratio


def test_units_are_exact() -> None:
    assert ret.to_units("12.34") == 123400 and ret.to_units(D("-0.0001")) == -1
    assert ret.to_decimal(123400) == D("12.34")
    with pytest.raises(ValueError, match="four decimal"):
        ret.to_units("0.00001")


money = st.one_of(st.just(0), st.integers(-(10**6), 10**6), st.integers(-(10**13), 10**13))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(money, money, st.booleans()), min_size=1, max_size=40))
def test_bridge_identity_and_ratio_bounds(rows: list[tuple[int, int, bool]]) -> None:
    frame = pd.DataFrame(rows, columns=["r0", "r1", "history"])
    frame["state"] = ret.customer_states(frame.r0, frame.r1, frame.history)
    b = ret.revenue_bridge(frame, "year", "P0", "P1")
    assert b.adds_up()  # exact, to 1/10000
    assert b.start == ret.to_decimal(sum(r[0] for r in rows))
    assert b.end == ret.to_decimal(sum(r[1] for r in rows))
    assert sum(vars(b.accounts).values()) == len(rows)
    for term in ("new", "reactivated", "expansion", "contraction", "churn"):
        assert getattr(b, term) >= 0
    if b.nrr is not None:
        assert b.grr is not None
        assert 0 <= b.grr <= 1 and b.grr <= b.nrr
        assert b.nrr == pytest.approx(
            float(b.base + b.expansion - b.contraction - b.churn) / float(b.base)
        )
    if b.quick_ratio is not None:
        assert b.quick_ratio >= 0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 5), money), min_size=1, max_size=60
    )
)
def test_period_pairs_classify_new_by_history(rows: list[tuple[str, int, int]]) -> None:
    revenue = pd.DataFrame(rows, columns=["account_id", "period", "units"])
    first = revenue.groupby("account_id").period.min()
    total = revenue.groupby("period").units.sum()
    for p1 in range(1, 6):
        pairs = ret.pair_accounts(revenue, p1 - 1, p1).set_index("account_id")
        b = ret.revenue_bridge(pairs.reset_index(), "quarter", "P0", "P1")
        assert b.adds_up()
        assert b.start == ret.to_decimal(total.get(p1 - 1, 0))
        assert b.end == ret.to_decimal(total.get(p1, 0))
        new = pairs.index[pairs.state == "new"]
        assert (first[new] == p1).all()
        back = pairs.index[pairs.state == "reactivated"]
        assert (first[back] < p1).all()


def test_demo_retention(demo_context: Contexts, demo_files: DemoFiles) -> None:
    ctx = demo_context(audit={"rollup": False})
    result = ret.run(ctx)
    truth = demo_files.truth["background"]
    counts = result.ttm.accounts
    assert counts.churned == truth["churned_in_ttm"]
    assert counts.reactivated == truth["reactivated_in_ttm"]
    assert counts.active_p1 == truth["active_ttm"]
    assert result.nrr is not None and 0.8 < result.nrr < 1.3
    assert result.grr is not None and 0.6 < result.grr <= result.nrr
    assert all(b.adds_up() for b in (result.ttm, *result.years, *result.quarters))
    ttm_total = ctx.account_revenue().revenue.sum().execute()
    assert result.ttm.end == ttm_total  # the engine's exact DECIMAL sum
    assert not result.years[0].complete  # the data start in October 2021
    assert not result.years[-1].complete  # the as-of year is partial
    json = result.figures()
    assert json["ttm"]["accounts"]["churned"] == truth["churned_in_ttm"]
    assert isinstance(json["ttm"]["start"], float)
