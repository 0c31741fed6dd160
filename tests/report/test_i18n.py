"""Locale formats (known answers) and the catalogs: complete, not stale, placeholders intact."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from babel.messages.pofile import read_po

from keyaccount.report.i18n import BABEL_LOCALE, CATALOG_DIR, LANGS, Locale
from keyaccount.report.i18n.catalog import extract


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (462001024.2, "4.62 亿元"),
        (16170035.87, "1,617 万元"),
        (3627236.32, "362.7 万元"),
        (75277.93, "7.53 万元"),
        (4600.0, "4,600 元"),
        (-7194336.5, "-719.4 万元"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_chinese_money_in_wan_and_yi(value: float | None, text: str) -> None:
    assert Locale("zh").money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(462001024.2, "462.0 m"), (75277.93, "75.3 k"), (2.5e9, "2.5 bn"), (999.4, "999")],
)
def test_english_money_in_k_m_bn(value: float, text: str) -> None:
    assert Locale("en").money(value) == text


def test_cn_units_off_writes_full_amounts() -> None:
    assert Locale("zh", cn_units=False).money(462001024.2) == "462,001,024 元"
    assert Locale("zh", currency="USD").money(1.5e8) == "1.50 亿 USD"


def test_percent_ratio_count_amount_and_dates() -> None:
    zh, en = Locale("zh"), Locale("en")
    assert zh.percent(0.33000000033) == "33.0%"
    assert en.percent(1.0592177889, 0) == "106%"
    assert en.ratio(9.924536) == "9.9×"
    assert en.count(1234567) == "1,234,567"
    assert zh.amount(1234.5) == "1,234.50"
    assert zh.date("2026-09-30") == "2026年9月30日"
    assert en.date(date(2026, 9, 30)) == "30 Sep 2026"
    assert zh.months(8.26) == "8.3 个月"
    assert en.months(8.26) == "8.3 months"
    assert zh.join(["甲", "乙"]) == "甲、乙"
    assert en.join(["A", "B"]) == "A, B"


def test_money_ticks_drop_trailing_zeros() -> None:
    zh, en = Locale("zh"), Locale("en")
    ticks = [1e4, 1e5, 1e8, 2.5e8, 1.05e8, 12345, 5e3, 0]
    assert [zh.money_tick(t) for t in ticks] == [
        "1 万元", "10 万元", "1 亿元", "2.5 亿元", "1.05 亿元", "1.23 万元", "5,000 元", "0 元",
    ]  # fmt: skip
    assert [en.money_tick(t) for t in (1e6, 1.5e6, 2.5e5, 100)] == ["1 m", "1.5 m", "250 k", "100"]


def test_tidy_closes_gaps_in_chinese_only() -> None:
    zh, en = Locale("zh"), Locale("en")
    assert zh.tidy("亏掉了 719.4 万元 的贡献。 其中 69% 已填写： 4 个") == (
        "亏掉了 719.4 万元的贡献。其中 69% 已填写：4 个"
    )
    assert en.tidy("Lost 1.2m. Of them 69% are filed.") == "Lost 1.2m. Of them 69% are filed."


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report language 'fr'"):
        Locale("fr")  # type: ignore[arg-type]


def catalog(lang: str, domain: str) -> dict[str, str]:
    path = CATALOG_DIR / BABEL_LOCALE[lang] / f"{domain}.po"
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


ACRONYMS = {"GRR", "NRR", "LTV / CAC"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("domain", ["report", "charts"])
def test_catalogs_hold_exactly_the_ids_in_use(domain: str) -> None:
    used = extract()[domain]
    for lang in LANGS:
        assert set(catalog(lang, domain)) == used, (
            f"{lang}/{domain}.po is out of step; run python -m keyaccount.report.i18n.catalog"
        )


@pytest.mark.parametrize("domain", ["report", "charts"])
def test_every_id_is_translated_into_chinese_with_the_same_placeholders(domain: str) -> None:
    for message_id, chinese in catalog("zh", domain).items():
        assert chinese, f"untranslated: {message_id!r}"
        assert fields(chinese) == fields(message_id), message_id
        words = re.sub(r"\{\w+\}", "", message_id)
        if re.search("[a-z]{3}", words) and words not in ACRONYMS:
            assert re.search(r"[\u4e00-\u9fff]", chinese), f"not Chinese: {chinese!r}"


def test_chinese_locale_translates_and_english_falls_back_to_the_id() -> None:
    assert Locale("zh")._("Executive summary") == "核心结论"
    assert Locale("en")._("Executive summary") == "Executive summary"
