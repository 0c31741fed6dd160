"""Lifetime value, LTV/CAC and CAC payback (docs/metrics.md §4).

Per account with positive revenue in the analysis window::

    LTV = Σ_{t=1..H} m · S(t) / (1+d)^t
    ltv_to_cac = LTV / CAC                       (healthy ≥ ltv.healthy_ltv_to_cac, 3)
    payback_months = CAC / monthly gross profit

- ``m``, the yearly contribution: the window contribution of §3
  (:func:`keyaccount.analyses.profitability.account_pnl`) × 12 / exposure months, where the
  exposure is the window length, or — for an account acquired inside the window — the months
  since its first commercial invoice (its first month counted whole, at least
  ``MIN_EXPOSURE_MONTHS`` so one first order is not multiplied by twelve). Monthly gross
  profit is the window gross profit / exposure months.
- ``S(t)``: Kaplan–Meier survival after t years of the account's segment (``ltv.segment``,
  industry by default) on the churn-gap customer lifetimes of §5, older customers entering
  late (:func:`keyaccount.models.lifetimes.account_lifetimes` and ``lifetime_survival``); a
  segment with fewer than ``ltv.min_segment_lifetimes`` lifetimes, or an account with no
  segment, takes the curve of all accounts. Past the longest observed lifetime ``L`` the
  curve continues at its average yearly survival, ``S(t) = S(L)^{t/L}``
  (``survival_tail = "geometric"``), or holds ``S(L)`` (``"flat"``). S(t) is the survival of
  a new customer — the LTV of an account as if acquired today, which is what LTV/CAC
  compares with its acquisition cost.
- ``d``, ``H``: ``ltv.discount_rate`` (10%) and ``ltv.horizon_years`` (10).
- CAC: :func:`keyaccount.analyses.acquisition.account_cac`. Accounts with no known CAC
  (customers from before the data) have an LTV but no ratio. A segment's and the company's
  LTV/CAC is Σ LTV / Σ CAC over their accounts with a known CAC (NaN when Σ CAC ≤ 0).
- Payback: NaN when the monthly gross profit is not positive (it never pays back) or the CAC
  is unknown; 0 when the CAC is not positive.

For buying without contracts the result also holds the BG/NBD + Gamma-Gamma forecast
(:mod:`keyaccount.models.btyd`) of each account's purchases and spend over the next
``ltv.forecast_months``, fitted on purchase days (days with a commercial line of positive
amount) up to the as-of date, in weeks (:func:`account_rfm`); an account's history starts at
its first purchase day in the data (customers from before the data are left-truncated, a
known approximation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, plain
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.money import UNITS
from keyaccount.config import LtvSettings

ALL = "(all)"  # the curve and segment of all accounts
UNKNOWN_SEGMENT = "(unknown)"
MIN_EXPOSURE_MONTHS = 3
MONTHS_PER_YEAR = 12.0
DAYS_PER_MONTH = 365.25 / MONTHS_PER_YEAR
WEEK = 7.0

Amount = TypeVar("Amount", float, np.ndarray, pd.Series)


# --- Formulas --------------------------------------------------------------------------------


def discounted_survival(
    survival: Sequence[float] | np.ndarray, discount_rate: float, horizon: int
) -> float:
    """``Σ_{t=1..H} S(t) / (1+d)^t``: the LTV of one unit of yearly contribution.

    ``survival[0]`` is S(1), the survival after one year; it needs at least ``horizon`` values.
    """
    s = np.asarray(survival, dtype=float)
    if horizon < 1 or len(s) < horizon:
        raise ValueError(f"need S(1)…S({horizon}); got {len(s)} survival values")
    if discount_rate <= -1:
        raise ValueError("the discount rate must be above −100%")
    years = np.arange(1, horizon + 1)
    return float(np.sum(s[:horizon] / (1.0 + discount_rate) ** years))


def ltv(
    yearly_contribution: Amount,
    survival: Sequence[float] | np.ndarray,
    discount_rate: float,
    horizon: int,
) -> Amount:
    """``LTV = Σ_{t=1..H} m · S(t) / (1+d)^t`` for a yearly contribution ``m`` (or many)."""
    return yearly_contribution * discounted_survival(survival, discount_rate, horizon)


def yearly_survival(
    fitted: pd.Series | Sequence[float] | np.ndarray,
    horizon: int,
    longest_years: float,
    tail: str = "geometric",
) -> np.ndarray:
    """S(1)…S(H) from a fitted yearly curve, extended past the longest observed lifetime.

    ``fitted`` holds S(1), S(2), … (Kaplan–Meier read at whole years, flat past the longest
    lifetime ``L = longest_years``). For years t > L, ``tail="geometric"`` gives
    ``S(L)^{t/L}`` — the curve goes on losing customers at its average yearly rate — and
    ``"flat"`` keeps ``S(L)`` (nobody is ever lost after the longest lifetime seen).
    """
    values = np.asarray(fitted, dtype=float)
    if len(values) < horizon:
        raise ValueError(f"need S(1)…S({horizon}); got {len(values)} survival values")
    out = values[:horizon].copy()
    years = np.arange(1, horizon + 1, dtype=float)
    beyond = years > longest_years
    if tail not in ("geometric", "flat"):
        raise ValueError(f"unknown survival tail {tail!r}")
    if tail == "geometric" and beyond.any() and longest_years > 0:
        at_longest = out[beyond][0]  # the curve is flat from L on: this is S(L)
        out[beyond] = at_longest ** (years[beyond] / longest_years)
    return out


def ltv_to_cac(ltv_value: pd.Series, cac: pd.Series) -> pd.Series:
    """``LTV / CAC``; NaN when the CAC is unknown or not positive."""
    c = cac.astype(float)
    return ltv_value.astype(float) / c.where(c > 0)


def median_or_nan(values: pd.Series) -> float:
    """Median of the known values; NaN (and no warning) when there are none."""
    known = values.dropna()
    return float(known.median()) if len(known) else math.nan


def payback_months(cac: pd.Series, monthly_gross_profit: pd.Series) -> pd.Series:
    """``CAC / monthly gross profit``.

    0 for CAC ≤ 0; NaN when the CAC is unknown or the gross profit is not positive (it never
    pays back).
    """
    c, g = cac.astype(float), monthly_gross_profit.astype(float)
    months = c / g.where(g > 0)
    return months.where(~(c <= 0), 0.0)


def pooled_ratio(ltv_value: pd.Series, cac: pd.Series) -> tuple[float, float, float, int]:
    """(Σ LTV, Σ CAC, Σ LTV / Σ CAC, accounts) over the accounts with a known CAC and LTV."""
    known = cac.notna() & ltv_value.notna()
    total_ltv, total_cac = float(ltv_value[known].sum()), float(cac[known].sum())
    ratio = total_ltv / total_cac if total_cac > 0 else math.nan
    return total_ltv, total_cac, ratio, int(known.sum())


def exposure_months(months_since_acquired: pd.Series, window: int) -> pd.Series:
    """Months of the window an account could buy in: ``clip(months since + 1, 3, window)``."""
    months = months_since_acquired.fillna(window).astype(float) + 1.0
    return months.clip(lower=min(MIN_EXPOSURE_MONTHS, window), upper=window)


def segment_curves(
    lifetimes: pd.DataFrame,
    min_lifetimes: int,
    fit: Callable[[pd.DataFrame, int], pd.Series],
    horizon: int,
    tail: str = "geometric",
) -> dict[str, np.ndarray]:
    """Yearly survival S(1)…S(H) of ``(all)`` and of each segment with ≥ ``min_lifetimes``.

    ``lifetimes`` has segment and duration (months) and whatever ``fit`` needs;
    ``fit(lifetimes, horizon)`` returns the Kaplan–Meier S(1…H) of a set of lifetimes
    (:func:`keyaccount.models.lifetimes.lifetime_survival`). Each curve is extended past its
    own longest lifetime by :func:`yearly_survival`.
    """

    def curve(group: pd.DataFrame) -> np.ndarray:
        longest = float(group.duration.max()) / MONTHS_PER_YEAR
        return yearly_survival(fit(group, horizon), horizon, longest, tail)

    curves = {ALL: curve(lifetimes)}
    for segment, group in lifetimes.groupby("segment", sort=True):
        if str(segment) not in (ALL, UNKNOWN_SEGMENT) and len(group) >= min_lifetimes:
            curves[str(segment)] = curve(group)
    return curves


def segment_table(accounts: pd.DataFrame, healthy: float) -> pd.DataFrame:
    """Per segment: accounts, LTV, CAC and Σ LTV / Σ CAC over those with a known CAC."""
    rows = []
    for segment, group in accounts.groupby("segment", sort=True):
        total_ltv, total_cac, ratio, with_cac = pooled_ratio(group.ltv, group.cac)
        rows.append(
            {
                "segment": str(segment),
                "curve": str(group.curve.iloc[0]),
                "accounts": len(group),
                "accounts_with_cac": with_cac,
                "ltv": float(group.ltv.sum()),
                "mean_ltv": float(group.ltv.mean()),
                "ltv_of_accounts_with_cac": total_ltv,
                "cac": total_cac,
                "ltv_to_cac": ratio,
                "healthy": bool(ratio >= healthy) if not math.isnan(ratio) else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "segment",
            "curve",
            "accounts",
            "accounts_with_cac",
            "ltv",
            "mean_ltv",
            "ltv_of_accounts_with_cac",
            "cac",
            "ltv_to_cac",
            "healthy",
        ],
    )


def survival_table(curves: dict[str, np.ndarray], discount_rate: float) -> pd.DataFrame:
    """Long table of the yearly survival of each curve and its discounted weight."""
    rows = [
        {
            "curve": name,
            "year": year,
            "survival": float(s),
            "discounted": float(s) / (1.0 + discount_rate) ** year,
        }
        for name, values in curves.items()
        for year, s in enumerate(values, start=1)
    ]
    return pd.DataFrame(rows, columns=["curve", "year", "survival", "discounted"])


# --- Inputs from the engine and the sibling analyses -----------------------------------------


def _lifetimes(
    ctx: AuditContext,
) -> tuple[pd.DataFrame, Callable[[pd.DataFrame, int], pd.Series]]:
    """The churn-gap lifetimes of §5 (months, with delayed entry) and their KM fit."""
    from keyaccount.models import lifetimes

    frame = lifetimes.account_lifetimes(ctx).copy()
    frame["account_id"] = frame.account_id.astype(str)
    return frame, lifetimes.lifetime_survival


def account_rfm(ctx: AuditContext) -> pd.DataFrame:
    """BTYD summary per account, in weeks, from purchase days up to the as-of date.

    A purchase day is a day with a commercial invoice line of positive amount (a credit note
    on the same day does not undo it). ``frequency`` = purchase days − 1; ``recency`` = last −
    first purchase day; ``T`` = as-of date − first purchase day; ``monetary`` = net commercial
    revenue up to the as-of date / purchase days, the mean spend per purchase day (0 with no
    repeat purchase, as :func:`keyaccount.models.btyd.rfm_summary`).

    Read from the purchase-day masks of the account-month facts (no second pass over the
    invoices): which is also why the mean spends over every purchase day, the first included —
    the first day's own amount is not in a monthly aggregate. Indexed by account_id.
    """
    from keyaccount.analyses.retention import monthly_revenue

    monthly = monthly_revenue(ctx)
    days = purchase_days(monthly.month, monthly.purchase_days)
    bought = monthly.purchase_days != 0
    code, size = monthly.code[bought], len(monthly.accounts)
    first = np.full(size, np.iinfo("int64").max)
    np.minimum.at(first, code, days.first[bought].astype("int64"))
    last = np.full(size, np.iinfo("int64").min)
    np.maximum.at(last, code, days.last[bought].astype("int64"))
    count = np.bincount(code, weights=days.count[bought], minlength=size)
    units = np.bincount(monthly.code, weights=monthly.units, minlength=size)
    accounts = np.flatnonzero(count)
    frequency = count[accounts].astype("int64") - 1
    spend = units[accounts] / UNITS / (frequency + 1)
    start, end = first[accounts], last[accounts]
    as_of = np.datetime64(ctx.as_of, "D").astype("int64")
    summary = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (end - start) / WEEK,
            "T": (as_of - start) / WEEK,
            "monetary": np.where(frequency > 0, spend, 0.0),
        },
        index=pd.Index(monthly.accounts[accounts].astype(str), name="account_id"),
    )
    return summary.sort_index()


@dataclass(frozen=True)
class PurchaseDays:
    """Per account-month row: its first and last purchase day and how many it holds."""

    first: np.ndarray
    last: np.ndarray
    count: np.ndarray


def purchase_days(month: np.ndarray, mask: np.ndarray) -> PurchaseDays:
    """Read the purchase-day bit masks of the facts (bit d − 1 set for day d of ``month``).

    ``month`` is ``year·12 + month − 1``. Rows without a purchase day get the month's first
    day for both dates and a count of 0.
    """
    mask = np.asarray(mask, dtype="int64")
    lowest = np.bitwise_count((mask & -mask) - 1).astype("int64")  # trailing zeros
    highest = np.floor(np.log2(np.maximum(mask, 1))).astype("int64")
    start = (np.asarray(month, dtype="int64") - 1970 * 12).astype("datetime64[M]")
    start = start.astype("datetime64[D]")
    empty = mask == 0
    return PurchaseDays(
        first=start + np.where(empty, 0, lowest),
        last=start + np.where(empty, 0, highest),
        count=np.bitwise_count(mask).astype("int64"),
    )


@dataclass(frozen=True)
class PurchaseForecast:
    """The BG/NBD + Gamma-Gamma forecast of each account over the next ``months``.

    ``accounts``: frequency, recency, T (weeks), monetary, p_alive, expected_purchases and,
    when the spend model is fitted, expected_spend (per purchase) and expected_value.
    """

    months: int
    accounts: pd.DataFrame
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float] | None


def purchase_forecast(ctx: AuditContext, settings: LtvSettings) -> PurchaseForecast | str:
    """The forecast, or the reason it was not made (too few repeat buyers, a failed fit)."""
    from keyaccount.models import btyd

    summary = account_rfm(ctx)
    repeat = int((summary.frequency > 0).sum())
    if repeat < settings.btyd_min_repeat_accounts:
        return "too_few_repeat_accounts"
    weeks = settings.forecast_months * DAYS_PER_MONTH / WEEK
    try:
        table, bgnbd, spend = btyd.purchase_forecast(
            summary, weeks, settings.btyd_min_repeat_accounts
        )
    except ValueError:
        return "fit_failed"
    fitted = {
        **btyd.parameters(bgnbd),
        "log_likelihood": bgnbd.log_likelihood,
        "converged": float(bgnbd.converged),
    }
    spent = None
    if spend is not None:
        spent = {
            **btyd.parameters(spend),
            "log_likelihood": spend.log_likelihood,
            "converged": float(spend.converged),
        }
    return PurchaseForecast(settings.forecast_months, table.reset_index(), fitted, spent)


# --- The analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LtvResult(Result):
    """Figures of §4 on lifetime value.

    ``accounts``: one row per account with window revenue: segment, curve, revenue,
    gross_profit, contribution, exposure_months, yearly_contribution, monthly_gross_profit,
    ltv, acquired_on, cac, cac_basis, ltv_to_cac, healthy, payback_months. ``segments``: see
    :func:`segment_table`. ``survival``: S(1…H) and S(t)/(1+d)^t of every curve used.
    ``company_*``: Σ LTV / Σ CAC over the accounts with a known CAC.
    """

    discount_rate: float
    horizon_years: int
    healthy_ltv_to_cac: float
    segment_by: str
    accounts: pd.DataFrame
    segments: pd.DataFrame
    survival: pd.DataFrame
    company_ltv: float
    company_cac: float
    company_ltv_to_cac: float
    company_healthy: bool | None
    accounts_with_cac: int
    median_payback_months: float
    purchase_forecast: PurchaseForecast | None


def run(ctx: AuditContext) -> LtvResult:
    """LTV, LTV/CAC and CAC payback of every account with revenue in the window."""
    from keyaccount.analyses.acquisition import account_cac, months_before
    from keyaccount.analyses.profitability import account_pnl

    settings = ctx.settings.ltv
    accounts = _accounts(ctx, account_pnl(ctx), account_cac(ctx), settings)
    months_since = months_before(pd.Series(accounts.acquired_on), ctx.as_of)
    accounts["exposure_months"] = exposure_months(months_since, ctx.window)
    accounts["yearly_contribution"] = accounts.contribution * 12.0 / accounts.exposure_months
    accounts["monthly_gross_profit"] = accounts.gross_profit / accounts.exposure_months

    lifetimes, fit = _lifetimes(ctx)
    segment_of = _segments(ctx, settings.segment)
    lifetimes["segment"] = lifetimes.account_id.map(segment_of).fillna(UNKNOWN_SEGMENT)
    curves = segment_curves(
        lifetimes,
        settings.min_segment_lifetimes,
        fit,
        settings.horizon_years,
        settings.survival_tail,
    )
    factor = {
        name: discounted_survival(s, settings.discount_rate, settings.horizon_years)
        for name, s in curves.items()
    }
    accounts["curve"] = accounts.segment.where(accounts.segment.isin(list(curves)), ALL)
    accounts["ltv"] = accounts.yearly_contribution * accounts.curve.map(factor)
    accounts["ltv_to_cac"] = ltv_to_cac(accounts.ltv, accounts.cac)
    accounts["healthy"] = (accounts.ltv_to_cac >= settings.healthy_ltv_to_cac).where(
        accounts.ltv_to_cac.notna()
    )
    accounts["payback_months"] = payback_months(accounts.cac, accounts.monthly_gross_profit)
    accounts = accounts[list(ACCOUNT_COLUMNS)]

    segments = segment_table(accounts, settings.healthy_ltv_to_cac)
    segments.insert(
        3,
        "lifetimes",
        segments.segment.map(lifetimes.groupby("segment").size()).fillna(0).astype(int),
    )
    total_ltv, total_cac, ratio, with_cac = pooled_ratio(accounts.ltv, accounts.cac)
    healthy = None if math.isnan(ratio) else bool(ratio >= settings.healthy_ltv_to_cac)
    payback = accounts.payback_months.dropna()
    forecast = purchase_forecast(ctx, settings)
    findings = _findings(accounts, segments, total_ltv, total_cac, ratio, settings, forecast)
    return LtvResult(
        findings=tuple(findings),
        discount_rate=settings.discount_rate,
        horizon_years=settings.horizon_years,
        healthy_ltv_to_cac=settings.healthy_ltv_to_cac,
        segment_by=settings.segment,
        accounts=accounts,
        segments=segments,
        survival=survival_table(curves, settings.discount_rate),
        company_ltv=total_ltv,
        company_cac=total_cac,
        company_ltv_to_cac=ratio,
        company_healthy=healthy,
        accounts_with_cac=with_cac,
        median_payback_months=median_or_nan(payback),
        purchase_forecast=forecast if isinstance(forecast, PurchaseForecast) else None,
    )


ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "segment",
    "curve",
    "revenue",
    "gross_profit",
    "contribution",
    "exposure_months",
    "yearly_contribution",
    "monthly_gross_profit",
    "ltv",
    "acquired_on",
    "cac",
    "cac_basis",
    "ltv_to_cac",
    "healthy",
    "payback_months",
)


def _segments(ctx: AuditContext, segment: str) -> pd.Series:
    """Segment of every account (``(unknown)`` when missing, ``(all)`` when not segmenting)."""
    attrs = ctx.account_frame()
    index = attrs.account_id
    if segment == "all":
        return pd.Series(ALL, index=index)
    values = attrs[segment].where(attrs[segment].notna() & (attrs[segment] != ""))
    return pd.Series(values.fillna(UNKNOWN_SEGMENT).astype(str).to_numpy(), index=index)


def _accounts(
    ctx: AuditContext, pnl: pd.DataFrame, cac: pd.DataFrame, settings: LtvSettings
) -> pd.DataFrame:
    active = pnl[pnl.revenue > 0][["account_id", "revenue", "gross_profit", "contribution"]]
    names = ctx.account_frame()[["account_id", "name"]]
    out = active.merge(names, on="account_id", how="left")
    out["segment"] = out.account_id.map(_segments(ctx, settings.segment)).fillna(UNKNOWN_SEGMENT)
    out = out.merge(
        cac[["account_id", "acquired_on", "cac", "cac_basis"]], on="account_id", how="left"
    )
    for column in ("revenue", "gross_profit", "contribution", "cac"):
        out[column] = out[column].astype(float)
    return out


def _findings(
    accounts: pd.DataFrame,
    segments: pd.DataFrame,
    total_ltv: float,
    total_cac: float,
    ratio: float,
    settings: LtvSettings,
    forecast: PurchaseForecast | str,
) -> list[Finding]:
    healthy = settings.healthy_ltv_to_cac
    findings = [
        Finding(
            "ltv.ltv_to_cac",
            "info",
            {
                "ltv_to_cac": plain(ratio),
                "ltv": total_ltv,
                "cac": total_cac,
                "threshold": healthy,
                "median_payback_months": plain(median_or_nan(accounts.payback_months)),
            },
        )
    ]
    if not math.isnan(ratio) and ratio < healthy:
        findings.append(
            Finding(
                "ltv.ltv_to_cac_unhealthy", "alert", {"ltv_to_cac": ratio, "threshold": healthy}
            )
        )
    if settings.segment != "all":
        weak = segments[segments.ltv_to_cac < healthy].sort_values("ltv_to_cac")
        findings.extend(
            Finding(
                "ltv.segment_ltv_to_cac_unhealthy",
                "warning",
                {
                    "ltv_to_cac": float(row.ltv_to_cac),
                    "threshold": healthy,
                    "accounts": int(row.accounts_with_cac),
                },
                (str(row.segment),),
            )
            for row in weak.itertuples(index=False)
        )
    below = accounts[accounts.ltv_to_cac < 1].sort_values("ltv_to_cac", kind="mergesort")
    if len(below):
        findings.append(
            Finding(
                "ltv.ltv_below_cac",
                "warning",
                {
                    "accounts": len(below),
                    "cac": float(below.cac.sum()),
                    "ltv": float(below.ltv.sum()),
                },
                tuple(below.account_id),
            )
        )
    if isinstance(forecast, str):
        findings.append(Finding("ltv.purchase_forecast_skipped", "info", {"reason": forecast}))
    return findings
