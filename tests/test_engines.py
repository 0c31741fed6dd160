"""The same audit on DuckDB and on Spark gives the same figures (docs/design.md: one code path).

Spark runs in local mode over the Parquet export of the demo workspace. Every figure of every
analysis is compared: numbers to a relative 1e-9, text exactly, tables row by row.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Contexts, assert_same
from keyaccount.analyses.context import AuditContext
from keyaccount.audit import run_audit
from keyaccount.data.importer import ImportReport
from keyaccount.engine import export_parquet, parquet_tables
from keyaccount.workspace import Workspace

pyspark = pytest.importorskip("pyspark") if not os.environ.get("CI") else __import__("pyspark")


@pytest.mark.spark
def test_demo_audit_is_the_same_on_duckdb_and_spark(
    demo_import: tuple[Workspace, ImportReport], demo_context: Contexts, tmp_path: Path
) -> None:
    from keyaccount.engine import spark_backend

    ws, _ = demo_import
    duck = demo_context()
    on_duckdb = run_audit(duck)
    export_parquet(ws, tmp_path / "lake")
    spark = spark_backend()
    on_spark = run_audit(
        AuditContext.create(
            spark, parquet_tables(spark, tmp_path / "lake"), duck.settings, engine="spark"
        )
    )
    assert on_spark.results.keys() == on_duckdb.results.keys()
    assert on_duckdb.results  # the audit did run something
    left, right = on_duckdb.to_json(), on_spark.to_json()
    left["meta"].pop("engine"), right["meta"].pop("engine")
    assert_same(left, right)
