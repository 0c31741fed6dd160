"""The demo report in a real browser: charts drawn, Chinese shown, links land, data is text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from browser import browser_page, chromium, open_report
from keyaccount.config import ReportSettings
from keyaccount.report import write_report
from keyaccount.report.pdf import print_pdf

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_report_renders_every_chart_without_errors(
    demo_reports: dict[str, Path], artifacts: Path, lang: str
) -> None:
    with browser_page() as (page, problems):
        open_report(page, demo_reports[lang])
        charts = page.locator(".chart[data-chart]")
        assert charts.count() >= 12
        for i in range(charts.count()):
            chart = charts.nth(i)
            name = chart.get_attribute("data-chart")
            assert chart.locator("svg.main-svg").count() >= 1, f"{name} drew no SVG"
            assert chart.bounding_box()["height"] > 200, name
        page.screenshot(path=str(artifacts / f"report-{lang}-first-screen.png"))
        assert problems == []


def test_chinese_report_shows_chinese_glyphs(demo_reports: dict[str, Path]) -> None:
    with browser_page() as (page, problems):
        open_report(page, demo_reports["zh"])
        title = page.inner_text("h1")
        assert title == "客户资产审计报告"
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '客户')")
        # A CJK font is really used: a Chinese title is about as wide as its characters say.
        width = page.evaluate(
            "(() => { const r = document.createRange();"
            " r.selectNodeContents(document.querySelector('h1'));"
            " return r.getBoundingClientRect().width; })()"
        )
        font_px = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)"
        )
        assert width == pytest.approx(len(title) * font_px, rel=0.15)
        assert problems == []


def test_every_summary_link_lands_on_its_section(demo_reports: dict[str, Path]) -> None:
    with browser_page() as (page, problems):
        open_report(page, demo_reports["en"])
        links = page.locator("#summary a")
        assert 5 <= links.count() <= 8
        for i in range(links.count()):
            target = links.nth(i).get_attribute("href")
            page.evaluate("window.scrollTo(0, 0)")
            links.nth(i).click()
            assert page.evaluate("location.hash") == target
            top = page.evaluate(f"document.querySelector('{target}').getBoundingClientRect().top")
            assert abs(top) < 5, f"{target} is at {top}px"
        assert problems == []


def test_tables_sort_and_expand(demo_reports: dict[str, Path]) -> None:
    with browser_page() as (page, problems):
        open_report(page, demo_reports["en"])
        table = page.locator("#table-concentration-accounts")
        visible = table.locator("tbody tr:visible")
        assert visible.count() == 15
        revenue_header = table.locator("th", has_text="Revenue")
        revenue_header.click()  # ascending
        first = float(
            table.locator("tbody tr").first.locator("td").nth(4).get_attribute("data-sort")
        )
        revenue_header.click()  # descending
        top = float(table.locator("tbody tr").first.locator("td").nth(4).get_attribute("data-sort"))
        assert first < top
        page.locator("button[data-target='table-concentration-accounts']").click()
        assert visible.count() == table.locator("tbody tr").count() > 15
        assert problems == []


HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def test_hostile_customer_names_are_printed_as_text_and_never_run(
    tmp_path: Path, artifacts: Path
) -> None:
    from helpers import hand_company
    from keyaccount.audit import run_audit

    make = hand_company(
        tmp_path,
        customers=[
            ["customer_id", "name", "industry", "region"],
            ["X1", HOSTILE[0], HOSTILE[1], "上海"],
            ["X2", HOSTILE[1], "<b>bold</b>", HOSTILE[0]],
            ["X3", "正常客户", "电子", "江苏"],
        ],
        invoices=[
            ["invoice_id", "customer_id", "date", "amount"],
            ["I1", "X1", "2025-03-01", 5000],
            ["I2", "X1", "2026-03-01", 9000],
            ["I3", "X2", "2025-05-01", 3000],
            ["I4", "X2", "2026-05-01", 1000],
            ["I5", "X3", "2026-06-01", 2000],
        ],
    )
    audit = run_audit(make()).to_json()
    html = write_report(audit, ReportSettings(lang="zh"), tmp_path / "hostile.html")[0]
    with browser_page() as (page, problems):
        open_report(page, html)
        page.wait_for_timeout(500)
        assert page.evaluate("typeof window.alert") == "function"
        assert page.locator("img").count() == 0  # no element was made from a name
        table_text = page.inner_text("#table-concentration-accounts")
        assert HOSTILE[0] in table_text and HOSTILE[1] in table_text
        summary = page.inner_text("#summary")
        assert HOSTILE[0] in summary  # the top customer is named in a sentence, as text
        page.screenshot(path=str(artifacts / "report-hostile-names.png"), full_page=False)
        assert problems == [], problems


def test_pdf_has_a_page_group_per_section_no_blank_pages_and_the_summary(
    demo_reports: dict[str, Path], artifacts: Path
) -> None:
    chromium()
    pytest.importorskip("playwright")
    pdf = print_pdf(demo_reports["zh"], artifacts / "report-zh.pdf")
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [p for p in pages[:-1]] if pages[-1].strip() == "" else pages
    assert all(p.strip() for p in pages), "blank page"
    text = "\n".join(pages)
    assert "核心结论" in text
    html = demo_reports["zh"].read_text(encoding="utf-8")
    first_sentence = re.search(
        r'<li class="finding alert"[^>]*>.*?<a [^>]*>([^<]+)</a>', html, re.S
    )
    assert first_sentence
    assert squeeze(first_sentence.group(1))[:20] in squeeze(text)
    # Each analysis begins a new page: its numbered title is on the first lines of a page.
    titles = re.findall(r'<h2><span class="number">(\d+)</span> ([^<]+)</h2>', html)
    assert len(titles) >= 8
    for number, title in titles:
        assert any(
            squeeze(f"{number} {title}") in squeeze("".join(p.strip().splitlines()[:3]))
            for p in pages
        ), title
    assert len(pages) > len(titles)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
