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
