"""Where the analyses run: an Ibis backend and the canonical tables as Ibis expressions.

DuckDB reads the workspace file (the default). Apache Spark reads the canonical tables from
Parquet folders (``keyaccount export --parquet DIR`` writes them from a workspace) or from a
Spark catalog; a cluster reads a data lake, not the workspace file. The analyses receive
only Ibis expressions and never ask which engine they run on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from keyaccount.data.schema import TABLES
from keyaccount.workspace import Workspace

ENGINES = ("duckdb", "spark")


class EngineError(RuntimeError):
    """An engine that cannot be started or a source it cannot read."""


def duckdb_backend(ws: Workspace, memory_limit: str | None = None) -> BaseBackend:
    """The workspace's database, read-only.

    ``memory_limit`` (the ``audit.memory_limit`` setting, e.g. ``"2GB"``) caps what DuckDB
    holds in memory; past it DuckDB spills to the workspace's tmp folder. ``None`` keeps
    DuckDB's default (80% of the machine's memory).
    """
    backend = ibis.duckdb.connect(str(ws.db_path), read_only=True)
    if memory_limit is not None:
        spill = ws.tmp_dir / "audit-spill"
        spill.mkdir(parents=True, exist_ok=True)
        backend.con.execute("SET memory_limit = ?", [memory_limit])
        backend.con.execute("SET temp_directory = ?", [str(spill)])
    return backend


def spark_backend(master: str = "local[2]") -> BaseBackend:
    """A Spark session (local mode by default) wrapped as an Ibis backend."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("Spark needs the spark extra: pip install 'keyaccount[spark]'") from None
    session = (
        SparkSession.builder.master(master)
        .appName("keyaccount")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _teach_spark_bit_or()
    return ibis.pyspark.connect(session)


def _teach_spark_bit_or() -> None:
    """Give Ibis's PySpark compiler the ``bit_or`` aggregate Spark SQL has (Ibis 12 lacks it).

    The account-month facts keep each month's purchase days as a bit mask (an OR of day bits);
    DuckDB's compiler knows the aggregate, the PySpark one raises OperationNotDefinedError.
    """
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    def visit_bit_or(self: Any, op: Any, *, arg: Any, where: Any) -> Any:
        return self.agg.bit_or(arg, where=where)

    PySparkCompiler.visit_BitOr = visit_bit_or


def workspace_tables(backend: BaseBackend) -> dict[str, ibis.Table]:
    """The canonical tables of a workspace backend that hold rows, bookkeeping columns dropped."""
    found: dict[str, ibis.Table] = {}
    existing = set(backend.list_tables())
    for name in TABLES:
        if name not in existing:
            continue
        table = backend.table(name)
        if table.count().execute() == 0:
            continue
        found[name] = table.drop("_source", "_row")
    return found


def parquet_tables(backend: BaseBackend, folder: Path) -> dict[str, ibis.Table]:
    """Canonical tables from ``folder/<table>/`` Parquet folders (or ``<table>.parquet``)."""
    found: dict[str, ibis.Table] = {}
    for name in TABLES:
        for candidate in (folder / name, folder / f"{name}.parquet"):
            if candidate.exists():
                table = backend.read_parquet(str(candidate), table_name=f"ka_{name}")
                drop = [c for c in ("_source", "_row") if c in table.columns]
                found[name] = table.drop(*drop) if drop else table
                break
    if not found:
        raise EngineError(f"{folder}: no Parquet folder named after a canonical table")
    return found


def export_parquet(ws: Workspace, folder: Path) -> list[Path]:
    """Write every non-empty canonical table of ``ws`` as ``folder/<table>/data.parquet``."""
    import duckdb

    written: list[Path] = []
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        for name in TABLES:
            (rows,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone() or (0,)
            if not rows:
                continue
            target = folder / name
            target.mkdir(parents=True, exist_ok=True)
            path = target / "data.parquet"
            con.execute(
                f'COPY (SELECT * EXCLUDE (_source, _row) FROM "{name}") TO ? (FORMAT parquet)',
                [str(path)],
            )
            written.append(path)
    return written


def describe(backend: BaseBackend) -> dict[str, Any]:
    """Name and version of the engine, for the audit's metadata."""
    return {"engine": backend.name, "version": getattr(backend, "version", "")}
