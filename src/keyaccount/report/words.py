"""The report's vocabulary: column labels and the words for codes found in the data.

Codes such as a stress scenario (``top1``), a profitability driver (``rebates``) or a customer
state (``churned``) are data, not text; the report shows them through these words, translated
like every other message (``loc.word(WORDS, code)``).
"""

from __future__ import annotations

from keyaccount.report.i18n import N_, Locale

COLUMN_LABELS = {
    "account_id": N_("Customer ID"),
    "scenario": N_("Scenario"),
    "name": N_("Customer"),
    "industry": N_("Industry"),
    "region": N_("Region"),
    "revenue": N_("Revenue"),
    "share": N_("Share"),
    "tenure_years": N_("Tenure (years)"),
    "accounts": N_("Customers"),
    "bucket": N_("Tenure"),
    "account_count": N_("Customers"),
    "revenue_lost": N_("Revenue lost"),
    "revenue_lost_share": N_("Share of revenue"),
    "gross_profit_lost": N_("Gross profit lost"),
    "contribution_lost": N_("Contribution lost"),
    "receivables_at_risk": N_("Receivables at risk"),
    "contribution_after": N_("Contribution after"),
    "runway_months": N_("Runway (months)"),
    "contribution": N_("Contribution"),
    "gross_margin": N_("Gross margin"),
    "true_margin": N_("True margin"),
    "main_driver": N_("Main cause"),
    "cogs": N_("Cost of goods"),
    "gross_profit": N_("Gross profit"),
    "rebates": N_("Rebates"),
    "cost_to_serve": N_("Cost to serve"),
    "financing_cost": N_("Financing cost"),
    "estimated": N_("Cost estimated"),
    "abcd": N_("Class"),
    "year": N_("Year"),
    "new_accounts": N_("New customers"),
    "tagged_spend": N_("Tagged acquisition cost"),
    "untagged_spend": N_("Sales & marketing spend"),
    "blended_cac": N_("Blended CAC"),
    "all_in_cac": N_("All-in CAC"),
    "yoy_growth": N_("Change on prior year"),
    "complete": N_("Full year"),
    "segment": N_("Segment"),
    "mean_ltv": N_("Mean LTV"),
    "cac": N_("CAC"),
    "ltv_to_cac": N_("LTV / CAC"),
    "healthy": N_("Healthy"),
    "yearly_contribution": N_("Yearly contribution"),
    "ltv": N_("LTV"),
    "payback_months": N_("Payback (months)"),
    "period1": N_("Period"),
    "start": N_("Start"),
    "new": N_("New"),
    "reactivated": N_("Reactivated"),
    "expansion": N_("Expansion"),
    "contraction": N_("Contraction"),
    "churn": N_("Churn"),
    "end": N_("End"),
    "nrr": N_("NRR"),
    "grr": N_("GRR"),
    "state": N_("State"),
    "revenue_prior": N_("Prior 12 months"),
    "revenue_ttm": N_("Last 12 months"),
    "change": N_("Change"),
    "cohort": N_("Cohort"),
    "years_since": N_("Years since"),
    "active": N_("Still buying"),
    "logo_retention": N_("Customer retention"),
    "revenue_retention": N_("Revenue retention"),
    "mrr_prior": N_("MRR a year ago"),
    "mrr": N_("MRR"),
}
WORDS = {
    # stress scenarios
    "top1": N_("Largest customer leaves"),
    "top_k": N_("Top customers leave"),
    "top_industry": N_("Largest industry stops buying"),
    "top_region": N_("Largest region is lost"),
    # profitability drivers
    "gross_margin": N_("Low gross margin"),
    "rebates": N_("Heavy rebates"),
    "cost_to_serve": N_("High cost to serve"),
    "financing_cost": N_("Slow payment"),
    # customer states
    "retained": N_("Retained"),
    "expanded": N_("Expanded"),
    "contracted": N_("Contracted"),
    "churned": N_("Churned"),
    "new": N_("New"),
    "reactivated": N_("Reactivated"),
    "flat": N_("Flat"),
    "inactive": N_("Inactive"),
    # markers the analyses put in place of a missing or pooled label
    "(unknown)": N_("(unknown)"),
    "(all)": N_("(all customers)"),
    # tenure buckets
    "<1y": N_("under 1 year"),
    "1-3y": N_("1–3 years"),
    "3-5y": N_("3–5 years"),
    ">=5y": N_("5 years or more"),
    # tenure shapes
    "inverted_pyramid": N_("inverted pyramid"),
    "spindle": N_("spindle"),
    "balanced": N_("balanced"),
    # customer departments (contacts.department)
    "procurement": N_("procurement"),
    "finance": N_("finance"),
    "rd": N_("R&D"),
    "production": N_("production"),
    "it": N_("IT"),
    "executive": N_("management"),
    # key-person risk reasons
    "employee_share": N_("one of our people holds the contact"),
    "single_contact": N_("a single active contact"),
    # silent-traitor signals
    "revenue": N_("revenue down"),
    "orders": N_("orders down"),
    "product_line": N_("a product line dropped"),
    "wallet": N_("wallet share down"),
    # market share vs penetration quadrants
    "stronghold": N_("stronghold"),
    "deep_niche": N_("deep niche"),
    "shallow_share": N_("shallow share"),
    "outpost": N_("outpost"),
    # churn model status
    "ok": N_("tested"),
    "too_little_history": N_("too little history"),
    "single_class": N_("no churn to learn from"),
}
FEATURES = {
    "recency_days": N_("Days since the last order"),
    "orders_ttm": N_("Orders, last 12 months"),
    "orders_trend": N_("Order trend"),
    "revenue_level": N_("Revenue size"),
    "revenue_trend_6m": N_("Revenue trend, 6 months"),
    "revenue_trend_ttm": N_("Revenue trend, 12 months"),
    "tenure_years": N_("Tenure"),
    "product_lines": N_("Product lines bought"),
    "wallet_share_trend": N_("Wallet-share trend"),
    "satisfaction": N_("Satisfaction"),
    "active_departments": N_("Departments in contact"),
    "payment_days_trend": N_("Payment-days trend"),
}
"""The churn model's features (``churn_risk.features``) as words."""


def feature_name(code: object, loc: Locale) -> str:
    """A churn factor in words; ``<feature>_missing`` reads '<feature> unknown'."""
    key = str(code)
    if key.endswith("_missing"):
        return loc._("{feature} unknown").format(feature=feature_name(key[: -len("_missing")], loc))
    return loc.word(FEATURES, key)
