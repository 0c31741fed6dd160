"""`keyaccount report` as a user types it, and the demo's last step."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from keyaccount.cli import app

runner = CliRunner()


def test_report_writes_html_and_json_twin_in_the_chosen_language(
    demo_import: tuple, tmp_path: Path
) -> None:
    ws, _ = demo_import
    out = tmp_path / "board" / "audit.html"
    result = runner.invoke(
        app, ["report", "--workspace", str(ws.root), "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Customer asset audit" in html
    twin = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert twin["lang"] == "en" and twin["as_of"] == "2026-09-30"
    assert f"Wrote {out}" in result.output.replace("\n", "")


def test_report_defaults_to_chinese_in_the_workspace_reports_folder(demo_import: tuple) -> None:
    ws, _ = demo_import
    result = runner.invoke(app, ["report", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    path = ws.root / "reports" / "audit-2026-09-30-zh.html"
    assert "客户资产审计报告" in path.read_text(encoding="utf-8")


def test_report_from_a_saved_audit_file(demo_import: tuple, tmp_path: Path) -> None:
    ws, _ = demo_import
    audit = tmp_path / "audit.json"
    assert runner.invoke(app, ["audit", "-w", str(ws.root), "--json", str(audit)]).exit_code == 0
    out = tmp_path / "from.html"
    result = runner.invoke(app, ["report", "--from", str(audit), "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    twin = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    saved = json.loads(audit.read_text(encoding="utf-8"))
    concentration = next(s for s in twin["sections"] if s["key"] == "concentration")
    top1 = next(f for f in concentration["figures"] if f["path"] == "concentration.top1_share")
    assert top1["value"] == saved["concentration"]["top1_share"]


def test_unknown_language_and_missing_audit_file_are_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--from", str(tmp_path / "nope.json"), "--lang", "en"])
    assert result.exit_code == 1
    assert "cannot read the audit file" in result.output
    audit = tmp_path / "a.json"
    audit.write_text('{"meta": {"as_of": "2026-09-30"}}', encoding="utf-8")
    result = runner.invoke(app, ["report", "--from", str(audit), "--lang", "fr"])
    assert result.exit_code == 1
    assert "report.lang" in result.output and "fr" in result.output
