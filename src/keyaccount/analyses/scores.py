"""Weighted scores over what could be scored (METRICS §9 tiering, §10 the traffic light).

A criterion with no data is "not scored" (NaN), never 0: each row's weighted mean runs over
its scored criteria only, with the weights re-normalised over them, as mature health-score
tools do.
"""

from __future__ import annotations

import numpy as np


def renormalised_mean(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's weighted mean over its scored criteria, and the weight they carry.

    ``values`` is rows × criteria with NaN = not scored. The mean is ``Σ w·s / Σ w`` over the
    scored criteria (NaN when none is); the second array is that ``Σ w``.
    """
    scored = ~np.isnan(values)
    used = (scored * weights).sum(axis=1)
    weighted = (np.nan_to_num(values) * weights).sum(axis=1)
    mean = np.where(used > 0, weighted / np.where(used > 0, used, 1.0), np.nan)
    return mean, used
