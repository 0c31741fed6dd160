"""Workspace discovery and creation, settings, and generated reference pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyaccount.config import SettingsError, load_settings
from keyaccount.docs import GENERATED
from keyaccount.workspace import SETTINGS_FILE, Workspace, WorkspaceError

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_init_creates_database_and_commented_settings(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "新公司")
    assert ws.db_path.exists()
    text = ws.settings_path.read_text(encoding="utf-8")
    assert "# max_reject_share = 0.01" in text
    assert ws.settings() == load_settings(None)  # the commented file means the defaults


def test_init_twice_keeps_data_and_settings(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path)
    ws.settings_path.write_text('currency = "USD"\n', encoding="utf-8")
    Workspace.init(tmp_path)
    assert ws.settings().currency == "USD"


def test_find_walks_up_like_git(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "co")
    deep = ws.root / "exports" / "2024"
    deep.mkdir(parents=True)
    assert Workspace.find(deep) == ws


def test_find_without_a_workspace_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="keyaccount init"):
        Workspace.find(tmp_path)
    with pytest.raises(WorkspaceError, match=f"no {SETTINGS_FILE}"):
        Workspace.find(explicit=tmp_path)


def test_settings_file_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / SETTINGS_FILE
    path.write_text('[import]\nmax_reject_share = 0.05\namount_unit = "wan"\n', encoding="utf-8")
    settings = load_settings(path, {"import": {"amount_unit": "yi"}})
    assert settings.import_.max_reject_share == 0.05
    assert settings.import_.amount_unit == "yi"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[import]\nmax_reject_share = 2\n", "import.max_reject_share"),
        ("[import]\nnot_a_key = 1\n", "import.not_a_key"),
        ("currency = \n", "keyaccount.toml"),
        ('[audit]\nmemory_limit = "2GB; SET threads = 1"\n', "audit.memory_limit"),
        ('[import]\nmemory_limit = "lots"\n', "import.memory_limit"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / SETTINGS_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(path)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_reference_pages_are_current(name: str) -> None:
    expected = GENERATED[name]().rstrip("\n") + "\n"
    assert (DOCS / name).read_text(encoding="utf-8") == expected, (
        f"docs/{name} is out of date: run `make docs`"
    )
