"""Figures as the truth JSON writes them: rounded to six places, NaN as null."""

from __future__ import annotations

import math


def share(x: float) -> float:
    """A share rounded to six places."""
    return round(float(x), 6)


def figure(x: float) -> float | None:
    """A figure rounded to six places; NaN and None give null."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)
