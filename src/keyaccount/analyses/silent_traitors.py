"""Silent traitors: satisfied customers who are shrinking (docs/metrics.md §7).

An account's **latest survey** is its members' latest answer dated up to the as-of date. It is
**satisfied** when a ``csat5`` score ≥ ``csat_satisfied`` (4) or an ``nps10`` score ≥
``nps_satisfied`` (9); when several answers share that date the least satisfied one counts
(an unsatisfied answer first, then the lowest score as a share of its scale's maximum, then
the smallest customer id).

Against the prior TTM (``R0``, months 12–23) the TTM (``R1``, months 0–11) is **shrinking**
when any of these signals fires:

- ``revenue``: ``R1 / R0 − 1 ≤ −revenue_drop`` (15%);
- ``orders``: commercial orders (distinct invoices whose commercial lines sum to a positive
  amount, counted in the window of their lines' dates) ``O1 / O0 − 1 ≤ −orders_drop`` (30%);
- ``product_line``: a product line with ≥ ``product_line_share`` (10%) of ``R0`` has no
  revenue (≤ 0) in the TTM;
- ``wallet`` (only with the ``wallet`` table): wallet share down ≥ ``wallet_share_drop``
  (5 points), ``R1 / W(as-of year) − R0 / W(as-of year − 1)``, where ``W(y)`` is the summed
  ``category_spend`` of the account's members for year ``y`` — a wallet year estimates the
  twelve months ending on the as-of day of that year, so the TTM goes with the as-of year.

Every signal needs ``R0 > 0`` (the account was active in the prior TTM). A **silent traitor**
is satisfied and shrinking. ``satisfied_shrinking_share`` (the seed's headline) = silent
traitors / satisfied accounts active in the prior TTM. The decoys the test must not catch are
counted too: satisfied and stable, unsatisfied (surveyed, not satisfied) and shrinking.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame

SIGNALS = ("revenue", "orders", "product_line", "wallet")
SCALE_MAX = {"csat5": 5.0, "nps10": 10.0}
NPS = "nps10"
TOLERANCE = 1e-12  # a change exactly at its threshold fires despite float rounding

SILENT_TRAITOR = "silent_traitor"
SATISFIED_STABLE = "satisfied_stable"
UNSATISFIED_SHRINKING = "unsatisfied_shrinking"
UNSATISFIED_STABLE = "unsatisfied_stable"


def latest_surveys(ctx: AuditContext) -> pd.DataFrame:
    """Each account's answers on its latest survey date up to the as-of date.

    Columns ``account_id``, ``customer_id``, ``survey_date``, ``score``, ``scale``.
    """
    surveys = ctx.tables["surveys"].join(ctx.membership, "customer_id")
    dated = surveys.filter(surveys.date <= ibis.literal(ctx.as_of))
    last = dated.group_by("account_id").aggregate(last_date=dated.date.max())
    latest = dated.join(last, "account_id").filter(lambda t: t.date == t.last_date)
    frame = latest.select(
        "account_id", "customer_id", survey_date="date", score="score", scale="scale"
    ).execute()
    frame["account_id"] = frame.account_id.astype(str)
    frame["customer_id"] = frame.customer_id.astype(str)
    frame["survey_date"] = pd.to_datetime(frame.survey_date).dt.date
    frame["score"] = frame.score.astype("float64")
    frame["scale"] = frame.scale.fillna("csat5").astype(str)
    return frame


def is_satisfied(score: pd.Series, scale: pd.Series, csat: float, nps: float) -> pd.Series:
    """``score ≥ nps`` on the NPS scale, ``score ≥ csat`` otherwise (CSAT of 5)."""
    return pd.Series(np.where(scale == NPS, score >= nps, score >= csat), index=score.index)


def account_satisfaction(answers: pd.DataFrame, csat: float, nps: float) -> pd.DataFrame:
    """One answer per account: the least satisfied of its latest date, and ``satisfied``.

    ``answers`` as :func:`latest_surveys`. An unsatisfied answer comes first, then the lowest
    score as a share of its scale, then the smallest customer id: the account is satisfied
    only when every answer of its latest date is.
    """
    if answers.empty:
        return pd.DataFrame(
            columns=["account_id", "score", "scale", "survey_date", "satisfied"]
        ).astype({"satisfied": bool})
    ranked = answers.assign(
        satisfied=is_satisfied(answers.score, answers.scale, csat, nps).astype(bool),
        relative=answers.score / answers.scale.map(SCALE_MAX).fillna(SCALE_MAX["csat5"]),
    ).sort_values(["account_id", "satisfied", "relative", "customer_id"], kind="mergesort")
    picked = ranked[~ranked.account_id.duplicated()]
    return picked[["account_id", "score", "scale", "survey_date", "satisfied"]].reset_index(
        drop=True
    )


def _two_windows(ctx: AuditContext) -> ibis.Table:
    """Commercial invoice lines of the TTM and prior TTM with ``account_id`` and ``period``.

    ``period`` is 0 for the TTM and 1 for the prior TTM.
    """
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    inv = inv.mutate(back=months_back(inv.date, ctx.as_of))
    lines = inv.filter(inv.deal_type == COMMERCIAL, inv.back >= 0, inv.back < 2 * ctx.window)
    return lines.mutate(period=(lines.back >= ctx.window).cast("int8"))


def window_revenue(ctx: AuditContext) -> pd.DataFrame:
    """``account_id``, ``revenue_prior`` (R0) and ``revenue`` (R1), floats, zero when none."""
    prior = float_frame(ctx.account_revenue(start=ctx.window)).set_index("account_id").revenue
    ttm = float_frame(ctx.account_revenue()).set_index("account_id").revenue
    frame = pd.DataFrame({"revenue_prior": prior, "revenue": ttm}).fillna(0.0)
    frame.index = frame.index.astype(str)
    return frame.rename_axis("account_id").reset_index()


def window_orders(ctx: AuditContext) -> pd.DataFrame:
    """``account_id``, ``orders_prior`` (O0) and ``orders`` (O1): positive commercial invoices."""
    lines = _two_windows(ctx)
    invoices = lines.group_by("account_id", "invoice_id", "period").aggregate(
        amount=lines.amount.sum()
    )
    positive = invoices.filter(invoices.amount > 0)
    counts = positive.group_by("account_id").aggregate(
        orders_prior=(positive.period == 1).cast("int64").sum(),
        orders=(positive.period == 0).cast("int64").sum(),
    )
    frame = counts.execute()
    frame["account_id"] = frame.account_id.astype(str)
    return frame.astype({"orders_prior": "int64", "orders": "int64"})


def dropped_lines(ctx: AuditContext, share: float) -> pd.DataFrame:
    """Product lines with ≥ ``share`` of the account's R0 and no revenue in the TTM.

    ``account_id``, ``product_line``, ``prior_share`` (its share of R0), one row per line.
    """
    lines = _two_windows(ctx)
    by_line = lines.filter(lines.product_line.notnull())
    per_line = by_line.group_by("account_id", "product_line").aggregate(
        line_prior=by_line.amount.sum(where=by_line.period == 1).cast("float64"),
        line_ttm=by_line.amount.sum(where=by_line.period == 0).cast("float64"),
    )
    totals = lines.group_by("account_id").aggregate(
        total_prior=lines.amount.sum(where=lines.period == 1).cast("float64")
    )
    joined = per_line.join(totals, "account_id")
    prior_share = joined.line_prior / joined.total_prior
    dropped = joined.filter(
        joined.total_prior > 0,
        joined.line_prior.notnull(),
        prior_share >= share - TOLERANCE,
        joined.line_ttm.fill_null(0) <= 0,
    ).select("account_id", "product_line", prior_share=prior_share)
    frame = dropped.execute()
    frame["account_id"] = frame.account_id.astype(str)
    return frame


def wallet_shares(ctx: AuditContext, revenue: pd.DataFrame) -> pd.DataFrame:
    """``account_id``, ``wallet_share_prior`` (R0 / W(y − 1)), ``wallet_share`` (R1 / W(y)).

    ``y`` is the as-of year; a share is NaN without a positive wallet for its year.
    """
    wallet = ctx.tables["wallet"].join(ctx.membership, "customer_id")
    year = ctx.as_of.year
    both = wallet.filter(wallet.year.isin([year, year - 1]))
    sums = both.group_by("account_id").aggregate(
        wallet_prior=both.category_spend.sum(where=both.year == year - 1),
        wallet=both.category_spend.sum(where=both.year == year),
    )
    frame = float_frame(sums)
    frame["account_id"] = frame.account_id.astype(str)
    merged = revenue.merge(frame, on="account_id", how="inner")
    merged["wallet_share_prior"] = merged.revenue_prior / merged.wallet_prior.where(
        merged.wallet_prior > 0
    )
    merged["wallet_share"] = merged.revenue / merged.wallet.where(merged.wallet > 0)
    return merged[["account_id", "wallet_share_prior", "wallet_share"]]


def change(now: pd.Series, before: pd.Series) -> pd.Series:
    """``now / before − 1``, NaN where ``before`` is not positive."""
    return now / before.where(before > 0) - 1


def shrink_signals(facts: pd.DataFrame, drops: dict[str, float]) -> pd.DataFrame:
    """The four signals of each account from its facts (see the module docstring).

    ``facts``: ``revenue_prior``, ``revenue``, ``orders_prior``, ``orders``, ``dropped_share``
    (summed prior share of its dropped lines, 0 when none), ``wallet_share_prior``,
    ``wallet_share`` (NaN without wallet). ``drops``: ``revenue``, ``orders``,
    ``wallet_share`` thresholds. Adds ``revenue_change``, ``orders_change``,
    ``wallet_share_change``, one boolean ``signal_<name>`` column each, ``signals`` (the names
    that fired) and ``shrinking``.
    """
    out = facts.copy()
    out["revenue_change"] = change(out.revenue, out.revenue_prior)
    out["orders_change"] = change(out.orders.astype("float64"), out.orders_prior.astype("float64"))
    out["wallet_share_change"] = out.wallet_share - out.wallet_share_prior
    active = out.revenue_prior > 0
    out["signal_revenue"] = active & (out.revenue_change <= -drops["revenue"] + TOLERANCE)
    out["signal_orders"] = active & (out.orders_change <= -drops["orders"] + TOLERANCE)
    out["signal_product_line"] = active & (out.dropped_share > 0)
    out["signal_wallet"] = active & (out.wallet_share_change <= -drops["wallet_share"] + TOLERANCE)
    fired = out[[f"signal_{s}" for s in SIGNALS]].to_numpy()
    out["signals"] = [[s for s, on in zip(SIGNALS, row, strict=True) if on] for row in fired]
    out["shrinking"] = fired.any(axis=1)
    return out


def quadrant(satisfied: pd.Series, shrinking: pd.Series) -> pd.Series:
    """silent_traitor, satisfied_stable, unsatisfied_shrinking or unsatisfied_stable."""
    return pd.Series(
        np.select(
            [satisfied & shrinking, satisfied, shrinking],
            [SILENT_TRAITOR, SATISFIED_STABLE, UNSATISFIED_SHRINKING],
            UNSATISFIED_STABLE,
        ),
        index=satisfied.index,
    )


ACCOUNT_COLUMNS = [
    "account_id",
    "name",
    "group",
    "score",
    "scale",
    "survey_date",
    "satisfied",
    "signals",
    "revenue_prior",
    "revenue",
    "revenue_change",
    "orders_prior",
    "orders",
    "orders_change",
    "dropped_lines",
    "dropped_share",
    "wallet_share_prior",
    "wallet_share",
    "wallet_share_change",
    *(f"signal_{s}" for s in SIGNALS),
]


def surveyed_accounts(ctx: AuditContext) -> pd.DataFrame:
    """Every account with a survey up to the as-of date and revenue in the prior TTM.

    One row each with its latest answer, facts, signals and quadrant (``group``), largest
    prior revenue first (ties by account id).
    """
    settings = ctx.settings.silent_traitors
    answers = account_satisfaction(_latest(ctx), settings.csat_satisfied, settings.nps_satisfied)
    facts = answers.merge(_revenue(ctx), on="account_id", how="inner")
    facts = facts[facts.revenue_prior > 0]
    facts = facts.merge(window_orders(ctx), on="account_id", how="left")
    facts[["orders_prior", "orders"]] = facts[["orders_prior", "orders"]].fillna(0).astype("int64")
    facts = _with_dropped_lines(facts, dropped_lines(ctx, settings.product_line_share))
    if ctx.has("wallet"):
        shares = wallet_shares(ctx, facts[["account_id", "revenue_prior", "revenue"]])
        facts = facts.merge(shares, on="account_id", how="left")
    else:
        facts["wallet_share_prior"] = np.nan
        facts["wallet_share"] = np.nan
    drops = {
        "revenue": settings.revenue_drop,
        "orders": settings.orders_drop,
        "wallet_share": settings.wallet_share_drop,
    }
    table = shrink_signals(facts, drops)
    table["group"] = quadrant(table.satisfied, table.shrinking)
    table["name"] = table.account_id.map(ctx.account_frame().set_index("account_id").name)
    table["dropped_share"] = table.dropped_share.where(table.dropped_share > 0)
    order = np.lexsort((string_rank(table.account_id), -table.revenue_prior.to_numpy()))
    return table.iloc[order][ACCOUNT_COLUMNS].reset_index(drop=True)


def _with_dropped_lines(facts: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    """Attach ``dropped_lines`` (sorted names) and ``dropped_share`` (their summed R0 share)."""
    per_account = {
        account: group.sort_values("product_line", kind="mergesort")
        for account, group in dropped.groupby("account_id")
    }
    facts = facts.copy()
    facts["dropped_lines"] = [
        list(per_account[a].product_line) if a in per_account else [] for a in facts.account_id
    ]
    facts["dropped_share"] = [
        float(per_account[a].prior_share.sum()) if a in per_account else 0.0
        for a in facts.account_id
    ]
    return facts


@dataclass(frozen=True)
class SilentTraitorResult(Result):
    """Figures of §7's silent-traitor test; ``traitors`` holds the evidence per account."""

    satisfied_shrinking_share: float | None  # the headline: traitors / satisfied_accounts
    silent_traitor_count: int
    satisfied_accounts: int  # satisfied and active in the prior TTM
    satisfied_stable: int
    unsatisfied_shrinking: int
    unsatisfied_stable: int
    surveyed_accounts: int  # accounts with a survey up to the as-of date, active in prior TTM
    surveyed_active_accounts: int  # accounts active in the TTM with a survey up to the as-of
    survey_coverage: float | None  # surveyed_active_accounts / accounts active in the TTM
    wallet_used: bool
    by_signal: dict[str, int]  # how many silent traitors each signal caught
    traitor_revenue_prior: float
    traitor_revenue: float
    traitors: pd.DataFrame
    accounts: pd.DataFrame


def survey_coverage(ctx: AuditContext) -> tuple[int, int]:
    """Accounts active in the TTM with a survey dated up to the as-of date, and all of them."""
    revenue = _revenue(ctx)
    active = set(revenue.account_id[revenue.revenue > 0])
    return len(active & set(_latest(ctx).account_id)), len(active)


def _latest(ctx: AuditContext) -> pd.DataFrame:
    return ctx.memo("silent_traitors.latest_surveys", lambda: latest_surveys(ctx))


def _revenue(ctx: AuditContext) -> pd.DataFrame:
    return ctx.memo("silent_traitors.window_revenue", lambda: window_revenue(ctx))


def run(ctx: AuditContext) -> SilentTraitorResult:
    """Satisfied accounts that are shrinking, with the signals that fired."""
    table = surveyed_accounts(ctx)
    counts = table.group.value_counts()
    traitors = table[table.group == SILENT_TRAITOR].reset_index(drop=True)
    satisfied = int(table.satisfied.sum())
    covered, active = survey_coverage(ctx)
    result = SilentTraitorResult(
        findings=(),
        satisfied_shrinking_share=len(traitors) / satisfied if satisfied else None,
        silent_traitor_count=len(traitors),
        satisfied_accounts=satisfied,
        satisfied_stable=int(counts.get(SATISFIED_STABLE, 0)),
        unsatisfied_shrinking=int(counts.get(UNSATISFIED_SHRINKING, 0)),
        unsatisfied_stable=int(counts.get(UNSATISFIED_STABLE, 0)),
        surveyed_accounts=len(table),
        surveyed_active_accounts=covered,
        survey_coverage=covered / active if active else None,
        wallet_used=ctx.has("wallet"),
        by_signal={s: int(traitors[f"signal_{s}"].sum()) for s in SIGNALS},
        traitor_revenue_prior=float(traitors.revenue_prior.sum()),
        traitor_revenue=float(traitors.revenue.sum()),
        traitors=traitors,
        accounts=table,
    )
    return dataclasses.replace(result, findings=_findings(result))


def _findings(result: SilentTraitorResult) -> tuple[Finding, ...]:
    counts = {
        "satisfied_accounts": result.satisfied_accounts,
        "satisfied_stable": result.satisfied_stable,
        "unsatisfied_shrinking": result.unsatisfied_shrinking,
    }
    findings = []
    if result.silent_traitor_count:
        findings.append(
            Finding(
                "silent_traitors.found",
                "alert",
                {
                    "traitors": result.silent_traitor_count,
                    "share": result.satisfied_shrinking_share,
                    **counts,
                    "revenue_prior": result.traitor_revenue_prior,
                    "revenue": result.traitor_revenue,
                    **{f"by_{s}": n for s, n in result.by_signal.items()},
                },
                tuple(result.traitors.account_id),
            )
        )
    else:
        findings.append(Finding("silent_traitors.none_found", "info", counts))
    if result.survey_coverage is not None:
        findings.append(
            Finding(
                "silent_traitors.survey_coverage",
                "info",
                {"coverage": result.survey_coverage, "surveyed": result.surveyed_active_accounts},
            )
        )
    return tuple(findings)
