"""Benchmark: import N invoice lines from CSV, next to a plain DuckDB read_csv of the file.

    python bench/import_csv.py [--lines 10000000] [--customers 200000] [--dir bench/out]

Writes a customers CSV and an invoices CSV in the messy export form (Chinese headers, dates
like 2024/3/5, amounts with thousands separators), then times, each in a fresh process so
peak memory is that step's own:
  1. floor: ``CREATE TABLE … AS SELECT * FROM read_csv(file)`` in plain DuckDB;
  2. ``keyaccount import`` of both files into a new workspace (one transaction).
Prints wall time, rows per second and peak resident memory (ru_maxrss) of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

GEN_CUSTOMERS = """
COPY (SELECT 'C' || lpad(i::VARCHAR, 7, '0') AS "客户编号", '客户' || i AS "客户名称",
             (['汽车零部件','电力设备','商务服务','医药'])[1 + i % 4] AS "行业"
      FROM range(?) t(i)) TO '{path}' (HEADER, DELIMITER ',')
"""
GEN_INVOICES = """
COPY (SELECT 'INV' || i AS "发票号",
             'C' || lpad((hash(i) % ?)::VARCHAR, 7, '0') AS "客户编号",
             strftime(DATE '2021-01-01' + (i % 1800)::INTEGER, '%Y/%-m/%-d') AS "开票日期",
             format('{{:,.2f}}', (hash(i * 7) % 10000000) / 100.0) AS "金额",
             format('{{:.2f}}', (hash(i * 13) % 5000000) / 100.0) AS "成本",
             (['传感器','控制器','工业软件','维保服务'])[1 + i % 4] AS "产品线",
             (['正式','正式','正式','样品'])[1 + i % 4] AS "交易类型"
      FROM range(?) t(i)) TO '{path}' (HEADER, DELIMITER ',')
"""


def run_measured(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of ``cmd`` run as a child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    folder = args.dir
    folder.mkdir(parents=True, exist_ok=True)
    customers, invoices = folder / "customers.csv", folder / "invoices.csv"
    started = time.perf_counter()
    with duckdb.connect() as con:
        if not customers.exists():
            con.execute(GEN_CUSTOMERS.format(path=customers), [args.customers])
        if not invoices.exists():
            con.execute(GEN_INVOICES.format(path=invoices), [args.customers, args.lines])
    size_mb = invoices.stat().st_size / 1e6
    print(
        f"data: {args.lines:,} invoice lines, {size_mb:,.0f} MB "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )

    floor_db = folder / "floor.duckdb"
    floor_db.unlink(missing_ok=True)
    floor_s, floor_mb = run_measured(
        [
            sys.executable,
            "-c",
            "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
            "c.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[2]])",
            str(floor_db),
            str(invoices),
        ]
    )

    ws = folder / "ws"
    shutil.rmtree(ws, ignore_errors=True)
    cli = [sys.executable, "-m", "keyaccount.cli"]
    subprocess.run([*cli, "init", str(ws)], check=True, capture_output=True)
    import_s, import_mb = run_measured(
        [*cli, "import", str(customers), str(invoices), "--workspace", str(ws)]
    )

    rows = args.lines
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>14}{'peak MB':>10}")
    print(
        f"{'duckdb read_csv (floor)':<34}{floor_s:>9.1f}{rows / floor_s:>14,.0f}{floor_mb:>10,.0f}"
    )
    print(f"{'keyaccount import':<34}{import_s:>9.1f}{rows / import_s:>14,.0f}{import_mb:>10,.0f}")
    print(f"import / floor: {import_s / floor_s:.1f}x")


if __name__ == "__main__":
    main()
