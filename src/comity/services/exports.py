"""Use cases of exports: the dyad-year tables and a year's network, for R, pandas and Gephi.

Every export is computed with the settings of the call (``overrides``, as the analytics services
take them) and carries the method version and the digest of those settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.analytics.settings import default_settings
from comity.export import (
    NetworkFormat,
    PairOrder,
    TableFormat,
    order_directed_rows,
    order_pairs,
    write_graph,
    write_table,
)
from comity.services.analytics import compute_dyad_years, compute_dyad_years_on, compute_outreach
from comity.services.engagements import require
from comity.services.network import compute_network, network_year
from comity.store import Store
from comity.store.nations import codes_by_year

__all__ = [
    "NetworkFormat",
    "PairOrder",
    "TableFormat",
    "compute_directed_dyad_years",
    "export_directed_dyad_years",
    "export_dyad_years",
    "export_network",
]


def export_dyad_years(
    store: Store,
    viewer: Viewer,
    file_format: TableFormat,
    path: Path | None,
    *,
    engine: str = "duckdb",
    master: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    order: PairOrder = PairOrder.ISO3,
) -> int:
    """Write the dyad-year table (what ``viewer`` may see); return the rows written.

    Unit: the non-directed dyad-year. Columns: those of the index table (iso3_1, iso3_2, ccode1,
    ccode2, gwcode1, gwcode2, year, index and its components, ..., method_version,
    settings_digest), passed through as computed. One row per pair and year, iso3_1 < iso3_2, or
    ccode1 < ccode2 with ``order=PairOrder.CCODE`` as peacesciencer orders pairs (see
    :func:`comity.export.order_pairs`).

    Args:
        store: The store.
        viewer: Whose view.
        file_format: CSV or Parquet.
        path: The file (standard output when None).
        engine: ``duckdb`` (cached) or ``spark`` (computed afresh on ``master``).
        master: The Spark master URL.
        overrides: Settings to change from the defaults, on either engine.
        order: The order of the two nations of each pair, and of the rows.

    Raises:
        ValidationError: When an override is unknown or out of range.
    """
    require(viewer, Role.ANALYST, "export whole tables")
    if engine == "duckdb" and master is None:
        table = compute_dyad_years(store, viewer, overrides=overrides).table
    else:
        table = compute_dyad_years_on(store, viewer, engine, master, overrides=overrides)
    return write_table(order_pairs(table, order), file_format, path)


def _codes(store: Store, side: str, year_type: Any) -> Any:
    """The CoW and GW codes of each nation-year, named for one side (``from`` or ``to``)."""
    import pyarrow as pa

    with store.connect() as connection:
        rows = codes_by_year(connection)
    return pa.table(
        {
            f"nation_{side}": pa.array([r[0] for r in rows], type=pa.string()),
            "year": pa.array([r[1] for r in rows], type=year_type),
            f"ccode_{side}": pa.array([r[2] for r in rows], type=pa.int32()),
            f"gwcode_{side}": pa.array([r[3] for r in rows], type=pa.int32()),
        }
    )


def compute_directed_dyad_years(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    order: PairOrder = PairOrder.ISO3,
) -> Any:
    """The directed dyad-year table: outreach of one nation toward another, with their codes.

    Unit: the directed dyad-year (nation_from -> nation_to), nations by ISO alpha-3 key. The
    columns of :func:`comity.services.analytics.compute_outreach` (outreach, projected_share,
    ...) are passed through, with the Correlates of War and Gleditsch-Ward codes each nation
    held that year after the two keys (``ccode_from``, ``ccode_to``, ``gwcode_from``,
    ``gwcode_to``; empty where it held none) and ``method_version`` and ``settings_digest`` last.

    Raises:
        ValidationError: When an override is unknown or out of range.
    """
    import pyarrow as pa

    settings = default_settings().with_overrides(overrides)
    outreach = compute_outreach(store, viewer, overrides=overrides)
    year_type = outreach.schema.field("year").type
    joined = outreach
    for side in ("from", "to"):
        joined = joined.join(
            _codes(store, side, year_type), keys=[f"nation_{side}", "year"], join_type="left outer"
        )
    keys = ["nation_from", "nation_to"]
    codes = ["ccode_from", "ccode_to", "gwcode_from", "gwcode_to"]
    method = {"method_version": settings.method_version, "settings_digest": settings.digest()}
    rest = [c for c in outreach.column_names if c not in (*keys, "year", *method)]
    table = joined.select([*keys, *codes, "year", *rest])
    for name, value in method.items():
        table = table.append_column(name, pa.array([value] * table.num_rows, type=pa.string()))
    return order_directed_rows(table, order)


def export_directed_dyad_years(
    store: Store,
    viewer: Viewer,
    file_format: TableFormat,
    path: Path | None,
    *,
    overrides: Mapping[str, Any] | None = None,
    order: PairOrder = PairOrder.ISO3,
) -> int:
    """Write the directed dyad-year table (:func:`compute_directed_dyad_years`); return its rows.

    Args:
        store: The store.
        viewer: Whose view.
        file_format: CSV or Parquet.
        path: The file (standard output when None).
        overrides: Settings to change from the defaults.
        order: The order of the rows: by ISO keys, or by code (origin, then destination).

    Raises:
        ValidationError: When an override is unknown or out of range.
    """
    require(viewer, Role.ANALYST, "export whole tables")
    table = compute_directed_dyad_years(store, viewer, overrides=overrides, order=order)
    return write_table(table, file_format, path)


def export_network(
    store: Store,
    viewer: Viewer,
    year: int | None,
    file_format: NetworkFormat,
    path: Path | None,
    *,
    min_index: float = 0.0,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[int, int]:
    """Write the network of one year (GraphML, GEXF), or every year's measures (CSV, Parquet).

    GraphML and GEXF: nodes are nations (name, region, partners, strength, eigenvector,
    betweenness, community), edges the pairs with an index of at least ``min_index`` (index,
    components, method version and settings digest; GraphML also holds the last two for the
    whole graph). CSV and Parquet: the nation-year measures of every year, with the method
    version and settings digest.

    Returns:
        Nodes (or rows) and edges written.

    Raises:
        ValidationError: When an override is unknown or out of range.
        NotFoundError: When no tie is recorded in ``year``.
    """
    require(viewer, Role.ANALYST, "export whole tables")
    import pyarrow as pa
    import pyarrow.compute as pc

    from comity.nations import load_reference

    tables = compute_network(store, viewer, overrides=overrides)
    settings = tables.index.settings
    method = {"method_version": settings.method_version, "settings_digest": settings.digest()}
    if file_format in (NetworkFormat.CSV, NetworkFormat.PARQUET):
        measures = tables.nation_years
        for name, value in method.items():
            column = pa.array([value] * measures.num_rows, type=pa.string())
            measures = measures.append_column(name, column)
        rows = write_table(measures, TableFormat(file_format.value), path)
        return rows, 0
    found = network_year(store, viewer, year, overrides=overrides)
    reference = load_reference().nations
    measures_shown = ("partners", "strength", "eigenvector", "betweenness", "community")
    nodes = [
        {
            "id": row["nation"],
            "label": reference[row["nation"]].name if row["nation"] in reference else row["nation"],
            "region": reference[row["nation"]].region if row["nation"] in reference else None,
            **{k: row[k] for k in measures_shown},
        }
        for row in found.nations
    ]
    dyads = tables.index.table
    edges = dyads.filter(
        pc.and_(
            pc.equal(dyads.column("year"), found.year),
            pc.and_(
                pc.greater(dyads.column("index"), 0.0),
                pc.greater_equal(dyads.column("index"), min_index),
            ),
        )
    ).to_pylist()
    components = ("interoperability", "institutional", "cultural")
    links = [
        {
            "source": e["iso3_1"],
            "target": e["iso3_2"],
            "weight": e["index"],
            **{k: e[k] for k in components},
            **method,
        }
        for e in edges
    ]
    write_graph(nodes, links, file_format, path, attributes={"year": found.year, **method})
    return len(nodes), len(edges)
