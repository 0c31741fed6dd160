"""Recurring revenue: MRR and ARR from the subscriptions table, their bridge and NRR (§5).

- ``MRR(t)`` at a month end ``t`` = Σ ``mrr`` of the subscriptions running then:
  ``start ≤ t`` and (``end`` empty or ``end ≥ t``); per account (the group when rolling up).
  ``ARR = 12 × MRR``. The series runs from the month end of the first subscription's start
  month to the last month end on or before the as-of date.
- The bridge, states, NRR, GRR and quick ratio are those of :mod:`keyaccount.analyses.retention`
  with ``R0 = MRR(t0)``, ``R1 = MRR(t1)``: ``t1`` the last month end on or before the as-of
  date and ``t0`` the month end ``window_months`` (12) months before it. An account with no
  MRR at ``t0`` and MRR at ``t1`` is ``reactivated`` when it had a subscription starting on or
  before ``t0``, else ``new``. Amounts are exact (1/10000 units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
import pandas as pd

from keyaccount.analyses.base import Finding, Result
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.money import UNITS
from keyaccount.analyses.retention import (
    Bridge,
    account_table,
    customer_states,
    month_last_day,
    retention_findings,
    revenue_bridge,
)


def last_month_end(day: date) -> date:
    """The last month end on or before ``day``."""
    index = day.year * 12 + day.month - 1
    end = month_last_day(index)
    return end if end <= day else month_last_day(index - 1)


def month_ends(first: date, last: date) -> list[date]:
    """Month ends from ``first``'s month to ``last``'s month, both included."""
    start = first.year * 12 + first.month - 1
    stop = last.year * 12 + last.month - 1
    return [month_last_day(i) for i in range(start, stop + 1)]


def months_before(month_end: date, months: int) -> date:
    """The month end ``months`` calendar months before ``month_end``."""
    return month_last_day(month_end.year * 12 + month_end.month - 1 - months)


def subscription_accounts(ctx: AuditContext) -> ibis.Table:
    """Subscriptions keyed by account (roll-up applied): account_id, start, end, mrr."""
    subs = ctx.tables["subscriptions"].join(ctx.membership, "customer_id")
    return subs.select("account_id", "start", "end", "mrr")


def mrr_by_account(subs: ibis.Table, ends: list[date]) -> ibis.Table:
    """MRR per account at each month end of ``ends`` (integer 1/10000 units).

    ``subs`` holds ``account_id``, ``start``, ``end`` and ``mrr``; accounts with nothing
    running at a month end have no row for it.
    """
    calendar = ibis.memtable({"month_end": ends}).mutate(
        month_end=lambda t: t.month_end.cast("date")
    )
    running = subs.join(
        calendar,
        [subs.start <= calendar.month_end, subs.end.isnull() | (subs.end >= calendar.month_end)],
    )
    grouped = running.group_by("account_id", "month_end").aggregate(mrr=running.mrr.sum())
    return grouped.select(
        "account_id", "month_end", units=(grouped.mrr.fill_null(0) * UNITS).cast("int64")
    )


def mrr_series(by_account: pd.DataFrame, ends: list[date]) -> pd.DataFrame:
    """Company MRR, ARR and paying accounts (MRR > 0) at each month end, as floats."""
    frame = by_account.assign(paying=by_account.units > 0)
    totals = frame.groupby("month_end").agg(units=("units", "sum"), accounts=("paying", "sum"))
    totals = totals.reindex(ends, fill_value=0)
    return pd.DataFrame(
        {
            "month_end": ends,
            "mrr": totals.units.to_numpy() / UNITS,
            "arr": 12 * totals.units.to_numpy() / UNITS,
            "accounts": totals.accounts.to_numpy().astype("int64"),
        }
    )


def mrr_accounts(
    by_account: pd.DataFrame, first_start: pd.Series, t0: date, t1: date
) -> pd.DataFrame:
    """Per-account ``r0`` = MRR(t0), ``r1`` = MRR(t1), ``history`` and ``state``.

    ``first_start`` maps account_id to its first subscription start.
    """
    at = by_account[by_account.month_end.isin((t0, t1))]
    wide = at.pivot_table(
        index="account_id", columns="month_end", values="units", aggfunc="sum", fill_value=0
    ).reindex(columns=[t0, t1], fill_value=0)
    frame = pd.DataFrame(
        {"r0": wide[t0].astype("int64"), "r1": wide[t1].astype("int64")}, index=wide.index
    ).sort_index()
    frame["history"] = first_start.reindex(frame.index).le(t0).astype(bool)
    frame["state"] = customer_states(frame.r0, frame.r1, frame.history)
    return frame.rename_axis("account_id").reset_index()


@dataclass(frozen=True)
class MrrResult(Result):
    """MRR and ARR at the last month end, their series, and the MRR bridge and ratios."""

    month_end: date  # t1: the last month end on or before the as-of date
    prior_month_end: date  # t0
    mrr: Decimal
    arr: Decimal
    nrr: float | None
    grr: float | None
    quick_ratio: float | None
    bridge: Bridge
    series: pd.DataFrame  # month_end, mrr, arr, accounts
    accounts: pd.DataFrame  # account_id, state, mrr_prior, mrr, change


def run(ctx: AuditContext) -> MrrResult:
    """MRR/ARR at each month end, and the bridge and NRR on MRR over the last window."""
    settings = ctx.settings.retention
    subs = subscription_accounts(ctx)
    t1 = last_month_end(ctx.as_of)
    t0 = months_before(t1, ctx.window)
    starts = subs.group_by("account_id").aggregate(first_start=subs.start.min()).execute()
    first_start = pd.to_datetime(starts.set_index("account_id").first_start).dt.date
    earliest = min(first_start, default=t1)
    ends = month_ends(min(earliest, t0), t1)
    by_account = mrr_by_account(subs, ends).execute()
    by_account["month_end"] = pd.to_datetime(by_account.month_end).dt.date
    by_account["units"] = by_account.units.astype("int64")
    series = mrr_series(by_account, ends)
    first_end = month_last_day(earliest.year * 12 + earliest.month - 1)
    series = series[series.month_end >= first_end].reset_index(drop=True)
    accounts = mrr_accounts(by_account, first_start, t0, t1)
    # The subscriptions table records every contract's dates, so MRR(t0) is known even
    # when nothing ran then: the bridge is complete.
    bridge = revenue_bridge(accounts, "mrr", t0.isoformat(), t1.isoformat(), complete=True)
    findings: list[Finding] = list(retention_findings("mrr", bridge, settings.elite_nrr))
    return MrrResult(
        findings=tuple(findings),
        month_end=t1,
        prior_month_end=t0,
        mrr=bridge.end,
        arr=12 * bridge.end,
        nrr=bridge.nrr,
        grr=bridge.grr,
        quick_ratio=bridge.quick_ratio,
        bridge=bridge,
        series=series,
        accounts=account_table(accounts, "mrr_prior", "mrr"),
    )
