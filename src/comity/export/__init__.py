"""Writers of analytic results: CSV and Parquet tables, GraphML and GEXF networks for Gephi."""

from comity.export.writers import NetworkFormat, TableFormat, write_graph, write_table

__all__ = ["NetworkFormat", "TableFormat", "write_graph", "write_table"]
