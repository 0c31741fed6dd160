"""Words and number formats of the report, in Chinese (zh_CN) or English (en).

Every sentence, label and axis title is an English message id looked up in the gettext
catalogs beside this module (``zh_CN/*.po``, ``en/*.po``), one ``.po`` file per report
module so that they stay small. The catalogs are compiled in memory when first used, so the
repository holds text only. A message no catalog translates falls back to its English id;
a test keeps every id used in ``report/`` translated in ``zh_CN``.

Numbers follow the locale's grouping (Babel); Chinese reports may write large amounts in
万 and 亿 (``report.cn_units``); dates are written as the locale writes them
(2026年9月30日, 30 Sep 2026).
"""

from __future__ import annotations

import gettext
import io
import math
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
CATALOG_DIR = Path(__file__).parent
BABEL_LOCALE = {"zh": "zh_CN", "en": "en"}
# "1.00 万元" → "1 万元", "2.50 亿元" → "2.5 亿元" (zeros after the decimal point, before a unit).
TRAILING_ZEROS = re.compile(r"(\d)(?:\.0+|(\.\d*?[1-9])0+)(?=\s|$)")
# A space between two Chinese characters, or after Chinese punctuation (。，：、“ …).
CJK_GAP = re.compile(
    r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])|(?<=[\u3001-\u303f\uff01-\uff60“”]) +"
)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where it is used."""
    return message


@cache
def translations(lang: Lang) -> gettext.NullTranslations:
    """The merged gettext catalogs of ``lang`` (every ``.po`` of its folder)."""
    folder = CATALOG_DIR / BABEL_LOCALE[lang]
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=BABEL_LOCALE[lang])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = gettext.GNUTranslations(buffer)
        part.add_fallback(merged)
        merged = part
    return merged


class Locale:
    """Translation and number formats for one report language."""

    def __init__(self, lang: Lang = "zh", cn_units: bool = True, currency: str | None = None):
        if lang not in LANGS:
            raise ValueError(f"unknown report language {lang!r}; use one of {', '.join(LANGS)}")
        self.lang: Lang = lang
        self.cn_units = cn_units and lang == "zh"
        self.currency = currency
        self._babel = BABEL_LOCALE[lang]
        self._catalog = translations(lang)

    def _(self, message: str) -> str:
        """``message`` (an English message id) in this language."""
        return self._catalog.gettext(message)

    def word(self, words: Mapping[str, str], code: object) -> str:
        """The translated word for a code (a band, a driver, a state); the code itself if none."""
        key = str(code)
        return self._(words[key]) if key in words else key

    def tidy(self, text: str) -> str:
        """A finished sentence: in Chinese no space between two Chinese characters.

        Catalog sentences put spaces around placeholders (收入 {share} 的); when the value ends
        in a Chinese unit (719.4 万元) the space before the next character must go, and so
        must the space that joins two sentences after a Chinese full stop.
        """
        return CJK_GAP.sub("", text) if self.lang == "zh" else text

    def join(self, items: list[str] | tuple[str, ...]) -> str:
        """A short list as the language writes it: A、B、C / A, B, C."""
        return ("、" if self.lang == "zh" else ", ").join(items)

    # -- numbers ---------------------------------------------------------------------------

    def number(self, value: float | None, digits: int = 0) -> str:
        """``value`` with the locale's grouping and ``digits`` decimals; '–' when missing."""
        if _missing(value):
            return "–"
        assert value is not None
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self._babel)

    def count(self, value: float | None) -> str:
        """A whole count: 1,234."""
        return self.number(value, 0)

    def amount(self, value: float | None) -> str:
        """Money to the cent, as in tables: 1,234,567.89."""
        return self.number(value, 2)

    def money_tick(self, value: float | None) -> str:
        """:meth:`money` for an axis tick: no trailing zeros (1 万元, 2.5 亿元, 10 m)."""
        return TRAILING_ZEROS.sub(r"\1\2", self.money(value))

    def money(self, value: float | None) -> str:
        """Money short enough for a sentence: 4.62 亿元 / 152.5 万元 in Chinese, 462.0 m in English.

        Chinese keeps three or four significant figures in 万 (1,617 万元, 362.7 万元, 7.53 万元)
        and names the currency (元 for CNY, else its code); English leaves the currency to the
        report's header.
        """
        if _missing(value):
            return "–"
        assert value is not None
        size = abs(value)
        yuan = "元" if self.currency in (None, "CNY", "RMB") else f" {self.currency}"
        if self.cn_units:
            if size >= 1e8:
                return f"{self.number(value / 1e8, 2)} 亿{yuan}"
            if size >= 1e4:
                # 1,617 万元 / 362.7 万元 / 7.53 万元: three or four significant figures
                digits = 0 if size >= 1e7 else 1 if size >= 1e6 else 2
                return f"{self.number(value / 1e4, digits)} 万{yuan}"
            return f"{self.number(value, 0)} {yuan.strip()}"
        if self.lang == "zh":
            return f"{self.number(value, 0)} {yuan.strip()}"
        for unit, scale in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
            if size >= scale:
                return f"{self.number(value / scale, 1)} {unit}"
        return self.number(value, 0)

    def percent(self, value: float | None, digits: int = 1) -> str:
        """A share or rate: 0.331 → 33.1%."""
        if _missing(value):
            return "–"
        assert value is not None
        return f"{self.number(value * 100, digits)}%"

    def signed_percent(self, value: float | None, digits: int = 1) -> str:
        """A change with its sign: +5.2% / −3.1%."""
        if _missing(value):
            return "–"
        assert value is not None
        text = self.percent(value, digits)
        if text.lstrip("-") == self.percent(0.0, digits):
            return self.percent(0.0, digits)  # no "-0.0%" for a change that rounds to nothing
        return ("+" if value > 0 else "") + text

    def points(self, value: float | None, digits: int = 1) -> str:
        """A change of a share in percentage points: −0.15 → −15.0 pt / −15.0 个百分点."""
        if _missing(value):
            return "–"
        assert value is not None
        sign = "+" if value > 0 else ""
        return self._("{n} pt").format(n=sign + self.number(100 * value, digits))

    def ratio(self, value: float | None, digits: int = 1) -> str:
        """A multiple: 9.92 → 9.9×."""
        if _missing(value):
            return "–"
        return f"{self.number(value, digits)}×"

    def months(self, value: float | None) -> str:
        """A duration in months: 8.3 个月 / 8.3 months."""
        if _missing(value):
            return "–"
        return self._("{n} months").format(n=self.number(value, 1))

    def date(self, value: date | str | None) -> str:
        """A day as the locale writes it: 2026年9月30日 / 30 Sep 2026."""
        if value is None:
            return "–"
        day = date.fromisoformat(value) if isinstance(value, str) else value
        pattern = "y年M月d日" if self.lang == "zh" else "d MMM y"
        return format_date(day, format=pattern, locale=self._babel)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value)))
