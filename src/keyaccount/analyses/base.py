"""What every analysis returns: a frozen result of figures and tables, plus findings.

A result holds numbers and DataFrames, never sentences or HTML. ``figures()`` flattens it
into ``{"top1_share": 0.33, …}`` for the JSON output, where each figure is published under
``<analysis>.<name>`` (``concentration.top1_share``) as docs/metrics.md names it. Findings
are language-neutral facts (a code, a severity, the numbers behind it and the accounts it
concerns) that the report turns into Chinese or English sentences.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

Severity = Literal["info", "warning", "alert"]
Scalar = float | int | str | bool | None


@dataclass(frozen=True)
class Finding:
    """A fact worth a sentence: ``code`` names it, ``values`` carry its numbers."""

    code: str
    severity: Severity
    values: Mapping[str, Scalar]
    subjects: tuple[str, ...] = ()


def plain(value: Any) -> Any:
    """A JSON-ready version of a figure: Decimal → float, date → ISO text, NaN → None."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, pd.DataFrame):
        return plain(value.item())
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records."""
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass(frozen=True)
class Result:
    """Base of every analysis result. Subclasses are frozen dataclasses of figures."""

    findings: tuple[Finding, ...]

    def figures(self) -> dict[str, Any]:
        """Every field but ``findings`` as JSON-ready values (tables as lists of records)."""
        return {
            f.name: jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name != "findings"
        }


def jsonable(value: Any) -> Any:
    """A figure as JSON-ready data: frames → records, dataclasses and mappings → dicts."""
    if isinstance(value, pd.DataFrame):
        return frame_records(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return plain(value)


def dense_rank(keys: pd.Series) -> np.ndarray:
    """Dense rank of ``keys`` as text in code point order: equal keys share a rank.

    Unlike :func:`string_rank` it can serve as a leading :func:`numpy.lexsort` key (ties by
    account, then by unit id, …).
    """
    return np.unique(np.asarray(keys.astype(str), dtype=str), return_inverse=True)[1]


def string_rank(keys: pd.Index | pd.Series | np.ndarray) -> np.ndarray:
    """Each key's position in sorted (code point) order of ``keys`` as strings.

    A last key for :func:`numpy.lexsort`: sorting many account ids as fixed-width strings is
    much faster than pandas sorting Python strings, and gives the same order.
    """
    text = np.asarray(pd.Index(keys).astype(str), dtype=str)
    rank = np.empty(len(text), dtype="int64")
    rank[np.argsort(text, kind="stable")] = np.arange(len(text))
    return rank
