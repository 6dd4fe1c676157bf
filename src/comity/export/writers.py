"""Write Arrow tables as CSV or Parquet, and networks as GraphML or GEXF.

CSV is written with a header, comma-separated, UTF-8, missing values empty: what ``read.csv`` in
R and ``pandas.read_csv`` read without options; a text cell that begins like a spreadsheet formula
gets a ``'`` before it (:mod:`comity.export.cells`). Parquet keeps the types and the text as they
are. GraphML and GEXF are written by networkx, so Gephi and igraph read them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from comity.errors import ComityError
from comity.export.cells import neutralise_table

__all__ = ["NetworkFormat", "TableFormat", "write_graph", "write_table"]


class TableFormat(StrEnum):
    """Formats of a table export."""

    CSV = "csv"
    PARQUET = "parquet"


class NetworkFormat(StrEnum):
    """Formats of a network export."""

    GRAPHML = "graphml"
    GEXF = "gexf"
    CSV = "csv"
    PARQUET = "parquet"


def write_table(table: Any, file_format: TableFormat, path: Path | None) -> int:
    """Write an Arrow table to ``path`` (standard output when None); return the rows written.

    Parquet needs a file: it is binary. In CSV, text cells that begin like a formula are
    neutralised (:func:`comity.export.cells.neutralise_table`).
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if file_format is TableFormat.PARQUET:
        if path is None:
            raise ComityError(
                "Parquet is binary and cannot go to the terminal.",
                hint="Give a file with --output, e.g. --output dyad_years.parquet.",
            )
        pq.write_table(table, path)
        return int(table.num_rows)
    buffer = io.BytesIO()
    pacsv.write_csv(
        neutralise_table(table), buffer, write_options=pacsv.WriteOptions(quoting_style="needed")
    )
    data = buffer.getvalue()
    if path is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    else:
        path.write_bytes(data)
    return int(table.num_rows)


def write_graph(
    nodes: Sequence[dict[str, Any]],
    edges: Sequence[dict[str, Any]],
    file_format: NetworkFormat,
    path: Path | None,
    *,
    attributes: Mapping[str, Any] | None = None,
) -> None:
    """Write a network to ``path`` (standard output when None).

    ``nodes`` carry ``id`` and attributes, ``edges`` ``source``, ``target`` and attributes;
    attributes that are None are left out (GraphML and GEXF have no null). ``attributes`` belong
    to the whole graph: GraphML keeps them, GEXF has no place for them.
    """
    import networkx as nx

    graph = nx.Graph(**{k: v for k, v in (attributes or {}).items() if v is not None})
    for node in nodes:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and v is not None})
    for edge in edges:
        attributes = {
            k: v for k, v in edge.items() if k not in {"source", "target"} and v is not None
        }
        graph.add_edge(edge["source"], edge["target"], **attributes)
    buffer = io.BytesIO()
    if file_format is NetworkFormat.GRAPHML:
        nx.write_graphml(graph, buffer)
    else:
        nx.write_gexf(graph, buffer)
    if path is None:
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
        sys.stdout.flush()
    else:
        path.write_bytes(buffer.getvalue())
