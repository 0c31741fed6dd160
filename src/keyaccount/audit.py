"""Run every analysis the data allows and collect the results (``keyaccount audit``).

An analysis runs when the tables it needs hold rows; the others are listed with the table
each lacks — never a crash, never a silent gap. ``to_json`` publishes every figure under the
name docs/metrics.md gives it (``concentration.top1_share``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from keyaccount import __version__
from keyaccount.analyses.base import Result, plain
from keyaccount.analyses.context import AuditContext
from keyaccount.analyses.registry import AnalysisSpec, implemented

Progress = Callable[[AnalysisSpec], None]


@dataclass(frozen=True)
class AuditRun:
    """Results by analysis key, what was skipped and why, and how long each step took."""

    as_of: date
    engine: str
    rollup: bool
    window_months: int
    results: dict[str, Result]
    skipped: dict[str, tuple[str, ...]]
    seconds: dict[str, float] = field(default_factory=dict)
    currency: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The audit as JSON-ready data: meta, one object per analysis, and the skipped ones."""
        out: dict[str, Any] = {
            "meta": {
                "keyaccount": __version__,
                "as_of": self.as_of.isoformat(),
                "engine": self.engine,
                "rollup": self.rollup,
                "window_months": self.window_months,
                "currency": self.currency,
            },
        }
        for key, result in self.results.items():
            figures = result.figures()
            figures["findings"] = [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "values": {k: plain(v) for k, v in f.values.items()},
                    "subjects": list(f.subjects),
                }
                for f in result.findings
            ]
            out[key] = figures
        out["skipped"] = {k: {"missing_tables": list(v)} for k, v in self.skipped.items()}
        return out


def run_audit(
    ctx: AuditContext,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    """Run the implemented analyses (or ``only`` those) whose tables are present."""
    results: dict[str, Result] = {}
    skipped: dict[str, tuple[str, ...]] = {}
    seconds: dict[str, float] = {}
    present = list(ctx.tables)
    for spec in implemented():
        if only and spec.key not in only:
            continue
        missing = spec.missing(present)
        if missing:
            skipped[spec.key] = missing
            continue
        if progress:
            progress(spec)
        started = time.perf_counter()
        results[spec.key] = ctx.result(spec.key)
        seconds[spec.key] = time.perf_counter() - started
    return AuditRun(
        ctx.as_of,
        ctx.engine,
        ctx.settings.audit.rollup,
        ctx.settings.audit.window_months,
        results,
        skipped,
        seconds,
        ctx.currency,
    )
