"""Every report chart by its stable id, in the order the report presents them.

``charts.py`` holds the charts of sections 1–7; each later analysis keeps its charts in its
own ``charts_<analysis>.py`` with a ``CHARTS`` mapping of its own, merged here.
"""

from __future__ import annotations

from keyaccount.report import (
    charts,
    charts_diagnosis,
    charts_industries,
    charts_pseudoscale,
    charts_tiering,
)
from keyaccount.report.charts import ChartFn

CHARTS: dict[str, ChartFn] = {
    **charts.CHARTS,
    **charts_pseudoscale.CHARTS,
    **charts_tiering.CHARTS,
    **charts_industries.CHARTS,
    **charts_diagnosis.CHARTS,
}
