"""Money fetched from the engine: exact 1/10000 units and floats without Python objects.

Amounts are DECIMAL(18,4) in the workspace. Identities that must add up to the cent (the
revenue bridge, MRR) work in integer units of 1/10000; figures that only rank or share use
floats rounded exactly as ``float(Decimal)`` would round them. Both read Arrow's decimal
buffers directly, because turning millions of values into Python ``Decimal`` objects (what
``execute()`` does) dominates the time of a per-account analysis at 200,000 accounts.
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.formats.pandas import PandasData

UNITS = 10_000  # money is exact to 1/10000 of the currency unit (DECIMAL(18,4))


def exact_units(values: pa.ChunkedArray) -> np.ndarray:
    """Decimal amounts (no nulls) as int64 1/10000 units, exactly.

    Reads the unscaled 128-bit integers of ``decimal128(38, 4)`` directly; raises
    OverflowError when one does not fit in 64 bits.
    """
    array = values.combine_chunks().cast(pa.decimal128(38, 4))
    if array.null_count:
        raise ValueError("amounts must not be null")
    words = np.frombuffer(array.buffers()[1], dtype="<i8").reshape(-1, 2)
    words = words[array.offset : array.offset + len(array)]
    low, high = words[:, 0], words[:, 1]
    if not np.array_equal(high, low >> 63):
        raise OverflowError("an amount does not fit in 64-bit 1/10000 units")
    return low.astype("int64")


def decimal_floats(values: pa.ChunkedArray) -> np.ndarray:
    """Amounts fetched with ``to_pyarrow`` as floats, nulls as NaN.

    Decimals are rounded exactly as ``float(Decimal)`` rounds them (what ``execute`` and
    ``astype(float)`` give), without building a Python object per value.
    """
    array = values.combine_chunks()
    if not pa.types.is_decimal(array.type):
        return np.asarray(array.to_numpy(zero_copy_only=False), dtype="float64")
    missing = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    try:
        units = exact_units(pa.chunked_array([array.fill_null(pa.scalar(0, array.type))]))
    except (pa.ArrowInvalid, OverflowError):
        units = None
    if units is None or np.abs(units).max(initial=0) >= 2**53:
        # Beyond exact float64 integers: convert value by value.
        return np.array(
            [math.nan if v is None else float(v) for v in array.to_pylist()], dtype="float64"
        )
    floats = units / UNITS  # both exact in float64, so the quotient is correctly rounded
    floats[missing] = math.nan
    return floats


def float_frame(expr: ir.Table) -> pd.DataFrame:
    """``expr.execute()`` with its decimal columns as floats (as :func:`decimal_floats`).

    The other columns are converted exactly as ``execute`` converts them; the decimals skip
    the Python ``Decimal`` object per value.
    """
    schema = expr.schema()
    decimals = [name for name, kind in schema.items() if kind.is_decimal()]
    if not decimals:
        return expr.execute()
    fetched = expr.to_pyarrow()
    others = [name for name in schema.names if name not in decimals]
    frame = PandasData.convert_table(
        fetched.select(others).to_pandas(), ibis.schema({n: schema[n] for n in others})
    )
    for name in decimals:
        frame[name] = decimal_floats(fetched[name])
    return frame[list(schema.names)]
