"""The churn-risk model of docs/metrics.md §7: features at a cut-off, labels, fit, backtest.

Pure functions over local frames (one row per account and calendar month, per survey, per
interaction day…; the engine builds them in :mod:`keyaccount.analyses.churn`). Time is counted
in the context's calendar months back from the as-of date: month ``k`` holds the dates in
(as_of − (k+1) months, as_of − k months]. A **cut-off** ``c`` is the end of month ``c`` (the
date :func:`cutoff_date`); "before T" means the months ``c, c+1, …``, "after T" the months
``c−1, c−2, …``. Cut-offs are quarter ends counted back from the as-of date (calendar quarter
ends when the as-of date is one).

**Features at T** (only data dated ≤ T; ``R[a, b)`` is commercial revenue in months a…b−1
back from T, ``O`` the commercial invoices with a positive amount, ``Δ(x, y) = (x − y) /
(x + y)`` with both floored at 0 and Δ = 0 when both are 0, a change bounded in [−1, 1]):

- ``recency_days``: days from the last positive commercial invoice to T;
- ``orders_ttm``: log(1 + O over the 12 months before T); ``orders_trend`` Δ(O last 6 months,
  O the 6 before);
- ``revenue_level``: log(1 + R[0, 12)); ``revenue_trend_6m`` Δ(R[0, 6), R[6, 12));
  ``revenue_trend_ttm`` Δ(R[0, 12), R[12, 24));
- ``wallet_share_trend`` (wallet table): share of the latest wallet year ended by T minus that
  of the year before; wallet year Y is the twelve months ending on the as-of day and month of
  year Y (as silent traitors read it), its share = revenue of those months / category spend;
- ``satisfaction`` (surveys): the latest score up to T on 0–1 (CSAT (s − 1) / 4, NPS s / 10);
  answers of the same latest day are averaged;
- ``active_departments`` (contacts + interactions): core departments with an interaction in
  (T − active_days, T]; observed only once the interactions reach back ``active_days`` before T;
- ``payment_days_trend`` (invoices with paid dates): amount-weighted mean days to pay of the
  invoices paid in the last 6 months before T minus that of those paid in the 6 before;
- ``tenure_years``: years from the relationship's first day (customers.first_date, else the
  first commercial invoice) to T;
- ``product_lines``: product lines with positive revenue in the 12 months before T.

A source the company did not give removes its feature (absent, not zero). Where a source exists
but says nothing about an account at T (no survey yet, no wallet estimate, no paid invoice in a
window), the value is imputed with the training median and a ``<feature>_missing`` indicator is
set — missing is itself a signal, never a zero.

**Population and label at T**: accounts active in the 12 months before T (R[0, 12) > 0). The
label is 1 when the account churned — no positive commercial revenue in (T, T + horizon] — or
contracted: revenue in (T, T + horizon] ≤ (1 − contraction) × R[0, 12) × horizon / 12 (the
twelve months before T scaled to the horizon's length).

**Backtest** (time split, never random): the test cut-off is T_test = as_of − horizon, the
latest whose label is complete; the model is trained on the cut-offs T ≤ T_test − horizon,
whose labels were fully observed at T_test. A cut-off is usable when the data reach back 24
months before it (the longest feature window). Reported: ROC-AUC on T_test, the ROC-AUC of a
recency-only baseline (ranking by ``recency_days``) on the same accounts, the Brier score and a
calibration table (five equal-count bins of predicted probability: mean prediction against
observed rate). With fewer than ``min_train_cutoffs`` training cut-offs, or a single class in
training or test, the model does not rank (``status`` says why).

**The classifier**: a standardised L2 logistic regression (C = 1). Chosen over gradient
boosting because a few hundred accounts per cut-off suit a model with few parameters, its
log-loss fit gives probabilities that need no recalibration (the Monte-Carlo stress test uses
them as they are), and each account's score splits exactly into per-feature contributions
``coefficient × standardised value`` — the "top contributing factors" of §7. For scoring it is
refitted on every usable cut-off with a complete label and applied at the as-of date.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # scikit-learn is imported where a model is fitted (~1.5 s to import)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

YEAR_MONTHS = 12
HALF_YEAR = 6
QUARTER = 3
HISTORY_MONTHS = 24  # the longest feature window: TTM against the prior TTM
CALIBRATION_BINS = 5
DAYS_PER_YEAR = 365.25

CORE_FEATURES = (
    "recency_days",
    "orders_ttm",
    "orders_trend",
    "revenue_level",
    "revenue_trend_6m",
    "revenue_trend_ttm",
    "tenure_years",
)
OPTIONAL_FEATURES = (  # each needs a source table; may be missing for an account
    "wallet_share_trend",
    "satisfaction",
    "active_departments",
    "payment_days_trend",
)
BREADTH_FEATURE = "product_lines"

PAYMENTS, PRODUCT_LINES = "payments", "product_lines"
# The per-account sums of a cut-off every feature and label is computed from (see
# :func:`cutoff_windows`); the engine computes them for every cut-off in one pass.
WINDOW_COLUMNS = (
    "revenue_0_6",
    "revenue_6_12",
    "revenue_ttm",
    "revenue_prior_ttm",
    "revenue_after",
    "orders_0_6",
    "orders_6_12",
    "orders_ttm",
    "orders_prior_ttm",
    "last_day",
    "wallet_revenue_recent",
    "wallet_revenue_prior",
    "paid_amount_0_6",
    "paid_days_0_6",
    "paid_amount_6_12",
    "paid_days_6_12",
    "product_lines",
)

OK = "ok"
TOO_LITTLE_HISTORY = "too_little_history"
SINGLE_CLASS = "single_class"


# --- Time ------------------------------------------------------------------------------------


def cutoff_date(as_of: date, back: int) -> date:
    """The last day of month index ``back``: ``as_of − back`` months, the day clamped.

    With an as-of date of 2026-09-30, back 12 → 2025-09-30 and back 7 → 2026-02-28.
    """
    months = as_of.year * YEAR_MONTHS + as_of.month - 1 - back
    year, month = divmod(months, YEAR_MONTHS)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(as_of.day, last))


def change(recent: pd.Series, before: pd.Series) -> pd.Series:
    """``Δ = (x − y) / (x + y)`` with both floored at 0; 0 when both are 0. In [−1, 1]."""
    x, y = recent.clip(lower=0.0), before.clip(lower=0.0)
    total = x + y
    return ((x - y) / total.where(total > 0)).fillna(0.0)


# --- The history the features read -----------------------------------------------------------


@dataclass(frozen=True)
class History:
    """What the features read, as local frames (``account_id`` as text everywhere).

    ``months``: account_id, back, revenue (commercial, credit notes netted), orders
    (commercial invoices with a positive amount), last_day (latest such invoice, NaT when
    none) — one row per account and month with a commercial invoice. ``first_day``: the
    relationship's first day per account. ``observed_months``: months of data back from the
    as-of date. The optional frames are None when their source is absent:
    ``product_lines`` (account_id, back, product_line, revenue), ``payments`` (account_id,
    back of the paid date, amount, amount_days = Σ amount × days to pay), ``surveys``
    (account_id, date, satisfaction in 0–1, satisfied), ``interactions`` (account_id, date,
    department; core departments only), ``wallet`` (account_id, year, spend).

    ``windows``, when given, holds the :func:`cutoff_windows` of every cut-off the model
    reads, computed elsewhere (the engine, in one pass: ``analyses/churn.py``); ``months``,
    ``product_lines`` and ``payments`` are then not needed, and ``window_sources`` names
    which of the payments and product-line sources exist; their revenue_after is
    R[−windows_horizon, 0), the label's horizon.
    """

    as_of: date
    months: pd.DataFrame | None
    first_day: pd.Series
    observed_months: int
    product_lines: pd.DataFrame | None = None
    payments: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    wallet: pd.DataFrame | None = None
    active_days: int = 180
    windows: Mapping[int, pd.DataFrame] | None = None
    window_sources: frozenset[str] = frozenset()
    windows_horizon: int = 0

    def has(self, source: str) -> bool:
        """Whether the payments or the product-line source exists."""
        frame = self.payments if source == PAYMENTS else self.product_lines
        return frame is not None or source in self.window_sources

    def features(self) -> tuple[str, ...]:
        """The features this history supports, in a fixed order."""
        optional = {
            "wallet_share_trend": self.wallet is not None,
            "satisfaction": self.surveys is not None,
            "active_departments": self.interactions is not None,
            "payment_days_trend": self.has(PAYMENTS),
        }
        names = list(CORE_FEATURES)
        names += [name for name in OPTIONAL_FEATURES if optional[name]]
        if self.has(PRODUCT_LINES):
            names.append(BREADTH_FEATURE)
        return tuple(names)

    def windows_at(self, back: int) -> pd.DataFrame:
        """The :func:`cutoff_windows` of cut-off ``back`` (precomputed when given)."""
        if self.windows is None:
            return cutoff_windows(self, back)
        if back not in self.windows:
            raise KeyError(f"no precomputed windows for cut-off {back}")
        return self.windows[back]

    def usable(self, back: int) -> bool:
        """Whether the data reach back the 24 months the features of cut-off ``back`` read."""
        return back + HISTORY_MONTHS <= self.observed_months


def with_account_codes(months: pd.DataFrame) -> pd.DataFrame:
    """``months`` with ``code``: each account's position among the sorted account ids.

    :func:`window_sum` runs a hundred times and more per audit; summing over integer codes
    with ``np.bincount`` instead of grouping text ids makes it an order of magnitude faster
    on large customer bases.
    """
    codes, _ = pd.factorize(months.account_id, sort=True)
    return months.assign(code=codes)


def window_sum(frame: pd.DataFrame, column: str, start: int, months: int) -> pd.Series:
    """Σ ``column`` per account over the months ``start … start + months − 1`` back.

    Indexed by the sorted ids of the accounts with a row in those months.
    """
    back = frame.back.to_numpy()
    inside = (back >= start) & (back < start + months)
    if "code" not in frame.columns:
        return frame[inside].groupby("account_id")[column].sum()
    codes = frame.code.to_numpy()[inside]
    present, first_row = np.unique(codes, return_index=True)  # sorted codes = sorted ids
    values = frame[column].to_numpy(dtype=float)[inside]
    sums = np.bincount(codes, weights=values)[present]
    ids = frame.account_id.to_numpy()[inside][first_row]
    return pd.Series(sums, index=pd.Index(ids, name="account_id"), name=column)


def population(history: History, back: int) -> pd.Index:
    """Accounts active in the 12 months before cut-off ``back`` (sorted account ids)."""
    return history.windows_at(back).index


def wallet_start(back: int) -> int:
    """Month index where the latest wallet year ended by cut-off ``back`` starts: 12·⌈back/12⌉."""
    return YEAR_MONTHS * -(-back // YEAR_MONTHS)


def cutoff_windows(history: History, back: int) -> pd.DataFrame:
    """The sums of cut-off ``back`` per account of its population, from ``history.months``.

    The population is the accounts with revenue_ttm > 0, indexed by sorted account id.
    Columns (:data:`WINDOW_COLUMNS`; ``R``/``O`` as in the module docstring, months counted
    back from the cut-off): revenue_0_6 = R[0, 6), revenue_6_12, revenue_ttm = R[0, 12),
    revenue_prior_ttm = R[12, 24), revenue_after = R[−horizon, 0) is left to the label
    (NaN here: :func:`label_at` reads the months), orders_0_6, orders_6_12, orders_ttm,
    orders_prior_ttm (the same windows of O), last_day (the latest positive commercial
    invoice up to the cut-off), wallet_revenue_recent / wallet_revenue_prior (revenue of the
    twelve months from :func:`wallet_start` and of the twelve before, counted back from the
    as-of date; NaN without wallet estimates), paid_amount_0_6 / paid_days_0_6 /
    paid_amount_6_12 / paid_days_6_12 (Σ amount and Σ amount × days to pay of the invoices
    paid in those windows; NaN without any) and product_lines (product lines with positive
    revenue in R[0, 12)'s months; NaN without product lines). Windows with nothing in them
    are 0.

    This is the reference definition; the engine computes the same sums for every cut-off at
    once (:func:`keyaccount.analyses.churn.engine_windows`).
    """
    assert history.months is not None
    months = history.months[history.months.back >= back]
    ttm = window_sum(months, "revenue", back, YEAR_MONTHS)
    accounts = pd.Index(sorted(ttm.index[ttm > 0]), name="account_id")

    def total(frame: pd.DataFrame, column: str, start: int, length: int) -> pd.Series:
        sums = window_sum(frame, column, start, length)
        return sums.reindex(accounts, fill_value=0).astype(float)

    out = pd.DataFrame(index=accounts)
    for name, column, start, length in (
        ("revenue_0_6", "revenue", 0, HALF_YEAR),
        ("revenue_6_12", "revenue", HALF_YEAR, HALF_YEAR),
        ("revenue_ttm", "revenue", 0, YEAR_MONTHS),
        ("revenue_prior_ttm", "revenue", YEAR_MONTHS, YEAR_MONTHS),
        ("orders_0_6", "orders", 0, HALF_YEAR),
        ("orders_6_12", "orders", HALF_YEAR, HALF_YEAR),
        ("orders_ttm", "orders", 0, YEAR_MONTHS),
        ("orders_prior_ttm", "orders", YEAR_MONTHS, YEAR_MONTHS),
    ):
        out[name] = total(months, column, back + start, length)
    out["revenue_after"] = np.nan
    out["last_day"] = months.groupby("account_id").last_day.max().reindex(accounts)
    start = wallet_start(back)
    for name, first in (("wallet_revenue_recent", start), ("wallet_revenue_prior", start + 12)):
        wallet = history.wallet is not None
        out[name] = total(history.months, "revenue", first, YEAR_MONTHS) if wallet else np.nan
    for first, suffix in ((back, "0_6"), (back + HALF_YEAR, "6_12")):
        if history.payments is None:
            amount = days = pd.Series(np.nan, index=accounts)
        else:
            amount = window_sum(history.payments, "amount", first, HALF_YEAR).reindex(accounts)
            days = window_sum(history.payments, "amount_days", first, HALF_YEAR)
            days = days.reindex(accounts)
        out[f"paid_amount_{suffix}"] = amount.astype(float)
        out[f"paid_days_{suffix}"] = days.astype(float)
    lines = history.product_lines
    out["product_lines"] = product_breadth(lines, back, accounts) if lines is not None else np.nan
    return out[list(WINDOW_COLUMNS)]


# --- Features --------------------------------------------------------------------------------


def features_at(history: History, back: int) -> pd.DataFrame:
    """The features of every account of the population at cut-off ``back``.

    Indexed by account id (sorted); one column per feature of :meth:`History.features` (NaN
    where the source says nothing), plus the raw facts the rule-based signals read:
    revenue_ttm, revenue_prior_ttm, orders_ttm_count, orders_prior_ttm_count, orders_6m,
    satisfied. Computed from the cut-off's :func:`cutoff_windows`.
    """
    windows = history.windows_at(back)
    accounts = windows.index
    cutoff = pd.Timestamp(cutoff_date(history.as_of, back))

    def total(column: str) -> pd.Series:
        return windows[column].fillna(0).astype(float)

    out = pd.DataFrame(index=accounts)
    last = pd.to_datetime(windows.last_day)
    out["recency_days"] = (cutoff - last).dt.days.astype(float)
    orders_ttm, orders_prior = total("orders_ttm"), total("orders_prior_ttm")
    orders_6m, orders_6m_before = total("orders_0_6"), total("orders_6_12")
    out["orders_ttm"] = np.log1p(orders_ttm)
    out["orders_trend"] = change(orders_6m, orders_6m_before)
    revenue_ttm, revenue_prior = total("revenue_ttm"), total("revenue_prior_ttm")
    out["revenue_level"] = np.log1p(revenue_ttm.clip(lower=0.0))
    out["revenue_trend_6m"] = change(total("revenue_0_6"), total("revenue_6_12"))
    out["revenue_trend_ttm"] = change(revenue_ttm, revenue_prior)
    first = pd.to_datetime(history.first_day.reindex(accounts))
    out["tenure_years"] = ((cutoff - first).dt.days / DAYS_PER_YEAR).clip(lower=0.0)
    if history.wallet is not None:
        out["wallet_share_trend"] = wallet_share_trend(history, back, windows)
    satisfied = pd.Series(np.nan, index=accounts, dtype=object)
    if history.surveys is not None:
        out["satisfaction"], satisfied = latest_satisfaction(history.surveys, cutoff, accounts)
    if history.interactions is not None:
        out["active_departments"] = active_departments(history, cutoff, accounts)
    if history.has(PAYMENTS):
        out["payment_days_trend"] = payment_days_trend(windows)
    if history.has(PRODUCT_LINES):
        out[BREADTH_FEATURE] = total("product_lines")
    out = out[list(history.features())]
    out["revenue_ttm"], out["revenue_prior_ttm"] = revenue_ttm, revenue_prior
    out["orders_ttm_count"], out["orders_prior_ttm_count"] = orders_ttm, orders_prior
    out["orders_6m"] = orders_6m
    out["satisfied"] = satisfied
    return out


def wallet_share_trend(history: History, back: int, windows: pd.DataFrame) -> pd.Series:
    """Share of the latest wallet year ended by the cut-off minus the year before's.

    Wallet year Y covers the months ``12·(as_of.year − Y) … + 11`` back; the latest ended by
    cut-off ``back`` starts at ``12·⌈back / 12⌉``. NaN without both estimates (or data).
    ``windows``: the cut-off's :func:`cutoff_windows` (its wallet-year revenue).
    """
    assert history.wallet is not None
    accounts = windows.index
    start = wallet_start(back)
    year = history.as_of.year - start // YEAR_MONTHS
    spend = {
        int(y): part.groupby("account_id").spend.sum() for y, part in history.wallet.groupby("year")
    }

    def share(first: int, wallet_year: int, column: str) -> pd.Series:
        if first + YEAR_MONTHS > history.observed_months:
            return pd.Series(np.nan, index=accounts)
        revenue = windows[column].fillna(0).astype(float)
        estimate = spend.get(wallet_year, pd.Series(dtype=float)).reindex(accounts)
        return revenue / estimate.astype(float).where(estimate > 0)

    recent = share(start, year, "wallet_revenue_recent")
    return recent - share(start + YEAR_MONTHS, year - 1, "wallet_revenue_prior")


def latest_satisfaction(
    surveys: pd.DataFrame, cutoff: pd.Timestamp, accounts: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """Latest satisfaction (0–1) up to the cut-off, and whether it was satisfied (or NaN)."""
    known = surveys[pd.to_datetime(surveys.date) <= cutoff]
    known = known.assign(date=pd.to_datetime(known.date))
    latest_day = known.groupby("account_id").date.transform("max")
    latest = known[known.date == latest_day].groupby("account_id")
    score = latest.satisfaction.mean().reindex(accounts)
    satisfied = latest.satisfied.max().reindex(accounts).astype(object)
    return score.astype(float), satisfied


def active_departments(history: History, cutoff: pd.Timestamp, accounts: pd.Index) -> pd.Series:
    """Core departments with an interaction in (T − active_days, T]; NaN before the log does.

    The count is only known once the interactions reach back ``active_days`` before the
    cut-off (an account without any is then at 0).
    """
    assert history.interactions is not None
    days = pd.to_datetime(history.interactions.date)
    start = cutoff - pd.Timedelta(days=history.active_days)
    if days.empty or days.min() > start:
        return pd.Series(np.nan, index=accounts)
    recent = history.interactions[(days > start) & (days <= cutoff)]
    recent = recent[recent.department.notna()]
    counts = recent.groupby("account_id").department.nunique()
    return counts.reindex(accounts, fill_value=0).astype(float)


def payment_days_trend(windows: pd.DataFrame) -> pd.Series:
    """Mean days to pay of invoices paid in the last 6 months minus those paid in the 6 before.

    Amount-weighted; NaN when either half-year has no paid invoice. ``windows``: the
    cut-off's :func:`cutoff_windows` (paid amounts and amount × days per half-year).
    """

    def mean_days(suffix: str) -> pd.Series:
        amount = windows[f"paid_amount_{suffix}"].astype(float)
        days = windows[f"paid_days_{suffix}"].astype(float)
        return days / amount.where(amount > 0)

    return mean_days("0_6") - mean_days("6_12")


def product_breadth(lines: pd.DataFrame, back: int, accounts: pd.Index) -> pd.Series:
    """Product lines with positive commercial revenue in the 12 months before the cut-off."""
    inside = lines[(lines.back >= back) & (lines.back < back + YEAR_MONTHS)]
    per_line = inside.groupby(["account_id", "product_line"]).revenue.sum()
    bought = per_line[per_line > 0].groupby(level="account_id").size()
    return bought.reindex(accounts, fill_value=0).astype(float)


# --- Labels ----------------------------------------------------------------------------------


def label_at(history: History, back: int, horizon: int, contraction: float) -> pd.Series:
    """1 when an account of the population at ``back`` churned or contracted in the horizon.

    Needs ``back ≥ horizon`` (the horizon's months are then in the data).
    """
    if back < horizon:
        raise ValueError(f"the label of cut-off {back} needs {horizon} months after it")
    windows = history.windows_at(back)
    accounts = windows.index
    before = windows.revenue_ttm.astype(float)
    if history.windows is not None:  # the engine's windows carry R[−horizon, 0)
        if history.windows_horizon != horizon:
            raise ValueError(
                f"the windows were computed for a {history.windows_horizon}-month "
                f"horizon, not {horizon}"
            )
        after = windows.revenue_after.fillna(0).astype(float)
    else:
        assert history.months is not None
        after = window_sum(history.months, "revenue", back - horizon, horizon)
        after = after.reindex(accounts, fill_value=0).astype(float)
    churned = after <= 0
    contracted = after <= (1.0 - contraction) * before.astype(float) * horizon / YEAR_MONTHS
    return (churned | contracted).astype(int).rename("label")


# --- The classifier --------------------------------------------------------------------------


def design_columns(features: Sequence[str]) -> tuple[str, ...]:
    """The model's columns: the features, then a missing indicator per optional feature."""
    missing = [f"{f}_missing" for f in features if f in OPTIONAL_FEATURES]
    return (*features, *missing)


@dataclass(frozen=True)
class ChurnModel:
    """A fitted classifier: training medians for imputation and the scaler + regression."""

    features: tuple[str, ...]
    medians: dict[str, float]
    pipeline: Pipeline

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the model's input columns (features and missing indicators)."""
        return design_columns(self.features)

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix: features imputed with the training medians, then indicators."""
        values = frame[list(self.features)].astype(float)
        indicators = [
            values[f].isna().astype(float) for f in self.features if f in OPTIONAL_FEATURES
        ]
        filled = values.fillna(self.medians)
        return np.column_stack([filled.to_numpy(), *[i.to_numpy() for i in indicators]])

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Churn probability of each row."""
        return self.pipeline.predict_proba(self.matrix(frame))[:, 1]

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``coefficient × standardised value`` per row and column (the log-odds it adds)."""
        scaler: StandardScaler = self.pipeline[0]
        regression: LogisticRegression = self.pipeline[-1]
        z = scaler.transform(self.matrix(frame))
        return pd.DataFrame(z * regression.coef_[0], index=frame.index, columns=self.columns)

    def coefficients(self) -> pd.DataFrame:
        """The standardised coefficient of each column, largest magnitude first."""
        coef = self.pipeline[-1].coef_[0]
        table = pd.DataFrame({"column": self.columns, "coefficient": coef})
        order = np.lexsort((np.arange(len(coef)), -np.abs(coef)))
        return table.iloc[order].reset_index(drop=True)


def fit_model(
    frame: pd.DataFrame, labels: pd.Series, features: Sequence[str], seed: int
) -> ChurnModel:
    """Fit the standardised logistic regression on ``frame``'s features and the labels."""
    medians = {}
    for name in features:
        median = frame[name].astype(float).median()
        medians[name] = 0.0 if math.isnan(median) else float(median)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    )
    model = ChurnModel(tuple(features), medians, pipeline)
    pipeline.fit(model.matrix(frame), labels.to_numpy())
    return model


def top_factors(contributions: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """The ``count`` columns adding most to each row's risk (positive contributions only).

    Columns factor_1, effect_1, … (None / NaN when fewer push the risk up); ties by column
    order.
    """
    values = contributions.to_numpy(dtype=float)
    names = np.array(contributions.columns, dtype=object)
    order = np.argsort(-values, axis=1, kind="stable")
    rows = np.arange(len(values))
    out = pd.DataFrame(index=contributions.index)
    for k in range(count):
        if k < order.shape[1]:
            effect = values[rows, order[:, k]]
            name = names[order[:, k]].copy()
            name[effect <= 0] = None
            effect = np.where(effect > 0, effect, np.nan)
        else:
            name, effect = np.full(len(values), None, dtype=object), np.full(len(values), np.nan)
        out[f"factor_{k + 1}"] = pd.Series(name, index=out.index, dtype=object)
        out[f"effect_{k + 1}"] = effect
    return out


# --- Cut-offs and the backtest ---------------------------------------------------------------


@dataclass(frozen=True)
class CutoffPlan:
    """Which cut-offs (month indices back) train, test and refit the model."""

    test: int
    train: tuple[int, ...]
    refit: tuple[int, ...]


def cutoff_plan(history: History, horizon: int) -> CutoffPlan:
    """Test at ``horizon`` back; train on usable quarter steps ≥ 2 × horizon; refit on all ≥ h."""
    labelled = [c for c in range(horizon, history.observed_months, QUARTER) if history.usable(c)]
    return CutoffPlan(
        test=horizon,
        train=tuple(c for c in labelled if c >= 2 * horizon),
        refit=tuple(labelled),
    )


@dataclass
class LabelledCutoffs:
    """Features and labels per cut-off, each computed once (the refit reuses the training's)."""

    history: History
    horizon: int
    contraction: float
    _done: dict[int, tuple[pd.DataFrame, pd.Series]] = field(default_factory=dict)

    def one(self, back: int) -> tuple[pd.DataFrame, pd.Series]:
        """Features and labels of cut-off ``back``, both indexed by account_id (sorted)."""
        if back not in self._done:
            features = features_at(self.history, back)
            label = label_at(self.history, back, self.horizon, self.contraction)
            self._done[back] = (features, label)
        return self._done[back]

    def stacked(self, backs: Iterable[int]) -> tuple[pd.DataFrame, pd.Series]:
        """The features and labels of several cut-offs, rows ordered by cut-off then account.

        The features (the model's columns only) are indexed by account_id, the labels by
        cutoff (the same rows in the same order). Built column by column with numpy: a
        (account, cut-off) MultiIndex over a million rows costs more than the model.
        """
        backs = list(backs)
        names = list(self.history.features())
        parts = [self.one(back) for back in backs]
        if not parts:
            empty = pd.DataFrame(columns=names, index=pd.Index([], name="account_id"))
            return empty, pd.Series(dtype=int, index=pd.Index([], name="cutoff"), name="label")
        accounts = np.concatenate([p[0].index.to_numpy(dtype=object) for p in parts])
        frame = pd.DataFrame(
            {n: np.concatenate([p[0][n].to_numpy(dtype=float) for p in parts]) for n in names},
            index=pd.Index(accounts, name="account_id"),
        )
        sizes = [len(p[1]) for p in parts]
        labels = pd.Series(
            np.concatenate([p[1].to_numpy() for p in parts]),
            index=pd.Index(np.repeat(np.asarray(backs, dtype="int64"), sizes), name="cutoff"),
            name="label",
        )
        return frame, labels


def calibration_table(
    predicted: np.ndarray, observed: np.ndarray, keys: Sequence[str]
) -> pd.DataFrame:
    """Five equal-count bins by predicted probability (ties by key).

    Columns: bin (1 = lowest risk), accounts, mean_predicted, observed_rate.
    """
    order = np.lexsort((np.asarray(keys, dtype=str), predicted))
    rows = []
    for number, part in enumerate(np.array_split(order, CALIBRATION_BINS), start=1):
        if len(part) == 0:
            continue
        rows.append(
            {
                "bin": number,
                "accounts": len(part),
                "mean_predicted": float(predicted[part].mean()),
                "observed_rate": float(observed[part].mean()),
            }
        )
    return pd.DataFrame(rows, columns=["bin", "accounts", "mean_predicted", "observed_rate"])


@dataclass(frozen=True)
class Backtest:
    """The time-split backtest: status, test metrics and calibration, the scored model."""

    status: str
    plan: CutoffPlan
    test_accounts: int
    test_positives: int
    train_rows: int
    auc: float | None
    baseline_auc: float | None
    brier: float | None
    calibration: pd.DataFrame
    cutoffs: pd.DataFrame  # back, role, accounts, positives
    model: ChurnModel | None  # refitted on every labelled cut-off when status is ok


def backtest(
    history: History, horizon: int, contraction: float, min_train_cutoffs: int, seed: int
) -> Backtest:
    """Train on the early cut-offs, test on as_of − horizon, and refit when the test is fair."""
    plan = cutoff_plan(history, horizon)
    features = history.features()
    labelled = LabelledCutoffs(history, horizon, contraction)
    test_x, test_y = labelled.stacked([plan.test] if history.usable(plan.test) else [])
    train_x, train_y = labelled.stacked(plan.train)
    cutoffs = cutoff_table(plan, train_y, test_y, history.usable(plan.test))
    empty = calibration_table(np.array([]), np.array([]), [])
    status = OK
    if len(plan.train) < min_train_cutoffs or test_y.empty:
        status = TOO_LITTLE_HISTORY
    elif train_y.nunique() < 2 or test_y.nunique() < 2:
        status = SINGLE_CLASS
    if status != OK:
        return Backtest(
            status,
            plan,
            len(test_y),
            int(test_y.sum()),
            len(train_y),
            None,
            None,
            None,
            empty,
            cutoffs,
            None,
        )
    from sklearn.metrics import brier_score_loss, roc_auc_score

    model = fit_model(train_x, train_y, features, seed)
    predicted = model.predict(test_x)
    observed = test_y.to_numpy()
    keys = [str(k) for k in test_x.index]
    refit_x, refit_y = labelled.stacked(plan.refit)
    return Backtest(
        status=OK,
        plan=plan,
        test_accounts=len(test_y),
        test_positives=int(observed.sum()),
        train_rows=len(train_y),
        auc=float(roc_auc_score(observed, predicted)),
        baseline_auc=float(roc_auc_score(observed, test_x.recency_days.to_numpy())),
        brier=float(brier_score_loss(observed, predicted)),
        calibration=calibration_table(predicted, observed, keys),
        cutoffs=cutoffs,
        model=fit_model(refit_x, refit_y, features, seed),
    )


def cutoff_table(
    plan: CutoffPlan, train_y: pd.Series, test_y: pd.Series, test_usable: bool
) -> pd.DataFrame:
    """One row per cut-off: back, role (train / test / refit only), accounts, positives.

    Accounts and positives are counted for the backtest's cut-offs (None for refit only).
    """
    labels = [y for y in (train_y, test_y) if len(y)]
    per_cutoff = (
        pd.concat(labels).groupby(level="cutoff").agg(["size", "sum"])
        if labels
        else pd.DataFrame(columns=["size", "sum"])
    )
    rows = []
    for back in sorted({*plan.refit, *([plan.test] if test_usable else [])}):
        role = "train" if back in plan.train else "test" if back == plan.test else "refit"
        counted = back in per_cutoff.index
        rows.append(
            {
                "back": back,
                "role": role,
                "accounts": int(per_cutoff.loc[back, "size"]) if counted else None,
                "positives": int(per_cutoff.loc[back, "sum"]) if counted else None,
            }
        )
    return pd.DataFrame(rows, columns=["back", "role", "accounts", "positives"])


# --- The probabilistic stress test -----------------------------------------------------------


@dataclass(frozen=True)
class Simulated:
    """Monte-Carlo totals of what stays: one value per draw for each amount."""

    revenue: np.ndarray
    contribution: np.ndarray


def simulate_stays(
    probability: np.ndarray,
    revenue: np.ndarray,
    contribution: np.ndarray,
    draws: int,
    seed: int,
    chunk_cells: int = 4_000_000,
) -> Simulated:
    """Each account leaves with its probability; per draw, the revenue and contribution kept.

    A draws × accounts Bernoulli matrix from ``numpy.random.default_rng(seed)``, generated in
    chunks of at most ``chunk_cells`` cells (the same numbers whatever the chunk size).
    """
    rng = np.random.default_rng(seed)
    n = len(probability)
    rows = max(1, chunk_cells // max(n, 1))
    values = np.column_stack([revenue, contribution]).astype(float)
    kept = np.empty((draws, 2))
    for start in range(0, draws, rows):
        size = min(rows, draws - start)
        stays = rng.random((size, n)) >= probability
        kept[start : start + size] = stays.astype(float) @ values
    return Simulated(kept[:, 0], kept[:, 1])
