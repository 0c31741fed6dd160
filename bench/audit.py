"""Benchmark: the whole audit on a generated company, next to a single DuckDB scan (the floor).

    python bench/audit.py [--lines 5000000 20000000 50000000] [--customers 200000]
                          [--sections 1-5] [--memory-limit 2GB] [--skip churn_risk …]

For each size it builds a workspace straight in SQL (no CSV round trip: the import has its
own benchmark), then, each in a fresh process so peak memory is that step's own:
  1. floor: one DuckDB scan that sums the invoice columns the audit reads;
     grain: the cheapest query at the facts' grain (one row per customer × calendar month,
     no measure): what any one-pass per-customer-month design pays before summing anything;
  2. the audit: the one-pass account-month facts, the §7 churn model (timed apart because the
     stress test's probabilistic scenario and churn_risk share it), then every analysis, with
     per-step times.
``--sections 1-5`` times the audit as issue 3 scopes it: only the analyses of METRICS
sections 1 to 5, with the setting ``churn.simulations = 0`` (the documented switch that leaves
the stress test's probabilistic scenario, and so the §7 churn model, out). Without it the
whole audit runs with the workspace's settings. ``--memory-limit`` sets ``audit.memory_limit``
(DuckDB spills past it) to time the audit on a memory budget.
Prints the 1-minute load average before each size (the machine is shared: read figures taken
under load with care), wall seconds, peak resident memory (ru_maxrss), the audit / floor
ratio, and the per-step timings, so a step whose cost grows faster than the invoice lines
shows up. ``--skip`` leaves analyses out (by key) to time the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

FLOOR_SQL = (
    "SELECT count(*), sum(amount), sum(cost), sum(rebate), min(date), max(date), "
    "count(DISTINCT customer_id) FROM invoices"
)
# The cheapest query at the grain the monthly analyses need (one row per customer × calendar
# month), with no measure at all: a lower bound on the one-pass facts, whatever they sum.
GRAIN_SQL = (
    "CREATE TEMP TABLE grain AS SELECT customer_id, year(date) * 12 + month(date) AS ym "
    "FROM invoices GROUP BY ALL"
)


def build(folder: Path, lines: int, customers: int) -> Path:
    """A workspace with ``customers`` customers (10% in groups) and ``lines`` invoice lines."""
    import duckdb

    from keyaccount.workspace import Workspace

    ws = Workspace.init(folder)
    with duckdb.connect(str(ws.db_path)) as con:
        (have,) = con.execute("SELECT count(*) FROM invoices").fetchone() or (0,)
        if have == lines:
            return folder
        con.execute("DELETE FROM invoices; DELETE FROM customers;")
        con.execute(
            """INSERT INTO customers (customer_id, name, parent_id, industry, region, first_date,
                                      _source, _row)
               SELECT 'C' || i, '客户' || i,
                      CASE WHEN i % 10 = 1 AND i > 10 THEN 'C' || (i - i % 100) END,
                      (['汽车零部件','电力设备','商务服务','医药','电子制造'])[1 + i % 5],
                      (['江苏','上海','浙江','广东'])[1 + i % 4],
                      DATE '2015-01-01' + (i % 3000)::INTEGER, 'bench', i
               FROM range(?) t(i)""",
            [customers],
        )
        # Skewed customers (a few large accounts), five years of dates, 3% credit notes.
        con.execute(
            """INSERT INTO invoices (invoice_id, line_id, customer_id, date, amount, cost, rebate,
                                     product_line, deal_type, payment_days, paid_date,
                                     _source, _row)
               SELECT 'I' || i, '1',
                      'C' || (floor(? * pow(((hash(i) % 1000003) / 1000003.0), 3)))::BIGINT,
                      DATE '2021-10-01' + (hash(i * 3) % 1826)::INTEGER,
                      (CASE WHEN i % 33 = 0 THEN -1 ELSE 1 END)
                          * ((hash(i * 7) % 2000000) / 100.0)::DECIMAL(18,4),
                      ((hash(i * 7) % 2000000) / 160.0)::DECIMAL(18,4),
                      ((hash(i * 11) % 100) / 10.0)::DECIMAL(18,4),
                      (['传感器','控制器','工业软件','维保服务'])[1 + i % 4],
                      CASE WHEN i % 50 = 0 THEN 'sample' ELSE 'commercial' END,
                      ([30, 60, 90, 180])[1 + i % 4],
                      CASE WHEN i % 5 <> 0 THEN DATE '2021-10-01' + (hash(i * 3) % 1826)::INTEGER
                                               + ([30, 60, 90, 180])[1 + i % 4] END,
                      'bench', i
               FROM range(?) t(i)""",
            [customers, lines],
        )
        con.execute("CHECKPOINT")
    return folder


def measured(code: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stdout) of a Python snippet in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step failed: {code[:60]}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


SQL = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET enable_progress_bar = false")
for statement in sys.argv[2:]:
    con.execute(statement).fetchall()
"""
"""Runs the SQL statements given after the database path, in order, on a read-only connection."""

AUDIT = """
import json, sys, time
from keyaccount.workspace import Workspace
from keyaccount.engine import duckdb_backend, workspace_tables
from keyaccount.analyses.context import AuditContext
from keyaccount.audit import run_audit
from keyaccount.analyses.registry import implemented
ws = Workspace(__import__('pathlib').Path(sys.argv[1]))
skip = set(filter(None, sys.argv[2].split(",")))
low, high = (int(x) for x in sys.argv[3].split("-"))
only = [a.key for a in implemented() if a.key not in skip and low <= a.section <= high]
overrides = json.loads(sys.argv[4])
t = time.perf_counter()
settings = ws.settings(overrides)
backend = duckdb_backend(ws, settings.audit.memory_limit)
ctx = AuditContext.create(backend, workspace_tables(backend), settings)
steps = {"open + as-of": time.perf_counter() - t}
t = time.perf_counter(); ctx.account_months; steps["facts (one scan)"] = time.perf_counter() - t
try:  # the §7 churn model, memoised: stress (probabilistic scenario) and churn_risk share it
    from keyaccount.analyses.churn import scored_accounts
except ImportError:
    scored_accounts = None
if scored_accounts is not None and (
    "churn_risk" in only or ("stress" in only and ctx.settings.churn.simulations > 0)
):
    t = time.perf_counter(); scored_accounts(ctx)
    steps["churn model (shared)"] = time.perf_counter() - t
run = run_audit(ctx, only=only)
steps.update(run.seconds)
print(json.dumps(steps))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[5_000_000, 20_000_000, 50_000_000])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path("bench/out"))
    parser.add_argument(
        "--skip", nargs="*", default=[], help="analyses to leave out of the audit (their keys)"
    )
    parser.add_argument(
        "--sections",
        default=None,
        help="only METRICS sections FIRST-LAST (e.g. 1-5, the issue's scope), with "
        "churn.simulations = 0 (no probabilistic stress scenario, so no churn model)",
    )
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="the audit.memory_limit setting for the audit (e.g. 2GB): DuckDB spills past it",
    )
    args = parser.parse_args()
    sections = args.sections or "1-99"
    overrides: dict[str, dict[str, object]] = {}
    if args.sections:
        overrides["churn"] = {"simulations": 0}
    if args.memory_limit:
        overrides["audit"] = {"memory_limit": args.memory_limit}
    rows = []
    for lines in args.lines:
        folder = build(args.dir / f"audit_{lines}", lines, args.customers)
        db = str(folder / "keyaccount.duckdb")
        load_before = os.getloadavg()[0]
        floor_s, floor_mb, _ = measured(SQL, db, FLOOR_SQL)
        grain_s, grain_mb, _ = measured(SQL, db, GRAIN_SQL)
        audit_s, audit_mb, out = measured(
            AUDIT, str(folder), ",".join(args.skip), sections, json.dumps(overrides)
        )
        steps = json.loads(out.strip().splitlines()[-1])
        rows.append((lines, floor_s, floor_mb, audit_s, audit_mb, steps))
        skipped = f" (without {', '.join(args.skip)})" if args.skip else ""
        if args.sections:
            skipped += f" (sections {args.sections}, churn.simulations = 0)"
        if args.memory_limit:
            skipped += f" (audit.memory_limit = {args.memory_limit})"
        print(f"\n{lines:,} invoice lines, {args.customers:,} customers{skipped}")
        print(f"  load average before the run: {load_before:.2f}")
        print(f"  floor (one DuckDB scan)   {floor_s:7.2f} s  {floor_mb:7,.0f} MB")
        print(
            f"  grain (customer × month)  {grain_s:7.2f} s  {grain_mb:7,.0f} MB  "
            f"= {grain_s / floor_s:.1f}x floor"
        )
        print(
            f"  audit (end to end)        {audit_s:7.2f} s  {audit_mb:7,.0f} MB  "
            f"= {audit_s / floor_s:.1f}x floor"
        )
        for name, seconds in steps.items():
            print(f"    {name:<28}{seconds:7.2f} s")
    if len(rows) > 1:
        base = rows[0]
        print("\nscaling against the smallest size (1.0 = linear in invoice lines):")
        for lines, _, _, audit_s, _, steps in rows[1:]:
            factor = lines / base[0]
            print(
                f"  {lines:,}: audit {audit_s / base[3] / factor:.2f}; "
                + ", ".join(
                    f"{k} {v / max(base[5].get(k, 1e-9), 1e-9) / factor:.2f}"
                    for k, v in steps.items()
                )
            )


if __name__ == "__main__":
    main()
