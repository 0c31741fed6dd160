"""Text for the exports, vectorised: labels, ids, and dates and amounts in mixed styles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.days import ymd


def pick_labels(options: Sequence[str], index: Arr) -> Arr:
    """``options[index]`` as an object array (index -1 gives None)."""
    table = np.array([*options, None], dtype=object)
    return table[np.where(np.asarray(index) < 0, len(options), index)]


def concat(*parts: Arr | str) -> Arr:
    """Element-wise string concatenation of object arrays and constants."""
    arrays = [p if isinstance(p, str) else pa.array(p, type=pa.string()) for p in parts]
    return np.asarray(
        pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False), dtype=object
    )


def int_text(values: Arr) -> Any:
    """Integers as text."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def pad(values: Arr, width: int) -> Any:
    """Integers as text, zero-padded to ``width``."""
    return pc.utf8_lpad(int_text(values), width=width, padding="0")


def null_where(text: Any, null: Arr) -> Any:
    """``text`` with nulls (empty cells) where ``null`` is true."""
    return pc.if_else(pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, pa.string()), text)


def id_text(prefix: str, numbers: Arr, width: int) -> Any:
    """Ids like KH000001: ``prefix`` and the number zero-padded to ``width``."""
    return pc.binary_join_element_wise(prefix, pad(numbers, width), "")


DATE_SLASH, DATE_ISO, DATE_COMPACT, DATE_CHINESE = range(4)


def date_text(days: Arr, style: Arr | int = DATE_ISO) -> Any:
    """Dates as text in each row's style; days < 0 give empty cells."""
    days = np.asarray(days, dtype=np.int64)
    style = np.broadcast_to(np.asarray(style), days.shape)
    y, m, d = ymd(np.maximum(days, 0))
    ys, ms, ds, mp, dp = int_text(y), int_text(m), int_text(d), pad(m, 2), pad(d, 2)
    text = pc.case_when(
        pc.make_struct(
            pa.array(style == DATE_SLASH),
            pa.array(style == DATE_COMPACT),
            pa.array(style == DATE_CHINESE),
        ),
        pc.binary_join_element_wise(ys, ms, ds, "/"),
        pc.binary_join_element_wise(ys, mp, dp, ""),
        pc.binary_join_element_wise(ys, "年", ms, "月", ds, "日", ""),
        pc.binary_join_element_wise(ys, mp, dp, "-"),
    )
    return null_where(text, days < 0)


MONEY_GROUPED, MONEY_YUAN_SIGN, MONEY_PLAIN = range(3)


def money_text(cents: Arr, style: Arr | int = MONEY_GROUPED) -> Any:
    """Amounts in cents as text: 1,234.56 / ¥1,234.56 / 1234.56 (negatives never carry ¥)."""
    cents = np.asarray(cents, dtype=np.int64)
    style = np.broadcast_to(np.asarray(style), cents.shape)
    yuan, fen = np.divmod(np.abs(cents), 100)
    fen_text = pad(fen, 2)
    plain = pc.binary_join_element_wise(int_text(yuan), fen_text, ".")
    g0, g1, g2 = pad(yuan % 1000, 3), pad(yuan // 1000 % 1000, 3), pad(yuan // 10**6 % 1000, 3)
    grouped = pc.case_when(
        pc.make_struct(pa.array(yuan >= 10**9), pa.array(yuan >= 10**6), pa.array(yuan >= 1000)),
        pc.binary_join_element_wise(int_text(yuan // 10**9), g2, g1, g0, ","),
        pc.binary_join_element_wise(int_text(yuan // 10**6), g1, g0, ","),
        pc.binary_join_element_wise(int_text(yuan // 1000), g0, ","),
        int_text(yuan),
    )
    grouped = pc.binary_join_element_wise(grouped, fen_text, ".")
    text = pc.case_when(
        pc.make_struct(
            pa.array((style == MONEY_YUAN_SIGN) & (cents >= 0)), pa.array(style == MONEY_PLAIN)
        ),
        pc.binary_join_element_wise("¥", grouped, ""),
        plain,
        grouped,
    )
    return pc.if_else(pa.array(cents < 0), pc.binary_join_element_wise("-", text, ""), text)


def decimal_text(values: Arr, decimals: int) -> Any:
    """Non-negative numbers with a fixed number of decimals, no separators."""
    scaled = np.rint(np.asarray(values, dtype=float) * 10**decimals).astype(np.int64)
    whole, frac = np.divmod(scaled, 10**decimals)
    return pc.binary_join_element_wise(int_text(whole), pad(frac, decimals), ".")
