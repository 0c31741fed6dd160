"""The two file formats: CSV written in chunks and a minimal deterministic xlsx."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keyaccount.data.demo.text import int_text, null_where


class CsvFile:
    """A CSV file written in chunks: header, rows, blank ``,,,`` lines and raw rows."""

    def __init__(self, path: Path, headers: Sequence[str], encoding: str) -> None:
        self.path, self.width, self.encoding = path, len(headers), encoding
        self.rows = 0
        self._fh = path.open("wb")
        if encoding == "utf-8-sig":
            self._fh.write(b"\xef\xbb\xbf")
            self.encoding = "utf-8"
        self._write(",".join(headers) + "\n")

    def _write(self, text: str) -> None:
        self._fh.write(text.encode(self.encoding))

    def write(self, columns: Sequence[Any]) -> None:
        """Write rows given column by column (pyarrow string arrays, nulls empty).

        A value holding a comma or a quote is quoted.
        """
        cells = []
        for col in columns:
            col = pc.cast(col, pa.string())
            needs = pc.fill_null(
                pc.or_(pc.match_substring(col, ","), pc.match_substring(col, '"')), False
            )
            if pc.any(needs).as_py():
                quoted = pc.binary_join_element_wise(
                    '"', pc.replace_substring(col, '"', '""'), '"', ""
                )
                col = pc.if_else(needs, quoted, col)
            cells.append(pc.fill_null(col, ""))
        if not len(cells[0]):
            return
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\n", "")
        # The string data of the array is the file's bytes: write it without Python strings.
        offsets = np.frombuffer(
            lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
        )
        data = memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]
        if self.encoding == "utf-8":
            self._fh.write(data)
        else:
            self._write(bytes(data).decode("utf-8"))
        self.rows += len(lines)

    def blank(self) -> None:
        """A fully blank row, as spreadsheets export them."""
        self._write("," * (self.width - 1) + "\n")

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


XL_TEXT, XL_NUMBER, XL_DATE, XL_MONTH, XL_BOOL = range(5)
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XL_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XL_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XL_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XL_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XL_STATIC = {
    "[Content_Types].xml": (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_XL_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XL_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_XL_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_XL_PACKAGE_REL}"><Relationship Id="rId1" '
        f'Type="{_XL_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_XL_PACKAGE_REL}">'
        f'<Relationship Id="rId1" Type="{_XL_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_XL_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'{_XML_HEAD}<styleSheet xmlns="{_XL_MAIN}"><numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="yyyy/m/d"/>'
        '<numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
_EXCEL_EPOCH_OFFSET = 25569  # Excel serial of 1970-01-01


def _xml_escape(text: Any) -> Any:
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _xl_cells(kind: int, values: Any, ref: Any) -> Any:
    """Cell XML for one column (null where the value is empty)."""
    if kind == XL_TEXT:
        text = _xml_escape(pc.cast(values, pa.string()))
        return pc.binary_join_element_wise(
            '<c r="', ref, '" t="inlineStr"><is><t>', text, "</t></is></c>", ""
        )
    arr = np.asarray(values)
    if kind == XL_NUMBER:
        text = null_where(
            pc.cast(pa.array(np.nan_to_num(arr.astype(float))), pa.string()),
            np.isnan(arr.astype(float)),
        )
        return pc.binary_join_element_wise('<c r="', ref, '"><v>', text, "</v></c>", "")
    if kind == XL_BOOL:
        text = null_where(int_text(np.maximum(arr, 0)), arr < 0)
        return pc.binary_join_element_wise('<c r="', ref, '" t="b"><v>', text, "</v></c>", "")
    style = "1" if kind == XL_DATE else "2"
    text = null_where(int_text(arr.astype(np.int64) + _EXCEL_EPOCH_OFFSET), arr < 0)
    return pc.binary_join_element_wise('<c r="', ref, f'" s="{style}"><v>', text, "</v></c>", "")


def write_xlsx(
    path: Path,
    sheet: str,
    headers: Sequence[str],
    columns: Sequence[Sequence[tuple[int, Any]]],
    title: str | None = None,
) -> None:
    """Write one sheet: optional title row, header row, then the columns.

    Each column is a list of (kind, values) alternatives; a cell takes the first non-empty one
    (so one column can mix text and date cells). The package has fixed timestamps, so the
    same data gives the same bytes.
    """
    letters = [chr(ord("A") + i) for i in range(len(headers))]
    first = 2 if title else 1
    n = len(columns[0][0][1]) if columns else 0
    rows = np.arange(first + 1, first + 1 + n)
    row_text = int_text(rows)
    cells = []
    for letter, alternatives in zip(letters, columns, strict=True):
        ref = pc.binary_join_element_wise(letter, row_text, "")
        parts = [_xl_cells(kind, values, ref) for kind, values in alternatives]
        cells.append(pc.coalesce(*parts) if len(parts) > 1 else parts[0])
    body = pc.binary_join_element_wise(
        '<row r="', row_text, '">', *cells, "</row>", "", null_handling="skip"
    )
    head_rows = []
    if title:
        head_rows.append(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{title}</t></is></c></row>')
    head_cells = "".join(
        f'<c r="{letter}{first}" t="inlineStr"><is><t>{h}</t></is></c>'
        for letter, h in zip(letters, headers, strict=True)
    )
    head_rows.append(f'<row r="{first}">{head_cells}</row>')
    last = first + n
    xml = (
        f'{_XML_HEAD}<worksheet xmlns="{_XL_MAIN}"><dimension ref="A1:{letters[-1]}{last}"/>'
        f"<sheetData>{''.join(head_rows)}{''.join(body.to_pylist())}</sheetData></worksheet>"
    )
    workbook = (
        f'{_XML_HEAD}<workbook xmlns="{_XL_MAIN}" xmlns:r="{_XL_REL}"><sheets>'
        f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    package = {**_XL_STATIC, "xl/workbook.xml": workbook, "xl/worksheets/sheet1.xml": xml}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(package):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, package[name].encode("utf-8"))
