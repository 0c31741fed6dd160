"""The §8 charts: their numbers equal the audit's."""

from __future__ import annotations

import json
from typing import Any

import plotly.io as pio
import pytest

from helpers import Contexts
from keyaccount.audit import run_audit
from keyaccount.report.charts_pseudoscale import CHARTS, EDGES
from keyaccount.report.i18n import Locale

EN = Locale("en")


@pytest.fixture(scope="module")
def audit(demo_context: Contexts) -> dict[str, Any]:
    return run_audit(demo_context()).to_json()


def drawn(chart: str, audit: dict[str, Any]) -> dict[str, Any]:
    fig = CHARTS[chart](audit, EN)
    assert fig is not None
    return json.loads(pio.to_json(fig))


def test_project_sizes_count_every_ttm_project(audit: dict[str, Any]) -> None:
    p = audit["pseudoscale"]
    bars = drawn("project_sizes", audit)["data"][0]
    assert len(bars["y"]) == len(EDGES) + 1
    assert sum(bars["y"]) == p["project_ttm"]["projects"]
    assert sum(bars["y"][: EDGES.index(1.0) + 1]) == p["project_ttm"]["small_projects"]


def test_samples_by_year_draw_the_yearly_revenue(audit: dict[str, Any]) -> None:
    years = audit["pseudoscale"]["years"]
    data = drawn("samples_by_year", audit)["data"]
    assert data[0]["y"] == pytest.approx([y["commercial_revenue"] for y in years], rel=1e-5)
    assert data[1]["y"] == pytest.approx([y["sample_revenue"] for y in years], rel=1e-5)


def test_signals_chart_beyond_one_means_fired(audit: dict[str, Any]) -> None:
    signals = audit["pseudoscale"]["signals"]
    bars = drawn("pseudoscale_signals", audit)["data"][0]
    assert len(bars["x"]) == len(signals)
    for length, signal in zip(bars["x"], signals, strict=True):
        if signal["status"] == "fired":
            assert length >= 1
        elif signal["status"] == "not_fired":
            assert length < 1 or signal["value"] == signal["threshold"]
