"""The HTML report's structure: figures equal the audit JSON, links land, nothing external."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from keyaccount.report.i18n import Locale
from keyaccount.report.sections import SECTIONS, format_value, lookup
from page import Node, parse

MAX_BYTES = 8_000_000


@pytest.fixture(scope="module")
def pages(demo_reports: dict[str, Path]) -> dict[str, Node]:
    return {lang: parse(path.read_text(encoding="utf-8")) for lang, path in demo_reports.items()}


def same(shown: str, expected: Any) -> bool:
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return shown == str(expected)
    return math.isclose(float(shown), float(expected), rel_tol=1e-12)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_key_figure_equals_the_audit_json(
    pages: dict[str, Node], demo_audit: dict[str, Any], lang: str
) -> None:
    loc = Locale(lang)  # type: ignore[arg-type]
    figures = pages[lang].find_all(data_figure=None)
    expected_paths = {
        f.path for s in SECTIONS for f in s.figures if lookup(demo_audit, f.path) is not None
    }
    assert {n.attrs["data-figure"] for n in figures} >= expected_paths
    assert len(expected_paths) >= 30
    for node in figures:
        path = node.attrs["data-figure"]
        value = lookup(demo_audit, path)
        if value is None:
            assert node.attrs["data-value"] == ""
            continue
        assert same(node.attrs["data-value"], value), path
        kind = next(f.kind for s in SECTIONS for f in s.figures if f.path == path)
        assert node.by_class("value")[0].text == format_value(value, kind, loc)


def test_headline_figures_read_as_the_audit_says(pages: dict[str, Node]) -> None:
    zh = pages["zh"]
    top1 = zh.find_all(data_figure="concentration.top1_share")[0]
    assert top1.by_class("value")[0].text == "33.0%"
    assert zh.find_all("h1")[0].text == "客户资产审计报告"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_has_five_to_eight_findings_each_linking_to_its_section(
    pages: dict[str, Node], lang: str
) -> None:
    page = pages[lang]
    summary = page.find_all("section", id="summary")[0]
    items = summary.by_class("finding")
    assert 5 <= len(items) <= 8
    ids = {n.attrs["id"] for n in page.find_all("section", id=None)}
    for item in items:
        link = item.find_all("a")[0]
        assert link.attrs["href"].startswith("#sec-")
        assert link.attrs["href"][1:] in ids
        assert any(ch.isdigit() for ch in link.text), link.text  # stated with its numbers
    severities = [i.attrs["class"].split()[1] for i in items]
    assert severities == sorted(severities, key=["alert", "warning", "info"].index)


def test_sections_follow_metrics_order_with_charts_meaning_and_tables(
    pages: dict[str, Node], demo_audit: dict[str, Any]
) -> None:
    page = pages["en"]
    sections = page.find_all("section", data_analysis=None)
    keys = [s.attrs["data-analysis"] for s in sections]
    assert keys == [s.key for s in SECTIONS if s.key in demo_audit]
    numbers = [int(s.by_class("number")[0].text) for s in sections]
    assert numbers == sorted(numbers)
    figures = json.loads(page.find_all("script", id="figures")[0].text)
    for section in sections:
        assert section.by_class("meaning"), section.attrs["data-analysis"]
        assert section.find_all("table"), section.attrs["data-analysis"]
        for chart in section.by_class("chart"):
            assert chart.attrs["data-chart"] in figures
    assert len(page.by_class("chart")) >= 12


def test_tables_show_first_rows_and_download_every_row(
    pages: dict[str, Node], demo_audit: dict[str, Any]
) -> None:
    block = pages["en"].find_all(data_table="profitability-accounts")[0]
    rows = block.find_all("tbody")[0].find_all("tr")
    expected = demo_audit["profitability"]["accounts"]
    assert len(rows) == len(expected)
    assert sum(1 for r in rows if not r.has_class("more")) == 15
    href = block.find_all("a", download="profitability-accounts.csv")[0].attrs["href"]
    text = base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len(expected)
    assert records[0]["account_id"] == expected[0]["account_id"]
    assert float(records[0]["contribution"]) == pytest.approx(expected[0]["contribution"], 1e-12)
    first = rows[0].find_all("td")
    assert first[0].text == expected[0]["account_id"]


def test_skipped_section_names_the_missing_tables(tmp_path: Path) -> None:
    from keyaccount.config import ReportSettings
    from keyaccount.report import write_report

    audit = {
        "meta": {"as_of": "2026-09-30", "window_months": 12, "rollup": True, "currency": "CNY"},
        "skipped": {"acquisition": {"missing_tables": ["costs"]}},
    }
    path = write_report(audit, ReportSettings(lang="zh"), tmp_path / "r.html")[0]
    page = parse(path.read_text(encoding="utf-8"))
    row = page.find_all("tr", data_skipped="acquisition")[0]
    assert "获客成本及趋势" in row.text and "costs" in row.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_offline_file_under_eight_megabytes(demo_reports: dict[str, Path], lang: str) -> None:
    path = demo_reports[lang]
    assert path.stat().st_size < MAX_BYTES
    page = parse(path.read_text(encoding="utf-8"))
    assert not page.find_all("script", src=None)
    assert not page.find_all("link", href=None)
    assert not page.find_all("img")
    scripts = "".join(s.text for s in page.find_all("script"))
    assert "Plotly.newPlot" in scripts and scripts.count("plotly.js v") <= 2


def test_json_twin_carries_the_sections_and_the_summary(
    demo_reports: dict[str, Path], demo_audit: dict[str, Any]
) -> None:
    twin = json.loads(demo_reports["zh"].with_suffix(".json").read_text(encoding="utf-8"))
    assert twin["lang"] == "zh"
    assert 5 <= len(twin["summary"]) <= 8
    section = next(s for s in twin["sections"] if s["key"] == "retention")
    figure = next(f for f in section["figures"] if f["path"] == "retention.nrr")
    assert figure["value"] == demo_audit["retention"]["nrr"]
    assert figure["text"].endswith("%")
    assert section["anchor"] == "sec-retention"
    assert set(twin["charts"]) >= {"pareto", "revenue_bridge"}


def test_every_table_column_has_a_label_in_both_languages() -> None:
    from keyaccount.report.words import COLUMN_LABELS

    for spec in SECTIONS:
        for table in spec.tables:
            for column, kind in table.columns:
                assert (kind if kind in COLUMN_LABELS else column) in COLUMN_LABELS, column
