"""Match the headers of an export to the canonical columns of a table.

A header matches a column when, once normalised (:func:`header_key`), it equals the column's
name, one of its aliases (``schema.py``), or an entry of the user's mapping file. The first
match in a column's alias order wins when two headers claim one column (so ``不含税金额``
beats ``含税金额`` for ``amount``); the loser is reported as ignored.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from keyaccount.data.schema import MANUAL_SCORE_PREFIX, TABLES, Table

# A trailing unit in brackets or after a slash: 金额(万元), 金额（元）, 销售额/万元, Amount (CNY).
_UNIT_SUFFIX = re.compile(r"[\(（\[【][^\)）\]】]*[\)）\]】]$|/[^/]*$")
_SEPARATORS = re.compile(r"[\s_\-\.·:：*＊]+")
_SCORE_COLUMN = re.compile(r"^score_[a-z0-9_]{1,40}$")


class MappingFileError(ValueError):
    """A mapping file that cannot be read or names an unknown column."""


class HeaderError(ValueError):
    """Required columns are missing; the message lists the headers found and near aliases."""


def header_key(header: str) -> str:
    """The comparable form of a header: NFKC-folded, lower-case, no unit, no separators."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    stripped = _UNIT_SUFFIX.sub("", text).strip()
    return _SEPARATORS.sub("", stripped or text)


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of one source map onto a table.

    ``columns`` maps a canonical column to the index of the header that feeds it;
    ``raw_headers`` keeps the header text (its unit suffix decides a money multiplier).
    """

    table: Table
    columns: dict[str, int]
    raw_headers: tuple[str, ...]
    ignored: tuple[str, ...]
    score_columns: dict[str, int]

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required columns of the table that no header feeds."""
        return tuple(c for c in self.table.required if c not in self.columns)


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    """Read a mapping file: ``[table]`` sections of ``"header" = "column"``.

    A ``[columns]`` section applies to every table. Unknown tables or columns are errors.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingFileError(f"{path}: {exc}") from None
    mapping: dict[str, dict[str, str]] = {}
    for section, entries in data.items():
        if not isinstance(entries, dict):
            raise MappingFileError(f"{path}: [{section}] must be a table of header = column")
        if section != "columns" and section not in TABLES:
            raise MappingFileError(
                f"{path}: unknown table [{section}]; known: columns, {', '.join(TABLES)}"
            )
        for header, column in entries.items():
            known = (
                {c for t in TABLES.values() for c in t.column_names}
                if section == "columns"
                else set(TABLES[section].column_names)
            )
            if column not in known and not _SCORE_COLUMN.match(str(column)):
                raise MappingFileError(
                    f"{path}: [{section}] {header!r} = {column!r}: no such column"
                )
            mapping.setdefault(section, {})[header_key(header)] = str(column)
    return mapping


def match_headers(
    headers: Sequence[str | None],
    table: Table,
    mapping: Mapping[str, Mapping[str, str]] | None = None,
) -> HeaderMatch:
    """Map ``headers`` (in file order) onto ``table``'s columns."""
    explicit = {**(mapping or {}).get("columns", {}), **(mapping or {}).get(table.name, {})}
    keys = [header_key(h) if h is not None else "" for h in headers]
    columns: dict[str, int] = {}
    scores: dict[str, int] = {}
    # Explicit mapping first, then canonical names, then aliases in their preference order.
    for idx, key in enumerate(keys):
        target = explicit.get(key)
        if target and target not in columns:
            columns[target] = idx
    for col in table.columns:
        if col.name in columns:
            continue
        candidates = [header_key(col.name), *(header_key(a) for a in col.aliases)]
        for cand in candidates:
            hits = [i for i, k in enumerate(keys) if k == cand and i not in columns.values()]
            if hits:
                columns[col.name] = hits[0]
                break
    if table.name == "customers":
        for idx, header in enumerate(headers):
            name = str(header or "").strip().lower()
            if idx not in columns.values() and _SCORE_COLUMN.match(name):
                scores[name] = idx
    used = set(columns.values()) | set(scores.values())
    ignored = tuple(str(h) for i, h in enumerate(headers) if i not in used and h not in (None, ""))
    return HeaderMatch(table, columns, tuple(str(h or "") for h in headers), ignored, scores)


def _fit(
    headers: Sequence[str | None], table: Table, mapping: Mapping[str, Mapping[str, str]] | None
) -> tuple[int, int]:
    """(required columns matched, all columns matched) of ``headers`` against ``table``."""
    found = match_headers(headers, table, mapping)
    required = sum(1 for c in table.required if c in found.columns)
    return required, len(found.columns)


def infer_table(
    headers: Sequence[str | None],
    source_name: str,
    mapping: Mapping[str, Mapping[str, str]] | None = None,
) -> Table | None:
    """The table a source most likely holds, from its file or sheet name, else its headers.

    A name match counts only when the headers carry that table's required columns; otherwise
    the table whose required columns are all present and which matches most headers wins.
    """
    stem = header_key(Path(source_name.split("#")[0]).stem)
    sheet = header_key(source_name.split("#")[1]) if "#" in source_name else ""
    complete = [t for t in TABLES.values() if _fit(headers, t, mapping)[0] == len(t.required)]
    for t in complete:
        names = {header_key(a) for a in (t.name, *t.file_aliases)}
        if stem in names or sheet in names:
            return t
    if not complete:
        return None
    return max(complete, key=lambda t: (_fit(headers, t, mapping)[1], -len(t.required)))


def find_header_row(
    rows: Sequence[Sequence[str | None]],
    table: Table | None,
    mapping: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """Index of the header row among the first ``rows`` (a title line may precede it).

    The header is the first row that matches the most canonical columns (of ``table``, or of
    any table when it is not known); 0 when nothing matches.
    """
    tables = [table] if table is not None else list(TABLES.values())
    best, best_score = 0, 0
    for idx, row in enumerate(rows):
        score = max(_fit(row, t, mapping)[1] for t in tables)
        if score > best_score:
            best, best_score = idx, score
    return best


def missing_columns_message(source: str, match: HeaderMatch) -> str:
    """Explain which required columns are missing, the headers found and the nearest aliases."""
    parts = [
        f"{source}: table {match.table.name} needs column(s) "
        f"{', '.join(match.missing_required)}, which no header matches."
    ]
    found = [h for h in match.raw_headers if h]
    parts.append(f"Headers found: {', '.join(found) if found else '(none)'}.")
    for name in match.missing_required:
        col = match.table.column(name)
        aliases = [col.name, *col.aliases]
        near = difflib.get_close_matches(name, found, n=3, cutoff=0.3)
        for header in found:
            near += (
                [header]
                if difflib.get_close_matches(
                    header_key(header), [header_key(a) for a in aliases], n=1, cutoff=0.6
                )
                and header not in near
                else []
            )
        hint = f" (closest headers: {', '.join(near)})" if near else ""
        parts.append(f"{name} accepts: {', '.join(aliases[:8])}{hint}.")
    parts.append(
        "Rename the header, or map it in a mapping file: "
        f'[{match.table.name}] "<your header>" = "<column>" (see docs/import.md).'
    )
    return " ".join(parts)


def is_score_column(name: str) -> bool:
    """Whether ``name`` is a manual key-account dimension score column (score_<dimension>)."""
    return name.startswith(MANUAL_SCORE_PREFIX) and bool(_SCORE_COLUMN.match(name))
