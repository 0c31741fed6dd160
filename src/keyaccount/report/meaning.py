"""The "what this means" of each section: sentences that read the figures as an analyst would.

Each function takes the audit (JSON-ready) and a locale and returns paragraphs. The words
depend on the numbers (a balanced base reads differently from an inverted pyramid), but
every number comes from the audit; the English text is the gettext id, Chinese in the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from keyaccount.report.i18n import N_, Locale
from keyaccount.report.words import COLUMN_LABELS, WORDS

Audit = Mapping[str, Any]


def concentration(audit: Audit, loc: Locale) -> list[str]:
    """How exposed the revenue is to a few customers, and the tenure shape."""
    c = audit["concentration"]
    out = [
        loc._(
            "{pareto} customers, {pareto_share} of the {active} who bought this year, make 80% "
            "of revenue. The revenue is as exposed as if it came from {effective} customers of "
            "equal size: each of the largest is felt at once when it cuts an order."
        ).format(
            pareto=loc.count(c["pareto_count"]),
            pareto_share=loc.percent(c["pareto_share_of_accounts"]),
            active=loc.count(c["active_accounts"]),
            effective=loc.number(c["effective_customers"], 1),
        )
    ]
    shapes = {
        "inverted_pyramid": loc._(
            "The tenure profile is an inverted pyramid: most customers are new and the "
            "long-standing ones hold little revenue, so the base has yet to prove it keeps "
            "customers."
        ),
        "spindle": loc._(
            "The tenure profile is a spindle: revenue sits with customers of one to five "
            "years, relationships in their prime; the task is to deepen them before they age."
        ),
        "balanced": loc._(
            "The tenure profile is balanced: long-standing customers still buy and new ones "
            "keep arriving."
        ),
    }
    if c.get("tenure_shape") in shapes:
        out.append(shapes[c["tenure_shape"]])
    return out


def stress(audit: Audit, loc: Locale) -> list[str]:
    """The worst scenario, and what would make runway measurable."""
    s = audit["stress"]
    scenarios = [x for x in s.get("scenarios") or () if x.get("revenue_lost_share") is not None]
    out = [
        loc._(
            "A stress test removes the largest risks one at a time and asks what is left. Every "
            "lost customer takes its contribution with it, while the costs shared across "
            "customers stay."
        )
    ]
    if scenarios:
        worst = max(scenarios, key=lambda x: x["revenue_lost_share"])
        out.append(
            loc._(
                "The hardest blow is the scenario '{scenario}': {share} of revenue and {loss} "
                "of contribution."
            ).format(
                scenario=loc.word(WORDS, worst["name"]),
                share=loc.percent(worst["revenue_lost_share"]),
                loss=loc.money(worst["contribution_lost"]),
            )
        )
    mc = s.get("probabilistic")
    if mc:
        out.append(
            loc._(
                "The Monte-Carlo scenario lets every customer leave with the churn risk the "
                "model gives it, {draws} times over: in the worst twentieth of those futures "
                "revenue falls to {p5} and contribution to {c5}."
            ).format(
                draws=loc.count(mc["draws"]),
                p5=loc.money(mc["revenue_p5"]),
                c5=loc.money(mc["contribution_p5"]),
            )
        )
    if s.get("baseline", {}).get("cash") is None:
        out.append(
            loc._(
                "Give the company's monthly fixed costs and cash in keyaccount.toml ([company]) "
                "to see whether each scenario turns the company to a loss and how long its cash "
                "would last."
            )
        )
    return out


def profitability(audit: Audit, loc: Locale) -> list[str]:
    """Revenue is not profit: black holes, the whale curve, the ABCD basis."""
    p = audit["profitability"]
    out = [
        loc._(
            "Revenue ranks customers by size; contribution ranks them by what they leave after "
            "every cost they cause: the goods, rebates, the people and trips that serve them, "
            "and the money tied up while they pay."
        )
    ]
    peak = p.get("whale_peak_share")
    if peak is not None and peak > 1:
        out.append(
            loc._(
                "The whale curve rises to {peak} of total contribution before it falls: the "
                "least profitable customers give back {destroyed}. Reprice them or change how "
                "they are served before deciding to let them go."
            ).format(peak=loc.percent(peak), destroyed=loc.money(abs(p["value_destroyed"])))
        )
    if p.get("potential_basis") == "revenue_growth":
        out.append(
            loc._(
                "The ABCD classes measure potential by revenue growth, because the key-account "
                "scores of section 9 could not be computed."
            )
        )
    elif p.get("potential_basis") == "growth_potential":
        out.append(
            loc._(
                "Potential in the ABCD classes is the growth-potential score of section 9: the "
                "customer's own growth and, where known, its industry's."
            )
        )
    return out


def acquisition(audit: Audit, loc: Locale) -> list[str]:
    """Whether each new customer costs more than the last."""
    a = audit["acquisition"]
    cagr = a.get("cac_cagr")
    if cagr is None:
        return []
    text = (
        loc._(
            "Each new customer costs more than the last: acquisition cost grew {cagr} a year. "
            "Unless lifetime value grows as fast, growth is getting dearer."
        )
        if cagr > 0
        else loc._("Acquisition cost fell {cagr} a year: new customers are getting cheaper to win.")
    )
    return [text.format(cagr=loc.percent(abs(cagr)))]


def ltv(audit: Audit, loc: Locale) -> list[str]:
    """How lifetime value is computed here, and whether it pays for acquisition."""
    v = audit["ltv"]
    out = [
        loc._(
            "Lifetime value is the contribution a customer is expected to leave over {years} "
            "years, year by year weighted by the chance it is still buying (Kaplan-Meier "
            "survival of customers like it) and discounted at {rate}."
        ).format(years=loc.count(v["horizon_years"]), rate=loc.percent(v["discount_rate"], 0))
    ]
    ratio = v.get("company_ltv_to_cac")
    if ratio is not None:
        healthy = v["healthy_ltv_to_cac"]
        out.append(
            (
                loc._("At {ratio}, customers repay what they cost to win with room to spare.")
                if ratio >= healthy
                else loc._(
                    "At {ratio}, customers barely repay what they cost to win; the usual bar "
                    "is {healthy}."
                )
            ).format(ratio=loc.ratio(ratio), healthy=loc.ratio(healthy, 0))
        )
    return out


def retention(audit: Audit, loc: Locale) -> list[str]:
    """Whether the existing customers alone grow the business."""
    r = audit["retention"]
    nrr = r.get("nrr")
    if nrr is None:
        return []
    text = (
        loc._(
            "With NRR at {nrr}, last year's customers alone grow revenue: expansion outweighs "
            "what churn and shrinking customers take away, before any new customer is won."
        )
        if nrr >= 1
        else loc._(
            "With NRR at {nrr}, last year's customers buy less than they did: new customers "
            "must first fill that hole before the company grows."
        )
    )
    return [
        text.format(nrr=loc.percent(nrr)),
        loc._(
            "GRR ({grr}) counts only what was kept of last year's revenue; the gap to 100% is "
            "revenue lost to churn and to customers who cut back."
        ).format(grr=loc.percent(r.get("grr"))),
    ]


def cohorts(audit: Audit, loc: Locale) -> list[str]:
    """How to read the cohort matrices."""
    return [
        loc._(
            "Each row follows the customers won in one year: the share of them still buying, "
            "and their revenue against their first year. Rows that fade fast point to "
            "customers won on price or on a one-off project."
        )
    ]


def mrr(audit: Audit, loc: Locale) -> list[str]:
    """Subscription revenue in a sentence."""
    m = audit["mrr"]
    return [
        loc._(
            "Subscriptions bring {mrr} a month ({arr} a year). Their retention is measured on "
            "the monthly recurring revenue a year apart."
        ).format(mrr=loc.money(m.get("mrr")), arr=loc.money(m.get("arr")))
    ]


def penetration(audit: Audit, loc: Locale) -> list[str]:
    """Depth inside the key accounts, and where the whitespace is."""
    p = audit["penetration"]
    out = [
        loc._(
            "Market share can be bought with samples and small projects; penetration inside a "
            "large account cannot. Of the {total} plants and units of the key accounts, {adopted} "
            "use the product. The other {white} are the whitespace in the matrix below: the "
            "cheapest growth there is, because these customers already trust the product."
        ).format(
            total=loc.count(p["total_units"]),
            adopted=loc.count(p["adopted_units"]),
            white=loc.count(p["total_units"] - p["adopted_units"]),
        )
    ]
    if p.get("index_basis") == "accounts_with_units":
        out.append(
            loc._(
                "The index covers every account with known units, because no strategic or core "
                "account of section 9 has units on record."
            )
        )
    elif p.get("index_basis") == "strategic_and_core":
        out.append(
            loc._(
                "The index covers the strategic and core accounts of section 9 that have units "
                "on record ({accounts} of them)."
            ).format(accounts=loc.count(p.get("index_accounts")))
        )
    return out


def tiering(audit: Audit, loc: Locale) -> list[str]:
    """What the score weighs, and what not scored means."""
    t = audit["tiering"]
    out = [
        loc._(
            "A key account is not simply a large one. Each customer is scored 0–100 on ten "
            "dimensions (revenue and profit, growth potential, strategic partnership, industry "
            "influence, stability, authority, complexity, co-innovation, feedback and channel) "
            "and the weighted score sets its tier. Serve the strategic tier through senior "
            "management, the core tier through a dedicated team, and develop the next tier "
            "on purpose."
        )
    ]
    missing = t.get("dimensions_not_scored") or []
    if missing:
        out.append(
            loc._(
                "Dimensions with no data ({dimensions}) are not scored rather than counted as "
                "zero; each customer's score is weighted over the dimensions it has."
            ).format(dimensions=loc.join([loc.word(COLUMN_LABELS, d) for d in missing]))
        )
    return out


def wallet_share(audit: Audit, loc: Locale) -> list[str]:
    """What the rest of the customers' spend means."""
    w = audit["wallet_share"]
    return [
        loc._(
            "Wallet share is the part of a customer's spend on the category that comes to us. "
            "Half the customers give us less than {median}; the rest of their spend goes to "
            "competitors, and is room to grow without winning a single new customer."
        ).format(median=loc.percent(w["median_share"], 0))
    ]


def relationships(audit: Audit, loc: Locale) -> list[str]:
    """Why breadth of contact protects an account."""
    return [
        loc._(
            "A relationship that runs only through purchasing is a price relationship: the next "
            "tender can end it. An account reached in R&D, production and management is harder "
            "to lose, because the product has become part of how it works, and losing one "
            "salesperson does not lose the account."
        )
    ]


def silent_traitors(audit: Audit, loc: Locale) -> list[str]:
    """Words against deeds, and the decoys left out."""
    t = audit["silent_traitors"]
    out = [
        loc._(
            "A survey records how customers feel; invoices record what they do. A silent "
            "traitor says it is satisfied while buying less: they do not complain, they simply "
            "move their orders. Each is listed with the signal that gave it away; they are the "
            "first calls to make."
        )
    ]
    if t.get("satisfied_accounts"):
        out.append(
            loc._(
                "Not caught, on purpose: {stable} satisfied customers whose buying is stable, "
                "and {unhappy} unsatisfied customers who are shrinking: they are not silent, "
                "they have told us."
            ).format(
                stable=loc.count(t["satisfied_stable"]),
                unhappy=loc.count(t["unsatisfied_shrinking"]),
            )
        )
    return out


def churn_risk(audit: Audit, loc: Locale) -> list[str]:
    """How the model was tested, and how far to trust it."""
    c = audit["churn_risk"]
    if c.get("model_status") != "ok":
        return [
            loc._(
                "A churn model is only shown when it can be tested on history it has not seen. "
                "This data is too short or too uniform for that, so the list ranks nothing and "
                "shows the rule-based warning signals only."
            )
        ]
    return [
        loc._(
            "The model learnt from how customers behaved before earlier dates and was tested on "
            "the latest year it can check: never on a random split, which would let it peek at "
            "the future. A ROC-AUC of {auc} means that, of a customer who left and one who "
            "stayed, it ranks the leaver riskier {auc_share} of the time; recency alone manages "
            "{baseline}."
        ).format(
            auc=loc.number(c["backtest_auc"], 2),
            auc_share=loc.percent(c["backtest_auc"], 0),
            baseline=loc.percent(c["baseline_auc"], 0),
        ),
        loc._(
            "A risk is a probability, not a verdict: the calibration table shows how often "
            "customers in each band did leave or shrink. Each customer's main factors say what "
            "to look at first."
        ),
    ]


def pseudoscale(audit: Audit, loc: Locale) -> list[str]:
    """Whether the project and customer counts mean market acceptance, and the stage."""
    p = audit["pseudoscale"]
    out = [
        loc._(
            "Many projects with little revenue each are a warning sign in B2B, not a strength: "
            "customers do not value the product enough to buy again or buy more, so each "
            "project stays small and the team is spread across customisations. Early market "
            "share can be bought with samples; what counts is how deep the product goes inside "
            "the key accounts."
        )
    ]
    inflation = p.get("customer_inflation")
    if inflation:
        out.append(
            loc._(
                "Counted with the customers who only ever took samples or trials, the customer "
                "base looks {inflation} larger than it is: quote {without} customers, not "
                "{with_}."
            ).format(
                inflation=loc.percent(inflation),
                without=loc.count(p.get("customers_without_samples_all")),
                with_=loc.count(p.get("customers_with_samples_all")),
            )
        )
    stage = p.get("stage")
    advice = {
        0: N_(
            "Not yet replicable: first make the deal size stable and stop counting samples as "
            "customers; until then a larger customer count says little about the market."
        ),
        1: N_(
            "Replicable: deal sizes are stable and not propped up by samples, so each new "
            "customer now means real acceptance. Next, grow repeat purchase inside the key "
            "accounts."
        ),
        2: N_(
            "Compounding: existing customers buy more often and new ones arrive by referral or "
            "through partners, the cheapest growth there is. Protect retention while adding "
            "delivery capacity."
        ),
        3: N_(
            "Scaling: the customer count grows fast with stable deal sizes and healthy "
            "retention; here more customers really do mean a stronger company, and delivery "
            "capacity and standardisation set the pace."
        ),
    }
    if stage in advice:
        out.append(loc._(advice[stage]))
    return out


def industries(audit: Audit, loc: Locale) -> list[str]:
    """What the lights are for, and the taxonomy to fix before trusting them."""
    d = audit["industries"]
    out = [
        loc._(
            "The traffic light weighs the market (investment activity, size and growth, how "
            "concentrated it is), our own results there (win rate, deal size, CAC, retention) "
            "and our fit; each criterion scores 0 to 10 and a criterion without data is left "
            "out rather than counted as zero. Green industries are where people, reference "
            "cases and marketing go; red ones are served, not pursued."
        )
    ]
    labels = d.get("catch_all_labels") or []
    if labels:
        out.append(
            loc._(
                "Fix the taxonomy before acting on the lights: a catch-all label such as "
                "{label} mixes several businesses, so its score describes none of them. Split "
                "it at level 2 and merge labels spelled twice, then score again."
            ).format(label=loc.join([f"“{x}”" if loc.lang == "zh" else f"'{x}'" for x in labels]))
        )
    else:
        out.append(
            loc._(
                "The industry labels look usable: no label holds an outsized share of "
                "customers who buy unlike each other."
            )
        )
    if d.get("budget") is None:
        out.append(
            loc._(
                "No budget was given: the split shows each industry's share of any budget "
                "(run with --budget to see amounts)."
            )
        )
    return out


DIAGNOSIS_QUADRANTS = {
    "lighthouse": N_(
        "A lighthouse: customers are profitable and loyal, and the company understands how "
        "their needs are changing. The challenge is to make this systematic rather than rely on "
        "a few people's intuition."
    ),
    "anxious_provider": N_(
        "An anxious service provider: the company knows its customers well, even indulges "
        "them, but the customer base is lopsided or unprofitable and the customers set the "
        "terms. Understanding has to become pricing power, which takes the courage to choose "
        "customers."
    ),
    "growth_machine": N_(
        "A crude growth machine: volume is bought at a high acquisition cost, customers leave, "
        "and nobody knows why they come or go. This is a question of survival: stop expanding "
        "blindly and dig deeper."
    ),
    "silent_cash_cow": N_(
        "A silent cash cow: a base of stable, paying customers built over the years, but "
        "relationships are distant and the company hardly sees how its customers are changing. "
        "The risk is being disrupted: customers may leave together for a rival who understands "
        "them better."
    ),
}


def diagnosis(audit: Audit, loc: Locale) -> list[str]:
    """The quadrant and the seed's actions, how the scores are built, the investor view."""
    d = audit["diagnosis"]
    out = []
    if d.get("quadrant") in DIAGNOSIS_QUADRANTS:
        paragraph = DIAGNOSIS_QUADRANTS[d["quadrant"]]
        out.append(loc._(paragraph))
        actions = [loc.word(WORDS, a) for a in d.get("quadrant_actions") or ()]
        if loc.lang == "en":  # mid-sentence: "… quadrant: invest now in …, build …"
            actions = [a[:1].lower() + a[1:] for a in actions]
        if actions:
            out.append(
                loc._("What the seed advises in this quadrant: {actions}.").format(
                    actions=loc.join(actions)
                )
            )
    out.append(
        loc._(
            "Each score averages its inputs on a 0–100 scale anchored on the seed's thresholds "
            "(the largest customer at 30% of revenue, LTV/CAC at 3, NRR at 100% and the elite "
            "120%); an input without data is left out and the other weights are scaled up. The "
            "checklist turns every warning of this audit into an action naming the customers "
            "or industries concerned."
        )
    )
    focus = d.get("focus_accounts") or []
    if focus:
        out.append(
            loc._(
                "For investors: the focus is on {accounts} accounts ({lighthouses} of them "
                "lighthouse customers) that bring {share} of revenue. Value is shown by "
                "key-account penetration of {index} ({growth} over the year), net revenue "
                "retention of {nrr} and {depth} product lines per focus account, rather than by "
                "the number of customers or projects."
            ).format(
                accounts=loc.count(len(focus)),
                lighthouses=loc.count(sum(1 for a in focus if a.get("lighthouse"))),
                share=loc.percent(d.get("focus_revenue_share")),
                index=loc.percent(d.get("penetration_index")),
                growth=loc.points(d.get("penetration_growth")),
                nrr=loc.percent(d.get("nrr")),
                depth=loc.number(d.get("use_case_depth"), 1),
            )
        )
    return out


MEANINGS: dict[str, Callable[[Audit, Locale], list[str]]] = {
    "diagnosis": diagnosis,
    "pseudoscale": pseudoscale,
    "penetration": penetration,
    "tiering": tiering,
    "wallet_share": wallet_share,
    "relationships": relationships,
    "silent_traitors": silent_traitors,
    "churn_risk": churn_risk,
    "industries": industries,
    "concentration": concentration,
    "stress": stress,
    "profitability": profitability,
    "acquisition": acquisition,
    "ltv": ltv,
    "retention": retention,
    "cohorts": cohorts,
    "mrr": mrr,
}
