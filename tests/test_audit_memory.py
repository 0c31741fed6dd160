"""``audit.memory_limit`` reaches DuckDB, with a spill folder in the workspace; no figure moves."""

from __future__ import annotations

from typing import Any

from helpers import assert_same
from keyaccount.analyses.context import AuditContext
from keyaccount.audit import run_audit
from keyaccount.config import load_settings
from keyaccount.data.importer import ImportReport
from keyaccount.engine import duckdb_backend, workspace_tables
from keyaccount.workspace import Workspace


def test_a_memory_limit_caps_duckdb_and_changes_no_figure(
    demo_import: tuple[Workspace, ImportReport], demo_audit: dict[str, Any]
) -> None:
    ws, _ = demo_import
    settings = load_settings(None, {"audit": {"memory_limit": "100MB"}})
    backend = duckdb_backend(ws, settings.audit.memory_limit)
    (limit,) = backend.con.execute("SELECT current_setting('memory_limit')").fetchone()
    (spill,) = backend.con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert limit == "95.3 MiB"
    assert spill == str(ws.tmp_dir / "audit-spill")
    capped = run_audit(AuditContext.create(backend, workspace_tables(backend), settings))
    # The same figures as the engine parity test asks: a relative 1e-9 (sums of floats may
    # come back in another order when DuckDB spills).
    assert_same(capped.to_json(), demo_audit)


def test_without_the_setting_duckdb_keeps_its_default(
    demo_import: tuple[Workspace, ImportReport],
) -> None:
    ws, _ = demo_import
    default = duckdb_backend(ws).con.execute("SELECT current_setting('memory_limit')").fetchone()
    capped = duckdb_backend(ws, "1GB").con.execute("SELECT current_setting('memory_limit')")
    assert default != capped.fetchone()
    assert default is not None and default[0] != "953.6 MiB"
