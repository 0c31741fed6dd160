"""Findings as sentences: each finding code has one sentence, written in both languages.

An analysis states a finding as a code and its numbers (``concentration.top1_over_threshold``
with ``share`` and ``threshold``); here each code gets the sentence an analyst would write,
its numbers formatted for the locale. The English sentence is the gettext message id; the
Chinese one lives in ``i18n/zh_CN/report.po``, written natively, not translated word for word.
Account ids in a finding's subjects are shown by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from keyaccount.report.i18n import N_, Locale

Values = Mapping[str, Any]
Phrase = Callable[[Values, str, Locale], str]


@dataclass(frozen=True)
class Sentence:
    """A finding written out: its code, severity, the analysis it belongs to, and the text."""

    code: str
    severity: str
    analysis: str
    text: str
    subjects: tuple[str, ...]


BANDS = {
    "unconcentrated": N_("unconcentrated"),
    "moderate": N_("moderately concentrated"),
    "high": N_("highly concentrated"),
}
DRIVERS = {
    "gross_margin": N_("a low gross margin"),
    "rebates": N_("heavy rebates"),
    "cost_to_serve": N_("a high cost to serve"),
    "financing_cost": N_("slow payment (financing cost)"),
}


def _stress(opening: str) -> Phrase:
    def phrase(v: Values, name: str, loc: Locale) -> str:
        text = loc._(opening).format(accounts=loc.count(v.get("accounts")), name=name) + loc._(
            "{revenue} of revenue ({share}) and {contribution} of contribution would be gone, "
            "with {receivables} of receivables at risk."
        ).format(
            revenue=loc.money(v["revenue_lost"]),
            share=loc.percent(v["revenue_lost_share"]),
            contribution=loc.money(v["contribution_lost"]),
            receivables=loc.money(v["receivables_at_risk"]),
        )
        if v.get("turns_to_loss"):
            runway = v.get("runway_months")
            text += " " + (
                loc._("The company would then run at a loss; its cash lasts {runway}.").format(
                    runway=loc.months(runway)
                )
                if runway is not None
                else loc._("The company would then run at a loss.")
            )
        return text

    return phrase


PERIODS = {"prior_ttm": N_("the prior twelve months"), "ttm": N_("the last twelve months")}


def period_label(period: str, loc: Locale) -> str:
    """A bridge period as words: 'prior_ttm' → the prior twelve months; '2024Q3' stays."""
    return loc.word(PERIODS, period)


def _retention(subject: str) -> dict[str, Phrase]:
    """The retention sentences for invoiced revenue ('retention') or subscriptions ('mrr')."""
    nrr = (
        N_(
            "Net revenue retention is {nrr} and gross retention {grr}: the customers of a year "
            "ago now buy {nrr} of what they bought then."
        )
        if subject == "retention"
        else N_("Subscription NRR is {nrr} and GRR {grr} over the last twelve months.")
    )
    return {
        f"{subject}.nrr": lambda v, _n, loc: loc._(nrr).format(
            nrr=loc.percent(v["nrr"]), grr=loc.percent(v["grr"])
        ),
        f"{subject}.elite_nrr": lambda v, _n, loc: loc._(
            "An NRR of {nrr} clears the {threshold} mark of the best B2B companies."
        ).format(nrr=loc.percent(v["nrr"]), threshold=loc.percent(v["threshold"], 0)),
        f"{subject}.quick_ratio": lambda v, _n, loc: loc._(
            "Quick ratio {ratio}: new, returning and growing customers added {gained}, churn "
            "and shrinking customers took away {lost}."
        ).format(
            ratio=loc.number(v["quick_ratio"], 2),
            gained=loc.money(v["gained"]),
            lost=loc.money(v["lost"]),
        ),
        f"{subject}.prior_incomplete": lambda v, _n, loc: loc._(
            "The data do not cover the whole prior period ({period}), so retention is "
            "understated or missing."
        ).format(period=period_label(str(v["period0"]), loc)),
    }


PHRASES: dict[str, Phrase] = {
    "concentration.top1_over_threshold": lambda v, name, loc: loc._(
        "The largest customer, {name}, brings {share} of revenue, above the {threshold} alert line."
    ).format(name=name, share=loc.percent(v["share"]), threshold=loc.percent(v["threshold"], 0)),
    "concentration.hhi": lambda v, _n, loc: loc._(
        "Revenue concentration (HHI) is {hhi}, {band} by the 2023 US merger guidelines: the "
        "revenue is as concentrated as if it came from {effective} equal customers."
    ).format(
        hhi=loc.number(v["hhi"]),
        band=loc.word(BANDS, v["band"]),
        effective=loc.number(10000 / v["hhi"], 1) if v["hhi"] else "–",
    ),
    "concentration.industry_over_threshold": lambda v, name, loc: loc._(
        "One industry, {name}, brings {share} of revenue, above the {threshold} limit for a "
        "single industry."
    ).format(name=name, share=loc.percent(v["share"]), threshold=loc.percent(v["threshold"], 0)),
    "concentration.region_over_threshold": lambda v, name, loc: loc._(
        "One region, {name}, brings {share} of revenue, above the {threshold} limit for a "
        "single region."
    ).format(name=name, share=loc.percent(v["share"]), threshold=loc.percent(v["threshold"], 0)),
    "stress.top1": _stress(N_("If the largest customer, {name}, left: ")),
    "stress.top_k": _stress(N_("If the {accounts} largest customers left: ")),
    "stress.top_industry": _stress(N_("If the whole {name} industry stopped buying: ")),
    "stress.top_region": _stress(N_("If every customer in {name} were lost: ")),
    "profitability.company_margin": lambda v, _n, loc: loc._(
        "Gross margin is {gross}, but after rebates, cost to serve and financing only {true} "
        "of revenue is left as contribution ({contribution})."
    ).format(
        gross=loc.percent(v["gross_margin"]),
        true=loc.percent(v["true_margin"]),
        contribution=loc.money(v["contribution"]),
    ),
    "profitability.estimated_costs": lambda v, _n, loc: loc._(
        "{share} of revenue has no cost data; its gross profit is estimated at the default margin."
    ).format(share=loc.percent(v["revenue_share"])),
    "profitability.black_holes": lambda v, _n, loc: loc._(
        "{count} customers are value black holes: they bring {share} of revenue and lose "
        "{loss} of contribution."
    ).format(
        count=loc.count(v["count"]),
        share=loc.percent(v["revenue_share"]),
        loss=loc.money(abs(v["contribution"])),
    ),
    "profitability.black_hole": lambda v, name, loc: loc._(
        "{name} earns a true margin of {margin} on {revenue} of revenue, chiefly because of "
        "{driver} ({gap} points below the company)."
    ).format(
        name=name,
        margin=loc.percent(v["true_margin"]),
        revenue=loc.money(v["revenue"]),
        driver=loc.word(DRIVERS, v["main_driver"]),
        gap=loc.number(100 * v["gap"], 1),
    ),
    "profitability.whale_peak": lambda v, _n, loc: loc._(
        "Profit peaks at {peak} of the total with the best {accounts} customers; the other "
        "{destroyers} erase {destroyed}."
    ).format(
        peak=loc.percent(v["peak_share"]),
        accounts=loc.count(v["peak_accounts"]),
        destroyers=loc.count(v["destroyers"]),
        destroyed=loc.money(abs(v["destroyed"])),
    ),
    "profitability.base_overlap": lambda v, _n, loc: loc._(
        "The customers behind 80% of revenue ({revenue_base}) and those behind 80% of profit "
        "({profit_base}) overlap by {jaccard}."
    ).format(
        revenue_base=loc.count(v["revenue_base"]),
        profit_base=loc.count(v["profit_base"]),
        jaccard=loc.percent(v["jaccard"], 0),
    ),
    "acquisition.cac": lambda v, _n, loc: loc._(
        "{accounts} customers were won in the last twelve months at an average acquisition "
        "cost of {cac} each."
    ).format(accounts=loc.count(v["window_new_accounts"]), cac=loc.money(v["window_average_cac"])),
    "acquisition.no_acquisition_costs": lambda _v, _n, loc: loc._(
        "No sales or marketing cost is tagged as acquisition, so acquisition cost cannot be "
        "measured."
    ),
    "acquisition.cac_inflation": lambda v, _n, loc: loc._(
        "Acquisition cost rose {growth} in {year} to {cac} per new customer (from {previous}); "
        "over the whole period it grew {cagr} a year."
    ).format(
        growth=loc.percent(v["growth"]),
        year=v["year"],
        cac=loc.money(v["cac"]),
        previous=loc.money(v["previous_cac"]),
        cagr=loc.percent(v["cagr"]),
    ),
    "acquisition.unconverted_pre_sales": lambda v, _n, loc: loc._(
        "{cost} of pre-sales work went to prospects that never became customers."
    ).format(cost=loc.money(v["cost"])),
    "ltv.ltv_to_cac": lambda v, _n, loc: loc._(
        "A customer is worth {ratio} what it costs to win (lifetime value {ltv} against "
        "{cac}); the median customer pays its acquisition back in {payback}."
    ).format(
        ratio=loc.ratio(v["ltv_to_cac"]),
        ltv=loc.money(v["ltv"]),
        cac=loc.money(v["cac"]),
        payback=loc.months(v["median_payback_months"]),
    ),
    "ltv.ltv_to_cac_unhealthy": lambda v, _n, loc: loc._(
        "LTV/CAC is {ratio}, under the healthy {threshold}: growth is buying customers who do "
        "not pay back."
    ).format(ratio=loc.ratio(v["ltv_to_cac"]), threshold=loc.ratio(v["threshold"], 0)),
    "ltv.segment_ltv_to_cac_unhealthy": lambda v, name, loc: loc._(
        "In {name}, LTV/CAC is only {ratio} (healthy: {threshold})."
    ).format(name=name, ratio=loc.ratio(v["ltv_to_cac"]), threshold=loc.ratio(v["threshold"], 0)),
    "ltv.ltv_below_cac": lambda v, _n, loc: loc._(
        "{accounts} customers will never earn back what they cost to win: {cac} spent for "
        "{ltv} of lifetime value."
    ).format(accounts=loc.count(v["accounts"]), cac=loc.money(v["cac"]), ltv=loc.money(v["ltv"])),
    "ltv.purchase_forecast_skipped": lambda _v, _n, loc: loc._(
        "Too few customers buy repeatedly to fit the purchase-frequency model (BG/NBD); its "
        "forecast is left out."
    ),
    "cohorts.repeat_purchase_rate": lambda v, _n, loc: loc._(
        "{rate} of customers ({repeat} of {active}) bought again after their first order."
    ).format(
        rate=loc.percent(v["rate"]),
        repeat=loc.count(v["repeat_accounts"]),
        active=loc.count(v["active_accounts"]),
    ),
    "cohorts.older_accounts": lambda v, _n, loc: loc._(
        "{accounts} customers bought before the invoice history begins; they are left out of "
        "the cohorts."
    ).format(accounts=loc.count(v["accounts"])),
    **_retention("retention"),
    **_retention("mrr"),
    "stress.probabilistic": lambda v, _n, loc: loc._(
        "If every customer may leave with its modelled churn risk, next year's revenue lands "
        "between {p5} and {p95} in nine cases out of ten (median {p50}, against {ttm} today)."
    ).format(
        p5=loc.money(v["revenue_p5"]),
        p95=loc.money(v["revenue_p95"]),
        p50=loc.money(v["revenue_p50"]),
        ttm=loc.money(v["ttm_revenue"]),
    ),
    "penetration.index": lambda v, _n, loc: loc._(
        "Inside the {accounts} key accounts with known units, the product has reached {index} "
        "of the plants and units (revenue-weighted)."
    ).format(accounts=loc.count(v["accounts"]), index=loc.percent(v["index"])),
    "penetration.land_and_expand": lambda v, _n, loc: loc._(
        "{share} of the key accounts moved beyond their first unit, a median {days} days after "
        "landing."
    ).format(
        share=loc.percent(v["expanded_share"], 0),
        days=loc.count(v["median_days_to_second"]),
    ),
    "penetration.stuck_at_one_unit": lambda v, _n, loc: loc._(
        "{accounts} key accounts are stuck at one unit a year or more after landing."
    ).format(accounts=loc.count(v["accounts"])),
    "penetration.upsell": lambda v, _n, loc: loc._(
        "Within the {units} units adopted two years ago or more, revenue changed {growth} over "
        "the year: {verdict}"
    ).format(
        units=loc.count(v["units"]),
        growth=loc.signed_percent(v["growth"]),
        verdict=loc._("up-sell is working.")
        if v["growth"] > 0
        else loc._("adopted units are not buying more."),
    ),
    "penetration.shallow_share": lambda v, name, loc: loc._(
        "In {name}, market share is high but key-account penetration is low: share bought with "
        "breadth, not depth."
    ).format(name=name),
    "penetration.deep_niche": lambda v, name, loc: loc._(
        "In {name}, penetration is deep although market share is small: the seed's strong "
        "position, worth building on."
    ).format(name=name),
    "wallet_share.latest": lambda v, _n, loc: loc._(
        "The company holds a median {median} of its customers' spend on the category "
        "({accounts} customers with a wallet estimate, {year})."
    ).format(
        median=loc.percent(v["median_share"]),
        accounts=loc.count(v["accounts"]),
        year=v["year"],
    ),
    "wallet_share.falling": lambda v, name, loc: loc._(
        "{accounts} customers' wallet share fell {threshold} points or more, the largest by "
        "{largest} points ({name})."
    ).format(
        accounts=loc.count(v["accounts"]),
        threshold=loc.number(100 * v["threshold"]),
        largest=loc.number(100 * v["largest_fall"], 1),
        name=name,
    ),
    "relationships.depth": lambda v, _n, loc: loc._(
        "An account is reached in {reached} of the {core} core departments on average."
    ).format(
        reached=loc.number(v["mean_departments_reached"], 1),
        core=loc.count(v["core_departments"]),
    ),
    "relationships.transactional_only": lambda v, _n, loc: loc._(
        "{accounts} accounts ({share} of revenue) are transactional only: we talk to their "
        "purchasing and finance, nobody else."
    ).format(accounts=loc.count(v["accounts"]), share=loc.percent(v["revenue_share"])),
    "relationships.no_active_relationship": lambda v, _n, loc: loc._(
        "{accounts} buying accounts ({share} of revenue) had no contact with us in the last "
        "six months."
    ).format(accounts=loc.count(v["accounts"]), share=loc.percent(v["revenue_share"])),
    "relationships.key_person_risk": lambda v, _n, loc: loc._(
        "{accounts} accounts ({share} of revenue) hang on one person: one of our people holds "
        "over {threshold} of the contact ({employee}), or there is a single active contact "
        "({single})."
    ).format(
        accounts=loc.count(v["accounts"]),
        share=loc.percent(v["revenue_share"]),
        threshold=loc.percent(v["threshold"], 0),
        employee=loc.count(v["employee_share"]),
        single=loc.count(v["single_contact"]),
    ),
    "relationships.interaction_trend": lambda v, _n, loc: loc._(
        "Customer contact changed {change} in the last {days} days against the {days} before "
        "({last} interactions against {previous})."
    ).format(
        change=loc.signed_percent(v["change"]),
        days=loc.count(v["days"]),
        last=loc.count(v["last"]),
        previous=loc.count(v["previous"]),
    ),
    "silent_traitors.found": lambda v, _n, loc: loc._(
        "{share} of satisfied customers are quietly buying less: {traitors} silent traitors, "
        "whose revenue fell from {before} to {after}."
    ).format(
        share=loc.percent(v["share"]),
        traitors=loc.count(v["traitors"]),
        before=loc.money(v["revenue_prior"]),
        after=loc.money(v["revenue"]),
    ),
    "silent_traitors.none_found": lambda v, _n, loc: loc._(
        "None of the {satisfied} satisfied customers is shrinking."
    ).format(satisfied=loc.count(v["satisfied_accounts"])),
    "silent_traitors.survey_coverage": lambda v, _n, loc: loc._(
        "Surveys cover {coverage} of the customers active last year ({surveyed})."
    ).format(coverage=loc.percent(v["coverage"], 0), surveyed=loc.count(v["surveyed"])),
    "churn_risk.backtest": lambda v, _n, loc: loc._(
        "Tested on the customers of a year ago, the churn model ranks risk with a ROC-AUC of "
        "{auc}, against {baseline} for recency alone."
    ).format(auc=loc.number(v["auc"], 2), baseline=loc.number(v["baseline_auc"], 2)),
    "churn_risk.too_little_history": lambda v, _n, loc: loc._(
        "The history is too short to test a churn model ({train} of {needed} training "
        "periods); only the rule-based warning signals are shown."
    ).format(train=loc.count(v["train_cutoffs"]), needed=loc.count(v["needed_cutoffs"])),
    "churn_risk.single_class": lambda v, _n, loc: loc._(
        "No customer churned in the test period, so the churn model cannot be tested; only the "
        "rule-based warning signals are shown."
    ),
    "churn_risk.high_risk": lambda v, _n, loc: loc._(
        "{accounts} customers ({share} of revenue) are more likely than not to leave or shrink "
        "sharply within a year."
    ).format(accounts=loc.count(v["accounts"]), share=loc.percent(v["revenue_share"])),
    "churn_risk.rule_signals": lambda v, _n, loc: loc._(
        "{accounts} customers ({share} of revenue) show at least one warning signal: falling "
        "revenue or orders, no recent order, dissatisfaction, a shrinking wallet share or no "
        "active contact."
    ).format(accounts=loc.count(v["accounts"]), share=loc.percent(v["revenue_share"])),
    "churn_risk.expected_loss": lambda v, _n, loc: loc._(
        "Weighted by each customer's churn risk, {loss} of revenue ({share}) is expected to be "
        "lost over the next year."
    ).format(
        loss=loc.money(v["expected_revenue_lost"]),
        share=loc.percent(v["expected_share_lost"]),
    ),
}


def sentence(
    analysis: str, finding: Mapping[str, Any], names: Mapping[str, str], loc: Locale
) -> Sentence:
    """The sentence of one finding (as in the audit JSON); unknown codes are stated plainly."""
    code = finding["code"]
    subjects = tuple(str(s) for s in finding.get("subjects", ()))
    name = loc.join([names.get(s, s) for s in subjects[:3]])
    phrase = PHRASES.get(code)
    values = finding.get("values", {})
    text = phrase(values, name, loc) if phrase else f"{code}: {dict(values)}"
    return Sentence(code, finding["severity"], analysis, loc.tidy(text), subjects)


def sentences(audit: Mapping[str, Any], loc: Locale) -> list[Sentence]:
    """Every finding of the audit as a sentence, in the order of the analyses."""
    names = account_names(audit)
    out: list[Sentence] = []
    for key, result in audit.items():
        if isinstance(result, Mapping) and "findings" in result:
            out.extend(sentence(key, f, names, loc) for f in result["findings"])
    return out


def account_names(audit: Mapping[str, Any]) -> dict[str, str]:
    """Account id → name, from any per-account table of the audit."""
    names: dict[str, str] = {}
    for result in audit.values():
        if not isinstance(result, Mapping):
            continue
        table = result.get("accounts")
        for row in table if isinstance(table, list) else ():
            if isinstance(row, Mapping) and row.get("name") and row.get("account_id"):
                names.setdefault(str(row["account_id"]), str(row["name"]))
    return names
