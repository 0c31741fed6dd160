"""Import exports into a workspace: one call, one transaction, nothing lost.

``import_sources`` reads every source of the call (CSV, sheets, Parquet, database tables) into
temporary staging tables, types them, runs the batch checks, and only then, inside one DuckDB
transaction, replaces what those sources brought before and writes the import log. Temporary
tables never reach the database file (and DuckDB numbers the rows of a table created inside a
transaction from a transaction-local base, which would break row numbers), so staging runs
before the transaction opens. An error at any point — or the process being killed — leaves
the workspace as it was. A source whose content hash
equals its last import is skipped untouched. Rows that cannot be read are rejected with the
file, row, column, raw value and reason: kept in ``_rejects`` and written as CSV under
``rejects/``; the import fails when a source's reject share exceeds the setting.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from keyaccount.config import Settings
from keyaccount.data import validate
from keyaccount.data.headers import (
    infer_table,
    load_mapping,
    match_headers,
    missing_columns_message,
)
from keyaccount.data.readers import RawSource, SourceRef, content_hash, expand_sources, read_source
from keyaccount.data.schema import TABLES, Table, table
from keyaccount.data.stage import StagedSource, stage_typed
from keyaccount.workspace import Workspace

Progress = Callable[[str, str], None]
MAX_REPORTED_REJECTS = 20


@dataclass
class SourceReport:
    """What one source did: rows in, loaded, rejected, skipped (blank/totals), replaced."""

    source: str
    table: str = ""
    status: str = "pending"  # loaded | unchanged | skipped | failed
    rows_in: int = 0
    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    replaced: int = 0
    ignored_headers: tuple[str, ...] = ()
    note: str = ""

    @property
    def reject_share(self) -> float:
        """Rejected rows over data rows (blank and totals rows are not data)."""
        return self.rejected / self.rows_in if self.rows_in else 0.0


@dataclass(frozen=True)
class RejectedCell:
    """One rejected value: where it is, what it was, and why."""

    source: str
    row: int
    column: str
    value: str | None
    reason: str
    detail: str


@dataclass
class ImportReport:
    """The outcome of one ``import`` call."""

    batch_id: str
    sources: list[SourceReport] = field(default_factory=list)
    rejects: list[RejectedCell] = field(default_factory=list)  # the first few
    rejects_total: int = 0
    rejects_file: Path | None = None
    warnings: list[str] = field(default_factory=list)


class ImportFailed(RuntimeError):
    """The import was rolled back; the workspace is unchanged. ``report`` says why."""

    def __init__(self, message: str, report: ImportReport, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.report = report
        self.details = list(details)


def import_sources(
    ws: Workspace,
    locations: Sequence[str],
    *,
    table_name: str | None = None,
    mapping_path: Path | None = None,
    sheet: str | None = None,
    source_label: str | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import ``locations`` into ``ws`` as one transaction (see the module docstring)."""
    settings = settings or ws.settings()
    opts = settings.import_
    notify = progress or (lambda step, label: None)
    forced = table(table_name) if table_name else None
    mapping = load_mapping(mapping_path) if mapping_path else None
    if source_label and len(locations) > 1:
        raise ValueError("--source names one source; give one file with it")
    refs = expand_sources(locations, sheet, source_label)
    report = ImportReport(batch_id=uuid.uuid4().hex[:12])
    today = today or date.today()

    con = ws.connect()
    tmp = ws.tmp_dir / report.batch_id
    try:
        con.execute("SET memory_limit = ?", [opts.memory_limit])
        con.execute("SET temp_directory = ?", [str(tmp / "spill")])
        con.execute("SET preserve_insertion_order = true")
        previous = _last_hashes(con)
        staged: list[StagedSource] = []
        hashes: dict[int, str] = {}
        reports: dict[int, SourceReport] = {}
        for index, ref in enumerate(refs):
            src_report = SourceReport(ref.label)
            report.sources.append(src_report)
            notify("read", ref.label)
            digest = content_hash(ref)
            if digest and previous.get(ref.label) == digest:
                src_report.status, src_report.note = "unchanged", "same content as last import"
                continue
            raw = read_source(con, ref, f"raw_{index}", tmp, forced, mapping)
            target = forced or infer_table(raw.headers, ref.label, mapping)
            if target is None:
                if ref.sheet and len(refs) > 1:
                    src_report.status = "skipped"
                    src_report.note = "no table matches the sheet's headers"
                    con.execute(f"DROP TABLE raw_{index}")
                    continue
                raise ImportFailed(_no_table_message(ref, raw), report)
            match = match_headers(raw.headers, target, mapping)
            if match.missing_required:
                raise ImportFailed(missing_columns_message(ref.label, match), report)
            src_report.table = target.name
            src_report.ignored_headers = match.ignored
            notify("check", ref.label)
            staged.append(stage_typed(con, index, raw, match, opts, today))
            con.execute(f"DROP TABLE raw_{index}")
            hashes[index], reports[index] = digest, src_report
        if not staged:
            return report

        labels = {s.index: reports[s.index].source for s in staged}
        replaced = list(labels.values())
        validate.unknown_customers(con, staged, replaced)
        _resolve_duplicates(con, staged, labels, replaced, opts.on_duplicate, report)
        _count(con, staged, reports)
        failed = [r for r in reports.values() if r.reject_share > opts.max_reject_share]
        if failed:
            for r in failed:
                r.status = "failed"
            _collect_rejects(con, staged, labels, report, ws)
            names = ", ".join(
                f"{r.source} ({r.rejected} of {r.rows_in} rows, {r.reject_share:.1%})"
                for r in failed
            )
            raise ImportFailed(
                f"too many rows cannot be read: {names}; the limit is "
                f"{opts.max_reject_share:.1%} (setting import.max_reject_share). "
                "Nothing was imported.",
                report,
            )

        con.execute("BEGIN TRANSACTION")
        for s in staged:
            notify("write", labels[s.index])
            reports[s.index].replaced = _remove_source(con, labels[s.index])
            _insert(con, s, labels[s.index])
            reports[s.index].status = "loaded"
        orphans = validate.orphaned_rows(con)
        if orphans:
            raise ImportFailed(
                "this import would leave rows pointing at customers that no "
                "longer exist; nothing was imported",
                report,
                orphans,
            )
        mixed = validate.mixed_currencies(con, settings.currency)
        if mixed:
            listing = ", ".join(f"{c} ({n} rows)" for c, n in mixed.items())
            raise ImportFailed(
                f"amounts are in several currencies ({listing}) and there is no "
                "fx table to convert them; import an fx table in the same call "
                "or first. Nothing was imported.",
                report,
            )
        _collect_rejects(con, staged, labels, report, ws, write_file=False)
        _log(con, report, staged, labels, hashes, refs)
        con.execute("COMMIT")
        _write_rejects_file(con, report, ws)
        return report
    except ImportFailed:
        _rollback(con)
        raise
    except validate.BatchError as exc:
        _rollback(con)
        raise ImportFailed(str(exc), report, exc.details) from None
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # no transaction was open
        con.execute("ROLLBACK")


def _last_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        """SELECT source, arg_max(content_hash, finished_at) FROM _imports GROUP BY source"""
    ).fetchall()
    return {str(s): str(h) for s, h in rows}


def _no_table_message(ref: SourceRef, raw: RawSource) -> str:
    found = ", ".join(h for h in raw.headers if h) or "(none)"
    return (
        f"{ref.label}: cannot tell which table this is (headers: {found}). Name it with "
        f"--table ({', '.join(TABLES)}), or rename the file after its table."
    )


def _resolve_duplicates(
    con: duckdb.DuckDBPyConnection,
    staged: Sequence[StagedSource],
    labels: dict[int, str],
    replaced: Sequence[str],
    policy: str,
    report: ImportReport,
) -> None:
    """Stop on duplicate keys, or drop the extra rows inside the batch under a keep policy.

    Duplicates against rows of another source already in the workspace always stop the import:
    which of two sources is right is for the user to decide.
    """
    by_table: dict[str, list[StagedSource]] = {}
    for s in staged:
        by_table.setdefault(s.match.table.name, []).append(s)
    batch_labels = set(labels.values())
    problems: list[str] = []
    for name, sources in by_table.items():
        dups = validate.find_duplicates(con, name, sources, labels, replaced)
        in_batch = [d for d in dups if all(src in batch_labels for src, _ in d.rows)]
        elsewhere = [d for d in dups if d not in in_batch]
        if policy != "error" and in_batch:
            dropped = _drop_duplicates(con, name, sources, policy)
            report.warnings.append(
                f"{name}: {dropped} row(s) with a repeated key dropped ({policy.replace('_', ' ')})"
            )
            in_batch = []
        for d in (in_batch + elsewhere)[: validate.MAX_EXAMPLES]:
            places = " and ".join(f"{src} row {row}" for src, row in d.rows)
            problems.append(f"{name} key ({', '.join(d.key)}): {places}")
    if problems:
        raise validate.BatchError(
            "duplicate keys; nothing was imported (re-import the corrected file, or choose "
            "--on-duplicate keep-first/keep-last for duplicates inside this import)",
            problems,
        )


def _drop_duplicates(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sources: Sequence[StagedSource],
    policy: str,
) -> int:
    """Reject all but the first (or last) occurrence, in file order, of each repeated key.

    With importer-numbered invoice lines an invoice's rows stay together: the whole invoice of
    the first (or last) source that has it is kept.
    """
    generated = sources[0].generated_lines
    key = [f'"{c}"' for c in validate.key_columns(sources[0])]
    order = "ASC" if policy == "keep_first" else "DESC"
    rank = (
        f"dense_rank() OVER (PARTITION BY {', '.join(key)} ORDER BY src {order})"
        if generated
        else f"row_number() OVER (PARTITION BY {', '.join(key)} ORDER BY src {order}, _rid {order})"
    )
    (before,) = con.execute("SELECT count(*) FROM rejects").fetchone() or (0,)
    con.execute(
        f"""INSERT INTO rejects
            SELECT src, _rid, NULL, NULL, 'duplicate_dropped', ?
            FROM (SELECT src, _rid, {rank} AS n FROM keys_{name}) WHERE n > 1""",
        [f"repeated key, {policy.replace('_', ' ')}"],
    )
    (after,) = con.execute("SELECT count(*) FROM rejects").fetchone() or (0,)
    return int(after) - int(before)


def _count(
    con: duckdb.DuckDBPyConnection,
    staged: Sequence[StagedSource],
    reports: dict[int, SourceReport],
) -> None:
    for s in staged:
        rows_in, skipped, rejected = con.execute(
            f"""SELECT count(*) FILTER (WHERE _skip IS NULL), count(*) FILTER (WHERE _skip IS
                NOT NULL), (SELECT count(DISTINCT _rid) FROM rejects WHERE src = {s.index}
                AND reason <> 'duplicate_dropped') FROM {s.typed_table}"""
        ).fetchone() or (0, 0, 0)
        r = reports[s.index]
        r.rows_in, r.skipped, r.rejected = int(rows_in), int(skipped), int(rejected)


def _remove_source(con: duckdb.DuckDBPyConnection, label: str) -> int:
    removed = 0
    for t in TABLES.values():
        (n,) = con.execute(
            f'SELECT count(*) FROM "{t.name}" WHERE _source = ?', [label]
        ).fetchone() or (0,)
        if n:
            con.execute(f'DELETE FROM "{t.name}" WHERE _source = ?', [label])
            removed += int(n)
    con.execute("DELETE FROM _rejects WHERE source = ?", [label])
    return removed


def _insert(con: duckdb.DuckDBPyConnection, s: StagedSource, label: str) -> None:
    target: Table = s.match.table
    for score in s.match.score_columns:
        con.execute(f'ALTER TABLE customers ADD COLUMN IF NOT EXISTS "{score}" DOUBLE')
    cols = [c for c in s.columns if c != "currency"]
    exprs = [f'"{c}"' for c in cols]
    if target.name == "invoices":
        cols.append("currency")
        exprs.append("_currency")
    elif "currency" in s.columns:
        cols.append("currency")
        exprs.append('"currency"')
    names = ", ".join(f'"{c}"' for c in cols)
    con.execute(
        f"""INSERT INTO "{target.name}" ({names}, _source, _row)
            SELECT {", ".join(exprs)}, ?, _row FROM {s.typed_table}
            WHERE {validate.accepted(s)}""",
        [label],
    )


def _collect_rejects(
    con: duckdb.DuckDBPyConnection,
    staged: Sequence[StagedSource],
    labels: dict[int, str],
    report: ImportReport,
    ws: Workspace,
    write_file: bool = True,
) -> None:
    """Gather rejects with their row numbers into ``rejects_full`` and the report.

    With ``write_file`` the full list is also written as CSV (for a failed import, at once;
    for a successful one, after the commit).
    """
    parts = [
        f"""SELECT ? AS source, ? AS table_name, t._row AS "row", r."column", r.value,
                   r.reason, r.detail
            FROM rejects r JOIN {s.typed_table} t ON t._rid = r._rid WHERE r.src = {s.index}"""
        for s in staged
    ]
    params: list[Any] = []
    for s in staged:
        params += [labels[s.index], s.match.table.name]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rejects_full AS "
        + " UNION ALL ".join(parts)
        + ' ORDER BY source, "row", "column"',
        params,
    )
    (total,) = con.execute("SELECT count(*) FROM rejects_full").fetchone() or (0,)
    report.rejects_total = int(total)
    rows = con.execute(
        f'SELECT source, "row", "column", value, reason, detail FROM '
        f"rejects_full LIMIT {MAX_REPORTED_REJECTS}"
    ).fetchall()
    report.rejects = [
        RejectedCell(str(a), int(b), str(c or ""), d, str(e), str(f)) for a, b, c, d, e, f in rows
    ]
    if write_file:
        _write_rejects_file(con, report, ws)


def _write_rejects_file(
    con: duckdb.DuckDBPyConnection, report: ImportReport, ws: Workspace
) -> None:
    """Write ``rejects_full`` as CSV under the workspace's rejects folder (if it has rows)."""
    if report.rejects_total:
        ws.rejects_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = ws.rejects_dir / f"{stamp}-{report.batch_id}.csv"
        cursor = con.execute(
            'SELECT source, "row", "column", value, reason, detail FROM rejects_full'
        )
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["source", "row", "column", "value", "reason", "detail"])
            while batch := cursor.fetchmany(10_000):
                writer.writerows(batch)
        report.rejects_file = path


def _log(
    con: duckdb.DuckDBPyConnection,
    report: ImportReport,
    staged: Sequence[StagedSource],
    labels: dict[int, str],
    hashes: dict[int, str],
    refs: Sequence[SourceRef],
) -> None:
    for s in staged:
        r = next(x for x in report.sources if x.source == labels[s.index])
        (loaded,) = con.execute(
            f'SELECT count(*) FROM "{r.table}" WHERE _source = ?', [r.source]
        ).fetchone() or (0,)
        r.loaded = int(loaded)
        con.execute(
            """INSERT INTO _imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now())""",
            [
                report.batch_id,
                r.source,
                refs[s.index].location if not refs[s.index].is_url else r.source,
                r.table,
                hashes[s.index],
                r.rows_in,
                r.loaded,
                r.rejected,
                r.skipped,
                r.replaced,
            ],
        )
    con.execute(
        """INSERT INTO _rejects SELECT ?, source, table_name, "row", "column", value, reason,
           detail FROM rejects_full""",
        [report.batch_id],
    )
