"""The audit context: tables, as-of date, window, roll-up, settings — and the one scan.

Every analysis receives an :class:`AuditContext`. Its heavy part is :attr:`account_months`,
the single pass over invoices (docs/metrics.md, conventions): one row per account, calendar
month, month index back from the as-of date and deal kind, with the sums every analysis of
sections 1–5 needs. It is cached in the engine (a DuckDB temporary table, a Spark cached
frame), so the invoices are scanned once whatever the number of analyses.

Windows are calendar months back from the as-of date (docs/metrics.md): month index ``k``
holds dates in (as_of − (k+1) months, as_of − k months]; the trailing twelve months (TTM) are
k = 0…11 and the prior TTM k = 12…23.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar, cast

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from keyaccount.analyses.registry import spec
from keyaccount.config import Settings

COMMERCIAL = "commercial"
T = TypeVar("T")


def months_back(day: ir.DateValue, as_of: date) -> ir.IntegerValue:
    """Month index of ``day`` back from ``as_of``.

    0 for (as_of − 1 month, as_of], 1 for the month before, …; negative after the as-of date.
    """
    anchor = as_of.year * 12 + as_of.month
    later_day = (day.day() > as_of.day).cast("int64")
    return anchor - (day.year().cast("int64") * 12 + day.month().cast("int64")) - later_day


def attach(left: ibis.Table, right: ibis.Table, key: str = "account_id") -> ibis.Table:
    """Left join ``right`` onto ``left`` by ``key``, keeping a single key column."""
    joined = left.join(right, key, how="left")
    return joined.drop(f"{key}_right") if f"{key}_right" in joined.columns else joined


def _merged(rows: ibis.Table, measure: str) -> ir.Scalar:
    """A measure of the account-month facts over several customers' rows of one month."""
    if measure == "first_day":
        return rows.first_day.min()
    if measure == "purchase_days":
        return rows.purchase_days.bit_or()
    if measure == "lines":
        return rows.lines.sum().cast("int64")
    return rows[measure].sum()


@dataclass(frozen=True)
class AuditContext:
    """What an analysis may read. Build with :meth:`create`."""

    backend: BaseBackend
    tables: Mapping[str, ibis.Table]
    as_of: date
    settings: Settings
    engine: str = "duckdb"
    _cache: dict[str, ibis.Table] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        backend: BaseBackend,
        tables: Mapping[str, ibis.Table],
        settings: Settings,
        engine: str = "duckdb",
    ) -> AuditContext:
        """A context whose as-of date is the setting, else the last commercial invoice date."""
        as_of = settings.audit.as_of
        if as_of is None:
            invoices = tables["invoices"]
            last = invoices.filter(invoices.deal_type == COMMERCIAL).date.max().execute()
            as_of = last.date() if hasattr(last, "date") else last
        return cls(backend, dict(tables), as_of, settings, engine)

    @property
    def window(self) -> int:
        """Window length in months (12: the trailing twelve months)."""
        return self.settings.audit.window_months

    @property
    def currency(self) -> str:
        """The reporting currency."""
        return self.settings.currency

    def has(self, *names: str) -> bool:
        """Whether every table in ``names`` holds rows."""
        return all(n in self.tables for n in names)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per context.

        For local frames several analyses share (the per-account P&L feeds profitability,
        stress and LTV).
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def result(self, key: str) -> Any:
        """The result of the analysis ``key``, run once per context.

        ``None`` when its tables are missing or it has no module yet. For analyses that build
        on others (the diagnosis reads concentration, retention, …; penetration reads the
        tiers), so that each runs once however many read it.
        """

        def compute() -> Any:
            wanted = spec(key)
            if not wanted.module or wanted.missing(self.tables):
                return None
            return importlib.import_module(wanted.module).run(self)

        return self.memo(f"result.{key}", compute)

    def _cached(self, name: str, expr: ibis.Table) -> ibis.Table:
        if name not in self._cache:
            self._cache[name] = expr.cache()
        return self._cache[name]

    @cached_property
    def accounts(self) -> ibis.Table:
        """customer_id → account_id (its group when rolling up), with the account's attributes.

        A group's attributes come from its own customer row when it has one, else from its
        member with the smallest customer_id (a deterministic choice on every engine).
        """
        members = self.tables["customers"].join(self.membership, "customer_id")
        # The group's own row sorts first (""), then members by customer_id.
        order = ibis.ifelse(members.customer_id == members.account_id, "", members.customer_id)
        attrs = ("name", "industry", "region", "first_date", "owner", "ownership")
        picked = members.group_by("account_id").aggregate(
            members=members.count(),
            **{a: members[a].argmin(order) for a in attrs},
        )
        return self._cached("accounts", picked)

    def account_frame(self) -> pd.DataFrame:
        """:attr:`accounts` fetched once, ``account_id`` as strings (a local frame to share)."""

        def fetch() -> pd.DataFrame:
            frame = self.accounts.execute()
            frame["account_id"] = frame.account_id.astype(str)
            return frame

        return self.memo("context.account_frame", fetch)

    @cached_property
    def membership(self) -> ibis.Table:
        """customer_id → account_id for every customer."""
        customers = self.tables["customers"]
        account = (
            customers.parent_id.fill_null(customers.customer_id)
            if self.settings.audit.rollup
            else customers.customer_id
        )
        return customers.select("customer_id", account_id=account)

    @cached_property
    def account_months(self) -> ibis.Table:
        """The one scan: per account × calendar month × months_back × commercial flag.

        Columns: revenue, cost_known (cost where given), revenue_costed (revenue of lines with
        a cost), rebate, lines, paid_days_amount (Σ amount × days to pay, where known),
        amount_days_known, unpaid (amount not yet paid at the as-of date), first_day (the
        month's earliest invoice date) and purchase_days (the days of the month with a line of
        positive amount, as a bit mask: bit d − 1 for day d; read by
        :func:`keyaccount.analyses.ltv.purchase_days`).

        The invoices are grouped per *customer* first and the customer-month rows then joined
        to their account: joining every invoice line to its account before grouping cost more
        than the scan itself. Only the rows of accounts that merge several customers (a group
        rolled up) are grouped a second time; the others pass through as they are.
        """
        as_of = self.as_of
        invoices = self.tables["invoices"]
        kept = invoices.filter(invoices.date <= ibis.literal(as_of))
        # Whole days, so Σ amount × days is an exact decimal sum (the same on every engine and
        # in any order of summation).
        days_to_pay = ibis.coalesce(
            kept.paid_date.delta(kept.date, unit="day").cast("int32"),
            kept.payment_days.cast("int32"),
        )
        # Group on the calendar month (an integer) and whether the day falls after the as-of
        # day; month index, year and month are derived after the aggregation, on few rows.
        inv = kept.mutate(
            ym=kept.date.year().cast("int64") * 12 + kept.date.month().cast("int64") - 1,
            late=kept.date.day() > as_of.day,
            commercial=kept.deal_type == COMMERCIAL,
            days_to_pay=days_to_pay,
            unpaid=kept.paid_date.isnull() | (kept.paid_date > ibis.literal(as_of)),
            day_bit=ibis.ifelse(
                kept.amount > 0, ibis.literal(1, "int64") << (kept.date.day().cast("int64") - 1), 0
            ),
        )
        keys = ("ym", "late", "commercial")
        per_customer = inv.group_by("customer_id", *keys).aggregate(
            revenue=inv.amount.sum(),
            cost_known=inv.cost.sum(),
            revenue_costed=inv.amount.sum(where=inv.cost.notnull()),
            rebate=inv.rebate.sum(),
            lines=inv.count(),
            paid_days_amount=(inv.amount * inv.days_to_pay).sum(),
            amount_days_known=inv.amount.sum(where=inv.days_to_pay.notnull()),
            unpaid=inv.amount.sum(where=inv.unpaid),
            first_day=inv.date.min(),
            purchase_days=inv.day_bit.bit_or(),
        )
        joined = per_customer.join(self._merged_accounts, "customer_id")
        measures = [c for c in per_customer.columns if c not in ("customer_id", *keys)]
        alone = joined.filter(~joined.merged).select("account_id", *keys, *measures)
        shared = joined.filter(joined.merged)
        rolled = shared.group_by("account_id", *keys).aggregate(
            **{m: _merged(shared, m) for m in measures}
        )
        grouped = alone.union(rolled.select(*alone.columns))
        anchor = as_of.year * 12 + as_of.month - 1
        facts = grouped.mutate(
            year=(grouped.ym // 12).cast("int32"),
            month=(grouped.ym % 12 + 1).cast("int32"),
            back=anchor - grouped.ym - grouped.late.cast("int64"),
        ).drop("ym", "late")
        return self._cached("account_months", facts)

    @cached_property
    def _merged_accounts(self) -> ibis.Table:
        """customer_id → account_id, and whether the account merges rows (a rolled-up group).

        ``merged`` is true for every member of an account that holds several customers or
        whose one customer is not the account itself.
        """
        membership = self.membership
        sizes = membership.group_by("account_id").aggregate(size=membership.count())
        marked = membership.join(sizes, "account_id")
        merged = (marked.size > 1) | (marked.customer_id != marked.account_id)
        return marked.select("customer_id", "account_id", merged=merged)

    def account_revenue(self, start: int = 0, months: int | None = None) -> ibis.Table:
        """Commercial revenue per account over ``months`` months from month index ``start``.

        The TTM by default; ``start=12`` gives the prior TTM.
        """
        span = months or self.window
        facts = self.account_months
        window = facts.filter(facts.commercial, facts.back >= start, facts.back < start + span)
        return window.group_by("account_id").aggregate(revenue=window.revenue.sum())

    @cached_property
    def first_commercial_day(self) -> ibis.Table:
        """The first commercial invoice date of every account (up to the as-of date)."""
        facts = self.account_months.filter(lambda t: t.commercial)
        return facts.group_by("account_id").aggregate(first_day=facts.first_day.min())
