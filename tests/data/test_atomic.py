"""A killed import leaves the workspace exactly as it was."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from helpers import CUSTOMER_ROWS, fingerprint, write_csv
from keyaccount.data.importer import import_sources
from keyaccount.workspace import Workspace

LINES = 300_000


def _big_invoices(path: Path) -> Path:
    with duckdb.connect() as con:
        con.execute(
            f"""COPY (SELECT 'K' || i AS "发票号", 'C00' || (1 + i % 3) AS "客户编号",
                       strftime(DATE '2022-01-01' + (i % 900)::INTEGER, '%Y/%-m/%-d') AS "开票日期",
                       (i % 1000) || '.5' AS "金额", '传感器' AS "产品线"
                FROM range({LINES}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""
        )
    return path


def _kill_after(command: list[str], step: str, delay: float) -> int:
    """Run ``command``, SIGKILL it ``delay`` s after it prints ``step``; its return code."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(step):
            time.sleep(delay)
            proc.kill()
            break
    proc.wait()
    return proc.returncode


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "delay"), [("reading", 0.3), ("checking", 0.2), ("writing", 0.0), ("writing", 0.05)]
)
def test_killed_import_leaves_workspace_as_before(
    ws: Workspace, tmp_path: Path, step: str, delay: float
) -> None:
    import_sources(ws, [str(write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))])
    first = write_csv(
        tmp_path / "invoices.csv",
        [["发票号", "客户编号", "开票日期", "金额"], ["A1", "C001", "2024-01-01", "5"]],
    )
    import_sources(ws, [str(first)])
    before = fingerprint(ws)
    big = _big_invoices(tmp_path / "invoices.csv")  # a corrected invoices.csv: replaces A1
    command = [
        sys.executable,
        "-m",
        "keyaccount.cli",
        "import",
        str(big),
        "--workspace",
        str(ws.root),
    ]

    assert _kill_after(command, step, delay) == -9  # killed, not finished
    assert fingerprint(ws) == before
    report = import_sources(ws, [str(big)])  # the workspace still takes the import
    assert (report.sources[0].replaced, report.sources[0].loaded) == (1, LINES)
