"""Test helpers: hand-made export files and companies, database fingerprints."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from keyaccount.analyses.context import AuditContext
from keyaccount.config import load_settings
from keyaccount.data.importer import import_sources
from keyaccount.data.schema import TABLES
from keyaccount.engine import duckdb_backend, workspace_tables
from keyaccount.workspace import Workspace

Rows = Sequence[Sequence[object]]
Contexts = Callable[..., AuditContext]
"""``make(**sections)``: an AuditContext with settings overrides by section."""


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    """Write ``rows`` as CSV in ``encoding`` (``utf-8-sig`` adds the BOM)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write one sheet per entry; None cells stay empty."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def contexts(ws: Workspace) -> Contexts:
    """Contexts over ``ws``'s tables (one read-only backend), with the settings given.

    ``make(audit={"rollup": False}, profitability={...})`` overrides the defaults by section;
    ``make()`` keeps them all.
    """
    backend = duckdb_backend(ws)
    tables = workspace_tables(backend)

    def make(**sections: Mapping[str, object]) -> AuditContext:
        return AuditContext.create(backend, tables, load_settings(None, sections))

    return make


def hand_company(folder: Path, **tables: Rows) -> Contexts:
    """A hand-made company: contexts over its tables, imported as CSV files.

    Writes ``folder/<table>.csv`` for each of ``tables`` (rows with a header row first), imports
    them in the order given into a new workspace ``folder/ws`` and returns :func:`contexts` over
    it: ``make(**sections)`` → an AuditContext with the settings overridden by section.
    """
    ws = Workspace.init(folder / "ws")
    import_sources(
        ws, [str(write_csv(folder / f"{name}.csv", rows)) for name, rows in tables.items()]
    )
    return contexts(ws)


def fingerprint(ws: Workspace) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of all rows) of every table, bookkeeping included."""
    with ws.connect(read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='main' "
                "ORDER BY 1"
            ).fetchall()
        ]
        out = {}
        for name in names:
            count, digest = con.execute(
                f'SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM "{name}" t'
            ).fetchone()
            out[name] = (int(count), int(digest))
        return out


def rows_of(ws: Workspace, table: str, columns: str = "*", order: str = "_row") -> list[tuple]:
    """All rows of ``table`` (selected ``columns``), ordered."""
    assert table in TABLES or table.startswith("_")
    with ws.connect(read_only=True) as con:
        return con.execute(f'SELECT {columns} FROM "{table}" ORDER BY {order}').fetchall()


CUSTOMER_ROWS: list[list[object]] = [
    ["客户编号", "客户名称", "行业", "地区", "企业性质", "标杆客户", "首次合作日期"],
    ["C001", "苏州精工机械有限公司", "汽车零部件", "江苏", "民企", "是", "2019年3月5日"],
    ["C002", "上海华东电气股份有限公司", "电力设备", "上海", "上市", "否", "2020/7/1"],
    ["C003", "杭州某某科技有限公司", "商务服务", "浙江", "国企", "Y", "20210115"],
]


def assert_same(a: Any, b: Any, path: str = "") -> None:
    """Deep equality with a relative 1e-9 tolerance on numbers."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
            assert (
                a == b or (a is None and b is None) or (isinstance(b, float) and math.isnan(b))
            ), path
        else:
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
