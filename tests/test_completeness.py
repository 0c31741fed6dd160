"""Completeness: every analysis has its known-answer tests, every setting its documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from keyaccount.analyses.registry import implemented
from keyaccount.config import Settings

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("spec", implemented(), ids=lambda s: s.key)
def test_every_implemented_analysis_has_a_test_module(spec) -> None:
    module = (spec.module or "").rsplit(".", 1)[-1]
    path = TESTS / "analyses" / f"test_{module}.py"
    assert path.exists(), f"{spec.key}: no {path.relative_to(TESTS.parent)}"
    assert "def test_" in path.read_text(encoding="utf-8")


def _fields(model: type[BaseModel], prefix: str = ""):
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _fields(annotation, f"{prefix}{info.alias or name}.")
        else:
            yield f"{prefix}{name}", info


@pytest.mark.parametrize(("name", "info"), list(_fields(Settings)), ids=lambda x: str(x)[:40])
def test_every_setting_is_described(name: str, info) -> None:
    assert info.description and len(info.description) > 15, f"{name} has no description"
