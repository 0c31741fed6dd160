"""Key-account scoring and tiering (docs/metrics.md §9).

Every account (rolled up to its group when ``audit.rollup``) with positive commercial revenue in
the window (the TTM) gets ten dimension scores of 0–100; ``NaN`` means **not scored**: there is
neither data nor a manual score for it, and it is left out of the account's score, never taken
as zero. Percentile ranks are mid-ranks, ``100 × (below + ½ · equal) / n``, over the scored
accounts; a *capped scale* is ``100 × min(x / P90, 1)`` where P90 is the 90th percentile of the
positive values (0 and below score 0).

- **financial**: ½ percentile rank of TTM revenue + ½ percentile rank of contribution (the §3
  P&L).
- **growth** (growth potential): ⅔ percentile rank of revenue growth TTM / prior TTM − 1 (a new
  or returning account, with no prior revenue, ranks highest) + ⅓ industry growth, when
  ``industries.market_growth`` is known for its industry: 0 at ≤ −5 %/year, 100 at ≥ +25 %/year,
  linear between.
- **strategic**: ``is_strategic_partner`` (100 yes, 0 no).
- **influence**: 0.6 × ``is_lighthouse`` (100 / 0) + 0.4 × industry rank: ``100 × (accounts of
  its industry with revenue ≤ its own) / (accounts of its industry)``, 100 for the industry's
  largest customer (not scored for an unknown industry).
- **stability**: ½ relationship length (``first_date``, else the first commercial invoice;
  100 at five years or more, linear below) + ½ on-time payment rate: of the commercial invoice
  lines of positive amount in the window whose due date (``due_date``, else date +
  ``payment_days``) has passed by the as-of date, the share paid by their due date.
- **authority**: ``ownership``: government 100, SOE 100, listed 75, foreign 50, private 25;
  not scored when unknown.
- **complexity**: ½ product lines per project (distinct product lines of each project in the
  window, averaged over its projects; 1 line → 0, 3 or more → 100) + ½ custom R&D cost tagged to
  the account in the window (capped scale). The project part is not scored for an account
  without projects; the R&D part is scored (0 for none) once any custom R&D cost is tagged.
- **co_innovation**: ``joint_rnd`` (100 / 0).
- **feedback**: capped scale of the surveys answered plus the ``complaint`` and
  ``tech_exchange`` interactions in the window (none = 0 when either table exists).
- **channel**: ``is_channel`` (100 / 0).

A dimension made of parts is their weighted mean over the parts scored. A flag scores 0 for an
account whose cell is empty when the column has values elsewhere; a flag column that is empty
throughout (or absent) scores no one. A group has a flag when any of its customers has it.

**Manual scores.** A ``customers`` column ``score_<dimension>`` (0–100, clipped; a group takes
the highest of its customers) gives that dimension by hand. For the judgement dimensions
(strategic, influence, authority, co_innovation, channel) a manual score *overrides* the data:
a graded judgement is finer than a yes/no flag. For the measured dimensions (financial, growth,
stability, complexity, feedback) the data wins and a manual score only fills an account the
data cannot score. ``manual_dimensions`` lists the dimensions taken from manual scores.

**Score and tiers.** ``score = Σ w_d · s_d / Σ w_d`` over the dimensions scored with weight
``w_d`` > 0 (``tiering.weights``); ``coverage`` = that Σ w_d / Σ of all weights. Tiers by
``tiering.strategic`` / ``core`` / ``developing`` (score at or above), else ``general``.
**Key accounts** are the strategic, core and developing tiers.

**Year over year.** The same scoring at the as-of date minus ``window_months`` months, from the
data of the prior windows (prior revenue, prior P&L, payments, projects, surveys… of that
window), with today's flags, ownership and manual scores: ``previous_score``,
``previous_tier`` and ``tier_change`` (up, down, same, new: not scored a year ago).

**Portfolio shape** (seed 003): one *anchor* account near 20 % of revenue (band 15–25 %); three
to five *core* accounts at 5–10 % each; a *growth pool* of at least three smaller accounts
(share below 5 %) with a growth score ≥ 75 that reach the developing tier or above.

**Pitfalls** per account: ``over_dependence`` (revenue share above
``tiering.over_dependence_share``, any account); for key accounts, ``key_person`` (the §7
key-person risk, when relationships ran), ``price_giveaway`` (gross margin more than
``price_giveaway_points`` below the company's) and ``payment_giveaway`` (amount-weighted days
to pay above ``payment_giveaway_ratio`` × the company's).
"""

from __future__ import annotations

import calendar
import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, Severity, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame
from keyaccount.analyses.profitability import account_pnl, percentile_rank, revenue_growth
from keyaccount.analyses.scores import renormalised_mean
from keyaccount.config import TieringSettings

DIMENSIONS = (
    "financial",
    "growth",
    "strategic",
    "influence",
    "stability",
    "authority",
    "complexity",
    "co_innovation",
    "feedback",
    "channel",
)
JUDGEMENT = frozenset({"strategic", "influence", "authority", "co_innovation", "channel"})
TIERS = ("strategic", "core", "developing", "general")
KEY_TIERS = ("strategic", "core", "developing")
FLAGS = {
    "strategic": "is_strategic_partner",
    "lighthouse": "is_lighthouse",
    "co_innovation": "joint_rnd",
    "channel": "is_channel",
}
MANUAL_PREFIX = "score_"
AUTHORITY = {"government": 100.0, "soe": 100.0, "listed": 75.0, "foreign": 50.0, "private": 25.0}
LIGHTHOUSE_WEIGHT, INDUSTRY_RANK_WEIGHT = 0.6, 0.4
CUSTOMER_GROWTH_WEIGHT, INDUSTRY_GROWTH_WEIGHT = 2.0, 1.0
INDUSTRY_GROWTH_FLOOR, INDUSTRY_GROWTH_CAP = -0.05, 0.25
MATURE_YEARS = 5.0
LINES_FLOOR, LINES_CAP = 1.0, 3.0
CAP_QUANTILE = 0.9
FEEDBACK_TYPES = ("complaint", "tech_exchange")
ANCHOR_BAND = (0.15, 0.25)
CORE_BAND = (0.05, 0.10)
CORE_COUNT = (3, 5)
GROWTH_POOL_SCORE = 75.0
GROWTH_POOL_MIN = 3
ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "industry",
    "revenue",
    "share",
    *DIMENSIONS,
    "dimensions_scored",
    "coverage",
    "score",
    "tier",
    "previous_score",
    "previous_tier",
    "tier_change",
    "manual_dimensions",
    "pitfalls",
)


# --- Scoring curves ---------------------------------------------------------------------------


def top_rank(values: pd.Series, groups: pd.Series) -> pd.Series:
    """``100 × (members of the group with a value ≤ this one) / members``; NaN with no group."""
    known = groups.notna()
    frame = pd.DataFrame({"v": values[known].astype(float), "g": groups[known].astype(str)})
    ranks = frame.groupby("g").v.rank(method="max") / frame.groupby("g").v.transform("size")
    return (100.0 * ranks).reindex(values.index)


def capped_scale(values: pd.Series, quantile: float = CAP_QUANTILE) -> pd.Series:
    """``100 × min(x / Pq, 1)``, Pq the ``quantile`` of the positive values; ≤ 0 scores 0.

    NaN stays NaN (not scored); all zeros when no value is positive.
    """
    x = values.astype(float)
    positive = x[x > 0]
    if positive.empty:
        return x.where(x.isna(), 0.0)
    cap = float(positive.quantile(quantile))
    return (100.0 * (x.clip(lower=0.0) / cap).clip(upper=1.0)).where(x.notna())


def linear(values: pd.Series, low: float, high: float) -> pd.Series:
    """``100 × (x − low) / (high − low)`` clipped to 0–100; NaN stays NaN."""
    return (100.0 * (values.astype(float) - low) / (high - low)).clip(0.0, 100.0)


def combine(parts: list[tuple[pd.Series, float]]) -> pd.Series:
    """The weighted mean of the parts scored (non-NaN) per row; NaN when none is."""
    frame = pd.concat([p.astype(float) for p, _ in parts], axis=1)
    weights = np.array([w for _, w in parts], dtype=float)
    mean, _ = renormalised_mean(frame.to_numpy(dtype=float), weights)
    return pd.Series(mean, index=frame.index)


def key_account_score(dims: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """``score = Σ w·s / Σ w`` over the scored dimensions; ``coverage``; ``dimensions_scored``."""
    w = np.array([float(weights[d]) for d in DIMENSIONS])
    values = dims[list(DIMENSIONS)].to_numpy(dtype=float)
    score, used = renormalised_mean(values, w)
    all_weights = w.sum()
    return pd.DataFrame(
        {
            "dimensions_scored": (~np.isnan(values)).sum(axis=1).astype("int64"),
            "coverage": used / all_weights if all_weights > 0 else np.full(len(dims), np.nan),
            "score": score,
        },
        index=dims.index,
    )


def tier_of(score: pd.Series, settings: TieringSettings) -> pd.Series:
    """Strategic / core / developing at or above their thresholds, else general (NaN: None)."""
    s = score.astype(float)
    labels = np.select(
        [s >= settings.strategic, s >= settings.core, s >= settings.developing],
        list(TIERS[:3]),
        TIERS[3],
    )
    return pd.Series(labels, index=score.index, dtype=object).where(s.notna(), None)


def shift_months(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- Facts from the engine --------------------------------------------------------------------


def _by_account(expr: ibis.Table) -> pd.DataFrame:
    frame = float_frame(expr)
    frame["account_id"] = frame.account_id.astype(str)
    return frame.set_index("account_id")


def _in_window(ctx: AuditContext, table: ibis.Table, column: str = "date") -> ibis.Table:
    back = months_back(table[column], ctx.as_of)
    return table.filter(back >= 0, back < ctx.window)


def customer_marks(ctx: AuditContext) -> pd.DataFrame:
    """Per account: each flag (1 / 0 / NaN) and each manual ``score_<dimension>`` (highest).

    A flag column empty throughout becomes all NaN (not scored).
    """
    customers = ctx.tables["customers"]
    joined = customers.join(ctx.membership, "customer_id")
    manual = [
        f"{MANUAL_PREFIX}{d}" for d in DIMENSIONS if f"{MANUAL_PREFIX}{d}" in customers.columns
    ]
    aggregates = {
        key: joined[column].cast("int64").max()
        for key, column in FLAGS.items()
        if column in customers.columns
    }
    aggregates |= {column: joined[column].cast("float64").max() for column in manual}
    if not aggregates:
        return pd.DataFrame(index=pd.Index([], name="account_id"))
    return _by_account(joined.group_by("account_id").aggregate(**aggregates))


def manual_columns(ctx: AuditContext) -> tuple[str, ...]:
    """``score_*`` columns of customers that name no dimension (ignored, and reported)."""
    known = {f"{MANUAL_PREFIX}{d}" for d in DIMENSIONS}
    return tuple(
        c for c in ctx.tables["customers"].columns if c.startswith(MANUAL_PREFIX) and c not in known
    )


def payment_facts(ctx: AuditContext) -> pd.DataFrame:
    """Per account: invoice lines due by the as-of date in the window, and those paid in time."""
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    as_of = ibis.literal(ctx.as_of)
    inv = inv.mutate(
        terms=ibis.coalesce(
            inv.due_date.delta(inv.date, unit="day").cast("float64"),
            inv.payment_days.cast("float64"),
        ),
        age=as_of.delta(inv.date, unit="day").cast("float64"),
        taken=inv.paid_date.delta(inv.date, unit="day").cast("float64"),
    )
    due = _in_window(ctx, inv).filter(
        lambda t: (t.deal_type == COMMERCIAL) & (t.amount > 0) & t.terms.notnull()
    )
    due = due.filter(due.age >= due.terms)
    on_time = due.paid_date.notnull() & (due.paid_date <= as_of) & (due.taken <= due.terms)
    return _by_account(
        due.group_by("account_id").aggregate(
            due_lines=due.count(), on_time_lines=on_time.cast("int64").sum()
        )
    )


def project_facts(ctx: AuditContext) -> pd.DataFrame:
    """Per account: projects in the window and their mean count of distinct product lines."""
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    inv = _in_window(ctx, inv).filter(
        lambda t: (t.deal_type == COMMERCIAL) & t.project_id.notnull() & t.product_line.notnull()
    )
    per = inv.group_by("account_id", "project_id").aggregate(lines=inv.product_line.nunique())
    out = per.group_by("account_id").aggregate(projects=per.count(), line_sum=per.lines.sum())
    frame = _by_account(out)
    frame["lines_per_project"] = frame.line_sum.astype(float) / frame.projects.astype(float)
    return frame


def custom_rnd_costs(ctx: AuditContext) -> pd.DataFrame | None:
    """Custom R&D cost tagged to each account in the window; None when none is tagged at all."""
    if not ctx.has("costs"):
        return None
    costs = ctx.tables["costs"]
    anchor = ctx.as_of.year * 12 + ctx.as_of.month
    back = anchor - (costs.period.year().cast("int64") * 12 + costs.period.month().cast("int64"))
    kept = costs.filter(
        back >= 0, back < ctx.window, costs.category == "custom_rnd", costs.customer_id.notnull()
    )
    tagged = kept.join(ctx.membership, "customer_id")
    frame = _by_account(tagged.group_by("account_id").aggregate(custom_rnd=tagged.amount.sum()))
    return frame if len(frame) else None


def feedback_counts(ctx: AuditContext) -> pd.Series | None:
    """Surveys answered + complaint / tech_exchange interactions per account in the window.

    None when neither table exists.
    """
    counts: list[pd.Series] = []
    if ctx.has("surveys"):
        surveys = _in_window(ctx, ctx.tables["surveys"].join(ctx.membership, "customer_id"))
        counts.append(_by_account(surveys.group_by("account_id").aggregate(n=surveys.count())).n)
    if ctx.has("interactions"):
        inter = ctx.tables["interactions"].join(ctx.membership, "customer_id")
        inter = _in_window(ctx, inter.filter(inter.type.isin(FEEDBACK_TYPES)))
        counts.append(_by_account(inter.group_by("account_id").aggregate(n=inter.count())).n)
    if not counts:
        return None
    return pd.concat(counts, axis=1).fillna(0).sum(axis=1).astype(float)


def industry_growth(ctx: AuditContext) -> pd.Series | None:
    """``market_growth`` by industry; None when the table or the column says nothing."""
    if not ctx.has("industries") or "market_growth" not in ctx.tables["industries"].columns:
        return None
    frame = float_frame(ctx.tables["industries"].select("industry", "market_growth"))
    frame = frame[frame.market_growth.notna()]
    if frame.empty:
        return None
    return frame.set_index(frame.industry.astype(str)).market_growth.astype(float)


def days_to_pay(ctx: AuditContext) -> tuple[pd.Series, float]:
    """Amount-weighted days to pay per account in the window (where known), and the company's."""
    facts = ctx.account_months
    window = facts.filter(facts.commercial, facts.back >= 0, facts.back < ctx.window)
    per = _by_account(
        window.group_by("account_id").aggregate(
            days_amount=window.paid_days_amount.sum(), known=window.amount_days_known.sum()
        )
    )
    known = per.known.astype(float)
    days = (per.days_amount.astype(float) / known).where(known > 0)
    # fsum: the same company figure whatever order the engine returns the accounts in.
    total = math.fsum(known[known > 0])
    company = math.fsum(per.days_amount[known > 0].astype(float)) / total if total > 0 else math.nan
    return days, company


def growth_facts(ctx: AuditContext) -> pd.DataFrame:
    """What the growth dimension reads, one row per account with window revenue > 0.

    revenue, contribution, gross_margin (window P&L), prior_revenue, name, industry,
    ownership and market_growth (of the account's industry).
    """
    pnl = account_pnl(ctx).set_index("account_id")
    pnl = pnl[pnl.revenue > 0]
    ids = pnl.index
    facts = pd.DataFrame(index=ids)
    facts["revenue"] = pnl.revenue
    facts["contribution"] = pnl.contribution
    facts["gross_margin"] = pnl.gross_profit / pnl.revenue
    prior = _by_account(ctx.account_revenue(start=ctx.window)).revenue.astype(float)
    facts["prior_revenue"] = prior.reindex(ids).fillna(0.0)
    attrs = ctx.account_frame().set_index("account_id")
    for column in ("name", "industry", "ownership"):
        facts[column] = attrs[column].reindex(ids)
    growth = industry_growth(ctx)
    facts["market_growth"] = (
        facts.industry.map(growth).astype(float) if growth is not None else np.nan
    )
    return facts


def account_facts(ctx: AuditContext, marks: pd.DataFrame) -> pd.DataFrame:
    """Everything the dimensions are scored from, one row per account with window revenue > 0."""
    facts = growth_facts(ctx)
    ids = facts.index
    attrs = ctx.account_frame().set_index("account_id")
    first = pd.to_datetime(attrs.first_date.reindex(ids))
    invoiced = ctx.first_commercial_day.execute()
    invoiced["account_id"] = invoiced.account_id.astype(str)
    first_invoice = pd.to_datetime(invoiced.set_index("account_id").first_day.reindex(ids))
    start = first.fillna(first_invoice)
    facts["tenure_years"] = ((pd.Timestamp(ctx.as_of) - start).dt.days / 365.25).clip(lower=0)
    pay = payment_facts(ctx).reindex(ids)
    due = pay.due_lines.astype(float)
    facts["on_time_rate"] = (pay.on_time_lines.astype(float) / due).where(due > 0)
    projects = project_facts(ctx).reindex(ids)
    facts["lines_per_project"] = projects.lines_per_project
    rnd = custom_rnd_costs(ctx)
    facts["custom_rnd"] = rnd.custom_rnd.reindex(ids).fillna(0.0) if rnd is not None else np.nan
    feedback = feedback_counts(ctx)
    facts["feedback"] = feedback.reindex(ids).fillna(0.0) if feedback is not None else np.nan
    days, _ = days_to_pay(ctx)
    facts["days_to_pay"] = days.reindex(ids)
    return with_marks(facts, marks)


def with_marks(facts: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """``facts`` with the columns of :func:`customer_marks` added.

    Flags become 1 / 0 (NaN when the column is empty throughout); manual
    ``score_<dimension>`` values are clipped to 0–100.
    """
    ids = facts.index
    for column in marks.columns:
        present = marks[column].notna().any()
        facts[column] = marks[column].reindex(ids).fillna(0.0) if present else np.nan
        if column.startswith(MANUAL_PREFIX):
            facts[column] = marks[column].reindex(ids).clip(0.0, 100.0)
    return facts


# --- Dimensions -------------------------------------------------------------------------------


def _flag(facts: pd.DataFrame, key: str) -> pd.Series:
    if key not in facts:
        return pd.Series(np.nan, index=facts.index)
    return 100.0 * facts[key].astype(float)


def growth_dimension(facts: pd.DataFrame) -> pd.Series:
    """⅔ percentile rank of the account's revenue growth + ⅓ its industry's market growth."""
    growth = revenue_growth(facts.revenue, facts.prior_revenue)
    industry = linear(facts.market_growth, INDUSTRY_GROWTH_FLOOR, INDUSTRY_GROWTH_CAP)
    return combine(
        [(percentile_rank(growth), CUSTOMER_GROWTH_WEIGHT), (industry, INDUSTRY_GROWTH_WEIGHT)]
    )


def growth_potential(ctx: AuditContext) -> pd.Series:
    """The growth dimension of every account scored, as :func:`current_scores` gives it.

    Profitability's ABCD classes need only this dimension: it reads the P&L, prior revenue,
    industry growth and a manual ``score_growth`` (which fills accounts the data cannot
    score), not the payment, project and interaction facts of the other nine.
    """

    def compute() -> pd.Series:
        marks = customer_marks(ctx)
        manual = [c for c in marks.columns if c == f"{MANUAL_PREFIX}growth"]
        facts = with_marks(growth_facts(ctx), marks[manual])
        dims, _ = with_manual(growth_dimension(facts).to_frame("growth"), facts)
        return dims.growth

    return ctx.memo("tiering.growth_potential", compute)


def data_dimensions(facts: pd.DataFrame) -> pd.DataFrame:
    """The ten dimensions from the data alone (NaN = not scored)."""
    nan = pd.Series(np.nan, index=facts.index)
    dims = pd.DataFrame(index=facts.index)
    if len(facts) == 0:
        return dims.assign(**{d: nan for d in DIMENSIONS})
    dims["financial"] = combine(
        [(percentile_rank(facts.revenue), 0.5), (percentile_rank(facts.contribution), 0.5)]
    )
    dims["growth"] = growth_dimension(facts)
    dims["strategic"] = _flag(facts, "strategic")
    rank = top_rank(facts.revenue, facts.industry)
    dims["influence"] = combine(
        [(_flag(facts, "lighthouse"), LIGHTHOUSE_WEIGHT), (rank, INDUSTRY_RANK_WEIGHT)]
    )
    tenure = (100.0 * facts.tenure_years / MATURE_YEARS).clip(upper=100.0)
    dims["stability"] = combine([(tenure, 0.5), (100.0 * facts.on_time_rate, 0.5)])
    dims["authority"] = facts.ownership.map(AUTHORITY).astype(float)
    lines = linear(facts.lines_per_project, LINES_FLOOR, LINES_CAP)
    dims["complexity"] = combine([(lines, 0.5), (capped_scale(facts.custom_rnd), 0.5)])
    dims["co_innovation"] = _flag(facts, "co_innovation")
    dims["feedback"] = capped_scale(facts.feedback)
    dims["channel"] = _flag(facts, "channel")
    return dims[list(DIMENSIONS)]


def with_manual(dims: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Apply manual ``score_<dimension>`` values; and the dimensions each account took by hand.

    Judgement dimensions: the manual value overrides; measured ones: it fills NaN only.
    """
    out = dims.copy()
    scored = list(dims.columns)  # every dimension, or the few a caller scores
    taken = pd.DataFrame(False, index=dims.index, columns=scored)
    for d in scored:
        column = f"{MANUAL_PREFIX}{d}"
        if column not in facts:
            continue
        manual = facts[column].astype(float)
        use = manual.notna() if d in JUDGEMENT else manual.notna() & out[d].isna()
        out.loc[use, d] = manual[use]
        taken[d] = use
    flags = taken.to_numpy()
    names = pd.Series([[] for _ in range(len(flags))], index=dims.index, dtype=object)
    for i in np.flatnonzero(flags.any(axis=1)):  # only the accounts scored by hand
        names.iat[i] = [d for d, hand in zip(scored, flags[i], strict=True) if hand]
    return out, names


def scored_accounts(
    ctx: AuditContext, marks: pd.DataFrame, settings: TieringSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(facts, scores): the dimensions, manual_dimensions, score, coverage and tier."""
    facts = account_facts(ctx, marks)
    dims, manual = with_manual(data_dimensions(facts), facts)
    scores = dims.join(key_account_score(dims, settings.weights.model_dump()))
    scores["tier"] = tier_of(scores.score, settings)
    scores["manual_dimensions"] = manual
    return facts, scores


def current_scores(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`scored_accounts` as of the audit's as-of date, once per context.

    The tiering analysis reads it (its tier changes add a second, year-earlier pass);
    profitability's ABCD classes read only :func:`growth_potential`.
    """
    return ctx.memo(
        "tiering.current",
        lambda: scored_accounts(ctx, customer_marks(ctx), ctx.settings.tiering),
    )


# --- Portfolio shape, changes, pitfalls -------------------------------------------------------


def portfolio_shape(share: pd.Series, growth: pd.Series, tier: pd.Series) -> pd.DataFrame:
    """The seed's recommended shape against the actual one, one row per layer."""
    s = share.astype(float)
    low, high = ANCHOR_BAND
    anchors = s[s >= low]
    largest = float(s.max()) if len(s) else math.nan
    if len(anchors) == 0:
        anchor_status = "absent"
    elif largest > high:
        anchor_status = "too_large"
    elif len(anchors) > 1:
        anchor_status = "several"
    else:
        anchor_status = "fits"
    core = s[(s >= CORE_BAND[0]) & (s <= CORE_BAND[1])]
    core_status = (
        "too_few"
        if len(core) < CORE_COUNT[0]
        else "too_many"
        if len(core) > CORE_COUNT[1]
        else "fits"
    )
    pool = s[(s < CORE_BAND[0]) & (growth >= GROWTH_POOL_SCORE) & tier.isin(KEY_TIERS)]
    rows = [
        ("anchor", 1, 1, low, high, len(anchors), float(anchors.sum()), largest, anchor_status),
        (
            "core",
            CORE_COUNT[0],
            CORE_COUNT[1],
            CORE_BAND[0],
            CORE_BAND[1],
            len(core),
            float(core.sum()),
            float(core.max()) if len(core) else math.nan,
            core_status,
        ),
        (
            "growth_pool",
            GROWTH_POOL_MIN,
            None,
            None,
            CORE_BAND[0],
            len(pool),
            float(pool.sum()),
            float(pool.max()) if len(pool) else math.nan,
            "fits" if len(pool) >= GROWTH_POOL_MIN else "too_few",
        ),
    ]
    columns = [
        "layer",
        "recommended_min",
        "recommended_max",
        "share_low",
        "share_high",
        "accounts",
        "revenue_share",
        "largest_share",
        "status",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["recommended_max"] = frame.recommended_max.astype("Int64").astype(object)
    frame["recommended_max"] = frame.recommended_max.where(frame.recommended_max.notna(), None)
    return frame


def tier_change(previous: object, current: object) -> str:
    """Up / down / same, or new when the account was not scored a year ago."""
    if not isinstance(previous, str):
        return "new"
    step = TIERS.index(previous) - TIERS.index(str(current))
    return "up" if step > 0 else "down" if step < 0 else "same"


def transitions(previous: pd.Series, current: pd.Series) -> pd.DataFrame:
    """Accounts per (previous tier, tier); ``none`` for an account not scored in that year."""
    frame = pd.DataFrame(
        {
            "previous_tier": previous.where(previous.notna(), "none"),
            "tier": current.where(current.notna(), "none"),
        }
    )
    counts = frame.groupby(["previous_tier", "tier"]).size().rename("accounts").reset_index()
    order = {t: i for i, t in enumerate((*TIERS, "none"))}
    counts = counts.iloc[
        np.lexsort((counts.tier.map(order).to_numpy(), counts.previous_tier.map(order).to_numpy()))
    ]
    counts["accounts"] = counts.accounts.astype("int64")
    return counts.reset_index(drop=True)


def pitfall_table(
    table: pd.DataFrame,
    company_gross_margin: float,
    company_days: float,
    key_person: set[str] | None,
    settings: TieringSettings,
) -> pd.DataFrame:
    """One row per account and pitfall: account_id, name, tier, pitfall, value, reference.

    In ``table``'s order, the pitfalls of an account in the order of docs/metrics.md.
    """
    key = table.tier.isin(KEY_TIERS)
    people = key & table.account_id.isin(key_person or set())
    price = key & (table.gross_margin < company_gross_margin - settings.price_giveaway_points)
    slow = key & (table.days_to_pay > settings.payment_giveaway_ratio * company_days)
    checks = (
        (
            "over_dependence",
            table.share > settings.over_dependence_share,
            table.share,
            settings.over_dependence_share,
        ),
        ("key_person", people, pd.Series(np.nan, index=table.index), math.nan),
        ("price_giveaway", price, table.gross_margin, company_gross_margin),
        ("payment_giveaway", slow, table.days_to_pay, company_days),
    )
    parts = [
        pd.DataFrame(
            {
                "position": np.flatnonzero(hit.to_numpy()),
                "order": k,
                "pitfall": code,
                "value": value[hit].to_numpy(dtype=float),
                "reference": reference,
            }
        )
        for k, (code, hit, value, reference) in enumerate(checks)
    ]
    found = pd.concat(parts, ignore_index=True).sort_values(["position", "order"], kind="mergesort")
    rows = table.iloc[found.position.to_numpy()]
    return pd.DataFrame(
        {
            "account_id": rows.account_id.to_numpy(),
            "name": rows.name.to_numpy(),
            "tier": rows.tier.to_numpy(),
            "pitfall": found.pitfall.to_numpy(),
            "value": found.value.to_numpy(),
            "reference": found.reference.to_numpy(dtype=float),
        }
    )


# --- The analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TieringResult(Result):
    """§9: dimension scores, key-account score and tier per account; shape, changes, pitfalls.

    ``accounts``: ACCOUNT_COLUMNS, best score first. ``tiers``: accounts, revenue, share and
    mean score per tier. ``portfolio_shape``: the seed's layers, recommended against actual.
    ``tier_changes``: the accounts whose tier changed (or that are new to a key tier).
    ``transitions``: accounts per (previous tier, tier). ``pitfalls``: account × pitfall.
    """

    weights: dict[str, float]
    thresholds: dict[str, float]
    dimensions_scored: tuple[str, ...]  # scored for at least one account
    dimensions_not_scored: tuple[str, ...]  # scored for no account
    ignored_manual_columns: tuple[str, ...]
    accounts_scored: int
    strategic_accounts: int
    core_accounts: int
    developing_accounts: int
    general_accounts: int
    key_account_revenue_share: float | None  # strategic and core tiers
    company_gross_margin: float | None
    company_days_to_pay: float | None
    previous_as_of: date
    promoted: int
    demoted: int
    accounts: pd.DataFrame
    tiers: pd.DataFrame
    portfolio_shape: pd.DataFrame
    tier_changes: pd.DataFrame
    transitions: pd.DataFrame
    pitfalls: pd.DataFrame


def previous_context(ctx: AuditContext) -> AuditContext:
    """The same data and settings at the as-of date minus one window."""
    return dataclasses.replace(ctx, as_of=shift_months(ctx.as_of, ctx.window), _cache={}, _memo={})


def run(ctx: AuditContext) -> TieringResult:
    """Score the ten dimensions of every active account, tier them, compare with a year ago."""
    settings = ctx.settings.tiering
    marks = customer_marks(ctx)
    facts, scores = current_scores(ctx)
    before = previous_context(ctx)
    _, prior = scored_accounts(before, marks, settings)

    revenue = facts.revenue.astype(float)
    total = float(revenue.sum())
    table = pd.DataFrame(index=facts.index)
    table["account_id"] = facts.index.astype(str)
    table["name"] = facts.name
    table["industry"] = facts.industry
    table["revenue"] = revenue
    table["share"] = revenue / total if total > 0 else np.nan
    table = table.join(scores)
    table["previous_score"] = prior.score.reindex(table.index)
    table["previous_tier"] = prior.tier.reindex(table.index)
    table["tier_change"] = [
        tier_change(p, c) for p, c in zip(table.previous_tier, table.tier, strict=True)
    ]
    table["gross_margin"] = facts.gross_margin
    table["days_to_pay"] = facts.days_to_pay
    order = np.lexsort(
        (
            string_rank(table.account_id),
            -table.revenue.to_numpy(),
            -np.nan_to_num(table.score.to_numpy(dtype=float), nan=-1.0),
        )
    )
    table = table.iloc[order].reset_index(drop=True)

    pnl = account_pnl(ctx)
    company_revenue = float(pnl.revenue.sum())
    company_gm = (
        float(pnl.gross_profit.sum()) / company_revenue if company_revenue > 0 else math.nan
    )
    _, company_days = days_to_pay(ctx)
    relationships = ctx.result("relationships")
    key_person = (
        set(relationships.accounts.account_id[relationships.accounts.key_person_risk].astype(str))
        if relationships is not None
        else None
    )
    pitfalls = pitfall_table(table, company_gm, company_days, key_person, settings)
    listed = pitfalls.groupby("account_id", sort=False).pitfall.agg(list)
    table["pitfalls"] = [listed.get(a, []) for a in table.account_id]
    shape = portfolio_shape(table.share, table.growth, table.tier)
    accounts = table[list(ACCOUNT_COLUMNS)]

    lost = prior.index.difference(scores.index)
    previous_all = pd.concat([table.set_index("account_id").previous_tier, prior.tier[lost]])
    current_all = pd.concat([table.set_index("account_id").tier, pd.Series(None, lost, object)])
    moves = transitions(previous_all, current_all)
    changed = accounts[
        (accounts.tier_change.isin(("up", "down")))
        | ((accounts.tier_change == "new") & accounts.tier.isin(KEY_TIERS))
    ]
    tier_changes = changed[
        ["account_id", "name", "previous_tier", "tier", "previous_score", "score", "tier_change"]
    ].reset_index(drop=True)

    tiers = tier_summary(accounts, total)
    counts = dict(zip(tiers.tier, tiers.accounts, strict=True))
    key_revenue = float(accounts.revenue[accounts.tier.isin(("strategic", "core"))].sum())
    scored_any = tuple(d for d in DIMENSIONS if accounts[d].notna().any())
    result = TieringResult(
        findings=(),
        weights={d: float(getattr(settings.weights, d)) for d in DIMENSIONS},
        thresholds={t: float(getattr(settings, t)) for t in TIERS[:3]},
        dimensions_scored=scored_any,
        dimensions_not_scored=tuple(d for d in DIMENSIONS if d not in scored_any),
        ignored_manual_columns=manual_columns(ctx),
        accounts_scored=int(accounts.score.notna().sum()),
        strategic_accounts=int(counts["strategic"]),
        core_accounts=int(counts["core"]),
        developing_accounts=int(counts["developing"]),
        general_accounts=int(counts["general"]),
        key_account_revenue_share=key_revenue / total if total > 0 else None,
        company_gross_margin=None if math.isnan(company_gm) else company_gm,
        company_days_to_pay=None if math.isnan(company_days) else company_days,
        previous_as_of=before.as_of,
        promoted=int((accounts.tier_change == "up").sum()),
        demoted=int((accounts.tier_change == "down").sum()),
        accounts=accounts.reset_index(drop=True),
        tiers=tiers,
        portfolio_shape=shape,
        tier_changes=tier_changes,
        transitions=moves,
        pitfalls=pitfalls,
    )
    return _with_findings(result, settings)


def tier_summary(accounts: pd.DataFrame, total: float) -> pd.DataFrame:
    """Per tier (all four, in order): accounts, revenue, revenue share, mean score."""
    grouped = accounts.groupby("tier").agg(
        accounts=("account_id", "size"), revenue=("revenue", "sum"), mean_score=("score", "mean")
    )
    frame = grouped.reindex(list(TIERS)).rename_axis("tier").reset_index()
    frame["accounts"] = frame.accounts.fillna(0).astype("int64")
    frame["revenue"] = frame.revenue.fillna(0.0).astype(float)
    frame["revenue_share"] = frame.revenue / total if total > 0 else np.nan
    return frame[["tier", "accounts", "revenue", "revenue_share", "mean_score"]]


def _with_findings(result: TieringResult, settings: TieringSettings) -> TieringResult:
    """The result with its findings (docs/metrics.md §9 lists each code)."""
    findings = [
        Finding(
            "tiering.tiers",
            "info",
            {
                "accounts": result.accounts_scored,
                "strategic": result.strategic_accounts,
                "core": result.core_accounts,
                "developing": result.developing_accounts,
                "key_revenue_share": result.key_account_revenue_share,
            },
            tuple(result.accounts.account_id[result.accounts.tier == "strategic"]),
        )
    ]
    if result.dimensions_not_scored:
        findings.append(
            Finding(
                "tiering.not_scored",
                "info",
                {
                    "count": len(result.dimensions_not_scored),
                    "dimensions": ",".join(result.dimensions_not_scored),
                },
            )
        )
    shape = result.portfolio_shape.set_index("layer")
    if (shape.status != "fits").any():
        findings.append(
            Finding(
                "tiering.portfolio_shape",
                "warning",
                {
                    "anchor_status": str(shape.status["anchor"]),
                    "largest_share": float(shape.largest_share["anchor"]),
                    "core_status": str(shape.status["core"]),
                    "core_accounts": int(shape.accounts["core"]),
                    "growth_status": str(shape.status["growth_pool"]),
                    "growth_accounts": int(shape.accounts["growth_pool"]),
                },
            )
        )
    pit = result.pitfalls
    # Each pitfall's finding (tiering.<pitfall>): its severity and the figures beside the count.
    pitfall_values: dict[str, tuple[Severity, Callable[[pd.DataFrame], dict[str, Any]]]] = {
        "tiering.over_dependence": (
            "alert",
            lambda rows: {
                "largest_share": float(rows.value.max()),
                "threshold": settings.over_dependence_share,
            },
        ),
        "tiering.key_person": ("warning", lambda rows: {}),
        "tiering.price_giveaway": (
            "warning",
            lambda rows: {
                "company_gross_margin": result.company_gross_margin,
                "points": settings.price_giveaway_points,
                "lowest_margin": float(rows.value.min()),
            },
        ),
        "tiering.payment_giveaway": (
            "warning",
            lambda rows: {
                "company_days": result.company_days_to_pay,
                "ratio": settings.payment_giveaway_ratio,
                "longest_days": float(rows.value.max()),
            },
        ),
    }
    for code, (severity, values) in pitfall_values.items():
        rows = pit[pit.pitfall == code.removeprefix("tiering.")]
        if len(rows):
            findings.append(
                Finding(
                    code,
                    severity,
                    {"accounts": len(rows), **values(rows)},
                    tuple(rows.account_id),
                )
            )
    changes = result.tier_changes
    dropped = changes[
        (changes.tier_change == "down") & changes.previous_tier.isin(("strategic", "core"))
    ]
    if result.promoted or result.demoted:
        findings.append(
            Finding(
                "tiering.tier_changes",
                "warning" if len(dropped) else "info",
                {
                    "promoted": result.promoted,
                    "demoted": result.demoted,
                    "dropped_key": len(dropped),
                },
                tuple(dropped.account_id),
            )
        )
    return dataclasses.replace(result, findings=tuple(findings))
