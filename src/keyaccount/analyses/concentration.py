"""Portfolio structure and concentration (docs/metrics.md §1).

Over the analysis window, per account with positive commercial revenue:
``share_c = R_c / Σ R``; ``HHI = Σ (100·share_c)²`` (0…10000) with the US DOJ/FTC 2023 bands
(< 1000 unconcentrated, 1000–1800 moderately, > 1800 highly concentrated) and the 2010 bands
(1500 / 2500); ``effective_customers = 10000 / HHI``; the population Gini
``Σ_i Σ_j |x_i − x_j| / (2 n² mean)``; top-1/5/10 shares; the Pareto count (fewest accounts
making 80% of revenue); the same shares and HHI by industry, region and product line; the
alerts; the tenure profile (completed calendar months since customers.first_date, else the
first commercial invoice) and its shape; the risk-heatmap rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, attach, months_back
from keyaccount.analyses.money import float_frame

BANDS_2023 = (1000.0, 1800.0)
BANDS_2010 = (1500.0, 2500.0)
TENURE_BUCKETS = ("<1y", "1-3y", "3-5y", ">=5y")
UNKNOWN = "(unknown)"


def revenue_shares(revenue: pd.Series) -> pd.Series:
    """Shares of positive revenue, largest first (accounts with R ≤ 0 are left out)."""
    positive = revenue[revenue > 0].astype(float)
    return (positive / positive.sum()).sort_values(ascending=False, kind="mergesort")


def hhi(shares: pd.Series) -> float:
    """Herfindahl–Hirschman index ``Σ (100·share)²`` in 0…10000."""
    return float(((100.0 * shares) ** 2).sum())


def hhi_band(value: float, bands: tuple[float, float] = BANDS_2023) -> str:
    """``unconcentrated``, ``moderate`` or ``high`` for an HHI under the given bands."""
    low, high = bands
    if value < low:
        return "unconcentrated"
    return "moderate" if value <= high else "high"


def gini(values: pd.Series) -> float:
    """Population Gini of positive values, ``Σ_i Σ_j |x_i − x_j| / (2 n² mean)``.

    Computed in O(n log n) through the sorted form ``(2 Σ i·x_(i)) / (n Σ x) − (n + 1) / n``.
    """
    x = np.sort(values[values > 0].to_numpy(dtype=float))
    n = len(x)
    if n == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * x.sum()) - (n + 1) / n)


def pareto_count(shares: pd.Series, level: float = 0.8) -> int:
    """The smallest number of accounts whose shares reach ``level`` (largest first)."""
    cumulative = shares.sort_values(ascending=False).cumsum().to_numpy()
    return int(np.searchsorted(cumulative, level - 1e-12) + 1) if len(cumulative) else 0


def top_share(shares: pd.Series, k: int) -> float:
    """Share of the ``k`` largest accounts."""
    return float(shares.sort_values(ascending=False).head(k).sum())


@dataclass(frozen=True)
class Breakdown:
    """Shares and HHI of revenue by one dimension (industry, region or product line)."""

    table: pd.DataFrame  # columns: <dimension>, revenue, share, accounts
    hhi: float
    top: str
    top_share: float


def breakdown(revenue: pd.DataFrame, dimension: str) -> Breakdown:
    """Group positive account revenue by ``dimension`` (missing values as ``(unknown)``)."""
    positive = revenue[revenue.revenue > 0].copy()
    positive[dimension] = positive[dimension].fillna(UNKNOWN).replace("", UNKNOWN)
    table = (
        positive.groupby(dimension, as_index=False)
        .agg(revenue=("revenue", "sum"), accounts=("revenue", "size"))
        .sort_values(["revenue", dimension], ascending=[False, True], kind="mergesort")
    )
    table["share"] = table.revenue / table.revenue.sum()
    table = table.reset_index(drop=True)
    return Breakdown(
        table, hhi(table.share), str(table[dimension].iloc[0]), float(table.share.iloc[0])
    )


def tenure_years(start: pd.Series, as_of: date) -> pd.Series:
    """Tenure in years of completed calendar months (2024-06-30 → 2025-06-30 is 1.0)."""
    start = pd.to_datetime(start)
    months = (
        (as_of.year - start.dt.year) * 12
        + (as_of.month - start.dt.month)
        - (start.dt.day > as_of.day).astype(int)
    )
    return months / 12.0


def tenure_bucket(years: pd.Series) -> pd.Series:
    """<1y, 1-3y, 3-5y, >=5y for tenures in years."""
    bins = [-np.inf, 1, 3, 5, np.inf]
    return pd.cut(years, bins=bins, labels=list(TENURE_BUCKETS), right=False).astype(str)


def tenure_shape(profile: pd.DataFrame) -> str:
    """``inverted_pyramid``, ``spindle`` or ``balanced`` (docs/metrics.md §1).

    Inverted pyramid: <1y accounts are ≥ 50% of active accounts and ≥5y accounts hold < 20% of
    revenue. Spindle: the bucket with the largest revenue share is 1-3y or 3-5y.
    """
    by = profile.set_index("bucket")
    count_share = by.accounts / by.accounts.sum()
    revenue_share = by.revenue / by.revenue.sum()
    if count_share.get("<1y", 0.0) >= 0.5 and revenue_share.get(">=5y", 0.0) < 0.2:
        return "inverted_pyramid"
    if str(revenue_share.idxmax()) in ("1-3y", "3-5y"):
        return "spindle"
    return "balanced"


@dataclass(frozen=True)
class ConcentrationResult(Result):
    """Figures of §1; ``accounts`` holds one row per active account (the heatmap data)."""

    total_revenue: float
    active_accounts: int
    top1_share: float
    top1_account: str
    top5_share: float
    top10_share: float
    pareto_count: int
    pareto_share_of_accounts: float
    hhi: float
    hhi_band_2023: str
    hhi_band_2010: str
    effective_customers: float
    gini: float
    by_industry: Breakdown
    by_region: Breakdown
    by_product_line: Breakdown | None
    tenure_profile: pd.DataFrame
    tenure_shape: str
    accounts: pd.DataFrame


def run(ctx: AuditContext) -> ConcentrationResult:
    """Concentration and structure of the portfolio over the analysis window."""
    revenue = float_frame(
        attach(attach(ctx.account_revenue(), ctx.accounts), ctx.first_commercial_day)
    )
    revenue = revenue[revenue.revenue > 0]
    revenue = revenue.iloc[np.lexsort((string_rank(revenue.account_id), -revenue.revenue))]
    shares = revenue_shares(revenue.set_index("account_id").revenue)
    index = hhi(shares)
    settings = ctx.settings.audit

    revenue["tenure_years"] = tenure_years(revenue.first_date.fillna(revenue.first_day), ctx.as_of)
    revenue["tenure_bucket"] = tenure_bucket(revenue.tenure_years)
    revenue["share"] = revenue.account_id.map(shares)
    profile = (
        revenue.groupby("tenure_bucket")
        .agg(accounts=("revenue", "size"), revenue=("revenue", "sum"))
        .reindex(list(TENURE_BUCKETS), fill_value=0)
        .rename_axis("bucket")
        .reset_index()
    )
    profile["accounts"] = profile.accounts.astype(int)

    by_industry = breakdown(revenue, "industry")
    by_region = breakdown(revenue, "region")
    by_line = _product_lines(ctx)
    top1 = float(shares.iloc[0]) if len(shares) else 0.0
    top1_account = str(shares.index[0]) if len(shares) else ""
    pareto = pareto_count(shares)
    findings = _findings(
        top1,
        top1_account,
        by_industry,
        by_region,
        index,
        settings.top1_alert,
        settings.industry_alert,
        settings.region_alert,
    )
    return ConcentrationResult(
        findings=tuple(findings),
        total_revenue=float(revenue.revenue.sum()),
        active_accounts=len(shares),
        top1_share=top1,
        top1_account=top1_account,
        top5_share=top_share(shares, 5),
        top10_share=top_share(shares, 10),
        pareto_count=pareto,
        pareto_share_of_accounts=pareto / len(shares) if len(shares) else 0.0,
        hhi=index,
        hhi_band_2023=hhi_band(index, BANDS_2023),
        hhi_band_2010=hhi_band(index, BANDS_2010),
        effective_customers=10000.0 / index if index else 0.0,
        gini=gini(shares),
        by_industry=by_industry,
        by_region=by_region,
        by_product_line=by_line,
        tenure_profile=profile,
        tenure_shape=tenure_shape(profile),
        accounts=revenue[
            [
                "account_id",
                "name",
                "industry",
                "region",
                "revenue",
                "share",
                "tenure_years",
                "tenure_bucket",
            ]
        ].reset_index(drop=True),
    )


def _product_lines(ctx: AuditContext) -> Breakdown | None:
    """Revenue by product line over the window (a second, narrow scan of invoices)."""
    inv = ctx.tables["invoices"]
    back = months_back(inv.date, ctx.as_of)
    window = inv.filter(inv.deal_type == COMMERCIAL, back >= 0, back < ctx.window)
    lines = float_frame(window.group_by("product_line").aggregate(revenue=window.amount.sum()))
    if lines.product_line.isna().all():
        return None
    return breakdown(lines, "product_line")


def _findings(
    top1: float,
    top1_account: str,
    industry: Breakdown,
    region: Breakdown,
    index: float,
    top1_alert: float,
    industry_alert: float,
    region_alert: float,
) -> list[Finding]:
    findings = [Finding("concentration.hhi", "info", {"hhi": index, "band": hhi_band(index)})]
    if top1 > top1_alert:
        findings.append(
            Finding(
                "concentration.top1_over_threshold",
                "alert",
                {"share": top1, "threshold": top1_alert},
                (top1_account,),
            )
        )
    if industry.top_share > industry_alert:
        findings.append(
            Finding(
                "concentration.industry_over_threshold",
                "warning",
                {"share": industry.top_share, "threshold": industry_alert},
                (industry.top,),
            )
        )
    if region.top_share > region_alert:
        findings.append(
            Finding(
                "concentration.region_over_threshold",
                "warning",
                {"share": region.top_share, "threshold": region_alert},
                (region.top,),
            )
        )
    return findings
