"""``comity import`` and ``comity sources``: bring data in, and see where it comes from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from comity.cli.output import (
    Column,
    OutputFormat,
    choose_format,
    emit,
    emit_json,
    stderr,
    stdout,
)
from comity.cli.state import state_of
from comity.errors import ImportRejectedError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from comity.ingest.base import Importer, ImportReport
    from comity.services.imports import SourceStatus

__all__ = ["import_data", "list_sources"]

_SHOWN_ISSUES = 20


def _progress(label: str) -> Progress:
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = stderr()
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _summary(reports: list[ImportReport]) -> None:
    table = Table(title="Import", header_style="bold")
    for heading in (
        "dataset",
        "rows",
        "added",
        "updated",
        "unchanged",
        "removed",
        "excluded",
        "seconds",
    ):
        table.add_column(heading, justify="left" if heading == "dataset" else "right")
    for r in reports:
        table.add_row(
            r.dataset,
            f"{r.rows_read:,}",
            f"{r.added:,}",
            f"{r.updated:,}",
            f"{r.unchanged:,}",
            f"{r.removed:,}",
            f"{sum(r.excluded.values()):,}",
            f"{r.seconds:.1f}",
        )
    console = stdout()
    console.print(table)
    for r in reports:
        for label, counter in (("excluded", r.excluded), ("corrected", r.corrected)):
            for reason, count in sorted(counter.items()):
                console.print(f"  {r.dataset}: {count:,} {label}: {reason}", highlight=False)
        if r.coverage_assumed:
            assumed = ", ".join(r.coverage_assumed)
            shown = "; ".join(r.coverage)
            line = f"  {r.dataset}: coverage assumed ({assumed} from the rows): {shown}"
            console.print(escape(line), highlight=False)
        if r.coverage_hint:
            console.print(f"  [yellow]Hint:[/yellow] {escape(r.coverage_hint)}", highlight=False)
    if any(r.dry_run for r in reports):
        console.print("[yellow]Dry run: nothing was written.[/yellow]")


def _rejected(error: ImportRejectedError, as_json: bool) -> None:
    from comity.ingest.base import ImportReport

    report = error.report
    if not isinstance(report, ImportReport):
        raise error
    if as_json:
        emit_json(report.to_dict())
    console = stderr()
    console.print(
        f"[bold red]Error:[/bold red] {report.dataset}: {report.issue_count:,} "
        "problem(s) found; nothing was written.",
        highlight=False,
    )
    table = Table(header_style="bold", title=f"First {min(_SHOWN_ISSUES, len(report.issues))}")
    for heading in ("file", "row", "column", "value", "problem"):
        table.add_column(heading, overflow="fold")
    for issue in report.issues[:_SHOWN_ISSUES]:
        table.add_row(
            issue.file,
            "" if issue.row is None else str(issue.row),
            issue.column or "",
            issue.value or "",
            issue.reason,
        )
    console.print(table)
    if error.hint:
        console.print(f"  [yellow]Hint:[/yellow] {error.hint}", highlight=False)
    raise typer.Exit(1)


def import_data(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME] [PATH]...",
            help="A dataset name (see `comity sources`) and, optionally, files to read instead "
            "of the bundled ones; with --mapping, the files to read.",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Import every bundled dataset, in order.")
    ] = False,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="A TOML mapping file: import your own CSV/JSON/Parquet."),
    ] = None,
    names: Annotated[
        Path | None,
        typer.Option(
            "--names",
            help="A two-column file mapping names comity does not know to "
            "nation keys (e.g. 'Baltic States,EST').",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report everything; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --all: re-read datasets already imported.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write the report as JSON.")] = False,
) -> None:
    """Import a bundled dataset, every one (--all), or your own file (--mapping).

    Every import checks everything first and writes in one transaction: all of it or, if any
    row has a problem, nothing. Running it again changes nothing and reports the records
    unchanged.
    """
    from comity.services import imports as import_service

    state = state_of(ctx)
    store, viewer = state.store(), state.viewer()
    positional = list(args or [])
    extra = import_service.read_names(names) if names else None
    if all_ and (positional or mapping):
        raise typer.BadParameter("--all imports the bundled datasets: give no name or path")
    if not all_ and not positional:
        raise typer.BadParameter("give a dataset name (see `comity sources`), --all or --mapping")
    jobs: list[tuple[str | Importer, list[Path]]]
    if mapping is not None:
        jobs = [(import_service.mapped_importer(mapping), [Path(p) for p in positional])]
    elif all_:
        jobs = [(name, []) for name in import_service.datasets_to_import(store, force=force)]
    else:
        jobs = [(positional[0], [Path(p) for p in positional[1:]])]
    reports: list[ImportReport] = []
    with _progress("import") as progress:
        for dataset, paths in jobs:
            label = dataset if isinstance(dataset, str) else dataset.info.name
            task = progress.add_task(label, total=None)

            def advance(rows: int, task: TaskID = task) -> None:
                progress.advance(task, rows)

            try:
                reports.append(
                    import_service.import_dataset(
                        store,
                        dataset,
                        paths or None,
                        viewer=viewer,
                        dry_run=dry_run,
                        names=extra,
                        progress=advance,
                    )
                )
            except ImportRejectedError as error:
                progress.stop()
                _rejected(error, as_json)
            progress.remove_task(task)
    if as_json:
        emit_json([r.to_dict() for r in reports] if all_ else reports[0].to_dict())
        return
    if all_ and not reports:
        stdout().print("Every bundled dataset is imported and unchanged (use --force to re-read).")
        return
    _summary(reports)


def list_sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")] = False,
) -> None:
    """List the bundled datasets: what each becomes, its citation, years, coverage and records.

    The coverage says which engagement kinds, years and pairs an imported dataset covers
    ("alliance 1815-2018, every pair", "visit 1992-2012, pairs with USA", "alliance 1949-2025,
    co-members of NATO"): beyond it, a pair's silence is unobserved, not zero.
    """
    from comity.services import imports as import_service

    output = choose_format(as_json, as_csv)
    sources = import_service.list_sources(state_of(ctx).store())

    def years(source: SourceStatus) -> str | None:
        record = source.imported
        if record is None or record.first_year is None:
            return None
        return f"{record.first_year}-{record.last_year}"

    def coverage(source: SourceStatus) -> Any:
        if output is OutputFormat.JSON:
            return source.coverage_dicts()
        # One span a line in a table; CSV keeps each row on one line.
        return ("\n" if output is OutputFormat.TABLE else "; ").join(
            source.engagement_coverage
        ) or None

    emit(
        sources,
        [
            Column("name", lambda s: s.importer.info.name, style="bold"),
            Column("title", lambda s: s.importer.info.title, table=False),
            Column("becomes", lambda s: s.importer.info.becomes),
            Column("years", years),
            Column("coverage", coverage, wrap=True),
            Column("records", lambda s: s.imported.records if s.imported else None),
            Column(
                "imported",
                lambda s: f"{s.imported.imported_at:%Y-%m-%d}" if s.imported else "not yet",
            ),
            Column("citation", lambda s: s.importer.info.citation, table=False),
            Column("licence", lambda s: s.importer.info.licence, table=False),
            Column("version", lambda s: s.importer.info.version, table=False),
        ],
        output,
        title="Data sources",
    )
