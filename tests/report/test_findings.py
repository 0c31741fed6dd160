"""Findings become sentences with their numbers, in both languages; every code has one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from keyaccount.report.findings import PHRASES, account_names, sentence, sentences
from keyaccount.report.i18n import Locale

ANALYSES_DIR = Path(__file__).parents[2] / "src" / "keyaccount" / "analyses"


def top1(share: float = 0.331) -> dict[str, Any]:
    return {
        "code": "concentration.top1_over_threshold",
        "severity": "alert",
        "values": {"share": share, "threshold": 0.3},
        "subjects": ["C1"],
    }


def test_top_customer_sentence_in_both_languages() -> None:
    names = {"C1": "华东重工"}
    zh = sentence("concentration", top1(), names, Locale("zh"))
    en = sentence("concentration", top1(), names, Locale("en"))
    assert zh.text == "最大客户华东重工贡献了 33.1% 的收入，超过 30% 的警戒线。"
    assert en.text == (
        "The largest customer, 华东重工, brings 33.1% of revenue, above the 30% alert line."
    )
    assert (zh.severity, zh.analysis, zh.subjects) == ("alert", "concentration", ("C1",))


def test_black_holes_state_the_loss_as_a_positive_amount() -> None:
    finding = {
        "code": "profitability.black_holes",
        "severity": "alert",
        "values": {
            "count": 3,
            "revenue_share": 0.09,
            "contribution": -7194336.5,
            "company_true_margin": 0.24,
        },
        "subjects": [],
    }
    zh = sentence("profitability", finding, {}, Locale("zh")).text
    assert zh == "3 家客户是“价值黑洞”：贡献了 9.0% 的收入，却亏掉了 719.4 万元的边际贡献。"


def test_stress_sentence_adds_runway_only_when_the_company_turns_to_a_loss() -> None:
    values = {
        "accounts": 1,
        "revenue_lost": 1.5e8,
        "revenue_lost_share": 0.33,
        "contribution_lost": 3.7e7,
        "receivables_at_risk": 3.6e7,
        "runway_months": 7.5,
        "turns_to_loss": True,
    }
    finding = {"code": "stress.top1", "severity": "alert", "values": values, "subjects": ["C1"]}
    en = sentence("stress", finding, {"C1": "Acme"}, Locale("en")).text
    assert en.startswith("If the largest customer, Acme, left: 150.0 m of revenue (33.0%)")
    assert en.endswith("The company would then run at a loss; its cash lasts 7.5 months.")
    finding["values"] = {**values, "turns_to_loss": False}
    assert "loss;" not in sentence("stress", finding, {"C1": "Acme"}, Locale("en")).text


def emitted_codes() -> set[str]:
    """Every finding code the analyses can emit, read from their source."""
    codes: set[str] = set()
    for path in ANALYSES_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'Finding\(\s*"([a-z_]+\.[a-z_0-9]+)"', text))
        for suffix in re.findall(r'Finding\(\s*f"\{prefix\}\.([a-z_]+)"', text):
            codes |= {f"retention.{suffix}", f"mrr.{suffix}"}
    stress = (ANALYSES_DIR / "stress.py").read_text(encoding="utf-8")
    names = set(re.findall(r'ctx\.window, "([a-z_0-9]+)"\)', stress))
    names |= {
        f"top_{c}"
        for c in re.findall(r"for column in \(([^)]*)\)", stress)[0]
        .replace('"', "")
        .replace(" ", "")
        .split(",")
        if c
    }
    codes |= {f"stress.{name}" for name in names}
    return codes


def test_every_code_the_analyses_emit_has_a_sentence() -> None:
    codes = emitted_codes()
    assert {"stress.top1", "stress.top_k", "stress.top_industry", "stress.top_region"} <= codes
    assert len(codes) > 20
    assert codes <= set(PHRASES), sorted(codes - set(PHRASES))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_findings_are_all_written_out(demo_audit: dict[str, Any], lang: str) -> None:
    written = sentences(demo_audit, Locale(lang))  # type: ignore[arg-type]
    count = sum(
        len(v["findings"]) for v in demo_audit.values() if isinstance(v, dict) and "findings" in v
    )
    assert len(written) == count
    for item in written:
        assert item.code in PHRASES
        assert "{" not in item.text and "None" not in item.text, item.text
    names = account_names(demo_audit)
    top = next(s for s in written if s.code == "concentration.top1_over_threshold")
    assert names[demo_audit["concentration"]["top1_account"]] in top.text
