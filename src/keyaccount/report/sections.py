"""The report's structure: an executive summary, one section per analysis, the skipped ones.

Built from the audit as JSON-ready data (``AuditRun.to_json()``), so a report can be made
from a saved audit file too. Each section carries its key figures (each under the audit-JSON
path it comes from, with the raw value beside the formatted text), its charts, its findings
as sentences, a short "what this means", and its detail tables. The whole structure is the
report's JSON twin; ``html.py`` renders it. Nothing here is HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from keyaccount.analyses.registry import ANALYSES
from keyaccount.report.chart_index import CHARTS
from keyaccount.report.findings import Sentence, sentences
from keyaccount.report.i18n import N_, Locale
from keyaccount.report.meaning import MEANINGS
from keyaccount.report.words import COLUMN_LABELS, WORDS, feature_name

Audit = Mapping[str, Any]

SEVERITY_RANK = {"alert": 0, "warning": 1, "info": 2}
SUMMARY_MIN, SUMMARY_MAX = 5, 8
# Findings that repeat a summary-level finding account by account stay in their section.
# (tiering.over_dependence restates concentration's top-1 alert for one account.)
DETAIL_ONLY = {
    "profitability.black_hole",
    "ltv.segment_ltv_to_cac_unhealthy",
    "tiering.over_dependence",
}
# The facts every summary states, whatever their severity.
HEADLINES = {
    "concentration.hhi",
    "profitability.company_margin",
    "retention.nrr",
    "ltv.ltv_to_cac",
    "penetration.index",
    "silent_traitors.found",
}
# The conclusion every summary states first, whatever its severity: the diagnosis quadrant.
LEADS = {"diagnosis.quadrant"}
HTML_ROWS = 1000  # rows of a table written into the page; the CSV download carries all
MARKERS = {"(unknown)", "(all)", "<1y", "1-3y", "3-5y", ">=5y"}  # data labels that are words


@dataclass(frozen=True)
class FigureSpec:
    """A key figure: its audit-JSON path, label and kind of number."""

    path: str
    label: str
    kind: str  # money, amount, percent, ratio, count, number, months, text


@dataclass(frozen=True)
class TableSpec:
    """A detail table: where its rows are in the audit JSON and which columns to show."""

    id: str
    path: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (column, kind)


@dataclass(frozen=True)
class SectionSpec:
    """What one analysis's section shows."""

    key: str
    figures: tuple[FigureSpec, ...]
    charts: tuple[str, ...]
    tables: tuple[TableSpec, ...]


@dataclass(frozen=True)
class Figure:
    """A key figure as shown: the raw value (as in the audit JSON) and its text."""

    path: str
    label: str
    kind: str
    value: Any
    text: str


@dataclass(frozen=True)
class Table:
    """A detail table: labelled columns and the raw rows (all of them, up to the cap)."""

    id: str
    title: str
    columns: tuple[tuple[str, str, str], ...]  # (column, label, kind)
    rows: list[dict[str, Any]]
    total_rows: int

    @property
    def truncated(self) -> bool:
        """Whether rows were cut at the embedding cap."""
        return len(self.rows) < self.total_rows


@dataclass(frozen=True)
class Section:
    """One analysis in the report."""

    key: str
    number: int
    title: str
    figures: tuple[Figure, ...]
    charts: tuple[str, ...]
    findings: tuple[Sentence, ...]
    meaning: tuple[str, ...]
    tables: tuple[Table, ...]

    @property
    def anchor(self) -> str:
        """The HTML id the executive summary links to."""
        return f"sec-{self.key}"


@dataclass(frozen=True)
class Skipped:
    """An analysis that did not run, and the tables that would switch it on."""

    key: str
    title: str
    missing_tables: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """The whole report, in one language."""

    lang: str
    title: str
    as_of: str
    as_of_text: str
    currency: str | None
    generated: str
    summary: tuple[Sentence, ...]
    sections: tuple[Section, ...]
    skipped: tuple[Skipped, ...]
    charts: dict[str, dict[str, Any]] = field(repr=False)
    meta: dict[str, Any] = field(default_factory=dict)


def f(path: str, label: str, kind: str) -> FigureSpec:
    """Shorthand for a key figure."""
    return FigureSpec(path, label, kind)


ACCOUNT = ("name", "text")
SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "concentration",
        (
            f("concentration.total_revenue", N_("Revenue, last 12 months"), "money"),
            f("concentration.active_accounts", N_("Active customers"), "count"),
            f("concentration.top1_share", N_("Largest customer's share"), "percent"),
            f("concentration.top5_share", N_("Top 5 share"), "percent"),
            f("concentration.top10_share", N_("Top 10 share"), "percent"),
            f("concentration.pareto_count", N_("Customers making 80% of revenue"), "count"),
            f("concentration.hhi", N_("HHI"), "number"),
            f("concentration.effective_customers", N_("Effective number of customers"), "one"),
            f("concentration.gini", N_("Gini coefficient"), "two"),
        ),
        ("risk_heatmap", "pareto"),
        (
            TableSpec(
                "concentration-accounts",
                "concentration.accounts",
                N_("Customers by revenue"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("industry", "text"),
                    ("region", "text"),
                    ("revenue", "amount"),
                    ("share", "percent"),
                    ("tenure_years", "one"),
                ),
            ),
            TableSpec(
                "concentration-industry",
                "concentration.by_industry.table",
                N_("Revenue by industry"),
                (
                    ("industry", "text"),
                    ("accounts", "count"),
                    ("revenue", "amount"),
                    ("share", "percent"),
                ),
            ),
            TableSpec(
                "concentration-region",
                "concentration.by_region.table",
                N_("Revenue by region"),
                (
                    ("region", "text"),
                    ("accounts", "count"),
                    ("revenue", "amount"),
                    ("share", "percent"),
                ),
            ),
            TableSpec(
                "concentration-tenure",
                "concentration.tenure_profile",
                N_("Customers by tenure"),
                (("bucket", "text"), ("accounts", "count"), ("revenue", "amount")),
            ),
        ),
    ),
    SectionSpec(
        "stress",
        (
            f("stress.baseline.revenue", N_("Revenue, last 12 months"), "money"),
            f("stress.baseline.contribution", N_("Contribution"), "money"),
            f(
                "stress.top1.revenue_lost_share",
                N_("Revenue lost without the largest customer"),
                "percent",
            ),
            f(
                "stress.top_k.revenue_lost_share",
                N_("Revenue lost without the top customers"),
                "percent",
            ),
            f(
                "stress.top1.receivables_at_risk",
                N_("Receivables at risk (largest customer)"),
                "money",
            ),
            f("stress.baseline.runway_months", N_("Cash runway today"), "months"),
            f(
                "stress.probabilistic.revenue_p50",
                N_("Next year's revenue, median of 10,000 draws"),
                "money",
            ),
            f("stress.probabilistic.revenue_p5", N_("Next year's revenue, bad case (P5)"), "money"),
            f(
                "stress.probabilistic.contribution_p50",
                N_("Next year's contribution, median"),
                "money",
            ),
        ),
        ("stress", "probabilistic_stress"),
        (
            TableSpec(
                "stress-scenarios",
                "stress.scenarios",
                N_("Scenarios"),
                (
                    ("name", "scenario"),
                    ("account_count", "count"),
                    ("revenue_lost", "amount"),
                    ("revenue_lost_share", "percent"),
                    ("gross_profit_lost", "amount"),
                    ("contribution_lost", "amount"),
                    ("receivables_at_risk", "amount"),
                    ("contribution_after", "amount"),
                    ("runway_months", "one"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "profitability",
        (
            f("profitability.company.revenue", N_("Revenue"), "money"),
            f("profitability.company.gross_margin", N_("Gross margin"), "percent"),
            f("profitability.company.true_margin", N_("True margin (contribution)"), "percent"),
            f("profitability.company.contribution", N_("Contribution"), "money"),
            f(
                "profitability.value_destroyed",
                N_("Contribution destroyed after the peak"),
                "money",
            ),
            f("profitability.whale_peak_share", N_("Whale-curve peak"), "percent"),
        ),
        ("profit_waterfall", "whale_curve"),
        (
            TableSpec(
                "profitability-black-holes",
                "profitability.black_holes",
                N_("Value black holes"),
                (
                    ("account_id", "text"),
                    ("revenue", "amount"),
                    ("contribution", "amount"),
                    ("gross_margin", "percent"),
                    ("true_margin", "percent"),
                    ("main_driver", "driver"),
                ),
            ),
            TableSpec(
                "profitability-accounts",
                "profitability.accounts",
                N_("Profit and loss per customer"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("revenue", "amount"),
                    ("cogs", "amount"),
                    ("gross_profit", "amount"),
                    ("rebates", "amount"),
                    ("cost_to_serve", "amount"),
                    ("financing_cost", "amount"),
                    ("contribution", "amount"),
                    ("true_margin", "percent"),
                    ("estimated", "flag"),
                    ("abcd", "text"),
                ),
            ),
            TableSpec(
                "profitability-abcd",
                "profitability.abcd",
                N_("ABCD classes"),
                (
                    ("abcd", "text"),
                    ("accounts", "count"),
                    ("revenue", "amount"),
                    ("contribution", "amount"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "acquisition",
        (
            f("acquisition.window_new_accounts", N_("New customers, last 12 months"), "count"),
            f("acquisition.window_average_cac", N_("Average acquisition cost"), "money"),
            f("acquisition.latest_year_cac", N_("Acquisition cost, latest full year"), "money"),
            f("acquisition.latest_yoy_growth", N_("Change on the year before"), "percent"),
            f("acquisition.cac_cagr", N_("Yearly growth over the period"), "percent"),
        ),
        ("cac_trend",),
        (
            TableSpec(
                "acquisition-years",
                "acquisition.years",
                N_("Acquisition cost by year"),
                (
                    ("year", "text"),
                    ("new_accounts", "count"),
                    ("tagged_spend", "amount"),
                    ("untagged_spend", "amount"),
                    ("blended_cac", "amount"),
                    ("all_in_cac", "amount"),
                    ("yoy_growth", "percent"),
                    ("complete", "flag"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "ltv",
        (
            f("ltv.company_ltv", N_("Lifetime value of the customers with a known CAC"), "money"),
            f("ltv.company_cac", N_("Their acquisition cost"), "money"),
            f("ltv.company_ltv_to_cac", N_("LTV / CAC"), "ratio"),
            f("ltv.median_payback_months", N_("Median payback"), "months"),
        ),
        ("survival", "ltv_cac_segments"),
        (
            TableSpec(
                "ltv-segments",
                "ltv.segments",
                N_("Lifetime value by segment"),
                (
                    ("segment", "text"),
                    ("accounts", "count"),
                    ("mean_ltv", "amount"),
                    ("cac", "amount"),
                    ("ltv_to_cac", "ratio"),
                    ("healthy", "flag"),
                ),
            ),
            TableSpec(
                "ltv-accounts",
                "ltv.accounts",
                N_("Lifetime value per customer"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("segment", "text"),
                    ("yearly_contribution", "amount"),
                    ("ltv", "amount"),
                    ("cac", "amount"),
                    ("ltv_to_cac", "ratio"),
                    ("payback_months", "one"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "retention",
        (
            f("retention.nrr", N_("Net revenue retention (NRR)"), "percent"),
            f("retention.grr", N_("Gross revenue retention (GRR)"), "percent"),
            f("retention.quick_ratio", N_("Quick ratio"), "two"),
            f("retention.ttm.start", N_("Revenue, prior 12 months"), "money"),
            f("retention.ttm.end", N_("Revenue, last 12 months"), "money"),
        ),
        ("revenue_bridge", "nrr_grr"),
        (
            TableSpec(
                "retention-years",
                "retention.years",
                N_("Revenue bridge by year"),
                (
                    ("period1", "text"),
                    ("start", "amount"),
                    ("new", "amount"),
                    ("reactivated", "amount"),
                    ("expansion", "amount"),
                    ("contraction", "amount"),
                    ("churn", "amount"),
                    ("end", "amount"),
                    ("nrr", "percent"),
                    ("grr", "percent"),
                ),
            ),
            TableSpec(
                "retention-accounts",
                "retention.accounts",
                N_("Customers by state"),
                (
                    ("account_id", "text"),
                    ("state", "state"),
                    ("revenue_prior", "amount"),
                    ("revenue_ttm", "amount"),
                    ("change", "amount"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "cohorts",
        (
            f("cohorts.repeat_purchase_rate", N_("Repeat-purchase rate"), "percent"),
            f("cohorts.repeat_accounts", N_("Customers who bought again"), "count"),
            f("cohorts.active_accounts", N_("Customers ever active"), "count"),
        ),
        ("cohort_logo", "cohort_revenue"),
        (
            TableSpec(
                "cohorts-yearly",
                "cohorts.yearly",
                N_("Yearly cohorts"),
                (
                    ("cohort", "text"),
                    ("years_since", "count"),
                    ("accounts", "count"),
                    ("active", "count"),
                    ("logo_retention", "percent"),
                    ("revenue", "amount"),
                    ("revenue_retention", "percent"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "mrr",
        (
            f("mrr.mrr", N_("MRR"), "money"),
            f("mrr.arr", N_("ARR"), "money"),
            f("mrr.nrr", N_("Subscription NRR"), "percent"),
            f("mrr.grr", N_("Subscription GRR"), "percent"),
        ),
        ("mrr_series",),
        (
            TableSpec(
                "mrr-accounts",
                "mrr.accounts",
                N_("Subscriptions by customer"),
                (
                    ("account_id", "text"),
                    ("state", "state"),
                    ("mrr_prior", "amount"),
                    ("mrr", "amount"),
                    ("change", "amount"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "penetration",
        (
            f("penetration.index", N_("Key-account penetration index"), "percent"),
            f("penetration.weighted_index", N_("Potential-weighted index"), "percent"),
            f("penetration.accounts_with_units", N_("Key accounts with known units"), "count"),
            f("penetration.adopted_units", N_("Units using the product"), "count"),
            f("penetration.total_units", N_("Units in these accounts"), "count"),
            f("penetration.expanded_share", N_("Accounts beyond their first unit"), "percent"),
            f("penetration.median_days_to_second", N_("Median days to the second unit"), "count"),
            f("penetration.upsell_growth", N_("Revenue change in adopted units"), "signed"),
        ),
        (
            "penetration_growth",
            "whitespace_units",
            "whitespace_product_lines",
            "share_vs_penetration",
        ),
        (
            TableSpec(
                "penetration-accounts",
                "penetration.accounts",
                N_("Penetration per key account"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("industry", "text"),
                    ("adopted_units", "count"),
                    ("total_units", "count"),
                    ("penetration", "percent"),
                    ("weighted_penetration", "percent"),
                    ("revenue", "amount"),
                    ("days_to_second", "count"),
                    ("product_breadth", "percent"),
                    ("upsell_growth", "signed"),
                ),
            ),
            TableSpec(
                "penetration-industries",
                "penetration.industries",
                N_("Market share and penetration by industry"),
                (
                    ("industry", "text"),
                    ("market_size", "amount"),
                    ("revenue", "amount"),
                    ("market_share", "percent"),
                    ("accounts_with_units", "count"),
                    ("penetration", "percent"),
                    ("quadrant", "word"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "wallet_share",
        (
            f("wallet_share.median_share", N_("Median wallet share"), "percent"),
            f("wallet_share.pooled_share", N_("Share of the customers' total spend"), "percent"),
            f("wallet_share.accounts", N_("Customers with a wallet estimate"), "count"),
            f("wallet_share.declining_accounts", N_("Customers whose share fell"), "count"),
        ),
        ("wallet_share",),
        (
            TableSpec(
                "wallet-falling",
                "wallet_share.falling",
                N_("Customers losing wallet share"),
                (
                    ("account_id", "text"),
                    ("previous_share", "percent"),
                    ("wallet_share", "percent"),
                    ("change", "points"),
                ),
            ),
            TableSpec(
                "wallet-years",
                "wallet_share.years",
                N_("Wallet share by customer and year"),
                (
                    ("account_id", "text"),
                    ("year", "text"),
                    ("revenue", "amount"),
                    ("wallet", "amount"),
                    ("wallet_share", "percent"),
                    ("change", "points"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "relationships",
        (
            f(
                "relationships.mean_departments_reached",
                N_("Core departments reached, mean"),
                "one",
            ),
            f("relationships.transactional_only_count", N_("Transactional-only accounts"), "count"),
            f(
                "relationships.no_active_relationship_count",
                N_("Accounts without active contact"),
                "count",
            ),
            f("relationships.key_person_risk_count", N_("Accounts with key-person risk"), "count"),
            f(
                "relationships.key_person_risk_revenue_share",
                N_("Revenue with key-person risk"),
                "percent",
            ),
            f(
                "relationships.median_days_since_last_interaction",
                N_("Median days since the last contact"),
                "count",
            ),
            f(
                "relationships.interaction_trend",
                N_("Contact, last 90 days vs the 90 before"),
                "signed",
            ),
        ),
        ("relationship_depth", "relationship_map"),
        (
            TableSpec(
                "relationships-accounts",
                "relationships.accounts",
                N_("Relationship depth per account"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("revenue", "amount"),
                    ("active_contacts", "count"),
                    ("departments_reached", "codes"),
                    ("departments_missing", "codes"),
                    ("transactional_only", "flag"),
                    ("key_person_reasons", "codes"),
                    ("top_employee", "text"),
                    ("top_employee_share", "percent"),
                    ("days_since_last_interaction", "count"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "silent_traitors",
        (
            f(
                "silent_traitors.satisfied_shrinking_share",
                N_("Satisfied customers who are shrinking"),
                "percent",
            ),
            f("silent_traitors.silent_traitor_count", N_("Silent traitors"), "count"),
            f("silent_traitors.satisfied_accounts", N_("Satisfied customers"), "count"),
            f("silent_traitors.satisfied_stable", N_("Satisfied and stable"), "count"),
            f("silent_traitors.unsatisfied_shrinking", N_("Unsatisfied and shrinking"), "count"),
            f("silent_traitors.survey_coverage", N_("Survey coverage"), "percent"),
        ),
        ("silent_traitors",),
        (
            TableSpec(
                "silent-traitors",
                "silent_traitors.traitors",
                N_("Silent traitors and the evidence"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("score", "one"),
                    ("scale", "word"),
                    ("survey_date", "date"),
                    ("signals", "codes"),
                    ("revenue_prior", "amount"),
                    ("revenue", "amount"),
                    ("revenue_change", "signed"),
                    ("orders_change", "signed"),
                    ("dropped_lines", "list"),
                    ("wallet_share_change", "points"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "churn_risk",
        (
            f("churn_risk.backtest_auc", N_("Backtest ROC-AUC"), "two"),
            f("churn_risk.baseline_auc", N_("Recency-only ROC-AUC"), "two"),
            f("churn_risk.test_accounts", N_("Customers in the test"), "count"),
            f("churn_risk.test_positive_rate", N_("Of them lost or shrunk"), "percent"),
            f("churn_risk.train_cutoffs", N_("Training periods"), "count"),
            f("churn_risk.model_status", N_("Model"), "word"),
        ),
        ("churn_calibration", "churn_risk"),
        (
            TableSpec(
                "churn-accounts",
                "churn_risk.accounts",
                N_("Churn risk per customer"),
                (
                    ("risk_rank", "count"),
                    ("account_id", "text"),
                    ACCOUNT,
                    ("churn_probability", "percent"),
                    ("revenue_ttm", "amount"),
                    ("factor_1", "feature"),
                    ("factor_2", "feature"),
                    ("factor_3", "feature"),
                    ("signal_count", "count"),
                ),
            ),
            TableSpec(
                "churn-calibration",
                "churn_risk.calibration",
                N_("Calibration of the backtest"),
                (
                    ("bin", "count"),
                    ("accounts", "count"),
                    ("mean_predicted", "percent"),
                    ("observed_rate", "percent"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "pseudoscale",
        (
            f("pseudoscale.verdict", N_("Verdict"), "word"),
            f("pseudoscale.signals_fired", N_("Signals that fired"), "count"),
            f("pseudoscale.stage", N_("Stage (1 replicable, 2 compounding, 3 scaling)"), "count"),
            f("pseudoscale.project_ttm.projects", N_("Projects, last 12 months"), "count"),
            f(
                "pseudoscale.project_ttm.projects_per_customer",
                N_("Projects per customer"),
                "one",
            ),
            f(
                "pseudoscale.project_ttm.median_project_revenue",
                N_("Median revenue per project"),
                "money",
            ),
            f("pseudoscale.project_ttm.small_project_share", N_("Small projects"), "percent"),
            f("pseudoscale.sample_only_count", N_("Sample-only customers"), "count"),
            f(
                "pseudoscale.customer_inflation",
                N_("Customer count inflated by sample-only customers"),
                "percent",
            ),
            f("pseudoscale.poc_conversion_rate", N_("POC to commercial conversion"), "percent"),
            f("pseudoscale.poc_median_days", N_("Median days from POC to order"), "count"),
            f(
                "pseudoscale.untagged_share_ttm",
                N_("Revenue without a project number"),
                "percent",
            ),
        ),
        ("pseudoscale_signals", "project_sizes", "samples_by_year"),
        (
            TableSpec(
                "pseudoscale-signals",
                "pseudoscale.signals",
                N_("Pseudo-scale signals"),
                (
                    ("signal", "word"),
                    ("status", "word"),
                    ("share_value", "percent"),
                    ("share_threshold", "percent"),
                    ("number_value", "two"),
                    ("number_threshold", "two"),
                ),
            ),
            TableSpec(
                "pseudoscale-evidence",
                "pseudoscale.evidence",
                N_("Evidence of the stage"),
                (
                    ("evidence", "word"),
                    ("status", "word"),
                    ("share_value", "percent"),
                    ("share_threshold", "percent"),
                    ("number_value", "two"),
                    ("number_threshold", "two"),
                ),
            ),
            TableSpec(
                "pseudoscale-projects",
                "pseudoscale.project_stats",
                N_("Project statistics"),
                (
                    ("period", "word"),
                    ("projects", "count"),
                    ("accounts", "count"),
                    ("mean_project_revenue", "amount"),
                    ("median_project_revenue", "amount"),
                    ("small_project_share", "percent"),
                    ("projects_per_customer", "two"),
                    ("deal_size_cv", "two"),
                ),
            ),
            TableSpec(
                "pseudoscale-sample-only",
                "pseudoscale.sample_only",
                N_("Sample-only customers"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("first_deal", "date"),
                    ("last_deal", "date"),
                    ("deals", "count"),
                    ("kinds", "codes"),
                    ("revenue", "amount"),
                ),
            ),
            TableSpec(
                "pseudoscale-poc",
                "pseudoscale.poc",
                N_("POC customers"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("poc_date", "date"),
                    ("conversion_date", "date"),
                    ("days", "count"),
                    ("converted", "flag"),
                    ("expansion_poc", "flag"),
                ),
            ),
            TableSpec(
                "pseudoscale-deal-kinds",
                "pseudoscale.deal_kinds",
                N_("Pre-sales deals by kind"),
                (
                    ("deal_type", "word"),
                    ("revenue_ttm", "amount"),
                    ("accounts_ttm", "count"),
                    ("deals_ttm", "count"),
                    ("revenue_all", "amount"),
                    ("accounts_all", "count"),
                    ("deals_all", "count"),
                ),
            ),
            TableSpec(
                "pseudoscale-years",
                "pseudoscale.years",
                N_("Samples, projects and customisation by year"),
                (
                    ("year", "text"),
                    ("commercial_revenue", "amount"),
                    ("sample_revenue", "amount"),
                    ("sample_accounts", "count"),
                    ("projects_started", "count"),
                    ("customisation", "two"),
                    ("multi_line_share", "percent"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "tiering",
        (
            f("tiering.strategic_accounts", N_("Strategic accounts"), "count"),
            f("tiering.core_accounts", N_("Core accounts"), "count"),
            f("tiering.developing_accounts", N_("Developing accounts"), "count"),
            f(
                "tiering.key_account_revenue_share",
                N_("Revenue from strategic and core"),
                "percent",
            ),
            f("tiering.accounts_scored", N_("Accounts scored"), "count"),
            f("tiering.promoted", N_("Moved up a tier this year"), "count"),
            f("tiering.demoted", N_("Moved down a tier this year"), "count"),
        ),
        ("tier_scores", "tier_matrix", "portfolio_shape"),
        (
            TableSpec(
                "tiering-accounts",
                "tiering.accounts",
                N_("Key-account scores"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("tier", "word"),
                    ("score", "one"),
                    ("financial", "one"),
                    ("growth", "one"),
                    ("strategic", "one"),
                    ("influence", "one"),
                    ("stability", "one"),
                    ("authority", "one"),
                    ("complexity", "one"),
                    ("co_innovation", "one"),
                    ("feedback", "one"),
                    ("channel", "one"),
                    ("revenue", "amount"),
                    ("previous_tier", "word"),
                    ("pitfalls", "codes"),
                ),
            ),
            TableSpec(
                "tiering-tiers",
                "tiering.tiers",
                N_("Tiers"),
                (
                    ("tier", "word"),
                    ("accounts", "count"),
                    ("revenue", "amount"),
                    ("revenue_share", "percent"),
                    ("mean_score", "one"),
                ),
            ),
            TableSpec(
                "tiering-shape",
                "tiering.portfolio_shape",
                N_("Portfolio shape"),
                (
                    ("layer", "word"),
                    ("recommended_min", "count"),
                    ("recommended_max", "count"),
                    ("accounts", "count"),
                    ("revenue_share", "percent"),
                    ("largest_share", "percent"),
                    ("status", "word"),
                ),
            ),
            TableSpec(
                "tiering-changes",
                "tiering.tier_changes",
                N_("Tier changes on a year ago"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("previous_tier", "word"),
                    ("tier", "word"),
                    ("previous_score", "one"),
                    ("score", "one"),
                ),
            ),
            TableSpec(
                "tiering-pitfalls",
                "tiering.pitfalls",
                N_("Pitfalls"),
                (("account_id", "text"), ACCOUNT, ("tier", "word"), ("pitfall", "word")),
            ),
        ),
    ),
    SectionSpec(
        "industries",
        (
            f("industries.industries", N_("Industries with a light"), "count"),
            f("industries.green", N_("Green (key) industries"), "count"),
            f("industries.yellow", N_("Yellow (general) industries"), "count"),
            f("industries.red", N_("Red (non-key) industries"), "count"),
            f("industries.green_revenue_share", N_("Revenue from green industries"), "percent"),
            f("industries.budget", N_("Budget to split"), "money"),
            f("industries.unknown_share", N_("Customers without an industry"), "percent"),
            f("industries.near_duplicate_pairs", N_("Labels spelled twice"), "count"),
            f(
                "industries.targets_contacted_share",
                N_("Target accounts contacted"),
                "percent",
            ),
        ),
        ("industry_lights", "industry_budget", "industry_milestones"),
        (
            TableSpec(
                "industries-scores",
                "industries.scores",
                N_("Traffic light per industry"),
                (
                    ("industry", "text"),
                    ("light", "word"),
                    ("total", "one"),
                    ("scored_weight", "percent"),
                    ("score_investment", "one"),
                    ("score_market", "one"),
                    ("score_concentration", "one"),
                    ("score_win_rate", "one"),
                    ("score_deal_size", "one"),
                    ("score_cac", "one"),
                    ("score_retention", "one"),
                    ("score_fit", "one"),
                    ("revenue", "amount"),
                    ("revenue_share", "percent"),
                    ("growth", "signed"),
                    ("accounts", "count"),
                    ("nrr", "percent"),
                    ("closed_deals", "count"),
                    ("win_rate", "percent"),
                    ("avg_deal_size", "amount"),
                    ("cac", "amount"),
                    ("market_size", "amount"),
                    ("market_growth", "percent"),
                    ("investment_events", "count"),
                    ("investment_amount", "amount"),
                    ("top20_share", "percent"),
                    ("fit_score", "one"),
                    ("catch_all", "flag"),
                    ("budget_share", "percent"),
                    ("budget", "amount"),
                ),
            ),
            TableSpec(
                "industries-budget",
                "industries.budget_tiers",
                N_("Budget by light"),
                (
                    ("light", "word"),
                    ("configured_share", "percent"),
                    ("share", "percent"),
                    ("industries", "count"),
                    ("budget", "amount"),
                ),
            ),
            TableSpec(
                "industries-milestones",
                "industries.milestones",
                N_("Coverage milestones per industry"),
                (
                    ("industry", "text"),
                    ("targets", "count"),
                    ("contacted", "count"),
                    ("funnel", "count"),
                    ("won", "count"),
                    ("contacted_share", "percent"),
                    ("funnel_share", "percent"),
                    ("won_share", "percent"),
                    ("milestones_met", "count"),
                    ("next_milestone", "percent"),
                    ("short_of_next", "count"),
                ),
            ),
            TableSpec(
                "industries-taxonomy",
                "industries.taxonomy",
                N_("Industry labels of the customers"),
                (
                    ("industry", "text"),
                    ("customers", "count"),
                    ("share", "percent"),
                    ("listed", "flag"),
                    ("top_line_agreement", "percent"),
                    ("catch_all", "flag"),
                    ("level2_share", "percent"),
                    ("level2_values", "count"),
                ),
            ),
            TableSpec(
                "industries-duplicates",
                "industries.near_duplicates",
                N_("Labels that look like one industry"),
                (
                    ("label", "text"),
                    ("label_customers", "count"),
                    ("canonical", "text"),
                    ("canonical_customers", "count"),
                    ("reason", "word"),
                ),
            ),
        ),
    ),
    SectionSpec(
        "diagnosis",
        (
            f("diagnosis.quadrant", N_("Customer strategy quadrant"), "word"),
            f("diagnosis.asset_quality", N_("Customer asset quality (0–100)"), "number"),
            f("diagnosis.relationship_insight", N_("Relationship insight (0–100)"), "number"),
            f("diagnosis.focus_revenue_share", N_("Focus accounts' share of revenue"), "percent"),
            f("diagnosis.penetration_index", N_("Key-account penetration"), "percent"),
            f("diagnosis.penetration_growth", N_("Penetration growth over the year"), "points"),
            f("diagnosis.nrr", N_("NRR"), "percent"),
            f("diagnosis.use_case_depth", N_("Product lines per focus account"), "one"),
            f("diagnosis.stage", N_("Roadmap stage"), "count"),
        ),
        ("diagnosis_quadrant", "diagnosis_inputs"),
        (
            TableSpec(
                "diagnosis-checklist",
                "diagnosis.checklist",
                N_("Action checklist"),
                (
                    ("priority", "count"),
                    ("severity", "word"),
                    ("action", "word"),
                    ("subject_count", "count"),
                    ("lead_subjects", "list"),
                ),
            ),
            TableSpec(
                "diagnosis-inputs",
                "diagnosis.inputs",
                N_("The inputs of the two scores"),
                (
                    ("score", "word"),
                    ("input", "word"),
                    ("value_percent", "percent"),
                    ("value_number", "two"),
                    ("sub_score", "one"),
                    ("effective_weight", "percent"),
                    ("status", "word"),
                    ("source", "text"),
                ),
            ),
            TableSpec(
                "diagnosis-focus",
                "diagnosis.focus_accounts",
                N_("Focus accounts (investor view)"),
                (
                    ("account_id", "text"),
                    ACCOUNT,
                    ("industry", "text"),
                    ("tier", "word"),
                    ("lighthouse", "flag"),
                    ("revenue", "amount"),
                    ("share", "percent"),
                    ("growth", "signed"),
                    ("product_lines", "count"),
                    ("penetration", "percent"),
                ),
            ),
        ),
    ),
)

TITLES = {
    "diagnosis": N_("Company diagnosis"),
    "concentration": N_("Portfolio structure and concentration"),
    "stress": N_("Stress tests"),
    "profitability": N_("True profitability per customer"),
    "acquisition": N_("Acquisition cost and its trend"),
    "ltv": N_("Lifetime value"),
    "retention": N_("Retention and growth"),
    "cohorts": N_("Cohorts and repeat purchase"),
    "mrr": N_("Recurring revenue (MRR / ARR)"),
    "penetration": N_("Penetration inside key accounts"),
    "wallet_share": N_("Wallet share"),
    "relationships": N_("Relationship depth"),
    "silent_traitors": N_("Silent traitors"),
    "churn_risk": N_("Churn risk"),
    "industries": N_("Industry focus: the traffic light"),
    "pseudoscale": N_("Pseudo-scale and stage"),
    "tiering": N_("Key-account scoring and tiering"),
}


def title(key: str, loc: Locale) -> str:
    """An analysis's title in the report's language (the registry's titles as a fallback)."""
    if key in TITLES:
        return loc._(TITLES[key])
    spec = next((a for a in ANALYSES if a.key == key), None)
    if spec is None:
        return key
    return spec.title_zh if loc.lang == "zh" else spec.title_en


def lookup(audit: Audit, path: str) -> Any:
    """The value at a dotted audit-JSON path (``stress.top1.revenue_lost_share``), or None."""
    node: Any = audit
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def format_value(value: Any, kind: str, loc: Locale) -> str:
    """A figure or cell as text for ``kind``."""
    if value is None:
        return "–"
    formats: dict[str, Callable[[Any], str]] = {
        "money": loc.money,
        "amount": loc.amount,
        "percent": loc.percent,
        "ratio": loc.ratio,
        "count": loc.count,
        "number": loc.number,
        "one": lambda v: loc.number(v, 1),
        "two": lambda v: loc.number(v, 2),
        "months": loc.months,
        "flag": lambda v: loc._("yes") if v else loc._("no"),
    }
    if kind in formats and isinstance(value, int | float):
        return formats[kind](value)
    if kind == "points" and isinstance(value, int | float):
        return loc.points(value)
    if kind == "signed" and isinstance(value, int | float):
        return loc.signed_percent(value)
    if kind == "codes":
        codes = value if isinstance(value, list | tuple) else str(value).split(",")
        return loc.join([loc.word(WORDS, c) for c in codes if str(c)]) or "–"
    if kind == "list":
        return loc.join([str(v) for v in value]) if isinstance(value, list | tuple) else str(value)
    if kind == "date":
        return loc.date(str(value)[:10])
    if kind == "feature":
        return feature_name(str(value), loc)
    if kind in ("scenario", "driver", "state", "shape", "text", "word"):
        return loc.word(WORDS, value) if kind != "text" or str(value) in MARKERS else str(value)
    return str(value)


def build_figures(spec: SectionSpec, audit: Audit, loc: Locale) -> tuple[Figure, ...]:
    """The section's key figures that the audit has."""
    out = []
    for fig in spec.figures:
        value = lookup(audit, fig.path)
        if value is None:
            continue
        out.append(
            Figure(fig.path, loc._(fig.label), fig.kind, value, format_value(value, fig.kind, loc))
        )
    return tuple(out)


def build_table(spec: TableSpec, audit: Audit, loc: Locale, cap: int) -> Table | None:
    """A detail table with all its raw rows up to ``cap``; None when the audit has none."""
    rows = lookup(audit, spec.path)
    if not rows or not isinstance(rows, list):
        return None
    columns = tuple(
        (name, loc._(COLUMN_LABELS.get(kind if kind in COLUMN_LABELS else name, name)), kind)
        for name, kind in spec.columns
        if name in rows[0]
    )
    return Table(spec.id, loc._(spec.title), columns, list(rows[:cap]), len(rows))


def build_section(
    spec: SectionSpec,
    audit: Audit,
    findings: list[Sentence],
    loc: Locale,
    cap: int,
    drawn: Mapping[str, Any],
) -> Section:
    """One analysis's section."""
    number = next(a.section for a in ANALYSES if a.key == spec.key)
    tables = (build_table(t, audit, loc, cap) for t in spec.tables)
    meaning = MEANINGS.get(spec.key)
    return Section(
        key=spec.key,
        number=number,
        title=title(spec.key, loc),
        figures=build_figures(spec, audit, loc),
        charts=tuple(c for c in spec.charts if c in drawn),
        findings=tuple(s for s in findings if s.analysis == spec.key),
        meaning=tuple(loc.tidy(p) for p in meaning(audit, loc)) if meaning else (),
        tables=tuple(t for t in tables if t is not None),
    )


def executive_summary(findings: list[Sentence]) -> tuple[Sentence, ...]:
    """The five to eight findings a reader must see first.

    Priority: alerts, then the headline facts (concentration, true margin, retention, LTV/CAC),
    then warnings, then other facts; at most two per analysis, so one area cannot crowd out
    the rest. Account-by-account repeats of a finding stay in their section.
    """
    order = {spec.key: i for i, spec in enumerate(SECTIONS)}

    def priority(s: Sentence) -> tuple[int, int]:
        if s.code in LEADS:
            return -1, order.get(s.analysis, 99)
        rank = {"alert": 0, "warning": 2}.get(s.severity, 1 if s.code in HEADLINES else 3)
        return rank, order.get(s.analysis, 99)

    chosen: list[Sentence] = []
    per_analysis: dict[str, int] = {}
    for item in sorted((s for s in findings if s.code not in DETAIL_ONLY), key=priority):
        if len(chosen) == SUMMARY_MAX or (len(chosen) >= SUMMARY_MIN and priority(item)[0] == 3):
            break
        if per_analysis.get(item.analysis, 0) == 2:
            continue
        chosen.append(item)
        per_analysis[item.analysis] = per_analysis.get(item.analysis, 0) + 1
    return tuple(sorted(chosen, key=lambda s: (SEVERITY_RANK[s.severity], order[s.analysis])))


def build_report(audit: Audit, loc: Locale, cap: int = 20000) -> Report:
    """The report of ``audit`` (``AuditRun.to_json()``) in ``loc``'s language."""
    meta = dict(audit.get("meta", {}))
    findings = sentences(audit, loc)
    drawn: dict[str, Any] = {}
    for spec in SECTIONS:
        if spec.key not in audit:
            continue
        for chart_id in spec.charts:
            draw = CHARTS.get(chart_id)
            figure = draw(audit, loc) if draw else None
            if figure is not None:
                drawn[chart_id] = figure.to_plotly_json()
    sections = tuple(
        build_section(spec, audit, findings, loc, cap, drawn)
        for spec in SECTIONS
        if spec.key in audit
    )
    skipped = tuple(
        Skipped(key, title(key, loc), tuple(v.get("missing_tables", ())))
        for key, v in audit.get("skipped", {}).items()
    )
    return Report(
        lang=loc.lang,
        title=loc._("Customer asset audit"),
        as_of=str(meta.get("as_of")),
        as_of_text=loc.date(meta.get("as_of")),
        currency=meta.get("currency"),
        generated=datetime.now().replace(microsecond=0).isoformat(),
        summary=executive_summary(findings),
        sections=sections,
        skipped=skipped,
        charts=drawn,
        meta=meta,
    )
