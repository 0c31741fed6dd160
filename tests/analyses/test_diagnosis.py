"""Company diagnosis (docs/metrics.md §11): scales, scores, quadrant, checklist, the demo."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given

from helpers import Contexts, hand_company
from keyaccount.analyses import diagnosis
from keyaccount.analyses.base import Finding
from keyaccount.audit import run_audit

# Two accounts, the same revenue in both windows. As-of 2024-06-30 (the last invoice): the
# TTM is (2023-06-30, 2024-06-30], the prior TTM the twelve months before. Every line costs
# 80% of its amount and is paid the day it is invoiced (no financing cost, no other costs).
CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    ["A", "华东重工", ""],
    ["B", "华南电气", ""],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount", "cost", "paid_date"],
    ["1", "A", "2023-03-15", "300", "240", "2023-03-15"],
    ["2", "B", "2023-04-15", "100", "80", "2023-04-15"],
    ["3", "A", "2024-03-15", "300", "240", "2024-03-15"],
    ["4", "B", "2024-06-30", "100", "80", "2024-06-30"],
]


@pytest.fixture
def company(tmp_path: Path) -> Contexts:
    """Customers and invoices only: no costs table, no relationship or survey data."""
    return hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)


# ---- scales ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "anchors", "score"),
    [
        (0.30, (0.50, 0.30, 0.10), 50.0),  # on the seed's 30% alert line
        (0.40, (0.50, 0.30, 0.10), 25.0),
        (0.20, (0.50, 0.30, 0.10), 75.0),
        (0.75, (0.50, 0.30, 0.10), 0.0),  # held at 0 beyond the end
        (0.05, (0.50, 0.30, 0.10), 100.0),
        (1.10, (0.80, 1.00, 1.20), 75.0),  # NRR between 100% and the elite 120%
        (1.30, (0.80, 1.00, 1.20), 100.0),
        (2.00, (1.0, 3.0, 5.0), 25.0),  # LTV/CAC 2: below the healthy 3
        (0.20, (0.0, 0.10, 0.25), 50.0 + 50.0 * 0.10 / 0.15),
        (1166.0, (2500.0, 1800.0, 1000.0), 50.0 + 50.0 * 634.0 / 800.0),
    ],
)
def test_scale_is_piecewise_linear_through_its_anchors(
    value: float, anchors: tuple[float, float, float], score: float
) -> None:
    assert diagnosis.scale_score(value, anchors) == pytest.approx(score)


def test_a_missing_value_has_no_score() -> None:
    assert diagnosis.scale_score(None, (0.0, 0.5, 1.0)) is None
    assert diagnosis.scale_score(math.nan, (0.0, 0.5, 1.0)) is None
    assert diagnosis.scale_score(math.inf, (0.0, 0.5, 1.0)) is None


@given(
    st.floats(-10, 10),
    st.floats(-10, 10),
    st.tuples(st.floats(0.01, 5), st.floats(0.01, 5), st.floats(-5, 5)),
    st.booleans(),
)
def test_scales_stay_in_range_and_keep_the_order(
    a: float, b: float, steps: tuple[float, float, float], decreasing: bool
) -> None:
    up, up2, start = steps
    anchors = (start, start + up, start + up + up2)
    if decreasing:
        anchors = anchors[::-1]
    sa, sb = diagnosis.scale_score(a, anchors), diagnosis.scale_score(b, anchors)
    assert sa is not None and sb is not None
    assert 0.0 <= sa <= 100.0
    better = (a <= b) != decreasing  # b is at least as good as a
    assert (sa <= sb + 1e-9) if better else (sb <= sa + 1e-9)


def test_settings_refuse_a_scale_that_is_not_monotonic() -> None:
    from keyaccount.config import SettingsError, load_settings

    with pytest.raises((SettingsError, ValueError), match="nrr_scale"):
        load_settings(None, {"diagnosis": {"nrr_scale": [0.8, 1.3, 1.2]}})


# ---- scores, not-scored inputs, re-normalised weights ----------------------------------------


def test_scores_of_a_company_with_only_customers_and_invoices(company: Contexts) -> None:
    result = diagnosis.run(company())
    table = result.inputs.set_index("input")
    # top-1 share 300/400 = 75% and HHI 75² + 25² = 6250: both beyond the 0 end.
    assert table.loc["top1_share", "value"] == pytest.approx(0.75)
    assert table.loc["hhi", "value"] == pytest.approx(6250.0)
    assert table.loc["top1_share", "sub_score"] == 0.0 and table.loc["hhi", "sub_score"] == 0.0
    # true margin (400 − 320) / 400 = 20%: 50 + 50 × (20% − 10%) / (25% − 10%).
    assert table.loc["true_margin", "value"] == pytest.approx(0.20)
    assert table.loc["true_margin", "sub_score"] == pytest.approx(50 + 50 * 0.10 / 0.15)
    # Both accounts buy the same again: NRR = GRR = 100%.
    assert table.loc["nrr", "sub_score"] == pytest.approx(50.0)
    assert table.loc["grr", "sub_score"] == pytest.approx(100.0)
    # No CAC known: LTV/CAC has no value and is not scored; the weights re-normalise over
    # the five others (0.5 + 0.5 + 1 + 0.5 + 0.5 = 3).
    assert table.loc["ltv_to_cac", "status"] == "no_value"
    assert table.loc["ltv_to_cac", "effective_weight"] == 0.0
    assert table.loc["true_margin", "effective_weight"] == pytest.approx(1 / 3)
    assert table.loc["top1_share", "effective_weight"] == pytest.approx(0.5 / 3)
    expected = (0.0 + 0.0 + (50 + 50 * 0.10 / 0.15) + 0.5 * 100 + 0.5 * 50) / 3
    assert result.asset_quality == pytest.approx(expected)
    # No contacts, interactions or surveys: those inputs are not run; the churn model has too
    # little history and refuses to rank, which scores 0 — insight rests on it alone.
    for code in ("multithreading", "survey_coverage", "interaction_recency"):
        assert table.loc[code, "status"] == "not_run"
        assert table.loc[code, "effective_weight"] == 0.0
        assert table.loc[code, "sub_score"] is None or math.isnan(table.loc[code, "sub_score"])
    assert table.loc["churn_model", "status"] == "no_ranking"
    assert table.loc["churn_model", "sub_score"] == 0.0
    assert table.loc["churn_model", "effective_weight"] == 1.0
    assert result.relationship_insight == 0.0
    assert result.quadrant == "silent_cash_cow"
    assert result.quadrant_actions == diagnosis.QUADRANT_ACTIONS["silent_cash_cow"]
    assert table.loc["nrr", "source"] == "retention.nrr"
    assert result.inputs.effective_weight.groupby(result.inputs.score).sum().tolist() == [
        pytest.approx(1.0),
        pytest.approx(1.0),
    ]


def test_weights_are_settings_and_re_normalise(company: Contexts) -> None:
    result = diagnosis.run(
        company(diagnosis={"asset_weights": {"top1_share": 0, "hhi": 0, "grr": 0, "nrr": 0}})
    )
    # Only the true margin is left: the score is its sub-score.
    assert result.asset_quality == pytest.approx(50 + 50 * 0.10 / 0.15)
    zero = diagnosis.run(company(diagnosis={"insight_weights": {"churn_model": 0}}))
    assert zero.relationship_insight is None and zero.quadrant is None
    assert zero.findings[0].code == "diagnosis.not_placed"


@pytest.mark.parametrize(
    ("assets", "insight", "placed"),
    [
        (80.0, 70.0, "lighthouse"),
        (30.0, 70.0, "anxious_provider"),
        (30.0, 20.0, "growth_machine"),
        (80.0, 20.0, "silent_cash_cow"),
        (50.0, 50.0, "lighthouse"),  # high is "at or above"
        (None, 50.0, None),
    ],
)
def test_quadrant_of_each_combination(
    assets: float | None, insight: float | None, placed: str | None
) -> None:
    assert diagnosis.quadrant(assets, insight, 50.0) == placed


@pytest.mark.parametrize(
    ("sections", "placed"),
    [
        ({}, "silent_cash_cow"),  # assets 52.8, insight 0
        ({"diagnosis": {"high": 0}}, "lighthouse"),
        ({"diagnosis": {"high": 60}}, "growth_machine"),
    ],
)
def test_quadrant_on_the_hand_made_company_follows_the_threshold(
    company: Contexts, sections: dict[str, Any], placed: str
) -> None:
    assert diagnosis.run(company(**sections)).quadrant == placed


# ---- relationship insight by hand --------------------------------------------------------------

INSIGHT_CUSTOMERS = [
    ["customer_id", "name", "parent_id"],
    ["A", "甲", ""],
    ["B", "乙", ""],
    ["C", "丙", ""],
    ["D", "丁", ""],
    ["E", "戊", ""],  # no revenue in the TTM: outside every population
]
# As-of 2025-06-30; TTM (2024-06-30, 2025-06-30]; active days 180: (2025-01-01, 2025-06-30].
INSIGHT_INVOICES = [
    ["invoice_id", "customer_id", "date", "amount"],
    ["1", "A", "2025-01-15", "100"],
    ["2", "B", "2025-02-15", "100"],
    ["3", "C", "2025-03-15", "100"],
    ["4", "D", "2025-04-15", "100"],
    ["5", "E", "2023-01-15", "900"],
    ["6", "A", "2025-06-30", "100"],
]
CONTACTS = [
    ["customer_id", "contact_id", "department"],
    ["A", "a1", "procurement"],
    ["A", "a2", "finance"],
    ["A", "a3", "rd"],
    ["B", "b1", "production"],
    ["C", "c1", "it"],
    ["E", "e1", "rd"],
]
INTERACTIONS = [
    ["customer_id", "date", "contact_id", "employee"],
    ["A", "2025-06-01", "a1", "王"],
    ["A", "2025-05-01", "a2", "王"],
    ["A", "2025-04-01", "a3", "李"],
    ["B", "2025-03-01", "b1", "张"],
    ["C", "2024-12-01", "c1", "赵"],  # 211 days before the as-of date: not recent
    ["E", "2025-06-01", "e1", "王"],  # an inactive account: not counted
]
SURVEYS = [
    ["customer_id", "date", "score", "scale"],
    ["A", "2025-03-01", "4", "csat5"],
    ["B", "2024-07-01", "9", "nps10"],  # in the window (from 2024-07-01)
    ["C", "2024-06-30", "5", "csat5"],  # on the window's open end: before it
    ["E", "2025-03-01", "5", "csat5"],  # an inactive account
]


@pytest.fixture
def insight_company(tmp_path: Path) -> Contexts:
    return hand_company(
        tmp_path,
        customers=INSIGHT_CUSTOMERS,
        invoices=INSIGHT_INVOICES,
        contacts=CONTACTS,
        interactions=INTERACTIONS,
        surveys=SURVEYS,
    )


def test_relationship_insight_by_hand(insight_company: Contexts) -> None:
    result = diagnosis.run(insight_company())
    table = result.inputs.set_index("input")
    # Surveys in the window: A and B of the four active accounts.
    assert (result.surveyed_accounts, result.survey_coverage) == (2, 0.5)
    assert table.loc["survey_coverage", "sub_score"] == pytest.approx(50.0)
    # Interactions in the last 180 days: A and B (C's is 211 days old, D has none).
    assert (result.recent_accounts, result.interaction_recency) == (2, 0.5)
    assert table.loc["interaction_recency", "sub_score"] == pytest.approx(50.0)
    # Core departments reached: A procurement, finance, rd (3/6); B production (1/6); C's only
    # contact is stale; D none. Mean coverage (3/6 + 1/6) / 4 = 1/6: half-way to 1/3 → 25.
    assert table.loc["multithreading", "value"] == pytest.approx(1 / 6)
    assert table.loc["multithreading", "sub_score"] == pytest.approx(25.0)
    assert table.loc["multithreading", "source"] == "relationships.mean_coverage"
    assert table.loc["churn_model", "sub_score"] == 0.0  # too little history to rank
    assert result.relationship_insight == pytest.approx((25.0 + 50.0 + 50.0 + 0.0) / 4)
    # Without the churn model, insight is the mean of the three others: 41.7.
    no_model = diagnosis.run(insight_company(diagnosis={"insight_weights": {"churn_model": 0}}))
    assert no_model.relationship_insight == pytest.approx(125.0 / 3)
    # Nobody bought in the prior TTM (E's last order is older): no retention base.
    assert no_model.inputs.set_index("input").loc["nrr", "status"] == "no_value"


def test_an_anxious_service_provider(insight_company: Contexts) -> None:
    # Insight 41.7 without the model. Assets, once the margin input is set aside: top-1 A
    # 200 / 500 = 40% scores 25, HHI 40² + 3 × 20² = 2800 scores 0, no retention base, no CAC.
    result = diagnosis.run(
        insight_company(
            diagnosis={
                "high": 40,
                "insight_weights": {"churn_model": 0},
                "asset_weights": {"true_margin": 0},
            }
        )
    )
    assert result.asset_quality == pytest.approx((25.0 + 0.0) / 2)
    assert result.quadrant == "anxious_provider"
    quadrant = next(f for f in result.findings if f.code == "diagnosis.quadrant")
    assert quadrant.severity == "warning"
    assert quadrant.values["quadrant"] == "anxious_provider"


# ---- the action checklist -------------------------------------------------------------------


def test_checklist_gathers_findings_subjects_and_the_highest_priority() -> None:
    fired = [
        ("concentration", Finding("concentration.hhi", "info", {"hhi": 1.0})),  # no mapping
        (
            "concentration",
            Finding("concentration.top1_over_threshold", "alert", {"share": 0.4}, ("A",)),
        ),
        ("retention", Finding("retention.nrr", "info", {"nrr": 1.1})),  # below its minimum
        (
            "relationships",
            Finding("relationships.transactional_only", "warning", {}, ("B", "C")),
        ),
        (
            "relationships",
            Finding("relationships.no_active_relationship", "warning", {}, ("C", "D")),
        ),
        ("penetration", Finding("penetration.deep_niche", "info", {}, ("化工",))),
        ("tiering", Finding("tiering.over_dependence", "alert", {}, ("A", "E"))),
    ]
    names = {"A": "华东重工", "B": "乙", "C": "丙", "D": "丁", "E": "戊"}
    table = diagnosis.checklist(fired, names)
    assert table.action.tolist() == [
        "reduce_top1_dependence",
        "multithread_relationships",
        "replicate_deep_niche",
    ]
    assert table.priority.tolist() == [1, 2, 3]
    top = table.iloc[0]
    assert top.findings == ["concentration.top1_over_threshold", "tiering.over_dependence"]
    assert top.analyses == ["concentration", "tiering"]
    assert top.subjects == ["A", "E"] and top.subject_names == ["华东重工", "戊"]
    threads = table.iloc[1]
    assert threads.subjects == ["B", "C", "D"] and threads.subject_count == 3
    assert table.iloc[2].subject_names == ["化工"]  # an industry is named as it is


def test_checklist_names_the_accounts_of_the_findings(company: Contexts) -> None:
    result = diagnosis.run(company())
    row = result.checklist.set_index("action").loc["reduce_top1_dependence"]
    assert row.subjects == ["A"] and row.subject_names == ["华东重工"]
    assert row.severity == "alert" and row.priority == 1
    assert "concentration.top1_over_threshold" in row.findings
    assert set(result.checklist.action) <= {a for a, _ in diagnosis.ACTIONS.values()}


def test_every_mapped_action_has_a_known_severity() -> None:
    for code, (action, least) in diagnosis.ACTIONS.items():
        assert code.count(".") == 1 and action and least in diagnosis.SEVERITY_RANK


def test_the_audit_json_carries_the_diagnosis(company: Contexts) -> None:
    audit = run_audit(company()).to_json()
    diag = audit["diagnosis"]
    assert diag["quadrant"] == "silent_cash_cow"
    assert {row["input"] for row in diag["inputs"]} >= {"top1_share", "churn_model"}
    assert diag["checklist"][0]["subject_names"] == ["华东重工"]
    assert diag["focus_basis"] in ("tiers", "top_accounts")


# ---- the demo -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_context: Contexts) -> diagnosis.DiagnosisResult:
    return diagnosis.run(demo_context())


def test_demo_is_a_silent_cash_cow(demo: diagnosis.DiagnosisResult, demo_files: Any) -> None:
    """What the planted data imply: healthy money, cold relationships.

    Assets are planted healthy apart from one risk: the group KH000093 makes 33% of revenue
    (above the seed's 30% line, its input scores below 50), but the company's true margin is
    24% (the seed's 25% average: ≈ 97), the churn of the background keeps NRR above 100% and
    the CAC is small against a long lifetime (LTV/CAC ≈ 10, far above 3). Relationships are
    planted thin: outside the ten key accounts each customer has one to seven contacts, seen
    mostly by its account manager, so most accounts reach one core department or none and
    hundreds are transactional or have no recent contact; surveys reach a third of the active
    accounts, and nearly half of the satisfied ones are planted shrinking (the silent
    traitors). High asset quality with low insight is the seed's 沉默的现金牛.
    """
    truth = demo_files.truth
    table = demo.inputs.set_index("input")
    assert truth["top_customer"]["top1_share_rolled_up"] > 0.30
    assert table.loc["top1_share", "sub_score"] < 50
    assert table.loc["true_margin", "value"] == pytest.approx(
        truth["black_holes"]["company_true_margin"], abs=1e-6
    )
    assert table.loc["ltv_to_cac", "value"] > 3 and table.loc["nrr", "value"] > 1
    assert demo.asset_quality is not None and demo.asset_quality >= demo.high + 20
    assert table.loc["multithreading", "value"] < 1 / 3  # fewer than two of six departments
    assert len(truth["relationships_detected"]["transactional_only"]) > 50
    assert truth["silent_traitors"]["satisfied_shrinking_share"] > 0.4
    assert table.loc["survey_coverage", "value"] < 0.5
    assert demo.relationship_insight is not None and demo.relationship_insight <= demo.high - 5
    assert (table.status == "scored").all()
    assert demo.quadrant == "silent_cash_cow"
    assert demo.quadrant_actions[0] == "invest_in_relationships"
    quadrant = demo.findings[0]
    assert (quadrant.code, quadrant.severity) == ("diagnosis.quadrant", "warning")


def test_demo_checklist_names_the_planted_accounts(
    demo: diagnosis.DiagnosisResult, demo_files: Any
) -> None:
    truth = demo_files.truth
    actions = demo.checklist.set_index("action")
    assert (
        actions.loc["reduce_top1_dependence", "subjects"][0]
        == (truth["top_customer"]["top1_account_rolled_up"])
    )
    assert set(truth["black_holes"]["customers"]) <= set(
        actions.loc["fix_value_black_holes", "subjects"]
    )
    assert set(truth["silent_traitors"]["customers"]) <= set(
        actions.loc["interview_silent_traitors", "subjects"]
    )
    assert actions.loc["interview_silent_traitors", "priority"] == 1
    assert demo.checklist.priority.is_monotonic_increasing
    for row in demo.checklist.itertuples():
        assert row.subject_count == len(row.subjects) == len(row.subject_names)
        assert row.lead_subjects == row.subject_names[: diagnosis.LEAD_SUBJECTS]


def test_demo_investor_view(demo: diagnosis.DiagnosisResult, demo_context: Contexts) -> None:
    ctx = demo_context()
    focus = demo.focus_accounts
    assert len(focus) >= 1
    assert demo.focus_revenue_share == pytest.approx(focus.share.sum())
    assert focus.revenue.is_monotonic_decreasing
    assert demo.use_case_depth == pytest.approx(focus.product_lines.mean())
    offered = ctx.result("penetration").offered_product_lines
    assert 1 <= demo.use_case_depth <= offered
    assert demo.penetration_index == pytest.approx(ctx.result("penetration").index)
    assert demo.penetration_growth == pytest.approx(
        demo.penetration_index - demo.penetration_index_year_ago
    )
    assert demo.nrr == pytest.approx(ctx.result("retention").nrr)
    if demo.focus_basis == "tiers":
        assert set(focus.tier) <= {"strategic", "core"}
    else:
        assert len(focus) == ctx.settings.audit.top_k
