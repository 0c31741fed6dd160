"""Stress tests: what losing accounts would cost (docs/metrics.md §2).

A scenario removes a set of accounts from the window's P&L (§3, :func:`account_pnl`) and
reports what leaves with them: revenue (amount and share of the company's window revenue),
gross profit, contribution, and receivables at risk (their open invoices at the as-of date).
The contribution lost is the accounts' §3 contribution, so their share of pooled costs is
taken to leave with them; ``pooled_costs_kept`` is that share, for the harder case where the
pooled costs stay.

When ``company.fixed_costs_per_month`` is set, each scenario also gives the new operating
result: ``yearly contribution after the loss − 12 × fixed costs`` (the window's contribution
scaled to twelve months when the window is not twelve months long); with ``company.cash`` too,
the cash runway in months: ``cash / monthly loss`` when the result is a loss, else ``None``
(unlimited).

Standard scenarios: the top-1 account, the top-k accounts (``audit.top_k``), the top industry
and the top region (the largest by window revenue, as in §1); :func:`named_scenario` removes
any named customers, industries or regions. Under roll-up a named plant or subsidiary takes
its whole group with it, because the P&L is per account; turn ``audit.rollup`` off to stress
a single plant.

The probabilistic scenario: each active account leaves with its churn probability from the
churn-risk model of §7 (``analyses/churn.py``); ``churn.simulations`` (10,000) seeded
Monte-Carlo draws give P5 / P50 / P95 of next-window revenue and contribution, an account that
stays bringing its window revenue and contribution again. It is ``None`` when the churn model
refuses to rank (too little history), never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from keyaccount.analyses.base import Finding, Result, Scalar
from keyaccount.analyses.churn import ProbabilisticStress, probabilistic_stress
from keyaccount.analyses.concentration import UNKNOWN, breakdown
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.profitability import account_pnl, pnl_with_attributes

MONTHS_PER_YEAR = 12


def operating_result(yearly_contribution: float, fixed_costs_per_month: float) -> float:
    """``yearly contribution − 12 × fixed costs per month``."""
    return yearly_contribution - MONTHS_PER_YEAR * fixed_costs_per_month


def runway_months(cash: float, yearly_result: float) -> float | None:
    """Months the cash lasts: ``cash / monthly loss`` when the result is a loss, else None.

    Cash below zero lasts zero months.
    """
    monthly = yearly_result / MONTHS_PER_YEAR
    if monthly >= 0:
        return None
    return max(cash, 0.0) / -monthly


@dataclass(frozen=True)
class Baseline:
    """The company before any loss.

    Window totals and, when the company facts are given, its operating result and runway.
    """

    revenue: float
    gross_profit: float
    contribution: float
    receivables: float
    yearly_contribution: float
    fixed_costs_per_month: float | None
    cash: float | None
    operating_result: float | None
    runway_months: float | None


@dataclass(frozen=True)
class Scenario:
    """One stress scenario and what the company loses in it."""

    name: str  # top1, top_k, top_industry, top_region, named
    subjects: tuple[str, ...]  # what was named: account ids, industries or regions
    accounts: tuple[str, ...]  # the accounts removed, largest revenue first
    revenue_lost: float
    revenue_lost_share: float
    gross_profit_lost: float
    contribution_lost: float
    pooled_costs_kept: float
    receivables_at_risk: float
    contribution_after: float
    operating_result: float | None
    runway_months: float | None


def baseline(
    pnl: pd.DataFrame, window_months: int, fixed_costs_per_month: float | None, cash: float | None
) -> Baseline:
    """The company's figures before any loss."""
    contribution = float(pnl.contribution.sum())
    yearly = contribution * MONTHS_PER_YEAR / window_months
    result = (
        operating_result(yearly, fixed_costs_per_month)
        if fixed_costs_per_month is not None
        else None
    )
    runway = runway_months(cash, result) if result is not None and cash is not None else None
    return Baseline(
        float(pnl.revenue.sum()),
        float(pnl.gross_profit.sum()),
        contribution,
        float(pnl.unpaid.sum()),
        yearly,
        fixed_costs_per_month,
        cash,
        result,
        runway,
    )


def lose(
    pnl: pd.DataFrame,
    accounts: Iterable[str],
    base: Baseline,
    window_months: int,
    name: str,
    subjects: Sequence[str] = (),
) -> Scenario:
    """Remove ``accounts`` from the P&L ``pnl`` (columns of :func:`account_pnl`)."""
    wanted = set(accounts)
    lost = pnl[pnl.account_id.isin(wanted)]
    revenue = float(lost.revenue.sum())
    contribution = float(lost.contribution.sum())
    after = base.contribution - contribution
    result = runway = None
    if base.fixed_costs_per_month is not None:
        result = operating_result(
            after * MONTHS_PER_YEAR / window_months, base.fixed_costs_per_month
        )
        runway = runway_months(base.cash, result) if base.cash is not None else None
    return Scenario(
        name=name,
        subjects=tuple(subjects) or tuple(lost.account_id),
        accounts=tuple(lost.account_id),
        revenue_lost=revenue,
        revenue_lost_share=revenue / base.revenue if base.revenue > 0 else math.nan,
        gross_profit_lost=float(lost.gross_profit.sum()),
        contribution_lost=contribution,
        pooled_costs_kept=float(lost.pooled_costs.sum()),
        receivables_at_risk=float(lost.unpaid.sum()),
        contribution_after=after,
        operating_result=result,
        runway_months=runway,
    )


def scenario_table(scenarios: Iterable[Scenario]) -> pd.DataFrame:
    """One row per scenario (``subjects`` and ``accounts`` as tuples)."""
    rows = [vars(s) | {"account_count": len(s.accounts)} for s in scenarios]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StressResult(Result):
    """Figures of §2: the baseline, the four standard scenarios and their table.

    ``probabilistic`` is the Monte-Carlo scenario of §2 over the churn model's probabilities
    (§7), or ``None`` when that model does not rank.
    """

    baseline: Baseline
    top1: Scenario
    top_k: Scenario
    top_industry: Scenario
    top_region: Scenario
    scenarios: pd.DataFrame
    probabilistic: ProbabilisticStress | None = None


def _pnl_with_attributes(ctx: AuditContext) -> pd.DataFrame:
    return pnl_with_attributes(ctx)


def _baseline(ctx: AuditContext) -> Baseline:
    company = ctx.settings.company
    return baseline(account_pnl(ctx), ctx.window, company.fixed_costs_per_month, company.cash)


def _label(values: pd.Series) -> pd.Series:
    return values.fillna(UNKNOWN).replace("", UNKNOWN).astype(str)


def named_scenario(
    ctx: AuditContext,
    customers: Sequence[str] = (),
    industries: Sequence[str] = (),
    regions: Sequence[str] = (),
    name: str = "named",
) -> Scenario:
    """Lose the named accounts and every account in the named industries or regions.

    A customer is named by its account id or its own customer id (which takes its account);
    ``(unknown)`` names the accounts with no industry or region. Raises ValueError naming any
    customer, industry or region the data does not hold.
    """
    pnl = _pnl_with_attributes(ctx)
    chosen: set[str] = set()
    if customers:
        membership = ctx.membership.execute()
        account_of = dict(
            zip(membership.customer_id.astype(str), membership.account_id.astype(str), strict=True)
        )
        account_of |= {a: a for a in account_of.values()}
        unknown = [c for c in customers if c not in account_of]
        if unknown:
            raise ValueError(f"stress: unknown customer(s): {', '.join(unknown)}")
        chosen |= {account_of[c] for c in customers}
    for column, names in (("industry", industries), ("region", regions)):
        if not names:
            continue
        labels = _label(pnl[column])
        unknown = [n for n in names if n not in set(labels)]
        if unknown:
            raise ValueError(f"stress: unknown {column}(s): {', '.join(unknown)}")
        chosen |= set(pnl.account_id[labels.isin(set(names))])
    subjects = (*customers, *industries, *regions)
    return lose(pnl, chosen, _baseline(ctx), ctx.window, name, subjects)


def run(ctx: AuditContext) -> StressResult:
    """The standard stress scenarios over the analysis window."""
    pnl = _pnl_with_attributes(ctx)
    base = _baseline(ctx)
    positive = pnl[pnl.revenue > 0]  # account_pnl is sorted: largest revenue first
    k = ctx.settings.audit.top_k
    top1 = lose(pnl, positive.account_id.head(1), base, ctx.window, "top1")
    top_k = lose(pnl, positive.account_id.head(k), base, ctx.window, "top_k")
    dimension_scenarios = []
    for column in ("industry", "region"):
        if positive.empty:
            top: tuple[str, ...] = ()
            chosen: pd.Series = positive.account_id
        else:
            top = (breakdown(positive, column).top,)
            chosen = pnl.account_id[_label(pnl[column]) == top[0]]
        dimension_scenarios.append(lose(pnl, chosen, base, ctx.window, f"top_{column}", top))
    top_industry, top_region = dimension_scenarios
    scenarios = (top1, top_k, top_industry, top_region)
    monte_carlo = probabilistic_stress(ctx)
    findings = _findings(base, scenarios)
    if monte_carlo is not None:
        findings.append(_probabilistic_finding(monte_carlo))
    return StressResult(
        findings=tuple(findings),
        baseline=base,
        top1=top1,
        top_k=top_k,
        top_industry=top_industry,
        top_region=top_region,
        scenarios=scenario_table(scenarios),
        probabilistic=monte_carlo,
    )


def _probabilistic_finding(mc: ProbabilisticStress) -> Finding:
    """The Monte-Carlo range of next-window revenue and contribution, against today's."""
    return Finding(
        "stress.probabilistic",
        "info",
        {
            "draws": mc.draws,
            "ttm_revenue": mc.ttm_revenue,
            "revenue_p5": mc.revenue_p5,
            "revenue_p50": mc.revenue_p50,
            "revenue_p95": mc.revenue_p95,
            "contribution_p5": mc.contribution_p5,
            "contribution_p50": mc.contribution_p50,
            "ttm_contribution": mc.ttm_contribution,
        },
    )


def _findings(base: Baseline, scenarios: Sequence[Scenario]) -> list[Finding]:
    findings = []
    for s in scenarios:
        turns_to_loss = (
            base.operating_result is not None
            and base.operating_result >= 0
            and s.operating_result is not None
            and s.operating_result < 0
        )
        values: dict[str, Scalar] = {
            "accounts": len(s.accounts),
            "revenue_lost": s.revenue_lost,
            "revenue_lost_share": s.revenue_lost_share,
            "contribution_lost": s.contribution_lost,
            "receivables_at_risk": s.receivables_at_risk,
            "operating_result": s.operating_result,
            "runway_months": s.runway_months,
            "turns_to_loss": turns_to_loss,
        }
        findings.append(
            Finding(f"stress.{s.name}", "alert" if turns_to_loss else "info", values, s.subjects)
        )
    return findings
