"""Retention and growth (docs/metrics.md §5): customer states, revenue bridge, NRR, GRR.

For consecutive periods P0 → P1 — the prior TTM → the TTM, every calendar year → the next
and every calendar quarter → the next — with ``R0``, ``R1`` an account's commercial revenue in
P0 and P1 (credit notes netted, so either may be zero or negative). Active means ``R > 0``.

Customer states (each account with a commercial invoice in P0 or P1 has exactly one):

- ``expanded`` R1 > R0 > 0; ``contracted`` 0 < R1 < R0; ``flat`` R1 = R0 > 0;
- ``churned`` R0 > 0 ≥ R1;
- ``new`` R1 > 0 ≥ R0 and no commercial invoice before P1 (first ever commercial revenue in
  P1); ``reactivated`` R1 > 0 ≥ R0 with a commercial invoice before P1 (in practice before
  P0; an account whose invoices in P0 net to ≤ 0 also counts as reactivated);
- ``inactive`` R0 ≤ 0 and R1 ≤ 0 (credit notes only): in no growth term, only in ``other``.

Revenue bridge, exact to 1/10000 of the currency unit (integer arithmetic, never floats)::

    R(P1) = R(P0) + new + reactivated + expansion − contraction − churn + other

with ``R(P)`` the total over all accounts, ``new``/``reactivated`` = Σ R1 of those accounts,
``expansion`` = Σ (R1 − R0) of expanded ones, ``contraction`` = Σ (R0 − R1) of contracted ones,
``churn`` = Σ R0 of churned ones, and ``other`` = Σ_{R1 ≤ 0} R1 − Σ_{R0 ≤ 0} R0: the nonpositive
revenue of accounts in the periods where they are not active (credit notes after churning or
before coming back). ``other`` is zero unless credit notes exceed invoices for some account in
a period.

Retention over ``base`` = Σ R0 of the accounts active in P0, with R1 floored at zero (a churned
account whose credit notes make R1 negative counts as 0; its credit notes are in ``other``):

- ``NRR = Σ_{active in P0} max(R1, 0) / base`` = (base + expansion − contraction − churn) / base;
- ``GRR = Σ_{active in P0} min(max(R1, 0), R0) / base`` = (base − contraction − churn) / base;
  so 0 ≤ GRR ≤ 1 and GRR ≤ NRR always;
- ``quick_ratio = (new + reactivated + expansion) / (churn + contraction)``.

Each ratio is ``None`` when its denominator is zero. NRR ≥ ``retention.elite_nrr`` (120%) is
elite. A bridge is ``complete`` when the data reach back to the first month of P0 and P1 has
ended by the as-of date; the current calendar year and quarter are reported, flagged
incomplete, and so is a first period that the data only partly cover.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal, TypeAlias

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.money import UNITS, exact_units

NEW = "new"
REACTIVATED = "reactivated"
EXPANDED = "expanded"
CONTRACTED = "contracted"
FLAT = "flat"
CHURNED = "churned"
INACTIVE = "inactive"
STATES = (NEW, REACTIVATED, EXPANDED, CONTRACTED, FLAT, CHURNED, INACTIVE)

Grain = Literal["ttm", "year", "quarter"]
MONTHS_PER_PERIOD = {"year": 12, "quarter": 3}
Units: TypeAlias = pd.Series | np.ndarray  # revenue in integer 1/10000 units
AMOUNTS = ("start", "new", "reactivated", "expansion", "contraction", "churn", "other", "end")


def to_units(value: Decimal | int | str) -> int:
    """An amount as an integer number of 1/10000 units (``"12.34"`` → 123400), exactly."""
    scaled = Decimal(value).scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than four decimal places")
    return int(scaled)


def to_decimal(units: int | np.integer) -> Decimal:
    """Integer 1/10000 units back as an exact Decimal with four places."""
    return Decimal(int(units)).scaleb(-4)


def customer_states(r0: pd.Series, r1: pd.Series, history: pd.Series) -> pd.Series:
    """The state of each account from its revenue in P0 and P1 (see the module docstring).

    ``history`` says whether the account has a commercial invoice before P1; it separates
    ``new`` from ``reactivated``.
    """
    active0, active1 = r0 > 0, r1 > 0
    both = active0 & active1
    states = np.select(
        [
            both & (r1 > r0),
            both & (r1 < r0),
            both,
            active0,
            active1 & history.astype(bool),
            active1,
        ],
        [EXPANDED, CONTRACTED, FLAT, CHURNED, REACTIVATED, NEW],
        default=INACTIVE,
    )
    return pd.Series(states, index=r0.index, name="state")


def _ints(values: Units) -> np.ndarray:
    """Integer revenue units as an int64 array."""
    return np.asarray(values, dtype="int64")


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` as a correctly rounded float; None when the denominator is 0."""
    return numerator / denominator if denominator else None


def net_revenue_retention(r0: Units, r1: Units) -> float | None:
    """``NRR = Σ_{R0 > 0} max(R1, 0) / Σ_{R0 > 0} R0`` over integer revenue units."""
    before, after = _ints(r0), _ints(r1)
    kept = before > 0
    return ratio(int(np.maximum(after[kept], 0).sum()), int(before[kept].sum()))


def gross_revenue_retention(r0: Units, r1: Units) -> float | None:
    """``GRR = Σ_{R0 > 0} min(max(R1, 0), R0) / Σ_{R0 > 0} R0`` over integer revenue units."""
    before, after = _ints(r0), _ints(r1)
    kept = before > 0
    floor = np.minimum(np.maximum(after[kept], 0), before[kept])
    return ratio(int(floor.sum()), int(before[kept].sum()))


def quick_ratio(
    new: int, reactivated: int, expansion: int, churn: int, contraction: int
) -> float | None:
    """``(new + reactivated + expansion) / (churn + contraction)``; None without losses."""
    return ratio(new + reactivated + expansion, churn + contraction)


@dataclass(frozen=True)
class StateCounts:
    """How many accounts are in each state."""

    new: int
    reactivated: int
    expanded: int
    contracted: int
    flat: int
    churned: int
    inactive: int

    @property
    def active_p0(self) -> int:
        """Accounts active in P0."""
        return self.expanded + self.contracted + self.flat + self.churned

    @property
    def active_p1(self) -> int:
        """Accounts active in P1."""
        return self.new + self.reactivated + self.expanded + self.contracted + self.flat


@dataclass(frozen=True)
class Bridge:
    """One revenue bridge P0 → P1; amounts are exact Decimals (four places).

    ``end == start + new + reactivated + expansion − contraction − churn + other`` holds
    exactly; ``base`` is the P0 revenue of the accounts active in P0 (the NRR/GRR
    denominator). :meth:`amounts` gives the same figures as floats.
    """

    grain: str  # ttm, year, quarter, mrr
    period0: str
    period1: str
    complete: bool
    start: Decimal
    new: Decimal
    reactivated: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal
    other: Decimal
    end: Decimal
    base: Decimal
    nrr: float | None
    grr: float | None
    quick_ratio: float | None
    accounts: StateCounts

    def amounts(self) -> dict[str, float]:
        """The bridge's amounts (and ``base``) as floats."""
        return {name: float(getattr(self, name)) for name in (*AMOUNTS, "base")}

    def adds_up(self) -> bool:
        """Whether the identity holds exactly (it always should)."""
        moved = self.new + self.reactivated + self.expansion - self.contraction - self.churn
        return self.start + moved + self.other == self.end


def state_masks(states: pd.Series | np.ndarray) -> dict[str, np.ndarray]:
    """``{state: states == state}`` for every state, comparing the text of each account once."""
    codes, seen = pd.factorize(np.asarray(states, dtype=object))
    code_of = {str(s): i for i, s in enumerate(seen)}
    return {s: codes == code_of.get(s, -2) for s in STATES}


def bridge_terms(
    r0: Units, r1: Units, states: pd.Series | np.ndarray | dict[str, np.ndarray]
) -> dict[str, int]:
    """The bridge's amounts in integer units from per-account revenue and states.

    ``states`` is the state of each account, or its :func:`state_masks`.
    """
    before, after = _ints(r0), _ints(r1)
    state = states if isinstance(states, dict) else state_masks(states)

    def total(values: np.ndarray, where: np.ndarray) -> int:
        return int(values[where].sum())

    return {
        "start": int(before.sum()),
        "new": total(after, state[NEW]),
        "reactivated": total(after, state[REACTIVATED]),
        "expansion": total(after - before, state[EXPANDED]),
        "contraction": total(before - after, state[CONTRACTED]),
        "churn": total(before, state[CHURNED]),
        "other": total(after, after <= 0) - total(before, before <= 0),
        "end": int(after.sum()),
        "base": total(before, before > 0),
    }


def revenue_bridge(
    accounts: pd.DataFrame, grain: str, period0: str, period1: str, complete: bool = True
) -> Bridge:
    """The bridge of per-account ``r0``, ``r1`` (integer units) and ``state`` columns."""
    r0, r1, states = _ints(accounts.r0), _ints(accounts.r1), state_masks(accounts.state)
    terms = bridge_terms(r0, r1, states)
    return Bridge(
        grain=grain,
        period0=period0,
        period1=period1,
        complete=complete,
        **{name: to_decimal(terms[name]) for name in (*AMOUNTS, "base")},
        nrr=net_revenue_retention(r0, r1),
        grr=gross_revenue_retention(r0, r1),
        quick_ratio=quick_ratio(
            terms["new"],
            terms["reactivated"],
            terms["expansion"],
            terms["churn"],
            terms["contraction"],
        ),
        accounts=StateCounts(**{s: int(states[s].sum()) for s in STATES}),
    )


def pair_accounts(
    revenue: pd.DataFrame, period0: int, period1: int, first: pd.Series | None = None
) -> pd.DataFrame:
    """Per-account ``r0``, ``r1``, ``history`` and ``state`` for the periods ``period0 → period1``.

    ``revenue`` holds one row per account and period with a commercial invoice: ``account_id``,
    ``period`` (an integer increasing with time) and ``units`` (revenue in 1/10000 units).
    Accounts with no invoice in either period are left out (they move nothing). ``first``
    (account_id → first period) may be passed when it is already known.
    """
    if first is None:
        first = revenue.groupby("account_id").period.min()
    both = revenue[revenue.period.isin((period0, period1))]
    in_p1 = (both.period == period1).to_numpy()
    units = both.units.to_numpy(dtype="int64")
    frame = (
        pd.DataFrame(
            {"r0": np.where(in_p1, 0, units), "r1": np.where(in_p1, units, 0)},
            index=pd.Index(both.account_id.to_numpy(), name="account_id"),
        )
        .groupby(level="account_id", sort=True)
        .sum()
        .astype("int64")
    )
    frame["history"] = first.reindex(frame.index) < period1
    frame["state"] = customer_states(frame.r0, frame.r1, frame.history)
    return frame.rename_axis("account_id").reset_index()


def month_last_day(month_index: int) -> date:
    """Last day of the calendar month ``year·12 + month − 1``."""
    year, month = divmod(month_index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def period_label(key: int, grain: str) -> str:
    """``2025`` for a year key, ``2025Q3`` for a quarter key (year·4 + quarter − 1)."""
    if grain == "quarter":
        return f"{key // 4}Q{key % 4 + 1}"
    return str(key)


@dataclass(frozen=True)
class DataSpan:
    """Where the commercial invoices begin: the first calendar month and month index back."""

    first_month: int  # year·12 + month − 1 of the first commercial invoice
    max_back: int  # months back from the as-of date of the first commercial invoice


def data_span(ctx: AuditContext) -> DataSpan:
    """The first month of commercial data (one small aggregate of the account-month facts)."""

    def compute() -> DataSpan:
        facts = ctx.account_months.filter(lambda t: t.commercial)
        month = facts.year.cast("int64") * 12 + facts.month.cast("int64") - 1
        row = facts.aggregate(first_month=month.min(), max_back=facts.back.max()).execute()
        first, back = row.first_month.iloc[0], row.max_back.iloc[0]
        if pd.isna(first):
            anchor = ctx.as_of.year * 12 + ctx.as_of.month - 1
            return DataSpan(anchor, 0)
        return DataSpan(int(first), int(back))

    return ctx.memo("retention.data_span", compute)


@dataclass(frozen=True)
class RevenueMatrix:
    """Commercial revenue per account × period as dense arrays (one grain).

    ``accounts`` holds the account ids in sorted order (row ``i`` of the arrays is
    ``accounts[i]``); column ``j`` is period ``first_period + j``. ``units`` is the revenue in
    integer 1/10000 units and ``present`` whether the account has a commercial invoice in the
    period (its revenue may still net to zero or below). Every account has at least one.
    """

    accounts: np.ndarray
    first_period: int
    units: np.ndarray  # int64, accounts × periods
    present: np.ndarray  # bool, accounts × periods

    @property
    def periods(self) -> np.ndarray:
        """The period key of every column."""
        return np.arange(self.first_period, self.first_period + self.units.shape[1])

    def column(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        """Revenue and presence of every account in ``period`` (zeros outside the data)."""
        j = period - self.first_period
        if 0 <= j < self.units.shape[1]:
            return self.units[:, j], self.present[:, j]
        rows = len(self.accounts)
        return np.zeros(rows, dtype="int64"), np.zeros(rows, dtype=bool)

    @cached_property
    def first_periods(self) -> np.ndarray:
        """Each account's first period with a commercial invoice."""
        if self.present.size == 0:
            return np.full(len(self.accounts), self.first_period, dtype="int64")
        return self.first_period + self.present.argmax(axis=1)

    def frame(self) -> pd.DataFrame:
        """The long form: ``account_id``, ``period``, ``units``, one row per present cell.

        Sorted by account then period.
        """
        rows, cols = np.nonzero(self.present)
        return pd.DataFrame(
            {
                "account_id": self.accounts[rows],
                "period": (cols + self.first_period).astype("int64"),
                "units": self.units[rows, cols],
            }
        )


@dataclass(frozen=True)
class MonthlyRevenue:
    """Commercial revenue per account and month, with integer account codes.

    One row per account, calendar month and month index back that holds a commercial
    invoice: ``code`` indexes ``accounts`` (sorted account ids), ``month`` is
    ``year·12 + month − 1``, ``back`` the month index back from the as-of date and ``units``
    the revenue in 1/10000 units, ``purchase_days`` the row's purchase-day bit mask (bit
    d − 1 set when day d holds a line of positive amount).
    """

    accounts: np.ndarray
    code: np.ndarray
    month: np.ndarray
    back: np.ndarray
    units: np.ndarray
    purchase_days: np.ndarray


def monthly_revenue(ctx: AuditContext) -> MonthlyRevenue:
    """The commercial rows of the account-month facts, fetched once as integer arrays.

    Account ids are replaced in the engine by their rank in sorted order, so only numbers
    cross to Python besides the list of accounts; decimal revenue is converted to units
    exactly on arrival (a decimal multiplication in the engine is much slower).
    """

    def compute() -> MonthlyRevenue:
        facts = ctx.account_months.filter(lambda t: t.commercial)
        ids = facts.select("account_id").distinct()
        ids = ids.mutate(code=ibis.row_number().over(order_by=ids.account_id))
        coded = facts.join(ids, "account_id")
        decimal = coded.revenue.type().is_decimal()
        revenue = coded.revenue.fill_null(0)
        rows = coded.select(
            code=coded.code.cast("int64"),
            month=coded.year.cast("int64") * 12 + coded.month.cast("int64") - 1,
            back=coded.back.cast("int64"),
            units=revenue if decimal else (revenue * UNITS).cast("int64"),
            purchase_days=coded.purchase_days.cast("int64"),
        ).to_pyarrow()
        accounts = ids.order_by("code").account_id.to_pyarrow()

        def ints(name: str) -> np.ndarray:
            return np.asarray(rows[name].to_numpy(), dtype="int64")

        return MonthlyRevenue(
            accounts=np.asarray(accounts.to_pylist(), dtype=object),
            code=ints("code"),
            month=ints("month"),
            back=ints("back"),
            units=exact_units(rows["units"]) if decimal else ints("units"),
            purchase_days=ints("purchase_days"),
        )

    return ctx.memo("retention.monthly_revenue", compute)


def period_keys(ctx: AuditContext, monthly: MonthlyRevenue, grain: Grain) -> np.ndarray:
    """The period of every monthly row (see :func:`period_revenue`)."""
    if grain == "ttm":
        return -(monthly.back // ctx.window)
    return monthly.month // MONTHS_PER_PERIOD[grain]


def revenue_matrix(ctx: AuditContext, grain: Grain) -> RevenueMatrix:
    """Commercial revenue per account × period of ``grain`` (see :func:`period_revenue`)."""

    def compute() -> RevenueMatrix:
        monthly = monthly_revenue(ctx)
        keys = period_keys(ctx, monthly, grain)
        first = int(keys.min()) if len(keys) else 0
        width = int(keys.max()) - first + 1 if len(keys) else 0
        rows = len(monthly.accounts)
        cells = monthly.code * width + (keys - first)
        units = np.zeros(rows * width, dtype="int64")
        np.add.at(units, cells, monthly.units)
        present = np.zeros(rows * width, dtype=bool)
        present[cells] = True
        return RevenueMatrix(
            monthly.accounts, first, units.reshape(rows, width), present.reshape(rows, width)
        )

    return ctx.memo(f"retention.revenue_matrix.{grain}", compute)


def period_revenue(ctx: AuditContext, grain: Grain) -> pd.DataFrame:
    """Commercial revenue per account and period, in integer 1/10000 units.

    Periods: ``ttm`` → ``−(months_back // window)`` (0 the TTM, −1 the prior TTM, …);
    ``year`` → the calendar year; ``quarter`` → ``year·4 + quarter − 1``. Only account-periods
    with a commercial invoice are returned, sorted by account and period.
    """
    return ctx.memo(f"retention.period_revenue.{grain}", lambda: revenue_matrix(ctx, grain).frame())


def matrix_pair(matrix: RevenueMatrix, period0: int, period1: int) -> pd.DataFrame:
    """:func:`pair_accounts` for two columns of a revenue matrix (same rows, same order)."""
    r0, in0 = matrix.column(period0)
    r1, in1 = matrix.column(period1)
    kept = in0 | in1
    frame = pd.DataFrame(
        {
            "account_id": matrix.accounts[kept],
            "r0": r0[kept],
            "r1": r1[kept],
            "history": matrix.first_periods[kept] < period1,
        }
    )
    frame["state"] = customer_states(frame.r0, frame.r1, frame.history)
    return frame


def calendar_bridges(ctx: AuditContext, grain: Literal["year", "quarter"]) -> tuple[Bridge, ...]:
    """Bridges between every pair of consecutive calendar years (or quarters) in the data."""
    size = MONTHS_PER_PERIOD[grain]
    span = data_span(ctx)
    matrix = revenue_matrix(ctx, grain)
    last = (ctx.as_of.year * 12 + ctx.as_of.month - 1) // size
    bridges = []
    for period1 in range(span.first_month // size + 1, last + 1):
        period0 = period1 - 1
        complete = (
            span.first_month <= period0 * size
            and month_last_day(period1 * size + size - 1) <= ctx.as_of
        )
        bridges.append(
            revenue_bridge(
                matrix_pair(matrix, period0, period1),
                grain,
                period_label(period0, grain),
                period_label(period1, grain),
                complete,
            )
        )
    return tuple(bridges)


def ttm_accounts(ctx: AuditContext) -> pd.DataFrame:
    """Per-account revenue and state, prior TTM → TTM (integer units)."""
    return ctx.memo(
        "retention.ttm_accounts", lambda: matrix_pair(revenue_matrix(ctx, "ttm"), -1, 0)
    )


def ttm_bridge(ctx: AuditContext) -> Bridge:
    """The bridge from the prior TTM to the TTM."""
    complete = data_span(ctx).max_back >= 2 * ctx.window - 1
    return revenue_bridge(ttm_accounts(ctx), "ttm", "prior_ttm", "ttm", complete)


def bridge_table(bridges: Iterable[Bridge]) -> pd.DataFrame:
    """Bridges as one row each, amounts as floats, with ratios and account counts."""
    rows = []
    for b in bridges:
        row: dict[str, object] = {
            "grain": b.grain,
            "period0": b.period0,
            "period1": b.period1,
            "complete": b.complete,
            **b.amounts(),
            "nrr": b.nrr,
            "grr": b.grr,
            "quick_ratio": b.quick_ratio,
        }
        row |= {f"{f.name}_accounts": getattr(b.accounts, f.name) for f in fields(b.accounts)}
        rows.append(row)
    return pd.DataFrame(rows)


def account_table(accounts: pd.DataFrame, before: str, after: str) -> pd.DataFrame:
    """Per-account states for display: revenue as floats, ordered by state then account."""
    order = {s: i for i, s in enumerate(STATES)}
    table = pd.DataFrame(
        {
            "account_id": accounts.account_id,
            "state": accounts.state,
            before: accounts.r0 / UNITS,
            after: accounts.r1 / UNITS,
            "change": (accounts.r1 - accounts.r0) / UNITS,
        }
    )
    rank = table.state.map(order)
    return (
        table.assign(_rank=rank)
        .sort_values(["_rank", "account_id"], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class RetentionResult(Result):
    """Figures of §5 on revenue: the TTM ratios and bridge, calendar bridges, TTM states."""

    nrr: float | None
    grr: float | None
    quick_ratio: float | None
    ttm: Bridge
    years: tuple[Bridge, ...]
    quarters: tuple[Bridge, ...]
    accounts: pd.DataFrame  # account_id, state, revenue_prior, revenue_ttm, change


def run(ctx: AuditContext) -> RetentionResult:
    """Customer states, the revenue bridge and retention ratios, TTM and calendar periods."""
    settings = ctx.settings.retention
    ttm = ttm_bridge(ctx)
    return RetentionResult(
        findings=tuple(retention_findings("retention", ttm, settings.elite_nrr)),
        nrr=ttm.nrr,
        grr=ttm.grr,
        quick_ratio=ttm.quick_ratio,
        ttm=ttm,
        years=calendar_bridges(ctx, "year"),
        quarters=calendar_bridges(ctx, "quarter"),
        accounts=account_table(ttm_accounts(ctx), "revenue_prior", "revenue_ttm"),
    )


def retention_findings(prefix: str, bridge: Bridge, elite_nrr: float) -> Sequence[Finding]:
    """Findings ``<prefix>.nrr``, ``.elite_nrr``, ``.quick_ratio`` and ``.prior_incomplete``."""
    findings: list[Finding] = []
    if bridge.nrr is not None:
        findings.append(
            Finding(
                f"{prefix}.nrr",
                "warning" if bridge.nrr < 1 else "info",
                {"nrr": bridge.nrr, "grr": bridge.grr, "base": float(bridge.base)},
            )
        )
        if bridge.nrr >= elite_nrr:
            findings.append(
                Finding(f"{prefix}.elite_nrr", "info", {"nrr": bridge.nrr, "threshold": elite_nrr})
            )
    if bridge.quick_ratio is not None:
        findings.append(
            Finding(
                f"{prefix}.quick_ratio",
                "warning" if bridge.quick_ratio < 1 else "info",
                {
                    "quick_ratio": bridge.quick_ratio,
                    "gained": float(bridge.new + bridge.reactivated + bridge.expansion),
                    "lost": float(bridge.churn + bridge.contraction),
                },
            )
        )
    if not bridge.complete:
        findings.append(
            Finding(f"{prefix}.prior_incomplete", "warning", {"period0": bridge.period0})
        )
    return findings
