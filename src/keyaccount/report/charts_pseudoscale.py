"""Charts of §8, pseudo-scale and stage: project sizes, samples by year, the verdict's signals.

Each draws from ``audit["pseudoscale"]`` and returns None when the analysis was skipped or
has nothing to draw (see ``charts.py`` for the shared look and conventions).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from keyaccount.report.charts import (
    BLUE,
    GREEN,
    GREY,
    RED,
    Audit,
    ChartFn,
    escape,
    fact,
    hover,
    layout,
    money_axis,
    rounded_all,
    rows,
    section,
)
from keyaccount.report.i18n import Locale
from keyaccount.report.words import WORDS

EDGES = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
"""Project-size buckets as multiples of the small-deal threshold (below 1: small deals)."""
STATUS_COLOURS = {"fired": RED, "not_fired": GREEN, "not_evaluated": GREY}
SHARE_SIGNALS = {"small_deals", "low_repeat", "low_expansion", "sample_driven"}


def _bucket_label(low: float, high: float | None, loc: Locale) -> str:
    if high is None:
        return loc._("{low} or more").format(low=loc.money_tick(low))
    return loc._("{low} to {high}").format(low=loc.money_tick(low), high=loc.money_tick(high))


def project_sizes(audit: Audit, loc: Locale) -> go.Figure | None:
    """Projects of the last 12 months by revenue, in multiples of the small-deal threshold."""
    data = section(audit, "pseudoscale")
    projects = [
        p for p in rows(audit, "pseudoscale", "projects") if (p.get("revenue_ttm") or 0) > 0
    ]
    if data is None or not projects:
        return None
    small = float(data.get("small_project") or 0.0)
    values = [float(p["revenue_ttm"]) for p in projects]
    if small <= 0:
        small = sorted(values)[len(values) // 2]
    bounds = [0.0, *(small * e for e in EDGES)]
    counts = [0] * len(bounds)
    totals = [0.0] * len(bounds)
    for v in values:
        index = max(i for i, b in enumerate(bounds) if v >= b)
        counts[index] += 1
        totals[index] += v
    labels = [
        _bucket_label(low, bounds[i + 1] if i + 1 < len(bounds) else None, loc)
        for i, low in enumerate(bounds)
    ]
    colours = [RED if b < small else BLUE for b in bounds]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker={"color": colours},
            hovertext=[
                hover(
                    f"<b>{x}</b>",
                    fact(loc, loc._("Projects"), loc.count(c)),
                    fact(loc, loc._("Revenue"), loc.money(t)),
                )
                for x, c, t in zip(labels, counts, totals, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            name=loc._("Projects"),
        )
    )
    layout(fig, loc._("Project revenue, last 12 months"))
    fig.update_xaxes(type="category", title={"text": loc._("Revenue per project")})
    fig.update_yaxes(title={"text": loc._("Projects")})
    fig.add_vline(
        x=EDGES.index(1.0) + 0.5,
        line={"color": GREY, "width": 1, "dash": "dash"},
        annotation={
            "text": loc._("small-deal line {amount}").format(amount=loc.money_tick(small)),
            "font": {"size": 11, "color": GREY},
        },
        annotation_position="top",
    )
    return fig


def samples_by_year(audit: Audit, loc: Locale) -> go.Figure | None:
    """Commercial revenue (bars) and sample / POC / pilot / free revenue (line) by year."""
    years = [y for y in rows(audit, "pseudoscale", "years") if y.get("year") is not None]
    if not years:
        return None
    labels = [escape(y["year"]) for y in years]
    commercial = [y.get("commercial_revenue") for y in years]
    samples = [y.get("sample_revenue") for y in years]
    accounts = [y.get("sample_accounts") for y in years]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=rounded_all(commercial),
            name=loc._("Commercial revenue"),
            marker={"color": BLUE},
            hovertext=[
                fact(loc, f"{x} · {loc._('Commercial revenue')}", loc.money(v))
                for x, v in zip(labels, commercial, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rounded_all(samples),
            yaxis="y2",
            mode="lines+markers",
            name=loc._("Sample, POC, pilot and free deals"),
            line={"color": RED, "width": 2},
            hovertext=[
                hover(
                    f"<b>{x}</b>",
                    fact(loc, loc._("Pre-sales revenue"), loc.money(v)),
                    fact(loc, loc._("Customers"), loc.count(a)),
                )
                for x, v, a in zip(labels, samples, accounts, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    layout(fig, loc._("Commercial revenue and pre-sales deals by year"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(money_axis(loc, commercial), title={"text": loc._("Commercial revenue")})
    fig.update_layout(
        yaxis2={
            **money_axis(loc, samples),
            "title": {"text": loc._("Pre-sales revenue")},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "automargin": True,
        }
    )
    return fig


def _value_text(signal: str, value: float | None, loc: Locale) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return loc.percent(value) if signal in SHARE_SIGNALS else loc.number(value, 2)


def pseudoscale_signals(audit: Audit, loc: Locale) -> go.Figure | None:
    """Each signal's value as a multiple of its threshold, coloured by whether it fired.

    Signals that fire below their threshold (low repeat, low expansion) are drawn as
    threshold / value, so that a bar beyond 1 always means "fired".
    """
    signals = rows(audit, "pseudoscale", "signals")
    if not signals:
        return None
    names, lengths, colours, texts = [], [], [], []
    for s in signals:
        code = str(s.get("signal"))
        value, threshold = s.get("value"), s.get("threshold")
        below = code in ("low_repeat", "low_expansion")
        length = 0.0
        if isinstance(value, int | float) and isinstance(threshold, int | float):
            if below:
                length = threshold / value if value > 0 else 2.0
            elif threshold > 0:
                length = value / threshold
        names.append(loc.word(WORDS, code))
        lengths.append(min(length, 3.0))
        status = str(s.get("status"))
        colours.append(STATUS_COLOURS.get(status, GREY))
        texts.append(
            hover(
                f"<b>{loc.word(WORDS, code)}</b> · {loc.word(WORDS, status)}",
                fact(loc, loc._("Value"), _value_text(code, value, loc)),
                fact(loc, loc._("Threshold"), _value_text(code, threshold, loc)),
            )
        )
    verdict = loc.word(WORDS, (section(audit, "pseudoscale") or {}).get("verdict"))
    fig = go.Figure(
        go.Bar(
            x=rounded_all(lengths),
            y=names,
            orientation="h",
            marker={"color": colours},
            hovertext=texts,
            hovertemplate="%{hovertext}<extra></extra>",
            name=loc._("Signals"),
        )
    )
    layout(fig, loc._("Pseudo-scale signals: {verdict}").format(verdict=verdict))
    fig.update_xaxes(title={"text": loc._("Against the threshold (1 = at the threshold)")})
    fig.update_yaxes(autorange="reversed", type="category")
    fig.add_vline(x=1.0, line={"color": GREY, "width": 1, "dash": "dash"})
    return fig


CHARTS: dict[str, ChartFn] = {
    "pseudoscale_signals": pseudoscale_signals,
    "project_sizes": project_sizes,
    "samples_by_year": samples_by_year,
}
