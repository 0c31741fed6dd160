"""Readers: encoding detection, line counting, spreadsheet cells."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from keyaccount.data.readers import ReadError, cell_text, detect_encoding, expand_sources

TEXT = "客户编号,客户名称\nC1,苏州精工\nC2,上海华东\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_encoding_is_detected_from_bytes_not_name(
    tmp_path: Path, encoding: str, detected: str
) -> None:
    path = tmp_path / "utf8.csv"  # the name says nothing true
    path.write_bytes(TEXT.encode(encoding))
    facts = detect_encoding(path)
    assert (facts.encoding, facts.lines) == (detected, 3)


def test_gbk_late_in_a_large_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(("a,b\n" + "1,2\n" * 300_000).encode() + "3,合计\n".encode("gbk"))
    assert detect_encoding(path).encoding == "gb18030"


def test_binary_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\xff\xff\n")  # 0xFF is no lead byte in UTF-8 or GB18030
    with pytest.raises(ReadError, match=r"x\.csv: the file is neither UTF-8 nor GBK"):
        detect_encoding(path)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a\nb\n", 2), ("a\nb", 2), ("a\nb\n\n\n", 2), ("a\r\nb\r\n", 2), ("a\n\nb\n", 3)],
)
def test_line_count(tmp_path: Path, text: str, lines: int) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    assert detect_encoding(path).lines == lines


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        (1001.0, "1001"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (True, "true"),
        (date(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 14, 30), "2024-03-05 14:30:00"),
        ("客户", "客户"),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


def test_expand_sources_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"nope\.csv: no such file"):
        expand_sources([str(tmp_path / "nope.csv")])
    odd = tmp_path / "x.docx"
    odd.write_text("x")
    with pytest.raises(ReadError, match=r"unsupported file type \.docx"):
        expand_sources([str(odd)])
    with pytest.raises(ReadError, match="name the table"):
        expand_sources(["duckdb:///x.duckdb"])
