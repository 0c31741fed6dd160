"""Headless Chromium for report tests: Debian's /usr/bin/chromium driven by Playwright.

Outside CI a machine without Chromium or Playwright skips these tests; in CI (CI=true) they
must run, so a missing browser fails loudly instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def chromium() -> str:
    path = os.environ.get("KEYACCOUNT_CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    pytest.skip("no chromium on this machine")


@contextmanager
def browser_page(width: int = 1200, height: int = 900) -> Iterator[tuple[Any, list[str]]]:
    """A page and the list its console errors, page errors and dialogs are collected into."""
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
        sync_playwright = sync_api.sync_playwright
    executable = chromium()
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

            def on_dialog(dialog: Any) -> None:
                problems.append(f"dialog {dialog.type}: {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)
            yield page, problems
        finally:
            browser.close()


def open_report(page: Any, path: Any) -> None:
    """Open a report file and wait until every chart is drawn."""
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("document.body.dataset.chartsReady !== undefined", timeout=60_000)
