"""Days as numbers since 1970-01-01, vectorised month arithmetic, and the history's calendar."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr

_EPOCH = date(1970, 1, 1)
_MONTH_WEIGHT = np.array([0.85, 0.55, 1.0, 1.0, 1.0, 1.15, 0.95, 0.95, 1.05, 0.9, 1.05, 1.35])
_WEEKDAY_WEIGHT = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.12, 0.04])  # Monday first


def day_number(d: date) -> int:
    """Days since 1970-01-01 of a date."""
    return (d - _EPOCH).days


def _date(day: int | np.integer[Any]) -> date:
    return _EPOCH + timedelta(days=int(day))


def iso(day: int | np.integer[Any]) -> str:
    """A day number as an ISO date (2024-03-05)."""
    return _date(day).isoformat()


def _add_months(d: date, months: int) -> date:
    """``d`` plus calendar months, the day clipped to the month's end (2024-03-31 - 1 = 02-29)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def ymd(days: Arr) -> tuple[Arr, Arr, Arr]:
    """Year, month and day of each day number (days since 1970-01-01)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    years = d.astype("datetime64[Y]")
    return (
        years.astype(np.int64) + 1970,
        (months - years.astype("datetime64[M]")).astype(np.int64) + 1,
        (d - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def month_index(days: Arr) -> Arr:
    """Months since 1970-01 of each day number."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def month_start(months: Arr) -> Arr:
    """The first day of each month index."""
    return (
        np.asarray(months, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def add_months_days(days: Arr, months: Arr) -> Arr:
    """Vectorised :func:`_add_months` on day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    offset = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(offset, length - 1)


@dataclass(frozen=True)
class Calendar:
    """The history: its days, the twelve-month windows back from the as-of date, seasonality."""

    start: int  # first day of the history
    end: int  # the as-of date: the last invoice date
    windows: tuple[tuple[int, int], ...]  # (first, last) day of each window, the TTM first
    crm_start: int  # the CRM went live a year into the history
    weight: Arr  # invoicing weight of each day from start to end (season, weekday)
    cdf: Arr

    @property
    def ttm(self) -> tuple[int, int]:
        """First and last day of the trailing twelve months."""
        return self.windows[0]

    @property
    def prior(self) -> tuple[int, int]:
        """First and last day of the twelve months before the TTM."""
        return self.windows[1]

    def window_of(self, days: Arr) -> Arr:
        """Index of the twelve-month window holding each day (0 = TTM); -1 outside."""
        starts = np.array([w[0] for w in reversed(self.windows)])
        pos = np.searchsorted(starts, days, side="right") - 1
        k = len(self.windows) - 1 - pos
        return np.where((pos >= 0) & (days <= self.end), k, -1)


def history_calendar(end: date, years: int) -> Calendar:
    """The calendar of ``years`` twelve-month windows ending at ``end``."""
    windows = tuple(
        (day_number(_add_months(end, -12 * (k + 1))) + 1, day_number(_add_months(end, -12 * k)))
        for k in range(years)
    )
    start = windows[-1][0]
    days = np.arange(start, day_number(end) + 1)
    _, month, _ = ymd(days)
    weight = _MONTH_WEIGHT[month - 1] * _WEEKDAY_WEIGHT[(days + 3) % 7]
    return Calendar(start, day_number(end), windows, windows[-2][0], weight, np.cumsum(weight))


def sample_days(rng: np.random.Generator, cal: Calendar, lo: Arr, hi: Arr) -> Arr:
    """One day in each [lo, hi] (inclusive), following the seasonal weights."""
    a = np.asarray(lo, dtype=np.int64) - cal.start
    b = np.asarray(hi, dtype=np.int64) - cal.start
    low = cal.cdf[a] - cal.weight[a]
    u = low + rng.random(len(a)) * (cal.cdf[b] - low)
    return cal.start + np.clip(np.searchsorted(cal.cdf, u, side="left"), a, b)
