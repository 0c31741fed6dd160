"""The import path end to end: real files in, canonical rows out, nothing lost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import CUSTOMER_ROWS, fingerprint, rows_of, write_csv, write_xlsx
from keyaccount.config import load_settings
from keyaccount.data.importer import ImportFailed, import_sources
from keyaccount.workspace import Workspace

INVOICE_HEADER = ["发票号", "客户编号", "开票日期", "金额(万元)", "成本", "产品线", "交易类型"]


def _invoices(n: int, bad: int = 0, start: int = 0) -> list[list[object]]:
    """``n`` invoice rows for C001..C003; the first ``bad`` have an unreadable date."""
    rows: list[list[object]] = [INVOICE_HEADER]
    for i in range(start, start + n):
        when = "2024年13月40日" if i - start < bad else f"2024/{i % 12 + 1}/{i % 28 + 1}"
        rows.append(
            [
                f"INV{i:05d}",
                f"C00{i % 3 + 1}",
                when,
                f"{(i % 7) + 1}.25",
                "1,000.00",
                "传感器",
                "正式",
            ]
        )
    return rows


def _import(ws: Workspace, *paths: Path | str, **kw: object):
    return import_sources(ws, [str(p) for p in paths], today=date(2025, 1, 1), **kw)


def test_gbk_csv_with_chinese_headers_and_totals_row(ws: Workspace, tmp_path: Path) -> None:
    rows = [*CUSTOMER_ROWS, [], ["合计", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "客户档案.csv", rows, encoding="gbk")
    report = _import(ws, path)
    (src,) = report.sources
    assert (src.table, src.status, src.rows_in, src.loaded, src.rejected) == (
        "customers",
        "loaded",
        3,
        3,
        0,
    )
    assert src.skipped == 1  # the totals row; the empty line is not a record
    got = rows_of(ws, "customers", "customer_id, name, ownership, is_lighthouse, first_date, _row")
    assert got == [
        ("C001", "苏州精工机械有限公司", "private", True, date(2019, 3, 5), 2),
        ("C002", "上海华东电气股份有限公司", "listed", False, date(2020, 7, 1), 3),
        ("C003", "杭州某某科技有限公司", "soe", True, date(2021, 1, 15), 4),
    ]


def test_xlsx_with_title_row_wan_unit_and_totals(ws: Workspace, tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS, encoding="utf-8-sig")
    sheet = [
        ["2024年销售明细（单位：万元）"],
        INVOICE_HEADER,
        ["INV1", "C001", "2024-03-05", "1.5", 9000, "传感器", "样品"],
        ["INV2", "C002", 45356, "２，０００．５", None, "控制器", None],
        [None] * 7,
        ["合计", None, None, 2002, None, None, None],
    ]
    book = write_xlsx(tmp_path / "sales.xlsx", {"明细": sheet})
    report = _import(ws, customers, book, table_name=None)
    by_source = {s.source: s for s in report.sources}
    inv = by_source["sales.xlsx#明细"]
    assert (inv.table, inv.rows_in, inv.loaded, inv.skipped) == ("invoices", 2, 2, 2)
    got = rows_of(ws, "invoices", "invoice_id, line_id, date, amount, cost, deal_type, _row")
    assert got == [
        ("INV1", "1", date(2024, 3, 5), Decimal("15000.0000"), Decimal("9000.0000"), "sample", 3),
        ("INV2", "1", date(2024, 3, 5), Decimal("20005000.0000"), None, "commercial", 4),
    ]


def test_reject_share_over_limit_fails_and_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    before = fingerprint(ws)
    bad = write_csv(tmp_path / "invoices.csv", _invoices(200, bad=4))  # 2% bad
    with pytest.raises(ImportFailed) as failure:
        _import(ws, bad)
    assert "2.0%" in str(failure.value)
    report = failure.value.report
    assert report.rejects_total == 4
    first = report.rejects[0]
    assert (first.source, first.row, first.column, first.value, first.reason) == (
        "invoices.csv",
        2,
        "date",
        "2024年13月40日",
        "unreadable",
    )
    assert report.rejects_file is not None and report.rejects_file.exists()
    assert "2024年13月40日" in report.rejects_file.read_text(encoding="utf-8-sig")
    assert fingerprint(ws) == before


def test_reject_share_under_limit_imports_and_reports(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    report = _import(ws, write_csv(tmp_path / "invoices.csv", _invoices(200, bad=1)))  # 0.5%
    (src,) = report.sources
    assert (src.rows_in, src.loaded, src.rejected) == (200, 199, 1)
    kept = rows_of(ws, "_rejects", 'source, "row", "column", value, reason', '"row"')
    assert kept == [("invoices.csv", 2, "date", "2024年13月40日", "unreadable")]


def test_reimport_same_file_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS)
    invoices = write_csv(tmp_path / "invoices.csv", _invoices(50))
    _import(ws, customers, invoices)
    before = fingerprint(ws)
    report = _import(ws, customers, invoices)
    assert [s.status for s in report.sources] == ["unchanged", "unchanged"]
    assert fingerprint(ws) == before


def test_corrected_file_replaces_what_its_source_brought(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    path = tmp_path / "invoices.csv"
    _import(ws, write_csv(path, _invoices(50)))
    report = _import(ws, write_csv(path, _invoices(30, start=100)))
    (src,) = report.sources
    assert (src.replaced, src.loaded) == (50, 30)
    ids = [r[0] for r in rows_of(ws, "invoices", "invoice_id")]
    assert ids == [f"INV{i:05d}" for i in range(100, 130)]
    assert len(rows_of(ws, "_imports", "source", "started_at")) == 3


def test_duplicate_key_names_both_rows(ws: Workspace, tmp_path: Path) -> None:
    rows = [*CUSTOMER_ROWS, ["C002", "重复的客户", "", "", "", "", ""]]
    before = fingerprint(ws)
    with pytest.raises(ImportFailed) as failure:
        _import(ws, write_csv(tmp_path / "customers.csv", rows))
    assert failure.value.details == [
        "customers key (C002): customers.csv row 3 and customers.csv row 5"
    ]
    assert fingerprint(ws) == before


def test_duplicate_against_another_source_names_both(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    other = write_csv(
        tmp_path / "more_customers.csv", [CUSTOMER_ROWS[0], ["C009", "新客户"], ["C001", "又一个"]]
    )
    with pytest.raises(ImportFailed) as failure:
        _import(ws, other, table_name="customers")
    assert failure.value.details == [
        "customers key (C001): more_customers.csv row 3 and customers.csv row 2"
    ]


def test_keep_last_resolves_duplicates_inside_an_import(ws: Workspace, tmp_path: Path) -> None:
    rows = [*CUSTOMER_ROWS, ["C002", "改名后的客户", "", "", "", "", ""]]
    settings = load_settings(None, {"import": {"on_duplicate": "keep_last"}})
    report = _import(ws, write_csv(tmp_path / "customers.csv", rows), settings=settings)
    assert report.warnings
    names = dict(rows_of(ws, "customers", "customer_id, name"))
    assert names["C002"] == "改名后的客户"
    assert len(names) == 3


def test_unknown_customer_is_rejected_with_its_value(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    rows = _invoices(300)
    rows[5][1] = "C999"
    report = _import(ws, write_csv(tmp_path / "invoices.csv", rows))
    (reject,) = report.rejects
    assert (reject.row, reject.column, reject.value, reject.reason) == (
        6,
        "customer_id",
        "C999",
        "unknown_customer",
    )


def test_customers_and_invoices_in_one_call_see_each_other(ws: Workspace, tmp_path: Path) -> None:
    invoices = write_csv(tmp_path / "invoices.csv", _invoices(20))
    customers = write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS)
    report = _import(ws, invoices, customers)  # order of the files does not matter
    assert [s.loaded for s in report.sources] == [20, 3]


def test_mixed_currencies_without_fx_fail(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    before = fingerprint(ws)
    rows = [
        ["invoice_id", "customer_id", "date", "amount"],
        ["A1", "C001", "2024-01-02", "¥1,000"],
        ["A2", "C002", "2024-01-03", "$200"],
    ]
    with pytest.raises(ImportFailed, match=r"CNY \(1 rows\), USD \(1 rows\)"):
        _import(ws, write_csv(tmp_path / "invoices.csv", rows))
    assert fingerprint(ws) == before


def test_implausible_date_is_rejected(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    rows = _invoices(200)
    rows[1][2] = "1899-12-31"
    report = _import(ws, write_csv(tmp_path / "invoices.csv", rows))
    assert [(r.row, r.reason) for r in report.rejects] == [(2, "implausible_date")]


def test_missing_required_column_lists_headers_and_aliases(ws: Workspace, tmp_path: Path) -> None:
    rows = [["发票号", "客户编号", "开票日期", "金 额 合 计"], ["I1", "C001", "2024-01-01", "5"]]
    with pytest.raises(ImportFailed) as failure:
        _import(ws, write_csv(tmp_path / "invoices.csv", rows), table_name="invoices")
    message = str(failure.value)
    assert "needs column(s) amount" in message
    assert "Headers found: 发票号, 客户编号, 开票日期, 金 额 合 计" in message
    assert "不含税金额" in message


def test_mapping_file_maps_unknown_headers(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[customers]\n"Kundennummer" = "customer_id"\n"Firma" = "name"\n', encoding="utf-8"
    )
    path = write_csv(tmp_path / "kunden.csv", [["Kundennummer", "Firma"], ["K1", "Acme"]])
    _import(ws, path, table_name="customers", mapping_path=mapping)
    assert rows_of(ws, "customers", "customer_id, name") == [("K1", "Acme")]


def test_empty_lines_do_not_shift_row_numbers(ws: Workspace, tmp_path: Path) -> None:
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    rows = _invoices(150)
    rows[4][2] = "2024/5/55"  # INV00003, on line 5 before the empty lines go in
    path = write_csv(tmp_path / "invoices.csv", rows)
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:3], "", "", *lines[3:]]), encoding="utf-8")
    report = _import(ws, path)
    (reject,) = report.rejects
    assert (reject.row, reject.value) == (7, "2024/5/55")  # lines 4 and 5 are empty


def test_parquet_source(ws: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "customers.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": ["P1", "P2"],
                "first_date": [date(2020, 1, 2), None],
                "is_channel": [True, False],
            }
        ),
        path,
    )
    _import(ws, path)
    assert rows_of(ws, "customers", "customer_id, first_date, is_channel") == [
        ("P1", date(2020, 1, 2), True),
        ("P2", None, False),
    ]


def test_duckdb_table_source(ws: Workspace, tmp_path: Path) -> None:
    import duckdb

    erp = tmp_path / "erp.duckdb"
    with duckdb.connect(str(erp)) as con:
        con.execute(
            "CREATE TABLE kunden AS SELECT 'D' || i AS customer_id, 'n' || i AS name "
            "FROM range(3) t(i)"
        )
    report = _import(ws, f"duckdb://{erp}#kunden", table_name="customers")
    assert report.sources[0].loaded == 3


def test_whitespace_rows_and_subtotals_are_skipped_not_rejected(
    ws: Workspace, tmp_path: Path
) -> None:
    """Regression: the fast path for ordinary rows must not swallow these."""
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    rows = _invoices(120)
    rows.insert(3, ["  ", " ", "\u3000", "", "", "", ""])  # whitespace only, 全角 space too
    rows.insert(6, ["", "小计", "", "123", "", "", ""])
    rows.append(["Total:", "", "", "9999", "", "", ""])
    rows[10][0] = "SUMMIT-7"  # an ordinary invoice whose key merely contains "sum"
    report = _import(ws, write_csv(tmp_path / "invoices.csv", rows))
    (src,) = report.sources
    assert (src.rows_in, src.loaded, src.rejected, src.skipped) == (120, 120, 0, 3)
    assert ("SUMMIT-7",) in rows_of(ws, "invoices", "invoice_id")


def test_a_missing_column_with_a_default_gets_it(ws: Workspace, tmp_path: Path) -> None:
    """Regression: invoices without a deal_type column were stored with NULL deal types, so no
    revenue counted as commercial."""
    _import(ws, write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))
    rows = [["invoice_id", "customer_id", "date", "amount"], ["A1", "C001", "2024-01-02", "5"]]
    _import(ws, write_csv(tmp_path / "invoices.csv", rows))
    assert rows_of(ws, "invoices", "deal_type") == [("commercial",)]
