"""Exports of analytic results: tables (CSV, Parquet; pairs in ISO or code order), networks."""

from comity.export.cells import neutralise_cell, neutralise_table
from comity.export.order import PairOrder, order_directed_rows, order_pairs
from comity.export.writers import NetworkFormat, TableFormat, write_graph, write_table

__all__ = [
    "NetworkFormat",
    "PairOrder",
    "TableFormat",
    "neutralise_cell",
    "neutralise_table",
    "order_directed_rows",
    "order_pairs",
    "write_graph",
    "write_table",
]
