"""Checks that look across rows, sources and tables of one import batch.

They run inside the import transaction, after every source of the batch is typed, so they see
the whole batch plus what the workspace already holds (less the sources being replaced):
- duplicate primary keys (within a source, across the batch, against other sources);
- references to a customer that exists neither in the workspace nor in the batch;
- amounts in more than one currency without an ``fx`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from keyaccount.data.schema import CUSTOMER_REF
from keyaccount.data.stage import StagedSource

MAX_EXAMPLES = 10


@dataclass(frozen=True)
class Duplicate:
    """Two (or more) rows that share a key: each as (source, row)."""

    table: str
    key: tuple[str, ...]
    rows: tuple[tuple[str, int], ...]


class BatchError(ValueError):
    """A problem that stops the whole import; ``details`` lists concrete rows."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)


def accepted(staged: StagedSource) -> str:
    """SQL condition: the typed row is neither skipped nor rejected."""
    return f"_skip IS NULL AND _rid NOT IN (SELECT _rid FROM rejects WHERE src = {staged.index})"


def key_columns(staged: StagedSource) -> tuple[str, ...]:
    """The key that must not repeat: the primary key, without importer-numbered lines."""
    key = staged.match.table.primary_key
    if staged.generated_lines:
        return tuple(k for k in key if k != "line_id")
    return key


def batch_key_view(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sources: Sequence[StagedSource],
    key: tuple[str, ...],
) -> str:
    """A view of (key…, src, _rid, row) over the accepted rows of the batch sources of ``table``."""
    name = f"keys_{table}"
    parts = [
        f"SELECT {', '.join(_quoted(key))}, {s.index} AS src, _rid, _row AS row "
        f"FROM {s.typed_table} WHERE {accepted(s)}"
        for s in sources
    ]
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS " + " UNION ALL ".join(parts))
    return name


def not_replaced(replaced: Sequence[str], column: str = "_source") -> tuple[str, list[str]]:
    """SQL condition (and its parameters): the row comes from none of the ``replaced`` sources."""
    if not replaced:
        return "TRUE", []
    return f"{column} NOT IN ({', '.join('?' for _ in replaced)})", list(replaced)


def _quoted(cols: Sequence[str]) -> list[str]:
    return [f'"{c}"' for c in cols]


def repeated_keys_condition(sources: Sequence[StagedSource]) -> str:
    """HAVING condition for a key that repeats inside the batch.

    When invoice lines are numbered by the importer, an invoice may have many rows in its own
    source; it repeats only when it appears in two sources.
    """
    return "count(DISTINCT src) > 1" if sources[0].generated_lines else "count(*) > 1"


def find_duplicates(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sources: Sequence[StagedSource],
    labels: dict[int, str],
    replaced: Sequence[str],
) -> list[Duplicate]:
    """Keys of the batch that repeat within it or exist in a source outside it (first few).

    Counting repeats is one aggregation; the examples are fetched only when there are some.
    """
    key = key_columns(sources[0])
    if not key:
        return []
    view = batch_key_view(con, table, sources, key)
    cols = ", ".join(_quoted(key))
    having = repeated_keys_condition(sources)
    dups: list[Duplicate] = []
    rows = con.execute(
        f"""SELECT {cols}, list((src, row) ORDER BY src, _rid)[:3] FROM {view}
            WHERE ({cols}) IN (SELECT ({cols}) FROM {view} GROUP BY {cols} HAVING {having}
                               LIMIT {MAX_EXAMPLES})
            GROUP BY {cols} ORDER BY min(src), min(_rid)"""
    ).fetchall()
    for r in rows:
        places = tuple((labels[src], int(row)) for src, row in r[len(key)])
        dups.append(Duplicate(table, tuple(map(str, r[: len(key)])), places))
    keep, keep_params = not_replaced(replaced, "t._source")
    (existing,) = con.execute(
        f'SELECT count(*) FROM "{table}" t WHERE {keep}', keep_params
    ).fetchone() or (0,)
    if existing:
        clash = con.execute(
            f"""SELECT {", ".join(f"b.{c}" for c in _quoted(key))}, b.src, b.row, t._source,
                       t._row
                FROM {view} b JOIN "{table}" t USING ({cols}) WHERE {keep}
                ORDER BY b.src, b._rid LIMIT {MAX_EXAMPLES}""",
            keep_params,
        ).fetchall()
        n = len(key)
        for r in clash:
            dups.append(
                Duplicate(
                    table,
                    tuple(map(str, r[:n])),
                    ((labels[r[n]], int(r[n + 1])), (str(r[n + 2]), int(r[n + 3]))),
                )
            )
    return dups


def unknown_customers(
    con: duckdb.DuckDBPyConnection,
    staged: Sequence[StagedSource],
    replaced: Sequence[str],
) -> None:
    """Reject rows whose customer_id exists neither in the workspace nor in the batch."""
    customer_sources = [s for s in staged if s.match.table.name == "customers"]
    keep, keep_params = not_replaced(replaced)
    known_parts = [f"SELECT customer_id FROM customers WHERE {keep}"]
    known_parts += [
        f"SELECT customer_id FROM {s.typed_table} WHERE {accepted(s)}" for s in customer_sources
    ]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE known_customers AS " + " UNION ".join(known_parts),
        keep_params,
    )
    for s in staged:
        for col in s.match.table.columns:
            if col.references != CUSTOMER_REF or col.name not in s.match.columns:
                continue
            con.execute(
                f"""INSERT INTO rejects SELECT {s.index}, _rid, ?, "{col.name}", 'unknown_customer',
                        'no customer with this customer_id in the workspace or this import'
                    FROM {s.typed_table} t WHERE {accepted(s)} AND t."{col.name}" IS NOT NULL
                    AND t."{col.name}" NOT IN (SELECT customer_id FROM known_customers)""",
                [col.name],
            )


def orphaned_rows(con: duckdb.DuckDBPyConnection) -> list[str]:
    """After the batch is written: rows of other sources whose customer has disappeared."""
    from keyaccount.data.schema import TABLES

    problems: list[str] = []
    for table in TABLES.values():
        for col in table.columns:
            if col.references != CUSTOMER_REF:
                continue
            rows = con.execute(
                f"""SELECT _source, _row, "{col.name}" FROM "{table.name}"
                    WHERE "{col.name}" IS NOT NULL AND "{col.name}" NOT IN
                    (SELECT customer_id FROM customers) ORDER BY _source, _row
                    LIMIT {MAX_EXAMPLES}"""
            ).fetchall()
            problems += [
                f"{table.name} {src} row {row}: customer_id {cid!r} would no longer exist"
                for src, row, cid in rows
            ]
    return problems


def mixed_currencies(con: duckdb.DuckDBPyConnection, reporting: str) -> dict[str, int]:
    """Currencies in invoices and subscriptions when more than one and no fx rates exist."""
    (fx_rows,) = con.execute("SELECT count(*) FROM fx").fetchone() or (0,)
    if fx_rows:
        return {}
    rows = con.execute(
        """SELECT coalesce(currency, ?) AS c, count(*) FROM (
               SELECT currency FROM invoices UNION ALL SELECT currency FROM subscriptions)
           GROUP BY c ORDER BY 2 DESC""",
        [reporting],
    ).fetchall()
    return {str(c): int(n) for c, n in rows} if len(rows) > 1 else {}
