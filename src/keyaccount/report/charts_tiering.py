"""Charts of key-account tiering (docs/metrics.md §9): scores, the tier matrix, the shape."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

from keyaccount.analyses.tiering import DIMENSIONS
from keyaccount.report.charts import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    Audit,
    ChartFn,
    dropdown,
    fact,
    hover,
    layout,
    name_of,
    note,
    rounded,
    rows,
    section,
)
from keyaccount.report.i18n import N_, Locale
from keyaccount.report.words import COLUMN_LABELS

TOP_ACCOUNTS = 30
"""The score chart's dropdown offers the best-scored accounts up to this many."""
# The dimension names of the chart: the table's column labels, "growth" spelled out.
DIMENSION_LABELS = {d: COLUMN_LABELS[d] for d in DIMENSIONS} | {"growth": N_("Growth potential")}
TIER_LABELS = {
    "strategic": N_("Strategic"),
    "core": N_("Core"),
    "developing": N_("Developing"),
    "general": N_("General"),
}
TIER_COLOURS = {"strategic": BLUE, "core": GREEN, "developing": AMBER, "general": GREY}
LAYER_LABELS = {
    "anchor": N_("Anchor account (~20%)"),
    "core": N_("Core accounts (5–10% each)"),
    "growth_pool": N_("Growth pool"),
}


def _scores(account: dict[str, Any] | Any) -> list[float]:
    """The ten dimension scores, 0 where not scored (the bar is then labelled so)."""
    return [
        0.0 if account.get(d) is None else float(rounded(account[d]) or 0.0) for d in DIMENSIONS
    ]


def _texts(account: Any, loc: Locale) -> list[str]:
    return [
        loc._("not scored") if account.get(d) is None else loc.number(account[d], 0)
        for d in DIMENSIONS
    ]


def tier_scores(audit: Audit, loc: Locale) -> go.Figure | None:
    """Dimension scores of one account (bars, 0–100), chosen among the best-scored accounts."""
    accounts = [a for a in rows(audit, "tiering", "accounts") if a.get("score") is not None]
    if not accounts:
        return None
    top = accounts[:TOP_ACCOUNTS]
    labels = [loc._(DIMENSION_LABELS[d]) for d in DIMENSIONS]

    def title_of(account: Any) -> str:
        return loc._("{name}: score {score}, {tier}").format(
            name=name_of(account),
            score=loc.number(account["score"], 0),
            tier=loc._(TIER_LABELS.get(str(account.get("tier")), str(account.get("tier")))),
        )

    first = top[0]
    fig = go.Figure(
        go.Bar(
            x=_scores(first),
            y=labels,
            orientation="h",
            text=_texts(first, loc),
            textposition="outside",
            cliponaxis=False,
            marker={"color": BLUE},
            hovertemplate="%{y}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("Key-account score by dimension"), height=460)
    fig.update_xaxes(range=[0, 110], title={"text": loc._("Score (0–100)")})
    fig.update_yaxes(autorange="reversed")
    note(fig, title_of(first))
    if len(top) > 1:
        buttons = [
            {
                "label": name_of(a),
                "method": "update",
                "args": [
                    {"x": [_scores(a)], "text": [_texts(a, loc)]},
                    {"annotations[0].text": title_of(a)},
                ],
            }
            for a in top
        ]
        dropdown(fig, buttons)
    return fig


def tier_matrix(audit: Audit, loc: Locale) -> go.Figure | None:
    """Score (y) against revenue (x, log) per account, coloured by tier, with the tier bands."""
    tiering = section(audit, "tiering")
    accounts = [a for a in rows(audit, "tiering", "accounts") if a.get("score") is not None]
    if tiering is None or not accounts:
        return None
    fig = go.Figure()
    thresholds = tiering.get("thresholds") or {}
    for tier in TIER_LABELS:
        mine = [a for a in accounts if a.get("tier") == tier and (a.get("revenue") or 0) > 0]
        if not mine:
            continue
        fig.add_trace(
            go.Scatter(
                x=[rounded(a["revenue"]) for a in mine],
                y=[rounded(a["score"]) for a in mine],
                mode="markers",
                name=loc._(TIER_LABELS[tier]),
                marker={"color": TIER_COLOURS[tier], "size": 8, "opacity": 0.8},
                # Names and amounts for the key tiers; the general tier's cloud of small
                # accounts shows its score only, which keeps the figure small.
                text=[
                    hover(
                        name_of(a),
                        fact(loc, loc._("Revenue"), loc.money(a["revenue"])),
                        fact(loc, loc._("Score"), loc.number(a["score"], 1)),
                    )
                    for a in mine
                ]
                if tier != "general"
                else None,
                hovertemplate="%{text}<extra></extra>"
                if tier != "general"
                else fact(loc, loc._("Score"), "%{y:.1f}") + "<extra></extra>",
            )
        )
    for tier in ("strategic", "core", "developing"):
        value = thresholds.get(tier)
        if value is not None:
            fig.add_hline(
                y=value,
                line={"color": TIER_COLOURS[tier], "width": 1, "dash": "dash"},
                annotation={
                    "text": loc._(TIER_LABELS[tier]),
                    "font": {"size": 11, "color": TIER_COLOURS[tier]},
                },
                annotation_position="top left",
            )
    revenues = [a["revenue"] for a in accounts if (a.get("revenue") or 0) > 0]
    layout(fig, loc._("Tier matrix: score against revenue"), height=480)
    ticks = [
        10**k for k in range(int(math.log10(min(revenues))), int(math.log10(max(revenues))) + 2)
    ]
    fig.update_xaxes(
        type="log",
        title={"text": loc._("Revenue, last 12 months (log scale)")},
        tickvals=ticks,
        ticktext=[loc.money_tick(t) for t in ticks],
    )
    fig.update_yaxes(range=[0, 100], title={"text": loc._("Key-account score")})
    return fig


def portfolio_shape(audit: Audit, loc: Locale) -> go.Figure | None:
    """Accounts in each layer of the seed's recommended shape, actual against recommended."""
    layers = rows(audit, "tiering", "portfolio_shape")
    if not layers:
        return None
    names = [loc._(LAYER_LABELS.get(str(r["layer"]), str(r["layer"]))) for r in layers]
    low = [r.get("recommended_min") or 0 for r in layers]
    high = [r.get("recommended_max") for r in layers]
    actual = [r.get("accounts") or 0 for r in layers]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=low,
            name=loc._("Recommended (at least)"),
            marker={"color": GREY},
            text=[
                loc.count(lo) if hi is None or hi == lo else f"{loc.count(lo)}–{loc.count(hi)}"
                for lo, hi in zip(low, high, strict=True)
            ],
            textposition="outside",
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=actual,
            name=loc._("Actual"),
            marker={"color": [GREEN if r.get("status") == "fits" else RED for r in layers]},
            text=[
                hover(
                    loc.count(r.get("accounts") or 0),
                    fact(loc, loc._("Share of revenue"), loc.percent(r.get("revenue_share") or 0)),
                )
                for r in layers
            ],
            textposition="outside",
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    layout(fig, loc._("Portfolio shape: recommended against actual"), barmode="group")
    fig.update_yaxes(title={"text": loc._("Accounts")}, rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


CHARTS: dict[str, ChartFn] = {
    "tier_scores": tier_scores,
    "tier_matrix": tier_matrix,
    "portfolio_shape": portfolio_shape,
}
