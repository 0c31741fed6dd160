"""The truth: what was planted, with the figures recomputed from the generated data.

One module per phenomenon recomputes its figures with the ``METRICS.md`` definitions (the
defaults), and its ``detected`` keys list every customer meeting the definition, planted or
not.
"""

from __future__ import annotations

from typing import Any

from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import iso
from keyaccount.data.demo.truth.background import background_truth
from keyaccount.data.demo.truth.black_holes import truth_black_holes
from keyaccount.data.demo.truth.catch_all import catch_all_truth, product_patterns
from keyaccount.data.demo.truth.pre_sales import truth_pre_sales
from keyaccount.data.demo.truth.relationships import truth_relationships
from keyaccount.data.demo.truth.shrinkers import truth_shrinkers
from keyaccount.data.demo.truth.strategic import truth_strategic
from keyaccount.data.demo.truth.top_customer import truth_top_customer
from keyaccount.data.demo.truth.units import truth_units
from keyaccount.data.demo.vocabulary import COMMERCIAL

_DEFINITIONS = {
    "windows": "TTM = (as_of - 12 calendar months, as_of]; prior = the 12 months before; "
    "revenue = commercial invoice amounts, credit notes included",
    "shares": "over customers with positive TTM revenue; rolled up by parent_id",
    "true_margin": "METRICS §3 with defaults: pooled service_team/custom_rnd/support/retention/"
    "other and pooled rebates allocated by TTM revenue share, financing at 6%/year on paid - "
    "date days (else payment_days), per customer (not rolled up)",
    "silent_traitor": "latest survey up to as_of satisfied (CSAT >= 4 or NPS >= 9) and one of: "
    "TTM revenue <= -15% vs prior, commercial invoices with a positive amount <= -30%, a "
    "product line >= 10% of prior-TTM revenue with none in the TTM, wallet share (TTM revenue "
    "/ category spend of the as-of year vs prior TTM / spend of the year before) down >= 5 "
    "points",
    "relationships": "active contact = an interaction in (as_of - 180 days, as_of]; "
    "transactional only = active departments all in 采购部/财务部; key-person risk = one "
    "employee > 80% of the interactions in the TTM, or exactly one active contact",
    "wallet_years": "wallet year Y estimates the twelve months ending on the as-of day and "
    "month of year Y",
    "strategic_accounts": "the key accounts with units and the top group (its parent's id) "
    "carry 战略合作, 标杆客户 and 联合研发 (the group: its parent) and a listed or SOE "
    "ownership; METRICS §9 tiering should place them in the strategic or core tier",
    "detected": "keys named detected list every customer meeting the definition, planted or not",
}


def build_truth(co: Company, planted: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """What was planted, with the figures recomputed from the generated data."""
    cal, ledger, cust = co.cal, co.ledger, co.cust
    traitors, decoys = truth_shrinkers(co, planted["shrinkers"])
    return {
        "meta": {
            "seed": co.seed,
            "customers": cust.n,
            "start": iso(cal.start),
            "end": iso(cal.end),
            "as_of": iso(ledger.day[ledger.deal == COMMERCIAL].max()),
            "ttm": [iso(cal.ttm[0]), iso(cal.ttm[1])],
            "prior_ttm": [iso(cal.prior[0]), iso(cal.prior[1])],
            "currency": "CNY",
            "invoice_lines": len(ledger),
            "invoices": len(ledger.inv_day),
        },
        "files": files,
        "top_customer": truth_top_customer(co, planted["group"]),
        "black_holes": truth_black_holes(co, planted["black_holes"]),
        "silent_traitors": traitors,
        "traitor_decoys": decoys,
        **truth_pre_sales(co, planted["sample_only"], planted["poc_converted"]),
        "key_accounts_with_units": truth_units(co),
        "strategic_accounts": truth_strategic(co, planted["group"]),
        **truth_relationships(co, planted["relations"]),
        "catch_all_industry": {**catch_all_truth(cust), **product_patterns(cust, co.facts)},
        "background": background_truth(co),
        "definitions": _DEFINITIONS,
    }
