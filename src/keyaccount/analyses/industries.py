"""Industry focus — the traffic-light model (docs/metrics.md §10, seed 002).

Rows are the industry labels of the accounts (``customers.industry`` of the account, rolled
up as everywhere) and of the ``industries`` table; accounts without an industry form one
``(unknown)`` row that is shown but never scored.

**Own data** per industry: TTM and prior-TTM commercial revenue, active accounts, growth
(TTM / prior − 1, reported, not scored), revenue retention ``NRR`` of its accounts (§5, prior
TTM → TTM); from ``opportunities`` closed by the as-of date (``won`` given, ``closed`` empty
or ≤ as-of), labelled with ``opportunities.industry`` else the industry of the account, the
win rate (won / closed) and the average won deal size (mean ``amount`` of won deals with an
amount); from §4 (``acquisition``, when costs are given) the mean CAC of its accounts with a
known CAC against the company mean. **Market data** from the ``industries`` table.

**Criteria**, each 0–10 or *not scored* (NaN):

- ``investment``: mean of the rank scores of ``investment_events`` and ``investment_amount``;
- ``market``: mean of the rank scores of ``market_size`` and ``market_growth``;
  a rank score is ``10 · (rank − 1) / (n − 1)`` over the n rows that have the value (average
  ranks for ties), not scored when n < 2;
- ``concentration``: ``10 · top20_share / concentrated_top20``, capped at 10 (fragmented → low);
- ``win_rate``, ``deal_size``: ``5 · industry / company``, capped at 10 (the company's own
  average scores 5), needing ``min_deals`` closed (won) deals;
- ``cac``: ``5 · company / industry`` capped at 10 (lower CAC scores higher; a CAC ≤ 0 scores
  10), needing ``min_accounts`` accounts with a known CAC;
- ``retention``: linear from ``nrr_floor`` (0) to ``retention.elite_nrr`` (10), needing
  ``min_accounts`` accounts active in the prior TTM;
- ``fit``: ``fit_score`` clipped to 0–10.

``total = Σ w·s / Σ w`` over the scored criteria (weights re-normalise; not scored ≠ 0);
``scored_weight`` is the share of all weight that was scored. Light: green ≥ ``green``,
yellow ≥ ``yellow``, else red; no light (too little data) when ``scored_weight`` <
``min_scored_weight``.

**Budget** (``industries.budget`` / ``--budget``): green / yellow / red receive the budget ×
``budget_split`` (normalised to sum 1); a light without any budgeted industry passes its share
to the lights that have some, in proportion to their shares; within a light, in proportion to
the total score (equally when every score is 0). Catch-all labels and unscored rows get
nothing. Amounts are whole cents, split by largest remainders, and add up to the budget.

**Coverage milestones** from ``targets``: per industry the share contacted-or-better
(contacted / funnel / won), funnel-or-better and won; the milestones apply to the reach
(contacted-or-better) share: milestones met, the next one and how many targets short of it.

**Taxonomy check** on the customer rows: the share without an industry; per label the share of
customers, whether its name is a catch-all (``catch_all_labels``), and the agreement of its
customers' top product line (the share whose all-time top commercial product line is the
label's most common one); a label is a catch-all when listed, or outsized (share ≥
``catch_all_share``) with a mixed pattern (agreement < ``mixed_agreement``); the level-2
coverage (``industry_l2``) of each catch-all; near-duplicate spellings (equal after
normalising width, case, spaces and the suffixes 行业/产业/业/industry/sector, or within
``near_duplicate_distance`` edits when at least ``near_duplicate_min_length`` long).
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import ibis
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result
from keyaccount.analyses.context import COMMERCIAL, AuditContext
from keyaccount.analyses.money import UNITS, float_frame
from keyaccount.analyses.retention import net_revenue_retention, ttm_accounts
from keyaccount.analyses.scores import renormalised_mean
from keyaccount.config import IndustrySettings

UNKNOWN = "(unknown)"
LIGHTS = ("green", "yellow", "red")
CRITERIA = (
    "investment",
    "market",
    "concentration",
    "win_rate",
    "deal_size",
    "cac",
    "retention",
    "fit",
)
STATUSES = ("untouched", "contacted", "funnel", "won")
SUFFIXES = ("industries", "industry", "sector", "行业", "产业", "业")
MARKET_COLUMNS = (
    "market_size",
    "market_growth",
    "investment_events",
    "investment_amount",
    "top20_share",
    "fit_score",
)
SCORE_COLUMNS = (
    "industry",
    "light",
    "total",
    "scored_weight",
    *(f"score_{c}" for c in CRITERIA),
    "revenue",
    "revenue_share",
    "revenue_prior",
    "growth",
    "accounts",
    "nrr",
    "closed_deals",
    "win_rate",
    "won_deals",
    "avg_deal_size",
    "cac_accounts",
    "cac",
    "cac_ratio",
    *MARKET_COLUMNS,
    "catch_all",
    "budget_share",
    "budget",
)


# --- Scoring curves --------------------------------------------------------------------------


def rank_score(values: pd.Series) -> pd.Series:
    """``10 · (rank − 1) / (n − 1)`` over the non-missing values; NaN when fewer than two."""
    present = values.dropna()
    out = pd.Series(np.nan, index=values.index, dtype=float)
    if len(present) < 2:
        return out
    ranks = present.rank(method="average")
    out[present.index] = 10.0 * (ranks - 1.0) / (len(present) - 1.0)
    return out


def ratio_score(values: pd.Series, reference: float | None, higher_is_better: bool) -> pd.Series:
    """``5 · value / reference`` (or ``5 · reference / value``), within 0–10.

    NaN without a positive reference; lower-is-better values ≤ 0 score 10.
    """
    v = values.astype(float)
    if reference is None or not math.isfinite(reference) or reference <= 0:
        return pd.Series(np.nan, index=values.index, dtype=float)
    if higher_is_better:
        raw = 5.0 * v / reference
    else:
        with np.errstate(divide="ignore"):
            raw = pd.Series(np.where(v > 0, 5.0 * reference / v.where(v > 0), 10.0), v.index)
        raw = raw.where(v.notna())
    return raw.clip(0.0, 10.0)


def linear_score(values: pd.Series, zero: float, ten: float) -> pd.Series:
    """``10 · (value − zero) / (ten − zero)`` within 0–10 (NaN stays NaN)."""
    if ten <= zero:
        return (values.astype(float) >= ten).astype(float).where(values.notna()) * 10.0
    return (10.0 * (values.astype(float) - zero) / (ten - zero)).clip(0.0, 10.0)


def mean_score(*scores: pd.Series) -> pd.Series:
    """Row-wise mean of the scores present; NaN when none is."""
    frame = pd.concat(scores, axis=1)
    return frame.mean(axis=1, skipna=True)


def weighted_total(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """``total`` = Σ w·s / Σ w over each row's scored criteria, and ``scored_weight``.

    ``scores`` has one column per criterion (NaN = not scored). ``scored_weight`` is the
    weight of the scored criteria over all weight (0 when every weight is 0).
    """
    w = np.array([float(weights[c]) for c in scores.columns])
    mean, used = renormalised_mean(scores.to_numpy(dtype=float), w)
    total = pd.Series(mean, index=scores.index)
    all_weight = float(w.sum())
    scored = pd.Series(used / all_weight if all_weight > 0 else used * 0.0, index=scores.index)
    return pd.DataFrame({"total": total.clip(0.0, 10.0), "scored_weight": scored})


def light(total: float | None, green: float, yellow: float) -> str | None:
    """``green`` ≥ green, ``yellow`` ≥ yellow, else ``red``; None without a total."""
    if total is None or not math.isfinite(total):
        return None
    if total >= green:
        return "green"
    return "yellow" if total >= yellow else "red"


# --- Budget split ----------------------------------------------------------------------------


def to_cents(amount: float) -> int:
    """An amount in whole cents, rounded half up from its decimal text."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` whole units split in proportion to ``weights``, summing exactly to ``total``.

    Each gets the floor of its exact share; the units left go one each to the largest
    remainders (ties to the earlier position). Weights all zero: an equal split.
    """
    if not weights:
        return []
    w = [max(float(x), 0.0) for x in weights]
    whole = sum(w)
    if whole <= 0:
        w, whole = [1.0] * len(w), float(len(w))
    exact = [total * x / whole for x in w]
    floors = [math.floor(e) for e in exact]
    left = total - sum(floors)
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class BudgetSplit:
    """Shares and amounts per row (in cents, aligned with the input) and per light."""

    shares: list[float | None]  # each row's share of the budget (None: not budgeted)
    cents: list[int | None]  # None without a budget
    tiers: pd.DataFrame  # light, configured_share, share, industries, budget


def split_budget(
    lights: Sequence[str | None],
    totals: Sequence[float],
    eligible: Sequence[bool],
    budget: float | None,
    split: Sequence[float],
) -> BudgetSplit:
    """The budget over the lights, then within each light in proportion to the score.

    Rows are eligible when they have a light and are no catch-all. A light with no eligible
    row passes its share to the lights that have some, in proportion to their own shares.
    Without a budget only the shares are given (amounts NaN, cents None).
    """
    cents = to_cents(budget) if budget is not None else 0
    configured = [max(float(s), 0.0) for s in split]
    whole = sum(configured) or 1.0
    configured = [s / whole for s in configured]
    members = {
        lt: [i for i, (x, ok) in enumerate(zip(lights, eligible, strict=True)) if ok and x == lt]
        for lt in LIGHTS
    }
    live = [configured[k] if members[lt] else 0.0 for k, lt in enumerate(LIGHTS)]
    live_total = sum(live)
    shares = [s / live_total if live_total > 0 else 0.0 for s in live]
    tier_cents = largest_remainder(cents, live) if live_total > 0 else [0, 0, 0]
    out: list[int | None] = [None] * len(lights)
    row_shares: list[float | None] = [None] * len(lights)
    for k, lt in enumerate(LIGHTS):
        rows = members[lt]
        weights = [max(float(totals[i]), 0.0) for i in rows]
        whole = sum(weights)
        for i, w in zip(rows, weights, strict=True):
            row_shares[i] = shares[k] * (w / whole if whole > 0 else 1.0 / len(rows))
        if budget is None:
            continue
        for i, amount in zip(rows, largest_remainder(tier_cents[k], weights), strict=True):
            out[i] = amount
    tiers = pd.DataFrame(
        {
            "light": list(LIGHTS),
            "configured_share": configured,
            "share": shares,
            "industries": [len(members[lt]) for lt in LIGHTS],
            "budget": [c / 100 if budget is not None else math.nan for c in tier_cents],
        }
    )
    return BudgetSplit(row_shares, out, tiers)


# --- Coverage milestones ---------------------------------------------------------------------


def milestone_table(counts: pd.DataFrame, milestones: Sequence[float]) -> pd.DataFrame:
    """Per industry: reach, funnel and won shares, milestones met, the next one and the gap.

    ``counts`` has industry and one count column per status of :data:`STATUSES`.
    """
    marks = sorted(float(m) for m in milestones)
    rows = []
    for rec in counts.itertuples(index=False):
        n = int(sum(int(getattr(rec, s)) for s in STATUSES))
        won = int(rec.won)
        funnel = won + int(rec.funnel)
        reached = funnel + int(rec.contacted)
        share = reached / n if n else 0.0
        met = sum(1 for m in marks if share >= m - 1e-12)
        upcoming = [m for m in marks if share < m - 1e-12]
        nxt = upcoming[0] if upcoming else None
        short = max(math.ceil(nxt * n - 1e-9) - reached, 0) if nxt is not None else 0
        rows.append(
            {
                "industry": rec.industry,
                "targets": n,
                "contacted": reached,
                "funnel": funnel,
                "won": won,
                "contacted_share": share,
                "funnel_share": funnel / n if n else 0.0,
                "won_share": won / n if n else 0.0,
                "milestones_met": met,
                "next_milestone": nxt,
                "short_of_next": short,
            }
        )
    columns = (
        "industry",
        "targets",
        "contacted",
        "funnel",
        "won",
        "contacted_share",
        "funnel_share",
        "won_share",
        "milestones_met",
        "next_milestone",
        "short_of_next",
    )
    return pd.DataFrame(rows, columns=list(columns))


# --- Taxonomy --------------------------------------------------------------------------------


def normalise(label: str) -> str:
    """A label for comparison: NFKC (full width → half), no spaces, case-folded, suffix off.

    The suffixes industries / industry / sector / 行业 / 产业 / 业 are removed once (the
    longest that matches) when something is left.
    """
    text = "".join(unicodedata.normalize("NFKC", str(label)).split()).casefold()
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance of ``a`` and ``b`` (stops early above ``limit``)."""
    if abs(len(a) - len(b)) > (limit if limit is not None else len(a) + len(b)):
        return abs(len(a) - len(b))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return min(current)
        previous = current
    return previous[-1]


def near_duplicates(
    labels: Mapping[str, int], preferred: Iterable[str], distance: int, min_length: int
) -> pd.DataFrame:
    """Pairs of labels that look like spellings of one industry.

    ``labels`` maps each label to its customers. ``canonical`` is the label to keep: one of
    ``preferred`` (the industries table) first, then the one with more customers, then the
    shorter, then code-point order. ``reason`` is ``normalised`` or ``edit_distance``.
    """
    keep = set(preferred)
    names = sorted(labels)
    norm = {n: normalise(n) for n in names}
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            na, nb = norm[a], norm[b]
            if na == nb:
                reason, gap = "normalised", 0
            elif min(len(na), len(nb)) >= min_length:
                gap = edit_distance(na, nb, distance)
                if gap > distance:
                    continue
                reason = "edit_distance"
            else:
                continue
            first, second = sorted((a, b), key=lambda x: (x not in keep, -labels[x], len(x), x))
            rows.append(
                {
                    "canonical": first,
                    "label": second,
                    "canonical_customers": int(labels[first]),
                    "label_customers": int(labels[second]),
                    "reason": reason,
                    "distance": gap,
                }
            )
    columns = ("canonical", "label", "canonical_customers", "label_customers", "reason", "distance")
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.sort_values(
        ["label_customers", "label"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def top_line_agreement(lines: pd.DataFrame) -> pd.Series:
    """Per label: the share of its buying customers whose top product line is the modal one.

    ``lines`` has label, customer_id, product_line and revenue (all-time commercial). A
    customer's top line has its largest revenue (ties: first line in code-point order);
    buyers have positive revenue over all lines.
    """
    if lines.empty:
        return pd.Series(dtype=float)
    frame = lines.assign(customer_id=lines.customer_id.astype(str))
    buyers = frame.groupby("customer_id").revenue.sum()
    frame = frame[frame.customer_id.isin(buyers[buyers > 0].index)]
    frame = frame.sort_values(
        ["customer_id", "revenue", "product_line"], ascending=[True, False, True], kind="mergesort"
    )
    top = frame.drop_duplicates("customer_id")
    counts = top.groupby(["label", "product_line"]).size()
    per_label = top.groupby("label").size()
    return (counts.groupby(level="label").max() / per_label).astype(float)


def taxonomy_table(
    customers: pd.DataFrame, agreement: pd.Series, settings: IndustrySettings
) -> pd.DataFrame:
    """Per label of the customer rows: customers, share, catch-all evidence, level-2 cover.

    ``customers`` has label (None when empty) and industry_l2 per customer row.
    """
    listed = {normalise(x) for x in settings.catch_all_labels}
    n = len(customers)
    known = customers[customers.label.notna()]
    rows = []
    for name, group in known.groupby("label", sort=True):
        label = str(name)
        share = len(group) / n if n else 0.0
        agree = agreement.get(label)
        agree_value = float(agree) if agree is not None and math.isfinite(agree) else None
        mixed = agree_value is not None and agree_value < settings.mixed_agreement
        outsized = share >= settings.catch_all_share
        is_listed = normalise(label) in listed
        level2 = group.industry_l2.dropna().astype(str).str.strip()
        level2 = level2[level2 != ""]
        rows.append(
            {
                "industry": label,
                "customers": len(group),
                "share": share,
                "listed": is_listed,
                "top_line_agreement": agree_value,
                "mixed": mixed,
                "outsized": outsized,
                "catch_all": is_listed or (outsized and mixed),
                "level2_share": len(level2) / len(group),
                "level2_values": int(level2.nunique()),
            }
        )
    columns = (
        "industry",
        "customers",
        "share",
        "listed",
        "top_line_agreement",
        "mixed",
        "outsized",
        "catch_all",
        "level2_share",
        "level2_values",
    )
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.sort_values(
        ["customers", "industry"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


# --- Data from the engine --------------------------------------------------------------------


def clean_label(values: pd.Series) -> pd.Series:
    """Labels as stripped text; empty or missing → None."""
    text = values.astype(object).where(values.notna(), None)
    out = text.map(lambda v: None if v is None else str(v).strip() or None)
    return out.astype(object)


def account_industries(ctx: AuditContext) -> pd.Series:
    """account_id → industry label (None when empty)."""
    frame = ctx.account_frame()
    return pd.Series(clean_label(frame.industry).to_numpy(), index=frame.account_id, dtype=object)


def opportunity_counts(ctx: AuditContext) -> pd.DataFrame:
    """Per opportunity industry: closed, won, won with an amount and their amount.

    The label is ``opportunities.industry`` when given, else the account's industry.
    """
    opps = ctx.tables["opportunities"].join(ctx.membership, "customer_id")
    accounts = ctx.accounts.select("account_id", account_industry=ctx.accounts.industry)
    opps = opps.join(accounts, "account_id", how="left")
    own = opps.industry.strip()
    label = ibis.ifelse(own.length() > 0, own, opps.account_industry.strip())
    closed = opps.won.notnull() & (opps.closed.isnull() | (opps.closed <= ibis.literal(ctx.as_of)))
    won = closed & opps.won
    with_amount = won & opps.amount.notnull()
    per = (
        opps.mutate(label=label, is_closed=closed, is_won=won, has_amount=with_amount)
        .group_by("label")
        .aggregate(
            closed_deals=lambda t: t.is_closed.sum(),
            won_deals=lambda t: t.is_won.sum(),
            amount_deals=lambda t: t.has_amount.sum(),
            won_amount=lambda t: t.amount.sum(where=t.has_amount),
        )
    )
    frame = float_frame(per)
    frame["label"] = clean_label(frame.label)
    for column in ("closed_deals", "won_deals", "amount_deals"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["won_amount"] = frame.won_amount.fillna(0.0).astype(float)
    return frame


def customer_labels(ctx: AuditContext) -> pd.DataFrame:
    """Every customer row: customer_id, label, industry_l2 (None where empty)."""
    customers = ctx.tables["customers"]
    columns = ["customer_id", "industry"]
    if "industry_l2" in customers.columns:
        columns.append("industry_l2")
    frame = customers.select(*columns).execute()
    if "industry_l2" not in frame:
        frame["industry_l2"] = None
    return pd.DataFrame(
        {
            "customer_id": frame.customer_id.astype(str),
            "label": clean_label(frame.industry),
            "industry_l2": clean_label(frame.industry_l2),
        }
    )


def customer_lines(ctx: AuditContext) -> pd.DataFrame:
    """All-time commercial revenue per customer and product line up to the as-of date."""
    invoices = ctx.tables["invoices"]
    if "product_line" not in invoices.columns:
        return pd.DataFrame(columns=["customer_id", "product_line", "revenue"])
    inv = invoices.filter(
        invoices.deal_type == COMMERCIAL,
        invoices.date <= ibis.literal(ctx.as_of),
        invoices.product_line.notnull(),
    )
    per = inv.group_by("customer_id", "product_line").aggregate(revenue=inv.amount.sum())
    frame = float_frame(per)
    frame["customer_id"] = frame.customer_id.astype(str)
    frame["product_line"] = frame.product_line.astype(str)
    return frame


def market_data(ctx: AuditContext) -> pd.DataFrame:
    """The industries table: label and the market columns present (floats), by label."""
    table = ctx.tables["industries"]
    columns = [c for c in MARKET_COLUMNS if c in table.columns]
    frame = float_frame(table.select("industry", *columns))
    frame["industry"] = clean_label(frame.industry)
    frame = frame[frame.industry.notna()]
    for column in MARKET_COLUMNS:
        frame[column] = frame[column].astype(float) if column in frame else np.nan
    return frame.groupby("industry", sort=True)[list(MARKET_COLUMNS)].first()


def target_counts(ctx: AuditContext) -> pd.DataFrame:
    """Targets per industry and status (a missing status counts as untouched)."""
    targets = ctx.tables["targets"]
    status = targets.status.fill_null("untouched")
    per = (
        targets.mutate(s=status, label=targets.industry.strip())
        .group_by("label")
        .aggregate(**{name: (lambda t, name=name: (t.s == name).sum()) for name in STATUSES})
    )
    frame = per.execute()
    frame["industry"] = clean_label(frame.label).fillna(UNKNOWN)
    for name in STATUSES:
        frame[name] = frame[name].fillna(0).astype("int64")
    frame = frame.groupby("industry", sort=True)[list(STATUSES)].sum().reset_index()
    return frame


# --- The analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndustriesResult(Result):
    """The traffic light per industry, the budget split, the milestones, the taxonomy."""

    industries: int  # rows with a light
    green: int
    yellow: int
    red: int
    green_revenue_share: float
    red_revenue_share: float
    weights: dict[str, float]
    company_win_rate: float | None
    company_deal_size: float | None
    company_cac: float | None
    budget: float | None
    green_at: float  # the thresholds and milestones in force (for the report)
    yellow_at: float
    milestone_levels: tuple[float, ...]
    customers: int  # customer rows
    unknown_customers: int
    unknown_share: float
    catch_all_labels: tuple[str, ...]
    near_duplicate_pairs: int
    targets: int
    targets_contacted_share: float | None
    scores: pd.DataFrame  # SCORE_COLUMNS, green first, the unknown row last
    budget_tiers: pd.DataFrame  # light, configured_share, share, industries, budget
    milestones: pd.DataFrame  # see milestone_table
    taxonomy: pd.DataFrame  # see taxonomy_table
    near_duplicates: pd.DataFrame  # see near_duplicates


def _own_data(ctx: AuditContext, industry_of: pd.Series) -> pd.DataFrame:
    """Per label (UNKNOWN included): revenue, prior, accounts, NRR."""
    pairs = ttm_accounts(ctx)
    labels = pairs.account_id.astype(str).map(industry_of).fillna(UNKNOWN)
    min_accounts = ctx.settings.industries.min_accounts
    rows = {}
    for name, group in pairs.groupby(labels.to_numpy(), sort=True):
        r0, r1 = group.r0.to_numpy(), group.r1.to_numpy()
        active_prior = int((r0 > 0).sum())
        rows[str(name)] = {
            "revenue": int(r1.sum()) / UNITS,
            "revenue_prior": int(r0.sum()) / UNITS,
            "accounts": int((r1 > 0).sum()),
            "nrr": net_revenue_retention(r0, r1) if active_prior >= min_accounts else None,
            "nrr_accounts": active_prior,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    if frame.empty:
        frame = pd.DataFrame(columns=["revenue", "revenue_prior", "accounts", "nrr"])
    return frame


def _cac(ctx: AuditContext, industry_of: pd.Series) -> tuple[pd.DataFrame, float | None]:
    """Per label: accounts with a known CAC and their mean CAC; the company mean."""
    acquisition = ctx.result("acquisition")
    empty = pd.DataFrame({"cac_accounts": pd.Series(dtype="int64"), "cac": pd.Series(dtype=float)})
    if acquisition is None or acquisition.accounts.empty:
        return empty, None
    accounts = acquisition.accounts
    known = accounts[accounts.cac.notna()]
    if known.empty:
        return empty, None
    labels = known.account_id.astype(str).map(industry_of).fillna(UNKNOWN)
    per = known.cac.astype(float).groupby(labels.to_numpy()).agg(["count", "mean"])
    per.columns = ["cac_accounts", "cac"]
    return per, float(known.cac.astype(float).mean())


def run(ctx: AuditContext) -> IndustriesResult:
    """Score the industries, split the budget, track milestones and check the taxonomy."""
    settings = ctx.settings.industries
    industry_of = account_industries(ctx)
    own = _own_data(ctx, industry_of)
    market = market_data(ctx)
    labels = sorted(
        {*(x for x in own.index if x != UNKNOWN), *(x for x in market.index if x != UNKNOWN)}
    )
    table = pd.DataFrame(index=pd.Index([*labels, UNKNOWN], name="industry"))
    table = table.join(own).join(market)
    table["accounts"] = table.accounts.fillna(0).astype(int)
    for column in ("revenue", "revenue_prior"):
        table[column] = table[column].fillna(0.0).astype(float)
    total_revenue = float(table.revenue.sum())
    table["revenue_share"] = table.revenue / total_revenue if total_revenue > 0 else np.nan
    table["growth"] = (table.revenue / table.revenue_prior - 1.0).where(table.revenue_prior > 0)

    company_win_rate: float | None = None
    company_deal_size: float | None = None
    table["closed_deals"], table["won_deals"] = 0, 0
    table["win_rate"], table["avg_deal_size"] = np.nan, np.nan
    if ctx.has("opportunities"):
        opps = opportunity_counts(ctx)
        closed, won = int(opps.closed_deals.sum()), int(opps.won_deals.sum())
        amount_deals = int(opps.amount_deals.sum())
        company_win_rate = won / closed if closed else None
        company_deal_size = float(opps.won_amount.sum()) / amount_deals if amount_deals else None
        per = opps.assign(label=opps.label.fillna(UNKNOWN)).groupby("label").sum(numeric_only=True)
        per = per.reindex(table.index)
        table["closed_deals"] = per.closed_deals.fillna(0).astype(int)
        table["won_deals"] = per.won_deals.fillna(0).astype(int)
        enough = table.closed_deals >= settings.min_deals
        table["win_rate"] = (table.won_deals / table.closed_deals).where(enough)
        sized = per.amount_deals.fillna(0) >= settings.min_deals
        table["avg_deal_size"] = (per.won_amount / per.amount_deals).where(sized)

    cac, company_cac = _cac(ctx, industry_of)
    table = table.join(cac)
    table["cac_accounts"] = table.cac_accounts.fillna(0).astype(int)
    table["cac"] = table.cac.astype(float).where(table.cac_accounts >= settings.min_accounts)
    table["cac_ratio"] = (table.cac / company_cac) if company_cac else np.nan

    scored = table.drop(index=UNKNOWN)
    scores = pd.DataFrame(index=scored.index)
    scores["investment"] = mean_score(
        rank_score(scored.investment_events), rank_score(scored.investment_amount)
    )
    scores["market"] = mean_score(rank_score(scored.market_size), rank_score(scored.market_growth))
    scores["concentration"] = linear_score(scored.top20_share, 0.0, settings.concentrated_top20)
    scores["win_rate"] = ratio_score(scored.win_rate, company_win_rate, True)
    scores["deal_size"] = ratio_score(scored.avg_deal_size, company_deal_size, True)
    scores["cac"] = ratio_score(scored.cac, company_cac, False)
    scores["retention"] = linear_score(
        scored.nrr.astype(float), settings.nrr_floor, ctx.settings.retention.elite_nrr
    )
    scores["fit"] = scored.fit_score.astype(float).clip(0.0, 10.0)
    weights = settings.weights.model_dump()
    totals = weighted_total(scores[list(CRITERIA)], weights)
    for c in CRITERIA:
        table[f"score_{c}"] = scores[c]
    table["total"] = totals.total
    table["scored_weight"] = totals.scored_weight
    table["light"] = [
        light(t, settings.green, settings.yellow) if w >= settings.min_scored_weight else None
        for t, w in zip(table.total, table.scored_weight.fillna(0.0), strict=True)
    ]
    table.loc[UNKNOWN, "scored_weight"] = 0.0

    # Taxonomy on the customer rows.
    customers = customer_labels(ctx)
    lines = customer_lines(ctx)
    lines["label"] = lines.customer_id.map(customers.set_index("customer_id").label)
    agreement = top_line_agreement(lines[lines.label.notna()])
    taxonomy = taxonomy_table(customers, agreement, settings)
    catch_all = tuple(taxonomy.industry[taxonomy.catch_all])
    label_counts = dict(zip(taxonomy.industry, taxonomy.customers, strict=True))
    for label in market.index:
        label_counts.setdefault(str(label), 0)
    duplicates = near_duplicates(
        label_counts,
        market.index,
        settings.near_duplicate_distance,
        settings.near_duplicate_min_length,
    )
    table["catch_all"] = [str(x) in catch_all for x in table.index]

    # Budget: the shares always, the amounts when a budget is given.
    eligible = [
        lt is not None and not ca for lt, ca in zip(table.light, table.catch_all, strict=True)
    ]
    split = split_budget(
        list(table.light),
        [float(t) for t in table.total.fillna(0.0)],
        eligible,
        settings.budget,
        settings.budget_split,
    )
    table["budget_share"] = [np.nan if x is None else x for x in split.shares]
    table["budget"] = [np.nan if c is None else c / 100 for c in split.cents]
    tiers = split.tiers

    # Order: green, yellow, red, unlit; by total score, revenue, name; unknown last.
    order = {lt: i for i, lt in enumerate(LIGHTS)}
    table = table.reset_index()
    table["_unknown"] = table.industry == UNKNOWN
    table["_light"] = table.light.map(lambda x: order.get(x, len(LIGHTS)))
    table["_total"] = -table.total.fillna(-1.0)
    table["_revenue"] = -table.revenue
    table = table.sort_values(
        ["_unknown", "_light", "_total", "_revenue", "industry"], kind="mergesort"
    )
    table = table[list(SCORE_COLUMNS)].reset_index(drop=True)
    table["light"] = table.light.astype(object)

    milestones = pd.DataFrame(columns=["industry", "targets", "contacted_share"])
    if ctx.has("targets"):
        milestones = milestone_table(target_counts(ctx), settings.milestones)
    n_targets = int(milestones.targets.sum()) if len(milestones) else 0
    lit = table[table.light.notna()]
    unknown = int(customers.label.isna().sum())
    result = IndustriesResult(
        findings=(),
        industries=len(lit),
        green=int((lit.light == "green").sum()),
        yellow=int((lit.light == "yellow").sum()),
        red=int((lit.light == "red").sum()),
        green_revenue_share=float(lit.revenue_share[lit.light == "green"].sum()),
        red_revenue_share=float(lit.revenue_share[lit.light == "red"].sum()),
        weights={k: float(v) for k, v in weights.items()},
        company_win_rate=company_win_rate,
        company_deal_size=company_deal_size,
        company_cac=company_cac,
        budget=settings.budget,
        green_at=settings.green,
        yellow_at=settings.yellow,
        milestone_levels=tuple(sorted(settings.milestones)),
        customers=len(customers),
        unknown_customers=unknown,
        unknown_share=unknown / len(customers) if len(customers) else 0.0,
        catch_all_labels=catch_all,
        near_duplicate_pairs=len(duplicates),
        targets=n_targets,
        targets_contacted_share=(
            int(milestones.contacted.sum()) / n_targets if n_targets else None
        ),
        scores=table,
        budget_tiers=tiers,
        milestones=milestones,
        taxonomy=taxonomy,
        near_duplicates=duplicates,
    )
    return dataclasses.replace(result, findings=tuple(findings(result, settings)))


def findings(result: IndustriesResult, settings: IndustrySettings) -> list[Finding]:
    """The findings ``industries.*`` (see docs/metrics.md §10)."""
    out: list[Finding] = []
    table = result.scores
    lit = table[table.light.notna()]
    if len(lit):
        greens = lit[lit.light == "green"]
        out.append(
            Finding(
                "industries.lights",
                "info",
                {
                    "green": result.green,
                    "yellow": result.yellow,
                    "red": result.red,
                    "green_revenue_share": result.green_revenue_share,
                },
                tuple(greens.industry),
            )
        )
    big_red = lit[(lit.light == "red") & (lit.revenue_share >= settings.red_revenue_share)]
    if len(big_red):
        out.append(
            Finding(
                "industries.red_revenue",
                "warning",
                {
                    "industries": len(big_red),
                    "revenue_share": float(big_red.revenue_share.sum()),
                    "threshold": settings.red_revenue_share,
                },
                tuple(big_red.industry),
            )
        )
    for row in result.taxonomy[result.taxonomy.catch_all].itertuples(index=False):
        out.append(
            Finding(
                "industries.catch_all",
                "alert" if row.outsized else "warning",
                {
                    "label": row.industry,
                    "customers": int(row.customers),
                    "share": float(row.share),
                    "listed": bool(row.listed),
                    "mixed": bool(row.mixed),
                    "top_line_agreement": row.top_line_agreement,
                    "level2_share": float(row.level2_share),
                    "level2_values": int(row.level2_values),
                },
                (row.industry,),
            )
        )
    for pair in result.near_duplicates.itertuples(index=False):
        out.append(
            Finding(
                "industries.near_duplicate",
                "warning",
                {
                    "label": pair.label,
                    "canonical": pair.canonical,
                    "label_customers": int(pair.label_customers),
                    "canonical_customers": int(pair.canonical_customers),
                },
                (pair.label, pair.canonical),
            )
        )
    if result.unknown_customers:
        out.append(
            Finding(
                "industries.unknown",
                "warning" if result.unknown_share >= settings.unknown_share else "info",
                {"customers": result.unknown_customers, "share": result.unknown_share},
            )
        )
    if result.budget is not None:
        amounts = dict(zip(result.budget_tiers.light, result.budget_tiers.budget, strict=True))
        out.append(
            Finding(
                "industries.budget",
                "info",
                {
                    "budget": result.budget,
                    "green": float(amounts.get("green", 0.0)),
                    "yellow": float(amounts.get("yellow", 0.0)),
                    "red": float(amounts.get("red", 0.0)),
                },
            )
        )
    if result.targets:
        first = min(settings.milestones)
        lights = dict(zip(table.industry, table.light, strict=True))
        behind = result.milestones[
            (result.milestones.contacted_share < first - 1e-12)
            & result.milestones.industry.map(lambda x: lights.get(x) == "green")
        ]
        out.append(
            Finding(
                "industries.milestones",
                "info",
                {
                    "industries": len(result.milestones),
                    "targets": result.targets,
                    "contacted_share": result.targets_contacted_share,
                },
            )
        )
        if len(behind):
            out.append(
                Finding(
                    "industries.milestone_behind",
                    "warning",
                    {
                        "industries": len(behind),
                        "milestone": first,
                        "short": int(behind.short_of_next.sum()),
                    },
                    tuple(behind.industry),
                )
            )
    return out
