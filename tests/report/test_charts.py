"""The report charts: drawn from the audit JSON, numbers equal to the audit's, text localised."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import plotly.io as pio
import pytest

from helpers import Contexts
from keyaccount.audit import run_audit
from keyaccount.report.chart_index import CHARTS
from keyaccount.report.charts import (
    CHANGE_CAP,
    CHURN_TOP,
    CURVE_POINTS,
    FONT_FAMILY,
    HEIGHT,
    MAP_MAX_CHOICES,
    MAP_TOP_ACCOUNTS,
    MAP_WIDTHS,
    PNL_TOP_ACCOUNTS,
    SCORE_JITTER,
    WALLET_MAX_FALLERS,
    WHITESPACE_MAX_ACCOUNTS,
    escape,
    nice_ticks,
    rounded,
)
from keyaccount.report.i18n import Locale

ZH, EN = Locale("zh"), Locale("en")
HOSTILE = "<script>alert(1)</script>"
CJK = re.compile(r"[\u4e00-\u9fff]")

# The analyses each chart draws from: without them it has nothing to draw.
SOURCES = {
    "risk_heatmap": "concentration",
    "pareto": "concentration",
    "stress": "stress",
    "probabilistic_stress": "stress",
    "profit_waterfall": "profitability",
    "whale_curve": "profitability",
    "revenue_bridge": "retention",
    "nrr_grr": "retention",
    "cohort_logo": "cohorts",
    "cohort_revenue": "cohorts",
    "survival": "ltv",
    "cac_trend": "acquisition",
    "ltv_cac_segments": "ltv",
    "mrr_series": "mrr",
    "penetration_growth": "penetration",
    "whitespace_units": "penetration",
    "whitespace_product_lines": "penetration",
    "share_vs_penetration": "penetration",
    "wallet_share": "wallet_share",
    "relationship_depth": "relationships",
    "relationship_map": "relationships",
    "silent_traitors": "silent_traitors",
    "churn_calibration": "churn_risk",
    "churn_risk": "churn_risk",
    "pseudoscale_signals": "pseudoscale",
    "project_sizes": "pseudoscale",
    "samples_by_year": "pseudoscale",
    "tier_scores": "tiering",
    "tier_matrix": "tiering",
    "portfolio_shape": "tiering",
    "industry_lights": "industries",
    "industry_budget": "industries",
    "industry_milestones": "industries",
    "diagnosis_quadrant": "diagnosis",
    "diagnosis_inputs": "diagnosis",
}


@pytest.fixture(scope="module")
def audit(demo_context: Contexts) -> dict[str, Any]:
    return run_audit(demo_context()).to_json()


def drawn(chart: str, audit: dict[str, Any], loc: Locale = EN) -> dict[str, Any]:
    """The figure of ``chart`` as the browser receives it (Plotly JSON, parsed back)."""
    fig = CHARTS[chart](audit, loc)
    assert fig is not None, chart
    return json.loads(pio.to_json(fig))


def near(value: float) -> Any:
    """Equal to ``value`` as plotted (6 significant digits)."""
    return pytest.approx(value, rel=1e-5, abs=1e-9)


# -- every chart -----------------------------------------------------------------------------


def test_the_registry_holds_every_chart_in_report_order() -> None:
    assert list(CHARTS) == list(SOURCES)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_chart_draws_the_demo_audit_with_the_shared_look(
    chart: str, lang: str, audit: dict[str, Any]
) -> None:
    figure = drawn(chart, audit, Locale(lang))  # type: ignore[arg-type]
    layout = figure["layout"]
    assert figure["data"], chart
    assert layout["font"]["family"] == FONT_FAMILY
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "#ffffff"
    assert layout["height"] >= HEIGHT and layout["autosize"] is True
    assert "layout" not in layout["template"]  # no default Plotly template embedded
    assert layout["title"]["text"]


@pytest.mark.parametrize("chart", list(CHARTS))
def test_a_chart_whose_analysis_was_skipped_returns_none(chart: str, audit: dict[str, Any]) -> None:
    without = {k: v for k, v in audit.items() if k != SOURCES[chart]}
    assert CHARTS[chart](without, EN) is None
    assert CHARTS[chart]({"meta": audit["meta"], "skipped": {}}, ZH) is None


@pytest.mark.parametrize("chart", list(CHARTS))
def test_chinese_text_is_chinese_and_differs_from_english(
    chart: str, audit: dict[str, Any]
) -> None:
    zh, en = drawn(chart, audit, ZH), drawn(chart, audit, EN)
    assert CJK.search(zh["layout"]["title"]["text"]), zh["layout"]["title"]["text"]
    assert not CJK.search(en["layout"]["title"]["text"])
    assert zh["layout"]["title"]["text"] != en["layout"]["title"]["text"]
    for axis in ("xaxis", "yaxis"):
        zh_title = zh["layout"].get(axis, {}).get("title", {}).get("text")
        en_title = en["layout"].get(axis, {}).get("title", {}).get("text")
        if en_title and CJK.search(zh_title or ""):
            assert zh_title != en_title


def test_figures_stay_compact(audit: dict[str, Any]) -> None:
    sizes = {chart: len(pio.to_json(CHARTS[chart](audit, ZH))) for chart in CHARTS}
    assert sizes["risk_heatmap"] < 80_000, sizes  # 337 circles
    assert sizes["relationship_map"] < 80_000, sizes  # 60 accounts in the dropdown
    assert sizes["silent_traitors"] < 60_000, sizes  # 189 surveyed accounts
    large = {"risk_heatmap", "relationship_map", "silent_traitors"}
    assert max(v for k, v in sizes.items() if k not in large) < 30_000, sizes
    points = drawn("whale_curve", audit)["data"][0]["y"]
    assert all(len(repr(v).replace(".", "").lstrip("0-")) <= 7 for v in points)


# -- concentration ---------------------------------------------------------------------------


def test_risk_heatmap_has_one_circle_per_active_account(audit: dict[str, Any]) -> None:
    conc = audit["concentration"]
    figure = drawn("risk_heatmap", audit, ZH)
    (circles,) = figure["data"]
    assert len(circles["x"]) == len(circles["y"]) == conc["active_accounts"] == 337
    assert sorted(circles["marker"]["size"]) == pytest.approx(
        sorted(a["revenue"] for a in conc["accounts"]), rel=1e-5
    )
    assert circles["marker"]["colorbar"]["title"]["text"] == "合作年限（年）"
    assert len({(x, y) for x, y in zip(circles["x"], circles["y"], strict=True)}) == 337
    # The top account sits in its industry's column and region's row, at the cell centre.
    top = conc["accounts"][0]
    industries = figure["layout"]["xaxis"]["ticktext"]
    regions = figure["layout"]["yaxis"]["ticktext"]
    at = circles["customdata"].index(next(c for c in circles["customdata"] if c[0] == top["name"]))
    assert industries[round(circles["x"][at])] == top["industry"]
    assert regions[round(circles["y"][at])] == top["region"]
    assert circles["customdata"][at][1:3] == [ZH.money(top["revenue"]), "33.0%"]


def test_risk_heatmap_jitter_is_deterministic_and_stays_in_its_cell(
    audit: dict[str, Any],
) -> None:
    first, again = drawn("risk_heatmap", audit), drawn("risk_heatmap", audit)
    assert first["data"][0]["x"] == again["data"][0]["x"]
    for value in first["data"][0]["x"] + first["data"][0]["y"]:
        assert abs(value - round(value)) < 0.45


def test_pareto_curve_ends_at_one_and_marks_the_top_shares(audit: dict[str, Any]) -> None:
    conc = audit["concentration"]
    curve, marks = drawn("pareto", audit)["data"]
    assert (curve["x"][0], curve["y"][0]) == (0, 0)
    assert (curve["x"][-1], curve["y"][-1]) == (near(1.0), near(1.0))
    assert marks["y"][:3] == [
        near(conc["top1_share"]),
        near(conc["top5_share"]),
        near(conc["top10_share"]),
    ]
    assert marks["x"][3] == near(conc["pareto_share_of_accounts"])
    assert marks["text"][0] == "Top 1: 33.0%"
    assert marks["text"][3].startswith("48 accounts: 80.")
    assert drawn("pareto", audit)["layout"]["shapes"][0]["y0"] == 0.8


def test_long_curves_are_thinned_but_keep_their_marks(audit: dict[str, Any]) -> None:
    many = copy.deepcopy(audit)
    many["concentration"]["accounts"] = [
        {"account_id": f"A{i:05}", "revenue": 1000.0 / (i + 1)} for i in range(5000)
    ]
    many["concentration"]["pareto_count"] = 1234
    curve, marks = drawn("pareto", many)["data"]
    assert CURVE_POINTS <= len(curve["x"]) <= CURVE_POINTS + 5
    assert curve["y"][-1] == near(1.0)
    total = sum(1000.0 / (i + 1) for i in range(5000))
    assert marks["y"][0] == near(1000.0 / total)
    assert marks["x"][3] == near(1234 / 5000)
    assert near(1234 / 5000) in curve["x"]


# -- stress ----------------------------------------------------------------------------------


def test_stress_bars_are_the_scenario_losses(audit: dict[str, Any]) -> None:
    scenarios = audit["stress"]["scenarios"]
    revenue, contribution, receivables = drawn("stress", audit)["data"]
    assert revenue["y"] == [near(s["revenue_lost"]) for s in scenarios]
    assert contribution["y"] == [near(s["contribution_lost"]) for s in scenarios]
    assert receivables["y"] == [near(s["receivables_at_risk"]) for s in scenarios]
    assert revenue["x"] == [
        "Top customer",
        "Top 5 customers",
        "Top industry: 汽车零部件",
        "Top region: 山东",
    ]
    assert drawn("stress", audit, ZH)["data"][0]["x"][:2] == ["第一大客户", "前 5 大客户"]
    assert [t["name"] for t in drawn("stress", audit, ZH)["data"]] == [
        "损失收入",
        "损失的边际贡献",
        "风险应收账款",
    ]


def test_probabilistic_stress_bars_are_today_and_the_monte_carlo_percentiles(
    audit: dict[str, Any],
) -> None:
    sim = audit["stress"]["probabilistic"]
    today, p95, p50, p5 = drawn("probabilistic_stress", audit)["data"]
    assert today["x"] == ["Revenue", "Contribution"]
    assert today["y"] == [near(sim["ttm_revenue"]), near(sim["ttm_contribution"])]
    assert p95["y"] == [near(sim["revenue_p95"]), near(sim["contribution_p95"])]
    assert p50["y"] == [near(sim["revenue_p50"]), near(sim["contribution_p50"])]
    assert p5["y"] == [near(sim["revenue_p5"]), near(sim["contribution_p5"])]
    assert p5["text"][0] == EN.money(sim["revenue_p5"])
    assert EN.money(sim["expected_revenue"]) in p50["hovertext"][0]
    assert [t["name"] for t in drawn("probabilistic_stress", audit, ZH)["data"]][1:] == [
        "P95（较好情形）",
        "P50（中位数）",
        "P5（较差情形）",
    ]
    refused = copy.deepcopy(audit)
    refused["stress"]["probabilistic"] = None
    assert CHARTS["probabilistic_stress"](refused, EN) is None


# -- profitability ---------------------------------------------------------------------------


def test_profit_waterfall_runs_from_revenue_to_contribution(audit: dict[str, Any]) -> None:
    company = audit["profitability"]["company"]
    (bars,) = drawn("profit_waterfall", audit)["data"]
    assert bars["measure"] == [
        "absolute",
        "relative",
        "total",
        "relative",
        "relative",
        "relative",
        "total",
    ]
    assert bars["y"][0] == near(company["revenue"])
    assert bars["y"][1] == near(-company["cogs"])
    assert bars["y"][2] == near(company["gross_profit"])
    assert bars["y"][-1] == near(company["contribution"])
    # What plotly.js sums for the last total: revenue plus every relative step.
    steps = [y for y, m in zip(bars["y"], bars["measure"], strict=True) if m == "relative"]
    assert bars["y"][0] + sum(steps) == pytest.approx(company["contribution"], rel=1e-5)
    assert bars["text"][0] == EN.money(company["revenue"]) == "462.0 m"
    assert bars["text"][-1] == EN.money(company["contribution"])


def test_profit_waterfall_dropdown_offers_the_largest_accounts_and_every_black_hole(
    audit: dict[str, Any],
) -> None:
    prof = audit["profitability"]
    (menu,) = drawn("profit_waterfall", audit)["layout"]["updatemenus"]
    buttons = menu["buttons"]
    largest = sorted(prof["accounts"], key=lambda a: (-a["revenue"], a["account_id"]))
    top_ids = {a["account_id"] for a in largest[:PNL_TOP_ACCOUNTS]}
    holes = [b["account_id"] for b in prof["black_holes"]]
    assert len(buttons) == 1 + PNL_TOP_ACCOUNTS + len(set(holes) - top_ids)
    assert buttons[0]["label"] == "Company"
    assert buttons[1]["label"] == largest[0]["name"]
    assert buttons[1]["args"][0]["y"][0][0] == near(largest[0]["revenue"])
    assert buttons[1]["args"][0]["y"][0][-1] == near(largest[0]["contribution"])
    by_id = {a["account_id"]: a for a in prof["accounts"]}
    labels = [b["label"] for b in buttons]
    for account_id in holes:
        assert f"{by_id[account_id]['name']} (value black hole)" in labels
    # Each choice resets the money ticks to its own scale.
    small = buttons[-1]["args"][1]
    assert max(small["yaxis.tickvals"]) < prof["company"]["revenue"] / 5


def test_whale_curve_marks_its_peak_and_ends_at_all_contribution(
    audit: dict[str, Any],
) -> None:
    prof = audit["profitability"]
    curve, peak = drawn("whale_curve", audit)["data"]
    assert curve["y"][-1] == near(1.0) and curve["x"][-1] == near(1.0)
    assert peak["y"] == [near(prof["whale_peak_share"])]
    assert peak["x"] == [near(prof["whale_peak_accounts"] / len(prof["whale_curve"]))]
    assert peak["text"] == [f"Peak {EN.percent(prof['whale_peak_share'])}"] == ["Peak 106.5%"]
    assert drawn("whale_curve", audit)["layout"]["shapes"][0]["y0"] == 1.0


# -- retention -------------------------------------------------------------------------------


def test_revenue_bridge_starts_and_ends_at_the_ttm_revenues(audit: dict[str, Any]) -> None:
    ttm = audit["retention"]["ttm"]
    (bars,) = drawn("revenue_bridge", audit)["data"]
    assert bars["x"] == [
        "Prior 12 months",
        "New",
        "Reactivated",
        "Expansion",
        "Contraction",
        "Churn",
        "Last 12 months",
    ]
    assert bars["y"] == [
        near(ttm["start"]),
        near(ttm["new"]),
        near(ttm["reactivated"]),
        near(ttm["expansion"]),
        near(-ttm["contraction"]),
        near(-ttm["churn"]),
        near(ttm["end"]),
    ]
    assert sum(bars["y"][:-1]) == pytest.approx(ttm["end"], rel=1e-5)


def test_revenue_bridge_shows_other_only_when_there_is_some(audit: dict[str, Any]) -> None:
    credit = copy.deepcopy(audit)
    credit["retention"]["ttm"]["other"] = -1234.5
    (bars,) = drawn("revenue_bridge", credit)["data"]
    assert bars["x"][-2:] == ["Other", "Last 12 months"]
    assert bars["y"][-2] == -1234.5


def test_nrr_grr_by_quarter_and_by_year(audit: dict[str, Any]) -> None:
    ret = audit["retention"]
    figure = drawn("nrr_grr", audit)
    nrr_q, grr_q, nrr_y, grr_y = figure["data"]
    assert nrr_q["x"] == [q["period1"] for q in ret["quarters"]]
    assert nrr_q["y"] == [near(q["nrr"]) for q in ret["quarters"]]
    assert grr_q["y"] == [near(q["grr"]) for q in ret["quarters"]]
    assert nrr_y["x"] == ["2022", "2023", "2024", "2025", "2026"]
    assert nrr_y["y"] == [near(y["nrr"]) for y in ret["years"]]
    assert grr_y["xaxis"] == "x2" and not grr_y["showlegend"]
    assert nrr_y["marker"]["symbol"][-1] == "circle-open"  # 2026 is not complete
    assert figure["layout"]["xaxis"]["type"] == figure["layout"]["xaxis2"]["type"] == "category"
    assert {s["y0"] for s in figure["layout"]["shapes"]} == {1.0}


@pytest.mark.parametrize(
    ("chart", "field"),
    [("cohort_logo", "logo_retention"), ("cohort_revenue", "revenue_retention")],
)
def test_cohort_heatmaps_hold_the_cohort_figures(
    chart: str, field: str, audit: dict[str, Any]
) -> None:
    cells = audit["cohorts"]["yearly"]
    (heat,) = drawn(chart, audit)["data"]
    assert heat["y"] == ["2021", "2022", "2023", "2024", "2025", "2026"]
    assert heat["x"][0] == "Year 1" and len(heat["x"]) == 6
    for cell in cells:
        row, column = heat["y"].index(cell["cohort"]), cell["years_since"]
        assert heat["z"][row][column] == pytest.approx(cell[field], rel=1e-3)  # 4 digits
        text = EN.percent(cell[field], 0) + ("" if cell["complete"] else "*")
        assert heat["text"][row][column] == text
    assert heat["z"][5][1:] == [None] * 5  # the 2026 cohort has one year so far
    assert heat["text"][0][1] == ("71%" if field == "logo_retention" else "190%")


# -- lifetime value and acquisition ----------------------------------------------------------


def test_survival_draws_each_curve_and_the_discounted_one_dashed(
    audit: dict[str, Any],
) -> None:
    points = audit["ltv"]["survival"]
    traces = drawn("survival", audit, ZH)["data"]
    curves = list(dict.fromkeys(p["curve"] for p in points))
    assert len(traces) == len(curves) + 1
    assert traces[0]["name"] == "全部客户"
    company = [p for p in points if p["curve"] == "(all)"]
    assert traces[0]["y"] == [near(p["survival"]) for p in company]
    assert traces[-1]["y"] == [near(p["discounted"]) for p in company]
    assert traces[-1]["line"]["dash"] == "dash"
    assert traces[0]["x"] == list(range(1, 11))


def test_cac_trend_draws_blended_and_all_in_cac_and_marks_partial_quarters(
    audit: dict[str, Any],
) -> None:
    quarters = audit["acquisition"]["quarters"]
    bars, line = drawn("cac_trend", audit)["data"]
    assert bars["x"] == [q["quarter"] for q in quarters]
    assert bars["y"] == [near(q["blended_cac"]) for q in quarters]
    assert line["y"] == [near(q["all_in_cac"]) for q in quarters]
    assert set(bars["marker"]["pattern"]["shape"]) == {""}
    partial = copy.deepcopy(audit)
    partial["acquisition"]["quarters"][-1]["partial"] = True
    bars, _ = drawn("cac_trend", partial)["data"]
    assert bars["marker"]["pattern"]["shape"][-1] == "/"
    assert bars["marker"]["pattern"]["shape"][0] == ""
    assert "(partial quarter)" in bars["hovertext"][-1]


def test_ltv_cac_segments_against_the_healthy_threshold(audit: dict[str, Any]) -> None:
    ltv = audit["ltv"]
    figure = drawn("ltv_cac_segments", audit, ZH)
    bars, threshold = figure["data"]
    ratios = sorted((s["ltv_to_cac"] for s in ltv["segments"]), reverse=True)
    assert bars["y"] == [near(r) for r in ratios]
    assert bars["x"][0] == "食品饮料" and "未知" in bars["x"]
    assert figure["layout"]["shapes"][0]["y0"] == ltv["healthy_ltv_to_cac"] == 3.0
    assert threshold["name"] == "健康线：3.0×"
    unhealthy = copy.deepcopy(audit)
    unhealthy["ltv"]["segments"][0].update(ltv_to_cac=1.5, healthy=False)
    bars, _ = drawn("ltv_cac_segments", unhealthy)["data"]
    assert bars["marker"]["color"][-1] != bars["marker"]["color"][0]


def test_mrr_series_is_the_mrr_at_each_month_end(audit: dict[str, Any]) -> None:
    series = audit["mrr"]["series"]
    (line,) = drawn("mrr_series", audit)["data"]
    assert line["x"] == [p["month_end"] for p in series]
    assert line["y"] == [near(p["mrr"]) for p in series]
    assert line["y"][-1] == audit["mrr"]["mrr"] == 44000


# -- penetration and wallet share ------------------------------------------------------------


def test_penetration_growth_draws_each_account_and_the_index(audit: dict[str, Any]) -> None:
    pen = audit["penetration"]
    *lines, legend, index = drawn("penetration_growth", audit)["data"]
    assert len(lines) == pen["accounts_with_units"] == 10
    assert legend["name"] == "Unit penetration per account" and legend["x"] == [None]
    assert index["x"] == [p["date"] for p in pen["index_series"]]
    assert index["y"] == [near(p["index"]) for p in pen["index_series"]]
    assert index["y"][-1] == near(pen["index"])
    assert index["line"]["width"] > lines[0]["line"]["width"]
    # Each account's steps end at today's penetration and hold every change of the series.
    by_id = {a["account_id"]: a for a in pen["accounts"]}
    names = {a["name"]: a["account_id"] for a in pen["accounts"]}
    for line in lines:
        account = by_id[names[line["name"]]]
        series = [p for p in pen["series"] if p["account_id"] == account["account_id"]]
        assert line["y"][-1] == near(account["penetration"])
        assert line["x"][-1] == series[-1]["date"] and line["x"][0] == series[0]["date"]
        assert {rounded(p["penetration"]) for p in series} == set(line["y"])
        assert line["line"]["shape"] == "hv"
    figure = drawn("penetration_growth", audit, ZH)
    assert figure["layout"]["yaxis"]["tickformat"] == ".0%"
    assert figure["data"][-1]["name"] == "大客户渗透指数"


def many_unit_accounts(audit: dict[str, Any], count: int) -> dict[str, Any]:
    """The audit with ``count`` accounts of three units each (one not adopted)."""
    many = copy.deepcopy(audit)
    pen = many["penetration"]
    pen["accounts"], pen["whitespace_units"], pen["whitespace_product_lines"] = [], [], []
    for i in range(count):
        account_id = f"X{i:03}"
        pen["accounts"].append(
            {"account_id": account_id, "name": f"Account {i}", "revenue": 1000.0 - i}
        )
        for k in range(3):
            adopted = k < 2
            pen["whitespace_units"].append(
                {
                    "account_id": account_id,
                    "unit_id": f"{account_id}-{k}",
                    "name": f"Plant {k}",
                    "adopted": adopted,
                    "adopted_date": f"202{k}-03-01" if adopted else None,
                    "revenue": 10.0 if adopted else 0.0,
                }
            )
        pen["whitespace_product_lines"].append(
            {"account_id": account_id, "product_line": "A", "revenue": 5.0}
        )
    return many


def test_whitespace_units_marks_adopted_units_by_year_and_the_whitespace_open(
    audit: dict[str, Any],
) -> None:
    pen = audit["penetration"]
    figure = drawn("whitespace_units", audit)
    adopted, empty = figure["data"]
    assert len(adopted["x"]) == pen["adopted_units"] == 44
    assert len(empty["x"]) == pen["total_units"] - pen["adopted_units"] == 9
    assert empty["marker"]["color"] == "#ffffff"
    years = sorted(int(u["adopted_date"][:4]) for u in pen["whitespace_units"] if u["adopted"])
    assert sorted(adopted["marker"]["color"]) == years
    assert adopted["marker"]["colorbar"]["tickformat"] == "d"
    # Rows are the accounts largest first; the hover names the unit and its adoption date.
    rows = figure["layout"]["yaxis"]["ticktext"]
    largest = sorted(pen["accounts"], key=lambda a: -a["revenue"])
    assert rows == [a["name"] for a in largest]
    unit = next(u for u in pen["whitespace_units"] if u["adopted"])
    tip = next(t for t in adopted["hovertext"] if unit["name"] in t)
    assert EN.date(unit["adopted_date"]) in tip
    assert not any("Largest" in a["text"] for a in figure["layout"].get("annotations", []))
    assert drawn("whitespace_units", audit, ZH)["data"][1]["name"] == "尚未导入（空白机会）"


def test_whitespace_matrices_keep_the_largest_accounts_and_say_so(
    audit: dict[str, Any],
) -> None:
    many = many_unit_accounts(audit, 45)
    for chart in ("whitespace_units", "whitespace_product_lines"):
        figure = drawn(chart, many)
        rows = figure["layout"]["yaxis"]["ticktext"]
        assert rows == [f"Account {i}" for i in range(WHITESPACE_MAX_ACCOUNTS)], chart
        notes = [a["text"] for a in figure["layout"]["annotations"]]
        assert "Largest 30 of 45 accounts" in notes, chart
    adopted, empty = drawn("whitespace_units", many)["data"]
    assert len(adopted["x"]) == 2 * WHITESPACE_MAX_ACCOUNTS
    assert len(empty["x"]) == WHITESPACE_MAX_ACCOUNTS


def test_whitespace_product_lines_shares_the_account_revenue_and_leaves_zeros_white(
    audit: dict[str, Any],
) -> None:
    pen = audit["penetration"]
    (heat,) = drawn("whitespace_product_lines", audit)["data"]
    largest = sorted(pen["accounts"], key=lambda a: -a["revenue"])
    cells = pen["whitespace_product_lines"]
    assert len(heat["x"]) == pen["offered_product_lines"] == 5
    zeros = 0
    for row, account in enumerate(largest):
        mine = {
            c["product_line"]: c["revenue"]
            for c in cells
            if c["account_id"] == account["account_id"]
        }
        total = sum(v for v in mine.values() if v > 0)
        for column, line in enumerate(heat["x"]):
            value = mine.get(line, 0.0)
            if value > 0:
                assert heat["z"][row][column] == pytest.approx(value / total, rel=1e-3)
            else:
                zeros += 1
                assert heat["z"][row][column] is None
                assert "whitespace" in heat["hovertext"][row][column]
    assert zeros == sum(1 for c in cells if c["revenue"] <= 0) > 0
    assert heat["colorscale"][0][1] != "#ffffff"  # the lightest share is not white


def test_share_vs_penetration_places_each_industry_in_its_quadrant(
    audit: dict[str, Any],
) -> None:
    pen = audit["penetration"]
    figure = drawn("share_vs_penetration", audit, ZH)
    industries = [i for i in pen["industries"] if i["quadrant"]]
    plotted = {
        text: (x, y, trace["name"])
        for trace in figure["data"]
        for text, x, y in zip(trace["text"], trace["x"], trace["y"], strict=True)
    }
    assert len(plotted) == len(industries) == 6
    names = {"stronghold": "根据地", "deep_niche": "小份额·深渗透"}
    names |= {"shallow_share": "大份额·浅渗透", "outpost": "边缘阵地"}
    for industry in industries:
        x, y, quadrant = plotted[industry["industry"]]
        assert x == near(industry["market_share"]) and y == near(industry["penetration"])
        assert quadrant == names[industry["quadrant"]]
    lines = figure["layout"]["shapes"]
    assert lines[0]["x0"] == near(pen["share_threshold"])
    assert lines[1]["y0"] == near(pen["penetration_threshold"])
    corners = " ".join(a["text"] for a in figure["layout"]["annotations"])
    assert all(name in corners for name in names.values())


def test_wallet_share_counts_the_buckets_and_draws_the_falls(audit: dict[str, Any]) -> None:
    wallet = audit["wallet_share"]
    figure = drawn("wallet_share", audit)
    bars, segments, previous, latest = figure["data"]
    assert bars["x"] == ["&lt;10%", "10–30%", "30–50%", "50–70%", "≥70%"]
    assert bars["y"] == [b["accounts"] for b in wallet["distribution"]]
    assert sum(bars["y"]) == wallet["accounts"]
    assert previous["y"] == latest["y"] == list(range(len(wallet["falling"])))
    assert previous["x"] == [near(f["previous_share"]) for f in wallet["falling"]]
    assert latest["x"] == [near(f["wallet_share"]) for f in wallet["falling"]]
    assert segments["x"][:2] == [previous["x"][0], latest["x"][0]]
    names = {a["account_id"]: a["name"] for a in audit["concentration"]["accounts"]}
    assert figure["layout"]["yaxis2"]["ticktext"] == [
        names[f["account_id"]] for f in wallet["falling"]
    ]
    assert "-15.0 pt" in latest["hovertext"][0]
    titles = [a["text"] for a in drawn("wallet_share", audit, ZH)["layout"]["annotations"]]
    assert titles == ["按钱包份额分布的客户（2026 年）", "下降 5.0 个百分点及以上"]
    fallers = copy.deepcopy(audit)
    fallers["wallet_share"]["falling"] = fallers["wallet_share"]["falling"] * 15
    assert len(drawn("wallet_share", fallers)["data"][-1]["x"]) == WALLET_MAX_FALLERS
    none_falling = copy.deepcopy(audit)
    none_falling["wallet_share"]["falling"] = []
    assert len(drawn("wallet_share", none_falling)["data"]) == 1


# -- relationships, silent traitors and churn risk -------------------------------------------


def test_relationship_depth_stacks_the_risky_accounts(audit: dict[str, Any]) -> None:
    rel = audit["relationships"]
    figure = drawn("relationship_depth", audit)
    traces = {t["name"]: t for t in figure["data"]}
    assert figure["layout"]["barmode"] == "stack"
    assert traces["Other accounts"]["x"] == ["0", "1", "2", "3", "4", "5", "6"]
    totals = [sum(t["y"][k] for t in figure["data"]) for k in range(7)]
    reach = [len(a["departments_reached"]) for a in rel["accounts"]]
    assert totals == [reach.count(k) for k in range(7)]
    both = sum(traces["Transactional only, key-person risk"]["y"])
    assert both + sum(traces["Transactional only"]["y"]) == rel["transactional_only_count"]
    assert both + sum(traces["Key-person risk"]["y"]) == rel["key_person_risk_count"]
    assert sum(traces["No active relationship"]["y"]) <= rel["no_active_relationship_count"]
    (summary,) = figure["layout"]["annotations"]
    assert summary["text"].startswith("Transactional only: 91 (21.9% of revenue)")


def test_relationship_map_draws_each_account_and_switches_in_the_dropdown(
    audit: dict[str, Any],
) -> None:
    rel = audit["relationships"]
    figure = drawn("relationship_map", audit)
    links = {}
    for link in rel["relationship_map"]:
        links.setdefault(link["account_id"], []).append(link)
    accounts = sorted(
        (a for a in rel["accounts"] if a["account_id"] in links),
        key=lambda a: (-a["revenue"], a["account_id"]),
    )
    flagged = [
        a for a in accounts[MAP_TOP_ACCOUNTS:] if a["transactional_only"] or a["key_person_risk"]
    ]
    chosen = [*accounts[:MAP_TOP_ACCOUNTS], *flagged][:MAP_MAX_CHOICES]
    (menu,) = figure["layout"]["updatemenus"]
    assert len(menu["buttons"]) == len(chosen) == MAP_MAX_CHOICES
    assert menu["buttons"][0]["label"] == chosen[0]["name"]
    assert all("(" in b["label"] for b in menu["buttons"][MAP_TOP_ACCOUNTS:])  # flagged
    top = links[chosen[0]["account_id"]]
    lines = figure["data"][: len(MAP_WIDTHS)]
    assert sum(len(t["x"]) // 3 for t in lines) == len(top)
    assert [t["line"]["width"] for t in lines] == [w for _, w, _ in MAP_WIDTHS]
    mid, ours, theirs = figure["data"][len(MAP_WIDTHS) :]
    assert sorted(ours["text"]) == sorted({link["employee"] for link in top})
    assert set(theirs["text"]) <= {
        "Procurement",
        "Finance",
        "R&D",
        "Production",
        "IT",
        "Management",
    }
    assert sorted(int(c[2]) for c in mid["customdata"]) == sorted(
        link["interactions"] for link in top
    )
    # Every choice restyles every trace with its own account's links.
    for button, account in zip(menu["buttons"], chosen, strict=True):
        (restyle,) = button["args"]
        assert set(restyle) == {"x", "y", "text", "customdata", "marker.color"}
        assert all(len(v) == len(figure["data"]) for v in restyle.values())
        edges = sum(len(x) // 3 for x in restyle["x"][: len(MAP_WIDTHS)])
        assert edges == len(links[account["account_id"]])
        assert account["name"] in button["label"]
    zh = drawn("relationship_map", audit, ZH)
    assert zh["data"][-1]["text"][0] == "采购"
    assert zh["layout"]["title"]["text"] == "关系图谱"


def test_silent_traitors_highlights_exactly_the_traitors(audit: dict[str, Any]) -> None:
    st = audit["silent_traitors"]
    figure = drawn("silent_traitors", audit)
    traces = {t["name"]: t for t in figure["data"]}
    traitors = traces["Silent traitors: satisfied and shrinking"]
    assert sorted(c[0] for c in traitors["customdata"]) == sorted(
        t["account_id"] for t in st["traitors"]
    )
    assert traitors["marker"]["color"] == "#c0504d"
    counts = {
        "Satisfied and stable": st["satisfied_stable"],
        "Unsatisfied and shrinking": st["unsatisfied_shrinking"],
        "Unsatisfied and stable": st["unsatisfied_stable"],
    }
    for name, count in counts.items():
        assert len(traces[name]["x"]) == count, name
        assert traces[name]["marker"]["color"] != traitors["marker"]["color"]
    by_id = {a["account_id"]: a for a in st["accounts"]}
    for trace in figure["data"][:4]:
        for (account_id, *_), x, y in zip(trace["customdata"], trace["x"], trace["y"], strict=True):
            account = by_id[account_id]
            top = 5 if account["scale"] == "csat5" else 10
            assert abs(x - account["score"] / top) <= SCORE_JITTER + 1e-4
            assert y == near(min(account["revenue_change"], CHANGE_CAP))
    first = st["traitors"][0]
    at = [c[0] for c in traitors["customdata"]].index(first["account_id"])
    assert traitors["customdata"][at][1] == first["name"]
    assert traitors["customdata"][at][-1] == "Revenue down, Orders down, Product line dropped"
    assert traces["Satisfied but shrinking"]["x"] == [None]
    (shade,) = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
    assert shade["y1"] == 0 and shade["x0"] < 0.8 < shade["x1"]


def test_churn_calibration_is_the_backtest_bins_with_both_aucs(audit: dict[str, Any]) -> None:
    churn = audit["churn_risk"]
    figure = drawn("churn_calibration", audit)
    diagonal, points = figure["data"]
    assert diagonal["x"] == diagonal["y"] == [0, 1]
    assert points["x"] == [near(b["mean_predicted"]) for b in churn["calibration"]]
    assert points["y"] == [near(b["observed_rate"]) for b in churn["calibration"]]
    (auc,) = figure["layout"]["annotations"]
    assert auc["text"] == "Backtest ROC-AUC 0.75 · recency only 0.71 · 282 accounts"
    zh = drawn("churn_calibration", audit, ZH)["layout"]["annotations"][0]["text"]
    assert zh.startswith("回测 ROC-AUC 0.75")


@pytest.mark.parametrize("status", ["too_little_history", "single_class"])
def test_churn_charts_refuse_without_a_ranking_model(status: str, audit: dict[str, Any]) -> None:
    refused = copy.deepcopy(audit)
    refused["churn_risk"]["model_status"] = status
    assert CHARTS["churn_calibration"](refused, EN) is None
    assert CHARTS["churn_risk"](refused, EN) is None


def test_churn_risk_bars_are_the_largest_revenue_at_risk(audit: dict[str, Any]) -> None:
    churn = audit["churn_risk"]
    figure = drawn("churn_risk", audit)
    (bars,) = figure["data"]
    at_risk = sorted(churn["accounts"], key=lambda a: -(a["churn_probability"] * a["revenue_ttm"]))[
        :CHURN_TOP
    ]
    assert len(bars["x"]) == CHURN_TOP
    assert bars["customdata"] == [a["account_id"] for a in at_risk]
    assert bars["x"] == [near(a["churn_probability"] * a["revenue_ttm"]) for a in at_risk]
    assert bars["text"] == [EN.percent(a["churn_probability"], 0) for a in at_risk]
    assert figure["layout"]["yaxis"]["ticktext"] == [a["name"] for a in at_risk]
    top = at_risk[0]
    assert (
        "Top factors: Orders, last 12 months, Tenure, Payment-days trend unknown"
        in (bars["hovertext"][0])
    ), (top["factor_1"], top["factor_2"], top["factor_3"])
    zh = drawn("churn_risk", audit, ZH)["data"][0]["hovertext"][0]
    assert "主要因素：近 12 个月订单数、合作年限、回款天数趋势未知" in zh


# -- untrusted text --------------------------------------------------------------------------


def test_escape_writes_html_entities() -> None:
    assert escape("A&B <b>x</b>") == "A&amp;B &lt;b&gt;x&lt;/b&gt;"
    assert escape(None) == ""


def strings(node: Any) -> list[str]:
    """Every string in a figure's JSON."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    if isinstance(node, dict):
        return [s for item in node.values() for s in strings(item)]
    return []


@pytest.mark.parametrize("chart", list(CHARTS))
def test_hostile_names_from_the_data_are_escaped(chart: str, audit: dict[str, Any]) -> None:
    hostile = copy.deepcopy(audit)
    top = hostile["concentration"]["accounts"][0]
    for rows in (hostile["concentration"]["accounts"], hostile["profitability"]["accounts"]):
        for row in rows:
            if row["account_id"] == top["account_id"]:
                row.update(name=HOSTILE, industry=HOSTILE, region=HOSTILE)
    for scenario in hostile["stress"]["scenarios"]:
        scenario["subjects"] = [HOSTILE]
    hostile["ltv"]["segments"][0]["segment"] = HOSTILE
    hostile["ltv"]["survival"][-1]["curve"] = HOSTILE
    hostile["cohorts"]["yearly"][0]["cohort"] = HOSTILE
    hostile["acquisition"]["quarters"][0]["quarter"] = HOSTILE
    hostile["retention"]["quarters"][0]["period1"] = HOSTILE
    for key, *path in (
        ("penetration", "accounts"),
        ("relationships", "accounts"),
        ("silent_traitors", "accounts"),
        ("churn_risk", "accounts"),
        ("tiering", "accounts"),
    ):
        node = hostile[key]
        for part in path:
            node = node[part]
        for row in node:
            row["name"] = HOSTILE
    pen = hostile["penetration"]
    for row in pen["whitespace_units"]:
        row["name"] = HOSTILE
    pen["whitespace_product_lines"][0]["product_line"] = HOSTILE
    pen["industries"][0]["industry"] = HOSTILE
    for table in ("scores", "milestones"):
        hostile["industries"][table][0]["industry"] = HOSTILE
    hostile["wallet_share"]["distribution"][0]["bucket"] = HOSTILE
    for row in hostile["relationships"]["relationship_map"]:
        row.update(employee=HOSTILE, department=HOSTILE)
    text = strings(drawn(chart, hostile, ZH))
    assert not any("<script" in s for s in text), chart
    nameless = {"pareto", "whale_curve", "revenue_bridge", "mrr_series", "probabilistic_stress"}
    nameless |= {"relationship_depth", "churn_calibration"}
    nameless |= {"diagnosis_quadrant", "diagnosis_inputs"}  # scores and inputs, no names
    nameless |= {"pseudoscale_signals", "project_sizes", "samples_by_year"}  # no names
    nameless |= {"portfolio_shape"}  # layers of the portfolio, no names
    if chart not in nameless:
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in s for s in text), chart


# -- helpers ---------------------------------------------------------------------------------


def test_money_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 462001024.2) == [0, 1e8, 2e8, 3e8, 4e8, 5e8]
    assert nice_ticks(-7.2e6, 3.7e7) == [-1e7, 0, 1e7, 2e7, 3e7, 4e7]
    assert rounded(462001024.2) == 462001000.0
    assert rounded(float("nan")) is None
