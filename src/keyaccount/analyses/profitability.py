"""True profitability per account (docs/metrics.md §3).

Over the analysis window (the trailing ``window_months`` months ending at the as-of date), per
account (the group when ``audit.rollup``), commercial deals only:

- ``gross_profit = revenue − cogs``; ``cogs`` is the invoice ``cost``, and revenue of lines
  with no cost is costed at ``revenue × (1 − default_gross_margin)`` — the account is then
  flagged ``estimated`` (its uncosted revenue is not zero).
- ``rebates`` = invoice ``rebate`` + costs of category ``rebate`` tagged to the account +
  its share of pooled (untagged) ``rebate`` costs.
- ``cost_to_serve`` = tagged costs of categories service_team, custom_rnd, support, retention
  and other + its share of the pooled ones. Pooled costs are shared by window revenue over the
  accounts with positive revenue (``cost_allocation = "revenue"``) or by invoice count over
  the accounts with at least one invoice of positive amount (``"invoice_count"``).
  Acquisition costs never enter contribution (they are CAC, §4).
- ``financing_cost = Σ amount × days_to_pay / 365 × capital_rate``; ``days_to_pay`` =
  paid_date − date, else payment_days, else ``default_payment_days``.
- ``contribution = gross_profit − rebates − cost_to_serve − financing_cost``;
  ``true_margin = contribution / revenue`` (accounts with positive revenue).
- ``unpaid``: the account's open receivables at the as-of date (every invoice up to the as-of
  date with no paid_date or one after it, any deal type, credit notes netted).

**Cost months.** The costs table holds a month (``period``, stored as its first day). A cost
month is in the window when its calendar month is one of the ``window_months`` calendar months
ending with the as-of date's month: for an as-of date of 2025-06-15 that is July 2024 … June
2025, although the invoice window starts on 2024-06-16 — a month's costs are not split by day.

The company's figures are the sums over every account of the P&L (credit-note-only accounts
included); its true margin is Σ contribution / Σ revenue. Value black holes, the whale curve,
the revenue and profit bases and the ABCD classes follow §3; the ABCD potential is the
growth-potential dimension of §9 (``potential_basis = "growth_potential"``; an account it
cannot score has low potential), or, when tiering cannot run, the percentile rank of revenue
growth (TTM vs prior TTM; ``potential_basis = "revenue_growth"``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, attach, months_back
from keyaccount.analyses.money import decimal_floats, float_frame
from keyaccount.analyses.registry import spec
from keyaccount.config import ProfitabilitySettings

SERVE_CATEGORIES = ("service_team", "custom_rnd", "support", "retention", "other")
REBATE_CATEGORY = "rebate"
TOP_DECILE = 0.10
BASE_LEVEL = 0.80
POTENTIAL_HIGH = 50.0
POTENTIAL_BASIS = "revenue_growth"
GROWTH_POTENTIAL_BASIS = "growth_potential"
COMPONENTS = ("gross_margin", "rebates", "cost_to_serve", "financing_cost")
PNL_COLUMNS = (
    "account_id",
    "revenue",
    "cogs",
    "gross_profit",
    "estimated",
    "uncosted_revenue",
    "rebates",
    "cost_to_serve",
    "financing_cost",
    "contribution",
    "true_margin",
    "unpaid",
    "pooled_costs",
)

Amount = TypeVar("Amount", float, pd.Series)


def profitability_settings(ctx: AuditContext) -> ProfitabilitySettings:
    """``ctx.settings.profitability`` when the settings have that section, else the defaults."""
    return ctx.settings.profitability


# --- Formulas --------------------------------------------------------------------------------


def cogs_with_estimate(
    cost_known: Amount, revenue: Amount, revenue_costed: Amount, default_gross_margin: float
) -> Amount:
    """``cogs = known cost + (revenue − revenue_costed) × (1 − default_gross_margin)``."""
    return cost_known + (revenue - revenue_costed) * (1.0 - default_gross_margin)


def financing_cost(
    paid_days_amount: Amount,
    revenue: Amount,
    amount_days_known: Amount,
    default_days: float,
    capital_rate: float,
) -> Amount:
    """``Σ amount × days_to_pay / 365 × capital_rate``.

    ``paid_days_amount`` is Σ amount × days over the invoices whose days to pay are known; the
    rest of the revenue (``revenue − amount_days_known``) waits ``default_days``.
    """
    days_amount = paid_days_amount + (revenue - amount_days_known) * default_days
    return days_amount / 365.0 * capital_rate


def allocation_weights(pnl: pd.DataFrame, basis: str) -> pd.Series:
    """Shares of pooled costs: positive revenue (``revenue``) or invoices (``invoice_count``).

    Sums to 1 over the accounts that take a share; all zeros when none can.
    """
    raw = pnl.revenue if basis == "revenue" else pnl.orders.astype(float)
    weights = raw.where(raw > 0, 0.0)
    total = weights.sum()
    return weights / total if total > 0 else weights * 0.0


@dataclass(frozen=True)
class CompanyPnl:
    """The company's window P&L: sums over all accounts, and margins on revenue."""

    revenue: float
    cogs: float
    gross_profit: float
    rebates: float
    cost_to_serve: float
    financing_cost: float
    contribution: float
    gross_margin: float
    true_margin: float
    estimated_revenue_share: float  # uncosted revenue / revenue
    unallocated_pooled_costs: float  # pooled costs no account could take (no revenue at all)


def company_totals(pnl: pd.DataFrame, pooled_total: float = 0.0) -> CompanyPnl:
    """Sum the per-account P&L; margins are Σ component / Σ revenue (NaN with no revenue)."""
    sums = {
        c: float(pnl[c].sum())
        for c in (
            "revenue",
            "cogs",
            "gross_profit",
            "rebates",
            "cost_to_serve",
            "financing_cost",
            "contribution",
            "uncosted_revenue",
            "pooled_costs",
        )
    }
    revenue = sums["revenue"]

    def margin(value: float) -> float:
        return value / revenue if revenue > 0 else math.nan

    return CompanyPnl(
        revenue=revenue,
        cogs=sums["cogs"],
        gross_profit=sums["gross_profit"],
        rebates=sums["rebates"],
        cost_to_serve=sums["cost_to_serve"],
        financing_cost=sums["financing_cost"],
        contribution=sums["contribution"],
        gross_margin=margin(sums["gross_profit"]),
        true_margin=margin(sums["contribution"]),
        estimated_revenue_share=margin(sums["uncosted_revenue"]),
        unallocated_pooled_costs=pooled_total - sums["pooled_costs"],
    )


def _rank_order(values: pd.Series | np.ndarray, keys: pd.Index | pd.Series) -> np.ndarray:
    """Positions of ``values`` largest first, ties by ``keys`` (as strings); NaN last."""
    return np.lexsort((string_rank(keys), -np.asarray(values, dtype=float)))


def _ranked(values: pd.Series) -> pd.Series:
    """``values`` (indexed by account id) largest first, ties by account id; NaN last."""
    return values.iloc[_rank_order(values, values.index)]


def top_decile(revenue: pd.Series) -> list[str]:
    """The ceil(10%) largest accounts among those with positive revenue (ties by account id)."""
    positive = _ranked(revenue[revenue > 0])
    return [str(a) for a in positive.index[: math.ceil(TOP_DECILE * len(positive))]]


def component_gaps(pnl: pd.DataFrame, company: CompanyPnl) -> pd.DataFrame:
    """How far each component of an account is worse than the company's, in points of revenue.

    Per account with positive revenue, as fractions (0.05 = 5 points):
    ``gap_gross_margin = company gross margin − account gross margin``; for rebates,
    cost-to-serve and financing cost, ``account component / revenue − company component /
    revenue``. The gaps add up to ``company true margin − account true margin``.
    """
    acc = pnl[pnl.revenue > 0]
    rev = acc.revenue
    gaps = pd.DataFrame({"account_id": acc.account_id}, index=acc.index)
    gaps["gap_gross_margin"] = company.gross_margin - acc.gross_profit / rev
    for part in ("rebates", "cost_to_serve", "financing_cost"):
        company_share = getattr(company, part) / company.revenue if company.revenue else math.nan
        gaps[f"gap_{part}"] = acc[part] / rev - company_share
    return gaps


def main_driver(gaps: pd.DataFrame) -> pd.Series:
    """The component with the largest gap (the first in §3 order on a tie)."""
    columns = [f"gap_{c}" for c in COMPONENTS]
    picked = gaps[columns].to_numpy(dtype=float).argmax(axis=1)
    return pd.Series([COMPONENTS[i] for i in picked], index=gaps.index, dtype=object)


def black_holes(pnl: pd.DataFrame, company: CompanyPnl, ratio: float) -> pd.DataFrame:
    """Value black holes: top-decile accounts with a true margin below ``ratio`` × the company's.

    Or negative. With their component gaps and main driver; largest revenue first.
    """
    decile = set(top_decile(pnl.set_index("account_id").revenue))
    acc = pnl[pnl.account_id.isin(decile)]
    hit = acc[(acc.true_margin < ratio * company.true_margin) | (acc.true_margin < 0)]
    gaps = component_gaps(hit, company)
    out = hit[["account_id", "revenue", "gross_profit", "contribution", "true_margin"]].join(
        gaps.drop(columns="account_id")
    )
    out.insert(4, "gross_margin", out.gross_profit / out.revenue)
    out["main_driver"] = main_driver(gaps) if len(gaps) else pd.Series(dtype=object)
    return out.iloc[_rank_order(out.revenue, out.account_id)].reset_index(drop=True)


@dataclass(frozen=True)
class WhaleCurve:
    """Kaplan's whale curve: cumulative contribution share by cumulative share of accounts.

    ``table``: rank, account_id, contribution, cum_contribution, cum_contribution_share,
    cum_account_share (accounts by contribution, largest first). ``peak_share`` is the highest
    cumulative share (e.g. 1.4 = 140% of the total profit), reached at ``peak_accounts``
    accounts; ``destroyers`` are the accounts after the peak with negative contribution and
    ``destroyed`` their total (≤ 0).
    """

    table: pd.DataFrame
    peak_share: float
    peak_accounts: int
    destroyers: tuple[str, ...]
    destroyed: float


def whale_curve(contribution: pd.Series) -> WhaleCurve:
    """The whale curve of contributions indexed by account id (shares NaN when Σ = 0)."""
    ranked = _ranked(contribution.astype(float))
    n = len(ranked)
    cumulative = ranked.cumsum()
    total = float(ranked.sum())
    share = cumulative / total if total != 0 else cumulative * math.nan
    table = pd.DataFrame(
        {
            "rank": np.arange(1, n + 1),
            "account_id": [str(a) for a in ranked.index],
            "contribution": ranked.to_numpy(),
            "cum_contribution": cumulative.to_numpy(),
            "cum_contribution_share": share.to_numpy(),
            "cum_account_share": np.arange(1, n + 1) / n if n else np.array([]),
        }
    )
    if n == 0 or total == 0:
        return WhaleCurve(table, math.nan, 0, (), 0.0)
    peak_at = int(np.argmax(table.cum_contribution_share.to_numpy()))
    if total < 0:  # the curve is upside down: its "peak" is where cumulative profit is highest
        peak_at = int(np.argmax(table.cum_contribution.to_numpy()))
    after = table.iloc[peak_at + 1 :]
    after = after[after.contribution < 0]
    return WhaleCurve(
        table,
        float(table.cum_contribution_share.iloc[peak_at]),
        peak_at + 1,
        tuple(after.account_id),
        float(after.contribution.sum()),
    )


def base_accounts(values: pd.Series, level: float = BASE_LEVEL) -> list[str]:
    """The fewest accounts (largest first) whose positive values reach ``level`` of their total.

    The revenue base (of revenue) or the profit base (of positive contribution).
    """
    positive = _ranked(values[values > 0].astype(float))
    if positive.empty:
        return []
    cumulative = positive.cumsum().to_numpy() / positive.sum()
    count = int(np.searchsorted(cumulative, level - 1e-12) + 1)
    return [str(a) for a in positive.index[:count]]


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """``|A ∩ B| / |A ∪ B|`` (NaN when both are empty)."""
    left, right = set(a), set(b)
    union = left | right
    return len(left & right) / len(union) if union else math.nan


def revenue_growth(revenue: pd.Series, prior_revenue: pd.Series) -> pd.Series:
    """``R1 / R0 − 1``; +inf when the prior revenue is ≤ 0 (a new or returning account)."""
    r0 = prior_revenue.astype(float)
    growth = revenue.astype(float) / r0.where(r0 > 0) - 1.0
    return growth.where(r0 > 0, math.inf)


def percentile_rank(values: pd.Series) -> pd.Series:
    """Mid-rank percentile in 0–100: ``100 × (below + ½ · equal) / n``."""
    return 100.0 * (values.rank(method="average") - 0.5) / len(values)


def abcd_class(profit_high: pd.Series, potential_high: pd.Series) -> pd.Series:
    """A high profit / high potential, B high / low, C low / high, D low / low."""
    labels = np.select(
        [profit_high & potential_high, profit_high, potential_high], ["A", "B", "C"], "D"
    )
    return pd.Series(labels, index=profit_high.index, dtype=object)


# --- The P&L from the engine -----------------------------------------------------------------


def account_pnl(ctx: AuditContext) -> pd.DataFrame:
    """One row per account with window activity or window costs: the §3 P&L.

    Columns: account_id, revenue, cogs, gross_profit, estimated, uncosted_revenue, rebates,
    cost_to_serve, financing_cost, contribution, true_margin, unpaid, pooled_costs (its share
    of pooled rebates and cost-to-serve, inside ``rebates`` and ``cost_to_serve``).
    Largest revenue first. Computed once per context (stress and LTV reuse it).
    """
    return ctx.memo("account_pnl", lambda: _pnl_parts(ctx)[0])


def pooled_costs_total(ctx: AuditContext) -> float:
    """Pooled rebate and cost-to-serve costs of the window (allocated or not)."""
    return _pnl_parts(ctx)[1]


def _pnl_parts(ctx: AuditContext) -> tuple[pd.DataFrame, float]:
    return ctx.memo("account_pnl.parts", lambda: _account_pnl(ctx))


MONEY_FACTS = (
    "revenue",
    "cost_known",
    "revenue_costed",
    "rebate",
    "paid_days_amount",
    "amount_days_known",
    "unpaid",
)


def _window_facts(ctx: AuditContext) -> pd.DataFrame:
    """Window sums per account from the one scan, and open receivables at the as-of date."""
    facts = ctx.account_months
    window = facts.filter(facts.commercial, facts.back < ctx.window)
    sums = window.group_by("account_id").aggregate(
        revenue=window.revenue.sum(),
        cost_known=window.cost_known.sum(),
        revenue_costed=window.revenue_costed.sum(),
        rebate=window.rebate.sum(),
        paid_days_amount=window.paid_days_amount.sum(),
        amount_days_known=window.amount_days_known.sum(),
    )
    receivables = facts.group_by("account_id").aggregate(unpaid=facts.unpaid.sum())
    fetched = attach(sums, receivables).to_pyarrow()
    frame = pd.DataFrame({"account_id": fetched["account_id"].to_pylist()})
    for column in MONEY_FACTS:
        frame[column] = np.nan_to_num(decimal_floats(fetched[column]), nan=0.0)
    return frame


def _window_orders(ctx: AuditContext) -> pd.DataFrame:
    """Commercial invoices with a positive amount per account in the window.

    A second, narrow scan of invoices, run only for ``cost_allocation = "invoice_count"``.
    """
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    back = months_back(inv.date, ctx.as_of)
    window = inv.filter(inv.deal_type == COMMERCIAL, inv.amount > 0, back >= 0, back < ctx.window)
    return window.group_by("account_id").aggregate(orders=window.invoice_id.nunique()).execute()


def _window_costs(ctx: AuditContext) -> pd.DataFrame:
    """Rebate and cost-to-serve costs of the window per account; pooled ones under ``None``."""
    if not ctx.has("costs"):
        return pd.DataFrame(
            {
                "account_id": pd.Series([], dtype=object),
                "rebate_cost": pd.Series([], dtype=float),
                "serve_cost": pd.Series([], dtype=float),
            }
        )
    costs = ctx.tables["costs"]
    anchor = ctx.as_of.year * 12 + ctx.as_of.month
    back = anchor - (costs.period.year().cast("int64") * 12 + costs.period.month().cast("int64"))
    kept = costs.filter(
        back >= 0, back < ctx.window, costs.category.isin([*SERVE_CATEGORIES, REBATE_CATEGORY])
    )
    tagged = attach(kept, ctx.membership, key="customer_id")
    # A tag naming no known customer stays on that id rather than becoming pooled.
    tagged = tagged.mutate(account_id=ibis.coalesce(tagged.account_id, tagged.customer_id))
    is_rebate = tagged.category == REBATE_CATEGORY
    frame = (
        tagged.group_by("account_id")
        .aggregate(
            rebate_cost=tagged.amount.sum(where=is_rebate),
            serve_cost=tagged.amount.sum(where=~is_rebate),
        )
        .execute()
    )
    for column in ("rebate_cost", "serve_cost"):
        frame[column] = frame[column].astype(float).fillna(0.0)
    return frame


def _account_pnl(ctx: AuditContext) -> tuple[pd.DataFrame, float]:
    settings = profitability_settings(ctx)
    facts = _window_facts(ctx)
    if settings.cost_allocation == "invoice_count":
        facts = facts.merge(_window_orders(ctx), on="account_id", how="outer")
    return pnl_from_facts(facts, _window_costs(ctx), settings)


def pnl_from_facts(
    facts: pd.DataFrame, costs: pd.DataFrame, settings: ProfitabilitySettings
) -> tuple[pd.DataFrame, float]:
    """The §3 P&L from window sums per account and window costs; and the pooled total.

    ``facts``: account_id, revenue, cost_known, revenue_costed, rebate, paid_days_amount,
    amount_days_known, unpaid (floats, 0 for none) and, for the ``invoice_count`` allocation,
    orders (commercial invoices with a positive amount). ``costs``: account_id (None for
    pooled), rebate_cost, serve_cost.
    """
    pooled = costs[costs.account_id.isna()]
    pooled_rebate = float(pooled.rebate_cost.sum())
    pooled_serve = float(pooled.serve_cost.sum())
    tagged = costs[costs.account_id.notna()]

    if tagged.empty:  # nothing to join (no costs table, or only pooled costs)
        pnl = facts.assign(rebate_cost=np.nan, serve_cost=np.nan)
    else:
        pnl = facts.merge(tagged, on="account_id", how="outer")
    for column in (*MONEY_FACTS, "rebate_cost", "serve_cost"):
        pnl[column] = pnl[column].astype(float).fillna(0.0)
    if settings.cost_allocation == "invoice_count":
        if "orders" not in pnl:
            raise ValueError("the invoice_count allocation needs an orders column in facts")
        pnl["orders"] = pnl.orders.fillna(0).astype(int)
    pnl["account_id"] = pnl.account_id.astype(str)

    weights = allocation_weights(pnl, settings.cost_allocation)
    pnl["uncosted_revenue"] = pnl.revenue - pnl.revenue_costed
    pnl["estimated"] = pnl.uncosted_revenue != 0
    pnl["cogs"] = cogs_with_estimate(
        pnl.cost_known, pnl.revenue, pnl.revenue_costed, settings.default_gross_margin
    )
    pnl["gross_profit"] = pnl.revenue - pnl.cogs
    pnl["pooled_costs"] = weights * (pooled_rebate + pooled_serve)
    pnl["rebates"] = pnl.rebate + pnl.rebate_cost + weights * pooled_rebate
    pnl["cost_to_serve"] = pnl.serve_cost + weights * pooled_serve
    pnl["financing_cost"] = financing_cost(
        pnl.paid_days_amount,
        pnl.revenue,
        pnl.amount_days_known,
        settings.default_payment_days,
        settings.capital_rate,
    )
    pnl["contribution"] = pnl.gross_profit - pnl.rebates - pnl.cost_to_serve - pnl.financing_cost
    pnl["true_margin"] = (pnl.contribution / pnl.revenue).where(pnl.revenue > 0)
    pnl = pnl.iloc[_rank_order(pnl.revenue, pnl.account_id)].reset_index(drop=True)
    return pnl[list(PNL_COLUMNS)], pooled_rebate + pooled_serve


# --- The analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfitabilityResult(Result):
    """Figures of §3.

    ``accounts``: the P&L per account with name, industry, region, gross_margin, growth,
    potential (0–100), profit_high, abcd, black_hole. ``black_holes``: the value black holes
    with their component gaps and main driver. ``abcd``: accounts, revenue and contribution per
    class. ``potential_basis`` names what "potential" is measured by.
    """

    company: CompanyPnl
    costs_given: bool
    cost_allocation: str
    accounts: pd.DataFrame
    top_decile_size: int
    black_holes: pd.DataFrame
    whale_curve: pd.DataFrame
    whale_peak_share: float
    whale_peak_accounts: int
    value_destroyers: tuple[str, ...]
    value_destroyed: float
    revenue_base: tuple[str, ...]
    profit_base: tuple[str, ...]
    base_overlap: float
    abcd: pd.DataFrame
    potential_basis: str


def run(ctx: AuditContext) -> ProfitabilityResult:
    """True profitability of every account over the analysis window."""
    settings = profitability_settings(ctx)
    pnl = account_pnl(ctx)
    company = company_totals(pnl, pooled_costs_total(ctx))
    holes = black_holes(pnl, company, settings.black_hole_margin_ratio)
    whale = whale_curve(pnl.set_index("account_id").contribution)
    by_account = pnl.set_index("account_id")
    revenue_base = base_accounts(by_account.revenue)
    profit_base = base_accounts(by_account.contribution)

    prior = float_frame(ctx.account_revenue(start=ctx.window))
    prior_revenue = prior.set_index("account_id").revenue.reindex(by_account.index).fillna(0.0)
    accounts = pnl_with_attributes(ctx).copy()
    active = accounts.revenue > 0
    accounts["gross_margin"] = (accounts.gross_profit / accounts.revenue).where(active)
    accounts["prior_revenue"] = prior_revenue.to_numpy()
    growth = revenue_growth(accounts.revenue, accounts.prior_revenue)
    accounts["growth"] = growth.where(active)
    accounts["potential"], basis = account_potential(ctx, accounts, growth, active)
    accounts["profit_high"] = (accounts.true_margin >= company.true_margin).where(active)
    classes = abcd_class(
        accounts.true_margin[active] >= company.true_margin,
        accounts.potential[active] >= POTENTIAL_HIGH,
    )
    accounts["abcd"] = classes.reindex(accounts.index)
    accounts["black_hole"] = accounts.account_id.isin(set(holes.account_id))

    abcd = (
        accounts[active]
        .groupby("abcd")
        .agg(
            accounts=("account_id", "size"),
            revenue=("revenue", "sum"),
            contribution=("contribution", "sum"),
        )
        .reindex(list("ABCD"), fill_value=0)
        .rename_axis("abcd")
        .reset_index()
    )
    decile = math.ceil(TOP_DECILE * int(active.sum()))
    overlap = jaccard(revenue_base, profit_base)
    return ProfitabilityResult(
        findings=tuple(_findings(company, holes, whale, revenue_base, profit_base, overlap)),
        company=company,
        costs_given=ctx.has("costs"),
        cost_allocation=settings.cost_allocation,
        accounts=accounts,
        top_decile_size=decile,
        black_holes=holes,
        whale_curve=whale.table,
        whale_peak_share=whale.peak_share,
        whale_peak_accounts=whale.peak_accounts,
        value_destroyers=whale.destroyers,
        value_destroyed=whale.destroyed,
        revenue_base=tuple(revenue_base),
        profit_base=tuple(profit_base),
        base_overlap=overlap,
        abcd=abcd,
        potential_basis=basis,
    )


def account_potential(
    ctx: AuditContext, accounts: pd.DataFrame, growth: pd.Series, active: pd.Series
) -> tuple[pd.Series, str]:
    """Each active account's potential (0–100) and what measures it.

    The growth-potential dimension of §9 when tiering runs (``growth_potential``), else the
    percentile rank of revenue growth (``revenue_growth``). Inactive accounts have none.
    """
    if not spec("tiering").missing(ctx.tables):
        from keyaccount.analyses.tiering import growth_potential  # tiering reads the P&L

        growth_dimension = growth_potential(ctx)
        scores = growth_dimension.set_axis(growth_dimension.index.astype(str))
        potential = accounts.account_id.astype(str).map(scores).astype(float).where(active)
        return potential, GROWTH_POTENTIAL_BASIS
    return percentile_rank(growth[active]).reindex(accounts.index), POTENTIAL_BASIS


def pnl_with_attributes(ctx: AuditContext) -> pd.DataFrame:
    """:func:`account_pnl` with :func:`attach_attributes`, once per context (stress shares it).

    Copy it before adding columns.
    """
    return ctx.memo(
        "profitability.pnl_with_attributes", lambda: attach_attributes(ctx, account_pnl(ctx))
    )


def attach_attributes(ctx: AuditContext, pnl: pd.DataFrame) -> pd.DataFrame:
    """The P&L with each account's name, industry and region (None when unknown)."""
    attrs = ctx.account_frame()[["account_id", "name", "industry", "region"]]
    merged = pnl.merge(attrs, on="account_id", how="left")
    front = ["account_id", "name", "industry", "region"]
    return merged[front + [c for c in merged.columns if c not in front]]


def _findings(
    company: CompanyPnl,
    holes: pd.DataFrame,
    whale: WhaleCurve,
    revenue_base: list[str],
    profit_base: list[str],
    overlap: float,
) -> list[Finding]:
    findings = [
        Finding(
            "profitability.company_margin",
            "info",
            {
                "revenue": company.revenue,
                "gross_margin": company.gross_margin,
                "true_margin": company.true_margin,
                "contribution": company.contribution,
            },
        )
    ]
    if company.estimated_revenue_share > 0:
        findings.append(
            Finding(
                "profitability.estimated_costs",
                "warning",
                {"revenue_share": company.estimated_revenue_share},
            )
        )
    if len(holes):
        findings.append(
            Finding(
                "profitability.black_holes",
                "alert",
                {
                    "count": len(holes),
                    "revenue_share": float(holes.revenue.sum()) / company.revenue,
                    "contribution": float(holes.contribution.sum()),
                    "company_true_margin": company.true_margin,
                },
                tuple(holes.account_id),
            )
        )
        findings.extend(
            Finding(
                "profitability.black_hole",
                "alert",
                {
                    "true_margin": float(row.true_margin),
                    "revenue": float(row.revenue),
                    "main_driver": str(row.main_driver),
                    "gap": float(getattr(row, f"gap_{row.main_driver}")),
                },
                (str(row.account_id),),
            )
            for row in holes.itertuples(index=False)
        )
    if whale.destroyers:
        findings.append(
            Finding(
                "profitability.whale_peak",
                "warning",
                {
                    "peak_share": whale.peak_share,
                    "peak_accounts": whale.peak_accounts,
                    "destroyers": len(whale.destroyers),
                    "destroyed": whale.destroyed,
                },
                whale.destroyers,
            )
        )
    findings.append(
        Finding(
            "profitability.base_overlap",
            "info" if overlap >= 0.5 else "warning",
            {
                "revenue_base": len(revenue_base),
                "profit_base": len(profit_base),
                "jaccard": overlap,
            },
        )
    )
    return findings
