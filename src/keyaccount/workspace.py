"""The workspace: a folder holding a DuckDB database file and ``keyaccount.toml``.

Every command finds its workspace the way git finds a repository: from ``--workspace DIR``,
else from the current directory or the nearest parent that holds ``keyaccount.toml``.
The database holds one table per canonical input table (``data/schema.py``), each with two
bookkeeping columns — ``_source`` (the file or sheet a row came from) and ``_row`` (its row
there) — plus the import log ``_imports`` and the rejected-rows report ``_rejects``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from keyaccount.config import Settings, default_toml, load_settings
from keyaccount.data.schema import TABLES, Table

DB_FILE = "keyaccount.duckdb"
SETTINGS_FILE = "keyaccount.toml"
SCHEMA_VERSION = "1"


class WorkspaceError(RuntimeError):
    """No workspace where one was expected, or one that cannot be created or opened."""


@dataclass(frozen=True)
class Workspace:
    """A workspace folder; ``Workspace.find()`` or ``Workspace.init(dir)`` make one."""

    root: Path

    @property
    def db_path(self) -> Path:
        """The DuckDB database file."""
        return self.root / DB_FILE

    @property
    def settings_path(self) -> Path:
        """The ``keyaccount.toml`` settings file."""
        return self.root / SETTINGS_FILE

    @property
    def rejects_dir(self) -> Path:
        """Where rejected-rows reports are written as CSV."""
        return self.root / "rejects"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space for imports (transcoded files, DuckDB spill)."""
        return self.root / ".tmp"

    def settings(self, overrides: Mapping[str, Any] | None = None) -> Settings:
        """The workspace's settings with ``overrides`` (from flags) applied."""
        return load_settings(self.settings_path, overrides)

    @classmethod
    def init(cls, root: Path) -> Workspace:
        """Create a workspace in ``root`` (made if missing); an existing one is left as it is."""
        root = root.resolve()
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root} exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        ws = cls(root)
        if not ws.settings_path.exists():
            ws.settings_path.write_text(default_toml(), encoding="utf-8")
        with ws.connect() as con:
            ensure_schema(con)
        return ws

    @classmethod
    def find(cls, start: Path | None = None, explicit: Path | None = None) -> Workspace:
        """The workspace at ``explicit``, else the nearest one at or above ``start`` (cwd)."""
        if explicit is not None:
            ws = cls(explicit.resolve())
            if not ws.settings_path.exists():
                raise WorkspaceError(
                    f"{explicit} is not a keyaccount workspace (no {SETTINGS_FILE}); "
                    f"create one with: keyaccount init {explicit}"
                )
            return ws
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / SETTINGS_FILE).exists():
                return cls(folder)
        raise WorkspaceError(
            f"no keyaccount workspace in {here} or its parents; create one with "
            "`keyaccount init DIR`, run `keyaccount demo`, or pass --workspace DIR"
        )

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the database. Writers hold DuckDB's file lock until they close."""
        if read_only and not self.db_path.exists():
            raise WorkspaceError(f"{self.db_path} does not exist; run `keyaccount init`")
        try:
            con = duckdb.connect(str(self.db_path), read_only=read_only)
        except duckdb.IOException as exc:
            raise WorkspaceError(f"cannot open {self.db_path}: {exc}") from None
        if not read_only:
            ensure_schema(con)
        return con


def create_table_sql(table: Table) -> str:
    """DDL of a canonical table plus its bookkeeping columns (names are ours, not the user's)."""
    cols = [f'"{c.name}" {c.sql_type}' for c in table.columns]
    cols += ['"_source" VARCHAR NOT NULL', '"_row" BIGINT NOT NULL']
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(cols)})'


META_DDL = (
    "CREATE TABLE IF NOT EXISTS _meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS _imports (
        batch_id VARCHAR NOT NULL, source VARCHAR NOT NULL, location VARCHAR,
        table_name VARCHAR NOT NULL, content_hash VARCHAR, rows_in BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, rows_skipped BIGINT, rows_replaced BIGINT,
        started_at TIMESTAMP, finished_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS _rejects (
        batch_id VARCHAR NOT NULL, source VARCHAR NOT NULL, table_name VARCHAR,
        "row" BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR, detail VARCHAR)""",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create whatever canonical or bookkeeping table is missing (idempotent)."""
    existing = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    wanted = {t.name for t in TABLES.values()} | {"_meta", "_imports", "_rejects"}
    if wanted <= existing:
        return
    con.execute("BEGIN TRANSACTION")
    for ddl in META_DDL:
        con.execute(ddl)
    for table in TABLES.values():
        con.execute(create_table_sql(table))
    con.execute(
        "INSERT INTO _meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION]
    )
    con.execute("COMMIT")
