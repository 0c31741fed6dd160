"""``--budget`` on ``keyaccount audit`` and ``keyaccount report`` (docs/metrics.md §10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import hand_company
from keyaccount.cli import app

runner = CliRunner()

CUSTOMERS = [
    ["customer_id", "name", "industry"],
    ["A1", "Axle", "Auto"],
    ["A2", "Brake", "Auto"],
    ["E1", "Diode", "Electronics"],
    ["E2", "Emitter", "Electronics"],
]
INVOICES = [
    ["invoice_id", "customer_id", "date", "amount"],
    ["1", "A1", "2023-06-01", "100"],
    ["2", "A1", "2024-06-01", "150"],
    ["3", "A2", "2024-03-01", "80"],
    ["4", "E1", "2023-05-01", "200"],
    ["5", "E1", "2024-05-01", "100"],
    ["6", "E2", "2024-12-31", "60"],
]
INDUSTRIES = [
    [
        "industry",
        "market_size",
        "market_growth",
        "investment_events",
        "investment_amount",
        "top20_share",
        "fit_score",
    ],
    ["Auto", "300", "30%", "40", "90", "45%", "9"],
    ["Electronics", "500", "5%", "10", "20", "10%", "3"],
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace holding a two-industry company with market data."""
    hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES, industries=INDUSTRIES)
    return tmp_path / "ws"


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _budgets(data: dict) -> dict[str, float]:
    return {r["industry"]: r["budget"] for r in data["industries"]["scores"] if r["budget"]}


def test_audit_budget_splits_it_across_the_industries(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    code, text = _run(
        "audit", "--budget", "1000000.01", "--json", str(out), "--workspace", str(workspace)
    )
    assert code == 0, text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["industries"]["budget"] == 1000000.01
    budgets = _budgets(data)
    assert set(budgets) == {"Auto", "Electronics"}
    assert round(sum(budgets.values()) * 100) == 100000001  # to the cent
    assert "industries.budget" in {f["code"] for f in data["industries"]["findings"]}
    # Without the flag, no amounts: only each industry's share of a budget.
    code, text = _run("audit", "--json", str(out), "--workspace", str(workspace))
    assert code == 0, text
    plain = json.loads(out.read_text(encoding="utf-8"))
    assert plain["industries"]["budget"] is None and not _budgets(plain)
    shares = [r["budget_share"] for r in plain["industries"]["scores"] if r["budget_share"]]
    assert sum(shares) == pytest.approx(1.0)


def test_report_budget_reaches_the_report_and_its_twin(workspace: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    code, text = _run(
        "report",
        "--budget",
        "50000000",
        "--lang",
        "en",
        "--out",
        str(html),
        "--workspace",
        str(workspace),
    )
    assert code == 0, text
    twin = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    section = next(s for s in twin["sections"] if s["key"] == "industries")
    figure = next(f for f in section["figures"] if f["path"] == "industries.budget")
    assert figure["value"] == 50000000
    assert "industry_budget" in section["charts"]
    assert "Budget split of 50.0 m by traffic light" in html.read_text(encoding="utf-8")


def test_budget_errors_are_plain(workspace: Path, tmp_path: Path) -> None:
    code, text = _run("audit", "--budget", "-5", "--workspace", str(workspace))
    assert code == 1 and "industries.budget" in text
    saved = tmp_path / "saved.json"
    saved.write_text("{}", encoding="utf-8")
    code, text = _run("report", "--from", str(saved), "--budget", "5")
    assert code == 1 and "--budget" in text
