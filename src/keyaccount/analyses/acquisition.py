"""Customer acquisition cost (CAC) and its trend (docs/metrics.md §4).

Per account, up to the as-of date::

    CAC = (tagged acquisition costs, where given, else blended_cac(acquisition quarter))
          + pre-sales net cost
    blended_cac(Q) = untagged acquisition spend in Q / new accounts in Q

Tagged acquisition costs are the costs of category ``acquisition`` tagged to the account (to
any of its customers when rolling up); the pre-sales net cost is ``cost − amount`` of its
sample / poc / pilot / free deals (a missing cost counting 0; a paid POC can make it
negative). An account is acquired on its first commercial invoice date (its acquisition
quarter); "new in Q" counts every account acquired in Q. Choices a careful analyst has to
make, written here:

- **Pre-sales cost is added to the blended CAC**, not a substitute for it: the untagged spend
  of a quarter is shared by all its new accounts, those that also had a sample or a POC
  included, so an account with only pre-sales deals on record still cost its share of the
  pooled spend. Only tagged ``acquisition`` costs replace the blended CAC.

- **Customers from before the data** are not new when they first show up in it: an account
  whose ``first_date`` lies before the first invoice of the history, or — with no
  ``first_date`` — whose first commercial invoice falls in the history's first calendar
  quarter, is ``pre_history``: no acquisition quarter, no CAC.
- **Cost coverage**: the blended CAC is known only from the quarter of the first
  ``acquisition`` cost row on (before it, spend is unknown, not zero) and for quarters with
  at least one new account. No acquisition costs at all: no blended CAC, and the CAC of an
  account without tagged costs is unknown (NaN), not just its pre-sales cost.
- The trend shows, per calendar quarter and year, the new accounts, untagged spend, tagged
  spend (tagged acquisition costs by cost month plus pre-sales net cost by invoice date), the
  blended CAC and the all-in CAC ``(untagged + tagged) / new``, and the year-over-year growth
  of the blended CAC ("CAC inflation"). A year's CAC sums its covered quarters; a year is
  ``complete`` when all four quarters are covered and have ended by the as-of date. CAC
  inflation fires when the latest complete year's blended CAC grew more than
  ``ltv.cac_inflation_alert`` over the complete year before it.
- Pre-sales costs of accounts that never bought are reported apart (``unconverted_pre_sales``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, plain, string_rank
from keyaccount.analyses.context import AuditContext, attach
from keyaccount.analyses.money import decimal_floats

ACQUISITION = "acquisition"
TAGGED, BLENDED, PRE_HISTORY, UNKNOWN = "tagged", "blended", "pre_history", "unknown"
QUARTER_COLUMNS = (
    "quarter",
    "year",
    "start",
    "new_accounts",
    "untagged_spend",
    "tagged_spend",
    "blended_cac",
    "all_in_cac",
    "yoy_growth",
    "covered",
    "partial",
)


# --- Formulas --------------------------------------------------------------------------------


def quarter_of(days: pd.Series) -> pd.Series:
    """Calendar quarter (a ``pandas.Period``) of each date; NaT stays NaT."""
    return pd.to_datetime(days).dt.to_period("Q")


def acquisition_quarters(
    acquired_on: pd.Series, first_date: pd.Series, history_start: date
) -> pd.DataFrame:
    """The acquisition quarter of each account, or ``pre_history`` when it predates the data.

    ``acquired_on`` is the first commercial invoice date (NaT: never bought), ``first_date``
    the relationship start from customers (NaT: not given). Pre-history: ``first_date`` before
    ``history_start``, or no ``first_date`` and acquired in the history's first quarter.
    """
    acquired = pd.to_datetime(acquired_on)
    since = pd.to_datetime(first_date)
    start = pd.Timestamp(history_start)
    first_quarter = start.to_period("Q")
    quarter = quarter_of(acquired)
    pre = (since < start) | (since.isna() & (quarter == first_quarter))
    pre = pre & acquired.notna()
    return pd.DataFrame(
        {"acquisition_quarter": quarter.where(~pre), "pre_history": pre.astype(bool)},
        index=acquired_on.index,
    )


def blended_cac(untagged_spend: pd.Series, new_accounts: pd.Series) -> pd.Series:
    """``untagged spend / new accounts``; NaN with no new account."""
    new = new_accounts.astype(float)
    return untagged_spend.astype(float) / new.where(new > 0)


def growth(current: pd.Series, previous: pd.Series) -> pd.Series:
    """``current / previous − 1``; NaN when the previous value is not positive."""
    prev = previous.astype(float)
    return current.astype(float) / prev.where(prev > 0) - 1.0


def quarterly_trend(
    new_accounts: pd.Series,
    untagged_spend: pd.Series,
    tagged_spend: pd.Series,
    covered_from: pd.Period | None,
    as_of: date,
) -> pd.DataFrame:
    """One row per calendar quarter from the earliest quarter in the inputs to the as-of's.

    Inputs are indexed by quarter (``pandas.Period``). ``covered``: on or after
    ``covered_from`` (None: never); the blended and all-in CAC are NaN outside coverage.
    ``partial``: the quarter ends after the as-of date. ``yoy_growth``: blended CAC over the
    same quarter a year before.
    """
    last = pd.Timestamp(as_of).to_period("Q")
    known = [s.index.min() for s in (new_accounts, untagged_spend, tagged_spend) if len(s)]
    first = min([*known, last]) if covered_from is None else min([*known, covered_from, last])
    periods = pd.period_range(first, last, freq="Q")
    frame = pd.DataFrame(index=periods)
    frame["new_accounts"] = new_accounts.reindex(periods, fill_value=0).astype(int)
    frame["untagged_spend"] = untagged_spend.reindex(periods, fill_value=0.0).astype(float)
    frame["tagged_spend"] = tagged_spend.reindex(periods, fill_value=0.0).astype(float)
    covered = (
        np.zeros(len(periods), dtype=bool) if covered_from is None else periods >= covered_from
    )
    frame["covered"] = covered
    frame["partial"] = periods.end_time.normalize() > pd.Timestamp(as_of)
    frame["blended_cac"] = blended_cac(frame.untagged_spend, frame.new_accounts).where(covered)
    all_in = blended_cac(frame.untagged_spend + frame.tagged_spend, frame.new_accounts)
    frame["all_in_cac"] = all_in.where(covered)
    year_before = frame.blended_cac.reindex(periods - 4).set_axis(periods)
    frame["yoy_growth"] = growth(frame.blended_cac, year_before)
    frame["quarter"] = [str(p) for p in periods]
    frame["year"] = periods.year.astype(int)
    frame["start"] = periods.start_time.date
    return frame.reset_index(drop=True)[list(QUARTER_COLUMNS)]


def yearly_trend(quarters: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Calendar years from :func:`quarterly_trend`: sums over each year's covered quarters.

    ``partial``: the year ends after ``as_of``. ``complete``: four covered quarters and not
    partial. ``yoy_growth``: blended CAC over the year before's.
    """
    covered = quarters[quarters.covered]
    sums = covered.groupby("year").agg(
        new_accounts=("new_accounts", "sum"),
        untagged_spend=("untagged_spend", "sum"),
        tagged_spend=("tagged_spend", "sum"),
        quarters_covered=("covered", "sum"),
    )
    years = sums.reindex(sorted(quarters.year.unique()))
    years["new_accounts"] = years.new_accounts.fillna(0).astype(int)
    years["quarters_covered"] = years.quarters_covered.fillna(0).astype(int)
    years["untagged_spend"] = years.untagged_spend.fillna(0.0)
    years["tagged_spend"] = years.tagged_spend.fillna(0.0)
    years["partial"] = years.index > as_of.year - (0 if (as_of.month, as_of.day) == (12, 31) else 1)
    years["complete"] = (years.quarters_covered == 4) & ~years.partial
    has_cost = years.quarters_covered > 0
    years["blended_cac"] = blended_cac(years.untagged_spend, years.new_accounts).where(has_cost)
    all_in = blended_cac(years.untagged_spend + years.tagged_spend, years.new_accounts)
    years["all_in_cac"] = all_in.where(has_cost)
    previous = years.blended_cac.reindex(years.index - 1).set_axis(years.index)
    years["yoy_growth"] = growth(years.blended_cac, previous)
    return years.rename_axis("year").reset_index()


def assign_cac(accounts: pd.DataFrame, quarters: pd.DataFrame) -> pd.DataFrame:
    """Each account's CAC and its basis (``tagged``, ``blended``, ``pre_history``, ``unknown``).

    ``accounts`` has account_id, acquisition_quarter (Period or NaT), pre_history,
    tagged_cost, pre_sales_net_cost and has_tagged_cost (any tagged acquisition cost row).
    ``cac = tagged_cost + pre_sales_net_cost`` for tagged accounts; pre-history accounts have
    no CAC; the others ``blended_cac(quarter) + pre_sales_net_cost`` (``unknown``, NaN, when
    that blended CAC is NaN).
    """
    out = accounts.copy()
    by_quarter = quarters.set_index("quarter").blended_cac
    codes, quarters_seen = pd.factorize(out.acquisition_quarter)  # NaT → −1
    names = np.array([*(str(p) for p in quarters_seen), None], dtype=object)
    labels = pd.Series(names[codes], index=out.index, dtype=object)
    blended = labels.map(by_quarter).astype(float)
    untagged = np.where(out.pre_history, np.nan, blended)
    base = np.where(out.has_tagged_cost, out.tagged_cost, untagged)
    out["blended_cac"] = blended.where(~out.has_tagged_cost & ~out.pre_history)
    out["cac"] = base + out.pre_sales_net_cost
    out["cac_basis"] = np.select(
        [out.has_tagged_cost.to_numpy(), out.pre_history.to_numpy(), blended.notna().to_numpy()],
        [TAGGED, PRE_HISTORY, BLENDED],
        UNKNOWN,
    )
    out["acquisition_quarter"] = labels
    return out


def months_before(days: pd.Series, as_of: date) -> pd.Series:
    """Month index back from ``as_of`` (0 for (as_of − 1 month, as_of]), as in the context."""
    d = pd.to_datetime(days)
    anchor = as_of.year * 12 + as_of.month
    return anchor - (d.dt.year * 12 + d.dt.month) - (d.dt.day > as_of.day).astype(int)


# --- The CAC table from the engine -----------------------------------------------------------


def account_cac(ctx: AuditContext) -> pd.DataFrame:
    """One row per acquired account (it has commercial revenue up to the as-of date).

    Columns: account_id, acquired_on, acquisition_quarter (e.g. ``"2024Q3"``, None when
    pre-history), pre_history, tagged_cost, blended_cac (the quarter's, for accounts that take
    it), pre_sales_net_cost, has_tagged_cost, cac, cac_basis.
    Computed once per context (LTV reuses it).
    """
    return ctx.memo("acquisition.account_cac", lambda: _parts(ctx).accounts)


@dataclass(frozen=True)
class _Parts:
    accounts: pd.DataFrame
    quarters: pd.DataFrame
    unconverted_pre_sales: float
    acquisition_costs_given: bool


def _parts(ctx: AuditContext) -> _Parts:
    return ctx.memo("acquisition.parts", lambda: _compute(ctx))


def _acquisition_costs(ctx: AuditContext) -> pd.DataFrame:
    """Acquisition costs up to the as-of month: account_id (None = untagged), period, amount."""
    if not ctx.has("costs"):
        return pd.DataFrame({"account_id": [], "period": [], "amount": []})
    costs = ctx.tables["costs"]
    month_start = ctx.as_of.replace(day=1)
    kept = costs.filter(costs.category == ACQUISITION, costs.period <= ibis.literal(month_start))
    tagged = attach(kept, ctx.membership, key="customer_id")
    # A tag naming no known customer stays on that id rather than becoming untagged.
    tagged = tagged.mutate(account_id=ibis.coalesce(tagged.account_id, tagged.customer_id))
    frame = tagged.group_by("account_id", "period").aggregate(amount=tagged.amount.sum()).execute()
    frame["amount"] = frame.amount.astype(float)
    return frame


def _pre_sales(ctx: AuditContext) -> pd.DataFrame:
    """Net cost (cost − amount) of non-commercial deals per account and month."""
    facts = ctx.account_months
    deals = facts.filter(~facts.commercial)
    fetched = (
        deals.group_by("account_id", "year", "month")
        .aggregate(amount=deals.revenue.sum(), cost=deals.cost_known.sum())
        .to_pyarrow()
    )
    # Fetched as Arrow: amounts become floats without a Decimal object per row.
    frame = fetched.drop_columns(["amount", "cost"]).to_pandas()
    cost, amount = decimal_floats(fetched["cost"]), decimal_floats(fetched["amount"])
    net = pd.Series(np.nan_to_num(cost, nan=0.0) - np.nan_to_num(amount, nan=0.0))
    days = pd.to_datetime({"year": frame.year, "month": frame.month, "day": 1})
    return pd.DataFrame({"account_id": frame.account_id, "period": days, "net_cost": net})


def _compute(ctx: AuditContext) -> _Parts:
    facts = ctx.account_months
    history_start = facts.first_day.min().execute()
    firsts = attach(ctx.first_commercial_day, ctx.accounts.select("account_id", "first_date"))
    accounts = firsts.execute()
    accounts["account_id"] = accounts.account_id.astype(str)
    costs = _acquisition_costs(ctx)
    pre_sales = _pre_sales(ctx)

    untagged = costs[costs.account_id.isna()]
    tagged = costs[costs.account_id.notna()]
    quarter_sums = {
        "untagged": untagged.groupby(quarter_of(untagged.period)).amount.sum(),
        "tagged": pd.concat(
            [
                tagged.groupby(quarter_of(tagged.period)).amount.sum(),
                pre_sales.groupby(quarter_of(pre_sales.period)).net_cost.sum(),
            ]
        )
        .groupby(level=0)
        .sum(),
    }
    own = pd.concat(
        [
            tagged.groupby("account_id").amount.sum().rename("tagged_cost"),
            pre_sales.groupby("account_id").net_cost.sum().rename("pre_sales_net_cost"),
        ],
        axis=1,
    )
    own.index = own.index.astype(str)

    if history_start is None or pd.isna(history_start) or accounts.empty:
        history = ctx.as_of
    else:
        history = pd.Timestamp(history_start).date()
    quarters_of = acquisition_quarters(accounts.first_day, accounts.first_date, history)
    accounts = accounts.join(quarters_of)
    accounts = accounts.join(own, on="account_id")
    accounts["has_tagged_cost"] = accounts.tagged_cost.notna()
    for column in ("tagged_cost", "pre_sales_net_cost"):
        accounts[column] = accounts[column].fillna(0.0)
    new = accounts.dropna(subset=["acquisition_quarter"])
    new_per_quarter = new.groupby("acquisition_quarter").size()
    covered_from = quarter_of(costs.period).min() if len(costs) else None
    quarters = quarterly_trend(
        new_per_quarter, quarter_sums["untagged"], quarter_sums["tagged"], covered_from, ctx.as_of
    )
    accounts = assign_cac(accounts.rename(columns={"first_day": "acquired_on"}), quarters)
    acquired = pd.to_datetime(accounts.acquired_on)
    accounts["acquired_on"] = acquired.dt.date
    order = np.lexsort(
        (string_rank(accounts.account_id), acquired.to_numpy().view("int64"), acquired.isna())
    )
    accounts = accounts.iloc[order]
    columns = [
        "account_id",
        "acquired_on",
        "acquisition_quarter",
        "pre_history",
        "tagged_cost",
        "blended_cac",
        "pre_sales_net_cost",
        "has_tagged_cost",
        "cac",
        "cac_basis",
    ]
    unconverted = own.loc[~own.index.isin(set(accounts.account_id))]
    return _Parts(
        accounts[columns].reset_index(drop=True),
        quarters,
        float(unconverted.fillna(0.0).to_numpy().sum()),
        bool(len(costs)),
    )


# --- The analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AcquisitionResult(Result):
    """Figures of §4 on acquisition.

    ``accounts``: CAC per acquired account (see :func:`account_cac`). ``quarters`` and
    ``years``: the CAC trend. ``window_*``: accounts acquired in the analysis window and their
    mean CAC (over those with a known CAC). ``latest_year*``: the latest complete year,
    its blended CAC and year-over-year growth; ``cac_cagr`` the compound yearly growth of the
    blended CAC over the complete years.
    """

    acquisition_costs_given: bool
    accounts: pd.DataFrame
    quarters: pd.DataFrame
    years: pd.DataFrame
    window_new_accounts: int
    window_average_cac: float
    latest_year: int | None
    latest_year_cac: float
    latest_yoy_growth: float
    cac_cagr: float
    unconverted_pre_sales: float


def cagr(values: pd.Series) -> float:
    """Compound yearly growth from the first to the last positive value (indexed by year)."""
    positive = values[values > 0].dropna()
    if len(positive) < 2:
        return math.nan
    span = int(positive.index[-1]) - int(positive.index[0])
    return float((positive.iloc[-1] / positive.iloc[0]) ** (1.0 / span) - 1.0)


def run(ctx: AuditContext) -> AcquisitionResult:
    """CAC per account and its trend by quarter and year."""
    settings = ctx.settings.ltv
    parts = _parts(ctx)
    accounts, quarters = parts.accounts, parts.quarters
    years = yearly_trend(quarters, ctx.as_of)

    recent = accounts[months_before(pd.Series(accounts.acquired_on), ctx.as_of) < ctx.window]
    recent = recent[~recent.pre_history]
    complete = years[years.complete & years.blended_cac.notna()].set_index("year")
    latest = complete.iloc[-1] if len(complete) else None
    latest_growth = math.nan
    if latest is not None and int(latest.name) - 1 in complete.index:
        latest_growth = float(latest.yoy_growth)
    result_years = complete.blended_cac
    findings = _findings(
        parts, recent, latest, latest_growth, settings.cac_inflation_alert, cagr(result_years)
    )
    return AcquisitionResult(
        findings=tuple(findings),
        acquisition_costs_given=parts.acquisition_costs_given,
        accounts=accounts,
        quarters=quarters,
        years=years,
        window_new_accounts=len(recent),
        window_average_cac=float(recent.cac.mean()) if recent.cac.notna().any() else math.nan,
        latest_year=int(latest.name) if latest is not None else None,
        latest_year_cac=float(latest.blended_cac) if latest is not None else math.nan,
        latest_yoy_growth=latest_growth,
        cac_cagr=cagr(result_years),
        unconverted_pre_sales=parts.unconverted_pre_sales,
    )


def _findings(
    parts: _Parts,
    recent: pd.DataFrame,
    latest: pd.Series | None,
    latest_growth: float,
    alert: float,
    compound: float,
) -> list[Finding]:
    findings = [
        Finding(
            "acquisition.cac",
            "info",
            {
                "window_new_accounts": len(recent),
                "window_average_cac": plain(float(recent.cac.mean())) if len(recent) else None,
                "latest_year": int(latest.name) if latest is not None else None,
                "latest_year_cac": float(latest.blended_cac) if latest is not None else None,
            },
        )
    ]
    if not parts.acquisition_costs_given:
        findings.append(Finding("acquisition.no_acquisition_costs", "warning", {}))
    if latest is not None and not math.isnan(latest_growth) and latest_growth > alert:
        findings.append(
            Finding(
                "acquisition.cac_inflation",
                "warning",
                {
                    "year": int(latest.name),
                    "cac": float(latest.blended_cac),
                    "previous_cac": float(latest.blended_cac) / (1.0 + latest_growth),
                    "growth": latest_growth,
                    "cagr": plain(compound),
                    "threshold": alert,
                },
            )
        )
    if parts.unconverted_pre_sales > 0:
        findings.append(
            Finding(
                "acquisition.unconverted_pre_sales",
                "info",
                {"cost": parts.unconverted_pre_sales},
            )
        )
    return findings
