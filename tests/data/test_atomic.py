"""A killed import leaves the workspace exactly as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from helpers import CUSTOMER_ROWS, fingerprint, write_csv
from keyaccount.data.importer import import_sources
from keyaccount.workspace import Workspace

LINES = 600_000


def _big_invoices(path: Path) -> Path:
    with duckdb.connect() as con:
        con.execute(
            f"""COPY (SELECT 'K' || i AS "发票号", 'C00' || (1 + i % 3) AS "客户编号",
                       strftime(DATE '2022-01-01' + (i % 900)::INTEGER, '%Y/%-m/%-d') AS "开票日期",
                       (i % 1000) || '.5' AS "金额", '传感器' AS "产品线"
                FROM range({LINES}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""
        )
    return path


@pytest.mark.slow
def test_killed_import_leaves_workspace_as_before(ws: Workspace, tmp_path: Path) -> None:
    import_sources(ws, [str(write_csv(tmp_path / "customers.csv", CUSTOMER_ROWS))])
    small = write_csv(tmp_path / "first_invoices.csv",
                      [["发票号", "客户编号", "开票日期", "金额"], ["A1", "C001", "2024-01-01", "5"]])
    import_sources(ws, [str(small)])
    before = fingerprint(ws)
    big = _big_invoices(tmp_path / "invoices.csv")
    command = [sys.executable, "-m", "keyaccount.cli", "import", str(big),
               "--workspace", str(ws.root)]

    # Time a full run once (in a copy), then kill fresh runs at spread points inside it.
    clone = Workspace(tmp_path / "clone")
    clone.root.mkdir()
    for name in (ws.db_path.name, ws.settings_path.name):
        (clone.root / name).write_bytes((ws.root / name).read_bytes())
    started = time.perf_counter()
    subprocess.run([*command[:-1], str(clone.root)], check=True, capture_output=True)
    full = time.perf_counter() - started
    assert fingerprint(clone)["invoices"][0] == 1 + LINES  # the import does change things

    killed_mid_run = 0
    for fraction in (0.2, 0.4, 0.6, 0.8, 0.95):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * fraction)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_run += 1
        proc.wait()
        if proc.returncode == 0:
            break  # it finished first: the workspace legitimately changed
        assert fingerprint(ws) == before, f"killed at {fraction:.0%} of the run"
    assert killed_mid_run >= 3
    # And the workspace still takes an import afterwards.
    report = import_sources(ws, [str(big)])
    assert report.sources[0].loaded == LINES
