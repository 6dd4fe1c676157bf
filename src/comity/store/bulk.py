"""Fast bulk inserts: multi-row statements sent with one driver-level ``executemany``.

SQLAlchemy's Core insert builds and processes a parameter dictionary per row, which costs more
than the database's own work for large imports. Rows that are already validated go straight to the
driver here, column by column; each column's own bind processor (dates on SQLite, JSON everywhere)
still applies, once per distinct value, so the stored values are exactly those a Core insert
would write. Each statement carries many rows (``VALUES (...), (...), ...``): the driver binds
a statement per row otherwise, which was most of the time of a million-row insert on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

__all__ = ["driver_form", "insert_columns", "insert_rows"]

_VARIABLES = 999
"""Bound values per statement: what every SQLite build accepts (PostgreSQL takes 65,535)."""


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


def _each(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """``process`` over ``values``, once per distinct value (imports repeat dates, empty lists)."""
    memo: dict[tuple[type, Any], Any] = {}
    done: list[Any] = []
    append = done.append
    for value in values:
        key = (value.__class__, value)  # True and 1 are equal keys, not equal JSON
        try:
            append(memo[key])
        except KeyError:
            append(memo.setdefault(key, process(value)))
        except TypeError:  # unhashable: a list or a dictionary
            append(process(value))
    return done


def insert_columns(
    connection: Connection,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    ready: Collection[str] = (),
) -> None:
    """Insert rows given column by column (each sequence one column, all of the same length).

    A column with the same value in every row is sent once per statement, not once per row, and
    a column with no value in any row is left out (its default is NULL), on SQLite: binding the
    values was most of the work of a large insert.

    Args:
        connection: A connection inside the caller's transaction.
        table: The target table.
        columns: Column name -> its values, as for a Core insert.
        constants: Columns with the same value in every row.
        ready: Columns whose values are already in driver form (see :func:`driver_form`).
    """
    count = len(next(iter(columns.values()))) if columns else 0
    if not count:
        return
    varying: dict[str, Sequence[Any]] = {}
    fixed: dict[str, Any] = dict(constants or {})
    for position, (name, values) in enumerate(columns.items()):
        first = values[0]
        if not position or not _uniform(values, first):  # one column carries the row count
            varying[name] = values
        elif first is not None or _has_default(table, name):
            fixed[name] = first
    processed: list[Sequence[Any]] = []
    for name, values in varying.items():
        process = None if name in ready else _processor(connection, table, name)
        processed.append(values if process is None else _each(process, values))
    shared = []
    for name, value in fixed.items():
        process = None if name in ready else _processor(connection, table, name)
        shared.append(process(value) if process is not None else value)
    _insert(connection, table, list(varying), processed, list(fixed), shared, count)


def _uniform(values: Sequence[Any], first: Any) -> bool:
    """All values are the same, of the same type (True and 1 are equal, not the same JSON)."""
    if values[-1] != first or values[len(values) // 2] != first:  # most columns tell at once
        return False
    return values.count(first) == len(values) and len(set(map(type, values))) == 1


def _has_default(table: Table, name: str) -> bool:
    column = table.c[name]
    return column.default is not None or column.server_default is not None


def _insert(
    connection: Connection,
    table: Table,
    names: list[str],
    columns: list[Sequence[Any]],
    shared_names: list[str],
    shared: list[Any],
    count: int,
) -> None:
    """Send the rows in statements of many rows each, ``shared`` values once per statement."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    numbered = dialect.paramstyle == "qmark"
    if not numbered:  # PostgreSQL: every value bound per row
        columns = [*columns, *([value] * count for value in shared)]
        names, shared_names, shared = [*names, *shared_names], [], []
    width = len(names)
    per = max(1, (_VARIABLES - len(shared)) // width)
    flat: list[Any] = [None] * (count * width)
    for position, values in enumerate(columns):
        flat[position::width] = values
    head = (
        f"INSERT INTO {quote(table.name)} "
        f"({', '.join(quote(c) for c in [*names, *shared_names])}) VALUES "
    )
    tail = tuple(shared)

    def statement(rows: int) -> str:
        if not numbered:
            return head + ", ".join([f"({', '.join(['%s'] * width)})"] * rows)
        after = [f"?{rows * width + k + 1}" for k in range(len(shared))]
        return head + ", ".join(
            "(" + ", ".join([*(f"?{r * width + k + 1}" for k in range(width)), *after]) + ")"
            for r in range(rows)
        )

    step = per * width
    whole = count // per * per
    if whole:
        connection.exec_driver_sql(
            statement(per),
            [(*flat[i : i + step], *tail) for i in range(0, whole * width, step)],
        )
    if whole < count:
        connection.exec_driver_sql(statement(count - whole), (*flat[whole * width :], *tail))


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (dicts with the same keys); see :func:`insert_columns`."""
    if rows:
        names = list(rows[0])
        insert_columns(connection, table, {n: [r[n] for r in rows] for n in names}, constants)
