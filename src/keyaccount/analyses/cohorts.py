"""Cohorts and repeat purchase (docs/metrics.md §5).

An account's **cohort** is the calendar year (or quarter) of its first commercial invoice.
For each cohort and each ``years_since`` k = 0, 1, …:

- yearly cohorts: year k is the calendar year ``cohort + k`` (year 0 is the first, usually
  partial, calendar year);
- quarterly cohorts: year k is the four quarters starting k years after the cohort's quarter
  (quarters ``q0 + 4k … q0 + 4k + 3``), so year 0 is a full year for every cohort;
- ``logo_retention`` = accounts of the cohort active (R > 0) in year k / accounts in the cohort;
- ``revenue_retention`` = the cohort's revenue in year k / its revenue in year 0 (NaN when that
  is not positive); it can exceed 1.

A cell is ``complete`` when its last period has ended by the as-of date. A cohort has a
``partial_start`` when the data begin after its first period starts: it may then hold older
customers whose first purchase precedes the data. Accounts known to be older than the data
(``customers.first_date`` before the first month of commercial invoices) are left out of the
cohorts — their first purchase is not observed — and counted in ``older_accounts``.

``repeat_purchase_rate`` = accounts active in ≥ 2 distinct calendar years / accounts active in
≥ 1, over all the data up to the as-of date (older accounts included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.retention import (
    MONTHS_PER_PERIOD,
    data_span,
    month_last_day,
    period_label,
    revenue_matrix,
)

CohortGrain = Literal["year", "quarter"]
PERIODS_PER_YEAR = {"year": 1, "quarter": 4}
MATRIX_COLUMNS = (
    "cohort",
    "years_since",
    "accounts",
    "active",
    "logo_retention",
    "revenue",
    "revenue_retention",
    "complete",
    "partial_start",
)


def cohort_matrix(
    revenue: pd.DataFrame,
    grain: CohortGrain,
    last_period: int,
    last_complete_period: int | None = None,
    first_observed_period: int | None = None,
) -> pd.DataFrame:
    """The cohort × years-since table, one row per cell (see the module docstring).

    ``revenue``: ``account_id``, ``period`` (calendar year, or year·4 + quarter − 1) and
    ``units`` (revenue in 1/10000 units), one row per account-period with a commercial invoice.
    ``last_period`` is the as-of date's period; cells end there. By default every cell is
    complete and no cohort has a partial start.
    """
    if revenue.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MATRIX_COLUMNS})
    per = PERIODS_PER_YEAR[grain]
    last_complete = last_period if last_complete_period is None else last_complete_period
    cohort = revenue.groupby("account_id").period.min().rename("cohort")
    rows = revenue.join(cohort, on="account_id")
    rows["years_since"] = (rows.period - rows.cohort) // per
    cells = rows.groupby(["cohort", "years_since", "account_id"], as_index=False).units.sum()
    cells["active"] = cells.units > 0
    filled = cells.groupby(["cohort", "years_since"]).agg(
        active=("active", "sum"), units=("units", "sum")
    )
    sizes = cohort.value_counts()
    grid = pd.MultiIndex.from_tuples(
        [(c, k) for c in sorted(sizes.index) for k in range((last_period - c) // per + 1)],
        names=["cohort", "years_since"],
    )
    table = filled.reindex(grid, fill_value=0).reset_index()
    table["accounts"] = table.cohort.map(sizes).astype("int64")
    table["active"] = table.active.astype("int64")
    table["logo_retention"] = table.active / table.accounts
    first_year = table[table.years_since == 0].set_index("cohort").units
    base = table.cohort.map(first_year).astype("float64")
    table["revenue_retention"] = (table.units / base.where(base > 0)).astype("float64")
    table["revenue"] = table.units / 10_000
    table["complete"] = table.cohort + (table.years_since + 1) * per - 1 <= last_complete
    first_observed = table.cohort.min() if first_observed_period is None else first_observed_period
    table["partial_start"] = table.cohort < first_observed
    table["cohort"] = [period_label(int(c), grain) for c in table.cohort]
    return table[list(MATRIX_COLUMNS)]


def cohort_pivot(matrix: pd.DataFrame, value: str = "logo_retention") -> pd.DataFrame:
    """A cohort matrix as a grid: cohorts down, years since across, ``value`` in the cells."""
    order = list(dict.fromkeys(matrix.cohort))
    return matrix.pivot(index="cohort", columns="years_since", values=value).reindex(order)


def repeat_purchase_rate(yearly: pd.DataFrame) -> tuple[float | None, int, int]:
    """Share of accounts active in ≥ 2 distinct calendar years among those active in ≥ 1.

    ``yearly``: ``account_id``, ``period`` (the year) and ``units``. Returns the rate (None
    when no account was ever active), the repeat accounts and the active accounts.
    """
    per_year = yearly.groupby(["account_id", "period"]).units.sum()
    years_active = (per_year > 0).groupby(level="account_id").sum()
    active = int((years_active >= 1).sum())
    repeat = int((years_active >= 2).sum())
    return (repeat / active if active else None), repeat, active


def _periods(ctx: AuditContext, grain: CohortGrain) -> tuple[int, int, int]:
    """The as-of date's period, the last complete period and the first fully observed one."""
    size = MONTHS_PER_PERIOD[grain]
    last = (ctx.as_of.year * 12 + ctx.as_of.month - 1) // size
    last_complete = last if month_last_day(last * size + size - 1) <= ctx.as_of else last - 1
    first_observed = -(-data_span(ctx).first_month // size)
    return last, last_complete, first_observed


def _coded_revenue(ctx: AuditContext, grain: CohortGrain) -> pd.DataFrame:
    """:func:`period_revenue` with each account as its integer row in the revenue matrix.

    Cohorts only group by account, and grouping numbers is much cheaper than grouping text.
    """
    matrix = revenue_matrix(ctx, grain)
    rows, cols = np.nonzero(matrix.present)
    return pd.DataFrame(
        {
            "account_id": rows.astype("int64"),
            "period": (cols + matrix.first_period).astype("int64"),
            "units": matrix.units[rows, cols],
        }
    )


def older_accounts(ctx: AuditContext) -> set[str]:
    """Accounts whose ``first_date`` precedes the first month of commercial invoices."""
    first_month = data_span(ctx).first_month
    start = date(first_month // 12, first_month % 12 + 1, 1)
    accounts = ctx.accounts
    older = accounts.filter(accounts.first_date < ibis.literal(start)).select("account_id")
    return set(older.execute().account_id)


@dataclass(frozen=True)
class CohortResult(Result):
    """Cohort matrices (yearly and quarterly cohorts) and the repeat-purchase rate."""

    repeat_purchase_rate: float | None
    repeat_accounts: int
    active_accounts: int  # accounts active in at least one calendar year
    older_accounts: int  # left out of the cohorts: first purchase before the data
    yearly: pd.DataFrame
    quarterly: pd.DataFrame


def run(ctx: AuditContext) -> CohortResult:
    """Yearly and quarterly cohort matrices and the repeat-purchase rate."""
    older = older_accounts(ctx)
    matrices = {}
    for grain in ("year", "quarter"):
        revenue = _coded_revenue(ctx, grain)
        is_older = pd.Series(revenue_matrix(ctx, grain).accounts).isin(older).to_numpy()
        observed = revenue[~is_older[revenue.account_id.to_numpy()]]
        matrices[grain] = cohort_matrix(observed, grain, *_periods(ctx, grain))
    rate, repeat, active = repeat_purchase_rate(_coded_revenue(ctx, "year"))
    findings = []
    if rate is not None:
        findings.append(
            Finding(
                "cohorts.repeat_purchase_rate",
                "info",
                {"rate": rate, "repeat_accounts": repeat, "active_accounts": active},
            )
        )
    if older:
        findings.append(Finding("cohorts.older_accounts", "info", {"accounts": len(older)}))
    return CohortResult(
        findings=tuple(findings),
        repeat_purchase_rate=rate,
        repeat_accounts=repeat,
        active_accounts=active,
        older_accounts=len(older),
        yearly=matrices["year"],
        quarterly=matrices["quarter"],
    )
