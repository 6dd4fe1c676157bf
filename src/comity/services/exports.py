"""Use cases of exports: the dyad-year table and a year's network, for R, pandas and Gephi."""

from __future__ import annotations

from pathlib import Path

from comity.access.viewer import Viewer
from comity.export import NetworkFormat, TableFormat, write_graph, write_table
from comity.services.analytics import compute_dyad_years, compute_dyad_years_on
from comity.services.network import compute_network, network_year
from comity.store import Store

__all__ = ["NetworkFormat", "TableFormat", "export_dyad_years", "export_network"]


def export_dyad_years(
    store: Store,
    viewer: Viewer,
    file_format: TableFormat,
    path: Path | None,
    *,
    engine: str = "duckdb",
    master: str | None = None,
) -> int:
    """Write the dyad-year table (what ``viewer`` may see); return the rows written.

    Columns: iso3_1, iso3_2, ccode1, ccode2, year, index, interoperability, institutional,
    cultural, continuity, diversity, method_version, settings_digest; one row per non-directed
    pair and year, iso3_1 < iso3_2.

    Args:
        store: The store.
        viewer: Whose view.
        file_format: CSV or Parquet.
        path: The file (standard output when None).
        engine: ``duckdb`` (cached) or ``spark`` (computed afresh on ``master``).
        master: The Spark master URL.
    """
    if engine == "duckdb" and master is None:
        return write_table(compute_dyad_years(store, viewer).table, file_format, path)
    return write_table(compute_dyad_years_on(store, viewer, engine, master), file_format, path)


def export_network(
    store: Store,
    viewer: Viewer,
    year: int | None,
    file_format: NetworkFormat,
    path: Path | None,
    *,
    min_index: float = 0.0,
) -> tuple[int, int]:
    """Write the network of one year (GraphML, GEXF), or every year's measures (CSV, Parquet).

    GraphML and GEXF: nodes are nations (name, region, partners, strength, eigenvector,
    betweenness, community), edges the pairs with an index of at least ``min_index`` (index and
    components). CSV and Parquet: the nation-year measures of every year.

    Returns:
        Nodes (or rows) and edges written.
    """
    import pyarrow.compute as pc

    from comity.nations import load_reference

    tables = compute_network(store, viewer)
    if file_format in (NetworkFormat.CSV, NetworkFormat.PARQUET):
        rows = write_table(tables.nation_years, TableFormat(file_format.value), path)
        return rows, 0
    chosen, nations, _ = network_year(store, viewer, year)
    reference = load_reference().nations
    nodes = [
        {
            "id": row["nation"],
            "label": reference[row["nation"]].name if row["nation"] in reference else row["nation"],
            "region": reference[row["nation"]].region if row["nation"] in reference else None,
            **{
                k: row[k]
                for k in ("partners", "strength", "eigenvector", "betweenness", "community")
            },  # fmt: skip
        }
        for row in nations
    ]
    dyads = tables.index.table
    edges = dyads.filter(
        pc.and_(
            pc.equal(dyads.column("year"), chosen),
            pc.and_(pc.greater(dyads.column("index"), 0.0),
                    pc.greater_equal(dyads.column("index"), min_index)),
        )
    ).to_pylist()  # fmt: skip
    write_graph(
        nodes,
        [
            {"source": e["iso3_1"], "target": e["iso3_2"], "weight": e["index"],
             **{k: e[k] for k in ("interoperability", "institutional", "cultural")}}
            for e in edges
        ],
        file_format,
        path,
    )  # fmt: skip
    return len(nodes), len(edges)
