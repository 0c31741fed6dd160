"""Report fixtures: the demo company's report written once per language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyaccount.config import ReportSettings
from keyaccount.report import write_report

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def demo_reports(
    demo_audit: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The demo report's HTML file by language (its JSON twin lies beside it)."""
    folder = tmp_path_factory.mktemp("reports")
    return {
        lang: write_report(demo_audit, ReportSettings(lang=lang), folder / f"demo-{lang}.html")[0]
        for lang in ("zh", "en")
    }


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave files for people to look at (screenshots, PDFs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
