"""``comity export dyad-years``, ``directed-dyad-years`` and ``network``: files for R and Gephi."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from comity.cli.output import stdout
from comity.cli.overrides import Assignments, SettingsFile, read_overrides
from comity.cli.state import state_of
from comity.export import NetworkFormat, PairOrder, TableFormat

__all__ = ["export_app"]

export_app = typer.Typer(
    help="Export analytic tables for R, pandas and Gephi.", no_args_is_help=True
)

_TABLE_FORMAT = Annotated[
    TableFormat,
    typer.Option("--format", "-f", help="csv or parquet (graphml/gexf: use `network`)."),
]
_OUTPUT = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write (default: standard output)."),
]
_ORDER = Annotated[
    PairOrder,
    typer.Option(
        "--order",
        help="Order pairs by ISO alpha-3 key (iso3_1 < iso3_2), or by CoW or GW code "
        "(ccode1 < ccode2, as peacesciencer; pairs without a code keep the ISO order).",
    ),
]


@export_app.command("dyad-years")
def export_dyad_years(
    ctx: typer.Context,
    file_format: _TABLE_FORMAT = TableFormat.CSV,
    output: _OUTPUT = None,
    engine: Annotated[
        str, typer.Option("--engine", "-e", help="Where to compute: duckdb or spark.")
    ] = "duckdb",
    master: Annotated[
        str | None,
        typer.Option("--master", help="Spark master URL (default: COMITY_SPARK_MASTER, local[2])."),
    ] = None,
    order: _ORDER = PairOrder.ISO3,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """The dyad-year table: one row per non-directed pair and year, peace-science columns."""
    from comity.services import exports as export_service

    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    written = export_service.export_dyad_years(
        state.store(),
        state.viewer(),
        file_format,
        output,
        engine=engine,
        master=master,
        overrides=overrides,
        order=order,
    )
    if output is not None:
        stdout().print(f"Wrote {written:,} dyad-years to {output}.", highlight=False)


@export_app.command("directed-dyad-years")
def export_directed_dyad_years(
    ctx: typer.Context,
    file_format: _TABLE_FORMAT = TableFormat.CSV,
    output: _OUTPUT = None,
    order: Annotated[
        PairOrder,
        typer.Option(
            "--order",
            help="Sort rows by ISO alpha-3 keys, or by CoW or GW code of the origin, then of "
            "the destination.",
        ),
    ] = PairOrder.ISO3,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """The directed dyad-year table: what one nation does toward another each year.

    One row per ordered pair (nation_from, nation_to) and year: its outreach (0-100) with the
    CoW and GW codes of that year, the method version and the settings digest.
    """
    from comity.services import exports as export_service

    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    written = export_service.export_directed_dyad_years(
        state.store(), state.viewer(), file_format, output, overrides=overrides, order=order
    )
    if output is not None:
        stdout().print(f"Wrote {written:,} directed dyad-years to {output}.", highlight=False)


@export_app.command("network")
def export_network(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", "-y", min=1000, max=3000, help="The year (default: the latest of the data)."
        ),
    ] = None,
    file_format: Annotated[
        NetworkFormat,
        typer.Option("--format", "-f", help="graphml, gexf (Gephi), csv or parquet."),
    ] = NetworkFormat.GRAPHML,
    output: _OUTPUT = None,
    threshold: Annotated[
        float, typer.Option("--min-index", help="Leave out ties weaker than this index.")
    ] = 0.0,
    settings_file: SettingsFile = None,
    assignments: Assignments = None,
) -> None:
    """The network of one year: nations with their measures, ties weighted by the index."""
    from comity.services import exports as export_service

    overrides = read_overrides(settings_file, assignments)
    state = state_of(ctx)
    nodes, edges = export_service.export_network(
        state.store(),
        state.viewer(),
        year,
        file_format,
        output,
        min_index=threshold,
        overrides=overrides,
    )
    if output is not None:
        stdout().print(f"Wrote {nodes} nations and {edges} ties to {output}.", highlight=False)
