"""Turn a raw staging table (text) into a typed one, and list the cells that cannot be read.

For a source staged as ``raw`` (columns c0…cN) and matched to a canonical table, this builds
``typed``: one row per source row with ``_rid`` (the raw rowid), ``_skip`` (``blank`` or
``totals`` rows, which are dropped and counted but are not errors), the raw text of every
mapped column (``c<i>``, kept for the rejected-rows report) and the typed canonical columns.
Row-level problems go to the batch's ``rejects`` table: a required value missing, a value
that cannot be read as its kind, a date outside the plausible range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from keyaccount.config import ImportSettings
from keyaccount.data import normalize as nz
from keyaccount.data.headers import HeaderMatch
from keyaccount.data.readers import RawSource
from keyaccount.data.schema import Column, Kind

AMOUNT_UNITS = {"yuan": 1, "thousand": 1_000, "wan": 10_000, "yi": 100_000_000}

REJECTS_DDL = """CREATE TEMP TABLE IF NOT EXISTS rejects (
    src INTEGER, _rid BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR, detail VARCHAR)"""

_KIND_WORDS = {
    Kind.DATE: "a date",
    Kind.MONTH: "a month",
    Kind.YEAR: "a year",
    Kind.MONEY: "an amount",
    Kind.NUMBER: "a number",
    Kind.INTEGER: "a whole number",
    Kind.PERCENT: "a percentage",
    Kind.FLAG: "a yes/no flag",
}


@dataclass(frozen=True)
class StagedSource:
    """A source after typing: where it is, what it feeds, and which columns it carries."""

    index: int
    typed_table: str
    match: HeaderMatch
    columns: tuple[str, ...]  # canonical columns present in the typed table
    generated_lines: bool  # invoices without line_id: numbered per invoice in file order


def value_sql(column: Column, raw: str, header: str, settings: ImportSettings) -> str:
    """The SQL that reads ``raw`` (a VARCHAR expression) as ``column``'s kind."""
    kind = column.kind
    if kind is Kind.ID:
        return nz.clean_id(raw)
    if kind is Kind.TEXT:
        return nz.clean_text(raw)
    if kind is Kind.DATE:
        return nz.parse_date(raw, order=settings.date_order)
    if kind is Kind.MONTH:
        return nz.parse_month(raw)
    if kind is Kind.YEAR:
        return nz.parse_year(raw)
    if kind is Kind.MONEY:
        unit = nz.unit_multiplier(header)
        return nz.parse_money(
            raw, multiplier=unit if unit != 1 else AMOUNT_UNITS[settings.amount_unit]
        )
    if kind is Kind.NUMBER:
        return nz.parse_number(raw)
    if kind is Kind.INTEGER:
        return nz.parse_integer(raw)
    if kind is Kind.PERCENT:
        return nz.parse_percent(raw)
    if kind is Kind.FLAG:
        return nz.parse_flag(raw)
    if kind is Kind.CATEGORY:
        return nz.parse_category(raw, column.values, open_values=column.open_values)
    raise AssertionError(kind)


def unreadable_detail(column: Column) -> str:
    """Why a non-blank value of ``column`` was rejected, in words."""
    if column.kind is Kind.CATEGORY:
        return f"not one of: {', '.join(column.values)}"
    return f"not {_KIND_WORDS.get(column.kind, 'readable')}"


def stage_typed(
    con: duckdb.DuckDBPyConnection,
    index: int,
    raw: RawSource,
    match: HeaderMatch,
    settings: ImportSettings,
    today: date,
) -> StagedSource:
    """Create the typed table of source ``index`` and add its row-level rejects.

    ``_row`` is the row number a person sees in the source (see ``RawSource``).
    """
    table = match.table
    typed = f"typed_{index}"
    raw_of = {name: f"c{i}" for name, i in match.columns.items()}
    if raw.row_map is None:
        source, row = f"{raw.table_name} r", f"r.rowid + {int(raw.first_row)}"
    else:
        lines = pa.table(
            {
                "rid": pa.array(range(len(raw.row_map)), pa.int64()),
                "line": pa.array(raw.row_map, pa.int64()),
            }
        )
        con.register(f"rowmap_{index}_arrow", lines)
        con.execute(f"CREATE TEMP TABLE rowmap_{index} AS SELECT * FROM rowmap_{index}_arrow")
        con.unregister(f"rowmap_{index}_arrow")
        source = f"{raw.table_name} r JOIN rowmap_{index} m ON m.rid = r.rowid"
        row = "m.line"
    select = ["r.rowid AS _rid", f"{row} AS _row", f"{_skip_sql(match, raw_of)} AS _skip"]
    # Raw text is kept only where a value can fail to read (ids and text cannot).
    select += [
        f"c{match.columns[c.name]}"
        for c in table.columns
        if c.name in raw_of and c.kind not in TEXTUAL
    ]
    columns: list[str] = []
    for col in table.columns:
        raw_col = raw_of.get(col.name)
        if raw_col is None:
            continue
        expr = value_sql(col, raw_col, match.raw_headers[match.columns[col.name]], settings)
        if col.default is not None:
            expr = (
                f"CASE WHEN {nz.is_blank(raw_col)} THEN {nz.sql_literal(col.default)} "
                f"ELSE {expr} END"
            )
        select.append(f'{expr} AS "{col.name}"')
        columns.append(col.name)
    for col in table.columns:
        # A column the source lacks entirely still gets its documented default (deal_type
        # commercial, survey scale csat5, target status untouched).
        if col.default is not None and col.name not in raw_of:
            select.append(f'{nz.sql_literal(col.default)} AS "{col.name}"')
            columns.append(col.name)
    for score, i in match.score_columns.items():
        select.append(f'{nz.parse_number(f"c{i}")} AS "{score}"')
        columns.append(score)
    if table.name == "invoices":
        columns += _invoice_extras(select, match)
    con.execute(f"CREATE TEMP TABLE {typed} AS SELECT {', '.join(select)} FROM {source}")
    generated = table.name == "invoices" and "line_id" not in match.columns
    if generated:
        _number_lines(con, typed)
    _row_rejects(con, index, typed, match, settings, today)
    return StagedSource(index, typed, match, tuple(columns), generated)


TEXTUAL = (Kind.ID, Kind.TEXT)
# Characters every totals label contains one of; rows without them skip the full check.
_TOTALS_HINT = r"计|(?i:tot|sum)|(?:^|\x01)\s*(?:\x01|$)"


def _skip_sql(match: HeaderMatch, raw_of: dict[str, str]) -> str:
    """SQL naming a row ``blank`` (every mapped cell empty) or ``totals``, else NULL.

    A totals row has a totals label (合计, Total, …) in an id or text column and either an
    empty key column or the label in a key column. Ordinary rows — every key present, no
    totals character in them — leave at the first test, so the full check runs on few rows.
    """
    table = match.table
    keys = [raw_of[c] for c in table.required if c in raw_of]
    blank = " AND ".join(nz.is_blank(r) for r in raw_of.values()) or "TRUE"
    labels = (
        " OR ".join(
            nz.is_totals_label(raw_of[c.name])
            for c in table.columns
            if c.name in raw_of and c.kind in TEXTUAL
        )
        or "FALSE"
    )
    key_blank = " OR ".join(nz.is_blank(k) for k in keys) or "FALSE"
    key_label = " OR ".join(nz.is_totals_label(k) for k in keys) or "FALSE"
    # One regex over the keys joined by \x01: a totals character, or a whitespace-only key.
    ordinary = "FALSE"
    if keys:
        joined = f"concat_ws(chr(1), {', '.join(keys)})"
        ordinary = (
            " AND ".join(f"{k} IS NOT NULL" for k in keys)
            + f" AND NOT regexp_matches({joined}, {nz.sql_literal(_TOTALS_HINT)})"
        )
    return (
        f"CASE WHEN {ordinary} THEN NULL WHEN {blank} THEN 'blank' "
        f"WHEN ({labels}) AND ({key_blank} OR {key_label}) THEN 'totals' END"
    )


def _number_lines(con: duckdb.DuckDBPyConnection, typed: str) -> None:
    """Invoices without line_id: number each invoice's rows 1, 2, … in file order.

    Most exports have one row per invoice, where every line is 1 and no window is needed.
    """
    (repeated,) = con.execute(
        f"SELECT count(invoice_id) - count(DISTINCT invoice_id) FROM {typed}"
    ).fetchone() or (0,)
    if not repeated:
        con.execute(f"UPDATE {typed} SET line_id = '1'")
        return
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {typed} AS SELECT * REPLACE ("
        "CAST(row_number() OVER (PARTITION BY invoice_id ORDER BY _rid) AS VARCHAR) "
        f"AS line_id) FROM {typed}"
    )


def _invoice_extras(select: list[str], match: HeaderMatch) -> list[str]:
    """Invoices: a line_id column when absent, and the currency a sign in the amount implies."""
    added: list[str] = []
    if "line_id" not in match.columns:
        select.append("CAST(NULL AS VARCHAR) AS line_id")
        added.append("line_id")
    amount = f"c{match.columns['amount']}" if "amount" in match.columns else None
    if "currency" in match.columns:
        raw = f"c{match.columns['currency']}"
        sign = f", {nz.money_currency(amount)}" if amount else ""
        select.append(
            f"COALESCE({nz.money_currency(raw)}, upper({nz.clean_id(raw)}){sign}) AS _currency"
        )
    elif amount:
        select.append(f"{nz.money_currency(amount)} AS _currency")
    else:
        select.append("CAST(NULL AS VARCHAR) AS _currency")
    return added


def _row_rejects(
    con: duckdb.DuckDBPyConnection,
    index: int,
    typed: str,
    match: HeaderMatch,
    settings: ImportSettings,
    today: date,
) -> None:
    """Add every row-level problem of source ``index`` to ``rejects`` in one scan.

    Per column: a required value missing; a non-blank value its kind cannot read; a date
    outside the plausible range. Rows with no problem are filtered out before any list is built.
    """
    con.execute(REJECTS_DDL)
    earliest = settings.earliest_date
    latest = date(today.year + settings.latest_years_ahead, today.month, min(today.day, 28))
    problems: list[tuple[str, str, str, str, str]] = []  # condition, column, raw, reason, detail
    for col in match.table.columns:
        if col.name not in match.columns:
            continue
        raw = f"c{match.columns[col.name]}"
        cell = f'"{col.name}"'
        textual = col.kind in TEXTUAL
        shown = "NULL" if textual else raw
        if col.required:
            problems.append(
                (
                    f"{cell} IS NULL" if textual else nz.is_blank(raw),
                    col.name,
                    shown,
                    "missing",
                    "a required value is empty",
                )
            )
        if not textual:
            problems.append(
                (
                    f"{cell} IS NULL AND NOT {nz.is_blank(raw)}",
                    col.name,
                    raw,
                    "unreadable",
                    unreadable_detail(col),
                )
            )
        if col.kind in (Kind.DATE, Kind.MONTH):
            problems.append(
                (
                    f"{cell} NOT BETWEEN DATE '{earliest.isoformat()}' "
                    f"AND DATE '{latest.isoformat()}'",
                    col.name,
                    raw,
                    "implausible_date",
                    f"outside the plausible range {earliest.isoformat()} to {latest.isoformat()}",
                )
            )
    if not problems:
        return
    cases = ", ".join(
        f"CASE WHEN {cond} THEN {{'col': {nz.sql_literal(name)}, 'value': {value}, "
        f"'reason': {nz.sql_literal(reason)}, 'detail': {nz.sql_literal(detail)}}} END"
        for cond, name, value, reason, detail in problems
    )
    any_problem = " OR ".join(f"coalesce({cond}, FALSE)" for cond, *_ in problems)
    con.execute(
        f"""INSERT INTO rejects
            SELECT {index}, _rid, p.col, p.value, p.reason, p.detail FROM (
                SELECT _rid, unnest(list_filter([{cases}], x -> x IS NOT NULL)) AS p
                FROM {typed} WHERE _skip IS NULL AND ({any_problem}))"""
    )
