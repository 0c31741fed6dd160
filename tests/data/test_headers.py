"""Header matching, table inference and header-row detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyaccount.data.headers import (
    MappingFileError,
    find_header_row,
    header_key,
    infer_table,
    load_mapping,
    match_headers,
)
from keyaccount.data.schema import TABLES


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("金额(万元)", "金额"),
        ("金额（万元）", "金额"),
        ("销售额/万元", "销售额"),
        ("Customer_ID", "customerid"),
        ("Invoice No.", "invoiceno"),
        ("客户 编号", "客户编号"),
        ("*客户编号", "客户编号"),
        ("ＡＭＯＵＮＴ", "amount"),
    ],
)
def test_header_key(header: str, key: str) -> None:
    assert header_key(header) == key


def test_aliases_map_chinese_headers() -> None:
    headers = ["发票号", "客户编号", "开票日期", "含税金额", "不含税金额", "备注"]
    match = match_headers(headers, TABLES["invoices"])
    assert match.columns == {"invoice_id": 0, "customer_id": 1, "date": 2, "amount": 4}
    assert match.ignored == ("含税金额", "备注")  # net of tax wins; the gross column is unused


def test_score_columns_are_kept_for_customers() -> None:
    match = match_headers(["customer_id", "score_strategic", "score_bad name"], TABLES["customers"])
    assert match.score_columns == {"score_strategic": 1}
    assert match.ignored == ("score_bad name",)


@pytest.mark.parametrize(
    ("headers", "name", "table"),
    [
        (["客户编号", "客户名称"], "export.csv", "customers"),
        (["发票号", "客户编号", "日期", "金额"], "data.csv", "invoices"),
        (["客户编号", "日期", "评分"], "满意度调查.xlsx#Sheet1", "surveys"),
        (["客户编号", "日期"], "拜访记录.csv", "interactions"),
        (["customer_id", "year", "category_spend"], "x.csv", "wallet"),
    ],
)
def test_infer_table(headers: list[str], name: str, table: str) -> None:
    found = infer_table(headers, name)
    assert found is not None and found.name == table


def test_infer_table_none_when_no_table_fits() -> None:
    assert infer_table(["foo", "bar"], "x.csv") is None


def test_header_row_below_a_title() -> None:
    rows = [["2024年销售明细"], [], ["发票号", "客户编号", "开票日期", "金额"], ["I1", "C1"]]
    assert find_header_row(rows, None) == 2


def test_mapping_file_rejects_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[invoices]\n"X" = "nope"\n', encoding="utf-8")
    with pytest.raises(MappingFileError, match="no such column"):
        load_mapping(path)
    path.write_text('[invoicez]\n"X" = "amount"\n', encoding="utf-8")
    with pytest.raises(MappingFileError, match="unknown table"):
        load_mapping(path)
