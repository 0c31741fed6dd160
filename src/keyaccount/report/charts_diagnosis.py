"""Charts of the company diagnosis (docs/metrics.md §11): the customer-strategy map and inputs.

``diagnosis_quadrant`` is seed 001's four-quadrant map: relationship insight across, customer
asset quality up, both 0–100, split at ``diagnosis.high`` into the lighthouse, the anxious
service provider, the crude growth machine and the silent cash cow, with the company's point.
``diagnosis_inputs`` shows the sub-score of every input of both scores against the same line.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from keyaccount.report.charts import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    Audit,
    ChartFn,
    corner_label,
    fact,
    hover,
    layout,
    rounded,
    rows,
    section,
)
from keyaccount.report.i18n import N_, Locale
from keyaccount.report.words import WORDS

QUADRANT_NAMES: dict[str, tuple[str, str]] = {
    "lighthouse": (N_("Lighthouse"), GREEN),
    "anxious_provider": (N_("Anxious service provider"), AMBER),
    "growth_machine": (N_("Crude growth machine"), RED),
    "silent_cash_cow": (N_("Silent cash cow"), BLUE),
}
"""Each quadrant's name on the map and its colour."""
QUADRANT_HINTS: dict[str, str] = {
    "lighthouse": N_("valuable customers, clear foresight"),
    "anxious_provider": N_("close to customers, poor assets"),
    "growth_machine": N_("poor assets, blurred view"),
    "silent_cash_cow": N_("valuable customers, blurred view"),
}
# (x, y, xanchor, yanchor) in axis domain units: insight across, assets up.
CORNERS: dict[str, tuple[float, float, str, str]] = {
    "lighthouse": (0.99, 0.99, "right", "top"),
    "silent_cash_cow": (0.01, 0.99, "left", "top"),
    "anxious_provider": (0.99, 0.01, "right", "bottom"),
    "growth_machine": (0.01, 0.01, "left", "bottom"),
}
SCORE_AXIS: dict[str, Any] = {"range": [-2, 102], "tickvals": [0, 25, 50, 75, 100]}


def diagnosis_quadrant(audit: Audit, loc: Locale) -> go.Figure | None:
    """The company on the map: relationship insight (x) against asset quality (y)."""
    diag = section(audit, "diagnosis")
    if not diag:
        return None
    assets, insight = diag.get("asset_quality"), diag.get("relationship_insight")
    if assets is None or insight is None:
        return None
    high = float(diag.get("high") or 50.0)
    placed = str(diag.get("quadrant"))
    name, colour = QUADRANT_NAMES.get(placed, (N_("Company"), GREY))
    fig = go.Figure(
        go.Scatter(
            x=[rounded(insight)],
            y=[rounded(assets)],
            mode="markers+text",
            text=["<b>" + loc._("This company") + "</b>"],
            textposition="top center",
            cliponaxis=False,
            marker={"size": 18, "color": colour, "line": {"color": "#ffffff", "width": 2}},
            hovertext=[
                hover(
                    f"<b>{loc._(name)}</b>",
                    fact(loc, loc._("Asset quality"), loc.number(assets, 0)),
                    fact(loc, loc._("Relationship insight"), loc.number(insight, 0)),
                )
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("Customer strategy map"), height=480)
    for draw in (fig.add_hline, fig.add_vline):
        draw(high, line={"color": GREY, "width": 1, "dash": "dash"})
    for code, corner in CORNERS.items():
        label, tone = QUADRANT_NAMES[code]
        weight = "<b>{}</b>" if code == placed else "{}"
        corner_label(
            fig,
            weight.format(loc._(label)) + f"<br>{loc._(QUADRANT_HINTS[code])}",
            corner,
            tone,
            size=12 if code == placed else 11,
            opacity=1.0 if code == placed else 0.7,
        )
    fig.update_xaxes(title={"text": loc._("Relationship insight (0–100)")}, **SCORE_AXIS)
    fig.update_yaxes(title={"text": loc._("Customer asset quality (0–100)")}, **SCORE_AXIS)
    return fig


def diagnosis_inputs(audit: Audit, loc: Locale) -> go.Figure | None:
    """Sub-score of each input of both scores, the scored ones coloured, the high line."""
    diag = section(audit, "diagnosis")
    inputs = rows(audit, "diagnosis", "inputs")
    if not diag or not inputs:
        return None
    high = float(diag.get("high") or 50.0)
    fig = go.Figure()
    for score, colour in (("asset_quality", BLUE), ("relationship_insight", GREEN)):
        part = [r for r in inputs if r.get("score") == score]
        fig.add_trace(
            go.Bar(
                y=[loc.word(WORDS, r.get("input")) for r in part],
                x=[
                    rounded(r.get("sub_score")) if r.get("sub_score") is not None else 0
                    for r in part
                ],
                orientation="h",
                name=loc.word(WORDS, score),
                marker={
                    "color": [
                        colour if (r.get("effective_weight") or 0) > 0 else GREY for r in part
                    ]
                },
                hovertext=[
                    hover(
                        f"<b>{loc.word(WORDS, r.get('input'))}</b>",
                        fact(loc, loc._("Score"), loc.number(r.get("sub_score"), 0)),
                        fact(loc, loc._("Weight"), loc.percent(r.get("effective_weight"), 0)),
                        fact(loc, loc._("Status"), loc.word(WORDS, r.get("status"))),
                    )
                    for r in part
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("What the two scores are made of"), height=460)
    fig.add_vline(x=high, line={"color": GREY, "width": 1, "dash": "dash"})
    fig.update_xaxes(title={"text": loc._("Score (0–100)")}, **SCORE_AXIS)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return fig


CHARTS: dict[str, ChartFn] = {
    "diagnosis_quadrant": diagnosis_quadrant,
    "diagnosis_inputs": diagnosis_inputs,
}
