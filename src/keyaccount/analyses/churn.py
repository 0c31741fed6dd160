"""Churn risk (docs/metrics.md §7) and the probabilistic stress test (§2).

The engine computes, in one pass, the sums every feature and label reads for every cut-off
the model uses (:func:`engine_windows`: commercial invoices per account and month — and per
product line, and paid invoices per paid month — crossed with the cut-offs and aggregated per
account × cut-off), so only the final per-account × cut-off matrix comes back; surveys,
interactions by department and day, and wallet estimates per account and year are fetched as
they are (small). :mod:`keyaccount.models.churn_model` computes the features from those sums,
the labels, the time-split backtest and the scores — its docstring gives every definition.

Per active account at the as-of date (commercial revenue in the TTM > 0):

- ``churn_probability`` from the model refitted on every labelled cut-off (only when the
  backtest could run: ``model_status == "ok"``), ``risk_rank`` (1 = riskiest; ties by account
  id) and the three factors adding most to its log-odds (``coefficient × standardised value``);
- rule-based signals, always given: ``revenue_down`` (TTM revenue ≤ (1 − churn.contraction)
  × the prior TTM), ``orders_down`` (commercial orders down ≥ silent_traitors.orders_drop,
  TTM vs prior TTM), ``no_recent_order`` (no positive commercial invoice in the last 6
  months), ``dissatisfied`` (latest survey below the silent-traitor satisfied thresholds),
  ``wallet_share_down`` (≥ silent_traitors.wallet_share_drop points), ``no_active_relationship``
  (no core department with an interaction in the last relationships.active_days days).

High risk: a churn probability ≥ ``churn.high_risk`` (50%).

**Probabilistic stress test** (§2): each active account leaves with its churn probability;
``churn.simulations`` seeded draws (``churn.seed``) give P5 / P50 / P95 of next-window revenue
and contribution, an account that stays bringing its TTM revenue and TTM contribution
(:func:`keyaccount.analyses.profitability.account_pnl`) again; the expected values are
``Σ (1 − p) × value``. None when the model does not rank, or when ``churn.simulations`` is 0
(the scenario left out; the stress test then fits no churn model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keyaccount.analyses.base import Finding, Result, string_rank
from keyaccount.analyses.context import COMMERCIAL, AuditContext, months_back
from keyaccount.analyses.money import float_frame
from keyaccount.analyses.profitability import account_pnl
from keyaccount.models.churn_model import (
    HALF_YEAR,
    HISTORY_MONTHS,
    OK,
    PAYMENTS,
    PRODUCT_LINES,
    WINDOW_COLUMNS,
    YEAR_MONTHS,
    Backtest,
    History,
    backtest,
    cutoff_date,
    cutoff_plan,
    features_at,
    simulate_stays,
    top_factors,
    with_account_codes,
)

MODEL = "logistic_regression"
FACTORS = 3
RECENT_MONTHS = 6
SIGNALS = (
    "revenue_down",
    "orders_down",
    "no_recent_order",
    "dissatisfied",
    "wallet_share_down",
    "no_active_relationship",
)
CSAT, NPS = "csat5", "nps10"


# --- The history from the engine -------------------------------------------------------------


def _commercial_invoices(ctx: AuditContext) -> ibis.Table:
    inv = ctx.tables["invoices"].join(ctx.membership, "customer_id")
    return inv.filter(inv.deal_type == COMMERCIAL, inv.date <= ibis.literal(ctx.as_of))


def _sorted(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """``frame`` with text account ids, in a fixed order (the same on every engine)."""
    frame = frame.assign(account_id=frame.account_id.astype(str))
    return frame.sort_values(["account_id", *keys], kind="mergesort").reset_index(drop=True)


def _months(ctx: AuditContext) -> ibis.Table:
    """Per account and month back: revenue, orders (positive invoices), their last day."""
    inv = _commercial_invoices(ctx)
    inv = inv.mutate(back=months_back(inv.date, ctx.as_of), positive=inv.amount > 0)
    return inv.group_by("account_id", "back").aggregate(
        revenue=inv.amount.sum(),
        orders=inv.invoice_id.nunique(where=inv.positive),
        last_day=inv.date.max(where=inv.positive),
    )


def _lines(ctx: AuditContext) -> ibis.Table:
    """Per account, month back and product line: commercial revenue."""
    inv = _commercial_invoices(ctx)
    inv = inv.filter(inv.product_line.notnull())
    lines = inv.group_by(
        "account_id", months_back(inv.date, ctx.as_of).name("back"), "product_line"
    )
    return lines.aggregate(revenue=inv.amount.sum())


def _payments(ctx: AuditContext) -> ibis.Table:
    """Per account and month back of the paid date: amount paid, Σ amount × days to pay."""
    inv = _commercial_invoices(ctx)
    as_of = ibis.literal(ctx.as_of)
    paid = inv.filter(inv.amount > 0, inv.paid_date.notnull(), inv.paid_date <= as_of)
    paid = paid.mutate(days=paid.paid_date.delta(paid.date, unit="day").cast("int64"))
    paid = paid.filter(paid.days >= 0)
    return paid.group_by(
        "account_id", months_back(paid.paid_date, ctx.as_of).name("back")
    ).aggregate(amount=paid.amount.sum(), amount_days=(paid.amount * paid.days).sum())


@dataclass(frozen=True)
class Activity:
    """The per-account activity the churn model reads, cached in the engine (small tables).

    ``months`` (:func:`_months`), ``lines`` (:func:`_lines`), ``payments``
    (:func:`_payments`); each is built by its own narrow scan of the commercial invoices.
    """

    months: ibis.Table
    lines: ibis.Table
    payments: ibis.Table


def activity(ctx: AuditContext) -> Activity:
    """The three activity tables, each cached in the engine (dropped when no longer used)."""
    return Activity(_months(ctx).cache(), _lines(ctx).cache(), _payments(ctx).cache())


def source_facts(tables: Activity) -> tuple[int, frozenset[str]]:
    """Months of commercial data back from the as-of date, and which optional sources exist.

    Read from the cached activity: the payments source exists when an invoice with a positive
    amount was paid (on or after its date) by the as-of date, the product-line source when a
    commercial invoice names its product line.
    """
    oldest = tables.months.back.max().execute()
    observed = 0 if oldest is None or pd.isna(oldest) else int(oldest) + 1
    sources = set()
    if int(tables.payments.count().execute()):
        sources.add(PAYMENTS)
    if int(tables.lines.count().execute()):
        sources.add(PRODUCT_LINES)
    return observed, frozenset(sources)


def engine_windows(
    ctx: AuditContext,
    tables: Activity,
    cutoffs: list[int],
    horizon: int,
    sources: frozenset[str],
) -> dict[int, pd.DataFrame]:
    """:func:`keyaccount.models.churn_model.cutoff_windows` of every cut-off, in one pass.

    The per-account-month activity (and per product line, and payments by paid month) is
    crossed with the cut-offs, each row kept where its month falls in a window the cut-off
    reads (``horizon`` months after it to 36 before), and summed per account × cut-off with
    one conditional sum per window — money stays exact decimals until it is fetched. Only the
    accounts of each cut-off's population (revenue_ttm > 0) come back, as one frame per
    cut-off indexed by sorted account id.
    """
    cut = ibis.memtable(pd.DataFrame({"cutoff": np.asarray(cutoffs, dtype="int64")}))
    wallet = ctx.has("wallet")
    span = 3 * YEAR_MONTHS if wallet else HISTORY_MONTHS

    def crossed(table: ibis.Table, low: int, high: int) -> ibis.Table:
        rows = table.cross_join(cut)
        rows = rows.mutate(rel=rows.back - rows.cutoff)
        return rows.filter(rows.rel >= low, rows.rel < high)

    rows = crossed(tables.months, -horizon, span)
    rel = rows.rel

    def inside(column: str, start: int | ir.IntegerValue, length: int) -> ir.Value:
        return rows[column].sum(where=(rel >= start) & (rel < start + length))

    # The wallet year of cut-off c starts 12·⌈c/12⌉ months back: rel = that − c.
    wallet_rel = (rows.cutoff + (YEAR_MONTHS - 1)) // YEAR_MONTHS * YEAR_MONTHS - rows.cutoff
    sums = {
        "revenue_0_6": inside("revenue", 0, HALF_YEAR),
        "revenue_6_12": inside("revenue", HALF_YEAR, HALF_YEAR),
        "revenue_prior_ttm": inside("revenue", YEAR_MONTHS, YEAR_MONTHS),
        "revenue_after": inside("revenue", -horizon, horizon),
        "orders_0_6": inside("orders", 0, HALF_YEAR),
        "orders_6_12": inside("orders", HALF_YEAR, HALF_YEAR),
        "orders_prior_ttm": inside("orders", YEAR_MONTHS, YEAR_MONTHS),
        "last_day": rows.last_day.max(where=rel >= 0),
    }
    if wallet:
        sums["wallet_revenue_recent"] = inside("revenue", wallet_rel, YEAR_MONTHS)
        sums["wallet_revenue_prior"] = inside("revenue", wallet_rel + YEAR_MONTHS, YEAR_MONTHS)
    windows = rows.group_by("account_id", "cutoff").aggregate(**sums)
    # The TTM adds its two halves (exact: decimals, integers), two sums fewer per row.
    windows = windows.mutate(
        revenue_ttm=windows.revenue_0_6.fill_null(0) + windows.revenue_6_12.fill_null(0),
        orders_ttm=windows.orders_0_6.fill_null(0) + windows.orders_6_12.fill_null(0),
    )
    windows = windows.filter(windows.revenue_ttm > 0)
    keys = ["account_id", "cutoff"]
    if PAYMENTS in sources:
        paid = crossed(tables.payments, 0, YEAR_MONTHS)
        first = paid.rel < HALF_YEAR
        paid = paid.group_by(*keys).aggregate(
            paid_amount_0_6=paid.amount.sum(where=first),
            paid_days_0_6=paid.amount_days.sum(where=first),
            paid_amount_6_12=paid.amount.sum(where=~first),
            paid_days_6_12=paid.amount_days.sum(where=~first),
        )
        windows = _left(windows, paid, keys)
    if PRODUCT_LINES in sources:
        lines = crossed(tables.lines, 0, YEAR_MONTHS)
        per_line = lines.group_by(*keys, "product_line").aggregate(revenue=lines.revenue.sum())
        per_line = per_line.filter(per_line.revenue > 0)
        windows = _left(
            windows, per_line.group_by(*keys).aggregate(product_lines=ibis._.count()), keys
        )
    frame = float_frame(windows)
    frame["account_id"] = frame.account_id.astype(str)
    frame["last_day"] = pd.to_datetime(frame.last_day)
    for column in WINDOW_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan  # a source that is absent
        elif column.startswith("paid_"):
            frame[column] = frame[column].astype(float)  # no paid invoice: NaN, not 0
        elif column != "last_day":
            frame[column] = frame[column].fillna(0).astype(float)  # nothing in the window
    frame = frame.sort_values(["cutoff", "account_id"], kind="mergesort")
    out = {}
    for back in cutoffs:
        part = frame[frame.cutoff == back]
        out[back] = part.set_index(pd.Index(part.account_id, name="account_id"))[
            list(WINDOW_COLUMNS)
        ]
    return out


def _left(left: ibis.Table, right: ibis.Table, keys: list[str]) -> ibis.Table:
    """Left join on ``keys``, keeping one copy of each key column."""
    joined = left.left_join(right, keys)
    return joined.drop(*[f"{k}_right" for k in keys if f"{k}_right" in joined.columns])


def monthly_activity(ctx: AuditContext) -> pd.DataFrame:
    """Per account and month back: revenue, orders (positive invoices), their last day.

    The local frame of the reference path (:func:`reference_history`).
    """
    frame = float_frame(_months(ctx))
    frame["last_day"] = pd.to_datetime(frame.last_day)
    frame["orders"] = frame.orders.astype("int64")
    return _sorted(frame, "back")


def product_line_activity(ctx: AuditContext) -> pd.DataFrame | None:
    """Per account, month back and product line: commercial revenue (None without lines)."""
    frame = float_frame(_lines(ctx))
    return None if frame.empty else _sorted(frame, "back", "product_line")


def payment_activity(ctx: AuditContext) -> pd.DataFrame | None:
    """Per account and month of the paid date: amount paid and Σ amount × days to pay."""
    frame = float_frame(_payments(ctx))
    return None if frame.empty else _sorted(frame, "back")


def survey_answers(ctx: AuditContext) -> pd.DataFrame | None:
    """Answers up to the as-of date: account_id, date, satisfaction (0–1), satisfied."""
    if not ctx.has("surveys"):
        return None
    surveys = ctx.tables["surveys"].join(ctx.membership, "customer_id")
    surveys = surveys.filter(surveys.date <= ibis.literal(ctx.as_of))
    frame = surveys.select("account_id", "date", "score", "scale").execute()
    if frame.empty:
        return None
    thresholds = ctx.settings.silent_traitors
    nps = frame.scale == NPS
    score = frame.score.astype(float)
    frame["satisfaction"] = np.where(nps, score / 10.0, (score - 1.0) / 4.0).clip(0.0, 1.0)
    frame["satisfied"] = np.where(
        nps, score >= thresholds.nps_satisfied, score >= thresholds.csat_satisfied
    )
    frame["date"] = pd.to_datetime(frame.date)
    return _sorted(frame[["account_id", "date", "satisfaction", "satisfied"]], "date")


def interaction_days(ctx: AuditContext) -> pd.DataFrame | None:
    """Distinct (account, day, core department) of interactions; department None outside."""
    if not (ctx.has("interactions") and ctx.has("contacts")):
        return None
    contacts = ctx.tables["contacts"].select("contact_id", "department")
    touches = ctx.tables["interactions"].join(ctx.membership, "customer_id")
    touches = touches.filter(touches.date <= ibis.literal(ctx.as_of))
    touches = touches.left_join(contacts, "contact_id")
    core = list(ctx.settings.relationships.core_departments)
    department = ibis.ifelse(touches.department.isin(core), touches.department, ibis.null("string"))
    days = touches.select("account_id", "date", department=department).distinct()
    frame = days.execute()
    if frame.empty:
        return None
    frame["date"] = pd.to_datetime(frame.date)
    frame["department"] = frame.department.astype(object).where(frame.department.notna(), None)
    return _sorted(frame, "date", "department")


def wallet_estimates(ctx: AuditContext) -> pd.DataFrame | None:
    """Category spend per account and wallet year (members of a group summed)."""
    if not ctx.has("wallet"):
        return None
    wallet = ctx.tables["wallet"].join(ctx.membership, "customer_id")
    sums = wallet.group_by("account_id", "year").aggregate(spend=wallet.category_spend.sum())
    frame = float_frame(sums)
    if frame.empty:
        return None
    frame["year"] = frame.year.astype("int64")
    return _sorted(frame, "year")


def first_days(ctx: AuditContext) -> pd.Series:
    """The relationship's first day per account: the earlier of first_date and first invoice."""
    firsts = ctx.first_commercial_day.execute()
    invoiced = pd.to_datetime(firsts.set_index(firsts.account_id.astype(str)).first_day)
    attrs = ctx.account_frame().set_index("account_id")
    declared = pd.to_datetime(attrs.first_date).reindex(invoiced.index)
    return pd.concat([invoiced, declared], axis=1).min(axis=1).sort_index()


def reference_history(ctx: AuditContext) -> History:
    """The history as local per-account-month frames (the model's reference path).

    The audit uses :func:`churn_history`, whose sums the engine computes; this one fetches
    the monthly activity and lets :func:`keyaccount.models.churn_model.cutoff_windows`
    compute them in pandas. Both give the same features (tests/analyses/test_churn.py).
    """
    months = with_account_codes(monthly_activity(ctx))
    observed = int(months.back.max()) + 1 if len(months) else 0
    return History(
        as_of=ctx.as_of,
        months=months,
        first_day=first_days(ctx),
        observed_months=observed,
        product_lines=product_line_activity(ctx),
        payments=payment_activity(ctx),
        surveys=survey_answers(ctx),
        interactions=interaction_days(ctx),
        wallet=wallet_estimates(ctx),
        active_days=ctx.settings.relationships.active_days,
    )


def churn_history(ctx: AuditContext) -> History:
    """Everything the churn model reads, once per context.

    The sums of every cut-off the backtest and the scores read (the as-of date, the test
    cut-off and the refit cut-offs) come from :func:`engine_windows`, one engine pass over the
    cached :func:`activity`.
    """

    def build() -> History:
        horizon = ctx.settings.churn.horizon_months
        tables = activity(ctx)
        observed, sources = source_facts(tables)
        history = History(
            as_of=ctx.as_of,
            months=None,
            first_day=first_days(ctx),
            observed_months=observed,
            surveys=survey_answers(ctx),
            interactions=interaction_days(ctx),
            wallet=wallet_estimates(ctx),
            active_days=ctx.settings.relationships.active_days,
            window_sources=sources,
            windows_horizon=horizon,
        )
        plan = cutoff_plan(history, horizon)
        cutoffs = sorted({0, plan.test, *plan.train, *plan.refit})
        windows = (
            engine_windows(ctx, tables, cutoffs, horizon, sources) if observed else {0: _empty()}
        )
        return replace(history, windows=windows)

    return ctx.memo("churn.history", build)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="datetime64[ns]" if c == "last_day" else float)
            for c in WINDOW_COLUMNS
        },
        index=pd.Index([], name="account_id", dtype=object),
    )


def churn_backtest(ctx: AuditContext) -> Backtest:
    """The time-split backtest and the refitted model, once per context."""
    settings = ctx.settings.churn

    def compute() -> Backtest:
        return backtest(
            churn_history(ctx),
            settings.horizon_months,
            settings.contraction,
            settings.min_train_cutoffs,
            settings.seed,
        )

    return ctx.memo("churn.backtest", compute)


# --- Scores and signals at the as-of date ----------------------------------------------------


def rule_signals(features: pd.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    """The rule-based signals of each account (see the module docstring), as booleans."""
    contraction = ctx.settings.churn.contraction
    traitors = ctx.settings.silent_traitors
    prior = features.revenue_prior_ttm
    orders_prior = features.orders_prior_ttm_count
    out = pd.DataFrame(index=features.index)
    out["revenue_down"] = (prior > 0) & (features.revenue_ttm <= (1 - contraction) * prior)
    out["orders_down"] = (orders_prior > 0) & (
        features.orders_ttm_count <= (1 - traitors.orders_drop) * orders_prior
    )
    out["no_recent_order"] = features.orders_6m <= 0
    out["dissatisfied"] = features.satisfied.eq(False)
    wallet = features.get("wallet_share_trend", pd.Series(np.nan, index=features.index))
    out["wallet_share_down"] = wallet <= -traitors.wallet_share_drop
    departments = features.get("active_departments", pd.Series(np.nan, index=features.index))
    out["no_active_relationship"] = departments.eq(0)
    return out.astype(bool)


def scored_accounts(ctx: AuditContext) -> pd.DataFrame:
    """Every active account at the as-of date: features, probability, factors and signals.

    Ranked (probability descending, ties by account id) when the model ranks; otherwise by
    signal count and TTM revenue, descending, then account id.
    """

    def compute() -> pd.DataFrame:
        features = features_at(churn_history(ctx), 0)
        model = churn_backtest(ctx).model
        signals = rule_signals(features, ctx)
        out = features.drop(columns=["satisfied"]).copy()
        if model is not None and len(features):
            out["churn_probability"] = model.predict(features)
            factors = top_factors(model.contributions(features), FACTORS)
        else:
            out["churn_probability"] = np.nan
            factors = top_factors(pd.DataFrame(index=features.index, columns=[]), FACTORS)
        out = out.join(factors).join(signals)
        out["signal_count"] = signals.sum(axis=1).astype("int64")
        out = out.reset_index()
        names = ctx.account_frame()[["account_id", "name"]]
        out = out.merge(names, on="account_id", how="left")
        keys = string_rank(out.account_id)
        if model is not None:
            order = np.lexsort((keys, -out.churn_probability.to_numpy()))
        else:
            order = np.lexsort((keys, -out.revenue_ttm.to_numpy(), -out.signal_count.to_numpy()))
        out = out.iloc[order].reset_index(drop=True)
        out["risk_rank"] = np.arange(1, len(out) + 1) if model is not None else None
        front = ["account_id", "name", "risk_rank", "churn_probability", "revenue_ttm"]
        return out[front + [c for c in out.columns if c not in front]]

    return ctx.memo("churn.scored_accounts", compute)


# --- The probabilistic stress test -----------------------------------------------------------


@dataclass(frozen=True)
class ProbabilisticStress:
    """§2's Monte-Carlo scenario: next-window revenue and contribution if each account may go.

    ``ttm_*`` are the active accounts' totals if all stay; ``expected_*`` = Σ (1 − p) × value;
    ``*_p5`` / ``*_p50`` / ``*_p95`` are percentiles over ``draws`` seeded draws.
    """

    draws: int
    seed: int
    accounts: int
    ttm_revenue: float
    ttm_contribution: float
    expected_revenue: float
    expected_contribution: float
    revenue_p5: float
    revenue_p50: float
    revenue_p95: float
    contribution_p5: float
    contribution_p50: float
    contribution_p95: float


def stress_inputs(ctx: AuditContext) -> pd.DataFrame | None:
    """Active accounts with churn probability, TTM revenue and TTM contribution (id order)."""
    scored = scored_accounts(ctx)
    if churn_backtest(ctx).model is None:
        return None
    pnl = account_pnl(ctx).set_index("account_id")
    active = pnl[pnl.revenue > 0]
    probability = scored.set_index("account_id").churn_probability
    frame = pd.DataFrame(
        {
            "probability": probability.reindex(active.index).fillna(0.0),
            "revenue": active.revenue,
            "contribution": active.contribution,
        }
    )
    return frame.iloc[np.argsort(string_rank(frame.index), kind="stable")]


def probabilistic_stress(ctx: AuditContext) -> ProbabilisticStress | None:
    """The §2 probabilistic scenario; None when the churn model does not rank.

    Also None, without fitting the churn model, when ``churn.simulations`` is 0 (the setting
    that leaves the scenario out).
    """
    if ctx.settings.churn.simulations == 0:
        return None
    inputs = stress_inputs(ctx)
    if inputs is None:
        return None
    settings = ctx.settings.churn
    p = inputs.probability.to_numpy()
    revenue, contribution = inputs.revenue.to_numpy(), inputs.contribution.to_numpy()
    kept = simulate_stays(p, revenue, contribution, settings.simulations, settings.seed)
    r5, r50, r95 = np.percentile(kept.revenue, [5, 50, 95])
    c5, c50, c95 = np.percentile(kept.contribution, [5, 50, 95])
    return ProbabilisticStress(
        draws=settings.simulations,
        seed=settings.seed,
        accounts=len(inputs),
        ttm_revenue=float(revenue.sum()),
        ttm_contribution=float(contribution.sum()),
        expected_revenue=float(((1 - p) * revenue).sum()),
        expected_contribution=float(((1 - p) * contribution).sum()),
        revenue_p5=float(r5),
        revenue_p50=float(r50),
        revenue_p95=float(r95),
        contribution_p5=float(c5),
        contribution_p50=float(c50),
        contribution_p95=float(c95),
    )


# --- The analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnResult(Result):
    """Figures of §7's churn-risk model and §2's probabilistic stress test.

    ``model_status``: ok, too_little_history or single_class (no ranking then: probabilities
    and ranks are empty, the rule-based signals stand alone). ``cutoffs``: the cut-off dates
    with their role (train / test / refit) and, for the backtest's, accounts and positives.
    ``calibration``: bin, accounts, mean_predicted, observed_rate on the test cut-off.
    ``coefficients``: the refitted model's standardised coefficients. ``accounts``: one row
    per active account (see the module docstring).
    """

    model_status: str
    model: str
    features: tuple[str, ...]
    horizon_months: int
    train_cutoffs: int
    test_cutoff: str | None
    test_accounts: int
    test_positive_rate: float | None
    backtest_auc: float | None
    baseline_auc: float | None
    brier_score: float | None
    calibration: pd.DataFrame
    cutoffs: pd.DataFrame
    coefficients: pd.DataFrame
    accounts: pd.DataFrame
    high_risk_accounts: tuple[str, ...]
    probabilistic: ProbabilisticStress | None


def run(ctx: AuditContext) -> ChurnResult:
    """Backtest the churn model, score the active accounts, simulate the probabilistic loss."""
    settings = ctx.settings.churn
    history = churn_history(ctx)
    tested = churn_backtest(ctx)
    accounts = scored_accounts(ctx)
    stress = probabilistic_stress(ctx)
    high = accounts[accounts.churn_probability >= settings.high_risk]
    cutoffs = tested.cutoffs.copy()
    cutoffs.insert(0, "cutoff", [cutoff_date(ctx.as_of, int(b)) for b in cutoffs.back])
    coefficients = (
        tested.model.coefficients()
        if tested.model is not None
        else pd.DataFrame({"column": [], "coefficient": []})
    )
    test_usable = history.usable(tested.plan.test)
    return ChurnResult(
        findings=tuple(
            _findings(
                tested, accounts, high, stress, settings.min_train_cutoffs, settings.high_risk
            )
        ),
        model_status=tested.status,
        model=MODEL,
        features=history.features(),
        horizon_months=settings.horizon_months,
        train_cutoffs=len(tested.plan.train),
        test_cutoff=cutoff_date(ctx.as_of, tested.plan.test).isoformat() if test_usable else None,
        test_accounts=tested.test_accounts,
        test_positive_rate=(
            tested.test_positives / tested.test_accounts if tested.test_accounts else None
        ),
        backtest_auc=tested.auc,
        baseline_auc=tested.baseline_auc,
        brier_score=tested.brier,
        calibration=tested.calibration,
        cutoffs=cutoffs,
        coefficients=coefficients,
        accounts=accounts,
        high_risk_accounts=tuple(high.account_id),
        probabilistic=stress,
    )


def _findings(
    tested: Backtest,
    accounts: pd.DataFrame,
    high: pd.DataFrame,
    stress: ProbabilisticStress | None,
    needed: int,
    threshold: float,
) -> list[Finding]:
    findings: list[Finding] = []
    if tested.status != OK:
        findings.append(
            Finding(
                f"churn_risk.{tested.status}",
                "warning",
                {
                    "train_cutoffs": len(tested.plan.train),
                    "needed_cutoffs": needed,
                    "test_accounts": tested.test_accounts,
                },
            )
        )
    else:
        findings.append(
            Finding(
                "churn_risk.backtest",
                "info" if (tested.auc or 0) > (tested.baseline_auc or 0) else "warning",
                {
                    "auc": tested.auc,
                    "baseline_auc": tested.baseline_auc,
                    "brier_score": tested.brier,
                    "test_accounts": tested.test_accounts,
                    "test_positive_rate": tested.test_positives / tested.test_accounts,
                    "train_cutoffs": len(tested.plan.train),
                },
            )
        )
    total = float(accounts.revenue_ttm.sum())
    if len(high):
        revenue = float(high.revenue_ttm.sum())
        findings.append(
            Finding(
                "churn_risk.high_risk",
                "alert" if total and revenue / total >= 0.1 else "warning",
                {
                    "accounts": len(high),
                    "revenue": revenue,
                    "revenue_share": revenue / total if total else None,
                    "threshold": threshold,
                },
                tuple(high.account_id),
            )
        )
    flagged = accounts[accounts.signal_count > 0]
    if len(flagged):
        revenue = float(flagged.revenue_ttm.sum())
        findings.append(
            Finding(
                "churn_risk.rule_signals",
                "info" if tested.status == OK else "warning",
                {
                    "accounts": len(flagged),
                    "revenue": revenue,
                    "revenue_share": revenue / total if total else None,
                    **{s: int(accounts[s].sum()) for s in SIGNALS},
                },
                tuple(flagged.account_id),
            )
        )
    if stress is not None:
        lost = stress.ttm_revenue - stress.expected_revenue
        findings.append(
            Finding(
                "churn_risk.expected_loss",
                "info",
                {
                    "expected_revenue_lost": lost,
                    "expected_share_lost": lost / stress.ttm_revenue
                    if stress.ttm_revenue
                    else None,
                    "revenue_p5": stress.revenue_p5,
                    "revenue_p50": stress.revenue_p50,
                    "revenue_p95": stress.revenue_p95,
                    "ttm_revenue": stress.ttm_revenue,
                    "draws": stress.draws,
                },
            )
        )
    return findings
