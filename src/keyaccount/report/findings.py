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
from keyaccount.report.words import COLUMN_LABELS, WORDS

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


def _industry_lights(v: Values, name: str, loc: Locale) -> str:
    """How many industries got each light, and what the green ones bring."""
    if not v["green"]:
        return loc._(
            "No industry scores green: {yellow} are yellow and {red} red, so no industry "
            "has earned a focus yet."
        ).format(yellow=loc.count(v["yellow"]), red=loc.count(v["red"]))
    return loc._(
        "{green} industries score green (key: {name}), {yellow} yellow and {red} red; the green "
        "ones bring {share} of revenue."
    ).format(
        green=loc.count(v["green"]),
        name=name,
        yellow=loc.count(v["yellow"]),
        red=loc.count(v["red"]),
        share=loc.percent(v["green_revenue_share"]),
    )


def _catch_all(v: Values, _name: str, loc: Locale) -> str:
    """A catch-all industry label, the evidence and the level-2 advice."""
    text = loc._(
        "'{label}' is a catch-all label: {customers} customers ({share}) are filed under it."
    ).format(label=v["label"], customers=loc.count(v["customers"]), share=loc.percent(v["share"]))
    if v.get("mixed") and v.get("top_line_agreement") is not None:
        text += " " + loc._(
            "Only {agreement} of them share its most common product line, so it groups "
            "unlike businesses and its figures describe none of them."
        ).format(agreement=loc.percent(v["top_line_agreement"], 0))
    if v.get("level2_values"):
        text += " " + loc._(
            "{level2} of them carry a level-2 industry ({values} values): analyse and "
            "target them at level 2."
        ).format(level2=loc.percent(v["level2_share"], 0), values=loc.count(v["level2_values"]))
    else:
        text += " " + loc._(
            "Record a level-2 industry for them before drawing conclusions from this label."
        )
    return text


QUADRANT_SENTENCES = {
    "lighthouse": N_(
        "Asset quality scores {assets} and relationship insight {insight} (high from {high}): "
        "a lighthouse company, with profitable, healthy customers it understands deeply."
    ),
    "anxious_provider": N_(
        "Asset quality scores {assets} and relationship insight {insight} (high from {high}): "
        "an anxious service provider, close to its customers but not earning from them."
    ),
    "growth_machine": N_(
        "Asset quality scores {assets} and relationship insight {insight} (high from {high}): "
        "a crude growth machine, buying revenue without knowing why customers come or go."
    ),
    "silent_cash_cow": N_(
        "Asset quality scores {assets} and relationship insight {insight} (high from {high}): "
        "a silent cash cow, with customers that pay well but relationships too cold to see "
        "them change."
    ),
}
"""The diagnosis quadrant as a sentence (``diagnosis.quadrant``)."""
STAGES = {
    0: N_("not yet replicable"),
    1: N_("stage 1, replicable"),
    2: N_("stage 2, compounding"),
    3: N_("stage 3, scaling"),
}
"""The roadmap stages of seed 000 (``pseudoscale.stage``)."""


def _score_phrase(what: str) -> Phrase:
    """``diagnosis.asset_quality`` / ``.relationship_insight``: the score and its weakest input."""

    def phrase(v: Values, _n: str, loc: Locale) -> str:
        return loc._(what).format(
            score=loc.number(v["score"], 0),
            scored=loc.count(v["scored"]),
            inputs=loc.count(v["inputs"]),
            weakest=loc.word(WORDS, v.get("weakest")),
            weakest_score=loc.number(v.get("weakest_score"), 0),
        )

    return phrase


def _diagnosis_quadrant(v: Values, _n: str, loc: Locale) -> str:
    sentence = QUADRANT_SENTENCES[str(v["quadrant"])]
    return loc._(sentence).format(
        assets=loc.number(v["asset_quality"], 0),
        insight=loc.number(v["relationship_insight"], 0),
        high=loc.number(v["high"], 0),
    )


def _diagnosis_focus(v: Values, name: str, loc: Locale) -> str:
    return loc._(
        "The {accounts} focus accounts ({names}) bring {share} of revenue and buy {depth} "
        "product lines each on average."
    ).format(
        accounts=loc.count(v["accounts"]),
        names=name,
        share=loc.percent(v.get("revenue_share")),
        depth=loc.number(v.get("use_case_depth"), 1),
    )


def _diagnosis_stage(v: Values, _n: str, loc: Locale) -> str:
    code = v.get("stage")
    stage = loc._(STAGES[int(code)]) if code in STAGES else str(code)
    if v.get("pseudo_scale"):
        return loc._(
            "On the roadmap the company is {stage}, and its volume is pseudo-scale."
        ).format(stage=stage)
    return loc._("On the roadmap the company is {stage}.").format(stage=stage)


# The pseudo-scale verdict, one sentence per verdict code.
VERDICT_SENTENCES = {
    "pseudo_scale": N_(
        "Pseudo-scale: {fired} of the {evaluated} signals tested fired ({signals}); the "
        "number of projects and customers overstates how much the market values the "
        "product."
    ),
    "not_pseudo_scale": N_(
        "Not pseudo-scale: {fired} of the {evaluated} signals tested fired ({signals}), "
        "fewer than the {min_signals} that would make the call."
    ),
    "undetermined": N_(
        "Pseudo-scale cannot be ruled out: {fired} of the {evaluated} signals tested "
        "fired ({signals}), and the missing data could add the rest."
    ),
}
VERDICT_FALLBACK = N_("Pseudo-scale verdict: {fired} signals fired ({signals}).")


PHRASES: dict[str, Phrase] = {
    "diagnosis.quadrant": _diagnosis_quadrant,
    "diagnosis.not_placed": lambda _v, _n, loc: loc._(
        "The company cannot be placed on the customer-strategy map: asset quality or "
        "relationship insight has no input with data."
    ),
    "diagnosis.asset_quality": _score_phrase(
        N_(
            "Customer asset quality scores {score} of 100 on {scored} of {inputs} inputs; the "
            "weakest is {weakest} ({weakest_score})."
        )
    ),
    "diagnosis.relationship_insight": _score_phrase(
        N_(
            "Relationship insight scores {score} of 100 on {scored} of {inputs} inputs; the "
            "weakest is {weakest} ({weakest_score})."
        )
    ),
    "diagnosis.actions": lambda v, _n, loc: loc._(
        "The findings call for {actions} actions, {urgent} of them urgent; the first: {first}."
    ).format(
        actions=loc.count(v["actions"]),
        urgent=loc.count(v["urgent"]),
        first=loc.word(WORDS, v["first"]),
    ),
    "diagnosis.focus": _diagnosis_focus,
    "diagnosis.stage": _diagnosis_stage,
    "industries.lights": _industry_lights,
    "industries.red_revenue": lambda v, name, loc: loc._(
        "{count} red industries ({name}) still bring {share} of revenue: check whether the "
        "effort there pays, and serve them rather than pursue them."
    ).format(count=loc.count(v["industries"]), name=name, share=loc.percent(v["revenue_share"])),
    "industries.catch_all": _catch_all,
    "industries.near_duplicate": lambda v, _n, loc: loc._(
        "'{label}' ({label_customers} customers) looks like another spelling of '{canonical}' "
        "({canonical_customers} customers); merge them into one label."
    ).format(
        label=v["label"],
        canonical=v["canonical"],
        label_customers=loc.count(v["label_customers"]),
        canonical_customers=loc.count(v["canonical_customers"]),
    ),
    "industries.unknown": lambda v, _n, loc: loc._(
        "{customers} customers ({share}) have no industry recorded; the traffic light leaves "
        "them out."
    ).format(customers=loc.count(v["customers"]), share=loc.percent(v["share"])),
    "industries.budget": lambda v, _n, loc: loc._(
        "Of the budget of {budget}, {green} goes to green industries, {yellow} to yellow ones "
        "and {red} to red ones."
    ).format(
        budget=loc.money(v["budget"]),
        green=loc.money(v["green"]),
        yellow=loc.money(v["yellow"]),
        red=loc.money(v["red"]),
    ),
    "industries.milestones": lambda v, _n, loc: loc._(
        "The target lists hold {targets} accounts in {industries} industries; {share} of them "
        "have been contacted so far."
    ).format(
        targets=loc.count(v["targets"]),
        industries=loc.count(v["industries"]),
        share=loc.percent(v["contacted_share"]),
    ),
    "industries.milestone_behind": lambda v, name, loc: loc._(
        "{count} green industries ({name}) have contacted less than {milestone} of their target "
        "list; {short} more contacts reach the first milestone."
    ).format(
        count=loc.count(v["industries"]),
        name=name,
        milestone=loc.percent(v["milestone"], 0),
        short=loc.count(v["short"]),
    ),
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
    "pseudoscale.no_projects": lambda v, _n, loc: loc._(
        "No invoice carries a project number, so projects cannot be counted: the signals "
        "'many projects' and 'small deals' and the stage are not evaluated."
    ),
    "pseudoscale.untagged_revenue": lambda v, _n, loc: loc._(
        "{share} of the last twelve months' revenue ({revenue}) carries no project number and "
        "is left out of the project figures."
    ).format(share=loc.percent(v["share"]), revenue=loc.money(v["revenue"])),
    "pseudoscale.projects": lambda v, _n, loc: loc._(
        "{projects} projects brought revenue in the last twelve months, {per_customer} per "
        "customer; the median project brought {median}, and {small} of them were small deals."
    ).format(
        projects=loc.count(v["projects"]),
        per_customer=loc.number(v["per_customer"], 1),
        median=loc.money(v["median_revenue"]),
        small=loc.percent(v["small_share"]),
    ),
    "pseudoscale.sample_only": lambda v, _n, loc: loc._(
        "{accounts} customers have only ever taken samples, POCs, pilots or free trials and never "
        "placed an order ({share} of all customers). Counting them, the company has {with_} "
        "customers; without them {without}: the customer count is inflated by {inflation}."
    ).format(
        accounts=loc.count(v["accounts"]),
        share=loc.percent(v["share"]),
        with_=loc.count(v["with_samples"]),
        without=loc.count(v["without_samples"]),
        inflation=loc.percent(v["inflation"]),
    ),
    "pseudoscale.poc_conversion": lambda v, _n, loc: loc._(
        "{converted} of {accounts} new customers who ran a POC went on to order ({rate}), after "
        "a median of {days} days; {pending} POCs of the last twelve months have not converted "
        "yet."
    ).format(
        converted=loc.count(v["converted"]),
        accounts=loc.count(v["accounts"]),
        rate=loc.percent(v["rate"]),
        days=loc.count(v["median_days"]),
        pending=loc.count(v["pending"]),
    ),
    "pseudoscale.verdict": lambda v, _n, loc: loc._(
        VERDICT_SENTENCES.get(str(v["verdict"]), VERDICT_FALLBACK)
    ).format(
        fired=loc.count(v["fired"]),
        evaluated=loc.count(v["evaluated"]),
        signals=loc.join([loc.word(WORDS, c) for c in str(v["signals"]).split(",") if c]) or "–",
        min_signals=loc.count(v["min_signals"]),
    ),
    "pseudoscale.stage": lambda v, _n, loc: (
        loc._(
            "The stage cannot be told: without project numbers the stability of the deal size "
            "is unknown."
        )
        if v["stage"] is None
        else loc._("Stage {stage} of 3 ({name}). Evidence met: {met}.").format(
            stage=loc.count(v["stage"]),
            name=loc.word(WORDS, f"stage_{v['stage']}"),
            met=loc.join([loc.word(WORDS, c) for c in str(v["met"]).split(",") if c]) or "–",
        )
    ),
    "tiering.tiers": lambda v, _n, loc: loc._(
        "Of {accounts} active customers, {strategic} score as strategic accounts, {core} as "
        "core and {developing} as developing; the strategic and core tiers make {share} of "
        "revenue."
    ).format(
        accounts=loc.count(v["accounts"]),
        strategic=loc.count(v["strategic"]),
        core=loc.count(v["core"]),
        developing=loc.count(v["developing"]),
        share=loc.percent(v["key_revenue_share"]),
    ),
    "tiering.not_scored": lambda v, _n, loc: loc._(
        "No data scores {dimensions}, for any customer; the scores are re-weighted over the "
        "other dimensions. A score_ column in the customer file can fill it."
    ).format(
        dimensions=loc.join(
            [loc.word(COLUMN_LABELS, d) for d in str(v["dimensions"]).split(",") if d]
        )
    ),
    "tiering.portfolio_shape": lambda v, _n, loc: loc._(
        "The portfolio departs from the recommended shape (one anchor near 20% of revenue, "
        "three to five core accounts at 5–10% each, a pool of growth accounts): largest "
        "account {largest} ({anchor}); {core} core accounts ({core_status}); {growth} growth "
        "accounts ({growth_status})."
    ).format(
        largest=loc.percent(v["largest_share"]),
        anchor=loc.word(WORDS, v["anchor_status"]),
        core=loc.count(v["core_accounts"]),
        core_status=loc.word(WORDS, v["core_status"]),
        growth=loc.count(v["growth_accounts"]),
        growth_status=loc.word(WORDS, v["growth_status"]),
    ),
    "tiering.over_dependence": lambda v, name, loc: loc._(
        "Over-dependence: {name} makes {share} of revenue, above the {threshold} a single "
        "customer should carry."
    ).format(
        name=name, share=loc.percent(v["largest_share"]), threshold=loc.percent(v["threshold"], 0)
    ),
    "tiering.key_person": lambda v, name, loc: loc._(
        "{accounts} key accounts hang on one person (one of our people holds the contact, or "
        "a single contact on their side), among them {name}."
    ).format(accounts=loc.count(v["accounts"]), name=name),
    "tiering.price_giveaway": lambda v, name, loc: loc._(
        "{accounts} key accounts buy at a gross margin more than {points} below the company's "
        "{margin} (the lowest {lowest}), among them {name}: price given away for size."
    ).format(
        accounts=loc.count(v["accounts"]),
        points=loc.points(v["points"], 0),
        margin=loc.percent(v["company_gross_margin"]),
        lowest=loc.percent(v["lowest_margin"]),
        name=name,
    ),
    "tiering.payment_giveaway": lambda v, name, loc: loc._(
        "{accounts} key accounts take more than {ratio} times the company's {days} days to pay "
        "(the longest {longest} days), among them {name}: payment terms given away."
    ).format(
        accounts=loc.count(v["accounts"]),
        ratio=loc.number(v["ratio"], 1),
        days=loc.number(v["company_days"], 0),
        longest=loc.number(v["longest_days"], 0),
        name=name,
    ),
    "tiering.tier_changes": lambda v, name, loc: (
        loc._(
            "On a year ago, {promoted} customers moved up a tier and {demoted} moved down; "
            "{dropped} strategic or core accounts slipped, among them {name}."
        )
        if v["dropped_key"]
        else loc._("On a year ago, {promoted} customers moved up a tier and {demoted} moved down.")
    ).format(
        promoted=loc.count(v["promoted"]),
        demoted=loc.count(v["demoted"]),
        dropped=loc.count(v["dropped_key"]),
        name=name,
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
