"""Penetration inside key accounts (docs/metrics.md §6).

Units are the rows of ``account_units`` (plants, BUs, sites, departments, cities), rolled up
with their customer into its account; a unit is one ``(customer_id, unit_id)``, the table's
key, so two plants of a group that both call a workshop ``u1`` have two units. Revenue is
commercial invoices up to the as-of date; R_a is the account's TTM revenue.

- **Adoption**: a unit is adopted from its ``adopted_date``; without one (and with
  ``penetration.adopted_from_invoices``) from its first commercial invoice with a positive
  amount carrying its ``unit_id``. An invoice matches a unit of its own customer; when the
  unit id is used once in the account it also matches the invoices of the account's other
  customers (a unit listed under the group, billed to its plant). A unit whose adoption date is
  after the as-of date is not adopted yet.
- **Unit penetration** = adopted units / units; **weighted penetration** = potential of the
  adopted units / potential of all units, when every unit of the account has a potential and
  their sum is positive (else none).
- **Series**: both at every calendar quarter end from the quarter of the account's first
  adoption up to the as-of date, plus the as-of date when it is not a quarter end (today's
  unit list: a unit not adopted yet is whitespace at every point).
- **Key-account penetration index** = Σ R_a · penetration_a / Σ R_a over the basis accounts
  with R_a > 0: the accounts with units in the strategic and core tiers of §9
  (``index_basis = "strategic_and_core"``); when tiering did not run or none of those
  accounts has units, every account with units (``index_basis = "accounts_with_units"``).
  ``weighted_index`` is the same mean of the weighted penetration (accounts that have one).
  The index series keeps today's weights R_a at every quarter end (an account counts 0 before
  its first adoption): how today's key accounts were penetrated over time.
- **Product breadth** = product lines with positive TTM revenue for the account / product
  lines offered (lines with positive TTM revenue company-wide).
- **Up-sell** = TTM / prior-TTM − 1 of the revenue of invoices carrying the unit ids of the
  units adopted before the prior TTM began (adoption month index ≥ 2 × window); none when that
  prior revenue is not positive. Per account and pooled over the accounts with units.
- **Land and expand**: days from the first to the second adoption of an account;
  ``expanded_share`` = accounts with ≥ 2 adopted units / accounts with ≥ 1. An account is
  **stuck at one unit** when it has several units, exactly one adopted, and that one at least
  one window (12 months) before the as-of date.
- **Market share vs penetration** (with ``industries.market_size``): per industry, the TTM
  revenue of its accounts with R > 0 / market size, against the revenue-weighted penetration
  of its accounts with units and R > 0. Over the industries with both, an axis is high at or
  above its median: ``stronghold`` (high share, high penetration), ``deep_niche`` (low share,
  high penetration: the seed's 5% share with 30% penetration), ``shallow_share`` (high share,
  low penetration: its 40% with 1%) and ``outpost`` (both low).
- **Whitespace**: account × unit (adopted or not, since when, the unit's TTM revenue) and
  account × offered product line (TTM revenue, 0 where none) for the accounts with units.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, dense_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame

INDEX_BASIS = "accounts_with_units"
TIER_BASIS = "strategic_and_core"
BASIS_TIERS = ("strategic", "core")
LOW_INDEX = 0.5  # an index below this (half of the key accounts' units) is a warning
QUADRANTS = {
    (True, True): "stronghold",
    (False, True): "deep_niche",
    (True, False): "shallow_share",
    (False, False): "outpost",
}
ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "industry",
    "total_units",
    "adopted_units",
    "penetration",
    "weighted_penetration",
    "revenue",
    "first_adoption",
    "second_adoption",
    "days_to_second",
    "stuck_at_one_unit",
    "product_lines",
    "product_breadth",
    "upsell_units",
    "upsell_prior",
    "upsell_ttm",
    "upsell_growth",
)
SERIES_COLUMNS = (
    "account_id",
    "date",
    "quarter",
    "quarter_end",
    "adopted_units",
    "total_units",
    "penetration",
    "weighted_penetration",
)


# ---------------------------------------------------------------------------------------------
# Dates


def quarter_end(day: date) -> date:
    """The last day of ``day``'s calendar quarter."""
    month = (day.month - 1) // 3 * 3 + 3
    return (pd.Timestamp(day.year, month, 1) + pd.offsets.MonthEnd(0)).date()


def quarter_label(day: date) -> str:
    """``2024Q3`` for a day of that quarter."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def series_dates(first: date, as_of: date) -> list[date]:
    """Quarter ends from ``first``'s quarter up to ``as_of``, then ``as_of`` if not one."""
    dates = []
    end = quarter_end(first)
    while end <= as_of:
        dates.append(end)
        end = quarter_end(end + pd.Timedelta(days=1))
    if not dates or dates[-1] != as_of:
        dates.append(as_of)
    return dates


def _as_date(value: object) -> date | None:
    """A fetched date (Timestamp, datetime64, date or null) as a ``date``."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


# ---------------------------------------------------------------------------------------------
# Per-unit facts


def unit_facts(ctx: AuditContext) -> pd.DataFrame:
    """One row per unit: account, potential, adoption date and source, unit revenue.

    Columns: account_id, customer_id, unit_id, name, unit_type, potential, adopted_date,
    adoption_source (``adopted_date``, ``invoice`` or None), adopted, ttm, prior (revenue of
    the invoices carrying the unit id in the TTM and the prior TTM).
    """
    units = ctx.tables["account_units"].join(ctx.membership, "customer_id")
    units = units.select(
        "account_id",
        "customer_id",
        "unit_id",
        "name",
        "unit_type",
        "potential",
        given_date=units.adopted_date,
    )
    frame = float_frame(units)
    for column in ("account_id", "customer_id", "unit_id"):
        frame[column] = frame[column].astype(str)
    billed = _billed(ctx, frame)
    for column in ("first_invoice", "ttm", "prior"):
        frame[column] = billed[column].to_numpy()
    from_invoices = ctx.settings.penetration.adopted_from_invoices
    adoption: list[date | None] = []
    source: list[str | None] = []
    for given_value, invoiced_value in zip(frame.given_date, frame.first_invoice, strict=True):
        given, invoiced = _as_date(given_value), _as_date(invoiced_value)
        day = given or invoiced
        kind: str | None = "adopted_date" if given else "invoice"
        if day is None or (kind == "invoice" and not from_invoices) or day > ctx.as_of:
            day, kind = None, None
        adoption.append(day)
        source.append(kind)
    frame["adopted_date"] = pd.Series(adoption, index=frame.index, dtype=object)
    frame["adoption_source"] = pd.Series(source, index=frame.index, dtype=object)
    frame["adopted"] = frame.adopted_date.notna()
    frame["ttm"] = frame.ttm.fillna(0.0)
    frame["prior"] = frame.prior.fillna(0.0)
    order = np.lexsort(
        (dense_rank(frame.unit_id), dense_rank(frame.customer_id), dense_rank(frame.account_id))
    )
    columns = ["account_id", "customer_id", "unit_id", "name", "unit_type", "potential"]
    return frame.iloc[order][
        [*columns, "adopted_date", "adoption_source", "adopted", "ttm", "prior"]
    ].reset_index(drop=True)


def _billed(ctx: AuditContext, units: pd.DataFrame) -> pd.DataFrame:
    """Each unit's invoice facts (first positive invoice, TTM, prior), row for row.

    A unit takes the invoices of its own customer carrying its id; a unit id used once in its
    account takes every invoice of the account carrying it.
    """
    own = float_frame(_unit_invoices(ctx, "customer_id"))
    shared = float_frame(_unit_invoices(ctx, "account_id"))
    for frame, key in ((own, "customer_id"), (shared, "account_id")):
        frame[key] = frame[key].astype(str)
        frame["unit_id"] = frame.unit_id.astype(str)
    unique = ~units.duplicated(["account_id", "unit_id"], keep=False)
    by_customer = units.merge(own, on=["customer_id", "unit_id"], how="left")
    by_account = units.merge(shared, on=["account_id", "unit_id"], how="left")
    columns = ["first_invoice", "ttm", "prior"]
    chosen = by_customer[columns].copy()
    chosen.loc[unique.to_numpy(), columns] = by_account.loc[unique.to_numpy(), columns]
    return chosen


def _unit_invoices(ctx: AuditContext, key: str) -> ibis.Table:
    """Per ``key`` (customer or account) × unit id on commercial invoices: first, TTM, prior."""
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    inv = inv.filter(
        inv.deal_type == COMMERCIAL, inv.unit_id.notnull(), inv.date <= ibis.literal(ctx.as_of)
    )
    back = months_back(inv.date, ctx.as_of)
    w = ctx.window
    return inv.group_by(key, "unit_id").aggregate(
        first_invoice=inv.date.min(where=inv.amount > 0),
        ttm=inv.amount.sum(where=back < w),
        prior=inv.amount.sum(where=(back >= w) & (back < 2 * w)),
    )


def upsell_eligible(units: pd.DataFrame, as_of: date, window: int) -> pd.Series:
    """Units adopted before the prior TTM began (month index back ≥ 2 × window)."""
    adopted = pd.to_datetime(units.adopted_date)
    back = (
        (as_of.year - adopted.dt.year) * 12
        + (as_of.month - adopted.dt.month)
        - (adopted.dt.day > as_of.day).astype(int)
    )
    return units.adopted & (back >= 2 * window)


# ---------------------------------------------------------------------------------------------
# Per-account figures


def account_penetration(units: pd.DataFrame) -> pd.DataFrame:
    """Per account: total and adopted units, penetration and potential-weighted penetration."""
    potential = units.potential.astype(float)
    frame = pd.DataFrame(
        {
            "account_id": units.account_id,
            "adopted": units.adopted.astype(int),
            "potential": potential.fillna(0.0),
            "adopted_potential": potential.fillna(0.0).where(units.adopted, 0.0),
            "missing_potential": potential.isna().astype(int),
        }
    )
    per = frame.groupby("account_id", sort=True).agg(
        total_units=("adopted", "size"),
        adopted_units=("adopted", "sum"),
        potential=("potential", "sum"),
        adopted_potential=("adopted_potential", "sum"),
        missing_potential=("missing_potential", "sum"),
    )
    per["penetration"] = per.adopted_units / per.total_units
    weighable = (per.missing_potential == 0) & (per.potential > 0)
    per["weighted_penetration"] = (per.adopted_potential / per.potential).where(weighable)
    return per[["total_units", "adopted_units", "penetration", "weighted_penetration"]]


def land_and_expand(units: pd.DataFrame, as_of: date, window: int) -> pd.DataFrame:
    """Per account: first and second adoption, days between them, stuck at one unit."""
    adopted = units[units.adopted].copy()
    adopted["day"] = pd.to_datetime(adopted.adopted_date)
    ranked = adopted.sort_values(["account_id", "day"], kind="mergesort")
    ranked["nth"] = ranked.groupby("account_id").cumcount()
    first = ranked[ranked.nth == 0].set_index("account_id").day
    second = ranked[ranked.nth == 1].set_index("account_id").day
    accounts = pd.Index(sorted(units.account_id.unique()), name="account_id")
    out = pd.DataFrame(index=accounts)
    out["first_adoption"] = first.reindex(accounts)
    out["second_adoption"] = second.reindex(accounts)
    out["days_to_second"] = (out.second_adoption - out.first_adoption).dt.days.astype(float)
    counts = units.groupby("account_id").agg(total=("adopted", "size"), adopted=("adopted", "sum"))
    settled = out.first_adoption <= pd.Timestamp(as_of) - pd.DateOffset(months=window)
    out["stuck_at_one_unit"] = (counts.total > 1) & (counts.adopted == 1) & settled
    for column in ("first_adoption", "second_adoption"):
        out[column] = out[column].map(_as_date).astype(object)
    return out


def upsell(units: pd.DataFrame, as_of: date, window: int) -> pd.DataFrame:
    """Per account: units adopted before the prior TTM, their prior and TTM revenue, growth."""
    eligible = units[upsell_eligible(units, as_of, window)]
    per = eligible.groupby("account_id").agg(
        upsell_units=("unit_id", "size"), upsell_prior=("prior", "sum"), upsell_ttm=("ttm", "sum")
    )
    per = per.reindex(sorted(units.account_id.unique()))
    per["upsell_units"] = per.upsell_units.fillna(0).astype(int)
    per["upsell_growth"] = (per.upsell_ttm / per.upsell_prior - 1).where(per.upsell_prior > 0)
    return per.rename_axis("account_id")


def pooled_growth(prior: pd.Series, ttm: pd.Series) -> float | None:
    """Σ TTM / Σ prior − 1, none when the prior sum is not positive."""
    total = float(prior.sum())
    return float(ttm.sum()) / total - 1 if total > 0 else None


def penetration_index(penetration: pd.Series, revenue: pd.Series) -> float | None:
    """Σ R · penetration / Σ R over the accounts with R > 0 and a penetration."""
    keep = (revenue > 0) & penetration.notna()
    total = float(revenue[keep].sum())
    return float((penetration[keep] * revenue[keep]).sum() / total) if total > 0 else None


# ---------------------------------------------------------------------------------------------
# Series


def penetration_series(units: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per account, adopted units and (weighted) penetration at each series date."""
    rows: list[tuple[object, ...]] = []
    for account, mine in units.groupby("account_id", sort=True):
        adopted = mine[mine.adopted]
        if adopted.empty:
            continue
        days = np.array(sorted(pd.to_datetime(adopted.adopted_date)), dtype="datetime64[ns]")
        order = np.argsort(pd.to_datetime(adopted.adopted_date).to_numpy(), kind="stable")
        potential = mine.potential.astype(float)
        weighable = bool(potential.notna().all() and potential.sum() > 0)
        cumulative = np.cumsum(adopted.potential.astype(float).to_numpy()[order])
        total = len(mine)
        for point in series_dates(days[0].astype("datetime64[D]").item(), as_of):
            n = int(np.searchsorted(days, np.datetime64(point, "ns"), side="right"))
            weighted = (cumulative[n - 1] if n else 0.0) / potential.sum() if weighable else None
            rows.append(
                (
                    account,
                    point,
                    quarter_label(point),
                    point == quarter_end(point),
                    n,
                    total,
                    n / total,
                    weighted,
                )
            )
    frame = pd.DataFrame(rows, columns=list(SERIES_COLUMNS))
    frame["weighted_penetration"] = frame.weighted_penetration.astype(float)
    return frame


def index_series(series: pd.DataFrame, revenue: pd.Series, as_of: date) -> pd.DataFrame:
    """The index at each series date with today's weights R_a (0 before a first adoption)."""
    columns = ["date", "quarter", "quarter_end", "index", "accounts"]
    weights = revenue[revenue > 0]
    basis = series[series.account_id.isin(weights.index)]
    if basis.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    dates = series_dates(min(basis.date), as_of)
    grid = (
        basis.pivot(index="date", columns="account_id", values="penetration")
        .reindex(dates)
        .ffill()
        .fillna(0.0)
    )
    total = float(weights.sum())
    values = grid.to_numpy() @ weights.reindex(grid.columns).to_numpy(dtype=float) / total
    rows = [
        (point, quarter_label(point), point == quarter_end(point), float(v), len(weights))
        for point, v in zip(dates, values, strict=True)
    ]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------
# Product lines and market share


def product_line_revenue(ctx: AuditContext, accounts: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """TTM revenue per account × product line for ``accounts``, and the lines offered.

    Offered = product lines with positive TTM commercial revenue company-wide; the whitespace
    grid holds every offered line for every account (0 where it bought none).
    """
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    back = months_back(inv.date, ctx.as_of)
    window = inv.filter(
        inv.deal_type == COMMERCIAL, back >= 0, back < ctx.window, inv.product_line.notnull()
    )
    company = float_frame(window.group_by("product_line").aggregate(revenue=window.amount.sum()))
    offered = sorted(str(p) for p in company[company.revenue > 0].product_line)
    with_units = ctx.tables["account_units"].join(ctx.membership, "customer_id")
    mine = window.semi_join(with_units.select("account_id"), "account_id")
    per = float_frame(
        mine.group_by("account_id", "product_line").aggregate(revenue=mine.amount.sum())
    )
    per["account_id"] = per.account_id.astype(str)
    grid = pd.MultiIndex.from_product([sorted(accounts), offered], names=["account_id", "line"])
    table = (
        per.rename(columns={"product_line": "line"})
        .set_index(["account_id", "line"])
        .revenue.reindex(grid, fill_value=0.0)
        .reset_index()
        .rename(columns={"line": "product_line"})
    )
    return table, offered


def market_quadrants(
    ctx: AuditContext, accounts: pd.DataFrame, revenue: pd.DataFrame
) -> tuple[pd.DataFrame, float | None, float | None]:
    """Per industry with a market size: market share, penetration, quadrant; the medians."""
    columns = [
        "industry",
        "market_size",
        "revenue",
        "market_share",
        "accounts_with_units",
        "penetration",
        "quadrant",
    ]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if not ctx.has("industries"):
        return empty, None, None
    markets = float_frame(ctx.tables["industries"].select("industry", "market_size"))
    markets = markets[markets.market_size > 0]
    if markets.empty:
        return empty, None, None
    positive = revenue[revenue.revenue > 0]
    ours = positive.groupby("industry").revenue.sum()
    with_units = accounts[accounts.revenue > 0]
    penetration = {
        str(k): penetration_index(g.penetration, g.revenue)
        for k, g in with_units.groupby("industry")
    }
    counts = with_units.groupby("industry").size()
    table = markets.assign(industry=markets.industry.astype(str)).sort_values(
        "industry", kind="mergesort"
    )
    table["revenue"] = table.industry.map(ours).fillna(0.0).astype(float)
    table["market_share"] = table.revenue / table.market_size
    table["accounts_with_units"] = table.industry.map(counts).fillna(0).astype(int)
    table["penetration"] = table.industry.map(penetration).astype(float)
    both = table.penetration.notna()
    if not both.any():
        table["quadrant"] = None
        return table[columns].reset_index(drop=True), None, None
    share_cut = float(table.market_share[both].median())
    pen_cut = float(table.penetration[both].median())
    table["quadrant"] = [
        QUADRANTS[(s >= share_cut, p >= pen_cut)] if has else None
        for s, p, has in zip(table.market_share, table.penetration, both, strict=True)
    ]
    return table[columns].reset_index(drop=True), share_cut, pen_cut


# ---------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class PenetrationResult(Result):
    """§6 penetration: the index, per-account figures, series and whitespace tables."""

    index: float | None  # revenue-weighted mean unit penetration over the basis accounts
    index_basis: str
    index_accounts: int  # accounts the index averages over (the basis)
    weighted_index: float | None  # the same over the potential-weighted penetration
    accounts_with_units: int
    total_units: int
    adopted_units: int
    expanded_share: float | None  # accounts with ≥ 2 adopted units / with ≥ 1
    median_days_to_second: float | None
    stuck_accounts: int
    offered_product_lines: int
    upsell_growth: float | None  # pooled over the accounts with units
    accounts: pd.DataFrame  # one row per account with units (ACCOUNT_COLUMNS)
    series: pd.DataFrame  # account × series date (SERIES_COLUMNS)
    index_series: pd.DataFrame  # date, quarter, quarter_end, index, accounts
    whitespace_units: pd.DataFrame  # account × unit
    whitespace_product_lines: pd.DataFrame  # account × offered product line: TTM revenue
    industries: pd.DataFrame  # market share vs penetration per industry
    share_threshold: float | None  # median market share of the 2×2
    penetration_threshold: float | None  # median penetration of the 2×2


def index_accounts(ctx: AuditContext, accounts: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The accounts the index averages over (by account id), and the basis' name.

    The strategic and core tiers' accounts with units; all accounts with units when tiering
    did not run or none of them has units.
    """
    everyone = accounts.set_index("account_id")
    tiering = ctx.result("tiering")
    if tiering is None:
        return everyone, INDEX_BASIS
    tiers = tiering.accounts
    key = set(tiers.account_id[tiers.tier.isin(BASIS_TIERS)].astype(str))
    chosen = everyone[everyone.index.isin(key)]
    return (chosen, TIER_BASIS) if len(chosen) else (everyone, INDEX_BASIS)


def run(ctx: AuditContext) -> PenetrationResult:
    """Unit penetration, its series and index, breadth, up-sell, land-and-expand, the 2×2."""
    units = unit_facts(ctx)
    ids = sorted(units.account_id.unique())
    attributes = ctx.account_frame().set_index("account_id")
    revenue = float_frame(ctx.account_revenue())
    revenue["account_id"] = revenue.account_id.astype(str)
    revenue["industry"] = revenue.account_id.map(attributes.industry)
    r_by_account = revenue.set_index("account_id").revenue

    accounts = account_penetration(units)
    accounts = accounts.join(land_and_expand(units, ctx.as_of, ctx.window))
    accounts = accounts.join(upsell(units, ctx.as_of, ctx.window))
    lines, offered = product_line_revenue(ctx, ids)
    bought = lines[lines.revenue > 0].groupby("account_id").size()
    accounts["product_lines"] = bought.reindex(accounts.index).fillna(0).astype(int)
    accounts["product_breadth"] = (
        accounts.product_lines / len(offered) if offered else pd.Series(np.nan, accounts.index)
    )
    accounts["revenue"] = r_by_account.reindex(accounts.index).fillna(0.0).astype(float)
    accounts["name"] = attributes.name.reindex(accounts.index)
    accounts["industry"] = attributes.industry.reindex(accounts.index)
    accounts = accounts.reset_index()[list(ACCOUNT_COLUMNS)]

    basis, index_basis = index_accounts(ctx, accounts)
    index = penetration_index(basis.penetration, basis.revenue)
    weighted_index = penetration_index(basis.weighted_penetration, basis.revenue)
    series = penetration_series(units, ctx.as_of)
    landed = accounts[accounts.adopted_units >= 1]
    expanded = float((landed.adopted_units >= 2).sum() / len(landed)) if len(landed) else None
    days = accounts.days_to_second.dropna()
    industries, share_cut, pen_cut = market_quadrants(ctx, accounts, revenue)
    whitespace = units.drop(columns=["prior"]).rename(columns={"ttm": "revenue"})
    result = PenetrationResult(
        findings=(),
        index=index,
        index_basis=index_basis,
        index_accounts=len(basis),
        weighted_index=weighted_index,
        accounts_with_units=len(accounts),
        total_units=int(accounts.total_units.sum()),
        adopted_units=int(accounts.adopted_units.sum()),
        expanded_share=expanded,
        median_days_to_second=float(days.median()) if len(days) else None,
        stuck_accounts=int(accounts.stuck_at_one_unit.sum()),
        offered_product_lines=len(offered),
        upsell_growth=pooled_growth(accounts.upsell_prior.fillna(0.0), accounts.upsell_ttm),
        accounts=accounts,
        series=series,
        index_series=index_series(series, basis.revenue, ctx.as_of),
        whitespace_units=whitespace,
        whitespace_product_lines=lines,
        industries=industries,
        share_threshold=share_cut,
        penetration_threshold=pen_cut,
    )
    return _with_findings(result)


def _with_findings(result: PenetrationResult) -> PenetrationResult:
    """The result with its findings (see docs/metrics.md §6 for each code)."""
    findings = []
    accounts = result.accounts
    if result.index is not None:
        findings.append(
            Finding(
                "penetration.index",
                "warning" if result.index < LOW_INDEX else "info",
                {
                    "index": result.index,
                    "threshold": LOW_INDEX,
                    "accounts": result.index_accounts,
                    "weighted_index": result.weighted_index,
                },
            )
        )
    stuck = accounts[accounts.stuck_at_one_unit]
    if len(stuck):
        findings.append(
            Finding(
                "penetration.stuck_at_one_unit",
                "warning",
                {"accounts": len(stuck), "share": len(stuck) / len(accounts)},
                tuple(stuck.account_id),
            )
        )
    if result.expanded_share is not None:
        findings.append(
            Finding(
                "penetration.land_and_expand",
                "info",
                {
                    "expanded_share": result.expanded_share,
                    "median_days_to_second": result.median_days_to_second,
                    "accounts": int((accounts.adopted_units >= 1).sum()),
                },
            )
        )
    if result.upsell_growth is not None:
        findings.append(
            Finding(
                "penetration.upsell",
                "warning" if result.upsell_growth < 0 else "info",
                {"growth": result.upsell_growth, "units": int(accounts.upsell_units.sum())},
            )
        )
    findings += _quadrant_findings(result)
    return dataclasses.replace(result, findings=tuple(findings))


def _quadrant_findings(result: PenetrationResult) -> list[Finding]:
    """``penetration.shallow_share`` (warning) and ``penetration.deep_niche`` (info)."""
    values = {
        "share_threshold": result.share_threshold,
        "penetration_threshold": result.penetration_threshold,
    }
    shallow = result.industries[result.industries.quadrant == "shallow_share"]
    deep = result.industries[result.industries.quadrant == "deep_niche"]
    findings = []
    if len(shallow):
        findings.append(
            Finding(
                "penetration.shallow_share",
                "warning",
                {"industries": len(shallow), **values},
                tuple(shallow.industry),
            )
        )
    if len(deep):
        findings.append(
            Finding(
                "penetration.deep_niche",
                "info",
                {"industries": len(deep), **values},
                tuple(deep.industry),
            )
        )
    return findings
