"""Relationship depth: multithreading, key-person risk, recency and trend (docs/metrics.md §7).

Over the accounts with commercial revenue in the TTM (``R > 0``), from ``interactions`` dated
up to the as-of date, each joined to its contact's ``department`` (``contacts``):

- an **active contact** is a contact with an interaction in the last ``active_days`` days
  (dates in (as_of − active_days, as_of]); its department is **reached**;
- ``departments_reached`` / ``departments_missing``: the core departments
  (``relationships.core_departments``) reached and not reached; ``coverage`` = reached / core;
- **transactional only**: at least one active contact, and every active contact's department
  is in ``transactional_departments`` (procurement, finance) — an unknown or other department
  is not;
- **no active relationship**: no active contact;
- **key-person risk**: one of our employees holds more than ``key_person_share`` of the
  account's interactions of the last ``window`` calendar months (the TTM; the denominator
  counts interactions with no employee recorded too), reason ``employee_share``; or the account
  has exactly one active contact, reason ``single_contact``;
- **recency**: days from the last interaction to the as-of date (None without interactions);
- **trend**: interactions in the last ``trend_days`` days (``interactions_last``) against the
  ``trend_days`` before (``interactions_previous``); ``trend`` = last / previous − 1 (None
  when previous is 0);
- **relationship map**: interactions of the TTM per account × our employee × the contact's
  department (``(unknown)`` when not recorded).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, dense_rank, string_rank
from keyaccount.analyses.context import AuditContext, months_back
from keyaccount.analyses.money import float_frame

UNKNOWN = "(unknown)"
EMPLOYEE_SHARE = "employee_share"
SINGLE_CONTACT = "single_contact"


def dated_interactions(ctx: AuditContext) -> ibis.Table:
    """Interactions up to the as-of date with their ``account_id`` and contact ``department``."""
    inter = ctx.tables["interactions"].join(ctx.membership, "customer_id")
    contacts = ctx.tables["contacts"].select(contact_key="contact_id", department="department")
    joined = inter.left_join(contacts, inter.contact_id == contacts.contact_key)
    return joined.filter(joined.date <= ibis.literal(ctx.as_of)).drop("contact_key")


def _since(as_of: date, days: int) -> ibis.Scalar:
    """The first date of the last ``days`` days up to ``as_of``."""
    return ibis.literal(as_of - timedelta(days=days - 1))


def active_contacts(ctx: AuditContext) -> pd.DataFrame:
    """Active contacts per account and department: ``account_id``, ``department``, ``contacts``."""
    inter = dated_interactions(ctx)
    settings = ctx.settings.relationships
    recent = inter.filter(
        inter.date >= _since(ctx.as_of, settings.active_days), inter.contact_id.notnull()
    )
    counts = recent.group_by("account_id", "department").aggregate(
        contacts=recent.contact_id.nunique()
    )
    frame = counts.execute()
    frame["account_id"] = frame.account_id.astype(str)
    frame["department"] = frame.department.astype(object).where(frame.department.notna(), None)
    frame["contacts"] = frame.contacts.astype("int64")
    return frame


def relationship_map(ctx: AuditContext) -> pd.DataFrame:
    """TTM interactions per account, our employee and department, most first.

    Columns ``account_id``, ``employee``, ``department``, ``interactions``; unrecorded
    employees and departments stay null here (see :func:`map_for_display`).
    """
    inter = dated_interactions(ctx)
    year = inter.filter(months_back(inter.date, ctx.as_of) < ctx.window)
    counts = year.group_by("account_id", "employee", "department").aggregate(
        interactions=year.count()
    )
    frame = counts.execute()
    frame["account_id"] = frame.account_id.astype(str)
    for column in ("employee", "department"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["interactions"] = frame.interactions.astype("int64")
    return frame


def interaction_activity(ctx: AuditContext) -> pd.DataFrame:
    """Per account: ``last_interaction`` and the counts of the two trend spans."""
    inter = dated_interactions(ctx)
    span = ctx.settings.relationships.trend_days
    last_start, previous_start = _since(ctx.as_of, span), _since(ctx.as_of, 2 * span)
    in_last = inter.date >= last_start
    in_previous = (inter.date >= previous_start) & (inter.date < last_start)
    activity = inter.group_by("account_id").aggregate(
        last_interaction=inter.date.max(),
        interactions_last=in_last.cast("int64").sum(),
        interactions_previous=in_previous.cast("int64").sum(),
    )
    frame = activity.execute()
    frame["account_id"] = frame.account_id.astype(str)
    frame["last_interaction"] = pd.to_datetime(frame.last_interaction).dt.date
    for column in ("interactions_last", "interactions_previous"):
        frame[column] = frame[column].astype("int64")
    return frame


def department_coverage(
    active: pd.DataFrame,
    accounts: Sequence[str],
    core: Sequence[str],
    transactional: Sequence[str],
) -> pd.DataFrame:
    """Departments reached and missing per account, and the two relationship flags.

    ``active``: ``account_id``, ``department`` (None when unknown), ``contacts`` (active
    contacts). Returns one row per account of ``accounts`` in that order: ``active_contacts``,
    ``departments_reached``, ``departments_missing`` (core departments, in core order),
    ``other_departments`` (reached departments outside the core set), ``coverage``,
    ``transactional_only``, ``no_active_relationship``.
    """
    reached: dict[str, set[str | None]] = {}
    for account, department in zip(active.account_id, active.department, strict=True):
        reached.setdefault(account, set()).add(department)
    contacts = active.groupby("account_id").contacts.sum()
    allowed = set(transactional)
    rows = []
    for account in accounts:
        departments = reached.get(account, set())
        known = {d for d in departments if d is not None}
        rows.append(
            {
                "account_id": account,
                "active_contacts": int(contacts.get(account, 0)),
                "departments_reached": [d for d in core if d in known],
                "departments_missing": [d for d in core if d not in known],
                "other_departments": sorted(known - set(core)),
                "coverage": sum(d in known for d in core) / len(core) if core else None,
                "transactional_only": bool(departments) and departments <= allowed,
                "no_active_relationship": not departments,
            }
        )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


COVERAGE_COLUMNS = [
    "account_id",
    "active_contacts",
    "departments_reached",
    "departments_missing",
    "other_departments",
    "coverage",
    "transactional_only",
    "no_active_relationship",
]


def top_employees(year_map: pd.DataFrame) -> pd.DataFrame:
    """Per account: the employee holding most TTM interactions, their count and share.

    ``year_map`` as :func:`relationship_map`. The share's denominator is every interaction of
    the account (unrecorded employees too); ties go to the smallest employee name.
    """
    totals = year_map.groupby("account_id").interactions.sum()
    named = year_map[year_map.employee.notna()]
    per_employee = named.groupby(["account_id", "employee"], as_index=False).interactions.sum()
    order = np.lexsort(
        (
            dense_rank(per_employee.employee),
            -per_employee.interactions.to_numpy(),
            dense_rank(per_employee.account_id),
        )
    )
    top = per_employee.iloc[order].drop_duplicates("account_id").set_index("account_id")
    frame = pd.DataFrame({"interactions_ttm": totals})
    frame["top_employee"] = top.employee.reindex(frame.index)
    frame["top_employee_interactions"] = top.interactions.reindex(frame.index).fillna(0)
    frame["top_employee_share"] = frame.top_employee_interactions / frame.interactions_ttm
    frame["top_employee_interactions"] = frame.top_employee_interactions.astype("int64")
    return frame.rename_axis("account_id").reset_index()


def key_person_reasons(top_share: float | None, active: int, share_limit: float) -> list[str]:
    """Which key-person rules fire: ``employee_share`` (> limit) and ``single_contact``."""
    reasons = []
    if top_share is not None and not np.isnan(top_share) and top_share > share_limit:
        reasons.append(EMPLOYEE_SHARE)
    if active == 1:
        reasons.append(SINGLE_CONTACT)
    return reasons


def trend(last: int, previous: int) -> float | None:
    """``last / previous − 1``; None when ``previous`` is 0."""
    return last / previous - 1 if previous else None


def map_for_display(year_map: pd.DataFrame, accounts: Sequence[str]) -> pd.DataFrame:
    """The relationship map of ``accounts``: unknowns named, ordered by account then count."""
    frame = year_map[year_map.account_id.isin(set(accounts))].copy()
    frame["employee"] = frame.employee.fillna(UNKNOWN)
    frame["department"] = frame.department.fillna(UNKNOWN)
    order = np.lexsort(
        (
            dense_rank(frame.department),
            dense_rank(frame.employee),
            -frame.interactions.to_numpy(),
            dense_rank(frame.account_id),
        )
    )
    return frame.iloc[order].reset_index(drop=True)[
        ["account_id", "employee", "department", "interactions"]
    ]


@dataclass(frozen=True)
class RelationshipResult(Result):
    """Figures of §7's relationship depth; ``accounts`` holds one row per TTM-active account."""

    accounts_count: int  # accounts with TTM revenue > 0: the population of every share below
    core_departments: tuple[str, ...]
    mean_departments_reached: float | None
    mean_coverage: float | None
    transactional_only_count: int
    transactional_only_share: float | None
    transactional_only_revenue_share: float | None
    no_active_relationship_count: int
    no_active_relationship_share: float | None
    no_active_relationship_revenue_share: float | None
    key_person_risk_count: int
    key_person_employee_share_count: int
    key_person_single_contact_count: int
    key_person_risk_revenue_share: float | None
    median_days_since_last_interaction: float | None
    interactions_last: int  # all accounts' interactions in the last trend_days days
    interactions_previous: int  # … in the trend_days before
    interaction_trend: float | None
    accounts: pd.DataFrame
    relationship_map: pd.DataFrame


def account_table(ctx: AuditContext) -> pd.DataFrame:
    """One row per TTM-active account with every relationship figure, by revenue then id."""
    settings = ctx.settings.relationships
    revenue = float_frame(ctx.account_revenue())
    revenue["account_id"] = revenue.account_id.astype(str)
    revenue = revenue[revenue.revenue > 0]
    revenue = revenue.iloc[np.lexsort((string_rank(revenue.account_id), -revenue.revenue))]
    names = ctx.account_frame().set_index("account_id").name
    table = department_coverage(
        active_contacts(ctx),
        revenue.account_id.tolist(),
        settings.core_departments,
        settings.transactional_departments,
    )
    table.insert(1, "name", table.account_id.map(names))
    table.insert(2, "revenue", revenue.revenue.to_numpy())
    year_map = ctx.memo("relationships.map", lambda: relationship_map(ctx))
    table = with_key_person(table, top_employees(year_map), settings.key_person_share)
    return with_activity(table, interaction_activity(ctx), ctx.as_of)


def with_key_person(table: pd.DataFrame, top: pd.DataFrame, share_limit: float) -> pd.DataFrame:
    """Add TTM interactions, the top employee and the key-person reasons to ``table``."""
    top = top.set_index("account_id").reindex(table.account_id)
    table = table.copy()
    table["interactions_ttm"] = top.interactions_ttm.fillna(0).astype("int64").to_numpy()
    table["top_employee"] = [e if isinstance(e, str) else None for e in top.top_employee]
    table["top_employee_share"] = top.top_employee_share.to_numpy()
    table["key_person_reasons"] = [
        key_person_reasons(share, active, share_limit)
        for share, active in zip(table.top_employee_share, table.active_contacts, strict=True)
    ]
    table["key_person_risk"] = table.key_person_reasons.map(bool)
    return table


def with_activity(table: pd.DataFrame, activity: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Add recency (last interaction, days since) and the trend counts to ``table``."""
    activity = activity.set_index("account_id").reindex(table.account_id)
    table = table.copy()
    last = [d if isinstance(d, date) else None for d in activity.last_interaction]
    table["last_interaction"] = last
    table["days_since_last_interaction"] = [(as_of - d).days if d else None for d in last]
    for column in ("interactions_last", "interactions_previous"):
        table[column] = activity[column].fillna(0).astype("int64").to_numpy()
    table["trend"] = [
        trend(a, b)
        for a, b in zip(table.interactions_last, table.interactions_previous, strict=True)
    ]
    return table


def _share(part: int | float, whole: int | float) -> float | None:
    return float(part / whole) if whole else None


def run(ctx: AuditContext) -> RelationshipResult:
    """Multithreading, key-person risk, recency, trend and the relationship map."""
    settings = ctx.settings.relationships
    table = account_table(ctx)
    n, total = len(table), float(table.revenue.sum())
    transactional = table[table.transactional_only]
    silent = table[table.no_active_relationship]
    key_person = table[table.key_person_risk]
    days = pd.Series(table.days_since_last_interaction, dtype="float64").dropna()
    last, previous = int(table.interactions_last.sum()), int(table.interactions_previous.sum())
    year_map = ctx.memo("relationships.map", lambda: relationship_map(ctx))
    result = RelationshipResult(
        findings=(),
        accounts_count=n,
        core_departments=tuple(settings.core_departments),
        mean_departments_reached=(float(table.departments_reached.map(len).mean()) if n else None),
        mean_coverage=float(table.coverage.mean()) if n and settings.core_departments else None,
        transactional_only_count=len(transactional),
        transactional_only_share=_share(len(transactional), n),
        transactional_only_revenue_share=_share(float(transactional.revenue.sum()), total),
        no_active_relationship_count=len(silent),
        no_active_relationship_share=_share(len(silent), n),
        no_active_relationship_revenue_share=_share(float(silent.revenue.sum()), total),
        key_person_risk_count=len(key_person),
        key_person_employee_share_count=int(
            table.key_person_reasons.map(lambda r: EMPLOYEE_SHARE in r).sum()
        ),
        key_person_single_contact_count=int(
            table.key_person_reasons.map(lambda r: SINGLE_CONTACT in r).sum()
        ),
        key_person_risk_revenue_share=_share(float(key_person.revenue.sum()), total),
        median_days_since_last_interaction=float(days.median()) if len(days) else None,
        interactions_last=last,
        interactions_previous=previous,
        interaction_trend=trend(last, previous),
        accounts=table,
        relationship_map=map_for_display(year_map, table.account_id.tolist()),
    )
    return _with_findings(result, settings.key_person_share, settings.trend_days)


def _with_findings(
    result: RelationshipResult, key_person_share: float, trend_days: int
) -> RelationshipResult:
    table = result.accounts
    findings = []
    if result.accounts_count:
        findings.append(
            Finding(
                "relationships.depth",
                "info",
                {
                    "accounts": result.accounts_count,
                    "core_departments": len(result.core_departments),
                    "mean_departments_reached": result.mean_departments_reached,
                    "mean_coverage": result.mean_coverage,
                },
            )
        )
    for code, flag, share, revenue_share in (
        (
            "relationships.transactional_only",
            "transactional_only",
            result.transactional_only_share,
            result.transactional_only_revenue_share,
        ),
        (
            "relationships.no_active_relationship",
            "no_active_relationship",
            result.no_active_relationship_share,
            result.no_active_relationship_revenue_share,
        ),
    ):
        flagged = table[table[flag]]
        if len(flagged):
            findings.append(
                Finding(
                    code,
                    "warning",
                    {"accounts": len(flagged), "share": share, "revenue_share": revenue_share},
                    tuple(flagged.account_id),
                )
            )
    if result.key_person_risk_count:
        findings.append(
            Finding(
                "relationships.key_person_risk",
                "warning",
                {
                    "accounts": result.key_person_risk_count,
                    "employee_share": result.key_person_employee_share_count,
                    "single_contact": result.key_person_single_contact_count,
                    "threshold": key_person_share,
                    "revenue_share": result.key_person_risk_revenue_share,
                },
                tuple(table[table.key_person_risk].account_id),
            )
        )
    if result.interactions_last or result.interactions_previous:
        findings.append(
            Finding(
                "relationships.interaction_trend",
                "info",
                {
                    "last": result.interactions_last,
                    "previous": result.interactions_previous,
                    "change": result.interaction_trend,
                    "days": trend_days,
                    "median_days_since_last": result.median_days_since_last_interaction,
                },
            )
        )
    return dataclasses.replace(result, findings=tuple(findings))
