"""Pseudo-scale and stage (docs/metrics.md §8, seed 000).

Every figure reads the invoice lines dated up to the as-of date, rolled up into accounts.
**Deals**: ``deal_type`` commercial is revenue; sample / poc / pilot / free are pre-sales
deals, reported apart ("sample" below means any of the four).

**Projects** are the commercial lines with a ``project_id``, keyed by (account, project_id).
Lines without a ``project_id`` are left out of the project figures and counted
(``untagged_revenue*``) — with ``pseudoscale.untagged_lines = "invoice"`` each such invoice
is its own project instead. A project's revenue in a period is the sum of its commercial
lines dated in the period; the period's projects are those with revenue > 0 in it (a project
left with only a credit note does not count). For the TTM and for all time:
``projects``, ``mean_project_revenue``, ``median_project_revenue``, ``small_project_share``
(projects with revenue < ``small_project``), ``projects_per_customer`` (projects / accounts
with at least one of them) and ``deal_size_cv`` (population standard deviation / mean).

**Samples**: revenue (sum of amounts; free deals are usually 0), lines and accounts of the
pre-sales deals, per kind, in the TTM and all time. A **sample-only** account has at least
one pre-sales line and no commercial line up to the as-of date.

**POC → commercial**: accounts with a POC line; the first POC date is the start. A POC
account whose first commercial line precedes its first POC is an *expansion POC* (an existing
customer testing more) and is counted apart; the others are *new-logo POCs*, converted when
they have a commercial line (on or after the first POC). ``poc_conversion_rate`` = converted /
new-logo POC accounts; days = first commercial date − first POC date (median).
``poc_pending`` counts unconverted new-logo POCs whose first POC is in the TTM.

**"Market share" with and without sample-only accounts**: accounts with any deal (all time,
and with a line in the TTM), with and without the sample-only ones;
``customer_inflation`` = with / without − 1, and the same for all deals' revenue.

**Customisation proxy**: distinct ``product_line`` values per project (all its commercial
lines; projects without a product line left out), by the calendar year of the project's first
line; ``customisation_trend`` is the least-squares slope of the yearly mean (lines per project
per year).

**Verdict** (signals; thresholds in ``[pseudoscale]``; a signal whose input is missing is
``not_evaluated``):

- ``many_projects``: TTM projects per customer ≥ ``many_projects_per_customer``;
- ``small_deals``: TTM share of small projects ≥ ``small_project_share``;
- ``low_repeat``: the repeat-purchase rate of §5 (``cohorts``) < ``low_repeat_rate``;
- ``low_expansion``: TTM NRR of §5 (``retention``) < ``low_nrr``;
- ``sample_driven``: sample-only accounts / accounts with any deal (all time) ≥
  ``sample_customer_share``.

``pseudo_scale`` when at least ``min_signals`` fire; ``not_pseudo_scale`` when even the signals
not evaluated could not reach it; ``undetermined`` otherwise.

**Stage** (evidence met / not met / not evaluated):

- ``stable_deal_size``: ``deal_size_stability_cv`` < ``stable_deal_cv``, where
  ``deal_size_stability_cv`` is the coefficient of variation (population) of the median
  project revenue of each complete 12-month window back from the as-of date (``deal_size``;
  a project's revenue in a window is its lines dated in it); needs two complete windows. The
  seed's "客单价稳定" is stability over time — the dispersion across deals at one time
  (``deal_size_cv``) mostly measures the mix of large and small customers;
- ``no_sample_volume``: the ``sample_driven`` signal was evaluated and did not fire;
- ``repeat_rising``: the year-over-year repeat rate (accounts active in both a 12-month window
  and the one before it / accounts active in the one before) of TTM vs prior TTM is above that
  of prior TTM vs the 12 months before; needs 36 months of data;
- ``referral_new``: of the TTM's new accounts (first commercial line in the TTM) with a known
  ``customers.source``, referral + partner ≥ ``referral_new_share``; only with a source;
- ``customer_growth``: active accounts (R > 0) TTM / prior TTM − 1 ≥
  ``scaling_customer_growth``; needs 24 months of data;
- ``healthy_grr``: TTM GRR of §5 ≥ ``healthy_grr``.

``stage`` is None (undetermined) when ``stable_deal_size`` is not evaluated; 0 (not yet
replicable) when the verdict is pseudo-scale or stage 1 fails; else 3 when
``customer_growth`` and ``healthy_grr`` are met, else 2 when ``repeat_rising`` is met and
``referral_new`` is met or not evaluated, else 1. Stage 1 = ``stable_deal_size`` and
``no_sample_volume``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, dense_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame
from keyaccount.analyses.retention import data_span

PRE_SALES = ("sample", "poc", "pilot", "free")
POC = "poc"
SIGNALS = ("many_projects", "small_deals", "low_repeat", "low_expansion", "sample_driven")
EVIDENCE = (
    "stable_deal_size",
    "no_sample_volume",
    "repeat_rising",
    "referral_new",
    "customer_growth",
    "healthy_grr",
)
SHARE_SIGNALS = {"small_deals", "low_repeat", "low_expansion", "sample_driven"}
SHARE_EVIDENCE = {
    "no_sample_volume",
    "repeat_rising",
    "referral_new",
    "customer_growth",
    "healthy_grr",
}
REFERRAL_SOURCES = ("referral", "partner")
FIRED, NOT_FIRED, NOT_EVALUATED = "fired", "not_fired", "not_evaluated"
MET, NOT_MET = "met", "not_met"
PSEUDO, NOT_PSEUDO, UNDETERMINED = "pseudo_scale", "not_pseudo_scale", "undetermined"
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class ProjectStats:
    """Project figures of one period (the TTM or all time)."""

    projects: int
    accounts: int  # accounts with at least one project in the period
    revenue: float  # Σ project revenue
    mean_project_revenue: float | None
    median_project_revenue: float | None
    small_projects: int
    small_project_share: float | None
    projects_per_customer: float | None
    deal_size_cv: float | None


@dataclass(frozen=True)
class PseudoScaleResult(Result):
    """Projects, samples, POC conversion, the pseudo-scale verdict and the stage."""

    project_ttm: ProjectStats
    project_all: ProjectStats
    small_project: float  # the small-deal threshold (setting), for the report
    untagged_revenue_ttm: float  # commercial revenue without a project_id
    untagged_revenue_all: float
    untagged_share_ttm: float | None  # of TTM commercial revenue
    commercial_revenue_ttm: float
    commercial_revenue_all: float
    sample_revenue_ttm: float
    sample_revenue_all: float
    sample_accounts_ttm: int  # accounts with a pre-sales line in the TTM
    sample_accounts_all: int
    sample_only_count: int
    sample_only_share: float | None  # of accounts with any deal, all time
    sample_only_revenue: float  # pre-sales amounts of the sample-only accounts, all time
    poc_accounts: int  # new-logo POC accounts
    poc_converted: int
    poc_conversion_rate: float | None
    poc_median_days: float | None
    poc_pending: int
    expansion_pocs: int
    customers_with_samples_all: int  # accounts with any deal
    customers_without_samples_all: int  # … less the sample-only ones
    customers_with_samples_ttm: int
    customers_without_samples_ttm: int
    customer_inflation: float | None  # all time: with / without − 1
    revenue_with_samples_all: float  # all deals
    revenue_without_samples_all: float
    customisation_mean: float | None  # distinct product lines per project, all projects
    customisation_trend: float | None  # slope of the yearly mean, per year
    repeat_rate_ttm: float | None  # year-over-year repeat, TTM vs prior TTM
    repeat_rate_prior: float | None  # prior TTM vs the 12 months before
    active_ttm: int
    active_prior: int
    customer_growth: float | None
    referral_new_share: float | None
    new_accounts_ttm: int
    deal_size_stability_cv: float | None  # CV of the yearly median project revenue
    verdict: str
    signals_fired: int
    signals_evaluated: int
    stage: int | None
    project_stats: pd.DataFrame  # period (last_12_months / all_time) and ProjectStats' fields
    signals: pd.DataFrame  # signal, status, value, threshold, share_value, share_threshold, …
    evidence: pd.DataFrame  # evidence, status, value, threshold, share_value, …
    sample_only: pd.DataFrame  # account_id, name, first_deal, last_deal, deals, kinds, revenue
    poc: pd.DataFrame  # account_id, name, poc_date, conversion_date, days, converted, expansion_poc
    deal_kinds: pd.DataFrame  # deal_type, revenue_ttm, accounts_ttm, revenue_all, accounts_all
    deal_size: pd.DataFrame  # k (12-month windows back), median project revenue, projects
    years: pd.DataFrame  # year, commercial_revenue, sample_revenue, projects, customisation…
    projects: pd.DataFrame  # account_id, project, revenue, revenue_ttm, first_day, product_lines


def _lines(ctx: AuditContext) -> ibis.Table:
    """Invoice lines up to the as-of date with their account."""
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    return inv.filter(inv.date <= ibis.literal(ctx.as_of))


def _fsum(values: Any) -> float:
    return math.fsum(float(v) for v in values)


def _commercial_lines(ctx: AuditContext) -> ibis.Table:
    """Commercial lines that form projects, with ``tagged``, ``project`` and window ``k``."""
    lines = _lines(ctx)
    com = lines.filter(lines.deal_type == COMMERCIAL)
    if ctx.settings.pseudoscale.untagged_lines == "exclude":
        com = com.filter(com.project_id.notnull())
    return com.mutate(
        tagged=com.project_id.notnull(),
        project=ibis.coalesce(com.project_id, com.invoice_id.cast("string")),
        k=(months_back(com.date, ctx.as_of) // MONTHS_PER_YEAR).cast("int64"),
    )


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["account_id"] = frame.account_id.astype(str)
    frame["project"] = frame.project.astype(str)
    frame["tagged"] = frame.tagged.astype(bool)
    return frame


def project_frame(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects (revenue all time and TTM, first day, product lines) and project × window.

    The second frame has one row per project and 12-month window back ``k`` with revenue.
    """
    com = _commercial_lines(ctx)
    whole = com.group_by("account_id", "tagged", "project").aggregate(
        revenue=com.amount.sum(),
        first_day=com.date.min(),
        product_lines=com.product_line.nunique(),
    )
    windows = com.group_by("account_id", "tagged", "project", "k").aggregate(
        revenue=com.amount.sum()
    )
    frame = _keyed(float_frame(whole))
    per = _keyed(float_frame(windows))
    per["k"] = per.k.astype("int64")
    per["revenue"] = per.revenue.astype(float)
    keys = ["account_id", "tagged", "project"]
    ttm = per[per.k == 0][[*keys, "revenue"]].rename(columns={"revenue": "revenue_ttm"})
    frame = frame.merge(ttm, on=keys, how="left")
    frame["revenue_ttm"] = frame.revenue_ttm.fillna(0.0).astype(float)
    frame["revenue"] = frame.revenue.astype(float)
    frame["first_day"] = pd.to_datetime(frame.first_day).dt.date
    frame["product_lines"] = frame.product_lines.fillna(0).astype("int64")
    order = np.lexsort(
        (dense_rank(frame.project), ~frame.tagged.to_numpy(), dense_rank(frame.account_id))
    )
    return frame.iloc[order].reset_index(drop=True), per


def deal_size_stability(per: pd.DataFrame, max_back: int) -> pd.DataFrame:
    """Median project revenue per complete 12-month window (k = 0 is the TTM), oldest first."""
    full = max_back // MONTHS_PER_YEAR if max_back >= MONTHS_PER_YEAR - 1 else -1
    if max_back % MONTHS_PER_YEAR != MONTHS_PER_YEAR - 1:
        full -= 1  # the oldest window is only partly in the data
    rows = per[(per.revenue > 0) & (per.k <= full)]
    medians = rows.groupby("k").revenue.median()
    counts = rows.groupby("k").size()
    table = pd.DataFrame({"k": medians.index.astype("int64"), "median": medians.to_numpy(float)})
    table["projects"] = counts.reindex(table.k).to_numpy().astype("int64")
    return table.sort_values("k", ascending=False).reset_index(drop=True)


def _cv(values: np.ndarray) -> float | None:
    """Population standard deviation / mean; None with fewer than two values."""
    if len(values) < 2:
        return None
    values = np.sort(values)
    mean = math.fsum(values) / len(values)
    if mean <= 0:
        return None
    return math.sqrt(math.fsum((values - mean) ** 2) / len(values)) / mean


def project_stats(revenue: pd.Series, accounts: pd.Series, small: float) -> ProjectStats:
    """Project figures over the projects with positive ``revenue``."""
    keep = revenue > 0
    values = np.sort(revenue[keep].to_numpy(dtype=float))
    n = len(values)
    if not n:
        return ProjectStats(0, 0, 0.0, None, None, 0, None, None, None)
    total = math.fsum(values)
    mean = total / n
    n_accounts = int(accounts[keep].nunique())
    small_count = int((values < small).sum())
    return ProjectStats(
        projects=n,
        accounts=n_accounts,
        revenue=total,
        mean_project_revenue=mean,
        median_project_revenue=float(np.median(values)),
        small_projects=small_count,
        small_project_share=small_count / n,
        projects_per_customer=n / n_accounts,
        deal_size_cv=_cv(values),
    )


def untagged_revenue(ctx: AuditContext) -> tuple[float, float]:
    """Commercial revenue of lines without a project_id: TTM and all time."""
    lines = _lines(ctx)
    com = lines.filter(lines.deal_type == COMMERCIAL, lines.project_id.isnull())
    in_ttm = months_back(com.date, ctx.as_of) < ctx.window
    expr = com.aggregate(all=com.amount.sum(), ttm=com.amount.sum(where=in_ttm))
    row = float_frame(expr)
    values = [row[c].iloc[0] if len(row) else math.nan for c in ("ttm", "all")]
    ttm, total = (0.0 if pd.isna(v) else float(v) for v in values)
    return ttm, total


def pre_sales_frame(ctx: AuditContext) -> pd.DataFrame:
    """Pre-sales lines per account × kind × calendar year × TTM flag."""
    lines = _lines(ctx)
    pre = lines.filter(lines.deal_type != COMMERCIAL)
    pre = pre.mutate(
        year=pre.date.year().cast("int64"),
        in_ttm=months_back(pre.date, ctx.as_of) < ctx.window,
    )
    grouped = pre.group_by("account_id", "deal_type", "year", "in_ttm").aggregate(
        revenue=pre.amount.sum(),
        lines=pre.count(),
        first_day=pre.date.min(),
        last_day=pre.date.max(),
    )
    frame = float_frame(grouped)
    frame["account_id"] = frame.account_id.astype(str)
    frame["deal_type"] = frame.deal_type.astype(str)
    frame["year"] = frame.year.astype("int64")
    frame["in_ttm"] = frame.in_ttm.astype(bool)
    frame["revenue"] = frame.revenue.astype(float)
    frame["lines"] = frame.lines.astype("int64")
    frame["first_day"] = pd.to_datetime(frame.first_day).dt.date
    frame["last_day"] = pd.to_datetime(frame.last_day).dt.date
    return frame


def commercial_frame(ctx: AuditContext) -> pd.DataFrame:
    """Commercial revenue and lines per account × 12-month window back (k = back // 12)."""
    facts = ctx.account_months.filter(lambda t: t.commercial)
    k = (facts.back // MONTHS_PER_YEAR).cast("int64")
    grouped = facts.group_by("account_id", k.name("k")).aggregate(
        revenue=facts.revenue.sum(), lines=facts.lines.sum()
    )
    frame = float_frame(grouped)
    frame["account_id"] = frame.account_id.astype(str)
    frame["k"] = frame.k.astype("int64")
    frame["revenue"] = frame.revenue.astype(float)
    return frame


def yearly_commercial(ctx: AuditContext) -> pd.DataFrame:
    """Commercial revenue per calendar year."""
    facts = ctx.account_months.filter(lambda t: t.commercial)
    grouped = facts.group_by("year").aggregate(commercial_revenue=facts.revenue.sum())
    frame = float_frame(grouped)
    frame["year"] = frame.year.astype("int64")
    frame["commercial_revenue"] = frame.commercial_revenue.astype(float)
    return frame


def account_sources(ctx: AuditContext) -> pd.DataFrame:
    """account_id → source (the group's own row, else its member with the smallest id)."""
    members = ctx.tables["customers"].join(ctx.membership, "customer_id")
    order = ibis.ifelse(members.customer_id == members.account_id, "", members.customer_id)
    picked = members.group_by("account_id").aggregate(source=members.source.argmin(order))
    frame = picked.execute()
    frame["account_id"] = frame.account_id.astype(str)
    return frame


def first_commercial(ctx: AuditContext) -> pd.DataFrame:
    """account_id → first commercial day (a date)."""
    frame = ctx.first_commercial_day.execute()
    frame["account_id"] = frame.account_id.astype(str)
    frame["first_day"] = pd.to_datetime(frame.first_day).dt.date
    return frame


def _status(value: float | None, threshold: float, at_least: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_EVALUATED
    hit = value >= threshold if at_least else value < threshold
    return FIRED if hit else NOT_FIRED


def _rows(
    names: tuple[str, ...], items: dict[str, tuple[str, float | None, float]], shares: set[str]
) -> pd.DataFrame:
    """A signals / evidence table with the value in the column of its unit."""
    records = []
    for name in names:
        status, value, threshold = items[name]
        share = name in shares
        records.append(
            {
                "name": name,
                "status": status,
                "value": value,
                "threshold": threshold,
                "share_value": value if share else None,
                "share_threshold": threshold if share else None,
                "number_value": None if share else value,
                "number_threshold": None if share else threshold,
            }
        )
    return pd.DataFrame.from_records(records)


def _yoy_repeat(active: pd.DataFrame, k: int) -> float | None:
    """Accounts active in window k and k+1 / accounts active in window k+1."""
    earlier = set(active.account_id[active.k == k + 1])
    if not earlier:
        return None
    later = set(active.account_id[active.k == k])
    return len(earlier & later) / len(earlier)


def _slope(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2:
        return None
    dx = x - x.mean()
    return float((dx * (y - y.mean())).sum() / (dx**2).sum())


def run(ctx: AuditContext) -> PseudoScaleResult:
    """Projects, samples, POC conversion, market share, customisation, verdict and stage."""
    cfg = ctx.settings.pseudoscale
    names = ctx.account_frame().set_index("account_id").name
    span = data_span(ctx)

    # -- projects ------------------------------------------------------------------------
    projects, per_window = project_frame(ctx)
    stability = deal_size_stability(per_window, span.max_back)
    stable_cv = _cv(stability["median"].to_numpy(float))
    ttm_stats = project_stats(projects.revenue_ttm, projects.account_id, cfg.small_project)
    all_stats = project_stats(projects.revenue, projects.account_id, cfg.small_project)
    untagged_ttm, untagged_all = untagged_revenue(ctx)

    # -- commercial activity per account and window ------------------------------------------
    commercial = commercial_frame(ctx)
    commercial_accounts = set(commercial.account_id)
    ttm_commercial = commercial[commercial.k == 0]
    commercial_ttm = _fsum(ttm_commercial.revenue.sort_values())
    commercial_all = _fsum(commercial.revenue.sort_values())
    active = commercial[commercial.revenue > 0]
    active_ttm = int((active.k == 0).sum())
    active_prior = int((active.k == 1).sum())

    # -- pre-sales ---------------------------------------------------------------------------
    pre = pre_sales_frame(ctx)
    pre_ttm = pre[pre.in_ttm]
    sample_accounts = set(pre.account_id)
    sample_only_ids = sorted(sample_accounts - commercial_accounts)
    only = pre[pre.account_id.isin(sample_only_ids)]
    sample_only = _sample_only_table(only, names)
    any_deal_all = commercial_accounts | sample_accounts
    any_deal_ttm = set(ttm_commercial.account_id) | set(pre_ttm.account_id)
    with_all, with_ttm = len(any_deal_all), len(any_deal_ttm)
    without_all = with_all - len(sample_only_ids)
    without_ttm = with_ttm - len(any_deal_ttm & set(sample_only_ids))
    sample_revenue_all = _fsum(pre.revenue.sort_values())
    sample_only_revenue = _fsum(only.revenue.sort_values())
    revenue_with = commercial_all + sample_revenue_all

    # -- POC -----------------------------------------------------------------------------------
    poc = _poc_table(ctx, pre, first_commercial(ctx), names)
    new_logo = poc[~poc.expansion_poc]
    converted = new_logo[new_logo.converted]
    poc_rate = len(converted) / len(new_logo) if len(new_logo) else None

    # -- customisation ---------------------------------------------------------------------
    years = _years_table(ctx, projects, pre)
    with_lines = projects[(projects.product_lines > 0) & (projects.revenue > 0)]
    yearly = years[years.customisation.notna()]
    trend = _slope(yearly.year.to_numpy(float), yearly.customisation.to_numpy(float))

    # -- stage inputs ------------------------------------------------------------------------
    repeat_ttm = _yoy_repeat(active, 0) if span.max_back >= 3 * MONTHS_PER_YEAR - 1 else None
    repeat_prior = _yoy_repeat(active, 1) if span.max_back >= 3 * MONTHS_PER_YEAR - 1 else None
    growth = (
        active_ttm / active_prior - 1
        if span.max_back >= 2 * MONTHS_PER_YEAR - 1 and active_prior
        else None
    )
    referral_share, new_ttm = _referral_share(ctx, span.max_back)

    # -- verdict -------------------------------------------------------------------------------
    cohorts = ctx.result("cohorts")
    retention = ctx.result("retention")
    repeat_rate = cohorts.repeat_purchase_rate if cohorts is not None else None
    nrr = retention.nrr if retention is not None else None
    grr = retention.grr if retention is not None else None
    sample_share = len(sample_only_ids) / with_all if with_all else None
    signal_items = {
        "many_projects": (
            _status(ttm_stats.projects_per_customer, cfg.many_projects_per_customer, True),
            ttm_stats.projects_per_customer,
            cfg.many_projects_per_customer,
        ),
        "small_deals": (
            _status(ttm_stats.small_project_share, cfg.small_project_share, True),
            ttm_stats.small_project_share,
            cfg.small_project_share,
        ),
        "low_repeat": (
            _status(repeat_rate, cfg.low_repeat_rate, False),
            repeat_rate,
            cfg.low_repeat_rate,
        ),
        "low_expansion": (_status(nrr, cfg.low_nrr, False), nrr, cfg.low_nrr),
        "sample_driven": (
            _status(sample_share, cfg.sample_customer_share, True),
            sample_share,
            cfg.sample_customer_share,
        ),
    }
    statuses = [s for s, _, _ in signal_items.values()]
    fired = statuses.count(FIRED)
    unknown = statuses.count(NOT_EVALUATED)
    if fired >= cfg.min_signals:
        verdict = PSEUDO
    elif fired + unknown < cfg.min_signals:
        verdict = NOT_PSEUDO
    else:
        verdict = UNDETERMINED

    # -- stage ---------------------------------------------------------------------------------
    def met(status: str) -> str:
        return {FIRED: MET, NOT_FIRED: NOT_MET}.get(status, NOT_EVALUATED)

    cv = stable_cv
    sample_status = signal_items["sample_driven"][0]
    no_sample = {FIRED: NOT_MET, NOT_FIRED: MET}.get(sample_status, NOT_EVALUATED)
    rising = (
        NOT_EVALUATED
        if repeat_ttm is None or repeat_prior is None
        else (MET if repeat_ttm > repeat_prior else NOT_MET)
    )
    evidence_items = {
        "stable_deal_size": (met(_status(cv, cfg.stable_deal_cv, False)), cv, cfg.stable_deal_cv),
        "no_sample_volume": (no_sample, sample_share, cfg.sample_customer_share),
        "repeat_rising": (
            rising,
            None if rising == NOT_EVALUATED else repeat_ttm,
            repeat_prior if repeat_prior is not None else math.nan,
        ),
        "referral_new": (
            met(_status(referral_share, cfg.referral_new_share, True)),
            referral_share,
            cfg.referral_new_share,
        ),
        "customer_growth": (
            met(_status(growth, cfg.scaling_customer_growth, True)),
            growth,
            cfg.scaling_customer_growth,
        ),
        "healthy_grr": (met(_status(grr, cfg.healthy_grr, True)), grr, cfg.healthy_grr),
    }
    stage = stage_of(verdict, {k: v[0] for k, v in evidence_items.items()})

    kinds = _kinds_table(pre)
    result = PseudoScaleResult(
        findings=(),
        project_ttm=ttm_stats,
        project_all=all_stats,
        small_project=cfg.small_project,
        untagged_revenue_ttm=untagged_ttm,
        untagged_revenue_all=untagged_all,
        untagged_share_ttm=untagged_ttm / commercial_ttm if commercial_ttm > 0 else None,
        commercial_revenue_ttm=commercial_ttm,
        commercial_revenue_all=commercial_all,
        sample_revenue_ttm=_fsum(pre_ttm.revenue.sort_values()),
        sample_revenue_all=sample_revenue_all,
        sample_accounts_ttm=int(pre_ttm.account_id.nunique()),
        sample_accounts_all=len(sample_accounts),
        sample_only_count=len(sample_only_ids),
        sample_only_share=sample_share,
        sample_only_revenue=sample_only_revenue,
        poc_accounts=len(new_logo),
        poc_converted=len(converted),
        poc_conversion_rate=poc_rate,
        poc_median_days=float(converted.days.median()) if len(converted) else None,
        poc_pending=int((~new_logo.converted & new_logo.in_ttm).sum()),
        expansion_pocs=int(poc.expansion_poc.sum()),
        customers_with_samples_all=with_all,
        customers_without_samples_all=without_all,
        customers_with_samples_ttm=with_ttm,
        customers_without_samples_ttm=without_ttm,
        customer_inflation=with_all / without_all - 1 if without_all else None,
        revenue_with_samples_all=revenue_with,
        revenue_without_samples_all=revenue_with - sample_only_revenue,
        customisation_mean=float(with_lines.product_lines.mean()) if len(with_lines) else None,
        customisation_trend=trend,
        repeat_rate_ttm=repeat_ttm,
        repeat_rate_prior=repeat_prior,
        active_ttm=active_ttm,
        active_prior=active_prior,
        customer_growth=growth,
        referral_new_share=referral_share,
        new_accounts_ttm=new_ttm,
        deal_size_stability_cv=stable_cv,
        verdict=verdict,
        signals_fired=fired,
        signals_evaluated=len(statuses) - unknown,
        stage=stage,
        project_stats=pd.DataFrame.from_records(
            [
                {"period": "last_12_months", **dataclasses.asdict(ttm_stats)},
                {"period": "all_time", **dataclasses.asdict(all_stats)},
            ]
        ),
        signals=_rows(SIGNALS, signal_items, SHARE_SIGNALS).rename(columns={"name": "signal"}),
        evidence=_rows(EVIDENCE, evidence_items, SHARE_EVIDENCE).rename(
            columns={"name": "evidence"}
        ),
        sample_only=sample_only,
        poc=poc.drop(columns=["in_ttm"]),
        deal_kinds=kinds,
        deal_size=stability,
        years=years,
        projects=projects[
            [
                "account_id",
                "project",
                "tagged",
                "revenue",
                "revenue_ttm",
                "first_day",
                "product_lines",
            ]
        ],
    )
    return dataclasses.replace(result, findings=tuple(findings(result, cfg.min_signals)))


def stage_of(verdict: str, evidence: dict[str, str]) -> int | None:
    """The stage from the verdict and the evidence statuses (see the module docstring)."""
    if evidence["stable_deal_size"] == NOT_EVALUATED:
        return None
    if verdict == PSEUDO:
        return 0
    if not (evidence["stable_deal_size"] == MET and evidence["no_sample_volume"] == MET):
        return 0
    if evidence["customer_growth"] == MET and evidence["healthy_grr"] == MET:
        return 3
    if evidence["repeat_rising"] == MET and evidence["referral_new"] in (MET, NOT_EVALUATED):
        return 2
    return 1


def _sample_only_table(only: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    columns = ["account_id", "name", "first_deal", "last_deal", "deals", "kinds", "revenue"]
    if not len(only):
        return pd.DataFrame(columns=columns)
    per = only.groupby("account_id").agg(
        first_deal=("first_day", "min"),
        last_deal=("last_day", "max"),
        deals=("lines", "sum"),
        revenue=("revenue", lambda s: _fsum(s.sort_values())),
    )
    kinds = only.groupby("account_id").deal_type.agg(
        lambda s: ",".join(k for k in PRE_SALES if k in set(s))
    )
    per["kinds"] = kinds
    per = per.reset_index()
    per["name"] = per.account_id.map(names)
    per["deals"] = per.deals.astype("int64")
    order = np.lexsort((dense_rank(per.account_id), pd.to_datetime(per.first_deal).to_numpy()))
    return per.iloc[order][columns].reset_index(drop=True)


def _poc_table(
    ctx: AuditContext, pre: pd.DataFrame, firsts: pd.DataFrame, names: pd.Series
) -> pd.DataFrame:
    columns = [
        "account_id",
        "name",
        "poc_date",
        "conversion_date",
        "days",
        "converted",
        "expansion_poc",
        "in_ttm",
    ]
    pocs = pre[pre.deal_type == POC]
    if not len(pocs):
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype=bool if c in ("converted", "expansion_poc", "in_ttm") else object
                )
                for c in columns
            }
        )
    first_poc = pocs.groupby("account_id").first_day.min().rename("poc_date").reset_index()
    table = first_poc.merge(firsts, on="account_id", how="left")
    has = table.first_day.notna()
    poc_day = pd.to_datetime(table.poc_date)
    com_day = pd.to_datetime(table.first_day)
    table["expansion_poc"] = (has & (com_day < poc_day)).astype(bool)
    table["converted"] = (has & ~table.expansion_poc).astype(bool)
    table["conversion_date"] = table.first_day.where(table.converted, None)
    table["days"] = ((com_day - poc_day).dt.days).where(table.converted).astype("Float64")
    window_start = ctx.as_of.year * 12 + ctx.as_of.month - 1 - ctx.window
    table["in_ttm"] = (
        (poc_day.dt.year * 12 + poc_day.dt.month - 1 > window_start)
        | (
            (poc_day.dt.year * 12 + poc_day.dt.month - 1 == window_start)
            & (poc_day.dt.day > ctx.as_of.day)
        )
    ).astype(bool)
    table["name"] = table.account_id.map(names)
    order = np.lexsort((dense_rank(table.account_id), poc_day.to_numpy()))
    return table.iloc[order][columns].reset_index(drop=True)


def _kinds_table(pre: pd.DataFrame) -> pd.DataFrame:
    records = []
    for kind in PRE_SALES:
        rows = pre[pre.deal_type == kind]
        ttm = rows[rows.in_ttm]
        records.append(
            {
                "deal_type": kind,
                "revenue_ttm": _fsum(ttm.revenue.sort_values()),
                "accounts_ttm": int(ttm.account_id.nunique()),
                "deals_ttm": int(ttm.lines.sum()),
                "revenue_all": _fsum(rows.revenue.sort_values()),
                "accounts_all": int(rows.account_id.nunique()),
                "deals_all": int(rows.lines.sum()),
            }
        )
    return pd.DataFrame.from_records(records)


def _years_table(ctx: AuditContext, projects: pd.DataFrame, pre: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year: commercial and sample revenue, projects started, customisation."""
    commercial = yearly_commercial(ctx)
    sample = (
        pre.groupby("year").revenue.agg(lambda s: _fsum(s.sort_values())).rename("sample_revenue")
        if len(pre)
        else pd.Series(dtype=float, name="sample_revenue", index=pd.Index([], name="year"))
    )
    sample_accounts = (
        pre.groupby("year").account_id.nunique().rename("sample_accounts")
        if len(pre)
        else pd.Series(dtype="int64", name="sample_accounts", index=pd.Index([], name="year"))
    )
    started = projects[projects.revenue > 0].copy()
    started["year"] = pd.to_datetime(started.first_day).dt.year.astype("int64")
    lines = started[started.product_lines > 0]
    per_project = started.groupby("year").size().rename("projects_started")
    custom = lines.groupby("year").product_lines.mean().rename("customisation")
    multi = (lines.assign(multi=lines.product_lines >= 2).groupby("year").multi.mean()).rename(
        "multi_line_share"
    )
    years = sorted(set(commercial.year) | set(sample.index) | set(per_project.index))
    table = pd.DataFrame({"year": pd.Series(years, dtype="int64")})
    table = table.merge(commercial, on="year", how="left")
    for series in (sample, sample_accounts, per_project, custom, multi):
        table = table.merge(series.reset_index(), on="year", how="left")
    table["commercial_revenue"] = table.commercial_revenue.fillna(0.0).astype(float)
    table["sample_revenue"] = table.sample_revenue.fillna(0.0).astype(float)
    table["sample_accounts"] = table.sample_accounts.fillna(0).astype("int64")
    table["projects_started"] = table.projects_started.fillna(0).astype("int64")
    table["customisation"] = table.customisation.astype(float)
    table["multi_line_share"] = table.multi_line_share.astype(float)
    return table


def _referral_share(ctx: AuditContext, max_back: int) -> tuple[float | None, int]:
    """Referral + partner share of the TTM's new accounts with a known source."""
    firsts = first_commercial(ctx)
    days = pd.to_datetime(firsts.first_day)
    month = days.dt.year * 12 + days.dt.month - 1
    anchor = ctx.as_of.year * 12 + ctx.as_of.month - 1
    back = anchor - month - (days.dt.day > ctx.as_of.day).astype(int)
    new = firsts[(back < ctx.window).to_numpy()]
    if max_back < ctx.window:  # no account before the TTM: every account looks new
        return None, len(new)
    sources = account_sources(ctx)
    known = new.merge(sources, on="account_id", how="left")
    known = known[known.source.notna()]
    if not len(known):
        return None, len(new)
    return float(known.source.isin(REFERRAL_SOURCES).mean()), len(new)


def findings(result: PseudoScaleResult, min_signals: int) -> list[Finding]:
    """The §8 findings (codes ``pseudoscale.*``)."""
    out: list[Finding] = []
    p = result.project_ttm
    if result.project_all.projects == 0:
        out.append(Finding("pseudoscale.no_projects", "info", {}))
    elif result.untagged_share_ttm:
        out.append(
            Finding(
                "pseudoscale.untagged_revenue",
                "info",
                {
                    "share": result.untagged_share_ttm,
                    "revenue": result.untagged_revenue_ttm,
                    "projects": p.projects,
                },
            )
        )
    if p.projects:
        out.append(
            Finding(
                "pseudoscale.projects",
                "info",
                {
                    "projects": p.projects,
                    "accounts": p.accounts,
                    "per_customer": p.projects_per_customer,
                    "median_revenue": p.median_project_revenue,
                    "mean_revenue": p.mean_project_revenue,
                    "small_share": p.small_project_share,
                },
            )
        )
    if result.sample_only_count:
        fired = result.signals.set_index("signal").status["sample_driven"] == FIRED
        out.append(
            Finding(
                "pseudoscale.sample_only",
                "warning" if fired else "info",
                {
                    "accounts": result.sample_only_count,
                    "share": result.sample_only_share,
                    "with_samples": result.customers_with_samples_all,
                    "without_samples": result.customers_without_samples_all,
                    "inflation": result.customer_inflation,
                    "revenue": result.sample_only_revenue,
                },
                tuple(result.sample_only.account_id),
            )
        )
    if result.poc_accounts:
        out.append(
            Finding(
                "pseudoscale.poc_conversion",
                "info",
                {
                    "accounts": result.poc_accounts,
                    "converted": result.poc_converted,
                    "rate": result.poc_conversion_rate,
                    "median_days": result.poc_median_days,
                    "pending": result.poc_pending,
                },
            )
        )
    fired_codes = ",".join(result.signals.signal[result.signals.status == FIRED])
    out.append(
        Finding(
            "pseudoscale.verdict",
            "alert" if result.verdict == PSEUDO else "info",
            {
                "verdict": result.verdict,
                "fired": result.signals_fired,
                "evaluated": result.signals_evaluated,
                "signals": fired_codes,
                "min_signals": min_signals,
            },
        )
    )
    met_codes = ",".join(result.evidence.evidence[result.evidence.status == MET])
    out.append(
        Finding(
            "pseudoscale.stage",
            "info" if result.stage not in (0, None) else "warning",
            {
                "stage": result.stage,
                "met": met_codes,
                "deal_size_cv": result.deal_size_stability_cv,
                "customer_growth": result.customer_growth,
            },
        )
    )
    return out
