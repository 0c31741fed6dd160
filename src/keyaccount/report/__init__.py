"""The audit report: structure (sections.py) → charts → HTML / PDF / JSON twin.

``write_report(audit, settings, path)`` is what ``keyaccount report`` and ``keyaccount demo``
call: it writes the HTML file, its JSON twin beside it (``.json``), and with ``pdf=True`` a PDF
printed by headless Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keyaccount.analyses.base import jsonable
from keyaccount.config import ReportSettings
from keyaccount.report.i18n import Locale
from keyaccount.report.pdf import PdfError, print_pdf
from keyaccount.report.sections import Report, build_report

__all__ = ["PdfError", "Report", "build_report", "report_json", "write_report"]


def report_json(report: Report) -> dict[str, Any]:
    """The report's JSON twin: the structured sections, sentences, figures, tables, charts."""
    data: dict[str, Any] = jsonable(report)
    for section, built in zip(data["sections"], report.sections, strict=True):
        section["anchor"] = built.anchor
    return data


def write_report(
    audit: Mapping[str, Any], settings: ReportSettings, path: Path, pdf: bool = False
) -> list[Path]:
    """Write the report of ``audit`` (``AuditRun.to_json()``) to ``path``; return the files."""
    from keyaccount.report import html

    loc = Locale(settings.lang, settings.cn_units, audit.get("meta", {}).get("currency"))
    report = build_report(audit, loc, cap=settings.max_embedded_rows)
    written = [html.write(report, loc, path, settings.table_rows)]
    twin = path.with_suffix(".json")
    twin.write_text(
        json.dumps(report_json(report), ensure_ascii=False, indent=1, default=str),
        encoding="utf-8",
    )
    written.append(twin)
    if pdf:
        written.append(print_pdf(path, path.with_suffix(".pdf")))
    return written
