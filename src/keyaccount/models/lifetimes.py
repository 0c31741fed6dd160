"""Customer lifetimes and their Kaplan–Meier survival curve (docs/metrics.md §5; LTV in §4).

Time is counted in the calendar months of the context (month index back from the as-of date,
docs/metrics.md conventions). A month is *active* when the account's commercial revenue in it
is positive.

- A lifetime starts with the account's first active month.
- The account is **lost** after ``churn_gap`` months in a row without commercial revenue
  (``retention.churn_gap_months``, default 12): its lifetime ends with the last active month
  before the first such gap — ``event = True``. Only the first lifetime counts; a later return
  does not reopen it.
- An account with no such gap up to the as-of date is still active and **censored** at the
  as-of month — ``event = False``.
- ``duration`` = months from the start month to the end month, both included (an account that
  bought in one month only and was lost lived 1 month).
- **Older accounts** (left truncation): when ``customers.first_date`` precedes the first month
  of commercial data, the account had lived before the data begin. Its lifetime then starts at
  ``first_date``'s month and ``entry`` = the months it had lived before the data's first month;
  the Kaplan–Meier fit counts it at risk only after ``entry`` (delayed entry). Otherwise
  ``entry`` = 0.

:func:`survival_curve` is the product-limit estimate ``S(t) = Π_{t_i ≤ t} (1 − d_i / n_i)``
(lifelines' ``KaplanMeierFitter``) read at whole years; :func:`lifetime_survival` fits it to
a lifetimes table with its delayed entries — leaving ``entry`` out would count the older
accounts' pre-data years as observed survival and bias S(t) upwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from keyaccount.analyses.context import AuditContext

LIFETIME_COLUMNS = ("account_id", "start_back", "end_back", "duration", "event", "entry")


def active_months(ctx: AuditContext) -> ibis.Table:
    """Months with positive commercial revenue per account: ``account_id``, ``back``."""
    facts = ctx.account_months.filter(lambda t: t.commercial)
    months = facts.group_by("account_id", "back").aggregate(revenue=facts.revenue.sum())
    return months.filter(months.revenue > 0).select("account_id", "back")


def spells(active: ibis.Table, churn_gap: int) -> ibis.Table:
    """Each account's first lifetime in the engine, from its active months.

    ``active`` holds ``account_id`` and ``back`` (one row per active month). Returns
    ``account_id``, ``first_back`` (its first active month) and ``lost_back`` (the last active
    month before its first gap of ``churn_gap`` silent months; null while still active). The
    gap after the last active month runs to the as-of month: ``back`` silent months.
    """
    in_time = ibis.window(group_by="account_id", order_by=ibis.desc("back"))
    following = active.back.lead().over(in_time)
    silent = ibis.ifelse(following.isnull(), active.back, active.back - following - 1)
    marked = active.mutate(lost_here=silent >= churn_gap)
    return marked.group_by("account_id").aggregate(
        first_back=marked.back.max(),
        lost_back=marked.back.max(where=marked.lost_here),
    )


DENSE_CELLS = 50_000_000  # above this many account × month cells, sort instead of counting


def active_cells(
    code: np.ndarray, back: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The (account code, month index) cells whose revenue sums to more than 0.

    ``code``, ``back`` and ``units`` hold one row per account-month row of the facts (a month
    may come in two rows around the as-of day). Returns (code, back) arrays ordered by code,
    then latest month first — the order :func:`spells_from_months` works in.

    Each cell gets the integer key ``code · span + (span − 1 − back)``, whose order is that
    order. The rows are summed per key into a dense array when the grid of accounts × months
    is small enough (no sort at all), else sorted by key and summed per run.
    """
    code, back = np.asarray(code, dtype="int64"), np.asarray(back, dtype="int64")
    if len(code) == 0:
        return code, back
    span = int(back.max()) + 1
    key = code * span + (span - 1 - back)
    cells = (int(code.max()) + 1) * span
    if cells <= DENSE_CELLS:
        # Exact for the sign: units are whole numbers well inside float64's 2^53.
        total = np.bincount(key, weights=np.asarray(units, dtype="float64"), minlength=cells)
        positive = np.flatnonzero(total > 0)
    else:
        order = np.argsort(key)
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        total = np.add.reduceat(np.asarray(units)[order], starts)
        positive = key[starts][total > 0]
    return positive // span, span - 1 - positive % span


def spells_from_months(
    account: np.ndarray, back: np.ndarray, churn_gap: int, ordered: bool = False
) -> pd.DataFrame:
    """:func:`spells` on local arrays: one (account, back) pair per active month.

    Returns the same columns, one row per account in sorted account order (``lost_back`` a
    float, NaN while active). ``ordered``: the pairs already come by account, then latest
    month first (as :func:`active_cells` returns them).
    """
    account, back = np.asarray(account), np.asarray(back, dtype="int64")
    if ordered:
        who, when = account, back
    else:
        order = np.lexsort((-back, account))  # by account, then latest month first
        who, when = account[order], back[order]
    if len(who) == 0:
        return pd.DataFrame({"account_id": who, "first_back": when, "lost_back": when * 1.0})
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    same_next = np.r_[who[1:] == who[:-1], False]
    following = np.r_[when[1:], 0]
    silent = np.where(same_next, when - following - 1, when)
    lost = np.where(silent >= churn_gap, when.astype("float64"), np.nan)
    return pd.DataFrame(
        {
            "account_id": who[starts],
            "first_back": when[starts],
            "lost_back": np.fmax.reduceat(lost, starts),
        }
    )


def months_back_of(day: date, as_of: date) -> int:
    """Month index of ``day`` back from ``as_of`` (0 for (as_of − 1 month, as_of])."""
    anchor = as_of.year * 12 + as_of.month
    return anchor - (day.year * 12 + day.month) - int(day.day > as_of.day)


def lifetimes_from_spells(
    spell: pd.DataFrame, data_back: int, older_start: pd.Series | None = None
) -> pd.DataFrame:
    """Duration, event and entry per account (see the module docstring).

    ``spell``: ``account_id``, ``first_back``, ``lost_back`` (NaN while active), as from
    :func:`spells`. ``data_back``: the month index of the first month of data.
    ``older_start``: account_id → month index back of ``customers.first_date``; used for the
    accounts whose first date precedes ``data_back``.
    """
    frame = spell.set_index("account_id").sort_index()
    first = frame.first_back.astype("int64")
    start = first
    if older_start is not None:
        before = older_start.reindex(frame.index)
        start = before.where(before > data_back, first).astype("int64")
    lost = pd.to_numeric(frame.lost_back).astype("float64")
    end = lost.fillna(0).astype("int64")
    return pd.DataFrame(
        {
            "start_back": start,
            "end_back": end,
            "duration": start - end + 1,
            "event": lost.notna().to_numpy(),
            "entry": np.where(start > data_back, start - data_back, 0).astype("int64"),
        },
        index=frame.index,
    ).reset_index()[list(LIFETIME_COLUMNS)]


def account_lifetimes(ctx: AuditContext, churn_gap: int | None = None) -> pd.DataFrame:
    """Lifetime of every account with an active month: one row each.

    Columns: ``account_id``, ``start_back`` and ``end_back`` (month indices back from the
    as-of date), ``duration`` (months), ``event`` (lost; False = censored) and ``entry``
    (months lived before the data begin). ``churn_gap`` defaults to the setting.
    """
    gap = churn_gap or ctx.settings.retention.churn_gap_months

    def compute() -> pd.DataFrame:
        from keyaccount.analyses.retention import monthly_revenue

        # The active months from the commercial account-month rows retention fetches anyway.
        monthly = monthly_revenue(ctx)
        data_back = monthly.back.max() if len(monthly.back) else None
        code, back = active_cells(monthly.code, monthly.back, monthly.units)
        spell = spells_from_months(code, back, gap, ordered=True)
        spell["account_id"] = monthly.accounts[spell.account_id.to_numpy()]
        if data_back is None or spell.empty:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in LIFETIME_COLUMNS}).astype(
                {"account_id": object, "event": bool}
            )
        dates = ctx.account_frame()[["account_id", "first_date"]].dropna()
        days = pd.to_datetime(dates.first_date)
        # months_back_of, vectorised over the accounts' first dates
        anchor = ctx.as_of.year * 12 + ctx.as_of.month
        back = anchor - (days.dt.year * 12 + days.dt.month) - (days.dt.day > ctx.as_of.day)
        older = pd.Series(back.to_numpy(dtype="int64"), index=dates.account_id, dtype="int64")
        return lifetimes_from_spells(spell, int(data_back), older)

    return ctx.memo(f"lifetimes.{gap}", compute)


def survival_steps(
    durations: Sequence[float] | np.ndarray | pd.Series,
    events: Sequence[bool] | np.ndarray | pd.Series,
    entry: Sequence[float] | np.ndarray | pd.Series | None = None,
) -> pd.Series:
    """The whole Kaplan–Meier step curve: S after each event time, indexed by months (0 → 1)."""
    return _fit(durations, events, entry).survival_function_.iloc[:, 0].rename("survival")


def survival_curve(
    durations: Sequence[float] | np.ndarray | pd.Series,
    events: Sequence[bool] | np.ndarray | pd.Series,
    entry: Sequence[float] | np.ndarray | pd.Series | None = None,
    horizon_years: int = 10,
) -> pd.Series:
    """Kaplan–Meier ``S(t)`` at t = 1 … ``horizon_years`` years, from durations in months.

    ``S(t)`` is the probability that a lifetime exceeds ``12·t`` months (a loss at exactly 12
    months is a loss within year 1). Past the longest observed lifetime the curve keeps its
    last value. ``entry`` (months) gives delayed entry for left-truncated lifetimes.
    Returns a Series indexed by year, named ``survival``.
    """
    if horizon_years < 1:
        raise ValueError("horizon_years must be at least 1")
    fitter = _fit(durations, events, entry)
    years = np.arange(1, horizon_years + 1)
    at = fitter.survival_function_at_times(12.0 * years).to_numpy(dtype="float64")
    return pd.Series(at, index=pd.Index(years, name="year"), name="survival")


def _fit(
    durations: Sequence[float] | np.ndarray | pd.Series,
    events: Sequence[bool] | np.ndarray | pd.Series,
    entry: Sequence[float] | np.ndarray | pd.Series | None,
) -> KaplanMeierFitter:
    """A Kaplan–Meier fit, after checking the lifetimes once."""
    months = np.asarray(durations, dtype="float64")
    observed = np.asarray(events, dtype=bool)
    if months.ndim != 1 or len(months) == 0:
        raise ValueError("a survival curve needs at least one lifetime")
    if len(observed) != len(months):
        raise ValueError(f"{len(months)} durations but {len(observed)} events")
    if (months <= 0).any() or not np.isfinite(months).all():
        raise ValueError("durations must be positive months")
    starts = None if entry is None else np.asarray(entry, dtype="float64")
    if starts is not None and (len(starts) != len(months) or (starts >= months).any()):
        raise ValueError("entry must give one value per lifetime, each below its duration")
    return KaplanMeierFitter().fit(months, event_observed=observed, entry=starts)


def lifetime_survival(lifetimes: pd.DataFrame, horizon_years: int = 10) -> pd.Series:
    """:func:`survival_curve` of a :func:`account_lifetimes` table (or a segment of it)."""
    return survival_curve(
        lifetimes.duration, lifetimes.event, lifetimes.entry, horizon_years=horizon_years
    )
