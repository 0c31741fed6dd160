"""Scores re-normalised over the criteria scored: not scored is not zero."""

from __future__ import annotations

import math

import numpy as np
import pytest

from keyaccount.analyses.scores import renormalised_mean


def test_a_missing_criterion_drops_out_of_the_weights() -> None:
    values = np.array([[80.0, 40.0, 100.0], [80.0, np.nan, 100.0], [np.nan, np.nan, np.nan]])
    weights = np.array([25.0, 15.0, 10.0])
    mean, used = renormalised_mean(values, weights)
    assert mean[0] == pytest.approx((25 * 80 + 15 * 40 + 10 * 100) / 50)
    assert mean[1] == pytest.approx((25 * 80 + 10 * 100) / 35)  # not (…)/50: 0 is not "none"
    assert math.isnan(mean[2])
    assert used.tolist() == [50.0, 35.0, 0.0]
