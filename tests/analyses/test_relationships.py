"""Relationship depth (docs/metrics.md §7): hand-computed accounts, invariants, the demo."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import relationships
from keyaccount.analyses.money import float_frame

CORE = ("procurement", "finance", "rd", "production", "it", "executive")
TRANSACTIONAL = ("procurement", "finance")

CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    ["A", "甲", ""],
    ["B", "乙", ""],
    ["C", "丙", ""],
    ["D", "丁", ""],
    ["E", "戊", ""],
    ["F", "己", ""],  # interactions, but no revenue in the TTM: not in the population
    ["G", "集团", ""],
    ["P", "工厂", "G"],  # a plant of G: rolled up into G
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount"],
    ["1", "A", "2025-01-15", "500"],
    ["2", "B", "2025-02-15", "400"],
    ["3", "C", "2025-03-15", "300"],
    ["4", "D", "2025-04-15", "200"],
    ["5", "E", "2025-05-15", "100"],
    ["6", "F", "2023-01-15", "900"],
    ["7", "G", "2025-06-15", "50"],
    ["8", "P", "2025-06-30", "60"],  # the last invoice: as-of 2025-06-30
]
CONTACTS = [
    ["customer_id", "contact_id", "department"],
    ["A", "a1", "procurement"],
    ["A", "a2", "finance"],
    ["A", "a3", "rd"],
    ["B", "b1", "production"],
    ["B", "b2", "executive"],
    ["B", "b3", "procurement"],
    ["D", "d1", "it"],
    ["D", "d2", "legal"],
    ["E", "e1", "procurement"],
    ["E", "e2", "legal"],
    ["F", "f1", "rd"],
    ["G", "g1", "executive"],
    ["P", "p1", "rd"],
]
# As-of 2025-06-30: active = dated 2025-01-02 … 2025-06-30 (180 days); trend spans of 90 days:
# last 2025-04-02 … 2025-06-30, previous 2025-01-02 … 2025-04-01; TTM from 2024-07-01.
INTERACTIONS = [
    ["customer_id", "date", "contact_id", "employee"],
    ["A", "2025-06-01", "a1", "王"],
    ["A", "2025-03-01", "a2", "李"],
    ["A", "2024-11-01", "a3", "王"],  # rd, but 241 days ago: not active
    ["A", "2025-07-05", "a3", "王"],  # after the as-of date: ignored
    ["B", "2025-01-02", "b1", "张"],  # 179 days before the as-of date: active
    ["B", "2025-01-01", "b2", "张"],  # 180 days before: not active
    ["B", "2025-05-10", "b1", "张"],
    ["B", "2025-06-20", "b1", "张"],
    ["B", "2024-08-15", "b3", "张"],
    ["B", "2024-06-30", "b3", "李"],  # before the TTM: not in the key-person share
    ["D", "2025-06-10", "d1", "赵"],
    ["D", "2025-05-10", "d1", "赵"],
    ["D", "2025-04-10", "d2", "钱"],
    ["D", "2025-02-10", "", ""],  # no contact, no employee recorded
    ["E", "2025-06-01", "e1", "孙"],
    ["E", "2025-05-01", "e1", "孙"],
    ["E", "2025-04-01", "e2", "孙"],
    ["E", "2025-03-01", "e2", "孙"],
    ["E", "2025-02-01", "e1", "周"],  # 孙 holds exactly 80%: not more than 80%
    ["F", "2025-06-01", "f1", "王"],
    ["G", "2025-06-01", "g1", "吴"],
    ["P", "2025-05-01", "p1", "郑"],
]


def nulls(column: pd.Series) -> list[Any]:
    """The column's values with NaN as None."""
    return [None if pd.isna(v) else v for v in column]


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    return hand_company(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        contacts=CONTACTS,
        interactions=INTERACTIONS,
    )


def test_accounts_by_hand(company: Contexts) -> None:
    ctx = company()
    assert ctx.as_of == date(2025, 6, 30)
    result = relationships.run(ctx)
    table = result.accounts.set_index("account_id")
    assert list(table.index) == ["A", "B", "C", "D", "G", "E"]  # revenue, largest first
    assert table.loc["G", "revenue"] == 110.0
    assert table.departments_reached.to_dict() == {
        "A": ["procurement", "finance"],
        "B": ["production"],
        "C": [],
        "D": ["it"],
        "G": ["rd", "executive"],
        "E": ["procurement"],
    }
    assert table.loc["A", "departments_missing"] == ["rd", "production", "it", "executive"]
    assert table.loc["D", "other_departments"] == ["legal"]
    assert table.coverage.tolist() == [2 / 6, 1 / 6, 0.0, 1 / 6, 2 / 6, 1 / 6]
    assert table.active_contacts.tolist() == [2, 1, 0, 2, 2, 2]
    # E reaches procurement and legal: legal is not procurement or finance.
    assert table.index[table.transactional_only].tolist() == ["A"]
    assert table.index[table.no_active_relationship].tolist() == ["C"]

    assert table.interactions_ttm.tolist() == [3, 5, 0, 4, 2, 5]
    assert table.loc["B", "top_employee"] == "张" and table.loc["B", "top_employee_share"] == 1.0
    assert table.loc["D", "top_employee_share"] == 0.5  # 赵 2 of 4; the unrecorded one counts
    assert table.loc["E", "top_employee_share"] == 0.8
    assert table.loc["C", "top_employee"] is None and math.isnan(
        table.loc["C", "top_employee_share"]
    )
    assert table.key_person_reasons.to_dict() == {
        "A": [],
        "B": ["employee_share", "single_contact"],
        "C": [],
        "D": [],
        "G": [],
        "E": [],
    }

    assert table.last_interaction.tolist() == [
        date(2025, 6, 1),
        date(2025, 6, 20),
        None,
        date(2025, 6, 10),
        date(2025, 6, 1),
        date(2025, 6, 1),
    ]
    assert nulls(table.days_since_last_interaction) == [29, 10, None, 20, 29, 29]
    assert table.interactions_last.tolist() == [1, 2, 0, 3, 2, 2]
    assert table.interactions_previous.tolist() == [1, 1, 0, 1, 0, 3]
    assert nulls(table.trend) == [0.0, 1.0, None, 2.0, None, pytest.approx(2 / 3 - 1)]


def test_summary_and_findings_by_hand(company: Contexts) -> None:
    result = relationships.run(company())
    total = 500 + 400 + 300 + 200 + 110 + 100
    assert result.accounts_count == 6
    assert result.mean_departments_reached == pytest.approx((2 + 1 + 0 + 1 + 2 + 1) / 6)
    assert result.transactional_only_count == 1
    assert result.transactional_only_revenue_share == pytest.approx(500 / total)
    assert result.no_active_relationship_share == pytest.approx(1 / 6)
    assert result.key_person_risk_count == 1
    assert (result.key_person_employee_share_count, result.key_person_single_contact_count) == (
        1,
        1,
    )
    assert result.key_person_risk_revenue_share == pytest.approx(400 / total)
    assert result.median_days_since_last_interaction == 29.0
    assert (result.interactions_last, result.interactions_previous) == (10, 6)
    assert result.interaction_trend == pytest.approx(10 / 6 - 1)
    findings = {f.code: f for f in result.findings}
    assert set(findings) == {
        "relationships.depth",
        "relationships.transactional_only",
        "relationships.no_active_relationship",
        "relationships.key_person_risk",
        "relationships.interaction_trend",
    }
    assert findings["relationships.transactional_only"].subjects == ("A",)
    assert findings["relationships.key_person_risk"].values["single_contact"] == 1
    assert findings["relationships.key_person_risk"].subjects == ("B",)


def test_relationship_map_by_hand(company: Contexts) -> None:
    rmap = relationships.run(company()).relationship_map
    rows = [tuple(r) for r in rmap.itertuples(index=False)]
    assert [r for r in rows if r[0] in ("A", "D", "G")] == [
        ("A", "李", "finance", 1),
        ("A", "王", "procurement", 1),
        ("A", "王", "rd", 1),
        ("D", "赵", "it", 2),
        ("D", "(unknown)", "(unknown)", 1),
        ("D", "钱", "legal", 1),
        ("G", "吴", "executive", 1),
        ("G", "郑", "rd", 1),
    ]
    assert rmap[rmap.account_id == "B"].interactions.sum() == 5  # 李's visit is before the TTM
    assert "F" not in set(rmap.account_id)


def test_without_rollup_the_plant_is_its_own_account(company: Contexts) -> None:
    table = relationships.run(company(audit={"rollup": False})).accounts.set_index("account_id")
    assert table.loc["P", "departments_reached"] == ["rd"]
    assert table.loc["G", "departments_reached"] == ["executive"]
    assert table.loc["P", "key_person_reasons"] == ["employee_share", "single_contact"]


def test_settings_move_the_thresholds(company: Contexts) -> None:
    ctx = company(relationships={"active_days": 300, "key_person_share": 0.75, "trend_days": 30})
    table = relationships.run(ctx).accounts.set_index("account_id")
    assert table.loc["A", "departments_reached"] == ["procurement", "finance", "rd"]
    assert not table.loc["A", "transactional_only"]
    assert table.loc["E", "key_person_reasons"] == ["employee_share"]  # 80% > 75%
    assert table.loc["B", "interactions_last"] == 1  # 2025-06-20 only


def test_top_employee_ties_go_to_the_smallest_name() -> None:
    year_map = pd.DataFrame(
        {
            "account_id": ["x", "x", "x", "y"],
            "employee": ["b", "a", None, "c"],
            "department": ["rd", "it", "rd", None],
            "interactions": [2, 2, 4, 3],
        }
    )
    top = relationships.top_employees(year_map).set_index("account_id")
    assert top.loc["x"].tolist() == [8, "a", 2, 0.25]
    assert top.loc["y"].tolist() == [3, "c", 3, 1.0]


departments = st.lists(
    st.tuples(
        st.sampled_from("abcd"),
        st.one_of(st.none(), st.sampled_from([*CORE, "legal"])),
        st.integers(1, 5),
    ),
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=80, deadline=None)
@given(departments)
def test_coverage_partitions_the_core_set(rows: list[tuple[str, Any, int]]) -> None:
    active = pd.DataFrame(rows, columns=["account_id", "department", "contacts"])
    table = relationships.department_coverage(active, list("abcde"), CORE, TRANSACTIONAL)
    assert table.account_id.tolist() == list("abcde")
    for row in table.itertuples():
        assert sorted(row.departments_reached + row.departments_missing) == sorted(CORE)
        assert row.coverage == len(row.departments_reached) / len(CORE)
        assert not (row.transactional_only and row.no_active_relationship)
        assert row.no_active_relationship == (row.active_contacts == 0)
        if row.transactional_only:
            assert set(row.departments_reached) <= set(TRANSACTIONAL)
            assert not row.other_departments


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("xyz"), st.one_of(st.none(), st.sampled_from("pqr")), st.integers(1, 9)
        ),
        min_size=1,
    )
)
def test_top_employee_share_is_a_share(rows: list[tuple[str, Any, int]]) -> None:
    year_map = pd.DataFrame(
        [(a, e, "rd", n) for a, e, n in rows],
        columns=["account_id", "employee", "department", "interactions"],
    )
    top = relationships.top_employees(year_map)
    named = top.dropna(subset=["top_employee"])
    assert named.top_employee_share.between(0, 1).all()
    assert (top.top_employee_interactions <= top.interactions_ttm).all()
    assert top.interactions_ttm.sum() == year_map.interactions.sum()


def test_demo_relationship_risks_are_found(demo_audit: dict[str, Any], demo_files: Any) -> None:
    truth = demo_files.truth
    rows = {r["account_id"]: r for r in demo_audit["relationships"]["accounts"]}
    for account in truth["transactional_only"]:
        assert rows[account]["transactional_only"], account
        assert rows[account]["departments_reached"] == ["procurement", "finance"]
    for account, reason in truth["key_person_risk"].items():
        assert reason in rows[account]["key_person_reasons"], account
    for account in truth["well_covered"]:
        assert rows[account]["departments_reached"] == list(CORE)
        assert not rows[account]["key_person_risk"] and not rows[account]["transactional_only"]
    # The generator reads every customer, not rolled up, with or without revenue: ours are
    # its flags among the accounts active in the TTM, apart from the top group's members.
    group = set(truth["top_customer"]["group_members"])
    detected = truth["relationships_detected"]
    for flag, column in (
        ("transactional_only", "transactional_only"),
        ("key_person_risk", "key_person_risk"),
    ):
        ours = {a for a, r in rows.items() if r[column]}
        expected = {a for a in detected[flag] if a in rows and a not in group}
        assert ours - group == expected, flag


def test_demo_relationships_without_rollup_match_the_generator(
    demo_context: Contexts, demo_files: Any
) -> None:
    ctx = demo_context(audit={"rollup": False})
    table = relationships.run(ctx).accounts
    detected = demo_files.truth["relationships_detected"]
    ids = set(table.account_id)
    assert set(table.account_id[table.key_person_risk]) == set(detected["key_person_risk"]) & ids
    assert set(table.account_id[table.transactional_only]) == (
        set(detected["transactional_only"]) & ids
    )
    # The generator also flags customers still visited without revenue in the TTM.
    outside = (set(detected["key_person_risk"]) | set(detected["transactional_only"])) - ids
    revenue = float_frame(ctx.account_revenue()).set_index("account_id").revenue
    assert outside and all(revenue.get(a, 0.0) <= 0 for a in outside)
