"""Read a source (CSV, Excel sheet, Parquet file, database table) into a raw staging table.

Every reader ends the same way: a temporary DuckDB table whose columns are ``c0 … cN``
(VARCHAR, in the source's column order, header row excluded) and whose ``rowid`` follows the
source's row order, plus a :class:`RawSource` that says what the headers were and how a
``rowid`` turns into the row number a person sees (the line of the CSV file, the row of the
sheet). Nothing is loaded into pandas: CSV goes through DuckDB's reader, the others stream
Arrow batches. The names of the staging tables and columns are ours, so no text from the
source ever becomes SQL.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from keyaccount.data.headers import find_header_row
from keyaccount.data.schema import Table

CHUNK = 1 << 24  # 16 MiB
HEADER_SCAN_ROWS = 30
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
_URL = re.compile(r"^(duckdb|postgres|postgresql|mysql|sqlite)://", re.IGNORECASE)

Mapping = dict[str, dict[str, str]]


class ReadError(ValueError):
    """A source that cannot be read at all; the message names the file and the cause."""


@dataclass(frozen=True)
class SourceRef:
    """One thing to import: a file (with a sheet for workbooks) or a database table URL."""

    location: str
    label: str
    sheet: str | None = None

    @property
    def path(self) -> Path:
        """The file path (for file sources)."""
        return Path(self.location)

    @property
    def is_url(self) -> bool:
        """Whether this is a database table given as ``scheme://…#table``."""
        return bool(_URL.match(self.location))


@dataclass(frozen=True)
class RawSource:
    """A source staged as ``table_name`` (columns c0…cN VARCHAR, rows in source order).

    Row numbers: ``first_row + rowid`` when ``row_map`` is None, else ``row_map[rowid]``.
    """

    ref: SourceRef
    table_name: str
    headers: tuple[str | None, ...]
    rows: int
    first_row: int
    row_map: tuple[int, ...] | None = None
    encoding: str = ""

    def row_number(self, rowid: int) -> int:
        """The row a person sees in the source for staging ``rowid``."""
        return self.row_map[rowid] if self.row_map is not None else self.first_row + rowid


def expand_sources(
    locations: Sequence[str], sheet: str | None = None, label: str | None = None
) -> list[SourceRef]:
    """Turn command-line paths into sources; a workbook yields one source per sheet.

    ``sheet`` picks one sheet (all when None or ``*``); ``label`` overrides the source name
    (only with a single location).
    """
    refs: list[SourceRef] = []
    for loc in locations:
        if _URL.match(loc):
            if "#" not in loc:
                raise ReadError(f"{loc}: name the table after '#', e.g. duckdb:///erp.db#invoices")
            refs.append(SourceRef(loc, label or _redact(loc)))
            continue
        path = Path(loc)
        if not path.exists():
            raise ReadError(f"{loc}: no such file")
        if path.is_dir():
            raise ReadError(f"{loc}: is a folder; name the files to import")
        suffix = path.suffix.lower()
        if suffix in EXCEL_SUFFIXES:
            names = _sheet_names(path)
            chosen = names if sheet in (None, "*") else [sheet]
            if sheet not in (None, "*") and sheet not in names:
                raise ReadError(f"{loc}: no sheet {sheet!r}; sheets: {', '.join(names)}")
            for name in chosen:
                base = label or path.name
                refs.append(SourceRef(str(path), f"{base}#{name}", name))
        elif suffix in CSV_SUFFIXES | PARQUET_SUFFIXES:
            refs.append(SourceRef(str(path), label or path.name))
        else:
            raise ReadError(
                f"{loc}: unsupported file type {suffix or '(none)'}; use CSV, Excel or Parquet"
            )
    return refs


def _redact(url: str) -> str:
    return re.sub(r"//[^/@]*@", "//", url)


def content_hash(ref: SourceRef) -> str:
    """SHA-256 of the source file's bytes (plus the sheet name for workbooks)."""
    if ref.is_url:
        return ""
    digest = hashlib.sha256()
    with ref.path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    if ref.sheet:
        digest.update(b"#" + ref.sheet.encode())
    return digest.hexdigest()


def read_source(
    con: duckdb.DuckDBPyConnection,
    ref: SourceRef,
    table_name: str,
    tmp_dir: Path,
    table: Table | None = None,
    mapping: Mapping | None = None,
) -> RawSource:
    """Stage ``ref`` as ``table_name`` in ``con`` and describe it (see :class:`RawSource`)."""
    if ref.is_url:
        return _read_database(con, ref, table_name)
    suffix = ref.path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(con, ref, table_name, table, mapping)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(con, ref, table_name)
    return _read_csv(con, ref, table_name, tmp_dir, table, mapping)


# --- CSV ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CsvFacts:
    encoding: str
    lines: int  # newline-terminated lines, trailing empty lines not counted


def detect_encoding(path: Path) -> _CsvFacts:
    """Detect a CSV's encoding from its bytes, not its name.

    UTF-16 by its BOM, else UTF-8 (BOM optional) when the whole file decodes strictly, else
    GB18030 (a superset of GBK and GB2312). Also counts lines, so the reader can tell
    whether DuckDB's record numbers are line numbers.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _CsvFacts("utf-16", _count_lines(path, "utf-16"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return _CsvFacts(
                "utf-8" if encoding == "utf-8" else "gb18030", _count_lines(path, encoding)
            )
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path.name}: the file is neither UTF-8 nor GBK/GB18030 text")


def _count_lines(path: Path, encoding: str) -> int:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    trailing_empty = 0
    last = ""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            text = decoder.decode(chunk)
            if not text:
                continue
            lines += text.count("\n")
            stripped = text.rstrip("\r\n")
            if stripped:
                trailing_empty = text[len(stripped) :].count("\n")
                last = stripped[-1]
            else:
                trailing_empty += text.count("\n")
        decoder.decode(b"", final=True)
    if last and trailing_empty == 0:
        lines += 1  # a last line without a newline
    return lines - max(trailing_empty - 1, 0)


def _utf8_copy(path: Path, encoding: str, tmp_dir: Path) -> Path:
    """Transcode to UTF-8 in chunks (DuckDB reads UTF-8 only without extensions)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    target = tmp_dir / f"{hashlib.sha1(str(path).encode()).hexdigest()}.utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            dst.write(
                decoder.decode(chunk).lstrip("\ufeff")
                if src.tell() <= CHUNK
                else decoder.decode(chunk)
            )
        dst.write(decoder.decode(b"", final=True))
    return target


def _head_lines(path: Path, encoding: str, limit: int = HEADER_SCAN_ROWS) -> list[str]:
    with path.open(encoding=encoding, newline="") as fh:
        text = fh.read(1 << 16)
    return text.lstrip("\ufeff").splitlines()[:limit]


def _sniff(lines: list[str], table: Table | None, mapping: Mapping | None) -> tuple[str, int]:
    """(delimiter, index of the header line) from the first lines of a CSV."""
    best: tuple[int, str, int] = (-1, ",", 0)
    for delim in (",", "\t", ";", "|"):
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        if not rows:
            continue
        idx = find_header_row(rows, table, mapping)
        width = len(rows[idx]) if idx < len(rows) else 0
        if width > best[0]:  # the widest header wins; comma on ties
            best = (width, delim, idx)
    return best[1], best[2]


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    ref: SourceRef,
    table_name: str,
    tmp_dir: Path,
    table: Table | None,
    mapping: Mapping | None,
) -> RawSource:
    facts = detect_encoding(ref.path)
    path = ref.path if facts.encoding == "utf-8" else _utf8_copy(ref.path, facts.encoding, tmp_dir)
    lines = _head_lines(path, "utf-8")
    if not lines:
        raise ReadError(f"{ref.label}: the file is empty")
    delim, header_idx = _sniff(lines, table, mapping)
    header_line = lines[header_idx]
    headers = next(csv.reader([header_line], delimiter=delim))
    width = max(len(headers), *(len(r) for r in csv.reader(lines, delimiter=delim)))
    try:
        # A TEMP table: staging must never reach the database file. Every argument is a bound
        # parameter, so the path and the sniffed delimiter never become SQL text.
        con.execute(
            f"""CREATE TEMP TABLE {table_name} AS SELECT * FROM read_csv(?, header = false,
                skip = ?, delim = ?, quote = '"', escape = '"', all_varchar = true,
                null_padding = true, auto_detect = false, columns = ?)""",
            [str(path), header_idx + 1, delim, {f"c{i}": "VARCHAR" for i in range(width)}],
        )
    except duckdb.Error as exc:
        raise ReadError(f"{ref.label}: cannot parse as CSV: {exc}") from None
    finally:
        if path != ref.path:
            path.unlink(missing_ok=True)
    (rows,) = _one(con, f"SELECT count(*) FROM {table_name}")
    first_row = header_idx + 2  # lines are 1-based and the header is one line
    row_map = None
    if facts.lines != header_idx + 1 + rows:
        # Empty lines (which DuckDB skips) or quoted line breaks: map records to lines exactly.
        row_map = _csv_line_numbers(ref.path, facts.encoding, delim, header_idx + 1)
        if len(row_map) != rows:
            raise ReadError(
                f"{ref.label}: cannot map records to lines "
                f"({rows} records, {len(row_map)} found by the line scan)"
            )
    padded = tuple(headers) + (None,) * (width - len(headers))
    return RawSource(ref, table_name, padded, rows, first_row, row_map, facts.encoding)


def _csv_line_numbers(path: Path, encoding: str, delim: str, skip: int) -> tuple[int, ...]:
    """The starting line of every non-empty record after ``skip`` lines (the slow, exact path)."""
    starts: list[int] = []
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        for _ in range(skip):
            fh.readline()
        reader = csv.reader(fh, delimiter=delim)
        previous = 0
        for record in reader:
            if record:
                starts.append(skip + previous + 1)
            previous = reader.line_num
    return tuple(starts)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


# --- Excel -------------------------------------------------------------------------------


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own error types
        raise ReadError(f"{path.name}: cannot open the workbook: {exc}") from None


def cell_text(value: object) -> str | None:
    """The text of a spreadsheet cell as the normalisers expect it.

    Integral floats lose their ``.0`` (Excel stores every number as a float, so a customer
    number 1001 arrives as 1001.0); dates become ISO text; empty cells become None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_excel(
    con: duckdb.DuckDBPyConnection,
    ref: SourceRef,
    table_name: str,
    table: Table | None,
    mapping: Mapping | None,
) -> RawSource:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(ref.path)).get_sheet_by_name(ref.sheet or "")
        cells = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise ReadError(f"{ref.label}: cannot read the sheet: {exc}") from None
    rows = [[cell_text(v) for v in row] for row in cells]
    if not rows:
        raise ReadError(f"{ref.label}: the sheet is empty")
    header_idx = find_header_row(rows[:HEADER_SCAN_ROWS], table, mapping)
    headers = rows[header_idx]
    body = rows[header_idx + 1 :]
    width = max(len(headers), *(len(r) for r in body)) if body else len(headers)
    arrays = [
        pa.array([r[i] if i < len(r) else None for r in body], type=pa.string())
        for i in range(width)
    ]
    _arrow_to_table(con, table_name, pa.table(arrays, names=[f"c{i}" for i in range(width)]))
    padded = tuple(headers) + (None,) * (width - len(headers))
    return RawSource(ref, table_name, padded, len(body), header_idx + 2)


# --- Arrow sources: Parquet and database tables -------------------------------------------


def _arrow_to_table(con: duckdb.DuckDBPyConnection, table_name: str, data: pa.Table) -> None:
    view = f"{table_name}_arrow"
    con.register(view, data)
    try:
        con.execute(f"CREATE TEMP TABLE {table_name} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)


def _as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            columns.append(column.cast(pa.string()))
        elif pa.types.is_floating(column.type):
            columns.append(pa.array([cell_text(v) for v in column.to_pylist()], pa.string()))
        else:
            columns.append(pc.cast(column, pa.string()))
    return pa.RecordBatch.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])


def _stream_batches(
    con: duckdb.DuckDBPyConnection,
    ref: SourceRef,
    table_name: str,
    names: Sequence[str],
    batches: Callable[[], Iterator[pa.RecordBatch]],
) -> RawSource:
    width = len(names)
    cols = ", ".join(f"c{i} VARCHAR" for i in range(width))
    con.execute(f"CREATE TEMP TABLE {table_name} ({cols})")
    view = f"{table_name}_batch"
    rows = 0
    for batch in batches():
        con.register(view, pa.Table.from_batches([_as_text(batch)]))
        try:
            con.execute(f"INSERT INTO {table_name} SELECT * FROM {view}")
        finally:
            con.unregister(view)
        rows += batch.num_rows
    return RawSource(ref, table_name, tuple(names), rows, 1)


def _read_parquet(con: duckdb.DuckDBPyConnection, ref: SourceRef, table_name: str) -> RawSource:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(ref.path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise ReadError(f"{ref.label}: cannot read as Parquet: {exc}") from None
    return _stream_batches(
        con,
        ref,
        table_name,
        handle.schema_arrow.names,
        lambda: handle.iter_batches(batch_size=200_000),
    )


def _read_database(con: duckdb.DuckDBPyConnection, ref: SourceRef, table_name: str) -> RawSource:
    import ibis

    url, _, name = ref.location.partition("#")
    try:
        backend = ibis.connect(url)
        *schema, tbl = name.split(".")
        source = backend.table(tbl, database=schema[0] if schema else None)
    except Exception as exc:  # any backend's connection or lookup error
        raise ReadError(f"{ref.label}: cannot open the table: {exc}") from None
    return _stream_batches(
        con,
        ref,
        table_name,
        list(source.columns),
        lambda: iter(source.to_pyarrow_batches(chunk_size=200_000)),
    )
