"""Fast bulk inserts: one driver-level ``executemany`` per table, on SQLite and PostgreSQL.

SQLAlchemy's Core insert builds and processes a parameter dictionary per row, which costs more
than the database's own work for large imports. Rows that are already validated go straight to the
driver here; each column's own bind processor (dates on SQLite, JSON everywhere) still applies, so
the stored values are exactly those a Core insert would write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

__all__ = ["insert_rows"]


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one ``executemany``.

    Args:
        connection: A connection inside the caller's transaction.
        table: The target table.
        rows: Column name to Python value, as for a Core insert.
        constants: Columns with the same value in every row (processed once).
    """
    if not rows:
        return
    dialect = connection.dialect
    fixed = {
        name: _processed(table, name, value, connection)
        for name, value in (constants or {}).items()
    }
    columns = list(rows[0])
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = columns + list(fixed)
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    tail = tuple(fixed.values())
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        found = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if found is not None:
            processors.append((index, found))
    values: list[tuple[Any, ...]] = []
    for row in rows:
        record = [row[c] for c in columns]
        for index, process in processors:
            record[index] = process(record[index])
        values.append((*record, *tail))
    connection.exec_driver_sql(sql, values)


def _processed(table: Table, name: str, value: Any, connection: Connection) -> Any:
    processor = (
        table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    )
    return processor(value) if processor is not None else value
