"""The demo company goes through the importer a user's files take, and loses nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from helpers import rows_of
from keyaccount.cli import app
from keyaccount.data.demo import DemoFiles
from keyaccount.data.importer import ImportReport
from keyaccount.workspace import Workspace

EXPECTED_TABLES = {
    "客户档案.csv": "customers",
    "销售明细.csv": "invoices",
    "费用明细.xlsx#费用明细": "costs",
    "opportunities.xlsx#opportunities": "opportunities",
    "目标客户.csv": "targets",
}


def test_every_demo_file_imports_without_a_reject(
    demo_import: tuple[Workspace, ImportReport], demo_files: DemoFiles
) -> None:
    _, report = demo_import
    assert report.rejects_total == 0
    assert all(s.status == "loaded" for s in report.sources)
    assert {s.table for s in report.sources} == {
        "customers",
        "invoices",
        "subscriptions",
        "costs",
        "account_units",
        "contacts",
        "interactions",
        "surveys",
        "wallet",
        "opportunities",
        "industries",
        "targets",
    }
    by_label = {s.source.split("#")[0]: s for s in report.sources}
    for label, table in EXPECTED_TABLES.items():
        assert by_label[label.split("#")[0]].table == table
    invoices = by_label["销售明细.csv"]
    assert invoices.skipped == 3  # two blank rows and the 合计 row
    assert invoices.loaded == invoices.rows_in


def test_planted_group_arrives_with_its_members(
    demo_import: tuple[Workspace, ImportReport], demo_files: DemoFiles
) -> None:
    ws, _ = demo_import
    top = demo_files.truth["top_customer"]
    parents = dict(rows_of(ws, "customers", "customer_id, parent_id", "customer_id"))
    subsidiaries = sorted(c for c, p in parents.items() if p == top["group_parent"])
    assert parents[top["group_parent"]] is None  # the group's own row
    assert [top["group_parent"], *subsidiaries] == sorted(top["group_members"])


def test_sample_only_customers_have_no_commercial_invoice(
    demo_import: tuple[Workspace, ImportReport], demo_files: DemoFiles
) -> None:
    ws, _ = demo_import
    with ws.connect(read_only=True) as con:
        commercial = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT customer_id FROM invoices WHERE deal_type = 'commercial'"
            ).fetchall()
        }
        sampled = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT customer_id FROM invoices WHERE deal_type <> 'commercial'"
            ).fetchall()
        }
    planted = set(demo_files.truth["sample_only"])
    assert planted and planted <= sampled and not planted & commercial


def test_demo_command_builds_a_workspace(tmp_path: Path) -> None:
    out = tmp_path / "公司"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--customers", "200"])
    assert result.exit_code == 0, result.output
    assert "Demo workspace ready" in result.output
    assert (out / "keyaccount.duckdb").exists() and (out / "exports" / "销售明细.csv").exists()
    again = CliRunner().invoke(app, ["demo", "--out", str(out), "--customers", "200"])
    assert again.exit_code == 1 and "--force" in again.output
