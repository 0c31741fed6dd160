"""What a workspace holds: tables, row counts, date ranges, and the analyses they enable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from keyaccount.analyses.registry import ANALYSES
from keyaccount.data.schema import TABLES
from keyaccount.workspace import Workspace

# The column that dates each table's rows, for the date range shown by `status`.
DATE_COLUMNS = {
    "invoices": "date",
    "subscriptions": "start",
    "costs": "period",
    "account_units": "adopted_date",
    "interactions": "date",
    "surveys": "date",
    "opportunities": "created",
    "fx": "month",
    "customers": "first_date",
}


@dataclass(frozen=True)
class TableStatus:
    """One canonical table: rows, sources, and the range of its date column."""

    name: str
    rows: int
    sources: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class AnalysisStatus:
    """One analysis and the tables it still lacks (empty when it can run)."""

    key: str
    section: int
    title: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class WorkspaceStatus:
    """Everything ``keyaccount status`` prints."""

    tables: tuple[TableStatus, ...]
    analyses: tuple[AnalysisStatus, ...]
    last_import: str | None


def workspace_status(ws: Workspace) -> WorkspaceStatus:
    """Read the workspace's tables and match them against the analysis registry."""
    tables: list[TableStatus] = []
    with ws.connect(read_only=True) as con:
        for t in TABLES.values():
            col = DATE_COLUMNS.get(t.name)
            span = f'min("{col}"), max("{col}")' if col else "NULL, NULL"
            rows, sources, first, last = con.execute(
                f'SELECT count(*), count(DISTINCT _source), {span} FROM "{t.name}"'
            ).fetchone() or (0, 0, None, None)
            tables.append(TableStatus(t.name, int(rows), int(sources), first, last))
        last = con.execute("SELECT max(finished_at) FROM _imports").fetchone()
    present = [t.name for t in tables if t.rows]
    analyses = tuple(
        AnalysisStatus(a.key, a.section, a.title_en, a.missing(present)) for a in ANALYSES
    )
    stamp = last[0] if last else None
    return WorkspaceStatus(
        tuple(tables), analyses, stamp.isoformat(sep=" ", timespec="seconds") if stamp else None
    )
