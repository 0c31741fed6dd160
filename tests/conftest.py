"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyaccount.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty workspace."""
    return Workspace.init(tmp_path / "ws")
