"""Charts of §10, the industry traffic light: the lights, the budget split, the milestones.

Each draws from ``audit["industries"]`` and returns None when that analysis was skipped or
has nothing to show. Industry labels come from the data and are escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from keyaccount.report.charts import (
    AMBER,
    GREEN,
    GREY,
    HEIGHT,
    RED,
    ChartFn,
    fact,
    hover,
    label,
    layout,
    money_axis,
    percent_axis,
    rounded,
    rows,
    section,
)
from keyaccount.report.i18n import N_, Locale

Audit = Mapping[str, Any]
LIGHT_COLOURS = {"green": GREEN, "yellow": AMBER, "red": RED}
LIGHT_NAMES = {
    "green": N_("Green: key industry"),
    "yellow": N_("Yellow: general industry"),
    "red": N_("Red: not a focus"),
}
CRITERIA_NAMES = {
    "investment": N_("Investment activity"),
    "market": N_("Market size and growth"),
    "concentration": N_("Market concentration"),
    "win_rate": N_("Win rate"),
    "deal_size": N_("Deal size"),
    "cac": N_("CAC vs average"),
    "retention": N_("Revenue retention"),
    "fit": N_("Our fit"),
}
ROW_HEIGHT = 30
"""Pixels per industry in the horizontal bar charts (at least :data:`HEIGHT` in all)."""


def _height(count: int) -> int:
    return max(HEIGHT, 140 + ROW_HEIGHT * count)


def _lit(audit: Audit) -> list[Mapping[str, Any]]:
    """The industries with a light, best first (as the analysis orders them)."""
    return [r for r in rows(audit, "industries", "scores") if r.get("light") in LIGHT_COLOURS]


def _score_text(value: Any, loc: Locale) -> str:
    return loc._("not scored") if value is None else loc.number(value, 1)


def industry_lights(audit: Audit, loc: Locale) -> go.Figure | None:
    """Total score per industry as bars coloured by light, the thresholds dashed.

    The hover lists every criterion's score (or "not scored") and the weight scored.
    """
    data = section(audit, "industries")
    lit = _lit(audit)
    if data is None or not lit:
        return None
    shown = list(reversed(lit))  # the best at the top
    fig = go.Figure()
    for light_code, colour in LIGHT_COLOURS.items():
        group = [r for r in shown if r.get("light") == light_code]
        if not group:
            continue
        names = [label(r.get("industry"), loc) for r in group]
        fig.add_trace(
            go.Bar(
                x=[rounded(r.get("total")) for r in group],
                y=names,
                orientation="h",
                marker={"color": colour},
                name=loc._(LIGHT_NAMES[light_code]),
                text=[loc.number(r.get("total"), 1) for r in group],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    hover(
                        f"<b>{n}</b>",
                        fact(loc, loc._("Total score"), loc.number(r.get("total"), 1)),
                        *(
                            fact(loc, loc._(title), _score_text(r.get(f"score_{key}"), loc))
                            for key, title in CRITERIA_NAMES.items()
                        ),
                        fact(loc, loc._("Weight scored"), loc.percent(r.get("scored_weight"), 0)),
                    )
                    for n, r in zip(names, group, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("Industry traffic light: total score (0–10)"), height=_height(len(shown)))
    for at, text in (
        (data.get("yellow_at"), loc._("Yellow from {score}")),
        (data.get("green_at"), loc._("Green from {score}")),
    ):
        if at is not None:
            fig.add_vline(
                x=at,
                line={"color": GREY, "width": 1, "dash": "dash"},
                annotation={
                    "text": text.format(score=loc.number(at, 1)),
                    "font": {"size": 11, "color": GREY},
                },
                annotation_position="top",
            )
    fig.update_xaxes(title={"text": loc._("Total score")}, range=[0, 10.5])
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[label(r.get("industry"), loc) for r in shown],
    )
    fig.update_layout(barmode="overlay")
    return fig


def industry_budget(audit: Audit, loc: Locale) -> go.Figure | None:
    """The budget per industry coloured by light: amounts with a budget, else shares of it."""
    data = section(audit, "industries")
    funded = [r for r in _lit(audit) if r.get("budget_share") is not None]
    if data is None or not funded:
        return None
    has_amount = data.get("budget") is not None
    shown = list(reversed(funded))
    names = [label(r.get("industry"), loc) for r in shown]
    values = [r.get("budget") if has_amount else r.get("budget_share") for r in shown]
    texts = [loc.money(v) if has_amount else loc.percent(v) for v in values]
    fig = go.Figure(
        go.Bar(
            x=[rounded(v) for v in values],
            y=names,
            orientation="h",
            marker={"color": [LIGHT_COLOURS[str(r.get("light"))] for r in shown]},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                hover(
                    f"<b>{n}</b>",
                    fact(loc, loc._("Light"), loc._(LIGHT_NAMES[str(r.get("light"))])),
                    fact(loc, loc._("Total score"), loc.number(r.get("total"), 1)),
                    fact(loc, loc._("Share of the budget"), loc.percent(r.get("budget_share"))),
                    *(
                        [fact(loc, loc._("Budget"), loc.money(r.get("budget")))]
                        if has_amount
                        else []
                    ),
                )
                for n, r in zip(names, shown, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    if has_amount:
        title = loc._("Budget split of {budget} by traffic light").format(
            budget=loc.money(data.get("budget"))
        )
        fig.update_xaxes(title={"text": loc._("Budget")}, **money_axis(loc, values))
    else:
        title = loc._("Budget split by traffic light (shares; set a budget for amounts)")
        fig.update_xaxes(**percent_axis(loc._("Share of the budget")))
    layout(fig, title, height=_height(len(shown)))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names)
    return fig


def industry_milestones(audit: Audit, loc: Locale) -> go.Figure | None:
    """Per industry the share of its target list won, in the funnel and contacted (stacked)."""
    data = section(audit, "industries")
    marks = rows(audit, "industries", "milestones")
    if data is None or not marks:
        return None
    shown = sorted(marks, key=lambda m: (m.get("contacted_share") or 0.0, str(m.get("industry"))))
    names = [label(m.get("industry"), loc) for m in shown]
    parts = (
        ("won_share", None, loc._("Won"), GREEN),
        ("funnel_share", "won_share", loc._("In the funnel"), AMBER),
        ("contacted_share", "funnel_share", loc._("Contacted"), "#6fa3cf"),
    )
    fig = go.Figure()
    for key, below, name, colour in parts:
        widths = [(m.get(key) or 0.0) - ((m.get(below) or 0.0) if below else 0.0) for m in shown]
        fig.add_trace(
            go.Bar(
                x=[rounded(w) for w in widths],
                y=names,
                orientation="h",
                name=name,
                marker={"color": colour},
                hovertext=[
                    hover(
                        f"<b>{n}</b>",
                        fact(loc, loc._("Targets"), loc.count(m.get("targets"))),
                        fact(
                            loc,
                            loc._("Contacted or further"),
                            loc.percent(m.get("contacted_share")),
                        ),
                        fact(
                            loc, loc._("In the funnel or won"), loc.percent(m.get("funnel_share"))
                        ),
                        fact(loc, loc._("Won"), loc.percent(m.get("won_share"))),
                        fact(
                            loc,
                            loc._("Next milestone"),
                            loc._("{milestone}, {short} targets to go").format(
                                milestone=loc.percent(m.get("next_milestone"), 0),
                                short=loc.count(m.get("short_of_next")),
                            )
                            if m.get("next_milestone") is not None
                            else loc._("all reached"),
                        ),
                    )
                    for n, m in zip(names, shown, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(
        fig,
        loc._("Coverage of the target lists against the milestones"),
        height=_height(len(shown)),
    )
    for level in data.get("milestone_levels") or ():
        fig.add_vline(
            x=level,
            line={"color": GREY, "width": 1, "dash": "dash"},
            annotation={"text": loc.percent(level, 0), "font": {"size": 11, "color": GREY}},
            annotation_position="top",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(**percent_axis(loc._("Share of the target list"), range=[0, 1.02]))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names)
    return fig


CHARTS: dict[str, ChartFn] = {
    "industry_lights": industry_lights,
    "industry_budget": industry_budget,
    "industry_milestones": industry_milestones,
}
