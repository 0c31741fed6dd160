"""Benchmark: what the one-pass facts cost in raw DuckDB SQL, measure by measure.

    python bench/facts_sql.py WORKSPACE [--as-of 2026-09-30]

Runs, each in a fresh process on the workspace's database (read-only), and prints wall
seconds and peak memory of:
  - the floor of bench/audit.py (one scan summing the invoice columns);
  - the grain alone: one row per customer × calendar month, no measure;
  - the facts' grain (customer × month × as-of-day side × deal kind) with count(*) only;
  - the same with one measure in each form (DECIMAL, DOUBLE and BIGINT sums, a FILTERed sum,
    a CASE sum), to price one measure;
  - the same with the ten measures the audit keeps (docs/metrics.md, "one pass");
  - those ten under ``SET memory_limit = '1500MB'``.
The facts are written to a temporary table, as the audit caches them, so no measure is
optimised away. Use a workspace built by bench/audit.py (e.g. /tmp/benchfull/audit_50000000).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from audit import FLOOR_SQL, GRAIN_SQL, SQL, measured

MEASURES = {
    "count only": "count(*) AS lines",
    "one DECIMAL sum": "sum(amount) AS revenue",
    "one DOUBLE sum": "sum(amount::DOUBLE) AS revenue",
    "one BIGINT sum": "sum((amount * 10000)::BIGINT) AS revenue",
    "one FILTERed sum": "sum(amount) FILTER (WHERE cost IS NOT NULL) AS revenue_costed",
    "one CASE sum": "sum(CASE WHEN cost IS NOT NULL THEN amount END) AS revenue_costed",
    "the ten measures": ", ".join(
        [
            "sum(amount) AS revenue",
            "sum(cost) AS cost_known",
            "sum(amount) FILTER (WHERE cost IS NOT NULL) AS revenue_costed",
            "sum(rebate) AS rebate",
            "count(*) AS lines",
            "sum(amount * days_to_pay) AS paid_days_amount",
            "sum(amount) FILTER (WHERE days_to_pay IS NOT NULL) AS amount_days_known",
            "sum(amount) FILTER (WHERE unpaid) AS unpaid",
            "min(date) AS first_day",
            "bit_or(day_bit) AS purchase_days",
        ]
    ),
}


def facts_sql(measures: str) -> str:
    """The facts' GROUP BY (as analyses/context.py builds it) with ``measures``."""
    return f"""
        CREATE TEMP TABLE facts AS
        SELECT customer_id, ym, late, commercial, {measures}
        FROM (
            SELECT *,
                   year(date) * 12 + month(date) - 1 AS ym,
                   day(date) > day($as_of) AS late,
                   deal_type = 'commercial' AS commercial,
                   coalesce(date_diff('day', date, paid_date), payment_days)::INTEGER
                       AS days_to_pay,
                   paid_date IS NULL OR paid_date > $as_of AS unpaid,
                   CASE WHEN amount > 0 THEN 1::BIGINT << (day(date) - 1) ELSE 0 END AS day_bit
            FROM invoices WHERE date <= $as_of
        )
        GROUP BY ALL"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 9, 30))
    args = parser.parse_args()
    db = str(args.workspace / "keyaccount.duckdb")
    as_of = f"SET VARIABLE as_of = DATE '{args.as_of.isoformat()}'"

    def facts(measures: str) -> str:
        return facts_sql(measures).replace("$as_of", "getvariable('as_of')")

    floor_s, floor_mb, _ = measured(SQL, db, FLOOR_SQL)
    print(f"{'floor (bench/audit.py)':<34}{floor_s:7.2f} s {floor_mb:7,.0f} MB")
    runs = [("grain: customer × month", [GRAIN_SQL])]
    runs += [(f"facts grain, {name}", [as_of, facts(sql)]) for name, sql in MEASURES.items()]
    runs.append(
        (
            "the ten, memory_limit 1500MB",
            ["SET memory_limit = '1500MB'", as_of, facts(MEASURES["the ten measures"])],
        )
    )
    for name, statements in runs:
        seconds, mb, _ = measured(SQL, db, *statements)
        print(f"{name:<34}{seconds:7.2f} s {mb:7,.0f} MB  = {seconds / floor_s:4.1f}x floor")


if __name__ == "__main__":
    main()
