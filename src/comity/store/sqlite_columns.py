"""A child process of :mod:`comity.store.columnar`: one query on a SQLite file, as Arrow.

Reads a JSON request on standard input (``database``, ``sql`` with its values written in,
``rows``: at least the number of rows), runs the query with Apache Arrow's ADBC driver for
SQLite, and writes the result as an Arrow IPC stream on standard output. It runs alone in its
process because the driver carries its own copy of SQLite.

The driver infers a column's type from its first batch of rows, so one batch holds the whole
result (a column whose first thousand values were NULL would otherwise be read as integers and
refuse the texts after them). It reserves memory for a whole batch: hence ``rows``, not just a
large number (2**30 rows failed under a server's address-space limit).
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Answer the request on standard input (see the module)."""
    # The driver manager's own classes, not its DB-API module, which imports pyarrow.dataset
    # (a third of a second of every child's start).
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    request = json.load(sys.stdin)
    rows = str(max(int(request["rows"]), 1))
    with (
        adbc_driver_sqlite.connect(request["database"]) as database,
        adbc_driver_manager.AdbcConnection(database) as connection,
        adbc_driver_manager.AdbcStatement(connection) as statement,
    ):
        statement.set_options(**{"adbc.sqlite.query.batch_rows": rows})
        statement.set_sql_query(request["sql"])
        stream, _ = statement.execute_query()
        table = pa.RecordBatchReader._import_from_c(stream.address).read_all()
    with pa.ipc.new_stream(sys.stdout.buffer, table.schema) as writer:
        writer.write_table(table)


if __name__ == "__main__":
    main()
