"""Known answers and invariants for the normalisation rules (keyaccount.data.normalize)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyaccount.data import normalize as nz
from keyaccount.data.normalize import evaluate
from keyaccount.data.schema import DEAL_TYPES, DEPARTMENTS, TABLES

D = Decimal
day = dt.date


def _cases(rule: Callable[..., str], pairs: list[tuple[Any, Any]]) -> list[Any]:
    return [pytest.param(rule, raw, want, id=f"{rule.__name__}:{raw!r}") for raw, want in pairs]


def check(rule: Callable[..., str], raw: str | None, want: Any, **kwargs: Any) -> None:
    got = evaluate(rule, raw, **kwargs)
    assert got == want, f"{rule.__name__}({raw!r}) = {got!r}, want {want!r}"
    if want is not None:
        assert type(got) is type(want)


# --- sql_literal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "literal"),
    [("abc", "'abc'"), ("it's", "'it''s'"), ("''", "''''''"), ("a\\b", "'a\\b'"), ("", "''")],
)
def test_sql_literal_doubles_quotes(text: str, literal: str) -> None:
    assert nz.sql_literal(text) == literal


@pytest.mark.parametrize("text", ["it's", "'", "a''b", "\\'", "--'; DROP TABLE t; --", "财务'部"])
def test_sql_literal_round_trips_through_duckdb(text: str) -> None:
    assert duckdb.sql(f"SELECT {nz.sql_literal(text)}").fetchone() == (text,)


def test_sql_literal_rejects_nul() -> None:
    with pytest.raises(ValueError, match="NUL"):
        nz.sql_literal("a\x00b")


# --- text ----------------------------------------------------------------------------------

TEXT_CASES = [
    *_cases(
        nz.fold_width,
        [
            ("１２３，４５６．００", "123,456.00"),
            ("ＡＢＣｘｙｚ", "ABCxyz"),
            ("Ｃ００１\u3000Ａ", "C001 A"),
            ("a\u00a0b", "a b"),
            ("！～", "!~"),
            ("（１）", "(1)"),
            ("＇", "'"),
            ("客户。", "客户。"),
            ("￥", "￥"),
            ("", ""),
            (None, None),
        ],
    ),
    *_cases(
        nz.clean_text,
        [
            ("  华为 技术  ", "华为 技术"),
            ("\u3000\u00a0\t名称\r\n", "名称"),
            ("\ufeffABC", "ABC"),
            ("ＡＢＣ ", "ＡＢＣ"),
            ("Acme\nInc", "Acme\nInc"),
            ("", None),
            (" \t\r\n\u3000\u00a0", None),
            (None, None),
        ],
    ),
    *_cases(
        nz.clean_id,
        [
            (" Ｃ００１ ", "C001"),
            ("c001", "c001"),
            ("C-001\u3000", "C-001"),
            ("\u00a0ＩＮＶ－２０２４\t", "INV-2024"),
            ("  ", None),
            ("", None),
            (None, None),
        ],
    ),
]


@pytest.mark.parametrize(("rule", "raw", "want"), TEXT_CASES)
def test_text_rules(rule: Callable[..., str], raw: str | None, want: Any) -> None:
    check(rule, raw, want)


# --- money ---------------------------------------------------------------------------------

MONEY_CASES = [
    ("1234.56", D("1234.5600")),
    ("1,234.56", D("1234.5600")),
    ("１２３，４５６．００", D("123456.0000")),
    ("１２３。４５", D("123.4500")),
    ("¥1,234.56", D("1234.5600")),
    ("￥1234", D("1234.0000")),
    ("RMB 1234", D("1234.0000")),
    ("CNY1,234", D("1234.0000")),
    ("$1,234.56", D("1234.5600")),
    ("US$12", D("12.0000")),
    ("USD 1,234", D("1234.0000")),
    ("HK$5", D("5.0000")),
    ("€5", D("5.0000")),
    ("1234元", D("1234.0000")),
    ("1,234 元", D("1234.0000")),
    ("1234 RMB", D("1234.0000")),
    ("人民币1234", D("1234.0000")),
    ("1.5万", D("15000.0000")),
    ("1.5万元", D("15000.0000")),
    ("2亿", D("200000000.0000")),
    ("3千", D("3000.0000")),
    ("(1,234.56)", D("-1234.5600")),
    ("¥(1,234.56)", D("-1234.5600")),
    ("(¥1,234.56)", D("-1234.5600")),
    ("-1,234.56", D("-1234.5600")),
    ("-¥5", D("-5.0000")),
    ("¥-5", D("-5.0000")),
    ("−1234", D("-1234.0000")),
    ("－１２３４", D("-1234.0000")),
    ("1234-", D("-1234.0000")),
    ("1 234.56", D("1234.5600")),
    ("1\u00a0234\u00a0567", D("1234567.0000")),
    ("1.2e3", D("1200.0000")),
    ("1.2E-2", D("0.0120")),
    ("+5", D("5.0000")),
    (".5", D("0.5000")),
    ("5.", D("5.0000")),
    ("  42\t", D("42.0000")),
    ("0", D("0.0000")),
    ("0.1", D("0.1000")),
    ("1234567890.1234", D("1234567890.1234")),
    ("99999999999999.9999", D("99999999999999.9999")),
    ("-99999999999999.9999", D("-99999999999999.9999")),
    # half away from zero
    ("0.00005", D("0.0001")),
    ("-0.00005", D("-0.0001")),
    ("0.000049999", D("0.0000")),
    ("1.23455", D("1.2346")),
    ("2.00015", D("2.0002")),
    # blanks
    ("", None),
    ("  ", None),
    ("-", None),
    ("—", None),
    ("--", None),
    ("/", None),
    ("N/A", None),
    ("null", None),
    (None, None),
    # unreadable
    ("abc", None),
    ("1,5", None),
    ("12,34", None),
    ("1,234,56", None),
    ("1 2", None),
    ("1.2.3", None),
    ("(-5)", None),
    ("(5", None),
    ("5)", None),
    ("--5", None),
    ("-5-", None),
    ("+-5", None),
    ("¥", None),
    ("万", None),
    ("12元34", None),
    ("1e999", None),
    ("5k", None),
    # too large: |x| >= 10^14 after rounding
    ("100000000000000", None),
    ("99999999999999.99995", None),
    ("-100000000000000", None),
    ("1万亿", None),
    ("20000000亿", None),
]


@pytest.mark.parametrize(("raw", "want"), MONEY_CASES, ids=[repr(r) for r, _ in MONEY_CASES])
def test_parse_money(raw: str | None, want: Decimal | None) -> None:
    check(nz.parse_money, raw, want)


@pytest.mark.parametrize(
    ("raw", "multiplier", "want"),
    [
        ("1.5", 10_000, D("15000.0000")),
        ("1,234.5678", 10_000, D("12345678.0000")),
        ("0.00001", 10_000, D("0.1000")),
        ("1.5万", 10_000, D("150000000.0000")),
        ("¥2", 100_000_000, D("200000000.0000")),
        ("(3)", 1_000, D("-3000.0000")),
        ("123456789012", 1_000, None),
        ("", 10_000, None),
    ],
)
def test_parse_money_multiplier(raw: str, multiplier: int, want: Decimal | None) -> None:
    check(nz.parse_money, raw, want, multiplier=multiplier)


@pytest.mark.parametrize("multiplier", [0, -10, 3, 1500, 10**13, True, 1.0])
def test_parse_money_rejects_other_multipliers(multiplier: Any) -> None:
    with pytest.raises(ValueError, match="multiplier"):
        nz.parse_money("v", multiplier=multiplier)


BLANK_CASES = [
    (None, True),
    ("", True),
    ("   ", True),
    ("\t\r\n", True),
    ("\u3000", True),
    ("\u00a0", True),
    ("-", True),
    (" - ", True),
    ("－", True),
    ("—", True),
    ("——", True),
    ("--", True),
    ("/", True),
    ("／", True),
    ("N/A", True),
    ("n/a", True),
    ("Ｎ／Ａ", True),
    ("null", True),
    ("NULL", True),
    ("0", False),
    ("x", False),
    ("abc", False),
    ("---", False),
    ("none", False),
    ("-5", False),
]


@pytest.mark.parametrize(("raw", "want"), BLANK_CASES, ids=[repr(r) for r, _ in BLANK_CASES])
def test_is_blank(raw: str | None, want: bool) -> None:
    check(nz.is_blank, raw, want)
    check(nz.parse_money_is_blank, raw, want)


CURRENCY_CASES = [
    ("¥1,234.56", "CNY"),
    ("￥1234", "CNY"),
    ("RMB 1234", "CNY"),
    ("cny1,234", "CNY"),
    ("1234元", "CNY"),
    ("1.5万元", "CNY"),
    ("人民币", "CNY"),
    ("$1,234.56", "USD"),
    ("US$12", "USD"),
    ("USD 1,234", "USD"),
    ("ＵＳＤ", "USD"),
    ("美元", "USD"),
    ("HK$5", "HKD"),
    ("hkd 5", "HKD"),
    ("港币", "HKD"),
    ("€5", "EUR"),
    ("5 EUR", "EUR"),
    ("欧元", "EUR"),
    ("£5", "GBP"),
    ("GBP", "GBP"),
    ("JPY 500", "JPY"),
    ("500日元", "JPY"),
    ("1234", None),
    ("1.5万", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "want"), CURRENCY_CASES, ids=[repr(r) for r, _ in CURRENCY_CASES])
def test_money_currency(raw: str | None, want: str | None) -> None:
    check(nz.money_currency, raw, want)


# --- other numbers -------------------------------------------------------------------------

NUMBER_CASES = [
    *_cases(
        nz.parse_number,
        [
            ("1234.56", 1234.56),
            ("1,234.5", 1234.5),
            ("１２３，４５６．７", 123456.7),
            ("1.1万", 11000.0),
            ("2亿", 200000000.0),
            ("(3.5)", -3.5),
            ("1234-", -1234.0),
            ("−0.5", -0.5),
            ("¥12", 12.0),
            ("1.2e3", 1200.0),
            ("0.1", 0.1),
            ("1e300", 1e300),
            ("", None),
            ("-", None),
            ("abc", None),
            ("1e400", None),
            ("1,5", None),
        ],
    ),
    *_cases(
        nz.parse_integer,
        [
            ("30", 30),
            ("30.0", 30),
            ("30.000", 30),
            ("1,200", 1200),
            ("30天", 30),
            ("30 天", 30),
            ("30 days", 30),
            ("1 day", 1),
            ("12个", 12),
            ("３０", 30),
            ("３０天", 30),
            ("-5", -5),
            ("1.2万", 12000),
            ("1.25万", 12500),
            ("1.2e3", 1200),
            ("100e-2", 1),
            ("9223372036854775807", 9223372036854775807),
            ("30.5", None),
            ("30.05天", None),
            ("1.00001万", None),
            ("1e-1", None),
            ("9223372036854775808", None),
            ("30元", None),
            ("", None),
            ("-", None),
            ("abc", None),
        ],
    ),
    *_cases(
        nz.parse_percent,
        [
            ("25%", 0.25),
            ("25 %", 0.25),
            ("２５％", 0.25),
            ("-5%", -0.05),
            ("33.3%", 0.333),
            ("0.5%", 0.005),
            ("150%", 1.5),
            ("0.25", 0.25),
            ("1", 1.0),
            ("-1", -1.0),
            ("0", 0.0),
            ("25", 0.25),
            ("1.5", 0.015),
            ("-30", -0.3),
            ("(5%)", -0.05),
            ("%", None),
            ("", None),
            ("-", None),
            ("abc", None),
            ("25%%", None),
            ("1e400", None),
        ],
    ),
]


@pytest.mark.parametrize(("rule", "raw", "want"), NUMBER_CASES)
def test_number_rules(rule: Callable[..., str], raw: str | None, want: Any) -> None:
    check(rule, raw, want)


# --- dates ---------------------------------------------------------------------------------

MARCH_5 = day(2024, 3, 5)
DATE_CASES = [
    ("2024-03-05", MARCH_5),
    ("2024-3-5", MARCH_5),
    ("2024/3/5", MARCH_5),
    ("2024/03/05", MARCH_5),
    ("2024.3.5", MARCH_5),
    ("2024年3月5日", MARCH_5),
    ("2024年03月05日", MARCH_5),
    ("2024 年 3 月 5 日", MARCH_5),
    ("２０２４年３月５日", MARCH_5),
    ("２０２４－０３－０５", MARCH_5),
    ("20240305", MARCH_5),
    ("45356", MARCH_5),
    ("45356.0", MARCH_5),
    ("45356.75", MARCH_5),
    ("1", day(1899, 12, 31)),
    ("2958465", day(9999, 12, 31)),
    ("2024-03-05 14:30:00", MARCH_5),
    ("2024/3/5 14:30", MARCH_5),
    ("2024-03-05T14:30:00Z", MARCH_5),
    ("2024-03-05 00:00:00.000", MARCH_5),
    ("2024-03-05T08:00:00+08:00", MARCH_5),
    ("2024-03-05T23:30:00-05:00", MARCH_5),
    ("2024/3/5 2:30 PM", MARCH_5),
    ("2024年3月5日 14:30", MARCH_5),
    (" 2024-03-05 ", MARCH_5),
    ("2024-02-29", day(2024, 2, 29)),
    # ambiguous without an order
    ("3/5/2024", None),
    ("05-03-2024", None),
    # impossible or unreadable
    ("2024-02-30", None),
    ("2023-02-29", None),
    ("2024-13-01", None),
    ("2024-00-10", None),
    ("2024-03-05 25:00", None),
    ("2024-03/05", None),
    ("24-3-5", None),
    ("24/3/5", None),
    ("3/5/24", None),
    ("0000-01-01", None),
    ("0", None),
    ("2958466", None),
    ("-45356", None),
    ("202403051", None),
    ("20241305", None),
    ("March 5, 2024", None),
    ("", None),
    ("-", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "want"), DATE_CASES, ids=[repr(r) for r, _ in DATE_CASES])
def test_parse_date(raw: str | None, want: dt.date | None) -> None:
    check(nz.parse_date, raw, want)


@pytest.mark.parametrize(
    ("raw", "order", "want"),
    [
        ("3/5/2024", "mdy", MARCH_5),
        ("03/05/2024", "mdy", MARCH_5),
        ("3/5/2024 14:30", "mdy", MARCH_5),
        ("5/3/2024", "dmy", MARCH_5),
        ("05-03-2024", "dmy", MARCH_5),
        ("05.03.2024", "dmy", MARCH_5),
        ("13/5/2024", "mdy", None),
        ("13/5/2024", "dmy", day(2024, 5, 13)),
        ("05-03/2024", "dmy", None),
        ("3/5/24", "mdy", None),
        ("2024-03-05", "mdy", MARCH_5),
        ("2024-03-05", "dmy", MARCH_5),
        ("45356", "dmy", MARCH_5),
    ],
)
def test_parse_date_with_order(raw: str, order: str, want: dt.date | None) -> None:
    check(nz.parse_date, raw, want, order=order)


def test_parse_date_rejects_unknown_order() -> None:
    with pytest.raises(ValueError, match="order"):
        nz.parse_date("v", order="ydm")
    with pytest.raises(ValueError, match="order"):
        nz.parse_month("v", order="MDY")


MARCH = day(2024, 3, 1)
MONTH_CASES = [
    ("2024-03", MARCH),
    ("2024-3", MARCH),
    ("2024/3", MARCH),
    ("2024.03", MARCH),
    ("2024.3", MARCH),
    ("2024.10", day(2024, 10, 1)),
    ("2024年3月", MARCH),
    ("２０２４年３月", MARCH),
    ("202403", MARCH),
    ("03/2024", MARCH),
    ("2024-03-15", MARCH),
    ("2024年3月31日", MARCH),
    ("20240315", MARCH),
    ("45356", MARCH),
    ("2024-03-15 10:00:00", MARCH),
    ("202413", None),
    ("2024-00", None),
    ("2024-13", None),
    ("24-03", None),
    ("2024-02-30", None),
    ("", None),
    ("-", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "want"), MONTH_CASES, ids=[repr(r) for r, _ in MONTH_CASES])
def test_parse_month(raw: str | None, want: dt.date | None) -> None:
    check(nz.parse_month, raw, want)


def test_parse_month_passes_order_to_full_dates() -> None:
    check(nz.parse_month, "15/3/2024", MARCH, order="dmy")
    check(nz.parse_month, "15/3/2024", None)


YEAR_CASES = [
    ("2024", 2024),
    ("2024年", 2024),
    ("2024年度", 2024),
    ("2024财年", 2024),
    ("2024.0", 2024),
    ("FY2024", 2024),
    ("fy 2024", 2024),
    ("２０２４", 2024),
    ("1900", 1900),
    ("2200", 2200),
    ("1899", None),
    ("2201", None),
    ("24", None),
    ("2024.5", None),
    ("FY24", None),
    ("2024-03", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "want"), YEAR_CASES, ids=[repr(r) for r, _ in YEAR_CASES])
def test_parse_year(raw: str | None, want: int | None) -> None:
    check(nz.parse_year, raw, want)


# --- flags, categories, totals -------------------------------------------------------------

FLAG_CASES = [
    *[(v, True) for v in ["是", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "T", "t", "1"]],
    *[(v, True) for v in ["1.0", "√", "✓", "✔", "有", "对", " 是 ", "Ｙｅｓ\u3000", "１"]],
    *[(v, False) for v in ["否", "N", "n", "no", "NO", "No", "false", "False", "F", "f", "0"]],
    *[(v, False) for v in ["0.0", "×", "✗", "✘", "无", "错", "\t否\n", "ＮＯ", "０"]],
    *[(v, None) for v in ["x", "X", "2", "-1", "maybe", "是否", "", "-", None]],
]


@pytest.mark.parametrize(("raw", "want"), FLAG_CASES, ids=[repr(r) for r, _ in FLAG_CASES])
def test_parse_flag(raw: str | None, want: bool | None) -> None:
    check(nz.parse_flag, raw, want)


@pytest.mark.parametrize(
    ("raw", "want", "open_want"),
    [
        ("R&D", "rd", "rd"),
        ("研发部", "rd", "rd"),
        (" ＩＴ ", "it", "it"),
        ("IT部", "it", "it"),
        ("Finance", "finance", "finance"),
        ("finance", "finance", "finance"),
        ("  PROCUREMENT\u3000", "procurement", "procurement"),
        ("Legal", None, "legal"),
        (" Ｌｅｇａｌ ", None, "legal"),
        ("", None, None),
        ("  ", None, None),
        (None, None, None),
    ],
)
def test_parse_category(raw: str | None, want: str | None, open_want: str | None) -> None:
    check(nz.parse_category, raw, want, values=DEPARTMENTS)
    check(nz.parse_category, raw, open_want, values=DEPARTMENTS, open_values=True)


def test_parse_category_every_schema_spelling_maps_to_its_value() -> None:
    for table in TABLES.values():
        for column in table.columns:
            for canonical, spellings in column.values.items():
                for spelling in (canonical, *spellings):
                    check(nz.parse_category, spelling.upper(), canonical, values=column.values)


@pytest.mark.parametrize("value", ["o'brien", "'", "it's ok", "a''b"])
def test_parse_category_quotes_round_trip(value: str) -> None:
    values = {value: (f"x{value}",), "plain": ("p",)}
    check(nz.parse_category, value, value, values=values)
    check(nz.parse_category, f"X{value.upper()}", value, values=values)
    check(nz.parse_category, "p", "plain", values=values)
    check(nz.parse_category, f"{value}!", f"{value}!", values=values, open_values=True)


def test_parse_category_rejects_a_spelling_with_two_meanings() -> None:
    with pytest.raises(ValueError, match="both"):
        nz.parse_category("v", {"a": ("same",), "b": ("SAME",)})


def test_parse_category_without_values() -> None:
    check(nz.parse_category, "x", None, values={})
    check(nz.parse_category, " X ", "x", values={}, open_values=True)


def test_parse_category_deal_types() -> None:
    check(nz.parse_category, "样品", "sample", values=DEAL_TYPES)
    check(nz.parse_category, "Proof of Concept", "poc", values=DEAL_TYPES)


TOTALS_CASES = [
    *[
        (v, True)
        for v in [
            "合计",
            "总计",
            "小计",
            "总合计",
            "合 计",
            "合\u3000计",
            "本页合计",
            "Total",
            "TOTAL",
            "Totals",
            "Grand Total",
            "grand total",
            "Subtotal",
            "Sub-total",
            "Sum",
            "合计:",
            "合计：",
            "Total:",
            "  合计  ",
            "Ｔｏｔａｌ",
        ]
    ],
    *[
        (v, False)
        for v in ["合计金额", "总计划", "Totally", "Summary", "C001", "", "计", "Total Amount"]
    ],
    (None, False),
]


@pytest.mark.parametrize(("raw", "want"), TOTALS_CASES, ids=[repr(r) for r, _ in TOTALS_CASES])
def test_is_totals_label(raw: str | None, want: bool) -> None:
    check(nz.is_totals_label, raw, want)


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("金额(万元)", 10_000),
        ("金额（万元）", 10_000),
        ("金额 (万元)", 10_000),
        ("销售额/万元", 10_000),
        ("金额 万", 10_000),
        ("销售额万元", 10_000),
        ("金额【万元】", 10_000),
        ("Amount (10k CNY)", 10_000),
        ("金额(亿元)", 100_000_000),
        ("金额(千元)", 1_000),
        ("金额(千)", 1_000),
        ("Amount (thousands)", 1_000),
        ("Amount (in thousands)", 1_000),
        ("Revenue (CNY '000)", 1_000),
        ("收入(百万元)", 1_000_000),
        ("Revenue (USD million)", 1_000_000),
        ("金额", 1),
        ("金额(元)", 1),
        ("Amount (CNY)", 1),
        ("Amount (k)", 1),
        ("Total Amount", 1),
        ("重量(千克)", 1),
        ("万达客户", 1),
        ("", 1),
    ],
)
def test_unit_multiplier(header: str, want: int) -> None:
    assert nz.unit_multiplier(header) == want


# --- expressions other than a bare column --------------------------------------------------

RULES: dict[str, Callable[[str], str]] = {
    "fold_width": nz.fold_width,
    "clean_text": nz.clean_text,
    "clean_id": nz.clean_id,
    "is_blank": nz.is_blank,
    "is_totals_label": nz.is_totals_label,
    "parse_money": nz.parse_money,
    "parse_money_x10k": lambda e: nz.parse_money(e, multiplier=10_000),
    "money_currency": nz.money_currency,
    "parse_number": nz.parse_number,
    "parse_integer": nz.parse_integer,
    "parse_percent": nz.parse_percent,
    "parse_date": nz.parse_date,
    "parse_date_dmy": lambda e: nz.parse_date(e, order="dmy"),
    "parse_month": nz.parse_month,
    "parse_year": nz.parse_year,
    "parse_flag": nz.parse_flag,
    "parse_category": lambda e: nz.parse_category(e, DEPARTMENTS),
    "parse_category_open": lambda e: nz.parse_category(e, DEPARTMENTS, open_values=True),
}
SAMPLES = [
    "1,234.56", "(¥1 234.5万)", "１２３。４", "2024年3月5日", "45356.5", "05/03/2024", "202403",
    "FY2024", " 是 ", "研发部", "Legal", "合 计", "N/A", "", "\u3000", "30天", "25%", "x",
]  # fmt: skip


@pytest.mark.parametrize("name", list(RULES))
def test_rules_accept_any_expression(name: str) -> None:
    """A rule gives the same answers on a quoted column and on a computed expression."""
    rule = RULES[name]
    con = duckdb.connect()
    con.execute('CREATE TABLE raw ("金额" VARCHAR, v VARCHAR)')
    con.executemany("INSERT INTO raw VALUES (?, ?)", [(s, s) for s in [*SAMPLES, None]])
    expressions = ["v", 'raw."金额"', "(v || '')", "trim(v, chr(1))"]
    rows = con.execute(f"SELECT {', '.join(rule(e) for e in expressions)} FROM raw").fetchall()
    for row in rows:
        assert row[0] == row[1] == row[2] == row[3]


def test_rules_are_vectorised_over_a_table() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE raw (a VARCHAR)")
    con.executemany("INSERT INTO raw VALUES (?)", [("1,234.5",), ("¥2万",), ("-",), ("x",)])
    got = con.execute(
        f"SELECT {nz.parse_money('a')}, {nz.is_blank('a')} FROM raw ORDER BY rowid"
    ).fetchall()
    assert got == [
        (D("1234.5000"), False),
        (D("20000.0000"), False),
        (None, True),
        (None, False),
    ]


# --- invariants ----------------------------------------------------------------------------

EXPECTED_TYPES: dict[str, type | tuple[type, ...]] = {
    "fold_width": str,
    "clean_text": str,
    "clean_id": str,
    "is_blank": bool,
    "is_totals_label": bool,
    "parse_money": Decimal,
    "parse_money_x10k": Decimal,
    "money_currency": str,
    "parse_number": float,
    "parse_integer": int,
    "parse_percent": float,
    "parse_date": dt.date,
    "parse_date_dmy": dt.date,
    "parse_month": dt.date,
    "parse_year": int,
    "parse_flag": bool,
    "parse_category": str,
    "parse_category_open": str,
}
NEVER_NULL = {"is_blank", "is_totals_label"}
_con = duckdb.connect()


def run(rules: dict[str, str], values: Sequence[str | None]) -> list[dict[str, Any]]:
    """Evaluate SQL rules (built on column ``v``) over a table of values, in one query."""
    select = ", ".join(f"{sql} AS {name}" for name, sql in rules.items())
    rows = _con.execute(
        f"SELECT {select} FROM (SELECT unnest($1::VARCHAR[]) AS v, "
        "generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i",
        [list(values)],
    ).fetchall()
    return [dict(zip(rules, row, strict=True)) for row in rows]


ALL_RULES = {name: rule("v") for name, rule in RULES.items()}
noisy_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789,.-+()%e ¥$元万亿千年月日/:T　１２３，．－", max_size=16),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), noisy_text), min_size=1, max_size=25))
def test_every_rule_reads_any_text_without_error(values: list[str | None]) -> None:
    for value, results in zip(values, run(ALL_RULES, values), strict=True):
        for name, got in results.items():
            if got is None:
                assert name not in NEVER_NULL, (name, value)
                continue
            assert isinstance(got, EXPECTED_TYPES[name]), (name, value, got)
            if EXPECTED_TYPES[name] is int:
                assert not isinstance(got, bool)
        if results["is_blank"]:
            for name in ("parse_money", "parse_number", "parse_integer", "parse_date"):
                assert results[name] is None, (name, value)
        if results["parse_money"] is not None:
            assert abs(results["parse_money"]) < 10**14


amounts = st.decimals(min_value=-(10**13) + D("0.0001"), max_value=10**13 - D("0.0001"), places=4)
FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


def check_forms(rules: dict[str, str], expected: dict[str, dict[str, Any]]) -> None:
    """Each written form gives the expected value under every rule named for it."""
    forms = list(expected)
    for form, got in zip(forms, run(rules, forms), strict=True):
        assert {k: got[k] for k in expected[form]} == expected[form], form


MONEY_RULES = {"m": nz.parse_money("v"), "n": nz.parse_number("v")}


@settings(max_examples=50, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=8))
def test_money_round_trips_exactly(amounts: list[Decimal]) -> None:
    expected: dict[str, dict[str, Any]] = {}
    for amount in amounts:
        written = f"{amount:,}"
        negative = f"({written.lstrip('-')})" if amount < 0 else written
        for form in (written, f"¥{written}", written.translate(FULL_WIDTH), negative):
            expected[form] = {"m": amount, "n": float(amount)}
        expected[f" {written}元 "] = {"m": amount}
        expected[f"{amount / 10000:,}万"] = {"m": amount}
    check_forms(MONEY_RULES, expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=8))
def test_number_round_trips_floats(values: list[float]) -> None:
    expected = {
        form: {"n": value}
        for value in values
        for form in (repr(value), f"{value:,}", repr(value).upper())
    }
    check_forms({"n": nz.parse_number("v")}, expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), min_size=1, max_size=8))
def test_integer_round_trips(values: list[int]) -> None:
    expected = {
        form: {"n": value}
        for value in values
        for form in (str(value), f"{value:,}", f"{value}.0", f"{value}天", f"{value:,} days")
    }
    check_forms({"n": nz.parse_integer("v")}, expected)


def excel_serial(d: dt.date) -> str:
    return str((d - day(1899, 12, 30)).days)


DATE_FORMS: list[Callable[[dt.date], str]] = [
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
    excel_serial,
    lambda d: excel_serial(d) + ".5",
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
    lambda d: d.strftime("%Y.%m.%d 00:00:00.000"),
]
DATE_RULES = {
    "date": nz.parse_date("v"),
    "mdy": nz.parse_date("v", order="mdy"),
    "dmy": nz.parse_date("v", order="dmy"),
    "month": nz.parse_month("v"),
    "year": nz.parse_year("v"),
}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.dates(min_value=day(1950, 1, 1), max_value=day(2100, 12, 31)), max_size=6))
def test_dates_round_trip_in_every_form(dates: list[dt.date]) -> None:
    expected: dict[str, dict[str, Any]] = {}
    for d in dates:
        month = d.replace(day=1)
        for form in DATE_FORMS:
            expected[form(d)] = {"date": d, "mdy": d, "dmy": d, "month": month}
        expected[f"{d.month}/{d.day}/{d.year}"] = {"date": None, "mdy": d, "month": None}
        expected[f"{d.day:02}-{d.month:02}-{d.year}"] = {"date": None, "dmy": d, "month": None}
        expected[f"{d.year}年{d.month}月"] = {"date": None, "month": month}
        expected[f"{d.year}年"] = {"date": None, "year": d.year}
    check_forms(DATE_RULES, expected | {"": {"date": None, "month": None}})


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_category_spellings_with_any_text_round_trip(spelling: str) -> None:
    key = spelling.strip(nz._WHITESPACE)
    if not key or "\x00" in key:
        return
    values = {"canonical": (key,)}
    check(nz.parse_category, key, "canonical", values=values)


def test_evaluate_caches_one_connection() -> None:
    evaluate(nz.clean_id, "a")
    first = nz._connection
    evaluate(nz.clean_id, "b")
    assert nz._connection is first is not None
