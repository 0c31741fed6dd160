"""The report as one self-contained HTML file: opens from disk, needs no network.

plotly.js, the style sheet and the little script that sorts tables are embedded once; each
chart's figure travels as JSON in a non-executed ``<script type="application/json">`` block and
is drawn in the browser. Every text from the data goes through Jinja's autoescape, and the
JSON blocks escape ``<``, ``>`` and ``&``, so a customer named ``<script>…`` is printed, never
run. Each detail table carries its full rows as a CSV download (a ``data:`` link).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from keyaccount import __version__
from keyaccount.report.charts import PLOTLY_CONFIG
from keyaccount.report.i18n import N_, Locale
from keyaccount.report.sections import HTML_ROWS, Report, Table, format_value

TEMPLATES = Path(__file__).parent / "templates"
SEVERITY = {"alert": N_("alert"), "warning": N_("warning"), "info": N_("fact")}


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</script>`` or ``<!--`` can form."""
    text = pio.to_json(data, validate=False) if not isinstance(data, str) else data
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def table_csv(table: Table) -> str:
    """The table's rows as a base64 CSV (UTF-8 with BOM, so Excel reads Chinese)."""
    buffer = io.StringIO()
    keys = list(table.rows[0]) if table.rows else []
    writer = csv.writer(buffer)
    writer.writerow(keys)
    for row in table.rows:
        writer.writerow(
            [
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                for v in (row.get(k) for k in keys)
            ]
        )
    return base64.b64encode(("\ufeff" + buffer.getvalue()).encode("utf-8")).decode("ascii")


TEXT_KINDS = {
    "text",
    "scenario",
    "driver",
    "state",
    "flag",
    "codes",
    "list",
    "feature",
    "word",
    "date",
}


def numeric(kind: str) -> bool:
    """Whether a column of ``kind`` holds numbers (right-aligned, sorted as numbers)."""
    return kind not in TEXT_KINDS


def sort_key(value: Any) -> str:
    """The value a number column sorts by: ten significant digits are enough to order."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def table_cell(loc: Locale) -> Any:
    """A function writing one ``<td>``: number cells carry their raw value to sort by.

    Text cells sort by their text, so they carry nothing else; alignment comes from the
    header's class (the page's script copies it to the column), which keeps long tables small.
    """

    def cell(value: Any, kind: str) -> Markup:
        text = escape(format_value(value, kind, loc))
        if numeric(kind) or kind == "date":  # dates sort by their ISO text
            return Markup('<td data-sort="{}">{}</td>').format(sort_key(value), text)
        return Markup("<td>{}</td>").format(text)

    return cell


def render(report: Report, loc: Locale, table_rows: int = 15) -> str:
    """The report as HTML text; detail tables show ``table_rows`` rows until expanded."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        loc=loc,
        _=loc._,
        cell=table_cell(loc),
        numeric=numeric,
        severity=lambda level: loc.word(SEVERITY, level),
        table_rows=table_rows,
        table_csv=table_csv,
        html_rows=HTML_ROWS,
        figures_json=script_json(report.charts),
        plotly_config=script_json(PLOTLY_CONFIG),
        plotly_js=get_plotlyjs(),
        style=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        script=(TEMPLATES / "report.js").read_text(encoding="utf-8"),
        version=__version__,
    )


def write(report: Report, loc: Locale, path: Path, table_rows: int = 15) -> Path:
    """Write the HTML report to ``path`` (atomically: a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(render(report, loc, table_rows), encoding="utf-8")
    partial.replace(path)
    return path
