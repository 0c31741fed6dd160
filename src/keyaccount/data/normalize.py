"""Turn the raw text of an export into typed values, as DuckDB SQL expressions.

Imports run inside DuckDB: every source is loaded as VARCHAR columns, then each column is
converted by one SQL expression, vectorised over all rows. Each rule here is a pure function
that takes a DuckDB expression of type VARCHAR (built by our code, e.g. ``raw."金额"``) and
returns the SQL of an expression that evaluates to the typed value, or to NULL when the text
cannot be read. The SQL never raises at query time, whatever the text: it uses TRY_CAST,
regular expressions and CASE, built-in functions only, and inlines only our own constants
(through :func:`sql_literal`). Common values take a fast path (one cheap full-match and a
cast); the general path folds the width once and reads the text with a single regular
expression. :func:`is_blank` tells "no value" from "unreadable". :func:`evaluate` runs a rule
on one Python string, for tests and docs.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb

__all__ = [
    "clean_id",
    "clean_text",
    "evaluate",
    "fold_width",
    "is_blank",
    "is_totals_label",
    "money_currency",
    "parse_category",
    "parse_date",
    "parse_flag",
    "parse_integer",
    "parse_money",
    "parse_money_is_blank",
    "parse_month",
    "parse_number",
    "parse_percent",
    "parse_year",
    "sql_literal",
    "unit_multiplier",
]

Rule = Callable[..., str]

# Full-width ASCII (U+FF01..U+FF5E) to ASCII; ideographic space and NBSP to a space.
_FOLD_FROM = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
_FOLD_TO = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
_FOLD_CLASS = r"[\x{FF01}-\x{FF5E}\x{3000}\x{A0}]"
# In numbers also: ideographic full stop, minus sign, thin / narrow / figure spaces.
_NUM_FROM = _FOLD_FROM + "\u3002\u2212\u2009\u202f\u2007"
_NUM_TO = _FOLD_TO + ".-   "
_NUM_CLASS = r"[\x{FF01}-\x{FF5E}\x{3000}\x{A0}\x{3002}\x{2212}\x{2009}\x{202F}\x{2007}]"
_PY_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)

# Whitespace trimmed from both ends of a value (BOM and zero-width space included).
_WHITESPACE = (
    " \t\n\r\v\f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS_CLASS = (
    r"[\s\x{0B}\x{85}\x{A0}\x{1680}\x{2000}-\x{200B}\x{2028}\x{2029}\x{202F}\x{205F}"
    r"\x{3000}\x{FEFF}]"
)

# "No value" spellings, compared after folding, trimming and lower-casing.
_BLANK_RE = r"(?i)" + _WS_CLASS + r"*(?:|-|--|—|——|/|n/a|null)" + _WS_CLASS + "*"

_CURRENCY_WORDS = (
    r"rmb|cny|usd|us\$|hkd|hk\$|eur|gbp|jpy|人民币|港币|港元|美元|美金|欧元|英镑|日元|元|[¥￥$€£]"
)
_CURRENCY_CODES: dict[str, tuple[str, ...]] = {
    "CNY": ("¥", "￥", "rmb", "cny", "元", "人民币"),
    "USD": ("$", "usd", "us$", "美元", "美金"),
    "HKD": ("hk$", "hkd", "港币", "港元"),
    "EUR": ("€", "eur", "欧元"),
    "GBP": ("£", "gbp", "英镑"),
    "JPY": ("jpy", "日元"),
}
_SCALE_EXPONENTS = {"万": 4, "亿": 8, "千": 3}
_COUNT_UNITS = r"天|日|个|次|家|笔|件|人|days?"

_FLAG_TRUE = ("是", "y", "yes", "true", "t", "1", "1.0", "√", "✓", "✔", "有", "对")
_FLAG_FALSE = ("否", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘", "无", "错")

_TOTALS_RE = (
    r"(?i)\s*(?:(?:本\s*页\s*)?(?:总\s*)?[合总小]\s*计|totals?|grand\s*totals?|"
    r"sub\s*-?\s*totals?|sum)\s*:?\s*"
)

_EXCEL_EPOCH = "DATE '1899-12-30'"  # day 0 of Excel's 1900 date system
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_ORDERS = ("ymd", "mdy", "dmy")

_connection: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


# --- SQL building blocks -----------------------------------------------------------------

# A column reference (``v``, ``raw."金额"``): cheap to repeat, so never bound with _let.
_REFERENCE = re.compile(r'(?:[A-Za-z_]\w*|"(?:[^"]|"")*")(?:\.(?:[A-Za-z_]\w*|"(?:[^"]|"")*"))*')


def sql_literal(text: str) -> str:
    """Quote ``text`` as a DuckDB string literal, doubling single quotes.

    Accepts any string without NUL characters (DuckDB literals cannot hold them; ValueError);
    returns e.g. ``'it''s'`` for ``it's``. Backslashes need no escaping in DuckDB literals.
    """
    if "\x00" in text:
        raise ValueError("a SQL literal cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _let(value: str, name: str, body: Callable[[str], str]) -> str:
    # DuckDB does not share a repeated sub-expression that sits inside a CASE branch or an
    # IN list, so a value used more than once is computed once and handed to a lambda.
    if _REFERENCE.fullmatch(value):
        return body(value)
    return f"list_transform([{value}], lambda {name}: {body(name)})[1]"


def _translate(expr: str, chars_from: str, chars_to: str, char_class: str) -> str:
    # DuckDB's translate is slow (it builds its map per row), so only rows holding one of
    # the characters pay for it; a character-class search is cheap.
    return _let(
        expr,
        "_ka_text",
        lambda v: (
            f"CASE WHEN regexp_matches({v}, {sql_literal(char_class)}) "
            f"THEN translate({v}, {sql_literal(chars_from)}, {sql_literal(chars_to)}) "
            f"ELSE {v} END"
        ),
    )


def _fold_number(expr: str) -> str:
    return _translate(expr, _NUM_FROM, _NUM_TO, _NUM_CLASS)


def _strip(expr: str, empty_is_null: bool = False) -> str:
    # trim() with a character list is slow too; most values have nothing to trim.
    edges = sql_literal(f"^{_WS_CLASS}|{_WS_CLASS}$")

    def body(v: str) -> str:
        trimmed = f"trim({v}, {sql_literal(_WHITESPACE)})"
        if empty_is_null:
            trimmed, v = f"NULLIF({trimmed}, '')", f"NULLIF({v}, '')"
        return f"CASE WHEN regexp_matches({v}, {edges}) THEN {trimmed} ELSE {v} END"

    return _let(expr, "_ka_trim", body)


def _key(expr: str) -> str:
    """Return folded, trimmed, lower-cased text: the form compared with known spellings."""
    return f"lower({_strip(fold_width(expr))})"


def _py_key(text: str) -> str:
    return text.translate(_PY_FOLD).strip(_WHITESPACE).lower()


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(sql_literal(v) for v in values) + "]"


def _lookup(key: str, keys: Sequence[str], results: Sequence[str]) -> str:
    """Return the SQL of ``results[i]`` (SQL expressions) where ``keys[i]`` equals ``key``."""
    return f"[{', '.join(results)}][list_position({_list(keys)}, {key})]"


def _extract(expr: str, pattern: str, names: Sequence[str]) -> str:
    """Return one ``regexp_extract`` pass as a struct of its capture groups, by name.

    A group that did not take part, and every group when the text does not match, is the
    empty string.
    """
    return f"regexp_extract({expr}, {sql_literal(pattern)}, [{', '.join(map(sql_literal, names))}])"


def _fields(struct: str, names: Sequence[str]) -> dict[str, str]:
    return {name: f"struct_extract({struct}, {sql_literal(name)})" for name in names}


# --- text and identifiers ------------------------------------------------------------------


def fold_width(expr: str) -> str:
    """Fold full-width forms to ASCII.

    Accepts a VARCHAR expression; returns a VARCHAR expression where full-width ASCII
    (U+FF01..U+FF5E, e.g. ``１２３，ＡＢＣ``) becomes ASCII and the ideographic space U+3000 and
    NBSP U+00A0 become a space. Other characters, case and length are kept; NULL stays NULL.
    """
    return _translate(expr, _FOLD_FROM, _FOLD_TO, _FOLD_CLASS)


def clean_text(expr: str) -> str:
    """Read free text as written, without surrounding whitespace.

    Accepts a VARCHAR expression; returns VARCHAR: the text with whitespace (spaces, tabs,
    CR/LF, U+3000, NBSP, other Unicode spaces, BOM, zero-width space) trimmed from both ends,
    inner text and width unchanged; NULL when nothing is left.
    """
    return _strip(expr, empty_is_null=True)


def clean_id(expr: str) -> str:
    """Read an identifier: width-folded and trimmed, case kept.

    Accepts a VARCHAR expression; returns VARCHAR: :func:`fold_width` then trimmed as in
    :func:`clean_text` (``Ｃ００１`` → ``C001``); NULL when nothing is left.
    """
    return _strip(fold_width(expr), empty_is_null=True)


def is_blank(expr: str) -> str:
    """Whether a raw value means "no value", for every kind.

    Accepts a VARCHAR expression; returns BOOLEAN, never NULL: true for NULL, the empty or
    all-whitespace string, and (after width folding and trimming, case-insensitive) ``-``,
    ``--``, ``—``, ``——``, ``/``, ``N/A`` and ``null``. A rule returning NULL where this is
    false means the value is unreadable.
    """
    return f"COALESCE(regexp_full_match({fold_width(expr)}, {sql_literal(_BLANK_RE)}), true)"


def parse_money_is_blank(expr: str) -> str:
    """Whether a raw amount means "no value": the same test as :func:`is_blank`.

    Accepts a VARCHAR expression; returns BOOLEAN, true for NULL, whitespace, ``-``, ``--``,
    ``—``, ``——``, ``/``, ``N/A``, ``null``.
    """
    return is_blank(expr)


def is_totals_label(expr: str) -> str:
    """Whether a cell labels a totals row.

    Accepts a VARCHAR expression; returns BOOLEAN (false for NULL): true when the text,
    width-folded and trimmed, is 合计, 总计, 小计, 总合计, 本页合计 (spaces allowed between the
    characters, e.g. ``合 计``), Total(s), Grand Total, Subtotal or Sum in any case, optionally
    followed by ``:`` or ``：``.
    """
    return f"COALESCE(regexp_full_match({fold_width(expr)}, {sql_literal(_TOTALS_RE)}), false)"


# --- numbers -------------------------------------------------------------------------------

_NUMBER_FIELDS = ("s1", "p1", "c1", "s2", "p2", "int", "frac", "exp", "scale", "unit", "q", "s3")


def _number_pattern(prefix: str, scale: bool, suffix: str) -> str:
    """Return one regular expression for a number as exports write it (width-folded).

    Groups: sign, "(", prefix word, sign, "(", integer digits (plain, or grouped by 3 with
    commas or with spaces), fraction, exponent, 万/亿/千, suffix word, ")", trailing minus.
    """
    return (
        r"(?i)^\s*([-+]?)\s*(\(?)\s*(" + prefix + r")\s*([-+]?)\s*(\(?)\s*"
        r"(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+|)(\.\d*|)(?:e([-+]?\d{1,3}))?"
        r"\s*(" + ("[万亿千]?" if scale else "") + r")\s*(" + suffix + r")\s*(\)?)\s*(-?)\s*$"
    )


_MONEY_PATTERN = _number_pattern(f"(?:{_CURRENCY_WORDS})?", True, f"(?:{_CURRENCY_WORDS})?")
_INTEGER_PATTERN = _number_pattern("", True, f"(?:{_COUNT_UNITS})?")
_PERCENT_PATTERN = _number_pattern("", False, "%?")
# Plain numbers, the bulk of real data, skip the general path.
_FAST_DECIMAL = sql_literal(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")
_FAST_INTEGER = sql_literal(r"-?\d{1,18}")


class _Number:
    """SQL pieces of one number, read from the struct of a :func:`_number_pattern` pass."""

    def __init__(self, struct: str) -> None:
        self.f = _fields(struct, _NUMBER_FIELDS)

    @property
    def valid(self) -> str:
        """Require a digit, at most one sign, balanced parentheses, not sign and parentheses."""
        f = self.f
        signs = f"{f['s1']} || {f['s2']} || {f['s3']}"
        return (
            f"(({f['int']} <> '' OR length({f['frac']}) > 1) AND length({signs}) <= 1 "
            f"AND length({f['p1']} || {f['p2']}) = length({f['q']}) "
            f"AND ({f['q']} = '' OR {signs} = ''))"
        )

    def exponent(self, shift: int) -> str:
        """Return the power of ten: written exponent + 万/亿/千 suffix + ``shift``."""
        f = self.f
        scale = " ".join(f"WHEN {sql_literal(k)} THEN {v}" for k, v in _SCALE_EXPONENTS.items())
        return (
            f"(CASE WHEN {f['exp']} = '' THEN 0 ELSE TRY_CAST({f['exp']} AS INTEGER) END "
            f"+ CASE {f['scale']} {scale} ELSE 0 END + {shift})"
        )

    def text(self, shift: int = 0) -> str:
        """Return the number as plain ASCII ``-digits.digitsE±n``, ready for a cast."""
        f = self.f
        negative = f"({f['s1']} || {f['s2']} || {f['s3']} = '-' OR {f['q']} = ')')"
        return (
            f"(CASE WHEN {negative} THEN '-' ELSE '' END "
            f"|| replace(replace({f['int']}, ',', ''), ' ', '') || {f['frac']} "
            f"|| 'e' || {self.exponent(shift)})"
        )


def _read_number(
    expr: str,
    pattern: str,
    general: Callable[[_Number], str],
    fast: tuple[str, Callable[[str], str]] | None = None,
) -> str:
    """Return the SQL reading ``expr`` as a number: the fast path, else one regex pass.

    ``fast`` is a full-match pattern (a SQL literal) and the SQL of the value for text that
    matches it; ``general`` gives the value from the fields of ``pattern``.
    """

    def slow(v: str) -> str:
        struct = _extract(_fold_number(v), pattern, _NUMBER_FIELDS)
        return _let(struct, "_ka_num", lambda n: general(_Number(n)))

    if fast is None:
        return slow(expr)
    test, value = fast
    return _let(
        expr,
        "_ka_in",
        lambda v: f"CASE WHEN regexp_full_match({v}, {test}) THEN {value(v)} ELSE {slow(v)} END",
    )


def _power_of_ten(multiplier: int) -> int:
    if isinstance(multiplier, bool) or not isinstance(multiplier, int) or multiplier < 1:
        raise ValueError(f"multiplier must be a positive power of ten, not {multiplier!r}")
    text = str(multiplier)
    if text.rstrip("0") != "1" or len(text) > 13:
        raise ValueError(f"multiplier must be a power of ten from 1 to 10**12, not {multiplier}")
    return len(text) - 1


def parse_money(expr: str, multiplier: int = 1) -> str:
    """Read an amount of money.

    Accepts a VARCHAR expression and ``multiplier``, the scale the header declares (see
    :func:`unit_multiplier`): a power of ten from 1 to 10**12 (ValueError otherwise), applied
    by shifting the decimal point so the result stays exact. Returns DECIMAL(18,4): digits
    with optional thousands separators (commas, or spaces, grouping by exactly three: ``1,5``
    is unreadable, not 15), full-width digits and punctuation, a currency sign or word before
    or after (¥ ￥ RMB CNY 元 人民币 $ US$ USD HK$ HKD 港币 € EUR £ GBP JPY 日元), a 万 / 亿 / 千
    suffix (×10⁴ / ×10⁸ / ×10³), an exponent (``1.2e3``), and a sign: leading ``+``/``-``/``−``,
    a trailing ``-`` or accounting parentheses ``(1,234.56)``. Rounded half away from zero to
    4 decimals, arithmetic in decimal (never via DOUBLE). NULL for blanks (:func:`is_blank`),
    unreadable text, and results whose absolute value is ≥ 10**14.
    """
    shift = _power_of_ten(multiplier)
    suffix = f" || 'e{shift}'" if shift else ""
    return _read_number(
        expr,
        _MONEY_PATTERN,
        lambda n: f"CASE WHEN {n.valid} THEN TRY_CAST({n.text(shift)} AS DECIMAL(18,4)) END",
        (_FAST_DECIMAL, lambda v: f"TRY_CAST(replace({v}, ',', ''){suffix} AS DECIMAL(18,4))"),
    )


def money_currency(expr: str) -> str:
    """Name the ISO currency code that a sign or word in an amount implies.

    Accepts a VARCHAR expression; returns VARCHAR, from the first currency mark in the text
    (width-folded, any case): ¥ ￥ RMB CNY 元 人民币 → ``CNY`` (``¥`` alone means CNY in this
    product, not JPY); $ US$ USD 美元 美金 → ``USD``; HK$ HKD 港币 港元 → ``HKD``; € EUR 欧元 →
    ``EUR``; £ GBP 英镑 → ``GBP``; JPY 日元 → ``JPY``. NULL when the text has none.
    """
    pattern = sql_literal(f"(?i)(hk\\$|us\\$|{_CURRENCY_WORDS})")
    token = f"lower(regexp_extract({fold_width(expr)}, {pattern}, 1))"
    pairs = [(word, code) for code, words in _CURRENCY_CODES.items() for word in words]
    return _lookup(token, [w for w, _ in pairs], [sql_literal(c) for _, c in pairs])


def parse_number(expr: str) -> str:
    """Read a measurement or estimate.

    Accepts a VARCHAR expression; returns DOUBLE (the nearest double to the written decimal):
    the forms :func:`parse_money` accepts (separators, full width, currency marks, 万/亿/千
    suffixes, exponent, signs, parentheses). NULL for blanks, unreadable text and values that
    overflow a DOUBLE.
    """

    def general(n: _Number) -> str:
        value = f"TRY_CAST({n.text()} AS DOUBLE)"
        return f"CASE WHEN {n.valid} AND isfinite({value}) THEN {value} END"

    return _read_number(
        expr,
        _MONEY_PATTERN,
        general,
        (_FAST_DECIMAL, lambda v: f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"),
    )


def parse_integer(expr: str) -> str:
    """Read a count.

    Accepts a VARCHAR expression; returns BIGINT for integer-valued numbers: ``30``,
    ``30.0``, ``1,200``, ``３０``, ``1.2万``, with an optional count unit (天 日 个 次 家 笔 件 人,
    ``day``/``days``): ``30天``, ``30 days``. NULL for blanks, unreadable text, numbers with a
    fractional part (``30.5``) and values outside BIGINT.
    """

    def general(n: _Number) -> str:
        exponent = n.exponent(0)
        as_double = f"TRY_CAST({n.text()} AS DOUBLE)"
        # Integer-valued: the fraction's significant digits all move left of the point.
        whole = (
            f"(length(rtrim(ltrim({n.f['frac']}, '.'), '0')) <= {exponent} "
            f"OR ({exponent} < 0 AND {as_double} = round({as_double})))"
        )
        return f"CASE WHEN {n.valid} AND {whole} THEN TRY_CAST({n.text()} AS BIGINT) END"

    return _read_number(
        expr, _INTEGER_PATTERN, general, (_FAST_INTEGER, lambda v: f"TRY_CAST({v} AS BIGINT)")
    )


def parse_percent(expr: str) -> str:
    """Read a share, as a fraction.

    Accepts a VARCHAR expression; returns DOUBLE. With a ``%`` (or ``％``) sign the number is
    divided by 100 (``25%``, ``25 %``, ``２５％`` → 0.25, ``-5%`` → -0.05). Without it, a value
    in [-1, 1] is already a fraction (``0.25`` → 0.25) and any other value is a percentage
    (``25`` → 0.25). Separators, signs and parentheses as in :func:`parse_money`. NULL for
    blanks and unreadable text.
    """

    def general(n: _Number) -> str:
        as_written = f"TRY_CAST({n.text()} AS DOUBLE)"
        is_percentage = f"({n.f['unit']} = '%' OR abs({as_written}) > 1)"
        value = (
            f"CASE WHEN {is_percentage} THEN TRY_CAST({n.text(-2)} AS DOUBLE) ELSE {as_written} END"
        )
        return f"CASE WHEN {n.valid} AND isfinite({as_written}) THEN {value} END"

    return _read_number(expr, _PERCENT_PATTERN, general)


# --- dates -------------------------------------------------------------------------------

_TIME = (
    r"(?:(?:\s+|t)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
    r"\s*(?:[ap]m|z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?"
)
_DATE_PATTERN = (
    r"(?i)^\s*(?:(?:"
    r"([1-9]\d{3})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})(?:\s*日)?"
    r"|([1-9]\d{3})(\d{2})(\d{2})"
    r"|(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*([-/.])\s*([1-9]\d{3})"
    r")" + _TIME + r"|(\d{1,7})(?:\.\d*)?)\s*$"
)
_DATE_FIELDS = ("y", "s", "m", "t", "d", "y8", "m8", "d8", "a", "sa", "b", "sb", "yl", "serial")
# Forms DuckDB's own cast reads (and rejects impossible dates in): 2024-03-05, 2024-3-5, 2024/3/5.
_FAST_DATE = sql_literal(r"[1-9]\d{3}-\d{1,2}-\d{1,2}|[1-9]\d{3}/\d{1,2}/\d{1,2}")
_MONTH_PATTERN = (
    r"^\s*(?:([1-9]\d{3})\s*[-/.年]\s*(\d{1,2})\s*月?|([1-9]\d{3})(\d{2})"
    r"|(\d{1,2})\s*[-/.]\s*([1-9]\d{3}))\s*$"
)
_MONTH_FIELDS = ("y", "m", "y6", "m6", "ml", "yl")
_YEAR_PATTERN = sql_literal(r"(?i)^\s*(?:fy\s*)?([1-9]\d{3})(?:\.0*)?\s*(?:年度?|财年)?\s*$")


def _check_order(order: str) -> None:
    if order not in _DATE_ORDERS:
        raise ValueError(f"order must be one of {', '.join(_DATE_ORDERS)}, not {order!r}")


def _date_from_folded(folded: str, order: str) -> str:
    def body(struct: str) -> str:
        f = _fields(struct, _DATE_FIELDS)
        same_separators = f"({f['s']} = {f['t']} OR ({f['s']} = '年' AND {f['t']} = '月'))"
        year_first = (
            f"TRY_CAST({f['y']} || {f['y8']} || '-' || {f['m']} || {f['m8']} || '-' "
            f"|| {f['d']} || {f['d8']} AS DATE)"
        )
        serial = f"TRY_CAST(NULLIF({f['serial']}, '') AS INTEGER)"
        branches = [
            f"WHEN {f['y']} <> '' AND {same_separators} THEN {year_first}",
            f"WHEN {f['y8']} <> '' THEN {year_first}",
            f"WHEN {serial} BETWEEN 1 AND {_EXCEL_MAX_SERIAL} THEN {_EXCEL_EPOCH} + {serial}",
        ]
        if order != "ymd":
            month, day = (f["a"], f["b"]) if order == "mdy" else (f["b"], f["a"])
            branches.append(
                f"WHEN {f['yl']} <> '' AND {f['sa']} = {f['sb']} "
                f"THEN TRY_CAST({f['yl']} || '-' || {month} || '-' || {day} AS DATE)"
            )
        return f"CASE {' '.join(branches)} END"

    return _let(_extract(folded, _DATE_PATTERN, _DATE_FIELDS), "_ka_date", body)


def parse_date(expr: str, order: str = "ymd") -> str:
    """Read a calendar day.

    Accepts a VARCHAR expression and ``order`` (``ymd``, ``mdy`` or ``dmy``; ValueError
    otherwise). Returns DATE for, after width folding: year first with ``-``, ``/``, ``.`` or
    年/月/日 (``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``), ``20240305``,
    each optionally followed by a time (``14:30``, ``14:30:00.000``, ``T14:30:00Z``,
    ``+08:00``, ``PM``) that is ignored, so the calendar date is kept as written; Excel serial
    numbers of the 1900 date system (day 0 = 1899-12-30), written as 1 to 7 digits with an
    optional fraction (the time of day), from 1 to 2958465; and, only when ``order`` is
    ``mdy`` or ``dmy``, the trailing-year forms ``3/5/2024`` / ``05-03-2024``, which are
    ambiguous and so NULL under the default. NULL for blanks, impossible dates
    (``2024-02-30``), two-digit years, years before 1000 and anything else.
    """
    _check_order(order)
    return _let(
        expr,
        "_ka_in",
        lambda v: (
            f"CASE WHEN regexp_full_match({v}, {_FAST_DATE}) THEN TRY_CAST({v} AS DATE) "
            f"ELSE {_date_from_folded(fold_width(v), order)} END"
        ),
    )


def parse_month(expr: str, order: str = "ymd") -> str:
    """Read a calendar month, as its first day.

    Accepts a VARCHAR expression and ``order`` (as in :func:`parse_date`, for full dates).
    Returns DATE, the first of the month, for ``2024-03``, ``2024/3``, ``2024.03``,
    ``2024年3月``, ``202403`` (six digits are always year and month), ``03/2024``, and any
    text :func:`parse_date` reads (``2024-03-15``, Excel serials), which gives its month.
    NULL for blanks, month 0 or 13, and unreadable text.
    """
    _check_order(order)

    def body(folded: str, struct: str) -> str:
        f = _fields(struct, _MONTH_FIELDS)
        year = f"{f['y']} || {f['y6']} || {f['yl']}"
        month = f"{f['m']} || {f['m6']} || {f['ml']}"
        return (
            f"CASE WHEN {year} <> '' THEN TRY_CAST({year} || '-' || {month} || '-01' AS DATE) "
            f"ELSE CAST(date_trunc('month', {_date_from_folded(folded, order)}) AS DATE) END"
        )

    return _let(
        fold_width(expr),
        "_ka_fold",
        lambda folded: _let(
            _extract(folded, _MONTH_PATTERN, _MONTH_FIELDS),
            "_ka_month",
            lambda struct: body(folded, struct),
        ),
    )


def parse_year(expr: str) -> str:
    """Read a calendar year.

    Accepts a VARCHAR expression; returns INTEGER for ``2024``, ``2024年``, ``2024年度``,
    ``2024财年``, ``2024.0``, ``FY2024``, ``FY 2024``, ``２０２４``. NULL for blanks, years
    outside 1900..2200, and anything else.
    """
    digits = f"NULLIF(regexp_extract({fold_width(expr)}, {_YEAR_PATTERN}, 1), '')"
    return _let(
        f"TRY_CAST({digits} AS INTEGER)",
        "_ka_year",
        lambda year: f"CASE WHEN {year} BETWEEN 1900 AND 2200 THEN {year} END",
    )


# --- flags and categories ------------------------------------------------------------------


def parse_flag(expr: str) -> str:
    """Read yes or no.

    Accepts a VARCHAR expression; returns BOOLEAN. Compared trimmed, width-folded and in any
    case: true for 是, Y, yes, true, T, 1, 1.0, √, ✓, ✔, 有, 对; false for 否, N, no, false,
    F, 0, 0.0, ×, ✗, ✘, 无, 错. NULL for blanks and anything else (``x`` is ambiguous: a
    cross for "no" or a tick for "yes").
    """
    results = ["true"] * len(_FLAG_TRUE) + ["false"] * len(_FLAG_FALSE)
    return _lookup(_key(expr), (*_FLAG_TRUE, *_FLAG_FALSE), results)


def parse_category(
    expr: str, values: Mapping[str, Sequence[str]], open_values: bool = False
) -> str:
    """Read one of a fixed set of values.

    Accepts a VARCHAR expression, ``values`` mapping each canonical value to its spellings
    (as ``Column.values`` in ``schema.py``) and ``open_values``. Returns VARCHAR: the
    canonical value whose name or spelling equals the text, both compared trimmed,
    width-folded and lower-cased. An unknown value gives NULL, or, when ``open_values``, the
    text trimmed, width-folded and lower-cased. NULL for NULL and empty text. ValueError when
    one spelling names two canonical values.
    """
    owner: dict[str, str] = {}
    for canonical, spellings in values.items():
        for spelling in (canonical, *spellings):
            key = _py_key(spelling)
            if owner.setdefault(key, canonical) != canonical:
                raise ValueError(
                    f"spelling {spelling!r} maps to both {owner[key]!r} and {canonical!r}"
                )
    owner.pop("", None)
    keys = list(owner)
    results = [sql_literal(owner[k]) for k in keys]
    if not open_values:
        return _lookup(_key(expr), keys, results) if keys else "CAST(NULL AS VARCHAR)"
    if not keys:
        return f"NULLIF({_key(expr)}, '')"
    return _let(
        _key(expr), "_ka_key", lambda k: f"COALESCE({_lookup(k, keys, results)}, NULLIF({k}, ''))"
    )


# --- headers -------------------------------------------------------------------------------

# Where a header keeps its unit, tried in this order: brackets at the end, after a slash,
# after the last space.
_UNIT_PLACES = (
    re.compile(r"[(\[【]([^)\]】]*)[)\]】]\s*$"),
    re.compile(r"/([^/]*)$"),
    re.compile(r"\s(\S+)$"),
)
_ATTACHED_UNIT = re.compile(r"((?:[十百千]?[万亿]|千)元)$")
_UNIT_CURRENCY = re.compile(
    r"人民币|rmb|cny|usd|美元|hkd|港币|港元|eur|欧元|gbp|英镑|jpy|日元|元|[¥$€£]|^in\s+"
)
_CHINESE_SCALE = re.compile(r"([十百千]?)([万亿])|(千)")
_ENGLISH_SCALES = {
    "10k": 10_000,
    "thousand": 1_000,
    "thousands": 1_000,
    "'000": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
}
_CHINESE_DIGITS = {"": 1, "十": 10, "百": 100, "千": 1_000, "万": 10_000, "亿": 100_000_000}


def unit_multiplier(header: str) -> int:
    """Return the scale that a raw header declares for its amounts (pure Python).

    Accepts a header as found in the export. Looks at its unit: text in brackets at the end
    (``金额(万元)``, ``金额（万元）``, ``Amount (10k CNY)``), after the last ``/``
    (``销售额/万元``) or after the last space (``金额 万``), or an attached ``万元`` / ``亿元`` /
    ``千元`` ending (``销售额万元``). Returns 10000 for 万, 100000000 for 亿, 1000 for 千 and
    "thousand(s)" / ``'000``, 10**6 for 百万 and "million(s)", 10**7 for 千万, 10**9 for
    "billion(s)", 10000 for ``10k``; a currency word beside the scale is ignored. Returns 1
    otherwise (``金额``, ``金额(元)``; a lone ``k`` is too ambiguous to mean thousands).
    """
    text = unicodedata.normalize("NFKC", header).strip().lower()
    places = (place.search(text) for place in (*_UNIT_PLACES, _ATTACHED_UNIT))
    match = next((m for m in places if m is not None), None)
    unit = match.group(1) if match else ""
    unit = re.sub(r"\s+", "", _UNIT_CURRENCY.sub("", unit.strip()))
    if unit in _ENGLISH_SCALES:
        return _ENGLISH_SCALES[unit]
    scale = _CHINESE_SCALE.fullmatch(unit)
    if scale is None:
        return 1
    if scale.group(3):
        return 1_000
    return _CHINESE_DIGITS[scale.group(1)] * _CHINESE_DIGITS[scale.group(2)]


# --- running a rule --------------------------------------------------------------------------


def evaluate(rule: Rule, value: str | None, **kwargs: Any) -> Any:
    """Run one rule on one Python value and return the Python result.

    Accepts a rule of this module (``parse_money``, ...), the raw ``value`` (a string, or
    None for SQL NULL) and the rule's keyword arguments. Runs
    ``SELECT <rule('v', **kwargs)> FROM (SELECT ?::VARCHAR AS v)`` on a cached in-memory
    DuckDB connection, with ``value`` bound as a parameter, and returns the single value
    (``Decimal``, ``datetime.date``, ``bool``, ``int``, ``float``, ``str`` or None).
    """
    global _connection
    sql = f"SELECT {rule('v', **kwargs)} FROM (SELECT ?::VARCHAR AS v)"
    with _lock:
        if _connection is None:
            _connection = duckdb.connect(":memory:")
        row = _connection.execute(sql, [value]).fetchone()
    return None if row is None else row[0]
