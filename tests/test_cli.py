"""The command line: init, import, status, rejects, as a user types them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import CUSTOMER_ROWS, write_csv
from keyaccount.cli import app

runner = CliRunner()


def _run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    if cwd is not None:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            result = runner.invoke(app, list(args))
    else:
        result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_init_import_status_from_inside_the_workspace(tmp_path: Path) -> None:
    code, out = _run("init", str(tmp_path / "co"))
    assert code == 0 and "Workspace ready" in out
    exports = tmp_path / "co" / "exports"
    exports.mkdir()
    customers = write_csv(exports / "客户档案.csv", CUSTOMER_ROWS, encoding="gbk")
    code, out = _run("import", str(customers), cwd=exports)  # found by walking up
    assert code == 0, out
    assert "客户档案.csv" in out and "loaded" in out
    code, out = _run("status", cwd=exports)
    assert code == 0
    assert "customers" in out and "needs invoices" in out


def test_failed_import_exits_nonzero_and_names_row_column_value(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    customers = write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS)
    rows = [
        ["invoice_id", "customer_id", "date", "amount"],
        ["I1", "C001", "2024-01-01", "12x"],
        ["I2", "C002", "2024-01-02", "5"],
    ]
    invoices = write_csv(tmp_path / "invoices.csv", rows)
    code, out = _run("import", str(customers), str(invoices), "--workspace", str(tmp_path))
    assert code == 1
    assert "too many rows cannot be read" in out
    assert "12x" in out and "amount" in out
    code, out = _run("status", "--workspace", str(tmp_path))
    assert "needs customers, invoices" in out  # nothing was imported, customers included


def test_no_workspace_is_a_clear_error(tmp_path: Path) -> None:
    code, out = _run("status", cwd=tmp_path)
    assert code == 1 and "keyaccount init" in out


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    bad = tmp_path / "customers.csv"
    bad.write_bytes(b"a,b\n\xff\xff\n")
    code, out = _run("import", str(bad), "--workspace", str(tmp_path))
    assert code == 1 and "neither UTF-8 nor GBK" in out


def test_rejects_lists_what_was_kept(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    rows = [*CUSTOMER_ROWS] + [
        [f"C{i:03d}", f"客户{i}", "", "", "", "", ""] for i in range(10, 200)
    ]
    rows[5][6] = "2019年13月1日"
    code, out = _run(
        "import", str(write_csv(tmp_path / "customers.csv", rows)), "--workspace", str(tmp_path)
    )
    assert code == 0, out
    code, out = _run("rejects", "--workspace", str(tmp_path))
    assert "2019年13月1日" in out and "first_date" in out


def test_audit_prints_figures_and_writes_json(demo_import: tuple, tmp_path: Path) -> None:
    import json

    ws, _ = demo_import
    out = tmp_path / "audit.json"
    code, text = _run("audit", "--workspace", str(ws.root), "--json", str(out))
    assert code == 0, text
    assert "concentration.top1_share" in text and "33.0%" in text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meta"]["as_of"] == "2026-09-30" and data["meta"]["currency"] == "CNY"
    assert data["concentration"]["top1_share"] > 0.3
    assert data["concentration"]["findings"][-1]["code"] == "concentration.top1_over_threshold"


def test_audit_flags_change_the_window_and_rollup(demo_import: tuple) -> None:
    ws, _ = demo_import
    code, rolled = _run("audit", "--workspace", str(ws.root))
    code2, plain = _run(
        "audit",
        "--workspace",
        str(ws.root),
        "--no-rollup",
        "--as-of",
        "2025-09-30",
        "--window",
        "6",
    )
    assert code == code2 == 0
    assert "as of 2025-09-30" in plain and "as of 2026-09-30" in rolled
    code3, bad = _run("audit", "--workspace", str(ws.root), "--as-of", "yesterday")
    assert code3 == 1 and "not a date" in bad


def test_audit_needs_invoices(tmp_path: Path) -> None:
    _run("init", str(tmp_path))
    _run(
        "import",
        str(write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS)),
        "--workspace",
        str(tmp_path),
    )
    code, out = _run("audit", "--workspace", str(tmp_path))
    assert code == 1 and "needs customers and invoices" in out


def test_export_writes_one_parquet_folder_per_table(demo_import: tuple, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    ws, _ = demo_import
    code, out = _run("export", "--parquet", str(tmp_path / "lake"), "--workspace", str(ws.root))
    assert code == 0, out
    invoices = pq.read_table(tmp_path / "lake" / "invoices" / "data.parquet")
    with ws.connect(read_only=True) as con:
        (expected,) = con.execute("SELECT count(*) FROM invoices").fetchone()
    assert invoices.num_rows == expected > 0 and "_source" not in invoices.column_names


def test_audit_with_only_customers_and_invoices_lists_what_it_skipped(tmp_path: Path) -> None:
    import json

    _run("init", str(tmp_path))
    rows = [["发票号", "客户编号", "开票日期", "金额", "成本"]] + [
        [f"I{i}", f"C00{i % 3 + 1}", f"202{3 + i % 3}-0{i % 9 + 1}-15", f"{100 + i}", "60"]
        for i in range(60)
    ]
    code, out = _run(
        "import",
        str(write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS)),
        str(write_csv(tmp_path / "invoices.csv", rows)),
        "--workspace",
        str(tmp_path),
    )
    assert code == 0, out
    code, out = _run("audit", "--workspace", str(tmp_path), "--json", str(tmp_path / "a.json"))
    assert code == 0, out
    assert "skipped acquisition: needs costs" in out
    assert "skipped mrr: needs subscriptions" in out
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert set(data["skipped"]) == {
        "acquisition",
        "mrr",
        "penetration",
        "wallet_share",
        "relationships",
        "silent_traitors",
        "industries",
    }
    assert data["skipped"]["silent_traitors"] == {"missing_tables": ["surveys"]}
    assert {"concentration", "stress", "profitability", "ltv", "retention", "cohorts"} <= set(data)
    assert {"pseudoscale", "tiering", "diagnosis"} <= set(data)
    assert data["churn_risk"]["model_status"] in {"too_little_history", "single_class", "ok"}
