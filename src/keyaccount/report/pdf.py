"""The report printed to PDF by headless Chromium (Playwright driving the system browser).

The page is laid out at the printable width of A4 (so Plotly sizes each chart to the paper),
the charts are awaited, and Chromium prints with the report's print style sheet: one section
per page group, charts whole. Playwright cannot download a browser here; it drives the
Chromium found at ``KEYACCOUNT_CHROMIUM`` or the usual system paths.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A4 with 12 mm margins leaves 186 mm of width: 703 CSS pixels at 96 per inch.
PRINT_WIDTH_PX = 703
CHART_TIMEOUT_MS = 60_000


class PdfError(RuntimeError):
    """The PDF could not be printed (no Playwright, no browser, charts not drawn)."""


def chromium_path() -> str:
    """The Chromium executable to drive."""
    explicit = os.environ.get("KEYACCOUNT_CHROMIUM")
    if explicit:
        return explicit
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "no Chromium found for --pdf; install it (Debian: apt-get install chromium "
        "fonts-noto-cjk) or set KEYACCOUNT_CHROMIUM to its path"
    )


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, backgrounds on) and return ``pdf_path``."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(
            "--pdf needs Playwright: pip install 'keyaccount[pdf]' (it drives the system "
            "Chromium; no browser download)"
        ) from None
    executable = chromium_path()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                page.wait_for_function(
                    "document.body.dataset.chartsReady !== undefined", timeout=CHART_TIMEOUT_MS
                )
                page.emulate_media(media="print")
                partial = pdf_path.with_name(pdf_path.name + ".partial")
                page.pdf(
                    path=str(partial),
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"},
                )
                partial.replace(pdf_path)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfError(f"printing {html_path} to PDF failed: {exc}") from None
    return pdf_path
