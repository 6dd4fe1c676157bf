"""``comity media run``: the media-event pipeline over GDELT files, on DuckDB or Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from comity.cli.output import emit_json, stdout
from comity.cli.state import state_of
from comity.ingest.media.events import DEFAULT_MIN_SOURCES

__all__ = ["media_app"]

media_app = typer.Typer(
    help="News-coded media events (GDELT): filter, de-duplicate, aggregate to dyad-years.",
    no_args_is_help=True,
)

ENGINE_OPTION = typer.Option(
    "--engine", "-e", help="Where to compute: duckdb (this process) or spark."
)
MASTER_OPTION = typer.Option(
    "--master",
    help=(
        "Spark master URL: local[N], spark://HOST:7077, yarn... "
        "(default: COMITY_SPARK_MASTER, local[2])."
    ),
)


@media_app.command("run")
def run(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            help="GDELT 1.0 or 2.0 event files, or glob patterns (quoted): TSV/CSV, .gz, .zip "
            "or Parquet."
        ),
    ],
    engine: Annotated[str, ENGINE_OPTION] = "duckdb",
    master: Annotated[str | None, MASTER_OPTION] = None,
    min_sources: Annotated[
        int, typer.Option("--min-sources", help="Leave out events reported by fewer sources.")
    ] = DEFAULT_MIN_SOURCES,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the Parquet output (default: the analytic store, where the index "
            "reads it).",
        ),
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Name recorded on the events and of the output.")
    ] = "gdelt",
    as_json: Annotated[bool, typer.Option("--json", help="Write the summary as JSON.")] = False,
) -> None:
    """Run the media-event pipeline: keep cooperation events, aggregate them to dyad-years.

    Writes events/, dyad_years/ (events, mean Goldstein, mean tone per pair and year) and
    coverage/ as Parquet. Nothing is written when a file is malformed.
    """
    from comity.services import media as media_service

    state = state_of(ctx)
    result = media_service.run_media(
        state.store(),
        state.viewer(),
        files,
        engine=engine,
        master=master,
        min_sources=min_sources,
        output=output,
        dataset=dataset,
    )
    if as_json:
        emit_json(result.to_dict())
        return
    console = stdout()
    console.print(
        f"[bold]{result.events:,}[/bold] events in {result.dyad_years:,} dyad-years from "
        f"{result.rows_read:,} rows of {len(result.files)} file(s) on {result.engine} in "
        f"{result.seconds:.1f} s; written to {result.output}.",
        highlight=False,
    )
    covered = ", ".join(f"{year} ({days} days)" for year, days in result.coverage)
    console.print(f"Coverage (years the files were published): {covered or 'none'}.")
    if result.excluded:
        table = Table(title="Left out", header_style="bold")
        table.add_column("reason")
        table.add_column("events", justify="right")
        for reason, count in sorted(result.excluded.items()):
            table.add_row(reason, f"{count:,}")
        console.print(table)
