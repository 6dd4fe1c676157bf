"""A query's result as Arrow columns, without a Python object per value where the store allows.

The analytic snapshot reads every visible record: at a million engagements, making a Python
tuple of each row and a Python object of each value took most of the first answer. Here:

- **PostgreSQL**: each read on a connection of its own that takes the caller's snapshot of the
  data (so several reads run at once, on what the caller's transaction sees), with Apache
  Arrow's ADBC driver for PostgreSQL (binary ``COPY``, decoded in C: at a million engagements
  the participants' three million rows took 8 s in Python, 5-6 s so); without that driver, or
  when it fails, ``COPY (query) TO STDOUT`` in CSV through the store's own driver, parsed by
  Arrow's CSV reader into the columns' types;
- **a large SQLite file**: a child process reads the result with Apache Arrow's ADBC driver for
  SQLite straight into Arrow columns and hands them over as an Arrow IPC stream
  (:mod:`comity.store.sqlite_columns`). A child, because that driver carries its own copy of
  SQLite, and two copies of SQLite in one process undo each other's file locks (SQLite's "How
  To Corrupt" §2.2.1; here it showed as "disk I/O error" on the next write). Several reads run
  at once, one child each. The child reads committed data on its own connection: the callers
  compare the store's change counter before and after (see
  :func:`comity.store.changes.records_version`);
- **anything else** (a small SQLite file, where starting a process costs more than it saves;
  an in-memory one, which no other connection can open; a child that failed): the driver's
  rows in batches, one transposition per batch.

Queries read here select plain columns (numbers and text) only.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

__all__ = ["CHILD_THRESHOLD", "read_table", "read_table_later"]

_LOG = logging.getLogger("comity.store")
_BATCH = 100_000
CHILD_THRESHOLD = 50_000
"""Engagements from which a SQLite store is read by a child process (see the module)."""


def read_table(
    connection: Connection,
    query: Any,
    schema: Any,
    *,
    columnar: bool = True,
    rows_at_most: Any = None,
) -> Any:
    """The rows of ``query`` as an Arrow table of ``schema`` (its columns in the query's order).

    Args:
        connection: The connection (PostgreSQL: the read sees what its transaction sees).
        query: A SQLAlchemy selectable of plain columns, as many as ``schema`` has fields.
        schema: The Arrow schema of the result.
        columnar: False to read the driver's rows whatever the store (small reads).
        rows_at_most: SQLite: a query of one number at least the number of rows (a quick
            one, such as the largest key or the count of the table the rows come from).
            Without it the rows are read here; with it, a child reads them once there are
            :data:`CHILD_THRESHOLD` or more, in one batch of that size (the driver reserves
            memory for a whole batch).
    """
    return read_table_later(
        connection, query, schema, columnar=columnar, rows_at_most=rows_at_most
    )()


def read_table_later(
    connection: Connection,
    query: Any,
    schema: Any,
    *,
    columnar: bool = True,
    rows_at_most: Any = None,
) -> Callable[[], Any]:
    """Start reading ``query`` (see :func:`read_table`); the function returned gives the table.

    Reads started one after the other run at the same time where each has a child process.
    """
    if columnar and connection.dialect.name == "postgresql":
        return _copied_later(connection, query, schema)
    found = _child_read(connection, rows_at_most) if columnar else None
    if found is not None:
        database, rows = found
        # The values written into the SQL (numbers and nation codes, quoted by SQLAlchemy): the
        # child then binds nothing, and starts without pyarrow's dataset module.
        sql = str(_literal(connection, query))
        child = _start_child(database, sql, rows)
        if child is not None:
            return lambda: _or_rows(child.table(schema), connection, query, schema)
    table = _rows(connection, query, schema)
    return lambda: table


def _literal(connection: Connection, query: Any) -> Any:
    """``query`` compiled with its values written in."""
    return query.compile(
        dialect=connection.dialect,
        compile_kwargs={"literal_binds": True, "render_postcompile": True},
    )


def _or_rows(table: Any, connection: Connection, query: Any, schema: Any) -> Any:
    return _rows(connection, query, schema) if table is None else table


def _compiled(connection: Connection, query: Any) -> tuple[str, Any]:
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if connection.dialect.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    return str(compiled), params


def _rows(connection: Connection, query: Any, schema: Any) -> Any:
    """The driver's rows in batches (a server-side cursor on PostgreSQL: memory stays flat)."""
    import pyarrow as pa

    sql, params = _compiled(connection, query)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    batches = []
    if connection.dialect.name == "postgresql":
        cursor = dbapi.cursor(name="comity_columns")
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_BATCH):
            # Column by column: one C-level transposition per batch, not an append per value.
            columns = list(zip(*rows, strict=True))
            batches.append(
                pa.record_batch(
                    [pa.array(v, type=f.type) for v, f in zip(columns, schema, strict=True)],
                    schema=schema,
                )
            )
    finally:
        cursor.close()
    return pa.Table.from_batches(batches, schema=schema)


def _child_read(connection: Connection, rows_at_most: Any) -> tuple[str, int] | None:
    """The SQLite file a child reads and the rows it reads at most; None: read here."""
    if connection.dialect.name != "sqlite" or rows_at_most is None:
        return None
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    found = connection.execute(rows_at_most).scalar()
    return (database, int(found)) if found is not None and found >= CHILD_THRESHOLD else None


class _Child:
    """A reader process and the file its error messages go to."""

    def __init__(self, database: str, sql: str, rows: int) -> None:
        request = json.dumps({"database": database, "sql": sql, "rows": rows})
        # A file, not a pipe: a child that fills it never waits on a parent reading stdout.
        self.errors = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "comity.store.sqlite_columns"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errors,
            )
        except OSError:
            self.errors.close()
            raise
        assert self.process.stdin is not None
        try:
            with self.process.stdin:
                self.process.stdin.write(request.encode("utf-8"))
        except BrokenPipeError:
            pass  # it ended before reading: table() reports how, and the rows are read here

    def table(self, schema: Any) -> Any:
        """The child's table cast to ``schema``, or None when it failed (read rows instead)."""
        import pyarrow as pa

        with self.errors:
            assert self.process.stdout is not None
            with self.process.stdout:
                stream = self.process.stdout.read()
            if self.process.wait() != 0 or not stream:
                self.errors.seek(0)
                problem = self.errors.read().decode("utf-8", "replace")[-2000:]
                _LOG.warning(
                    "the columnar reader failed (exit status %s), reading rows: %s",
                    self.process.returncode,
                    problem,
                )
                return None
        table = pa.ipc.open_stream(stream).read_all()
        # The driver infers types from the values: a column of NULLs only comes back as integers.
        return table.rename_columns(schema.names).cast(schema)


def _start_child(database: str, sql: str, rows: int) -> _Child | None:
    try:
        return _Child(database, sql, rows)
    except OSError as error:
        _LOG.warning("could not start a reader of %s: %s", database, error)
        return None


def _copied_later(connection: Connection, query: Any, schema: Any) -> Callable[[], Any]:
    """Start :func:`_copied` on a connection of its own that sees what ``connection`` sees.

    The caller's transaction exports its snapshot (``pg_export_snapshot``) and the reader's
    transaction takes it (``SET TRANSACTION SNAPSHOT``), so the reads the caller starts one after
    the other run at once in two server processes, on the same data: at a million engagements
    the engagements and their participants took 10 s one after the other. The caller must keep
    its transaction open until it has the tables. When no reader can be had, or it fails, the
    copy runs on the caller's own connection.
    """
    import threading

    if connection.in_nested_transaction():  # PostgreSQL exports no snapshot from a savepoint
        here = _copied(connection, query, schema)
        return lambda: here
    token = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    done: dict[str, Any] = {}

    def read() -> None:
        try:
            done["table"] = _arrow_read(connection, str(token), query, schema)
            return
        except Exception as error:  # read with the store's own driver instead
            _LOG.info("the ADBC reader could not read (%s): reading through COPY", error)
        try:
            with connection.engine.connect() as reader:
                reader = reader.execution_options(isolation_level="REPEATABLE READ")
                reader.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{token}'")
                done["table"] = _copied(reader, query, schema)
                reader.rollback()
        except Exception as error:  # reported below, and read again on the caller's connection
            done["error"] = error

    thread = threading.Thread(target=read, name="comity-copy", daemon=True)
    thread.start()

    def finished() -> Any:
        thread.join()
        if "table" in done:
            return done["table"]
        _LOG.warning("reading on the caller's connection: %s", done.get("error"))
        return _copied(connection, query, schema)

    return finished


def _arrow_read(connection: Connection, token: str, query: Any, schema: Any) -> Any:
    """``query`` read by Apache Arrow's PostgreSQL driver, on the snapshot ``token``.

    On a connection of its own to the store, in a transaction that takes the snapshot that
    ``connection``'s transaction exported.
    """
    import adbc_driver_manager
    import adbc_driver_postgresql
    import pyarrow as pa

    sql = str(_literal(connection, query))
    uri = connection.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with (
        adbc_driver_postgresql.connect(uri) as database,
        adbc_driver_manager.AdbcConnection(database) as reader,
        adbc_driver_manager.AdbcStatement(reader) as statement,
    ):
        for setting in (
            "BEGIN ISOLATION LEVEL REPEATABLE READ",
            f"SET TRANSACTION SNAPSHOT '{token}'",
        ):
            statement.set_sql_query(setting)
            statement.execute_update()
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        table = pa.RecordBatchReader._import_from_c(stream.address).read_all()
        statement.set_sql_query("ROLLBACK")
        statement.execute_update()
    return table.rename_columns(schema.names).cast(schema)


def _copied(connection: Connection, query: Any, schema: Any) -> Any:
    """PostgreSQL's ``COPY ... TO STDOUT`` in CSV, parsed by Arrow (NULL: an unquoted empty)."""
    import pyarrow.csv as pa_csv

    compiled = _literal(connection, query)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    buffer = io.BytesIO()
    cursor: Any = dbapi.cursor()  # psycopg's, whose copy() streams the result
    try:
        with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
    finally:
        cursor.close()
    if buffer.tell() == 0:
        return schema.empty_table()
    buffer.seek(0)
    return pa_csv.read_csv(
        buffer,
        read_options=pa_csv.ReadOptions(column_names=schema.names),
        convert_options=pa_csv.ConvertOptions(
            column_types=schema,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    ).cast(schema)
