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

from keyaccount.report.i18n import N_, Locale

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
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [loc.money(t) for t in ticks]}


def percent_axis(title: str, **extra: Any) -> dict[str, Any]:
    """Axis settings of a share or rate axis (ticks 0%…100%)."""
    return {"title": {"text": title}, "tickformat": ".0%", **extra}


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


CHARTS: dict[str, ChartFn] = {
    "risk_heatmap": risk_heatmap,
    "pareto": pareto,
    "stress": stress,
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
}
"""Every chart by its stable id, in the order the report presents them."""
