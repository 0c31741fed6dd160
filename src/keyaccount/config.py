"""Settings: one typed object with documented defaults, read from ``keyaccount.toml``.

Precedence, lowest first: the defaults below, the workspace's ``keyaccount.toml``, then
command-line flags (passed as ``overrides``). Every field's ``description`` is its
documentation; ``docs/settings.md`` is generated from this module and kept in sync by a test.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _memory_size(value: str) -> str:
    if not _MEMORY_SIZE.match(value):
        raise ValueError("not a memory size like '4GB' or '1.5GiB'")
    return value


MemorySize = Annotated[str, AfterValidator(_memory_size)]
"""A DuckDB memory size such as ``4GB`` or ``1.5GiB`` (checked when settings load)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ImportSettings(_Section):
    """How files are read and checked on import."""

    max_reject_share: float = Field(
        0.01,
        ge=0,
        le=1,
        description="An import fails when the share of a source's data rows that cannot be "
        "read exceeds this (0.01 = 1%). Rejected rows are always reported.",
    )
    amount_unit: Literal["yuan", "thousand", "wan", "yi"] = Field(
        "yuan",
        description="Unit of money columns whose header names none: yuan (1), thousand (千元), "
        "wan (万元, 10,000) or yi (亿元, 100,000,000). A unit in the header wins.",
    )
    date_order: Literal["ymd", "mdy", "dmy"] = Field(
        "ymd",
        description="How to read dates with the year last (3/5/2024). The default ymd rejects "
        "them as ambiguous; mdy or dmy accepts them in that order.",
    )
    earliest_date: date = Field(
        date(1980, 1, 1), description="Dates before this are rejected as implausible."
    )
    latest_years_ahead: int = Field(
        2,
        ge=0,
        description="Dates more than this many years after the day of the import are rejected "
        "as implausible.",
    )
    on_duplicate: Literal["error", "keep_first", "keep_last"] = Field(
        "error",
        description="What to do when rows of one import share a primary key: stop and name both "
        "rows (error), or keep the first or the last of them in file order.",
    )
    memory_limit: MemorySize = Field(
        "4GB",
        description="Memory DuckDB may use during an import before it spills to disk.",
    )


class AuditSettings(_Section):
    """The analysis window and the thresholds of docs/metrics.md (defaults from the seeds)."""

    as_of: date | None = Field(
        None, description="Last day of the analysis window (default: the last invoice date)."
    )
    window_months: int = Field(
        12,
        ge=1,
        le=60,
        description="Length of the analysis window in calendar months (trailing twelve months).",
    )
    rollup: bool = Field(
        True, description="Roll plants and subsidiaries up to their group (parent_id)."
    )
    top_k: int = Field(5, ge=1, description="How many top customers the top-k stress test removes.")
    top1_alert: float = Field(
        0.30,
        ge=0,
        le=1,
        description="Alert when the largest customer makes more than this share of revenue.",
    )
    industry_alert: float = Field(
        0.50, ge=0, le=1, description="Alert when one industry makes more than this share."
    )
    region_alert: float = Field(
        0.50, ge=0, le=1, description="Alert when one region makes more than this share."
    )
    memory_limit: MemorySize | None = Field(
        None,
        description="Memory DuckDB may use during an audit before it spills to the workspace's "
        "tmp folder (e.g. '2GB'); unset, DuckDB's default (80% of the machine's memory). It "
        "bounds DuckDB only, not the analyses' own frames, and a low limit makes the audit "
        "slower (figures in bench/README.md).",
    )


class ProfitabilitySettings(_Section):
    """How the per-customer P&L fills gaps, prices money and shares pooled costs."""

    default_gross_margin: float = Field(
        0.30,
        ge=0,
        le=1,
        description="Gross margin assumed for invoice lines with no cost (0.30 = 30%); the "
        "account's gross profit is then flagged as estimated.",
    )
    capital_rate: float = Field(
        0.06,
        ge=0,
        le=1,
        description="Yearly cost of capital tied up in receivables (0.06 = 6%/year): financing "
        "cost = amount × days to pay / 365 × this rate.",
    )
    default_payment_days: int = Field(
        60,
        ge=0,
        description="Days to pay for an invoice with neither a paid_date nor payment_days.",
    )
    cost_allocation: Literal["revenue", "invoice_count"] = Field(
        "revenue",
        description="How pooled cost-to-serve and pooled rebate costs (no customer_id) are "
        "shared across accounts: by share of window revenue, or by share of invoices "
        "(activity-based).",
    )
    black_hole_margin_ratio: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A top-decile account is a value black hole when its true margin is below "
        "this fraction of the company's true margin (0.5 = half), or negative.",
    )


class LtvSettings(_Section):
    """How lifetime value is discounted and segmented, and when CAC and LTV/CAC alert."""

    discount_rate: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Yearly discount rate d of the lifetime value "
        "LTV = Σ_{t=1..H} m · S(t) / (1+d)^t (0.10 = 10%/year).",
    )
    horizon_years: int = Field(
        10, ge=1, le=50, description="Horizon H of the lifetime value, in years."
    )
    healthy_ltv_to_cac: float = Field(
        3.0,
        gt=0,
        description="LTV/CAC at or above this is healthy; below it, the company, a segment or "
        "an account is flagged.",
    )
    segment: Literal["industry", "region", "all"] = Field(
        "industry",
        description="Accounts sharing a survival curve S(t) and reported together: by industry, "
        "by region, or all accounts as one segment.",
    )
    min_segment_lifetimes: int = Field(
        30,
        ge=1,
        description="A segment with fewer customer lifetimes than this (or an account with no "
        "segment) uses the survival curve of all accounts.",
    )
    survival_tail: Literal["geometric", "flat"] = Field(
        "geometric",
        description="S(t) beyond the longest observed lifetime: continue at the curve's average "
        "yearly survival rate (geometric) or hold its last value (flat).",
    )
    cac_inflation_alert: float = Field(
        0.10,
        ge=0,
        description="Flag CAC inflation when the blended CAC of the latest complete calendar "
        "year grew more than this over the year before (0.10 = 10%).",
    )
    forecast_months: int = Field(
        12,
        ge=1,
        le=120,
        description="Horizon of the BG/NBD + Gamma-Gamma forecast of purchases and spend.",
    )
    btyd_min_repeat_accounts: int = Field(
        20,
        ge=2,
        description="Fit the BG/NBD + Gamma-Gamma models only when at least this many accounts "
        "bought again after their first purchase day.",
    )


class RetentionSettings(_Section):
    """When a customer counts as lost, and what counts as elite net revenue retention."""

    churn_gap_months: int = Field(
        12,
        ge=1,
        le=120,
        description="A customer is lost after this many calendar months in a row without "
        "commercial revenue; its lifetime ends with its last month of revenue (customer "
        "lifetimes and the Kaplan–Meier survival curve).",
    )
    elite_nrr: float = Field(
        1.2,
        gt=0,
        description="Net revenue retention at or above this is elite (1.2 = 120%) and is "
        "reported as a finding, for revenue and for MRR.",
    )


class CompanySettings(_Section):
    """Company facts that turn a stress test into an operating result and a cash runway."""

    fixed_costs_per_month: float | None = Field(
        None, ge=0, description="Fixed operating costs per month, in the reporting currency."
    )
    cash: float | None = Field(None, description="Cash at the as-of date.")


class PenetrationSettings(_Section):
    """Penetration inside key accounts (METRICS §6)."""

    adopted_from_invoices: bool = Field(
        True,
        description="Count a unit as adopted from its first commercial invoice carrying its "
        "unit_id when account_units gives no adopted_date.",
    )


class RelationshipSettings(_Section):
    """Relationship depth and key-person risk (METRICS §7)."""

    core_departments: tuple[str, ...] = Field(
        ("procurement", "finance", "rd", "production", "it", "executive"),
        description="The customer departments a deep relationship reaches (contacts.department "
        "codes).",
    )
    transactional_departments: tuple[str, ...] = Field(
        ("procurement", "finance"),
        description="An account whose only active departments are among these is "
        "transactional only.",
    )
    active_days: int = Field(
        180, ge=1, description="A contact is active with an interaction in this many days."
    )
    key_person_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Key-person risk when one of our employees holds more than this share of "
        "an account's interactions of the last 12 months.",
    )
    trend_days: int = Field(
        90,
        ge=1,
        description="Interaction trend: the last this-many days against the same span before.",
    )


class SilentTraitorSettings(_Section):
    """Silent traitors: satisfied customers who are shrinking (METRICS §7)."""

    csat_satisfied: float = Field(
        4.0, description="A CSAT score (of 5) at or above this is 'satisfied'."
    )
    nps_satisfied: float = Field(
        9.0, description="An NPS score (of 10) at or above this is 'satisfied'."
    )
    wallet_share_drop: float = Field(
        0.05,
        ge=0,
        description="Shrinking: wallet share down at least this much (0.05 = 5 points), as-of "
        "year against the year before.",
    )
    revenue_drop: float = Field(
        0.15, ge=0, description="Shrinking: TTM revenue down at least this share of the prior TTM."
    )
    orders_drop: float = Field(
        0.30,
        ge=0,
        description="Shrinking: commercial orders (invoices with a positive amount) down at "
        "least this share.",
    )
    product_line_share: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Shrinking: a product line that made at least this share of the prior-TTM "
        "revenue has none in the TTM.",
    )


class ChurnSettings(_Section):
    """The churn-risk model and the probabilistic stress test (METRICS §2, §7)."""

    horizon_months: int = Field(
        12, ge=1, description="The label looks this many months past each cut-off."
    )
    contraction: float = Field(
        0.30,
        gt=0,
        le=1,
        description="Label: churned, or revenue in the horizon down at least this share.",
    )
    min_train_cutoffs: int = Field(
        2,
        ge=1,
        description="Fewest training cut-offs (quarter ends with a full label) the backtest "
        "needs; with fewer the report shows only the rule-based signals.",
    )
    high_risk: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="A customer is high risk when its modelled churn probability is at least this.",
    )
    simulations: int = Field(
        10000,
        ge=0,
        description="Monte-Carlo draws of the probabilistic stress test; 0 leaves that scenario "
        "out of the stress test (no churn model is fitted for it).",
    )
    seed: int = Field(7, description="Random seed of the model and the Monte-Carlo draws.")


class PseudoScaleSettings(_Section):
    """Pseudo-scale signals and the stage (METRICS §8)."""

    small_project: float = Field(
        100_000,
        ge=0,
        description="A project whose commercial revenue in the period (the TTM for the verdict; "
        "all time for the all-time figures) is below this is a small deal.",
    )
    untagged_lines: Literal["exclude", "invoice"] = Field(
        "exclude",
        description="Commercial lines without a project_id: left out of the project figures "
        "and counted apart (exclude), or each invoice taken as its own project (invoice).",
    )
    small_project_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Signal 'small deals': at least this share of projects are small deals.",
    )
    many_projects_per_customer: float = Field(
        3.0,
        gt=0,
        description="Signal 'many projects': projects per customer (TTM) at least this.",
    )
    low_repeat_rate: float = Field(
        0.4,
        ge=0,
        le=1,
        description="Signal 'low repeat': the repeat-purchase rate is below this.",
    )
    low_nrr: float = Field(
        1.0, ge=0, description="Signal 'low expansion': TTM net revenue retention below this."
    )
    sample_customer_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Signal 'sample-driven volume': sample-only customers are at least this "
        "share of all customers with any deal.",
    )
    min_signals: int = Field(
        3, ge=1, le=5, description="The verdict is pseudo-scale when at least this many fire."
    )
    stable_deal_cv: float = Field(
        0.25,
        gt=0,
        description="Stage 1 (replicable): deal size is stable when the coefficient of "
        "variation of the median project revenue of each complete 12-month window is below "
        "this.",
    )
    scaling_customer_growth: float = Field(
        0.3,
        ge=0,
        description="Stage 3 (scaling): active customers grew at least this share year over "
        "year (TTM against the prior TTM), with stable deal size and a healthy GRR.",
    )
    healthy_grr: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Stage 3 (scaling): the TTM gross revenue retention is at least this.",
    )
    referral_new_share: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Stage 2 (compounding): at least this share of the TTM's new customers "
        "with a known source came by referral or partner (only when customers.source is given).",
    )


class TierWeights(_Section):
    """Weights of the ten key-account dimensions (METRICS §9), re-normalised over the scored."""

    financial: float = Field(25, ge=0, description="Revenue and contribution.")
    growth: float = Field(15, ge=0, description="Growth potential: customer and industry growth.")
    strategic: float = Field(10, ge=0, description="Strategic partnership.")
    influence: float = Field(10, ge=0, description="Industry influence: lighthouse, industry rank.")
    stability: float = Field(
        10, ge=0, description="Stability: relationship length, on-time payment rate."
    )
    authority: float = Field(10, ge=0, description="Authority: government, SOE, listed.")
    complexity: float = Field(5, ge=0, description="Complexity and customisation.")
    co_innovation: float = Field(5, ge=0, description="Co-innovation: joint R&D.")
    feedback: float = Field(5, ge=0, description="Feedback contribution: surveys answered.")
    channel: float = Field(5, ge=0, description="Channel or platform value.")


class TieringSettings(_Section):
    """Key-account scoring and tiering (METRICS §9)."""

    weights: TierWeights = Field(default_factory=TierWeights)
    strategic: float = Field(
        75, ge=0, le=100, description="Key-account score at or above which a tier is strategic."
    )
    core: float = Field(60, ge=0, le=100, description="Score at or above which a tier is core.")
    developing: float = Field(
        45, ge=0, le=100, description="Score at or above which a tier is developing (else general)."
    )
    over_dependence_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Pitfall 'over-dependence': one account makes more than this share of "
        "revenue (the seed's anchor account holds about 20%).",
    )
    price_giveaway_points: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Pitfall 'price give-away': a key account's gross margin is more than this "
        "many points below the company's (0.10 = 10 points).",
    )
    payment_giveaway_ratio: float = Field(
        1.5,
        ge=1,
        description="Pitfall 'payment-term give-away': a key account takes more than this many "
        "times the company's average days to pay.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> TieringSettings:
        if not self.strategic >= self.core >= self.developing:
            raise ValueError("tier thresholds must satisfy strategic >= core >= developing")
        return self


class IndustryWeights(_Section):
    """Weights of the traffic-light criteria (METRICS §10), re-normalised over the scored."""

    investment: float = Field(15, ge=0, description="Investment activity (events, amount).")
    market: float = Field(15, ge=0, description="Market size and growth.")
    concentration: float = Field(
        10, ge=0, description="Top-20 concentration (a fragmented industry scores low)."
    )
    win_rate: float = Field(15, ge=0, description="Our win rate in the industry.")
    deal_size: float = Field(10, ge=0, description="Our average deal size.")
    cac: float = Field(10, ge=0, description="CAC against the company average (lower is better).")
    retention: float = Field(10, ge=0, description="Revenue retention of the industry's accounts.")
    fit: float = Field(15, ge=0, description="Our fit score (0-10) from the industries table.")


class IndustrySettings(_Section):
    """The industry traffic light, budget split, milestones and taxonomy check (§10)."""

    weights: IndustryWeights = Field(default_factory=IndustryWeights)
    green: float = Field(7, ge=0, le=10, description="Total score (0-10) at or above: green, key.")
    yellow: float = Field(5, ge=0, le=10, description="At or above: yellow, general; below: red.")
    budget: float | None = Field(
        None, ge=0, description="Total budget to split across industries (`--budget`)."
    )
    budget_split: tuple[float, float, float] = Field(
        (0.6, 0.3, 0.1),
        description="Shares of the budget for green, yellow and red industries.",
    )
    milestones: tuple[float, float, float] = Field(
        (0.3, 0.6, 0.9), description="Coverage milestones of a target list."
    )
    min_scored_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of the criteria weight that must be scored before an industry "
        "gets a light (less: too little data, no light, no budget).",
    )
    min_deals: int = Field(
        5,
        ge=1,
        description="Closed opportunities (won ones for the deal size) an industry needs "
        "before its win rate and average deal size are scored.",
    )
    min_accounts: int = Field(
        3,
        ge=1,
        description="Accounts with a known CAC (active in the prior TTM for retention) an "
        "industry needs before its CAC and retention are scored.",
    )
    concentrated_top20: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Top-20 market share at which the concentration criterion scores 10 "
        "(linear from 0; a fragmented industry scores low).",
    )
    nrr_floor: float = Field(
        0.5,
        ge=0,
        description="Revenue retention (NRR) scoring 0; `retention.elite_nrr` scores 10.",
    )
    red_revenue_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="A red industry holding at least this share of TTM revenue is named.",
    )
    catch_all_labels: tuple[str, ...] = Field(
        (
            "商务服务",
            "其他",
            "其它",
            "服务",
            "综合",
            "其他行业",
            "services",
            "service",
            "other",
            "others",
            "business services",
            "miscellaneous",
        ),
        description="Industry labels that are catch-alls by name (compared after the "
        "normalisation of the near-duplicate check: case, width, spaces, 业/行业 suffixes).",
    )
    catch_all_share: float = Field(
        0.15,
        ge=0,
        le=1,
        description="A label holding at least this share of the customers is outsized.",
    )
    mixed_agreement: float = Field(
        0.4,
        ge=0,
        le=1,
        description="A label's customers buy a very mixed product pattern when fewer than "
        "this share have the label's most common top product line; outsized and mixed is a "
        "catch-all.",
    )
    unknown_share: float = Field(
        0.02,
        ge=0,
        le=1,
        description="Share of customers without an industry at or above which it is a warning.",
    )
    near_duplicate_distance: int = Field(
        1,
        ge=0,
        description="Largest edit distance between two normalised labels that are near "
        "duplicates (labels equal once normalised always are).",
    )
    near_duplicate_min_length: int = Field(
        4,
        ge=1,
        description="Shortest normalised label the edit-distance rule applies to (short "
        "labels such as 化工 / 化学 differ by one character and are different industries).",
    )


class DiagnosisAssetWeights(_Section):
    """Weights of the asset-quality inputs (METRICS §11), re-normalised over the scored ones.

    The four themes weigh the same by default: concentration (top-1 share and HHI), true
    margin, retention (GRR and NRR) and LTV/CAC.
    """

    top1_share: float = Field(0.5, ge=0, description="The largest customer's share of revenue.")
    hhi: float = Field(0.5, ge=0, description="The HHI of customer revenue shares.")
    true_margin: float = Field(1.0, ge=0, description="The company's true (contribution) margin.")
    grr: float = Field(0.5, ge=0, description="Gross revenue retention, TTM.")
    nrr: float = Field(0.5, ge=0, description="Net revenue retention, TTM.")
    ltv_to_cac: float = Field(1.0, ge=0, description="The company's LTV / CAC.")


class DiagnosisInsightWeights(_Section):
    """Weights of the relationship-insight inputs (METRICS §11), re-normalised over the scored."""

    multithreading: float = Field(
        1.0, ge=0, description="Mean share of the core departments reached per active account."
    )
    survey_coverage: float = Field(
        1.0, ge=0, description="Share of active accounts with a survey in the window."
    )
    interaction_recency: float = Field(
        1.0,
        ge=0,
        description="Share of active accounts with an interaction in relationships.active_days.",
    )
    churn_model: float = Field(
        1.0, ge=0, description="Whether the churn model ranks, and how well (backtest ROC-AUC)."
    )


Scale = tuple[float, float, float]


class DiagnosisSettings(_Section):
    """The company diagnosis (METRICS §11).

    Each input of a score is mapped to 0–100 by a piecewise-linear scale given as the three
    raw values that score 0, 50 and 100 (in that order; decreasing when lower is better), and
    held at 0 or 100 beyond its ends. The middle anchor is the seed's threshold, so an input
    exactly at it sits on the default ``high`` line.
    """

    high: float = Field(
        50,
        ge=0,
        le=100,
        description="Asset quality and relationship insight are high at or above this score.",
    )
    asset_weights: DiagnosisAssetWeights = Field(default_factory=DiagnosisAssetWeights)
    insight_weights: DiagnosisInsightWeights = Field(default_factory=DiagnosisInsightWeights)
    top1_share_scale: Scale = Field(
        (0.50, 0.30, 0.10),
        description="Top-1 share scoring 0, 50 and 100: above 30% the seed's 'shadow "
        "department' alert (audit.top1_alert).",
    )
    hhi_scale: Scale = Field(
        (2500.0, 1800.0, 1000.0),
        description="HHI scoring 0, 50 and 100: 1800 and 1000 are the DOJ/FTC 2023 bands, "
        "2500 the 2010 'highly concentrated' line.",
    )
    true_margin_scale: Scale = Field(
        (0.0, 0.10, 0.25),
        description="Company true margin scoring 0, 50 and 100: nothing left, 10%, and the "
        "seed's 25% company average.",
    )
    grr_scale: Scale = Field(
        (0.70, 0.85, 0.95), description="Gross revenue retention scoring 0, 50 and 100."
    )
    nrr_scale: Scale = Field(
        (0.80, 1.00, 1.20),
        description="Net revenue retention scoring 0, 50 and 100: 100% keeps the base, 120% "
        "is the seed's elite level.",
    )
    ltv_to_cac_scale: Scale = Field(
        (1.0, 3.0, 5.0),
        description="LTV / CAC scoring 0, 50 and 100: below 1 every customer loses money, 3 is "
        "the seed's healthy line.",
    )
    multithreading_scale: Scale = Field(
        (0.0, 1 / 3, 2 / 3),
        description="Mean core-department coverage scoring 0, 50 and 100: none, two of six "
        "departments (procurement and finance only), four of six.",
    )
    survey_coverage_scale: Scale = Field(
        (0.0, 0.5, 1.0), description="Survey coverage scoring 0, 50 and 100 (linear)."
    )
    interaction_recency_scale: Scale = Field(
        (0.0, 0.5, 1.0), description="Interaction recency share scoring 0, 50 and 100 (linear)."
    )
    churn_auc_scale: Scale = Field(
        (0.5, 0.7, 0.9),
        description="Churn-model backtest ROC-AUC scoring 0, 50 and 100: a coin toss, "
        "acceptable, excellent. A model that refuses to rank scores 0.",
    )

    @model_validator(mode="after")
    def _monotonic_scales(self) -> DiagnosisSettings:
        for name in type(self).model_fields:
            if name.endswith("_scale"):
                low, mid, top = getattr(self, name)
                if not (low < mid < top or low > mid > top):
                    raise ValueError(f"diagnosis.{name} must be strictly monotonic: 0, 50, 100")
        return self


class ReportSettings(_Section):
    """How the audit report reads: language, units, table length."""

    lang: Literal["zh", "en"] = Field(
        "zh", description="Language of the report: zh (简体中文) or en (English)."
    )
    cn_units: bool = Field(
        True,
        description="In Chinese reports, write large amounts in 万 and 亿 (4.62 亿) rather "
        "than in full (462,001,024). Tables always show full amounts.",
    )
    table_rows: int = Field(
        15, ge=1, description="Rows of each detail table shown on the page before 'show all'."
    )
    max_embedded_rows: int = Field(
        20000,
        ge=100,
        description="Longest table embedded in the report file for download as CSV; longer "
        "tables are cut there (the report says so; `keyaccount export` gives the full data).",
    )


class Settings(_Section):
    """All settings of a workspace."""

    currency: str = Field(
        "CNY", description="Reporting currency; amounts with no currency are taken to be in it."
    )
    import_: ImportSettings = Field(default_factory=ImportSettings, alias="import")
    audit: AuditSettings = Field(default_factory=AuditSettings)
    profitability: ProfitabilitySettings = Field(default_factory=ProfitabilitySettings)
    ltv: LtvSettings = Field(default_factory=LtvSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    company: CompanySettings = Field(default_factory=CompanySettings)
    penetration: PenetrationSettings = Field(default_factory=PenetrationSettings)
    relationships: RelationshipSettings = Field(default_factory=RelationshipSettings)
    silent_traitors: SilentTraitorSettings = Field(default_factory=SilentTraitorSettings)
    churn: ChurnSettings = Field(default_factory=ChurnSettings)
    pseudoscale: PseudoScaleSettings = Field(default_factory=PseudoScaleSettings)
    tiering: TieringSettings = Field(default_factory=TieringSettings)
    industries: IndustrySettings = Field(default_factory=IndustrySettings)
    diagnosis: DiagnosisSettings = Field(default_factory=DiagnosisSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)


class SettingsError(ValueError):
    """A settings file or override that does not validate; the message names the key."""


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def load_settings(path: Path | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Defaults, then the TOML file at ``path`` (if it exists), then ``overrides``."""
    data: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
    if overrides:
        data = _merge(data, overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        where = f"{path}: " if path is not None else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])} = {err['input']!r}: {err['msg']}"
            if err["type"] != "missing"
            else f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"{where}{problems}") from None


def default_toml() -> str:
    """The commented ``keyaccount.toml`` that ``keyaccount init`` writes."""
    lines = [
        "# keyaccount workspace settings. Every key is optional; the values shown are the",
        "# defaults. See docs/settings.md for the full reference.",
        "",
    ]
    lines += _section_toml(Settings, None)
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _section_toml(model: type[BaseModel], name: str | None) -> list[str]:
    lines: list[str] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    if name:
        lines.append(f"[{name}]")
    for field_name, info in model.model_fields.items():
        key = info.alias or field_name
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((key, annotation))
            continue
        lines.append(f"# {info.description}")
        if info.default is None:
            lines.append(f"# {key} =   (not set by default)")
        else:
            lines.append(f"# {key} = {_toml_value(info.default)}")
    for key, sub in nested:
        lines.append("")
        lines += _section_toml(sub, f"{name}.{key}" if name else key)
    return lines


def settings_markdown() -> str:
    """The generated reference page ``docs/settings.md``."""
    out = [
        "# Settings reference (generated)",
        "",
        "Generated from `src/keyaccount/config.py`; a test fails when this page is out of date."
        " Settings are read from `keyaccount.toml` in the workspace; command-line flags win.",
        "",
    ]

    def walk(model: type[BaseModel], prefix: str) -> None:
        rows: list[str] = []
        subs: list[tuple[str, type[BaseModel]]] = []
        for field_name, info in model.model_fields.items():
            key = info.alias or field_name
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                subs.append((key, annotation))
                continue
            default = "not set" if info.default is None else f"`{_toml_value(info.default)}`"
            rows.append(f"| `{key}` | {default} | {info.description} |")
        if rows:
            out.extend(
                [
                    f"## `[{prefix}]`" if prefix else "## top level",
                    "",
                    "| key | default | meaning |",
                    "| --- | --- | --- |",
                    *rows,
                    "",
                ]
            )
        for key, sub in subs:
            walk(sub, f"{prefix}.{key}" if prefix else key)

    walk(Settings, "")
    return "\n".join(out)
