"""Company diagnosis (docs/metrics.md §11): the seed's four-quadrant map, actions, investor view.

**Scores.** Two scores of 0–100, each the weighted mean of the sub-scores of its inputs that
could be scored (weights re-normalised over them; ``diagnosis.asset_weights`` and
``diagnosis.insight_weights``). An input's sub-score maps its raw value through a
piecewise-linear scale given by the three raw values scoring 0, 50 and 100
(``diagnosis.<input>_scale``; decreasing when lower is better), held at 0 and 100 beyond its
ends. The middle anchor is the seed's threshold (top-1 share 30%, LTV/CAC 3, NRR 100% with
120% elite), so an input exactly on it sits on the default ``high`` line.

- **Asset quality** (the seed's vertical axis, 客户资产质量): ``top1_share`` and ``hhi``
  (§1 ``concentration``), the company ``true_margin`` (§3 ``profitability.company``), ``grr``
  and ``nrr`` (§5 ``retention``, TTM), the company ``ltv_to_cac`` (§4 ``ltv``).
- **Relationship insight** (the horizontal axis, 客户关系洞察): ``multithreading`` = the mean
  share of the core departments reached per active account (§7
  ``relationships.mean_coverage``); ``survey_coverage`` = share of the active accounts (TTM
  revenue > 0) with a survey dated in the window (the ``surveys`` table, members rolled up);
  ``interaction_recency`` = share of the active accounts whose last interaction is fewer than
  ``relationships.active_days`` days before the as-of date (``relationships.accounts``);
  ``churn_model`` = the scale of the backtest ROC-AUC × the share of active accounts the model
  scored (§7 ``churn_risk``), 0 when the model refuses to rank.

An input is **not scored** (weight 0, status ``not_run``) when its analysis did not run (its
tables are missing), and ``no_value`` when the analysis ran but the figure is undefined (no
CAC known, no prior-TTM base). A model that refuses to rank is scored 0 (``no_ranking``): the
company cannot foresee churn from its data. A score with no input scored is None, and the
company is then not placed.

**Quadrant** (``diagnosis.high``, 50): lighthouse (assets high, insight high), anxious service
provider (insight high, assets low), crude growth machine (both low), silent cash cow (assets
high, insight low); each with the seed's actions as codes (:data:`QUADRANT_ACTIONS`).

**Action checklist.** Every finding of every other implemented analysis whose code has an
entry in :data:`ACTIONS` and whose severity reaches the entry's minimum makes its action fire;
an action gathers the findings, the analyses and the subjects (account ids, industries,
regions: ``subject_names`` gives account names) of all its findings, in the order the
analyses run; its priority is its most severe finding's (alert 1, warning 2, info 3). Actions
are ordered by priority, then by the first analysis that raised them.

**Investor view** (seed 000). Focus accounts: the strategic and core tiers when ``tiering``
ran, else the ``audit.top_k`` largest accounts by TTM revenue; their TTM revenue share, each
one's industry, lighthouse flag (any member's ``is_lighthouse``), TTM revenue and the prior
TTM, product lines bought in the TTM and unit penetration. Value validation: the
key-account penetration index now and a year earlier (the latest index-series point on or
before the as-of date minus 12 months) and its growth in points, the TTM NRR, and
**use-case depth** = the mean number of product lines with positive TTM commercial revenue
per focus account. Roadmap stage: ``pseudoscale``'s stage and verdict when it ran.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from keyaccount.analyses.base import Finding, Result, Severity, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame
from keyaccount.analyses.registry import implemented
from keyaccount.config import DiagnosisSettings

KEY = "diagnosis"
ASSET = "asset_quality"
INSIGHT = "relationship_insight"

SCORED = "scored"
NOT_RUN = "not_run"
NO_VALUE = "no_value"
NO_RANKING = "no_ranking"

LIGHTHOUSE = "lighthouse"
ANXIOUS = "anxious_provider"
GROWTH_MACHINE = "growth_machine"
CASH_COW = "silent_cash_cow"
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, True): LIGHTHOUSE,
    (False, True): ANXIOUS,
    (False, False): GROWTH_MACHINE,
    (True, False): CASH_COW,
}
"""(asset quality high, relationship insight high) → quadrant."""
QUADRANT_SEVERITY: dict[str, Severity] = {
    LIGHTHOUSE: "info",
    ANXIOUS: "warning",
    CASH_COW: "warning",
    GROWTH_MACHINE: "alert",
}
QUADRANT_ACTIONS: dict[str, tuple[str, ...]] = {
    # 将客户洞察机制产品化、数字化，构建开放创新生态（避免依赖少数天才的直觉）
    LIGHTHOUSE: ("systematise_insight", "open_innovation"),
    # 痛苦的“客户组合优化”：对低价值、高消耗的客户说“不”，把理解转化为定价权
    ANXIOUS: ("optimise_portfolio", "decline_low_value", "price_on_insight"),
    # 停止盲目扩张，全面补课：客户数据系统、LTV/CAC、核心客户深度研究
    GROWTH_MACHINE: (
        "stop_blind_expansion",
        "build_customer_data",
        "measure_ltv_cac",
        "study_core_customers",
    ),
    # 居安思危：投资于客户关系建设和洞察体系，在客户叛逃之前重新赢得他们
    CASH_COW: ("invest_in_relationships", "build_insight_system", "win_back_before_defection"),
}

SEVERITY_RANK: dict[str, int] = {"alert": 1, "warning": 2, "info": 3}
ACTIONS: dict[str, tuple[str, Severity]] = {
    # finding code: (action code, the least severity that fires it)
    "concentration.top1_over_threshold": ("reduce_top1_dependence", "warning"),
    "concentration.industry_over_threshold": ("diversify_industries", "warning"),
    "concentration.region_over_threshold": ("diversify_regions", "warning"),
    "stress.top1": ("prepare_contingency_plan", "alert"),
    "stress.top_k": ("prepare_contingency_plan", "alert"),
    "stress.top_industry": ("prepare_contingency_plan", "alert"),
    "stress.top_region": ("prepare_contingency_plan", "alert"),
    "profitability.black_holes": ("fix_value_black_holes", "warning"),
    "profitability.black_hole": ("fix_value_black_holes", "warning"),
    "profitability.whale_peak": ("fix_value_black_holes", "warning"),
    "profitability.base_overlap": ("focus_on_profit_base", "warning"),
    "profitability.estimated_costs": ("record_costs", "warning"),
    "acquisition.no_acquisition_costs": ("record_costs", "warning"),
    "acquisition.cac_inflation": ("contain_cac", "warning"),
    "ltv.ltv_to_cac_unhealthy": ("fix_unit_economics", "warning"),
    "ltv.segment_ltv_to_cac_unhealthy": ("fix_unit_economics", "warning"),
    "ltv.ltv_below_cac": ("fix_unit_economics", "warning"),
    "retention.nrr": ("expand_existing_accounts", "warning"),
    "retention.quick_ratio": ("stop_revenue_leaks", "warning"),
    "mrr.nrr": ("expand_existing_accounts", "warning"),
    "mrr.quick_ratio": ("stop_revenue_leaks", "warning"),
    "penetration.index": ("deepen_key_accounts", "warning"),
    "penetration.upsell": ("deepen_key_accounts", "warning"),
    "penetration.stuck_at_one_unit": ("expand_beyond_first_unit", "warning"),
    "penetration.shallow_share": ("deepen_industry_accounts", "warning"),
    "penetration.deep_niche": ("replicate_deep_niche", "info"),
    "wallet_share.falling": ("win_back_wallet_share", "warning"),
    "relationships.transactional_only": ("multithread_relationships", "warning"),
    "relationships.no_active_relationship": ("multithread_relationships", "warning"),
    "relationships.key_person_risk": ("spread_key_person_risk", "warning"),
    "silent_traitors.found": ("interview_silent_traitors", "warning"),
    "churn_risk.high_risk": ("intervene_high_risk", "warning"),
    "churn_risk.too_little_history": ("build_customer_data", "warning"),
    "churn_risk.single_class": ("build_customer_data", "warning"),
    "pseudoscale.verdict": ("focus_not_scatter", "alert"),
    "pseudoscale.sample_only": ("convert_samples", "warning"),
    "pseudoscale.stage": ("standardise_offer", "warning"),
    "tiering.over_dependence": ("reduce_top1_dependence", "warning"),
    "tiering.key_person": ("spread_key_person_risk", "warning"),
    "tiering.price_giveaway": ("stop_giveaways", "warning"),
    "tiering.payment_giveaway": ("stop_giveaways", "warning"),
    "tiering.portfolio_shape": ("reshape_portfolio", "warning"),
    "tiering.tier_changes": ("review_demoted_accounts", "warning"),
    "industries.red_revenue": ("shift_from_red_industries", "warning"),
    "industries.catch_all": ("clean_industry_labels", "warning"),
    "industries.near_duplicate": ("clean_industry_labels", "warning"),
    "industries.unknown": ("clean_industry_labels", "warning"),
    "industries.milestone_behind": ("push_target_coverage", "warning"),
}
"""The one mapping finding code → action (docs/metrics.md §11 lists the actions' meaning)."""

INPUT_COLUMNS = (
    "score",
    "input",
    "unit",
    "value",
    "value_percent",
    "value_number",
    "sub_score",
    "weight",
    "effective_weight",
    "status",
    "source",
    "anchor_0",
    "anchor_50",
    "anchor_100",
)
CHECKLIST_COLUMNS = (
    "priority",
    "severity",
    "action",
    "findings",
    "analyses",
    "subjects",
    "subject_names",
    "subject_count",
    "lead_subjects",
)
LEAD_SUBJECTS = 5  # names the report prints in the checklist (the JSON keeps them all)
FOCUS_COLUMNS = (
    "account_id",
    "name",
    "industry",
    "tier",
    "lighthouse",
    "revenue",
    "share",
    "revenue_prior",
    "growth",
    "product_lines",
    "penetration",
)
FOCUS_TIERS = ("strategic", "core")
TIERS = "tiers"
TOP_ACCOUNTS = "top_accounts"


# ---------------------------------------------------------------------------------------------
# Scales and scores


def scale_score(value: float | None, anchors: Sequence[float]) -> float | None:
    """``value`` on the 0–100 scale through the anchors scoring 0, 50 and 100.

    Piecewise linear between them, held at 0 and 100 beyond the ends; decreasing anchors
    (lower is better) are mirrored. None for a missing or non-finite value.
    """
    if value is None or not math.isfinite(value):
        return None
    low, mid, top = (float(a) for a in anchors)
    if low < top:
        return float(np.interp(value, [low, mid, top], [0.0, 50.0, 100.0]))
    return float(np.interp(value, [top, mid, low], [100.0, 50.0, 0.0]))


@dataclass(frozen=True)
class Measure:
    """A raw input: its value (None when missing) and status (scored, not_run, …)."""

    value: float | None
    status: str
    factor: float = 1.0  # multiplies the sub-score (the share of accounts a model scored)


@dataclass(frozen=True)
class InputSpec:
    """One input of a score: its code, unit, source figure and how to read it."""

    score: str
    code: str
    unit: str  # percent, number, ratio, two: how the report writes the raw value
    source: str
    read: Callable[[AuditContext], Measure]
    scale: str = ""  # the setting holding its scale, when not ``<code>_scale``

    @property
    def scale_setting(self) -> str:
        """Name of the ``diagnosis`` setting holding this input's scale."""
        return self.scale or f"{self.code}_scale"


def finite(value: Any) -> float | None:
    """``value`` as a float, None when missing or not finite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def figure(ctx: AuditContext, key: str, get: Callable[[Any], Any]) -> Measure:
    """A figure of another analysis: not_run when it did not run, no_value when undefined."""
    result = ctx.result(key)
    if result is None:
        return Measure(None, NOT_RUN)
    value = finite(get(result))
    return Measure(value, SCORED if value is not None else NO_VALUE)


def active_accounts(ctx: AuditContext) -> ibis.Table:
    """The accounts with positive commercial revenue in the window (TTM)."""
    revenue = ctx.account_revenue()
    return revenue.filter(revenue.revenue > 0).select("account_id")


def survey_coverage(ctx: AuditContext) -> tuple[int, int] | None:
    """(active accounts with a survey dated in the window, active accounts); None: no table."""
    if not ctx.has("surveys"):
        return None

    def compute() -> tuple[int, int]:
        surveys = ctx.tables["surveys"].join(ctx.membership, "customer_id")
        back = months_back(surveys.date, ctx.as_of)
        dated = surveys.filter(back >= 0, back < ctx.window).select("account_id").distinct()
        active = active_accounts(ctx)
        surveyed = active.semi_join(dated, "account_id")
        return int(surveyed.count().execute()), int(active.count().execute())

    return ctx.memo("diagnosis.survey_coverage", compute)


def share_of_active(counts: tuple[int, int] | None) -> Measure:
    """(accounts that have it, active accounts) as a share; not run / no value when missing."""
    if counts is None:
        return Measure(None, NOT_RUN)
    having, active = counts
    return Measure(having / active, SCORED) if active else Measure(None, NO_VALUE)


def read_survey_coverage(ctx: AuditContext) -> Measure:
    """Share of the active accounts with a survey in the window."""
    return share_of_active(survey_coverage(ctx))


def interaction_recency(ctx: AuditContext) -> tuple[int, int] | None:
    """(active accounts with an interaction in ``active_days``, active accounts)."""
    rel = ctx.result("relationships")
    if rel is None:
        return None
    days = pd.to_numeric(rel.accounts.days_since_last_interaction, errors="coerce")
    recent = int((days < ctx.settings.relationships.active_days).sum())
    return recent, len(rel.accounts)


def read_interaction_recency(ctx: AuditContext) -> Measure:
    """Share of the active accounts with a recent interaction."""
    return share_of_active(interaction_recency(ctx))


def churn_scored_share(churn: Any) -> float | None:
    """Share of the churn model's active accounts with a probability (None: no accounts)."""
    accounts = churn.accounts
    if not len(accounts) or "churn_probability" not in accounts:
        return None
    return float(pd.to_numeric(accounts.churn_probability, errors="coerce").notna().mean())


def read_churn_model(ctx: AuditContext) -> Measure:
    """The backtest ROC-AUC, scaled by the share of accounts scored; 0 when not ranking."""
    churn = ctx.result("churn_risk")
    if churn is None:
        return Measure(None, NOT_RUN)
    auc = finite(churn.backtest_auc)
    if churn.model_status != "ok" or auc is None:
        return Measure(None, NO_RANKING, 0.0)
    return Measure(auc, SCORED, churn_scored_share(churn) or 0.0)


INPUTS: tuple[InputSpec, ...] = (
    InputSpec(
        ASSET,
        "top1_share",
        "percent",
        "concentration.top1_share",
        lambda ctx: figure(
            ctx, "concentration", lambda r: r.top1_share if r.active_accounts else None
        ),
    ),
    InputSpec(
        ASSET,
        "hhi",
        "number",
        "concentration.hhi",
        lambda ctx: figure(ctx, "concentration", lambda r: r.hhi if r.active_accounts else None),
    ),
    InputSpec(
        ASSET,
        "true_margin",
        "percent",
        "profitability.company.true_margin",
        lambda ctx: figure(ctx, "profitability", lambda r: r.company.true_margin),
    ),
    InputSpec(
        ASSET,
        "grr",
        "percent",
        "retention.grr",
        lambda ctx: figure(ctx, "retention", lambda r: r.grr),
    ),
    InputSpec(
        ASSET,
        "nrr",
        "percent",
        "retention.nrr",
        lambda ctx: figure(ctx, "retention", lambda r: r.nrr),
    ),
    InputSpec(
        ASSET,
        "ltv_to_cac",
        "ratio",
        "ltv.company_ltv_to_cac",
        lambda ctx: figure(ctx, "ltv", lambda r: r.company_ltv_to_cac),
    ),
    InputSpec(
        INSIGHT,
        "multithreading",
        "percent",
        "relationships.mean_coverage",
        lambda ctx: figure(ctx, "relationships", lambda r: r.mean_coverage),
    ),
    InputSpec(
        INSIGHT, "survey_coverage", "percent", "diagnosis.survey_coverage", read_survey_coverage
    ),
    InputSpec(
        INSIGHT,
        "interaction_recency",
        "percent",
        "diagnosis.interaction_recency",
        read_interaction_recency,
    ),
    InputSpec(
        INSIGHT,
        "churn_model",
        "two",
        "churn_risk.backtest_auc",
        read_churn_model,
        "churn_auc_scale",
    ),
)


def input_table(settings: DiagnosisSettings, measures: Mapping[str, Measure]) -> pd.DataFrame:
    """Every input with its raw value, sub-score, weight and re-normalised weight."""
    weights = {
        ASSET: settings.asset_weights.model_dump(),
        INSIGHT: settings.insight_weights.model_dump(),
    }
    rows = []
    for spec in INPUTS:
        measure = measures[spec.code]
        anchors = getattr(settings, spec.scale_setting)
        weight = float(weights[spec.score][spec.code])
        if measure.status == NO_RANKING:
            sub: float | None = 0.0
        else:
            sub = scale_score(measure.value, anchors)
            sub = None if sub is None else sub * measure.factor
        rows.append(
            {
                "score": spec.score,
                "input": spec.code,
                "unit": spec.unit,
                "value": measure.value,
                "value_percent": measure.value if spec.unit == "percent" else None,
                "value_number": measure.value if spec.unit != "percent" else None,
                "sub_score": sub,
                "weight": weight,
                "status": measure.status,
                "source": spec.source,
                "anchor_0": float(anchors[0]),
                "anchor_50": float(anchors[1]),
                "anchor_100": float(anchors[2]),
            }
        )
    table = pd.DataFrame(rows)
    counted = table.sub_score.notna() & (table.weight > 0)
    totals = table.weight.where(counted, 0.0).groupby(table.score).transform("sum")
    table["effective_weight"] = (table.weight / totals).where(counted & (totals > 0), 0.0)
    return table[list(INPUT_COLUMNS)]


def weighted_score(table: pd.DataFrame, score: str) -> float | None:
    """The weighted mean sub-score of ``score``'s inputs that were scored; None if none."""
    part = table[(table.score == score) & (table.effective_weight > 0)]
    if part.empty:
        return None
    return float((part.sub_score * part.effective_weight).sum())


def quadrant(assets: float | None, insight: float | None, high: float) -> str | None:
    """The seed's quadrant of the two scores (None when either is missing)."""
    if assets is None or insight is None:
        return None
    return QUADRANTS[(assets >= high, insight >= high)]


# ---------------------------------------------------------------------------------------------
# The action checklist


@dataclass
class _Action:
    severity: Severity
    first: int
    findings: list[str]
    analyses: list[str]
    subjects: list[str]


def fired_findings(ctx: AuditContext) -> list[tuple[str, Finding]]:
    """(analysis, finding) of every other implemented analysis that ran, in registry order."""
    out: list[tuple[str, Finding]] = []
    for spec in implemented():
        if spec.key == KEY:
            continue
        result = ctx.result(spec.key)
        if result is not None:
            out.extend((spec.key, f) for f in result.findings)
    return out


def checklist(fired: Sequence[tuple[str, Finding]], names: Mapping[str, str]) -> pd.DataFrame:
    """The actions of the mapped findings that fired, with their findings and subjects."""
    actions: dict[str, _Action] = {}
    seen: dict[str, set[str]] = {}  # each action's subjects, for a fast membership test
    for position, (analysis, finding) in enumerate(fired):
        entry = ACTIONS.get(finding.code)
        if entry is None:
            continue
        code, least = entry
        if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[least]:
            continue
        action = actions.setdefault(code, _Action(finding.severity, position, [], [], []))
        if SEVERITY_RANK[finding.severity] < SEVERITY_RANK[action.severity]:
            action.severity = finding.severity
        for bag, item in ((action.findings, finding.code), (action.analyses, analysis)):
            if item not in bag:
                bag.append(item)
        known = seen.setdefault(code, set())
        for subject in map(str, finding.subjects):
            if subject not in known:
                known.add(subject)
                action.subjects.append(subject)
    ordered = sorted(actions.items(), key=lambda kv: (SEVERITY_RANK[kv[1].severity], kv[1].first))
    rows = [
        {
            "priority": SEVERITY_RANK[a.severity],
            "severity": a.severity,
            "action": code,
            "findings": list(a.findings),
            "analyses": list(a.analyses),
            "subjects": list(a.subjects),
            "subject_names": [names.get(s, s) for s in a.subjects],
            "subject_count": len(a.subjects),
            "lead_subjects": [names.get(s, s) for s in a.subjects[:LEAD_SUBJECTS]],
        }
        for code, a in ordered
    ]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CHECKLIST_COLUMNS})
    return pd.DataFrame(rows, columns=list(CHECKLIST_COLUMNS))


# ---------------------------------------------------------------------------------------------
# The investor view


def product_lines(ctx: AuditContext) -> pd.Series:
    """Product lines with positive TTM commercial revenue per account (one narrow scan)."""

    def compute() -> pd.Series:
        inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
        back = months_back(inv.date, ctx.as_of)
        window = inv.filter(
            inv.deal_type == COMMERCIAL, back >= 0, back < ctx.window, inv.product_line.notnull()
        )
        per = window.group_by("account_id", "product_line").aggregate(revenue=window.amount.sum())
        bought = per.filter(per.revenue > 0)
        counts = float_frame(bought.group_by("account_id").aggregate(lines=bought.count()))
        return pd.Series(
            counts.lines.astype("int64").to_numpy(), index=counts.account_id.astype(str)
        )

    return ctx.memo("diagnosis.product_lines", compute)


def lighthouses(ctx: AuditContext) -> set[str]:
    """Accounts with a member flagged ``is_lighthouse``."""
    customers = ctx.tables["customers"]
    if "is_lighthouse" not in customers.columns:
        return set()
    flagged = customers.filter(customers.is_lighthouse.fill_null(False)).join(
        ctx.membership, "customer_id"
    )
    frame = flagged.select("account_id").distinct().execute()
    return set(frame.account_id.astype(str))


def focus_accounts(ctx: AuditContext) -> tuple[str, pd.DataFrame]:
    """The focus accounts (tiers strategic/core, else the top_k by TTM revenue) and their facts."""
    conc = ctx.result("concentration")
    revenue = (
        conc.accounts.set_index(conc.accounts.account_id.astype(str))
        if conc is not None
        else pd.DataFrame(columns=["revenue", "share", "name", "industry"])
    )
    tiering = ctx.result("tiering")
    tiers = getattr(tiering, "accounts", None) if tiering is not None else None
    if isinstance(tiers, pd.DataFrame) and {"account_id", "tier"} <= set(tiers.columns):
        chosen = tiers[tiers.tier.isin(FOCUS_TIERS)]
        ids = [str(a) for a in chosen.account_id]
        tier_of = dict(zip(map(str, tiers.account_id), tiers.tier, strict=True))
        basis = TIERS
    else:
        ids = [str(a) for a in revenue.index[: ctx.settings.audit.top_k]]
        tier_of = {}
        basis = TOP_ACCOUNTS
    attrs = ctx.account_frame().set_index("account_id")
    ret = ctx.result("retention")
    prior = (
        ret.accounts.set_index(ret.accounts.account_id.astype(str)).revenue_prior
        if ret is not None
        else pd.Series(dtype=float)
    )
    pen = ctx.result("penetration")
    penetration = (
        pen.accounts.set_index(pen.accounts.account_id.astype(str)).penetration
        if pen is not None and len(pen.accounts)
        else pd.Series(dtype=float)
    )
    lines = product_lines(ctx)
    flagged = lighthouses(ctx)
    total = float(conc.total_revenue) if conc is not None else 0.0
    index = pd.Index(ids, dtype=object)
    ttm = revenue.revenue.reindex(index).astype(float).fillna(0.0)
    before = prior.reindex(index).astype(float)
    before = before.where(np.isfinite(before))
    found = penetration.reindex(index).astype(float)
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "name": attrs.name.reindex(index).to_numpy(),
            "industry": attrs.industry.reindex(index).to_numpy(),
            "tier": pd.Series(tier_of, dtype=object).reindex(index).to_numpy(),
            "lighthouse": index.isin(list(flagged)),
            "revenue": ttm.to_numpy(),
            "share": (ttm / total).to_numpy() if total > 0 else None,
            "revenue_prior": before.to_numpy(),
            "growth": (ttm / before - 1.0).where(before.notna() & (before != 0)).to_numpy(),
            "product_lines": lines.reindex(index).fillna(0).astype("int64").to_numpy(),
            "penetration": found.where(np.isfinite(found)).to_numpy(),
        },
        columns=list(FOCUS_COLUMNS),
    )
    if len(frame):
        order = np.lexsort((string_rank(frame.account_id), -frame.revenue.to_numpy(dtype=float)))
        frame = frame.iloc[order].reset_index(drop=True)
    return basis, frame


def index_a_year_ago(ctx: AuditContext) -> tuple[float | None, float | None]:
    """The penetration index now and at the latest series point a year or more ago."""
    pen = ctx.result("penetration")
    if pen is None:
        return None, None
    now = finite(pen.index)
    series = pen.index_series
    if not len(series):
        return now, None
    dates = pd.to_datetime(series.date).dt.date
    earlier = series[dates <= ctx.as_of - relativedelta(months=12)]
    return now, finite(earlier["index"].iloc[-1]) if len(earlier) else None


def stage_of(ctx: AuditContext) -> tuple[int | None, bool | None]:
    """The pseudo-scale stage (0 not yet replicable, 1, 2, 3) and verdict, when it ran."""
    ps = ctx.result("pseudoscale")
    if ps is None:
        return None, None
    stage = getattr(ps, "stage", None)
    verdict = getattr(ps, "verdict", None)
    stage_number = int(stage) if isinstance(stage, int | np.integer) else None
    pseudo = {"pseudo_scale": True, "not_pseudo_scale": False}.get(str(verdict))
    return stage_number, pseudo


# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class DiagnosisResult(Result):
    """The two scores and their inputs, the quadrant, the action checklist, the investor view."""

    asset_quality: float | None
    relationship_insight: float | None
    high: float
    quadrant: str | None
    quadrant_actions: tuple[str, ...]
    inputs: pd.DataFrame  # INPUT_COLUMNS, one row per input of either score
    survey_coverage: float | None
    surveyed_accounts: int | None
    interaction_recency: float | None
    recent_accounts: int | None
    churn_scored_share: float | None
    checklist: pd.DataFrame  # CHECKLIST_COLUMNS, most urgent first
    focus_basis: str  # tiers or top_accounts
    focus_accounts: pd.DataFrame  # FOCUS_COLUMNS, largest first
    focus_revenue_share: float | None
    use_case_depth: float | None  # mean product lines per focus account (TTM)
    penetration_index: float | None
    penetration_index_year_ago: float | None
    penetration_growth: float | None  # index now − a year ago, in points of share
    nrr: float | None
    stage: int | None
    pseudo_scale: bool | None


def run(ctx: AuditContext) -> DiagnosisResult:
    """Score asset quality and relationship insight, place the company, list the actions."""
    settings = ctx.settings.diagnosis
    measures = {spec.code: spec.read(ctx) for spec in INPUTS}
    table = input_table(settings, measures)
    assets, insight = weighted_score(table, ASSET), weighted_score(table, INSIGHT)
    placed = quadrant(assets, insight, settings.high)
    surveys = survey_coverage(ctx)
    recency = interaction_recency(ctx)
    churn = ctx.result("churn_risk")
    names = dict(zip(ctx.account_frame().account_id, ctx.account_frame().name, strict=True))
    actions = checklist(fired_findings(ctx), {k: str(v) for k, v in names.items() if v})
    basis, focus = focus_accounts(ctx)
    conc = ctx.result("concentration")
    total = float(conc.total_revenue) if conc is not None else 0.0
    index_now, index_before = index_a_year_ago(ctx)
    ret = ctx.result("retention")
    stage, pseudo = stage_of(ctx)
    result = DiagnosisResult(
        findings=(),
        asset_quality=assets,
        relationship_insight=insight,
        high=float(settings.high),
        quadrant=placed,
        quadrant_actions=QUADRANT_ACTIONS.get(placed, ()) if placed else (),
        inputs=table,
        survey_coverage=measures["survey_coverage"].value,
        surveyed_accounts=surveys[0] if surveys else None,
        interaction_recency=measures["interaction_recency"].value,
        recent_accounts=recency[0] if recency else None,
        churn_scored_share=churn_scored_share(churn) if churn is not None else None,
        checklist=actions,
        focus_basis=basis,
        focus_accounts=focus,
        focus_revenue_share=float(focus.revenue.sum()) / total if total > 0 else None,
        use_case_depth=float(focus.product_lines.mean()) if len(focus) else None,
        penetration_index=index_now,
        penetration_index_year_ago=index_before,
        penetration_growth=(
            index_now - index_before if index_now is not None and index_before is not None else None
        ),
        nrr=finite(ret.nrr) if ret is not None else None,
        stage=stage,
        pseudo_scale=pseudo,
    )
    return dataclasses.replace(result, findings=tuple(_findings(result)))


def _weakest(table: pd.DataFrame, score: str) -> tuple[str | None, float | None]:
    """The scored input with the lowest sub-score (ties: the first listed)."""
    part = table[(table.score == score) & (table.effective_weight > 0)]
    if part.empty:
        return None, None
    row = part.iloc[int(np.argmin(part.sub_score.to_numpy(dtype=float)))]
    return str(row.input), float(row.sub_score)


def _findings(result: DiagnosisResult) -> list[Finding]:
    """``diagnosis.quadrant`` or ``.not_placed``, each score, the checklist and the focus."""
    findings: list[Finding] = []
    if result.quadrant is not None:
        findings.append(
            Finding(
                "diagnosis.quadrant",
                QUADRANT_SEVERITY[result.quadrant],
                {
                    "quadrant": result.quadrant,
                    "asset_quality": result.asset_quality,
                    "relationship_insight": result.relationship_insight,
                    "high": result.high,
                },
            )
        )
    else:
        findings.append(
            Finding(
                "diagnosis.not_placed",
                "warning",
                {
                    "asset_quality": result.asset_quality,
                    "relationship_insight": result.relationship_insight,
                },
            )
        )
    for code, score in (
        ("diagnosis.asset_quality", result.asset_quality),
        ("diagnosis.relationship_insight", result.relationship_insight),
    ):
        if score is None:
            continue
        name = code.split(".")[1]
        part = result.inputs[result.inputs.score == name]
        weakest, weakest_score = _weakest(result.inputs, name)
        findings.append(
            Finding(
                code,
                "info" if score >= result.high else "warning",
                {
                    "score": score,
                    "high": result.high,
                    "scored": int((part.effective_weight > 0).sum()),
                    "inputs": len(part),
                    "weakest": weakest,
                    "weakest_score": weakest_score,
                },
            )
        )
    if len(result.checklist):
        urgent = result.checklist[result.checklist.priority == 1]
        findings.append(
            Finding(
                "diagnosis.actions",
                "info",
                {
                    "actions": len(result.checklist),
                    "urgent": len(urgent),
                    "first": str(result.checklist.action.iloc[0]),
                },
            )
        )
    if len(result.focus_accounts):
        findings.append(
            Finding(
                "diagnosis.focus",
                "info",
                {
                    "basis": result.focus_basis,
                    "accounts": len(result.focus_accounts),
                    "revenue_share": result.focus_revenue_share,
                    "use_case_depth": result.use_case_depth,
                    "penetration_growth": result.penetration_growth,
                    "nrr": result.nrr,
                },
                tuple(result.focus_accounts.account_id),
            )
        )
    if result.stage is not None:
        findings.append(
            Finding(
                "diagnosis.stage",
                "info",
                {"stage": result.stage, "pseudo_scale": result.pseudo_scale},
            )
        )
    return findings
