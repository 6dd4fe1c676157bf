"""A counter of changes to the records the analytics read, bumped in each write's transaction.

Cached analytic results carry the counter's value: one primary-key lookup tells whether they
are current, however large the store. ``store`` is a random number drawn when the store was
created, so that two stores never share a version.

Each bump also notes what it touched (``record_changes``): the nations of the records a write
changed, or nothing for a change that may move any pair (an import, a nation's codes). An
analytic result of an earlier version is brought up to date by recomputing only the pairs of
the nations touched since (:func:`touched_since`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from comity.store.tables import metadata

__all__ = [
    "bump_records",
    "change_counters",
    "record_changes",
    "records_version",
    "touched_since",
]

KEPT_CHANGES = 200
"""How many notes of what changed are kept: a result older than that is recomputed whole."""

change_counters = Table(
    "change_counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


record_changes = Table(
    "record_changes",
    metadata,
    Column("value", BigInteger, primary_key=True, autoincrement=False),
    Column("version", String(16), nullable=False, index=True),
    # The nations whose pairs the change may move, space-separated; NULL: any pair.
    Column("nations", Text),
)


def bump_records(connection: Connection, nations: Iterable[str | None] | None = None) -> None:
    """Count one more change to engagements, participants, people or postings.

    Args:
        connection: The write's connection (inside its transaction).
        nations: The nations of the records the write changed, before and after (None: the
            change may move any pair).
    """
    connection.execute(
        update(change_counters)
        .where(change_counters.c.name == "records")
        .values(value=change_counters.c.value + 1)
    )
    value = connection.execute(
        select(change_counters.c.value).where(change_counters.c.name == "records")
    ).scalar_one()
    named = None if nations is None else " ".join(sorted({n for n in nations if n}))
    connection.execute(
        insert(record_changes).values(
            value=value, version=records_version(connection), nations=named
        )
    )
    connection.execute(delete(record_changes).where(record_changes.c.value <= value - KEPT_CHANGES))


def touched_since(connection: Connection, version: str) -> frozenset[str] | None:
    """The nations touched by every change since ``version`` (a :func:`records_version`).

    None when a change since may have moved any pair, or ``version`` is too old to know.
    """
    rows = connection.execute(
        select(record_changes.c.version, record_changes.c.nations).order_by(
            record_changes.c.value.desc()
        )
    ).all()
    touched: set[str] = set()
    for found, nations in rows:
        if found == version:
            return frozenset(touched)
        if nations is None:
            return None
        touched.update(nations.split())
    return None


def records_version(connection: Connection) -> str:
    """A short digest of the store's identity and its count of changes."""
    values = dict(connection.execute(select(change_counters.c.name, change_counters.c.value)).all())
    text = f"{values.get('store')}:{values.get('records')}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
