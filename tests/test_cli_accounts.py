"""`keyaccount accounts`: accounts by key-account tier, as a user types it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import write_csv
from keyaccount.cli import app

runner = CliRunner()

CUSTOMERS = [
    ["customer_id", "name", "ownership", "is_strategic_partner", "is_lighthouse", "joint_rnd"],
    ["A", "甲集团", "国企", "是", "是", "是"],
    ["B", "乙公司", "民企", "否", "否", "否"],
    ["C", "丙公司", "民企", "否", "否", "否"],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount"],
    ["1", "A", "2024-06-01", "1000"],
    ["2", "B", "2024-06-01", "300"],
    ["3", "C", "2024-12-31", "100"],
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("accounts")
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    files = [
        str(write_csv(root / "customers.csv", CUSTOMERS)),
        str(write_csv(root / "invoices.csv", INVOICES)),
    ]
    result = runner.invoke(app, ["import", *files, "--workspace", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_lists_accounts_by_tier_with_scores(workspace: Path) -> None:
    result = runner.invoke(app, ["accounts", "--workspace", str(workspace)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = [
        line
        for line in result.output.splitlines()
        if line.strip().split(" ")[0] in ("strategic", "core", "developing", "general")
    ]
    assert [line.split()[1] for line in lines] == ["A", "B", "C"]  # best score first
    assert lines[0].split()[0] == "strategic"
    assert "–" in lines[0]  # channel is not scored: no is_channel column
    assert "3 of 3 accounts" in result.output


def test_a_narrow_terminal_keeps_ids_whole_and_points_to_the_files(workspace: Path) -> None:
    result = runner.invoke(app, ["accounts", "--workspace", str(workspace)], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith(" strategic")]
    assert rows and rows[0][:2] == ["strategic", "A"]
    assert "fin" not in result.output.split("accounts.")[0]
    assert "--csv or --json" in result.output


def test_tier_top_json_and_csv(workspace: Path, tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "a.json", tmp_path / "a.csv"
    args = ["accounts", "--workspace", str(workspace), "--tier", "general", "--top", "1"]
    result = runner.invoke(app, [*args, "--json", str(out_json), "--csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    assert [r["account_id"] for r in rows] == ["B"]
    assert rows[0]["tier"] == "general" and rows[0]["channel"] is None
    assert 0 <= rows[0]["score"] <= 100
    with out_csv.open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert [r["account_id"] for r in table] == ["B"]
    assert float(table[0]["score"]) == pytest.approx(rows[0]["score"])


def test_unknown_tier_is_a_clear_error(workspace: Path) -> None:
    result = runner.invoke(app, ["accounts", "--workspace", str(workspace), "--tier", "gold"])
    assert result.exit_code == 1
    assert "strategic, core, developing, general" in result.output
