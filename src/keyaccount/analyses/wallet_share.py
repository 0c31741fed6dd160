"""Wallet share (docs/metrics.md §6).

``wallet_share = R_a(Y) / wallet_a(Y)`` per account and year, where ``wallet`` estimates the
account's total spend on our category; the rows of the customers of a group are summed into
its account (over the members that have a row for the year).

**Which revenue a wallet year meets.** Year Y is the twelve months ending on the as-of day of
year Y: the TTM for the as-of year, the prior TTM for the year before, and so on (month
indices 12k … 12k + 11 with k = as-of year − Y). With an as-of date of 31 December these are
the calendar years; otherwise a calendar year that has not ended would set nine months of
revenue against a whole year's wallet and every share would seem to fall. It is also the
comparison of §7's silent traitors (as-of year against the year before). Wallet rows of years
after the as-of year are ignored; a year whose twelve months begin before the first month of
commercial data is marked ``observed = false``.

- ``change`` = share(Y) − share(Y − 1), in points of share (0.05 = 5 points), when both exist.
- The latest year is the as-of year: its distribution (buckets of share, median, mean) and
  ``pooled_share`` = Σ R / Σ wallet over its accounts.
- **Falling**: accounts whose latest change is ≤ −``silent_traitors.wallet_share_drop``
  (5 points), the same threshold as §7; ``declining_accounts`` counts every fall.
A share can exceed 1 when the wallet is underestimated; it is kept as it is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, dense_rank
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.money import float_frame
from keyaccount.analyses.retention import data_span

MONTHS_PER_YEAR = 12
BUCKET_EDGES = (0.1, 0.3, 0.5, 0.7)  # inner edges of the distribution's share buckets
BUCKET_LABELS = ("<10%", "10-30%", "30-50%", "50-70%", ">=70%")
YEAR_COLUMNS = (
    "account_id",
    "year",
    "revenue",
    "wallet",
    "wallet_share",
    "change",
    "observed",
)


def account_wallets(ctx: AuditContext) -> pd.DataFrame:
    """Wallet per account and year up to the as-of year (members of a group summed)."""
    wallet = ctx.tables["wallet"].join(ctx.membership, "customer_id")
    wallet = wallet.filter(wallet.year <= ctx.as_of.year)
    per = wallet.group_by("account_id", "year").aggregate(wallet=wallet.category_spend.sum())
    frame = float_frame(per)
    frame["account_id"] = frame.account_id.astype(str)
    frame["year"] = frame.year.astype("int64")
    return frame


def yearly_revenue(ctx: AuditContext, years: int) -> pd.DataFrame:
    """Commercial revenue of the accounts with a wallet per wallet year, the last ``years``.

    Year Y is the twelve months ending on the as-of day of year Y (see the module docstring).
    """
    facts = ctx.account_months
    span = facts.filter(
        facts.commercial,
        facts.back >= 0,
        facts.back < years * MONTHS_PER_YEAR,
    )
    with_wallet = ctx.tables["wallet"].join(ctx.membership, "customer_id").select("account_id")
    span = span.semi_join(with_wallet, "account_id")
    k = (span.back // MONTHS_PER_YEAR).cast("int64")
    per = span.group_by("account_id", k.name("k")).aggregate(revenue=span.revenue.sum())
    frame = float_frame(per)
    frame["account_id"] = frame.account_id.astype(str)
    frame["year"] = ctx.as_of.year - frame.k.astype("int64")
    return frame.drop(columns=["k"])


def share_table(
    wallets: pd.DataFrame, revenue: pd.DataFrame, max_back: int, as_of_year: int
) -> pd.DataFrame:
    """Account × year: revenue, wallet, share, change in points, observed (sorted)."""
    table = wallets.merge(revenue, on=["account_id", "year"], how="left")
    table["revenue"] = table.revenue.fillna(0.0).astype(float)
    table["wallet_share"] = (table.revenue / table.wallet).where(table.wallet > 0)
    table = table.iloc[np.lexsort((table.year.to_numpy(), dense_rank(table.account_id)))]
    previous = table.groupby("account_id").wallet_share.shift(1)
    previous_year = table.groupby("account_id").year.shift(1)
    table["change"] = (table.wallet_share - previous).where(previous_year == table.year - 1)
    k = as_of_year - table.year
    table["observed"] = max_back >= k * MONTHS_PER_YEAR + MONTHS_PER_YEAR - 1
    return table[list(YEAR_COLUMNS)].reset_index(drop=True)


def distribution(shares: pd.Series) -> pd.DataFrame:
    """Accounts per share bucket (<10%, 10–30%, 30–50%, 50–70%, ≥70%; credit notes in <10%)."""
    edges = [-np.inf, *BUCKET_EDGES, np.inf]
    buckets = pd.cut(shares, bins=edges, labels=list(BUCKET_LABELS), right=False)
    counts = buckets.value_counts().reindex(list(BUCKET_LABELS), fill_value=0)
    frame = counts.rename_axis("bucket").rename("accounts").reset_index()
    frame["accounts"] = frame.accounts.astype(int)
    frame["share_of_accounts"] = frame.accounts / max(int(frame.accounts.sum()), 1)
    return frame


@dataclass(frozen=True)
class WalletShareResult(Result):
    """Wallet share per account and year, the latest year's distribution, the fallers."""

    latest_year: int
    accounts: int  # accounts with a positive wallet in the latest year
    median_share: float | None
    mean_share: float | None
    pooled_share: float | None  # Σ R / Σ wallet over the latest year's accounts
    declining_accounts: int  # latest change < 0
    falling_threshold: float
    years: pd.DataFrame  # account × year (YEAR_COLUMNS)
    distribution: pd.DataFrame  # bucket, accounts, share_of_accounts (latest year)
    falling: pd.DataFrame  # account_id, previous_share, wallet_share, change: largest fall first


def run(ctx: AuditContext) -> WalletShareResult:
    """Wallet share per account and year, its change and the latest year's distribution."""
    wallets = account_wallets(ctx)
    span = max(int(ctx.as_of.year - wallets.year.min()) + 1, 1) if len(wallets) else 1
    revenue = yearly_revenue(ctx, span)
    table = share_table(wallets, revenue, data_span(ctx).max_back, ctx.as_of.year)
    latest_year = ctx.as_of.year
    latest = table[(table.year == latest_year) & table.wallet_share.notna()]
    threshold = ctx.settings.silent_traitors.wallet_share_drop
    changed = latest[latest.change.notna()]
    falls = changed[changed.change <= -threshold]
    falls = falls.iloc[np.lexsort((dense_rank(falls.account_id), falls.change.to_numpy()))]
    falling = pd.DataFrame(
        {
            "account_id": falls.account_id,
            "previous_share": falls.wallet_share - falls.change,
            "wallet_share": falls.wallet_share,
            "change": falls.change,
        }
    ).reset_index(drop=True)
    total_wallet = float(latest.wallet.sum())
    result = WalletShareResult(
        findings=(),
        latest_year=latest_year,
        accounts=len(latest),
        median_share=float(latest.wallet_share.median()) if len(latest) else None,
        mean_share=float(latest.wallet_share.mean()) if len(latest) else None,
        pooled_share=float(latest.revenue.sum()) / total_wallet if total_wallet > 0 else None,
        declining_accounts=int((changed.change < 0).sum()),
        falling_threshold=threshold,
        years=table,
        distribution=distribution(latest.wallet_share),
        falling=falling,
    )
    return _with_findings(result)


def _with_findings(result: WalletShareResult) -> WalletShareResult:
    """``wallet_share.latest`` (info) and ``wallet_share.falling`` (warning)."""
    findings = []
    if result.accounts:
        findings.append(
            Finding(
                "wallet_share.latest",
                "info",
                {
                    "year": result.latest_year,
                    "accounts": result.accounts,
                    "median_share": result.median_share,
                    "pooled_share": result.pooled_share,
                },
            )
        )
    if len(result.falling):
        findings.append(
            Finding(
                "wallet_share.falling",
                "warning",
                {
                    "accounts": len(result.falling),
                    "threshold": result.falling_threshold,
                    "largest_fall": float(-result.falling.change.iloc[0]),
                    "declining_accounts": result.declining_accounts,
                },
                tuple(result.falling.account_id),
            )
        )
    return dataclasses.replace(result, findings=tuple(findings))
