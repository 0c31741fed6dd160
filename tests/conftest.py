"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import Contexts, contexts
from keyaccount.audit import run_audit
from keyaccount.data.demo import DemoFiles, generate
from keyaccount.data.importer import ImportReport, import_sources
from keyaccount.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty workspace."""
    return Workspace.init(tmp_path / "ws")


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The default demo company's export files (seed 7, 500 customers), written once."""
    return generate(tmp_path_factory.mktemp("demo") / "exports")


@pytest.fixture(scope="session")
def demo_import(
    demo_files: DemoFiles, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, ImportReport]:
    """A workspace holding the demo company, imported through the user's import path."""
    ws = Workspace.init(tmp_path_factory.mktemp("demo_ws"))
    report = import_sources(ws, [str(p) for p in demo_files.files])
    return ws, report


@pytest.fixture(scope="session")
def demo_context(demo_import: tuple[Workspace, ImportReport]) -> Contexts:
    """Contexts over the demo workspace (one backend), with the settings given by section.

    ``demo_context()`` has the defaults; ``demo_context(audit={"rollup": False})`` overrides.
    """
    ws, _ = demo_import
    return contexts(ws)


@pytest.fixture(scope="session")
def demo_audit(demo_context: Contexts) -> dict[str, Any]:
    """The whole audit of the demo company as JSON-ready data (``AuditRun.to_json()``)."""
    return run_audit(demo_context()).to_json()
