"""The ``keyaccount`` command line: init, import, status, rejects, demo."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from keyaccount import __version__
from keyaccount.config import Settings, SettingsError, load_settings
from keyaccount.data.headers import MappingFileError
from keyaccount.data.importer import ImportFailed, ImportReport, import_sources
from keyaccount.data.readers import ReadError
from keyaccount.workspace import Workspace, WorkspaceError

if TYPE_CHECKING:
    from keyaccount.audit import AuditRun

app = typer.Typer(
    name="keyaccount",
    help="Audit a B2B customer base as an asset. Start with `keyaccount demo`, or "
    "`keyaccount init` then `keyaccount import FILES…`.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: the current folder or "
        "the nearest parent holding keyaccount.toml).",
        show_default=False,
    ),
]


def _fail(message: str, details: list[str] | None = None, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    for line in details or []:
        err.print(f"  - {line}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _workspace(explicit: Path | None) -> Workspace:
    try:
        return Workspace.find(explicit=explicit)
    except WorkspaceError as exc:
        raise _fail(str(exc)) from None


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(__version__)
        raise typer.Exit()


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the workspace.")] = Path("."),
) -> None:
    """Create a workspace: a DuckDB database file and keyaccount.toml settings."""
    try:
        ws = Workspace.init(directory)
    except WorkspaceError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Workspace ready in [bold]{ws.root}[/]. Next: keyaccount import FILES…")


@app.command("import")
def import_(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="CSV, Excel or Parquet files, or database tables as URL#table "
            "(duckdb:///erp.duckdb#invoices, postgres://user@host/db#public.invoices)."
        ),
    ],
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            "-t",
            help="Canonical table to load into (default: inferred from the file "
            "or sheet name and the headers).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="TOML file mapping your headers to canonical columns."
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Sheet of a workbook to read (default: every sheet)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Name of the source (default: the file name). Re-importing a source "
            "replaces what it brought before.",
        ),
    ] = None,
    on_duplicate: Annotated[
        str | None,
        typer.Option(
            "--on-duplicate", help="error, keep-first or keep-last (duplicates inside this import)."
        ),
    ] = None,
    max_reject_share: Annotated[
        float | None,
        typer.Option(
            "--max-reject-share",
            help="Fail when more than this share of a source's rows is rejected (default 0.01).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import exports into the workspace, atomically: all files or nothing."""
    ws = _workspace(workspace)
    overrides: dict[str, Any] = {}
    if on_duplicate:
        overrides["on_duplicate"] = on_duplicate.replace("-", "_")
    if max_reject_share is not None:
        overrides["max_reject_share"] = max_reject_share
    try:
        settings = ws.settings({"import": overrides} if overrides else None)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("importing", total=None)

        def step(stage: str, label: str) -> None:
            words = {"read": "reading", "check": "checking", "write": "writing"}
            bar.update(task, description=f"{words.get(stage, stage)} {label}")
            if not err.is_terminal:  # no live bar in logs and pipes: one line per step
                err.print(f"{words.get(stage, stage)} {label}", highlight=False)

        try:
            report = import_sources(
                ws,
                paths,
                table_name=table,
                mapping_path=mapping,
                sheet=sheet,
                source_label=source,
                settings=settings,
                progress=step,
            )
        except ImportFailed as exc:
            bar.stop()
            _print_report(exc.report)
            raise _fail(str(exc), exc.details) from None
        except (ReadError, MappingFileError, SettingsError, ValueError) as exc:
            raise _fail(str(exc)) from None
    _print_report(report)
    console.print(f"Done in {time.perf_counter() - started:.1f} s.")


def _print_report(report: ImportReport) -> None:
    table = RichTable(title=f"Import {report.batch_id}", title_justify="left")
    for name in ("source", "table", "status", "rows", "loaded", "rejected", "skipped", "replaced"):
        table.add_column(
            name,
            justify="right"
            if name in {"rows", "loaded", "rejected", "skipped", "replaced"}
            else "left",
        )
    for s in report.sources:
        table.add_row(
            s.source,
            s.table,
            s.status if not s.note else f"{s.status} ({s.note})",
            f"{s.rows_in:,}",
            f"{s.loaded:,}",
            f"{s.rejected:,}",
            f"{s.skipped:,}",
            f"{s.replaced:,}",
        )
    console.print(table)
    for s in report.sources:
        if s.ignored_headers:
            console.print(
                f"{s.source}: columns not used: {', '.join(s.ignored_headers)}", highlight=False
            )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.rejects_total:
        rej = RichTable(
            title=f"Rejected values ({report.rejects_total:,}; first {len(report.rejects)} shown)",
            title_justify="left",
        )
        for name in ("source", "row", "column", "value", "reason"):
            rej.add_column(name)
        for r in report.rejects:
            rej.add_row(r.source, str(r.row), r.column, r.value or "", f"{r.reason}: {r.detail}")
        console.print(rej)
        if report.rejects_file:
            console.print(f"Full list: {report.rejects_file}", highlight=False)


@app.command()
def status(workspace: WorkspaceOpt = None) -> None:
    """Show the tables, their row counts and date ranges, and the analyses they enable."""
    from keyaccount.status import workspace_status

    ws = _workspace(workspace)
    info = workspace_status(ws)
    table = RichTable(title=f"Workspace {ws.root}", title_justify="left")
    for name, justify in (
        ("table", "left"),
        ("rows", "right"),
        ("sources", "right"),
        ("from", "left"),
        ("to", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in info.tables:
        table.add_row(t.name, f"{t.rows:,}", str(t.sources), str(t.first or ""), str(t.last or ""))
    console.print(table)
    analyses = RichTable(title="Analyses and the data they need", title_justify="left")
    analyses.add_column("§", justify="right")
    analyses.add_column("analysis")
    analyses.add_column("data")
    for a in info.analyses:
        state = "[green]present[/]" if not a.missing else f"needs {', '.join(a.missing)}"
        analyses.add_row(str(a.section), a.title, state)
    console.print(analyses)
    if info.last_import:
        console.print(f"Last import: {info.last_import}", highlight=False)


@app.command()
def rejects(
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the rejected values kept from the imports now in the workspace."""
    ws = _workspace(workspace)
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            'SELECT source, "row", "column", value, reason, detail FROM _rejects '
            'ORDER BY source, "row" LIMIT ?',
            [limit],
        ).fetchall()
        (total,) = con.execute("SELECT count(*) FROM _rejects").fetchone() or (0,)
    table = RichTable(title=f"Rejected values ({total:,})", title_justify="left")
    for name in ("source", "row", "column", "value", "reason"):
        table.add_column(name)
    for src, row, col, value, reason, detail in rows:
        table.add_row(src, str(row), col or "", value or "", f"{reason}: {detail}")
    console.print(table)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Workspace folder to create.")] = Path(
        "keyaccount-demo"
    ),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same company.")
    ] = 7,
    customers: Annotated[int, typer.Option(help="Number of customers.")] = 500,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Build the synthetic demo company, write its messy exports and import them."""
    from keyaccount.data.demo import generate

    if out.exists() and any(out.iterdir()):
        if not force:
            raise _fail(f"{out} exists and is not empty; pass --force to replace it")
        shutil.rmtree(out)
    started = time.perf_counter()
    with console.status("generating the demo company…"):
        files = generate(out / "exports", seed=seed, customers=customers)
    console.print(
        f"Wrote {len(files.files)} export files to {out / 'exports'} "
        f"in {time.perf_counter() - started:.1f} s.",
        highlight=False,
    )
    ws = Workspace.init(out)
    try:
        report = import_sources(ws, [str(p) for p in files.files])
    except ImportFailed as exc:
        _print_report(exc.report)
        raise _fail(str(exc), exc.details) from None
    _print_report(report)
    status(workspace=out)
    reports = _demo_reports(ws)
    console.print(
        f"Demo workspace ready in {out} ({time.perf_counter() - started:.1f} s). "
        f"Open the report: {reports[0]}",
        highlight=False,
    )


def _demo_reports(ws: Workspace) -> list[Path]:
    """The demo's last step: audit it and write the report in Chinese and in English."""
    from keyaccount.report import write_report

    settings = _settings(ws, None, None, False)
    data = _run_audit(ws, settings, "duckdb", None).to_json()
    written = []
    for lang in ("zh", "en"):
        path = ws.root / "reports" / f"audit-{data['meta']['as_of']}-{lang}.html"
        report_settings = settings.report.model_copy(update={"lang": lang})
        written.append(write_report(data, report_settings, path)[0])
        console.print(f"Wrote {written[-1]}", highlight=False)
    return written


PERCENT_HINTS = ("share", "rate", "margin", "nrr", "grr", "threshold")


def _format_figure(name: str, value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if any(h in name for h in PERCENT_HINTS):
            return f"{value:.1%}"
        return f"{value:,.2f}"
    if isinstance(value, int):
        return str(value) if "year" in name else f"{value:,}"
    return str(value)


AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Last day of the analysis window, YYYY-MM-DD (default: the last "
        "commercial invoice date).",
    ),
]
WindowOpt = Annotated[
    int | None, typer.Option("--window", help="Window length in months (default 12).")
]
NoRollupOpt = Annotated[
    bool,
    typer.Option("--no-rollup", help="Treat plants and subsidiaries as separate accounts."),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh (简体中文) or en (default: report.lang, zh)."),
]
EngineOpt = Annotated[str, typer.Option("--engine", help="duckdb (default) or spark (local mode).")]
ParquetOpt = Annotated[
    Path | None,
    typer.Option(
        "--parquet",
        help="With --engine spark: read the canonical tables from these Parquet "
        "folders instead of exporting the workspace.",
    ),
]


BudgetOpt = Annotated[
    float | None,
    typer.Option(
        "--budget",
        help="Total budget to split across industries by traffic light "
        "(sets industries.budget), e.g. 50000000.",
    ),
]


def _settings(
    ws: Workspace | None,
    as_of: str | None,
    window: int | None,
    no_rollup: bool,
    report: dict[str, Any] | None = None,
    budget: float | None = None,
) -> Settings:
    """Settings from defaults, the workspace's keyaccount.toml and the command's flags."""
    from datetime import date

    audit_overrides: dict[str, Any] = {}
    try:
        if as_of:
            audit_overrides["as_of"] = date.fromisoformat(as_of)
    except ValueError:
        raise _fail(f"--as-of {as_of!r} is not a date like 2025-12-31") from None
    if window is not None:
        audit_overrides["window_months"] = window
    if no_rollup:
        audit_overrides["rollup"] = False
    overrides: dict[str, Any] = {"audit": audit_overrides} if audit_overrides else {}
    if report:
        overrides["report"] = report
    if budget is not None:
        overrides["industries"] = {"budget": budget}
    try:
        return ws.settings(overrides or None) if ws else load_settings(None, overrides or None)
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _run_audit(
    ws: Workspace | None, settings: Settings, engine: str, parquet: Path | None
) -> AuditRun:
    """Open the engine on the workspace (or Parquet folders) and run every analysis."""
    import tempfile

    from keyaccount.analyses.context import AuditContext
    from keyaccount.audit import run_audit
    from keyaccount.engine import (
        ENGINES,
        EngineError,
        duckdb_backend,
        export_parquet,
        parquet_tables,
        spark_backend,
        workspace_tables,
    )

    if engine not in ENGINES:
        raise _fail(f"--engine must be one of {', '.join(ENGINES)}")
    with tempfile.TemporaryDirectory() as scratch:
        try:
            if engine == "spark":
                folder = parquet
                if folder is None:
                    assert ws is not None
                    folder = Path(scratch)
                    export_parquet(ws, folder)
                backend = spark_backend()
                tables = parquet_tables(backend, folder)
            else:
                assert ws is not None
                backend = duckdb_backend(ws, settings.audit.memory_limit)
                tables = workspace_tables(backend)
        except EngineError as exc:
            raise _fail(str(exc)) from None
        if "invoices" not in tables or "customers" not in tables:
            raise _fail("the audit needs customers and invoices; import them first")
        ctx = AuditContext.create(backend, tables, settings, engine=engine)
        with console.status("auditing…") as spinner:
            return run_audit(ctx, progress=lambda spec: spinner.update(f"{spec.title_en}…"))


SEVERITY_STYLE = {"alert": "bold red", "warning": "yellow", "info": "blue"}


def _print_findings(data: dict[str, Any], lang: str) -> None:
    """The audit's findings as sentences in ``lang``, the most severe first."""
    from keyaccount.report.findings import sentences
    from keyaccount.report.i18n import Locale

    loc = Locale(lang, currency=data["meta"].get("currency"))  # type: ignore[arg-type]
    order = {"alert": 0, "warning": 1, "info": 2}
    for item in sorted(sentences(data, loc), key=lambda s: order.get(s.severity, 3)):
        style = SEVERITY_STYLE.get(item.severity, "")
        console.print(f"[{style}]{item.severity:>7}[/] {item.text}", highlight=False)


def _write_json(data: Any, path: Path) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


@app.command()
def audit(
    as_of: AsOfOpt = None,
    window: WindowOpt = None,
    no_rollup: NoRollupOpt = False,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write every figure and finding to this JSON file."),
    ] = None,
    lang: LangOpt = None,
    engine: EngineOpt = "duckdb",
    parquet: ParquetOpt = None,
    budget: BudgetOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Run every analysis the data allows; print a summary and list what was skipped."""
    ws = _workspace(workspace) if parquet is None else None
    settings = _settings(ws, as_of, window, no_rollup, {"lang": lang} if lang else None, budget)
    started = time.perf_counter()
    run = _run_audit(ws, settings, engine, parquet)
    for key, result in run.results.items():
        table = RichTable(title=f"{key} (as of {run.as_of}, {run.engine})", title_justify="left")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for name, value in result.figures().items():
            if not isinstance(value, list | dict):
                table.add_row(f"{key}.{name}", _format_figure(name, value))
        console.print(table)
    data = run.to_json()
    _print_findings(data, settings.report.lang)
    for key, missing in run.skipped.items():
        console.print(f"skipped {key}: needs {', '.join(missing)}", highlight=False)
    if json_out:
        _write_json(data, json_out)
        console.print(f"Wrote {json_out}", highlight=False)
    console.print(f"Audit done in {time.perf_counter() - started:.1f} s.")


@app.command()
def report(
    lang: LangOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="HTML file to write (default: reports/audit-<as-of>-<lang>.html in the "
            "workspace). Its JSON twin is written beside it.",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print it to PDF through headless Chromium.")
    ] = False,
    from_json: Annotated[
        Path | None,
        typer.Option("--from", help="Build the report from a saved `audit --json` file."),
    ] = None,
    as_of: AsOfOpt = None,
    window: WindowOpt = None,
    no_rollup: NoRollupOpt = False,
    engine: EngineOpt = "duckdb",
    parquet: ParquetOpt = None,
    budget: BudgetOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the audit report: one offline HTML file (and PDF), in Chinese or English."""
    import json

    from keyaccount.report import PdfError, write_report

    ws = _workspace(workspace) if parquet is None and from_json is None else None
    if budget is not None and from_json is not None:
        raise _fail("--budget needs the audit to run; it cannot change a saved audit (--from)")
    settings = _settings(ws, as_of, window, no_rollup, {"lang": lang} if lang else None, budget)
    started = time.perf_counter()
    if from_json is not None:
        try:
            data = json.loads(from_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _fail(f"cannot read the audit file {from_json}: {exc}") from None
    else:
        data = _run_audit(ws, settings, engine, parquet).to_json()
    lang_code = settings.report.lang
    if out is None:
        base = ws.root if ws else Path.cwd()
        out = base / "reports" / f"audit-{data['meta']['as_of']}-{lang_code}.html"
    try:
        written = write_report(data, settings.report, out, pdf=pdf)
    except PdfError as exc:
        raise _fail(str(exc)) from None
    for path in written:
        size = path.stat().st_size / 1e6
        console.print(f"Wrote {path} ({size:.1f} MB)", highlight=False)
    console.print(f"Report done in {time.perf_counter() - started:.1f} s.")


DIMENSION_HEADERS = {
    "financial": "fin",
    "growth": "grow",
    "strategic": "strat",
    "influence": "infl",
    "stability": "stab",
    "authority": "auth",
    "complexity": "cplx",
    "co_innovation": "co-inn",
    "feedback": "fdbk",
    "channel": "chan",
}


def _tiering_accounts(ws: Workspace, settings: Settings) -> tuple[Any, Any]:
    """The tiering result of the workspace (DuckDB) and its as-of date; runs only tiering."""
    from keyaccount.analyses.context import AuditContext
    from keyaccount.engine import duckdb_backend, workspace_tables

    backend = duckdb_backend(ws, settings.audit.memory_limit)
    tables = workspace_tables(backend)
    if "invoices" not in tables or "customers" not in tables:
        raise _fail("tiering needs customers and invoices; import them first")
    ctx = AuditContext.create(backend, tables, settings)
    with console.status("scoring accounts…"):
        return ctx.result("tiering"), ctx.as_of


@app.command()
def accounts(
    tier: Annotated[
        str | None,
        typer.Option("--tier", help="Only this tier: strategic, core, developing or general."),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Only the N best-scored accounts.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the listed accounts to this JSON file.")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the listed accounts to this CSV file.")
    ] = None,
    as_of: AsOfOpt = None,
    window: WindowOpt = None,
    no_rollup: NoRollupOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the accounts by key-account tier with their score and ten dimension scores."""
    from keyaccount.analyses.base import frame_records
    from keyaccount.analyses.tiering import DIMENSIONS, TIERS

    if tier is not None and tier not in TIERS:
        raise _fail(f"--tier must be one of {', '.join(TIERS)}")
    ws = _workspace(workspace)
    settings = _settings(ws, as_of, window, no_rollup)
    result, day = _tiering_accounts(ws, settings)
    table = result.accounts
    if tier is not None:
        table = table[table.tier == tier]
    if top is not None:
        table = table.head(top)
    columns = ["account_id", "name", "tier", "score", *DIMENSIONS, "revenue", "previous_tier"]
    listed = table[[*columns, "dimensions_scored", "pitfalls"]]
    if json_out:
        _write_json(frame_records(listed), json_out)
    if csv_out:
        csv_out.parent.mkdir(parents=True, exist_ok=True)
        flat = listed.assign(pitfalls=listed.pitfalls.map(" ".join))
        flat.to_csv(csv_out, index=False, encoding="utf-8-sig")
    rich = RichTable(
        title=f"Key accounts by tier (as of {day})", title_justify="left", box=None, padding=(0, 1)
    )
    ids = listed.account_id.astype(str)
    id_width = max([len("account"), *ids.str.len()])
    fixed = len("developing") + id_width + len("score") + 8  # + the name (at least 8) + gaps
    # The ten dimension scores when the terminal is wide enough; else only the score.
    shown = (
        DIMENSIONS
        if fixed + sum(len(h) + 1 for h in DIMENSION_HEADERS.values()) + 4 <= (console.width)
        else ()
    )
    rich.add_column("tier", no_wrap=True, min_width=len("developing"))
    rich.add_column("account", no_wrap=True, min_width=id_width)
    rich.add_column("name", overflow="ellipsis", no_wrap=True, min_width=8)
    for name in ("score", *shown):
        header = DIMENSION_HEADERS.get(name, name)
        rich.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for row in listed.itertuples(index=False):
        scores = [getattr(row, d) for d in shown]
        rich.add_row(
            str(row.tier),
            str(row.account_id),
            str(row.name or ""),
            f"{row.score:.1f}",
            *("–" if s != s else f"{s:.0f}" for s in scores),
        )
    console.print(rich)
    legend = (
        f"'–' = not scored. Columns: "
        f"{', '.join(f'{v} = {k}' for k, v in DIMENSION_HEADERS.items())}."
        if shown
        else "The ten dimension scores need a wider terminal; --csv or --json write them all."
    )
    console.print(f"{len(listed)} of {len(result.accounts)} accounts. {legend}", highlight=False)
    for path in (json_out, csv_out):
        if path:
            console.print(f"Wrote {path}", highlight=False)


@app.command()
def export(
    parquet: Annotated[
        Path,
        typer.Option(
            "--parquet", help="Folder to write one Parquet folder per canonical table into."
        ),
    ],
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the workspace's canonical tables as Parquet (what Spark or a data lake reads)."""
    from keyaccount.engine import export_parquet

    ws = _workspace(workspace)
    written = export_parquet(ws, parquet)
    for path in written:
        console.print(str(path), highlight=False)


def main() -> None:
    """Entry point for ``python -m keyaccount``."""
    app(prog_name="keyaccount")


if __name__ == "__main__":
    main()
