"""Which analyses exist and which input tables each needs.

An analysis runs when every table in ``needs`` has rows; ``enriched_by`` tables add parts of
it when present. ``keyaccount status`` and the audit use this to say, for each analysis,
whether it runs and which table would switch it on. Sections follow ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AnalysisSpec:
    """An analysis: its key, METRICS.md section, titles, and the tables it needs."""

    key: str
    section: int
    title_en: str
    title_zh: str
    needs: tuple[str, ...]
    enriched_by: tuple[str, ...] = ()
    module: str | None = None  # the module whose run(ctx) computes it, once it exists

    def missing(self, present: Iterable[str]) -> tuple[str, ...]:
        """Tables this analysis needs that are not ``present``."""
        have = set(present)
        return tuple(t for t in self.needs if t not in have)


BASE = ("customers", "invoices")

ANALYSES: tuple[AnalysisSpec, ...] = (
    AnalysisSpec(
        "concentration",
        1,
        "Portfolio structure and concentration",
        "客户结构与集中度",
        BASE,
        module="keyaccount.analyses.concentration",
    ),
    AnalysisSpec(
        "stress",
        2,
        "Stress tests",
        "压力测试",
        BASE,
        ("costs",),
        module="keyaccount.analyses.stress",
    ),
    AnalysisSpec(
        "profitability",
        3,
        "True profitability per customer",
        "客户真实盈利",
        BASE,
        ("costs",),
        module="keyaccount.analyses.profitability",
    ),
    AnalysisSpec(
        "acquisition",
        4,
        "Acquisition cost (CAC) and its trend",
        "获客成本及趋势",
        (*BASE, "costs"),
        module="keyaccount.analyses.acquisition",
    ),
    AnalysisSpec(
        "ltv",
        4,
        "Lifetime value",
        "客户终身价值",
        BASE,
        ("costs",),
        module="keyaccount.analyses.ltv",
    ),
    AnalysisSpec(
        "retention",
        5,
        "Retention and growth",
        "留存与增长",
        BASE,
        module="keyaccount.analyses.retention",
    ),
    AnalysisSpec(
        "cohorts",
        5,
        "Cohorts and repeat purchase",
        "客户群留存与复购",
        BASE,
        module="keyaccount.analyses.cohorts",
    ),
    AnalysisSpec(
        "mrr",
        5,
        "Recurring revenue (MRR / ARR)",
        "经常性收入",
        (*BASE, "subscriptions"),
        module="keyaccount.analyses.mrr",
    ),
    AnalysisSpec(
        "penetration",
        6,
        "Penetration inside key accounts",
        "大客户渗透率",
        (*BASE, "account_units"),
        ("industries",),
        module="keyaccount.analyses.penetration",
    ),
    AnalysisSpec(
        "wallet_share",
        6,
        "Wallet share",
        "钱包份额",
        (*BASE, "wallet"),
        module="keyaccount.analyses.wallet_share",
    ),
    AnalysisSpec(
        "relationships",
        7,
        "Relationship depth",
        "关系深度",
        (*BASE, "contacts", "interactions"),
        module="keyaccount.analyses.relationships",
    ),
    AnalysisSpec(
        "silent_traitors",
        7,
        "Silent traitors",
        "沉默的叛徒",
        (*BASE, "surveys"),
        ("wallet",),
        module="keyaccount.analyses.silent_traitors",
    ),
    AnalysisSpec(
        "churn_risk",
        7,
        "Churn-risk model",
        "流失风险模型",
        BASE,
        ("surveys", "contacts", "interactions", "wallet"),
        module="keyaccount.analyses.churn",
    ),
    AnalysisSpec(
        "pseudoscale",
        8,
        "Pseudo-scale and stage",
        "伪规模与阶段",
        BASE,
        module="keyaccount.analyses.pseudoscale",
    ),
    AnalysisSpec(
        "tiering",
        9,
        "Key-account scoring and tiering",
        "大客户评分与分层",
        BASE,
        ("costs", "surveys", "interactions", "industries", "contacts"),
        module="keyaccount.analyses.tiering",
    ),
    AnalysisSpec(
        "industries",
        10,
        "Industry focus (traffic light)",
        "行业聚焦（红绿灯）",
        (*BASE, "industries"),
        ("opportunities", "targets", "costs"),
        module="keyaccount.analyses.industries",
    ),
    AnalysisSpec(
        "diagnosis",
        11,
        "Company diagnosis",
        "公司诊断",
        BASE,
        ("costs", "account_units", "contacts", "interactions", "surveys"),
        module="keyaccount.analyses.diagnosis",
    ),
)


def implemented() -> tuple[AnalysisSpec, ...]:
    """The analyses that have a module (the others are planned and listed as such)."""
    return tuple(a for a in ANALYSES if a.module)


def spec(key: str) -> AnalysisSpec:
    """The analysis called ``key``."""
    for item in ANALYSES:
        if item.key == key:
            return item
    raise KeyError(key)
