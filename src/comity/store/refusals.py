"""A value the database refuses while an import writes, told as the dataset and field it was.

SQLite stores almost anything; PostgreSQL refuses a text longer than its column, an integer
beyond 32 bits, a broken reference. The importers check every rule of the model first, so a
refusal means a value the model let through and a column does not take: it must still come out
as one line naming the dataset, the table and column, and the value, never as the driver's
traceback. The column is found from the statement and its parameters (SQLAlchemy's named ones,
or the positional ones of :mod:`comity.store.bulk`'s multi-row inserts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Integer, String, Table
from sqlalchemy.exc import DataError, IntegrityError

from comity.errors import ImportRejectedError
from comity.store.tables import metadata

__all__ = ["import_refusals"]

_TARGET = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?\s*(?:\(([^)]*)\))?', re.IGNORECASE)
_LENGTH = re.compile(r"character(?: varying)?\((\d+)\)")
_SUFFIX = re.compile(r"(?:_m?\d+|__\d+)$")  # SQLAlchemy's names of a multi-row insert's values
_INT32 = 2**31
_HINT = (
    "The file holds a value the store's column cannot take: correct the value in the file, or "
    "report the column if the value is right."
)


@contextmanager
def import_refusals(dataset: str) -> Iterator[None]:
    """Turn the database refusing a value of ``dataset``'s import into an ImportRejectedError.

    Wrap the import's transaction in it (outside, so that the transaction has rolled back).

    Raises:
        ImportRejectedError: Naming the dataset, the field and the value, in one line.
    """
    try:
        yield
    except (DataError, IntegrityError) as error:
        raise ImportRejectedError(_message(dataset, error), hint=_HINT) from error
    except OverflowError as error:
        # sqlite3 refuses an integer beyond 64 bits itself, before any statement runs, so the
        # error carries neither the statement nor the column.
        raise ImportRejectedError(
            f"{dataset}: the store refused a number too large for an integer column ({error}); "
            "nothing was written.",
            hint=_HINT,
        ) from error


def _message(dataset: str, error: DataError | IntegrityError) -> str:
    reason = str(error.orig if error.orig is not None else error).strip().splitlines()[0]
    detail = getattr(getattr(error.orig, "diag", None), "message_detail", None)
    target = _TARGET.match(error.statement or "")
    table = metadata.tables.get(target.group(1)) if target else None
    if table is None:
        return f"{dataset}: the store refused a record: {reason}; nothing was written."
    named = [n.strip().strip('"') for n in (target.group(2) or "").split(",")] if target else []
    found = _offending(error.params, named, table, reason)
    if found is not None:
        column, value = found
        text = str(value)
        shown = repr(value if len(text) <= 60 else f"{text[:57]}...")
        return (
            f"{dataset}: the store refused {table.name}.{column} = {shown}: {reason}; "
            "nothing was written."
        )
    more = f" ({detail})" if detail else ""
    return (
        f"{dataset}: the store refused a record of {table.name}: {reason}{more}; "
        "nothing was written."
    )


def _offending(params: Any, named: list[str], table: Table, reason: str) -> tuple[str, Any] | None:
    """The first (column, value) of the statement that its column cannot hold."""
    length = _LENGTH.search(reason)
    for column, value in _pairs(params, named, table):
        kind = table.c[column].type
        if length is not None:
            if isinstance(value, str) and isinstance(kind, String) and kind.length is not None:
                if kind.length == int(length.group(1)) and len(value) > kind.length:
                    return column, value
        elif isinstance(value, int) and not isinstance(value, bool) and isinstance(kind, Integer):
            if not -_INT32 <= value < _INT32:
                return column, value
    return None


def _pairs(params: Any, named: list[str], table: Table) -> Iterator[tuple[str, Any]]:
    """(column, value) of every parameter whose column is known."""
    rows = params if isinstance(params, list) else [params]
    for row in rows:
        if isinstance(row, Mapping):
            for key, value in row.items():
                column = key if key in table.c else _SUFFIX.sub("", str(key))
                if column in table.c:
                    yield column, value
        elif isinstance(row, Sequence) and named:
            for index, value in enumerate(row):
                column = named[index % len(named)]
                if column in table.c:
                    yield column, value
