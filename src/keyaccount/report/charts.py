"""Charts of the audit report: one Plotly figure per chart, drawn from the audit JSON.

Each chart is a function ``chart(audit, loc) -> go.Figure | None`` of the audit as
``AuditRun.to_json()`` publishes it and a :class:`~keyaccount.report.i18n.Locale`; it returns
None when the analysis it draws was skipped or holds no rows. :data:`CHARTS` lists them by a
stable id in the order of docs/metrics.md. The figures are plain Plotly JSON (``plotly.io.to_json``)
rendered by plotly.js in the browser, so the report and a future dashboard share them; embed
them with :data:`PLOTLY_CONFIG`.

All words go through ``loc._`` (catalog ``i18n/*/charts.po``) and all numbers through the
Locale's formatters: money axes carry their own tick labels (``loc.money``) because Plotly's
own (``462M``) are English. Text from the data (customer, industry, region and segment names)
is escaped with :func:`escape` before it reaches any Plotly text, which renders a subset of
HTML. Floats are rounded to :data:`SIGNIFICANT` digits and long curves thinned to
:data:`CURVE_POINTS` points so that the HTML stays small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from keyaccount.report.findings import account_names as audit_account_names
from keyaccount.report.i18n import N_, Locale
from keyaccount.report.words import feature_name

Audit = Mapping[str, Any]
Row = Mapping[str, Any]
ChartFn = Callable[[Audit, Locale], go.Figure | None]

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE: tuple[str, ...] = (
    "#1f4e79",  # blue: revenue, totals, the main series
    "#c0504d",  # red: losses, churn, value destroyed
    "#e8a33d",  # amber: the second series, receivables
    "#4f8a5b",  # green: healthy, gains
    "#7f6aa8",  # purple
    "#3b9fb0",  # teal
    "#a0522d",  # brown
    "#7f7f7f",  # grey: reference lines, unknowns
)
BLUE, RED, AMBER, GREEN, PURPLE, TEAL, BROWN, GREY = PALETTE
SEQUENTIAL: list[list[float | str]] = [[0.0, "#f4f8fb"], [0.5, "#6fa3cf"], [1.0, "#1f4e79"]]
"""Colour scale of the heat maps: light (low) to the palette's blue (high)."""
TENURE_SCALE: list[list[float | str]] = [[0.0, "#c0504d"], [0.5, "#e8a33d"], [1.0, "#4f8a5b"]]
"""Colour scale of tenure: new accounts red, long-standing ones green."""

HEIGHT = 420
SIGNIFICANT = 6
CURVE_POINTS = 600
"""Longest curve drawn point by point; longer ones keep evenly spaced points and the marked ones."""
HEATMAP_MAX_ACCOUNTS = 2000
"""The risk heat map draws the largest accounts by revenue up to this many (says so when cut)."""
PNL_TOP_ACCOUNTS = 30
PNL_MAX_CHOICES = 100
"""The P&L dropdown: the largest accounts by revenue, then the black holes, at most this many."""
JITTER = 0.36
"""Largest offset of a circle from its heat-map cell centre, in cells."""

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
}
"""The ``config`` argument of ``Plotly.newPlot`` for these figures."""

UNKNOWN_LABEL = N_("Unknown")
ALL_LABEL = N_("All accounts")


# -- shared helpers --------------------------------------------------------------------------


def escape(text: object) -> str:
    """``text`` safe inside Plotly text: ``&``, ``<`` and ``>`` as HTML entities."""
    if text is None:
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def label(value: object, loc: Locale) -> str:
    """A data label (industry, region, segment) for display: escaped, placeholders translated."""
    if value is None or value == "(unknown)":
        return loc._(UNKNOWN_LABEL)
    if value == "(all)":
        return loc._(ALL_LABEL)
    return escape(value)


def rounded(value: float | None, digits: int = SIGNIFICANT) -> float | None:
    """``value`` to ``digits`` significant digits; None when missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def rounded_all(values: Iterable[float | None]) -> list[float | None]:
    """:func:`rounded` of each value."""
    return [rounded(v) for v in values]


def section(audit: Audit, key: str) -> Mapping[str, Any] | None:
    """The figures of analysis ``key``, or None when it was skipped."""
    value = audit.get(key)
    return value if isinstance(value, Mapping) else None


def rows(audit: Audit, key: str, *path: str) -> list[Row]:
    """The list at ``audit[key][path...]``; empty when the analysis or the list is absent."""
    node: Any = section(audit, key)
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    return [r for r in node if isinstance(r, Mapping)] if isinstance(node, list) else []


def fact(loc: Locale, name: str, value: str) -> str:
    """One line of hover text: 'Revenue: 1.52 亿' (the colon as the language writes it)."""
    return loc._("{name}: {value}").format(name=name, value=value)


def hover(*lines: str) -> str:
    """Hover text of several lines (already escaped and formatted)."""
    return "<br>".join(lines)


def thin(count: int, keep: Iterable[int] = (), limit: int = CURVE_POINTS) -> list[int]:
    """Indices of ``count`` points to draw: all, or ``limit`` evenly spaced plus ``keep``."""
    if count <= limit:
        return list(range(count))
    step = (count - 1) / (limit - 1)
    chosen = {round(i * step) for i in range(limit)} | {i for i in keep if 0 <= i < count}
    return sorted(chosen)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``…``high`` and 0, about ``count`` of them."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [rounded(i * step) or 0.0 for i in range(first, last + 1)]


def money_axis(loc: Locale, values: Iterable[float | None]) -> dict[str, Any]:
    """Axis settings whose ticks are written by ``loc.money`` over the range of ``values``."""
    present = [v for v in values if v is not None and math.isfinite(v)] or [0.0]
    ticks = nice_ticks(min(present), max(present))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [loc.money_tick(t) for t in ticks]}


def percent_axis(title: str, **extra: Any) -> dict[str, Any]:
    """Axis settings of a share or rate axis (ticks 0%…100%)."""
    return {"title": {"text": title}, "tickformat": ".0%", **extra}


def corner_label(
    fig: go.Figure,
    text: str,
    corner: tuple[float, float, str, str],
    colour: str,
    size: int = 11,
    opacity: float = 0.9,
) -> None:
    """Name a quadrant in its corner of the plot: ``corner`` = (x, y, xanchor, yanchor)."""
    x, y, xanchor, yanchor = corner
    fig.add_annotation(
        text=text,
        xref="x domain",
        yref="y domain",
        x=x,
        y=y,
        xanchor=xanchor,
        yanchor=yanchor,
        align=xanchor,
        showarrow=False,
        font={"size": size, "color": colour},
        opacity=opacity,
    )


def layout(fig: go.Figure, title: str, height: int = HEIGHT, **extra: Any) -> go.Figure:
    """Apply the shared look: font, white background, margins, height, palette, title."""
    fig.update_layout(
        template="none",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        font={"family": FONT_FAMILY, "size": 12, "color": "#333333"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        colorway=list(PALETTE),
        margin={"l": 64, "r": 24, "t": 56, "b": 64},
        height=height,
        autosize=True,
        legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        **extra,
    )
    fig.update_xaxes(automargin=True, gridcolor="#ececec", linecolor="#bfbfbf", zeroline=False)
    fig.update_yaxes(automargin=True, gridcolor="#ececec", linecolor="#bfbfbf", zeroline=False)
    return fig


def reference_line(fig: go.Figure, y: float, text: str, position: str = "top right") -> None:
    """A dashed horizontal reference line at ``y``, labelled ``text`` (at its right end)."""
    fig.add_hline(
        y=y,
        line={"color": GREY, "width": 1, "dash": "dash"},
        annotation={"text": text, "font": {"size": 11, "color": GREY}},
        annotation_position=position,
    )


def share(part: float | None, whole: float | None) -> float | None:
    """``part / whole``; None when either is missing or ``whole`` is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole


def account_names(audit: Audit) -> dict[str, str]:
    """Account name by account id (escaped for Plotly), from the audit's account tables."""
    return {key: escape(name) for key, name in audit_account_names(audit).items()}


def name_of(row: Row, names: Mapping[str, str] | None = None) -> str:
    """The escaped name of an account row: its own ``name``, else a known one, else its id."""
    if row.get("name"):
        return escape(row["name"])
    account_id = str(row.get("account_id"))
    return (names or {}).get(account_id) or escape(account_id)


def note(fig: go.Figure, text: str, y: float = 1.02, x: float = 0.0) -> None:
    """A small grey note above the plot (or wherever ``x``, ``y`` in paper units put it)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=x,
        y=y,
        xanchor="left" if x < 0.5 else "right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": GREY},
    )


def largest_note(loc: Locale, shown: int, total: int) -> str:
    """'Largest 30 of 120 accounts' (the note of a chart that draws only the largest)."""
    text = loc._("Largest {shown} of {total} accounts")
    return text.format(shown=loc.count(shown), total=loc.count(total))


def account_index_axis(names: Sequence[str]) -> dict[str, Any]:
    """A y axis of accounts by position (names may repeat), the first at the top."""
    return {
        "tickmode": "array",
        "tickvals": list(range(len(names))),
        "ticktext": list(names),
        "range": [len(names) - 0.5, -0.5],
        "showgrid": False,
        "zeroline": False,
    }


# -- 1. concentration ------------------------------------------------------------------------


def by_revenue(accounts: Iterable[Row]) -> list[Row]:
    """Accounts by revenue, largest first; ties by account id (as the audit orders them)."""
    return sorted(accounts, key=lambda a: (-(a.get("revenue") or 0.0), str(a.get("account_id"))))


def categories(accounts: Sequence[Row], field: str) -> list[object]:
    """The values of ``field``, the one with the most revenue first."""
    totals: dict[object, float] = {}
    for account in accounts:
        key = account.get(field)
        totals[key] = totals.get(key, 0.0) + (account.get("revenue") or 0.0)
    return sorted(totals, key=lambda k: (-totals[k], str(k)))


def cell_offsets(count: int) -> list[tuple[float, float]]:
    """Sunflower offsets of ``count`` circles within one cell, the first at its centre."""
    golden = math.pi * (3 - math.sqrt(5))
    spread = max(count - 1, 1)
    return [
        (
            JITTER * math.sqrt(k / spread) * math.cos(k * golden),
            JITTER * math.sqrt(k / spread) * math.sin(k * golden),
        )
        for k in range(count)
    ]


def account_facts(account: Row, loc: Locale) -> list[str]:
    """What a heat-map circle's hover shows: name, revenue, share of revenue, tenure."""
    share = account.get("share")
    tenure = account.get("tenure_years")
    return [
        escape(account.get("name") or account.get("account_id")),
        loc.money(account.get("revenue")),
        loc.percent(share, 1 if share is None or share >= 0.01 else 2),
        loc._("{n} years").format(n=loc.number(tenure, 1)),
    ]


def account_hover_template(loc: Locale) -> str:
    """The hover of a heat-map circle, filled from its :func:`account_facts`."""
    return (
        hover(
            "<b>%{customdata[0]}</b>",
            fact(loc, loc._("Revenue"), "%{customdata[1]}"),
            fact(loc, loc._("Share of revenue"), "%{customdata[2]}"),
            fact(loc, loc._("Tenure"), "%{customdata[3]}"),
        )
        + "<extra></extra>"
    )


def risk_heatmap(audit: Audit, loc: Locale) -> go.Figure | None:
    """Customer risk heat map: a circle per active account, by industry (x) and region (y).

    Circle area is the account's window revenue and colour its tenure, so a large red circle
    is a big, young relationship. Circles of one cell spread around its centre, the largest in
    the middle (a deterministic sunflower, not random jitter).
    """
    everyone = by_revenue(rows(audit, "concentration", "accounts"))
    if not everyone:
        return None
    accounts = everyone[:HEATMAP_MAX_ACCOUNTS]
    industries, regions = categories(accounts, "industry"), categories(accounts, "region")
    column = {k: i for i, k in enumerate(industries)}
    line = {k: i for i, k in enumerate(regions)}
    cells: dict[tuple[int, int], list[Row]] = {}
    for account in accounts:
        cell = (column[account.get("industry")], line[account.get("region")])
        cells.setdefault(cell, []).append(account)
    xs: list[float | None] = []
    ys: list[float | None] = []
    drawn: list[Row] = []
    for (x, y), members in cells.items():
        for account, (dx, dy) in zip(members, cell_offsets(len(members)), strict=True):
            xs.append(rounded(x + dx, 4))
            ys.append(rounded(y + dy, 4))
            drawn.append(account)
    revenue = [max(a.get("revenue") or 0.0, 0.0) for a in drawn]
    biggest = max(revenue) or 1.0
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            marker={
                "size": rounded_all(revenue),
                "sizemode": "area",
                "sizeref": rounded(2 * biggest / 42**2),
                "sizemin": 3,
                "color": [rounded(a.get("tenure_years"), 3) for a in drawn],
                "colorscale": TENURE_SCALE,
                "cmin": 0,
                "colorbar": {"title": {"text": loc._("Tenure (years)")}, "thickness": 12},
                "line": {"color": "#ffffff", "width": 0.5},
                "opacity": 0.85,
            },
            customdata=[account_facts(a, loc) for a in drawn],
            hovertemplate=account_hover_template(loc),
            showlegend=False,
        )
    )
    layout(fig, loc._("Customer risk map"), height=max(HEIGHT, 120 + 26 * len(regions)))
    fig.update_xaxes(
        title={"text": loc._("Industry")},
        tickmode="array",
        tickvals=list(range(len(industries))),
        ticktext=[label(k, loc) for k in industries],
        range=[-0.5, len(industries) - 0.5],
        showgrid=False,
    )
    fig.update_yaxes(
        title={"text": loc._("Region")},
        tickmode="array",
        tickvals=list(range(len(regions))),
        ticktext=[label(k, loc) for k in regions],
        range=[len(regions) - 0.5, -0.5],
        showgrid=False,
    )
    if len(accounts) < len(everyone):
        note = loc._("Largest {shown} of {total} accounts")
        fig.add_annotation(
            text=note.format(shown=loc.count(len(accounts)), total=loc.count(len(everyone))),
            xref="paper",
            yref="paper",
            x=1,
            y=1.06,
            showarrow=False,
            xanchor="right",
        )
    return fig


def pareto(audit: Audit, loc: Locale) -> go.Figure | None:
    """Concentration curve: cumulative share of revenue against cumulative share of accounts.

    Accounts are taken largest first; the 80% line and the top-1, top-5 and top-10 points are
    marked, with the fewest accounts that reach 80% (``concentration.pareto_count``).
    """
    accounts = by_revenue(rows(audit, "concentration", "accounts"))
    total = sum(max(a.get("revenue") or 0.0, 0.0) for a in accounts)
    if not accounts or total <= 0:
        return None
    n = len(accounts)
    shares_x, shares_y, running = [0.0], [0.0], 0.0
    for i, account in enumerate(accounts, start=1):
        running += max(account.get("revenue") or 0.0, 0.0)
        shares_x.append(i / n)
        shares_y.append(running / total)
    marks = [k for k in (1, 5, 10) if k <= n]
    pareto_count = (section(audit, "concentration") or {}).get("pareto_count")
    keep = [*marks, pareto_count or 0]
    shown = thin(n + 1, keep)
    fig = go.Figure(
        go.Scatter(
            x=[rounded(shares_x[i]) for i in shown],
            y=[rounded(shares_y[i]) for i in shown],
            mode="lines",
            line={"color": BLUE, "width": 2},
            name=loc._("Cumulative share of revenue"),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    points = [(k, loc._("Top {k}").format(k=k)) for k in marks]
    if pareto_count and 0 < pareto_count <= n and pareto_count not in marks:
        points.append((pareto_count, loc._("{k} accounts").format(k=loc.count(pareto_count))))
    fig.add_trace(
        go.Scatter(
            x=[rounded(shares_x[k]) for k, _ in points],
            y=[rounded(shares_y[k]) for k, _ in points],
            mode="markers+text",
            marker={"color": RED, "size": 8},
            text=[f"{name}: {loc.percent(shares_y[k])}" for k, name in points],
            textposition="middle right",
            hovertext=[
                hover(
                    name,
                    fact(loc, loc._("Share of accounts"), loc.percent(shares_x[k])),
                    fact(loc, loc._("Share of revenue"), loc.percent(shares_y[k])),
                )
                for k, name in points
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("Revenue concentration"))
    reference_line(fig, 0.8, loc._("80% of revenue"))
    fig.update_xaxes(percent_axis(loc._("Cumulative share of accounts"), range=[0, 1]))
    fig.update_yaxes(percent_axis(loc._("Cumulative share of revenue"), range=[0, 1.05]))
    return fig


# -- 2. stress -------------------------------------------------------------------------------


def scenario_label(scenario: Row, names: Mapping[str, str], loc: Locale) -> str:
    """What a stress scenario loses, in words: 'Top customer', 'Top industry: 汽车零部件'."""
    kind = scenario.get("name")
    subjects = [str(s) for s in scenario.get("subjects") or ()]
    shown = ", ".join(label(names.get(s, s), loc) for s in subjects[:3])
    if len(subjects) > 3:
        shown += " …"
    if kind == "top1":
        return loc._("Top customer")
    if kind == "top_k":
        count = scenario.get("account_count") or len(subjects)
        return loc._("Top {k} customers").format(k=count)
    if kind == "top_industry":
        return loc._("Top industry: {names}").format(names=shown)
    if kind == "top_region":
        return loc._("Top region: {names}").format(names=shown)
    if kind == "named":
        return loc._("Named: {names}").format(names=shown)
    return escape(kind)


STRESS_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("revenue_lost", N_("Revenue lost"), BLUE),
    ("contribution_lost", N_("Contribution lost"), RED),
    ("receivables_at_risk", N_("Receivables at risk"), AMBER),
)


def stress(audit: Audit, loc: Locale) -> go.Figure | None:
    """Stress tests: revenue, contribution and receivables lost in each scenario (bars)."""
    scenarios = rows(audit, "stress", "scenarios")
    if not scenarios:
        return None
    names = {
        str(a.get("account_id")): str(a.get("name") or a.get("account_id"))
        for a in rows(audit, "concentration", "accounts")
    }
    labels = [scenario_label(s, names, loc) for s in scenarios]
    fig = go.Figure()
    values: list[float | None] = []
    for field, name, colour in STRESS_MEASURES:
        amounts = [s.get(field) for s in scenarios]
        values += amounts
        fig.add_trace(
            go.Bar(
                x=labels,
                y=rounded_all(amounts),
                name=loc._(name),
                marker={"color": colour},
                hovertext=[
                    hover(f"<b>{x}</b>", fact(loc, loc._(name), loc.money(v)))
                    for x, v in zip(labels, amounts, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("Loss of key customers"), barmode="group")
    fig.update_xaxes(type="category")
    fig.update_yaxes(money_axis(loc, values), title={"text": loc._("Amount")})
    return fig


MEASURES: tuple[tuple[str, str], ...] = (
    ("revenue", N_("Revenue")),
    ("contribution", N_("Contribution")),
)
PROBABILISTIC_BARS: tuple[tuple[str, str, str], ...] = (
    ("ttm", N_("Last 12 months"), BLUE),
    ("p95", N_("P95 (good case)"), GREEN),
    ("p50", N_("P50 (median)"), AMBER),
    ("p5", N_("P5 (bad case)"), RED),
)
"""The bars of the probabilistic stress test: today's value, then the Monte-Carlo percentiles."""


def probabilistic_stress(audit: Audit, loc: Locale) -> go.Figure | None:
    """Probabilistic stress test: next-window revenue and contribution under simulated churn.

    Each account leaves with its churn probability; today's TTM value stands beside the Monte-Carlo
    P95, P50 and P5. Grouped bars per measure (``stress.probabilistic``); the hover adds the
    expected value. None when the churn model did not rank (the analysis publishes nothing then).
    """
    sim = (section(audit, "stress") or {}).get("probabilistic")
    if not isinstance(sim, Mapping) or sim.get("revenue_p50") is None:
        return None
    measures = [(field, name) for field, name in MEASURES if sim.get(f"{field}_p50") is not None]
    labels = [loc._(name) for _, name in measures]
    fig = go.Figure()
    values: list[float | None] = []
    for key, name, colour in PROBABILISTIC_BARS:
        amounts = [sim.get(f"ttm_{f}" if key == "ttm" else f"{f}_{key}") for f, _ in measures]
        values += amounts
        fig.add_trace(
            go.Bar(
                x=labels,
                y=rounded_all(amounts),
                name=loc._(name),
                marker={"color": colour, "opacity": 0.55 if key == "ttm" else 0.9},
                text=[loc.money(v) for v in amounts],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    hover(
                        f"<b>{x}</b> · {loc._(name)}",
                        fact(loc, loc._("Amount"), loc.money(v)),
                        fact(
                            loc,
                            loc._("Share of the last 12 months"),
                            loc.percent(share(v, sim.get(f"ttm_{f}"))),
                        ),
                        fact(loc, loc._("Expected"), loc.money(sim.get(f"expected_{f}"))),
                    )
                    for x, v, (f, _) in zip(labels, amounts, measures, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("Simulated churn: the next 12 months"), barmode="group")
    fig.update_layout(margin={"t": 76})
    note = loc._("{draws} draws: each customer leaves with its churn probability")
    fig.add_annotation(
        text=note.format(draws=loc.count(sim.get("draws"))),
        xref="paper",
        yref="paper",
        x=0,
        y=1.02,
        yanchor="bottom",
        xanchor="left",
        showarrow=False,
        font={"size": 11, "color": GREY},
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(money_axis(loc, [0.0, *values]), title={"text": loc._("Amount")})
    return fig


# -- 3. profitability ------------------------------------------------------------------------

PNL_STEPS: tuple[tuple[str, str, int, str], ...] = (
    ("revenue", N_("Revenue"), 1, "absolute"),
    ("cogs", N_("Cost of goods"), -1, "relative"),
    ("gross_profit", N_("Gross profit"), 1, "total"),
    ("rebates", N_("Rebates"), -1, "relative"),
    ("cost_to_serve", N_("Cost to serve"), -1, "relative"),
    ("financing_cost", N_("Financing cost"), -1, "relative"),
    ("contribution", N_("Contribution"), 1, "total"),
)
"""The P&L steps: figure, label, sign in the waterfall, Plotly measure."""


def pnl_values(pnl: Row) -> list[float]:
    """The waterfall values of one P&L: revenue, −cogs, gross profit, … , contribution."""
    return [sign * (pnl.get(field) or 0.0) for field, _, sign, _ in PNL_STEPS]


def pnl_choices(audit: Audit, loc: Locale) -> list[tuple[str, Row]]:
    """The P&Ls offered in the dropdown: the company, the largest accounts, the black holes."""
    company = (section(audit, "profitability") or {}).get("company")
    if not isinstance(company, Mapping):
        return []
    accounts = by_revenue(rows(audit, "profitability", "accounts"))
    black = {str(b.get("account_id")) for b in rows(audit, "profitability", "black_holes")}
    top = accounts[:PNL_TOP_ACCOUNTS]
    chosen = {str(a.get("account_id")) for a in top}
    holes = [a for a in accounts if str(a.get("account_id")) in black - chosen]
    choices: list[tuple[str, Row]] = [(loc._("Company"), company)]
    for account in [*top, *holes][: PNL_MAX_CHOICES - 1]:
        name = escape(account.get("name") or account.get("account_id"))
        if str(account.get("account_id")) in black:
            name = loc._("{name} (value black hole)").format(name=name)
        choices.append((name, account))
    return choices


def dropdown(fig: go.Figure, buttons: list[dict[str, Any]]) -> None:
    """A chooser above the chart's top right corner (one account's view at a time)."""
    fig.update_layout(
        margin={"t": 92},
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 1,
                "xanchor": "right",
                "y": 1.02,
                "yanchor": "bottom",
                "showactive": True,
                "bgcolor": "#ffffff",
                "bordercolor": "#bfbfbf",
            }
        ],
    )


def waterfall(labels: list[str], values: list[float], measures: list[str], loc: Locale) -> Any:
    """A money waterfall trace: gains green, losses red, totals blue, amounts on the bars."""
    return go.Waterfall(
        x=labels,
        y=rounded_all(values),
        measure=measures,
        text=[loc.money(v) for v in values],
        textposition="outside",
        cliponaxis=False,
        connector={"line": {"color": "#bfbfbf", "width": 1}},
        increasing={"marker": {"color": GREEN}},
        decreasing={"marker": {"color": RED}},
        totals={"marker": {"color": BLUE}},
        hovertemplate="%{x}: %{text}<extra></extra>",
        showlegend=False,
    )


def profit_waterfall(audit: Audit, loc: Locale) -> go.Figure | None:
    """True-profit waterfall: revenue down to contribution, for the company or one account.

    The dropdown switches to any of the largest accounts by revenue or any value black hole;
    each choice also resets the money ticks to its scale.
    """
    choices = pnl_choices(audit, loc)
    if not choices:
        return None
    steps = [loc._(name) for _, name, _, _ in PNL_STEPS]

    def restyle(pnl: Row) -> tuple[dict[str, Any], dict[str, Any]]:
        values = pnl_values(pnl)
        trace = {"y": [rounded_all(values)], "text": [[loc.money(v) for v in values]]}
        axis = money_axis(loc, [0.0, *values])
        return trace, {"yaxis.tickvals": axis["tickvals"], "yaxis.ticktext": axis["ticktext"]}

    company = choices[0][1]
    values = pnl_values(company)
    fig = go.Figure(waterfall(steps, values, [measure for _, _, _, measure in PNL_STEPS], loc))
    layout(fig, loc._("From revenue to contribution"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(money_axis(loc, [0.0, *values]))
    if len(choices) > 1:
        buttons = [
            {"label": name, "method": "update", "args": list(restyle(pnl))} for name, pnl in choices
        ]
        dropdown(fig, buttons)
    return fig


def whale_curve(audit: Audit, loc: Locale) -> go.Figure | None:
    """Whale curve: cumulative share of contribution against cumulative share of accounts.

    Accounts run from the most to the least profitable; the hump above 100% is the profit the
    loss-making tail gives back. The peak is marked.
    """
    curve = rows(audit, "profitability", "whale_curve")
    if not curve:
        return None
    xs = [0.0, *(r.get("cum_account_share") or 0.0 for r in curve)]
    ys = [0.0, *(r.get("cum_contribution_share") or 0.0 for r in curve)]
    peak = max(range(len(ys)), key=lambda i: ys[i])
    shown = thin(len(xs), [peak, len(xs) - 1])
    fig = go.Figure(
        go.Scatter(
            x=[rounded(xs[i]) for i in shown],
            y=[rounded(ys[i]) for i in shown],
            mode="lines",
            line={"color": BLUE, "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[rounded(xs[peak])],
            y=[rounded(ys[peak])],
            mode="markers+text",
            marker={"color": RED, "size": 9},
            text=[loc._("Peak {share}").format(share=loc.percent(ys[peak]))],
            textposition="top left" if xs[peak] > 0.7 else "top right",
            cliponaxis=False,
            hovertext=[
                hover(
                    fact(loc, loc._("Accounts"), f"{loc.count(peak)} ({loc.percent(xs[peak])})"),
                    fact(loc, loc._("Share of contribution"), loc.percent(ys[peak])),
                )
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("Whale curve"))
    reference_line(fig, 1.0, loc._("100% of contribution"), "bottom right")
    top = max(1.05, (max(ys) or 1.0) * 1.1)
    fig.update_xaxes(percent_axis(loc._("Cumulative share of accounts"), range=[0, 1]))
    fig.update_yaxes(
        percent_axis(loc._("Cumulative share of contribution"), range=[min(0, min(ys)), top])
    )
    return fig


# -- 5. retention ----------------------------------------------------------------------------

BRIDGE_STEPS: tuple[tuple[str, str, int], ...] = (
    ("new", N_("New"), 1),
    ("reactivated", N_("Reactivated"), 1),
    ("expansion", N_("Expansion"), 1),
    ("contraction", N_("Contraction"), -1),
    ("churn", N_("Churn"), -1),
    ("other", N_("Other"), 1),
)
"""The steps of the revenue bridge between its start and end: figure, label, sign."""


def revenue_bridge(audit: Audit, loc: Locale) -> go.Figure | None:
    """Revenue bridge of the trailing twelve months against the twelve before.

    Prior TTM revenue, plus new, reactivated and expansion revenue, minus contraction and
    churn (plus credit notes of inactive accounts when there are any) gives TTM revenue.
    """
    ttm = (section(audit, "retention") or {}).get("ttm")
    if not isinstance(ttm, Mapping) or ttm.get("start") is None or ttm.get("end") is None:
        return None
    steps = [
        (name, sign * (ttm.get(field) or 0.0))
        for field, name, sign in BRIDGE_STEPS
        if field != "other" or ttm.get("other")
    ]
    labels = [loc._("Prior 12 months"), *(loc._(n) for n, _ in steps), loc._("Last 12 months")]
    values = [ttm["start"], *(v for _, v in steps), ttm["end"]]
    fig = go.Figure(
        waterfall(labels, values, ["absolute", *("relative" for _ in steps), "total"], loc)
    )
    layout(fig, loc._("Revenue bridge"))
    fig.update_xaxes(type="category")
    running = [sum(values[: i + 1]) for i in range(len(values) - 1)]
    fig.update_yaxes(money_axis(loc, [0.0, *running, ttm["end"]]))
    return fig


def rate_traces(periods: Sequence[Row], loc: Locale, first: bool) -> list[go.Scatter]:
    """NRR and GRR lines over ``periods`` (open markers on incomplete periods)."""
    labels = [escape(p.get("period1")) for p in periods]
    symbols = ["circle" if p.get("complete", True) else "circle-open" for p in periods]
    traces = []
    for field, name, colour in (("nrr", N_("NRR"), BLUE), ("grr", N_("GRR"), AMBER)):
        values = [p.get(field) for p in periods]
        incomplete = loc._("incomplete")
        notes = ["" if p.get("complete", True) else f" ({incomplete})" for p in periods]
        traces.append(
            go.Scatter(
                x=labels,
                y=rounded_all(values),
                mode="lines+markers",
                name=loc._(name),
                legendgroup=field,
                showlegend=first,
                line={"color": colour, "width": 2},
                marker={"symbol": symbols, "size": 7, "color": colour},
                hovertext=[
                    fact(loc, f"{x}{note} · {loc._(name)}", loc.percent(v))
                    for x, note, v in zip(labels, notes, values, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return traces


def nrr_grr(audit: Audit, loc: Locale) -> go.Figure | None:
    """Net and gross revenue retention by quarter (left) and by calendar year (right).

    A quarter's rates compare it with the quarter before, a year's with the year before; open
    markers are periods not yet complete. The dashed line is 100%.
    """
    grains = [
        (loc._("By quarter"), rows(audit, "retention", "quarters")),
        (loc._("By year"), rows(audit, "retention", "years")),
    ]
    grains = [(title, periods) for title, periods in grains if periods]
    if not grains:
        return None
    widths = [max(len(p), 3) for _, p in grains]
    fig = make_subplots(
        rows=1,
        cols=len(grains),
        column_widths=[w / sum(widths) for w in widths],
        subplot_titles=[title for title, _ in grains],
        horizontal_spacing=0.08,
    )
    for col, (_, periods) in enumerate(grains, start=1):
        for trace in rate_traces(periods, loc, first=col == 1):
            fig.add_trace(trace, row=1, col=col)
    layout(fig, loc._("Revenue retention"))
    fig.update_layout(margin={"t": 76})
    fig.update_annotations(font={"size": 12, "color": GREY})  # the subplot titles
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=".0%")
    fig.add_hline(y=1.0, line={"color": GREY, "width": 1, "dash": "dash"}, row="all", col="all")
    return fig


def cohort_heatmap(
    audit: Audit, loc: Locale, field: str, measure: str, title: str
) -> go.Figure | None:
    """Yearly cohorts (rows) by year of relationship (columns), ``field`` in the cells.

    Column "Year 1" is the cohort's first calendar year (``years_since`` 0); cells marked *
    are in a year not yet complete. ``measure`` names the figure in the hover.
    """
    cells = rows(audit, "cohorts", "yearly")
    if not cells:
        return None
    cohorts = sorted({str(c.get("cohort")) for c in cells})
    ages = sorted({int(c.get("years_since") or 0) for c in cells})
    line, column = {k: i for i, k in enumerate(cohorts)}, {k: i for i, k in enumerate(ages)}
    z: list[list[float | None]] = [[None] * len(ages) for _ in cohorts]
    text = [[""] * len(ages) for _ in cohorts]
    tips = [[""] * len(ages) for _ in cohorts]
    for cell in cells:
        i, j = line[str(cell.get("cohort"))], column[int(cell.get("years_since") or 0)]
        value = cell.get(field)
        partial = "" if cell.get("complete", True) else "*"
        z[i][j] = rounded(value, 4)
        text[i][j] = loc.percent(value, 0) + partial
        tips[i][j] = hover(
            loc._("Cohort {cohort}").format(cohort=escape(cell.get("cohort"))),
            fact(loc, loc._(measure), text[i][j]),
            loc._("{active} of {accounts} accounts active").format(
                active=loc.count(cell.get("active")), accounts=loc.count(cell.get("accounts"))
            ),
        )
    top = max([v for r in z for v in r if v is not None] + [1.0])
    fig = go.Figure(
        go.Heatmap(
            x=[loc._("Year {n}").format(n=k + 1) for k in ages],
            y=[escape(c) for c in cohorts],
            z=z,
            zmin=0,
            zmax=rounded(top),
            colorscale=SEQUENTIAL,
            text=text,
            texttemplate="%{text}",
            hovertext=tips,
            hovertemplate="%{hovertext}<extra></extra>",
            colorbar={"tickformat": ".0%", "thickness": 12},
            xgap=2,
            ygap=2,
        )
    )
    layout(fig, loc._(title))
    fig.update_xaxes(type="category", title={"text": loc._("Year of relationship")})
    fig.update_yaxes(type="category", autorange="reversed", title={"text": loc._("Cohort")})
    fig.add_annotation(
        text=loc._("* year not yet complete"),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        showarrow=False,
        xanchor="left",
        font={"size": 11, "color": GREY},
    )
    return fig


LOGO_RETENTION = N_("Logo retention")
REVENUE_RETENTION = N_("Revenue retention")


def cohort_logo(audit: Audit, loc: Locale) -> go.Figure | None:
    """Logo retention of yearly cohorts: the share of each cohort still buying, by year."""
    return cohort_heatmap(
        audit, loc, "logo_retention", LOGO_RETENTION, N_("Logo retention by cohort")
    )


def cohort_revenue(audit: Audit, loc: Locale) -> go.Figure | None:
    """Revenue retention of yearly cohorts: revenue over the cohort's first-year revenue."""
    return cohort_heatmap(
        audit, loc, "revenue_retention", REVENUE_RETENTION, N_("Revenue retention by cohort")
    )


# -- 4. lifetime value and acquisition -------------------------------------------------------


def survival(audit: Audit, loc: Locale) -> go.Figure | None:
    """Kaplan–Meier survival by year of relationship, one line per segment's curve.

    The dashed line is the company-wide curve discounted at the LTV discount rate: the weight
    of each year's contribution in LTV.
    """
    points = rows(audit, "ltv", "survival")
    if not points:
        return None
    curves: dict[str, list[Row]] = {}
    for point in points:
        curves.setdefault(str(point.get("curve")), []).append(point)
    fig = go.Figure()
    for index, (curve, members) in enumerate(curves.items()):
        members = sorted(members, key=lambda p: p.get("year") or 0)
        name = label(curve, loc)
        values = [p.get("survival") for p in members]
        fig.add_trace(
            go.Scatter(
                x=[p.get("year") for p in members],
                y=rounded_all(values),
                mode="lines+markers",
                name=name,
                line={"color": PALETTE[index % len(PALETTE)], "width": 2.5 if index == 0 else 1.5},
                marker={"size": 5},
                hovertemplate=f"{name} · %{{x}}: %{{y:.1%}}<extra></extra>",
            )
        )
    main = curves.get("(all)") or next(iter(curves.values()))
    main = sorted(main, key=lambda p: p.get("year") or 0)
    if any(p.get("discounted") is not None for p in main):
        name = loc._("Discounted")
        fig.add_trace(
            go.Scatter(
                x=[p.get("year") for p in main],
                y=rounded_all(p.get("discounted") for p in main),
                mode="lines",
                name=name,
                line={"color": PALETTE[0], "width": 1.5, "dash": "dash"},
                hovertemplate=f"{name} · %{{x}}: %{{y:.1%}}<extra></extra>",
            )
        )
    layout(fig, loc._("Customer survival"))
    fig.update_xaxes(title={"text": loc._("Years since acquisition")}, dtick=1)
    fig.update_yaxes(percent_axis(loc._("Share still a customer"), range=[0, 1.02]))
    return fig


def cac_trend(audit: Audit, loc: Locale) -> go.Figure | None:
    """CAC by acquisition quarter: blended CAC (bars) and all-in CAC (line).

    Blended CAC is the untagged acquisition spend over the accounts acquired; all-in adds the
    tagged spend. Hatched bars are quarters only partly in the data.
    """
    quarters = [q for q in rows(audit, "acquisition", "quarters") if q.get("quarter")]
    if not quarters:
        return None
    labels = [escape(q.get("quarter")) for q in quarters]
    partial = [bool(q.get("partial")) for q in quarters]
    partial_quarter = loc._("partial quarter")
    notes = [f" ({partial_quarter})" if p else "" for p in partial]
    blended = [q.get("blended_cac") for q in quarters]
    all_in = [q.get("all_in_cac") for q in quarters]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=rounded_all(blended),
            name=loc._("Blended CAC"),
            marker={
                "color": BLUE,
                "opacity": [0.5 if p else 0.9 for p in partial],
                "pattern": {"shape": ["/" if p else "" for p in partial]},
            },
            hovertext=[
                hover(
                    f"<b>{x}</b>{note}",
                    fact(loc, loc._("Blended CAC"), loc.money(v)),
                    fact(loc, loc._("New accounts"), loc.count(q.get("new_accounts"))),
                )
                for x, note, v, q in zip(labels, notes, blended, quarters, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    name = loc._("All-in CAC")
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=rounded_all(all_in),
            mode="lines+markers",
            name=name,
            line={"color": AMBER, "width": 2},
            hovertext=[
                fact(loc, f"{x}{note} · {name}", loc.money(v))
                for x, note, v in zip(labels, notes, all_in, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    layout(fig, loc._("Customer acquisition cost"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(money_axis(loc, [*blended, *all_in]), title={"text": loc._("CAC")})
    return fig


def ltv_cac_segments(audit: Audit, loc: Locale) -> go.Figure | None:
    """LTV/CAC by segment against the healthy threshold (dashed), largest ratio first."""
    ltv = section(audit, "ltv") or {}
    segments = [s for s in rows(audit, "ltv", "segments") if s.get("ltv_to_cac") is not None]
    if not segments:
        return None
    segments.sort(key=lambda s: -s["ltv_to_cac"])
    threshold = ltv.get("healthy_ltv_to_cac")
    labels = [label(s.get("segment"), loc) for s in segments]
    colours = [
        GREY if s.get("healthy") is None else GREEN if s["healthy"] else RED for s in segments
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=[rounded(s["ltv_to_cac"]) for s in segments],
            marker={"color": colours},
            text=[loc.ratio(s["ltv_to_cac"]) for s in segments],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                hover(
                    f"<b>{x}</b>",
                    fact(loc, loc._("LTV / CAC"), loc.ratio(s["ltv_to_cac"])),
                    fact(loc, loc._("LTV"), loc.money(s.get("ltv_of_accounts_with_cac"))),
                    fact(loc, loc._("CAC"), loc.money(s.get("cac"))),
                    fact(
                        loc,
                        loc._("Accounts with a known CAC"),
                        loc.count(s.get("accounts_with_cac")),
                    ),
                )
                for x, s in zip(labels, segments, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("LTV / CAC by segment"))
    if threshold is not None:  # the threshold line, named in the legend (bars hide a label)
        fig.add_hline(y=threshold, line={"color": GREY, "width": 1.5, "dash": "dash"})
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": GREY, "width": 1.5, "dash": "dash"},
                name=loc._("Healthy: {ratio}").format(ratio=loc.ratio(threshold)),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title={"text": loc._("LTV / CAC")}, ticksuffix="×", rangemode="tozero")
    return fig


def mrr_series(audit: Audit, loc: Locale) -> go.Figure | None:
    """Monthly recurring revenue at each month end."""
    series = [p for p in rows(audit, "mrr", "series") if p.get("month_end")]
    if not series:
        return None
    values = [p.get("mrr") for p in series]
    mrr = loc._("MRR")
    fig = go.Figure(
        go.Scatter(
            x=[p["month_end"] for p in series],
            y=rounded_all(values),
            mode="lines",
            line={"color": BLUE, "width": 2},
            fill="tozeroy",
            fillcolor="rgba(31, 78, 121, 0.12)",
            hovertext=[
                fact(loc, f"{loc.date(p['month_end'])} · {mrr}", loc.money(v))
                for p, v in zip(series, values, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(fig, loc._("Monthly recurring revenue"))
    fig.update_xaxes(type="date", tickformat="%Y-%m")
    fig.update_yaxes(money_axis(loc, values), title={"text": mrr})
    return fig


# -- 6. penetration and wallet share ---------------------------------------------------------

WHITESPACE_MAX_ACCOUNTS = 30
"""The whitespace matrices and the penetration growth chart draw at most this many accounts
(the largest by TTM revenue) and say so when they cut."""
WALLET_MAX_FALLERS = 20
"""The wallet-share chart names at most this many falling accounts (the largest falls)."""


def units_accounts(audit: Audit) -> list[Row]:
    """The accounts with units (``penetration.accounts``), the largest TTM revenue first."""
    return by_revenue(rows(audit, "penetration", "accounts"))


def changes(points: Sequence[Row], field: str) -> list[Row]:
    """The points where ``field`` changes, with the first and the last (a step curve's corners)."""
    return [
        p
        for i, p in enumerate(points)
        if i in (0, len(points) - 1) or p.get(field) != points[i - 1].get(field)
    ]


def penetration_growth(audit: Audit, loc: Locale) -> go.Figure | None:
    """Penetration growth: unit penetration per account and the key-account index over time.

    Thin steps are the accounts with units (their penetration at each quarter end, drawn from
    the quarter ends where it changes), the thick line the revenue-weighted key-account
    penetration index at every quarter end. The largest :data:`WHITESPACE_MAX_ACCOUNTS`
    accounts are drawn (a note says when there are more); the index is over all of them.
    """
    index = [p for p in rows(audit, "penetration", "index_series") if p.get("date")]
    series = [p for p in rows(audit, "penetration", "series") if p.get("date")]
    if not index and not series:
        return None
    everyone = units_accounts(audit)
    accounts = everyone[:WHITESPACE_MAX_ACCOUNTS]
    lines: dict[str, list[Row]] = {}
    for point in series:
        lines.setdefault(str(point.get("account_id")), []).append(point)
    fig = go.Figure()
    drawn_lines = [a for a in accounts if str(a.get("account_id")) in lines]
    adopted = loc._("{adopted} of {total} units adopted")
    for account in drawn_lines:
        steps = sorted(lines[str(account.get("account_id"))], key=lambda p: str(p["date"]))
        steps = changes(steps, "adopted_units")
        name = name_of(account)
        fig.add_trace(
            go.Scatter(
                x=[p["date"] for p in steps],
                y=[rounded(p.get("penetration")) for p in steps],
                mode="lines",
                line_shape="hv",
                name=name,
                legendgroup="accounts",
                showlegend=False,
                line={"color": "rgba(127, 127, 127, 0.55)", "width": 1},
                customdata=[
                    [
                        loc.date(p["date"]),
                        loc.percent(p.get("penetration")),
                        adopted.format(
                            adopted=loc.count(p.get("adopted_units")),
                            total=loc.count(p.get("total_units")),
                        ),
                    ]
                    for p in steps
                ],
                hovertemplate=hover(
                    f"<b>{name}</b> · %{{customdata[0]}}",
                    fact(loc, loc._("Unit penetration"), "%{customdata[1]}"),
                    "%{customdata[2]}",
                )
                + "<extra></extra>",
            )
        )
    if drawn_lines:  # one legend entry for all the thin lines
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=loc._("Unit penetration per account"),
                legendgroup="accounts",
                line={"color": GREY, "width": 1},
                hoverinfo="skip",
            )
        )
    if index:
        index = sorted(index, key=lambda p: str(p["date"]))
        name = loc._("Key-account penetration index")
        fig.add_trace(
            go.Scatter(
                x=[p["date"] for p in index],
                y=[rounded(p.get("index")) for p in index],
                mode="lines+markers",
                name=name,
                line={"color": BLUE, "width": 3.5},
                marker={"size": 5, "color": BLUE},
                customdata=[
                    [loc.date(p["date"]), loc.percent(p.get("index")), loc.count(p.get("accounts"))]
                    for p in index
                ],
                hovertemplate=hover(
                    f"<b>{name}</b> · %{{customdata[0]}}",
                    fact(loc, loc._("Penetration"), "%{customdata[1]}"),
                    fact(loc, loc._("Accounts"), "%{customdata[2]}"),
                )
                + "<extra></extra>",
            )
        )
    layout(fig, loc._("Penetration growth inside key accounts"))
    if len(drawn_lines) < len(everyone):
        note(fig, largest_note(loc, len(drawn_lines), len(everyone)), x=1.0)
    fig.update_xaxes(type="date", tickformat="%Y-%m")
    fig.update_yaxes(percent_axis(loc._("Units adopted"), range=[0, 1.02]))
    return fig


WHITESPACE_SCALE: list[list[float | str]] = [[0.0, "#d2e2ef"], [0.5, "#6fa3cf"], [1.0, "#1f4e79"]]
"""Colour scale of adopted units and bought product lines: its lightest is not white, so that
whitespace (white) stands out."""


def whitespace_units(audit: Audit, loc: Locale) -> go.Figure | None:
    """Whitespace matrix of units: a row per account with units, a square per unit.

    Filled squares are adopted units, coloured by the year of adoption; open squares are the
    units not adopted yet — the whitespace to sell into. Units keep their order in the account
    (columns are positions, not the same unit across accounts). The largest
    :data:`WHITESPACE_MAX_ACCOUNTS` accounts by TTM revenue are drawn (a note says when cut).
    """
    units = rows(audit, "penetration", "whitespace_units")
    if not units:
        return None
    by_account: dict[str, list[Row]] = {}
    for unit in units:
        by_account.setdefault(str(unit.get("account_id")), []).append(unit)
    names = account_names(audit)
    known = [a for a in units_accounts(audit) if str(a.get("account_id")) in by_account]
    rest = sorted(set(by_account) - {str(a.get("account_id")) for a in known})
    everyone: list[Row] = [*known, *({"account_id": k} for k in rest)]
    accounts = everyone[:WHITESPACE_MAX_ACCOUNTS]
    adopted: dict[str, list[Any]] = {"x": [], "y": [], "year": [], "tip": []}
    empty: dict[str, list[Any]] = {"x": [], "y": [], "tip": []}
    widest = 1
    for row, account in enumerate(accounts):
        name = name_of(account, names)
        members = by_account[str(account.get("account_id"))]
        widest = max(widest, len(members))
        for column, unit in enumerate(members):
            title = escape(unit.get("name") or unit.get("unit_id"))
            tip = [f"<b>{name}</b>", title]
            if unit.get("unit_type"):
                tip[-1] += f" ({escape(unit['unit_type'])})"
            if unit.get("adopted") and unit.get("adopted_date"):
                adopted["x"].append(column + 1)
                adopted["y"].append(row)
                adopted["year"].append(int(str(unit["adopted_date"])[:4]))
                tip.append(fact(loc, loc._("Adopted"), loc.date(unit["adopted_date"])))
                tip.append(
                    fact(loc, loc._("Revenue, last 12 months"), loc.money(unit.get("revenue")))
                )
                adopted["tip"].append(hover(*tip))
            else:
                empty["x"].append(column + 1)
                empty["y"].append(row)
                tip.append(loc._("Not adopted yet: whitespace"))
                empty["tip"].append(hover(*tip))
    size = 15 if widest <= 12 else 11
    fig = go.Figure()
    years = adopted["year"]
    fig.add_trace(
        go.Scatter(
            x=adopted["x"],
            y=adopted["y"],
            mode="markers",
            name=loc._("Adopted (colour: year)"),
            marker={
                "symbol": "square",
                "size": size,
                "color": years,
                "colorscale": WHITESPACE_SCALE,
                "cmin": min(years, default=0),
                "cmax": max(years, default=1),
                "colorbar": {
                    "title": {"text": loc._("Year adopted")},
                    "thickness": 12,
                    "tickformat": "d",
                    "dtick": 1,
                },
                "line": {"color": BLUE, "width": 1},
            },
            hovertext=adopted["tip"],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=empty["x"],
            y=empty["y"],
            mode="markers",
            name=loc._("Not adopted yet (whitespace)"),
            marker={
                "symbol": "square",
                "size": size,
                "color": "#ffffff",
                "line": {"color": RED, "width": 1.5},
            },
            hovertext=empty["tip"],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    layout(
        fig,
        loc._("Whitespace: units adopted and not yet adopted"),
        height=max(HEIGHT, 150 + 24 * len(accounts)),
    )
    fig.update_layout(legend={"y": -0.08 if len(accounts) > 15 else -0.22})
    if len(accounts) < len(everyone):
        note(fig, largest_note(loc, len(accounts), len(everyone)), x=1.0)
    fig.update_xaxes(
        title={"text": loc._("Units of the account")},
        tickmode="array",
        tickvals=list(range(1, widest + 1)),
        range=[0.4, widest + 0.6],
        showgrid=False,
    )
    fig.update_yaxes(account_index_axis([name_of(a, names) for a in accounts]))
    return fig


def whitespace_product_lines(audit: Audit, loc: Locale) -> go.Figure | None:
    """Whitespace matrix of product lines: account (rows) × product line offered (columns).

    Cells are the line's share of the account's TTM revenue; white cells are lines the account
    does not buy — the cross-sell whitespace. The largest :data:`WHITESPACE_MAX_ACCOUNTS`
    accounts by TTM revenue are drawn (a note says when cut).
    """
    cells = [
        c for c in rows(audit, "penetration", "whitespace_product_lines") if c.get("account_id")
    ]
    if not cells:
        return None
    revenue: dict[str, dict[str, float]] = {}
    for cell in cells:
        line = str(cell.get("product_line"))
        revenue.setdefault(str(cell["account_id"]), {})[line] = cell.get("revenue") or 0.0
    names = account_names(audit)
    known = [a for a in units_accounts(audit) if str(a.get("account_id")) in revenue]
    rest = sorted(set(revenue) - {str(a.get("account_id")) for a in known})
    everyone: list[Row] = [*known, *({"account_id": k} for k in rest)]
    accounts = everyone[:WHITESPACE_MAX_ACCOUNTS]
    totals: dict[str, float] = {}
    for per_line in revenue.values():
        for line, value in per_line.items():
            totals[line] = totals.get(line, 0.0) + max(value, 0.0)
    lines = sorted(totals, key=lambda k: (-totals[k], k))
    account_labels = [name_of(a, names) for a in accounts]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    tips: list[list[str]] = []
    for account, name in zip(accounts, account_labels, strict=True):
        per_line = revenue[str(account.get("account_id"))]
        total = sum(max(v, 0.0) for v in per_line.values())
        z.append([])
        text.append([])
        tips.append([])
        for line in lines:
            value = per_line.get(line, 0.0)
            part = share(value, total) if value > 0 else None
            z[-1].append(rounded(part, 4))
            text[-1].append("" if part is None else "<1%" if part < 0.005 else loc.percent(part, 0))
            detail = (
                fact(loc, loc._("Revenue, last 12 months"), loc.money(value))
                + "<br>"
                + fact(loc, loc._("Share of the account's revenue"), loc.percent(part))
                if part is not None
                else loc._("No revenue in the last 12 months: whitespace")
            )
            tips[-1].append(hover(f"<b>{name}</b> · {escape(line)}", detail))
    fig = go.Figure(
        go.Heatmap(
            x=[escape(line) for line in lines],
            y=list(range(len(accounts))),
            z=z,
            zmin=0,
            zmax=1,
            colorscale=WHITESPACE_SCALE,
            text=text,
            texttemplate="%{text}",
            hovertext=tips,
            hovertemplate="%{hovertext}<extra></extra>",
            hoverongaps=True,
            colorbar={
                "title": {"text": loc._("Share of the account's revenue")},
                "tickformat": ".0%",
                "thickness": 12,
            },
            xgap=2,
            ygap=2,
        )
    )
    layout(
        fig,
        loc._("Whitespace: product lines bought by each account"),
        height=max(HEIGHT, 150 + 24 * len(accounts)),
    )
    note(fig, loc._("White: no revenue in the last 12 months (whitespace)"))
    if len(accounts) < len(everyone):
        note(fig, largest_note(loc, len(accounts), len(everyone)), x=1.0)
    fig.update_layout(margin={"t": 76})
    fig.update_xaxes(type="category", title={"text": loc._("Product line")}, showgrid=False)
    fig.update_yaxes(account_index_axis(account_labels))
    return fig


QUADRANTS: dict[str, tuple[str, str]] = {
    "stronghold": (N_("Stronghold"), GREEN),
    "deep_niche": (N_("Deep niche"), BLUE),
    "shallow_share": (N_("Shallow share"), AMBER),
    "outpost": (N_("Outpost"), GREY),
}
"""The market share × penetration quadrants (``penetration.industries.quadrant``)."""
QUADRANT_CORNERS: dict[str, tuple[float, float, str, str]] = {
    "stronghold": (0.99, 0.99, "right", "top"),
    "deep_niche": (0.01, 0.99, "left", "top"),
    "shallow_share": (0.99, 0.01, "right", "bottom"),
    "outpost": (0.01, 0.01, "left", "bottom"),
}
QUADRANT_HINTS: dict[str, str] = {
    "stronghold": N_("high share, deep penetration"),
    "deep_niche": N_("low share, deep penetration"),
    "shallow_share": N_("high share, shallow penetration"),
    "outpost": N_("low share, shallow penetration"),
}


def share_vs_penetration(audit: Audit, loc: Locale) -> go.Figure | None:
    """Market share (x) against key-account penetration (y), a circle per industry.

    Only industries with both figures are drawn; circle area is our TTM revenue in the industry
    and colour its quadrant. The dashed lines are the medians that split the quadrants
    (``share_threshold``, ``penetration_threshold``). The share axis is logarithmic when the
    shares span more than a factor of ten.
    """
    pen = section(audit, "penetration") or {}
    industries = [
        i
        for i in rows(audit, "penetration", "industries")
        if i.get("market_share") is not None and i.get("penetration") is not None
    ]
    if not industries:
        return None
    fig = go.Figure()
    biggest = max((i.get("revenue") or 0.0) for i in industries) or 1.0
    groups: dict[object, list[Row]] = {}
    for industry in industries:
        groups.setdefault(industry.get("quadrant"), []).append(industry)
    for code, members in groups.items():
        name, colour = QUADRANTS.get(str(code), (UNKNOWN_LABEL, GREY))
        labels = [label(i.get("industry"), loc) for i in members]
        fig.add_trace(
            go.Scatter(
                x=[rounded(i["market_share"]) for i in members],
                y=[rounded(i["penetration"]) for i in members],
                mode="markers+text",
                name=loc._(name),
                text=labels,
                textposition="top center",
                cliponaxis=False,
                marker={
                    "size": [rounded(max(i.get("revenue") or 0.0, 0.0)) for i in members],
                    "sizemode": "area",
                    "sizeref": rounded(2 * biggest / 46**2),
                    "sizemin": 6,
                    "color": colour,
                    "opacity": 0.8,
                    "line": {"color": "#ffffff", "width": 1},
                },
                hovertext=[
                    hover(
                        f"<b>{x}</b> · {loc._(name)}",
                        fact(loc, loc._("Market share"), loc.percent(i["market_share"], 3)),
                        fact(loc, loc._("Key-account penetration"), loc.percent(i["penetration"])),
                        fact(loc, loc._("Our revenue"), loc.money(i.get("revenue"))),
                        fact(loc, loc._("Market size"), loc.money(i.get("market_size"))),
                        fact(
                            loc,
                            loc._("Accounts with units"),
                            loc.count(i.get("accounts_with_units")),
                        ),
                    )
                    for x, i in zip(labels, members, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("Market share and key-account penetration by industry"), height=480)
    shares = [i["market_share"] for i in industries]
    logarithmic = min(shares) > 0 and max(shares) / min(shares) > 10
    share_threshold, pen_threshold = pen.get("share_threshold"), pen.get("penetration_threshold")
    if share_threshold is not None:
        fig.add_vline(x=share_threshold, line={"color": GREY, "width": 1, "dash": "dash"})
    if pen_threshold is not None:
        fig.add_hline(y=pen_threshold, line={"color": GREY, "width": 1, "dash": "dash"})
    for code, (x, y, xanchor, yanchor) in QUADRANT_CORNERS.items():
        name, colour = QUADRANTS[code]
        corner_label(
            fig,
            f"<b>{loc._(name)}</b><br>{loc._(QUADRANT_HINTS[code])}",
            (x, y, xanchor, yanchor),
            colour,
            opacity=0.9,
        )
    low, high = min(shares), max(shares)
    if logarithmic:
        pad = (math.log10(high) - math.log10(low)) * 0.18
        span = [math.log10(low) - pad, math.log10(high) + pad]
    else:
        pad = (high - low) * 0.18 or high * 0.5 or 0.01
        span = [max(low - pad, 0.0), high + pad]
    digits = min(max(0, 1 - math.floor(math.log10(high * 100))), 4) if high > 0 else 1
    fig.update_xaxes(
        title={"text": loc._("Market share (our revenue / market size)")},
        type="log" if logarithmic else "linear",
        range=[rounded(v) for v in span],
        tickformat=f".{digits}~%",
    )
    top = max(1.0, *(i["penetration"] for i in industries))
    fig.update_yaxes(
        percent_axis(
            loc._("Key-account penetration"),
            range=[-0.3, top + 0.32],
            tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
        )
    )
    return fig


def bucket_label(bucket: object) -> str:
    """A wallet-share bucket as printed: '10-30%' → '10–30%', '>=70%' → '≥70%'."""
    return escape(str(bucket).replace(">=", "≥").replace("<=", "≤").replace("-", "–"))


def wallet_share(audit: Audit, loc: Locale) -> go.Figure | None:
    """Wallet share: accounts per bucket of latest share (left) and the largest falls (right).

    The right panel is a dumbbell per falling account from its previous share (grey) to its
    latest (red), the largest :data:`WALLET_MAX_FALLERS` falls of at least the threshold.
    """
    wallet = section(audit, "wallet_share") or {}
    buckets = rows(audit, "wallet_share", "distribution")
    fallers = rows(audit, "wallet_share", "falling")[:WALLET_MAX_FALLERS]
    if not buckets and not fallers:
        return None
    year = wallet.get("latest_year")
    titles = []
    if buckets:
        titles.append(loc._("Accounts by wallet share, {year}").format(year=escape(year)))
    if fallers:
        threshold = loc.points(wallet.get("falling_threshold")).lstrip("+")
        titles.append(loc.tidy(loc._("Falls of {threshold} or more").format(threshold=threshold)))
    fig = make_subplots(
        rows=1,
        cols=len(titles),
        subplot_titles=titles,
        horizontal_spacing=0.22,
        column_widths=[0.45, 0.55] if len(titles) == 2 else None,
    )
    if buckets:
        labels = [bucket_label(b.get("bucket")) for b in buckets]
        counts = [b.get("accounts") or 0 for b in buckets]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=counts,
                marker={"color": BLUE},
                text=[loc.count(c) for c in counts],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    hover(
                        f"<b>{x}</b>",
                        fact(loc, loc._("Accounts"), loc.count(c)),
                        fact(
                            loc, loc._("Share of accounts"), loc.percent(b.get("share_of_accounts"))
                        ),
                    )
                    for x, c, b in zip(labels, counts, buckets, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=1,
        )
        fig.update_xaxes(type="category", title={"text": loc._("Wallet share")}, row=1, col=1)
        fig.update_yaxes(title={"text": loc._("Accounts")}, rangemode="tozero", row=1, col=1)
    if fallers:
        col = len(titles)
        names = account_names(audit)
        labels = [name_of(f, names) for f in fallers]
        ys = list(range(len(fallers)))
        segments_x: list[float | None] = []
        segments_y: list[float | None] = []
        for y, f in zip(ys, fallers, strict=True):
            segments_x += [rounded(f.get("previous_share")), rounded(f.get("wallet_share")), None]
            segments_y += [y, y, None]
        fig.add_trace(
            go.Scatter(
                x=segments_x,
                y=segments_y,
                mode="lines",
                line={"color": "#bfbfbf", "width": 3},
                hoverinfo="skip",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        tips = [
            hover(
                f"<b>{x}</b>",
                fact(loc, loc._("Previous year"), loc.percent(f.get("previous_share"))),
                fact(loc, loc._("Latest"), loc.percent(f.get("wallet_share"))),
                fact(loc, loc._("Change"), loc.points(f.get("change"))),
            )
            for x, f in zip(labels, fallers, strict=True)
        ]
        for field, name, colour in (
            ("previous_share", N_("Previous year"), GREY),
            ("wallet_share", N_("Latest"), RED),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[rounded(f.get(field)) for f in fallers],
                    y=ys,
                    mode="markers",
                    name=loc._(name),
                    marker={"color": colour, "size": 10},
                    hovertext=tips,
                    hovertemplate="%{hovertext}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(
            title={"text": loc._("Wallet share")},
            tickformat=".0%",
            rangemode="tozero",
            row=1,
            col=col,
        )
        fig.update_yaxes(account_index_axis(labels), row=1, col=col)
    layout(
        fig,
        loc._("Wallet share: our revenue / the customer's spend"),
        height=max(HEIGHT, 160 + 24 * len(fallers)),
    )
    fig.update_layout(margin={"t": 76})
    fig.update_annotations(font={"size": 12, "color": GREY})  # the subplot titles
    return fig


# -- 7. relationships, silent traitors and churn risk ----------------------------------------

DEPARTMENTS: dict[str, str] = {
    "procurement": N_("Procurement"),
    "finance": N_("Finance"),
    "rd": N_("R&D"),
    "production": N_("Production"),
    "it": N_("IT"),
    "executive": N_("Management"),
}
"""The customer's departments (``contacts.department``) as words."""
TRANSACTIONAL_DEPARTMENTS = frozenset({"procurement", "finance"})


def department(code: object, loc: Locale) -> str:
    """A department for display: the core ones translated, others escaped as given."""
    if code is None or code == "(unknown)":
        return loc._(UNKNOWN_LABEL)
    key = str(code)
    return loc._(DEPARTMENTS[key]) if key in DEPARTMENTS else escape(key)


DEPTH_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("both", N_("Transactional only, key-person risk"), RED),
    ("transactional", N_("Transactional only"), AMBER),
    ("key_person", N_("Key-person risk"), PURPLE),
    ("none", N_("No active relationship"), GREY),
    ("broad", N_("Other accounts"), BLUE),
)
"""The stacks of the relationship-depth bars, each account in the first group it meets."""


def depth_group(account: Row) -> str:
    """Which stack of :data:`DEPTH_GROUPS` an account belongs to."""
    transactional, key_person = account.get("transactional_only"), account.get("key_person_risk")
    if transactional and key_person:
        return "both"
    if transactional:
        return "transactional"
    if key_person:
        return "key_person"
    if account.get("no_active_relationship"):
        return "none"
    return "broad"


def relationship_depth(audit: Audit, loc: Locale) -> go.Figure | None:
    """Relationship depth: TTM-active accounts by the number of core departments reached.

    Bars run from 0 to the number of core departments; each is stacked by risk: transactional
    only (procurement or finance alone), key-person risk, both, no active relationship, the
    rest. The note gives the counts and their share of TTM revenue.
    """
    rel = section(audit, "relationships") or {}
    accounts = rows(audit, "relationships", "accounts")
    if not accounts:
        return None
    core = len(rel.get("core_departments") or DEPARTMENTS)
    reach = [min(len(a.get("departments_reached") or ()), core) for a in accounts]
    labels = [str(k) for k in range(core + 1)]
    fig = go.Figure()
    for code, name, colour in DEPTH_GROUPS:
        counts = [0] * (core + 1)
        revenue = [0.0] * (core + 1)
        for account, k in zip(accounts, reach, strict=True):
            if depth_group(account) == code:
                counts[k] += 1
                revenue[k] += account.get("revenue") or 0.0
        if not any(counts):
            continue
        fig.add_trace(
            go.Bar(
                x=labels,
                y=counts,
                name=loc._(name),
                marker={"color": colour},
                hovertext=[
                    hover(
                        f"<b>{loc._(name)}</b>",
                        fact(loc, loc._("Departments reached"), k),
                        fact(loc, loc._("Accounts"), loc.count(c)),
                        fact(loc, loc._("Revenue, last 12 months"), loc.money(r)),
                    )
                    for k, c, r in zip(labels, counts, revenue, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    layout(fig, loc._("Relationship depth: departments reached per account"), barmode="stack")
    fig.update_layout(margin={"t": 76})
    summary = loc._(
        "Transactional only: {transactional} ({transactional_share} of revenue) · "
        "key-person risk: {key_person} ({key_person_share} of revenue)"
    )
    note(
        fig,
        summary.format(
            transactional=loc.count(rel.get("transactional_only_count")),
            transactional_share=loc.percent(rel.get("transactional_only_revenue_share")),
            key_person=loc.count(rel.get("key_person_risk_count")),
            key_person_share=loc.percent(rel.get("key_person_risk_revenue_share")),
        ),
    )
    fig.update_xaxes(
        type="category",
        title={"text": loc._("Core departments reached (of {n})").format(n=core)},
    )
    fig.update_yaxes(title={"text": loc._("Accounts")}, rangemode="tozero")
    return fig


MAP_TOP_ACCOUNTS = 30
MAP_MAX_CHOICES = 60
"""The relationship-map dropdown: the largest accounts by revenue, then the flagged ones."""
MAP_WIDTHS: tuple[tuple[int, float, str], ...] = (
    (1, 1.0, N_("1 interaction")),
    (2, 2.5, N_("2–3 interactions")),
    (4, 4.5, N_("4–9 interactions")),
    (10, 7.0, N_("10 or more interactions")),
)
"""Line widths of the relationship map by interactions in the TTM: from, width, legend."""


def map_choices(audit: Audit) -> list[tuple[Row, list[Row]]]:
    """The accounts of the relationship-map dropdown, with their map rows.

    The largest by revenue, then every transactional-only or key-person-risk account, largest
    first; only accounts with interactions in the TTM (there is nothing to draw otherwise).
    """
    links: dict[str, list[Row]] = {}
    for link in rows(audit, "relationships", "relationship_map"):
        links.setdefault(str(link.get("account_id")), []).append(link)
    accounts = [
        a
        for a in by_revenue(rows(audit, "relationships", "accounts"))
        if str(a.get("account_id")) in links
    ]
    top = accounts[:MAP_TOP_ACCOUNTS]
    chosen = {str(a.get("account_id")) for a in top}
    flagged = [
        a
        for a in accounts
        if str(a.get("account_id")) not in chosen
        and (a.get("transactional_only") or a.get("key_person_risk"))
    ]
    return [(a, links[str(a.get("account_id"))]) for a in [*top, *flagged][:MAP_MAX_CHOICES]]


def spread(count: int) -> list[float]:
    """``count`` evenly spaced heights from 1 (top) down to 0; one node sits in the middle."""
    if count <= 1:
        return [0.5] * count
    return [rounded(1 - i / (count - 1), 4) or 0.0 for i in range(count)]


MAP_KEYS = ("x", "y", "text", "customdata", "marker.color")
"""What each dropdown choice of the relationship map restyles, in every trace."""


def map_traces(links: list[Row], loc: Locale) -> list[dict[str, Any]]:
    """The data of the relationship map's traces for one account, by trace.

    In trace order: the line groups of :data:`MAP_WIDTHS`, the hover points of the lines, our
    people, their departments; each with every key of :data:`MAP_KEYS`.
    """
    employees: dict[str, int] = {}
    departments: dict[str, int] = {}
    for link in links:
        n = int(link.get("interactions") or 0)
        employee, dept = str(link.get("employee")), str(link.get("department"))
        employees[employee] = employees.get(employee, 0) + n
        departments[dept] = departments.get(dept, 0) + n
    people = sorted(employees, key=lambda e: (-employees[e], e))
    order = list(DEPARTMENTS)
    depts = sorted(departments, key=lambda d: (order.index(d) if d in order else len(order), d))
    at_e = dict(zip(people, spread(len(people)), strict=True))
    at_d = dict(zip(depts, spread(len(depts)), strict=True))

    def empty() -> dict[str, Any]:
        return {"x": [], "y": [], "text": [], "customdata": [], "marker.color": GREY}

    groups = [empty() for _ in MAP_WIDTHS]
    mid = empty()
    for link in links:
        n = int(link.get("interactions") or 0)
        employee, dept = str(link.get("employee")), str(link.get("department"))
        k = max([0, *(i for i, (low, _, _) in enumerate(MAP_WIDTHS) if n >= low)])
        groups[k]["x"] += [0, 1, None]
        groups[k]["y"] += [at_e[employee], at_d[dept], None]
        mid["x"].append(0.5)
        mid["y"].append(rounded((at_e[employee] + at_d[dept]) / 2, 4))
        mid["customdata"].append([escape(employee), department(dept, loc), loc.count(n)])
    ours = {
        "x": [0] * len(people),
        "y": [at_e[e] for e in people],
        "text": [escape(e) for e in people],
        "customdata": [loc.count(employees[e]) for e in people],
        "marker.color": BLUE,
    }
    theirs = {
        "x": [1] * len(depts),
        "y": [at_d[d] for d in depts],
        "text": [department(d, loc) for d in depts],
        "customdata": [loc.count(departments[d]) for d in depts],
        "marker.color": [
            AMBER if d in TRANSACTIONAL_DEPARTMENTS else GREEN if d in DEPARTMENTS else GREY
            for d in depts
        ],
    }
    return [*groups, mid, ours, theirs]


def map_title(account: Row, loc: Locale) -> str:
    """The dropdown label of an account: its name and its flags."""
    name = name_of(account)
    flags = []
    if account.get("transactional_only"):
        flags.append(loc._("transactional only"))
    if account.get("key_person_risk"):
        flags.append(loc._("key-person risk"))
    return f"{name} ({loc.join(flags)})" if flags else name


def relationship_map(audit: Audit, loc: Locale) -> go.Figure | None:
    """Relationship map of one account: our people (left) to the customer's departments (right).

    Line width grows with the interactions of the TTM (:data:`MAP_WIDTHS`); departments in
    amber are transactional (procurement, finance), green the other core ones. The dropdown
    switches among the largest accounts by revenue and every transactional-only or
    key-person-risk account (:func:`map_choices`); each choice restyles the same traces.
    """
    choices = map_choices(audit)
    if not choices:
        return None
    first = map_traces(choices[0][1], loc)
    interactions = loc._("{n} interactions")
    fig = go.Figure()
    for (_, width, name), data in zip(MAP_WIDTHS, first, strict=False):
        fig.add_trace(
            go.Scatter(
                x=data["x"],
                y=data["y"],
                mode="lines",
                name=loc._(name),
                line={"color": "rgba(31, 78, 121, 0.45)", "width": width},
                hoverinfo="skip",
            )
        )
    mid, ours, theirs = first[len(MAP_WIDTHS) :]
    fig.add_trace(
        go.Scatter(
            x=mid["x"],
            y=mid["y"],
            mode="markers",
            marker={"size": 12, "opacity": 0, "color": mid["marker.color"]},
            customdata=mid["customdata"],
            hovertemplate=fact(
                loc,
                "%{customdata[0]} → %{customdata[1]}",
                interactions.format(n="%{customdata[2]}"),
            )
            + "<extra></extra>",
            showlegend=False,
        )
    )
    for data, position in ((ours, "middle left"), (theirs, "middle right")):
        fig.add_trace(
            go.Scatter(
                x=data["x"],
                y=data["y"],
                mode="markers+text",
                text=data["text"],
                textposition=position,
                cliponaxis=False,
                marker={"size": 12, "color": data["marker.color"]},
                customdata=data["customdata"],
                hovertemplate=fact(loc, "%{text}", interactions.format(n="%{customdata}"))
                + "<extra></extra>",
                showlegend=False,
            )
        )
    nodes = max(
        max(
            len({str(r.get("employee")) for r in links}),
            len({str(r.get("department")) for r in links}),
        )
        for _, links in choices
    )
    layout(fig, loc._("Relationship map"), height=max(HEIGHT, 160 + 30 * nodes))
    fig.update_xaxes(visible=False, range=[-0.75, 1.75], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.08, 1.16], fixedrange=True)
    for x, text in ((0, loc._("Our people")), (1, loc._("Their departments"))):
        fig.add_annotation(
            text=f"<b>{text}</b>",
            x=x,
            y=1.06,
            xref="x",
            yref="y",
            yanchor="bottom",
            showarrow=False,
            font={"size": 12, "color": GREY},
        )
    if len(choices) > 1:
        buttons = []
        for account, links in choices:
            traces = map_traces(links, loc)
            restyle = {key: [t[key] for t in traces] for key in MAP_KEYS}
            buttons.append(
                {"label": map_title(account, loc), "method": "restyle", "args": [restyle]}
            )
        dropdown(fig, buttons)
    return fig


SCALES: dict[str, tuple[float, str]] = {"csat5": (5.0, "CSAT"), "nps10": (10.0, "NPS")}
"""Survey scales (``surveys.scale``): the top score and the scale's name."""
TRAITOR_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("unsatisfied_stable", N_("Unsatisfied and stable"), GREY),
    ("satisfied_stable", N_("Satisfied and stable"), GREEN),
    ("unsatisfied_shrinking", N_("Unsatisfied and shrinking"), AMBER),
    ("silent_traitor", N_("Silent traitors: satisfied and shrinking"), RED),
)
"""The groups of ``silent_traitors.accounts``, drawn in this order (the traitors on top)."""
SIGNALS: dict[str, str] = {
    "revenue": N_("Revenue down"),
    "orders": N_("Orders down"),
    "product_line": N_("Product line dropped"),
    "wallet": N_("Wallet share down"),
}
"""The shrinking signals of a silent traitor (``silent_traitors.accounts.signals``)."""
CHANGE_CAP = 1.0
"""Revenue changes above +100% are drawn at +100% (a triangle) so that growth does not squash
the shrinking accounts the chart is about; the hover gives the true change."""
SCORE_JITTER = 0.02
"""Largest horizontal offset of a survey point (scores are whole numbers and would overlap)."""


def score_share(account: Row) -> float | None:
    """The survey score as a share of its scale's top: 4 on CSAT (of 5) → 0.8."""
    score, scale = account.get("score"), SCALES.get(str(account.get("scale")))
    if score is None or scale is None:
        return None
    return float(score) / scale[0]


def jitter(index: int) -> float:
    """A deterministic offset in [−SCORE_JITTER, SCORE_JITTER] for the ``index``-th point."""
    golden = (math.sqrt(5) - 1) / 2
    return SCORE_JITTER * (2 * ((index * golden) % 1.0) - 1)


def survey_score(account: Row, loc: Locale) -> str:
    """'4 of 5 (CSAT)'."""
    top, name = SCALES.get(str(account.get("scale")), (None, escape(account.get("scale"))))
    score = account.get("score")
    digits = 0 if score is None or float(score).is_integer() else 1
    text = loc._("{score} of {top} ({scale})")
    return text.format(score=loc.number(score, digits), top=loc.number(top), scale=name)


def silent_traitors(audit: Audit, loc: Locale) -> go.Figure | None:
    """Silent traitors: satisfaction (x) against TTM revenue change (y), coloured by group.

    A point per surveyed account active in the prior TTM. x is the latest survey score as a
    share of its scale (slightly spread: scores are whole numbers); y the revenue change TTM /
    prior TTM − 1, drawn at :data:`CHANGE_CAP` (a triangle) when above it. The shaded corner
    is satisfied and shrinking; a traitor may sit outside it when another signal (orders, a
    dropped product line, wallet share) caught it — its hover names the signals.
    """
    accounts = [
        a
        for a in rows(audit, "silent_traitors", "accounts")
        if score_share(a) is not None and a.get("revenue_change") is not None
    ]
    if not accounts:
        return None
    position = {id(a): i for i, a in enumerate(accounts)}
    labels = [
        loc._("Satisfaction"),
        loc._("Survey date"),
        loc._("Revenue, prior 12 months"),
        loc._("Revenue, last 12 months"),
        loc._("Change"),
    ]
    lines = [fact(loc, name, f"%{{customdata[{k + 2}]}}") for k, name in enumerate(labels)]
    template = hover("<b>%{customdata[1]}</b>", *lines)
    with_signals = hover(template, fact(loc, loc._("Signals"), "%{customdata[7]}"))
    fig = go.Figure()
    for code, name, colour in TRAITOR_GROUPS:
        members = [a for a in accounts if a.get("group") == code]
        if not members:
            continue
        changes_ = [a["revenue_change"] for a in members]
        traitor = code == "silent_traitor"
        fig.add_trace(
            go.Scatter(
                x=[rounded((score_share(a) or 0.0) + jitter(position[id(a)]), 4) for a in members],
                y=[rounded(min(c, CHANGE_CAP)) for c in changes_],
                mode="markers",
                name=loc._(name),
                marker={
                    "color": colour,
                    "size": 10 if traitor else 7,
                    "opacity": 0.9 if traitor else 0.65,
                    "symbol": ["triangle-up" if c > CHANGE_CAP else "circle" for c in changes_],
                    "line": {"color": "#ffffff", "width": 0.5},
                },
                customdata=[traitor_facts(a, loc) for a in members],
                hovertemplate=(with_signals if code.endswith("shrinking") or traitor else template)
                + "<extra></extra>",
            )
        )
    layout(fig, loc._("Silent traitors: satisfied customers who are shrinking"))
    satisfied = [score_share(a) or 0.0 for a in accounts if a.get("satisfied")]
    low = min(-0.2, *(min(a["revenue_change"], CHANGE_CAP) for a in accounts)) - 0.05
    if satisfied:
        edge = min(satisfied) - SCORE_JITTER - 0.02
        shade = "rgba(192, 80, 77, 0.10)"
        fig.add_shape(
            type="rect",
            x0=edge,
            x1=1.0 + SCORE_JITTER + 0.02,
            y0=low,
            y1=0,
            fillcolor=shade,
            line={"width": 0},
            layer="below",
        )
        fig.add_vline(x=edge, line={"color": GREY, "width": 1, "dash": "dot"})
        fig.add_trace(  # the shaded corner named in the legend
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=loc._("Satisfied but shrinking"),
                marker={"symbol": "square", "size": 14, "color": shade},
                hoverinfo="skip",
            )
        )
    fig.add_hline(y=0, line={"color": GREY, "width": 1})
    fig.update_xaxes(
        percent_axis(loc._("Latest satisfaction (share of the top score)"), range=[0, 1.06])
    )
    fig.update_yaxes(
        title={"text": loc._("Revenue change, 12 months")},
        tickformat="+.0%",
        range=[low, CHANGE_CAP + 0.08],
    )
    return fig


def traitor_facts(account: Row, loc: Locale) -> list[str]:
    """A silent-traitors point's hover data: id, name, score, date, revenues, change, signals."""
    signals = [str(s) for s in account.get("signals") or ()]
    words = [loc._(SIGNALS[s]) if s in SIGNALS else escape(s) for s in signals]
    return [
        escape(account.get("account_id")),
        name_of(account),
        survey_score(account, loc),
        loc.date(account.get("survey_date")),
        loc.money(account.get("revenue_prior")),
        loc.money(account.get("revenue")),
        loc.signed_percent(account.get("revenue_change")),
        loc.join(words) if words else "–",
    ]


def churn_model(audit: Audit) -> Mapping[str, Any] | None:
    """The churn-risk analysis when its model ranks accounts (``model_status`` "ok")."""
    churn = section(audit, "churn_risk")
    return churn if churn is not None and churn.get("model_status") == "ok" else None


def churn_calibration(audit: Audit, loc: Locale) -> go.Figure | None:
    """Calibration of the churn model on its backtest, with the diagonal.

    The observed churn-or-contraction rate against the mean predicted probability per bin of equal
    size. The backtest ROC-AUC and the recency-only baseline's are noted above the plot. None when
    the model refused to rank.
    """
    churn = churn_model(audit)
    bins = [
        b for b in rows(audit, "churn_risk", "calibration") if b.get("mean_predicted") is not None
    ]
    if churn is None or not bins:
        return None
    predicted = [b.get("mean_predicted") for b in bins]
    observed = [b.get("observed_rate") for b in bins]
    fig = go.Figure(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=loc._("Perfect calibration"),
            line={"color": GREY, "width": 1, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=rounded_all(predicted),
            y=rounded_all(observed),
            mode="lines+markers",
            name=loc._("Backtest"),
            line={"color": BLUE, "width": 2},
            marker={"size": 9, "color": BLUE},
            hovertext=[
                hover(
                    f"<b>{loc._('Bin {n}').format(n=b.get('bin'))}</b>",
                    fact(loc, loc._("Accounts"), loc.count(b.get("accounts"))),
                    fact(loc, loc._("Predicted"), loc.percent(p)),
                    fact(loc, loc._("Observed"), loc.percent(o)),
                )
                for b, p, o in zip(bins, predicted, observed, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    layout(fig, loc._("Churn model: predicted and observed churn"))
    fig.update_layout(margin={"t": 76})
    text = loc._("Backtest ROC-AUC {auc} · recency only {baseline} · {accounts} accounts")
    note(
        fig,
        text.format(
            auc=loc.number(churn.get("backtest_auc"), 2),
            baseline=loc.number(churn.get("baseline_auc"), 2),
            accounts=loc.count(churn.get("test_accounts")),
        ),
    )
    top = max(1.0, *(v for v in observed if v is not None))
    fig.update_xaxes(percent_axis(loc._("Predicted probability (mean of the bin)"), range=[0, 1]))
    fig.update_yaxes(percent_axis(loc._("Observed rate of churn or contraction"), range=[0, top]))
    return fig


CHURN_TOP = 20
"""The churn-risk chart draws the accounts with the most revenue at risk, this many."""


def churn_risk(audit: Audit, loc: Locale) -> go.Figure | None:
    """Revenue at risk: churn probability × TTM revenue of the riskiest accounts.

    The :data:`CHURN_TOP` accounts with the most, as horizontal bars labelled with the
    probability (red from 50%, the high-risk line); the hover names the top factors. None when
    the model refused to rank.
    """
    if churn_model(audit) is None:
        return None
    scored = [
        a
        for a in rows(audit, "churn_risk", "accounts")
        if a.get("churn_probability") is not None and (a.get("revenue_ttm") or 0) > 0
    ]
    if not scored:
        return None

    def at_risk(account: Row) -> float:
        return float(account["churn_probability"]) * float(account["revenue_ttm"])

    top = sorted(scored, key=lambda a: (-at_risk(a), str(a.get("account_id"))))[:CHURN_TOP]
    names = [name_of(a) for a in top]
    values = [at_risk(a) for a in top]
    tips = []
    for account, name, value in zip(top, names, values, strict=True):
        factors = [account.get(f"factor_{k}") for k in (1, 2, 3)]
        lines = [
            f"<b>{name}</b>",
            fact(loc, loc._("Revenue at risk"), loc.money(value)),
            fact(loc, loc._("Churn probability"), loc.percent(account["churn_probability"])),
            fact(loc, loc._("Revenue, last 12 months"), loc.money(account["revenue_ttm"])),
        ]
        if any(factors):
            words = loc.join([feature_name(f, loc) for f in factors if f])
            lines.append(fact(loc, loc._("Top factors"), words))
        tips.append(hover(*lines))
    fig = go.Figure(
        go.Bar(
            x=rounded_all(values),
            y=list(range(len(top))),
            orientation="h",
            marker={
                "color": [RED if a["churn_probability"] >= 0.5 else AMBER for a in top],
            },
            text=[loc.percent(a["churn_probability"], 0) for a in top],
            textposition="outside",
            cliponaxis=False,
            customdata=[a.get("account_id") for a in top],
            hovertext=tips,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    layout(
        fig,
        loc._("Revenue at risk: churn probability × revenue"),
        height=max(HEIGHT, 140 + 24 * len(top)),
    )
    fig.update_layout(margin={"t": 76})
    note(fig, loc._("Labels: churn probability in the next 12 months; red from 50%"))
    fig.update_xaxes(money_axis(loc, [0.0, *values]), title={"text": loc._("Revenue at risk")})
    fig.update_yaxes(account_index_axis(names))
    return fig


CHARTS: dict[str, ChartFn] = {
    "risk_heatmap": risk_heatmap,
    "pareto": pareto,
    "stress": stress,
    "probabilistic_stress": probabilistic_stress,
    "profit_waterfall": profit_waterfall,
    "whale_curve": whale_curve,
    "revenue_bridge": revenue_bridge,
    "nrr_grr": nrr_grr,
    "cohort_logo": cohort_logo,
    "cohort_revenue": cohort_revenue,
    "survival": survival,
    "cac_trend": cac_trend,
    "ltv_cac_segments": ltv_cac_segments,
    "mrr_series": mrr_series,
    "penetration_growth": penetration_growth,
    "whitespace_units": whitespace_units,
    "whitespace_product_lines": whitespace_product_lines,
    "share_vs_penetration": share_vs_penetration,
    "wallet_share": wallet_share,
    "relationship_depth": relationship_depth,
    "relationship_map": relationship_map,
    "silent_traitors": silent_traitors,
    "churn_calibration": churn_calibration,
    "churn_risk": churn_risk,
}
"""Every chart by its stable id, in the order the report presents them."""
