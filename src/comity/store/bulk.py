"""Fast bulk inserts: one driver-level ``executemany`` per table, on SQLite and PostgreSQL.

SQLAlchemy's Core insert builds and processes a parameter dictionary per row, which costs more
than the database's own work for large imports. Rows that are already validated go straight to the
driver here; each column's own bind processor (dates on SQLite, JSON everywhere) still applies, so
the stored values are exactly those a Core insert would write.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Table

__all__ = ["driver_form", "insert_rows", "insert_tuples"]


def _processor(connection: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    dialect = connection.dialect
    found: Callable[[Any], Any] | None = (
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    )
    return found


def driver_form(connection: Connection, table: Table, column: str) -> Callable[[Any], Any]:
    """The function that turns a value of ``column`` into what the driver is given."""
    process = _processor(connection, table, column)
    return process if process is not None else _unchanged


def _unchanged(value: Any) -> Any:
    return value


def insert_tuples(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
    ready: Collection[str] = (),
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) with one ``executemany``.

    Args:
        connection: A connection inside the caller's transaction.
        table: The target table.
        columns: The column of each tuple position.
        rows: The values, as for a Core insert.
        constants: Columns with the same value in every row (processed once).
        ready: Columns whose values are already in driver form (see :func:`driver_form`).
    """
    if not rows:
        return
    dialect = connection.dialect
    fixed = {}
    for name, value in (constants or {}).items():
        process = _processor(connection, table, name)
        fixed[name] = process(value) if process is not None else value
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = [*columns, *fixed]
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    processors = [
        (index, process)
        for index, name in enumerate(columns)
        if name not in ready and (process := _processor(connection, table, name)) is not None
    ]
    tail = tuple(fixed.values())
    if processors or tail:
        # Imports repeat values (dates, empty lists): each distinct one is processed once.
        memos: list[dict[Any, Any]] = [{} for _ in processors]
        values: list[tuple[Any, ...]] = []
        for row in rows:
            record = list(row)
            for (index, process), memo in zip(processors, memos, strict=True):
                value = record[index]
                key = (value.__class__, value)  # True and 1 are equal keys, not equal JSON
                try:
                    record[index] = memo[key]
                except KeyError:
                    record[index] = memo[key] = process(value)
                except TypeError:  # unhashable: a list or a dictionary
                    record[index] = process(value)
            values.append((*record, *tail))
        connection.exec_driver_sql(sql, values)
    else:
        connection.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one ``executemany``."""
    if not rows:
        return
    columns = list(rows[0])
    insert_tuples(
        connection, table, columns, [tuple(r[c] for c in columns) for r in rows], constants
    )
