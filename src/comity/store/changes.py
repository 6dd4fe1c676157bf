"""A counter of changes to the records the analytics read, bumped in each write's transaction.

Cached analytic results carry the counter's value: one primary-key lookup tells whether they
are current, however large the store. ``store`` is a random number drawn when the store was
created, so that two stores never share a version.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, Column, Connection, String, Table, select, update

from comity.store.tables import metadata

__all__ = ["bump_records", "change_counters", "records_version"]

change_counters = Table(
    "change_counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


def bump_records(connection: Connection) -> None:
    """Count one more change to engagements, participants, people or postings."""
    connection.execute(
        update(change_counters)
        .where(change_counters.c.name == "records")
        .values(value=change_counters.c.value + 1)
    )


def records_version(connection: Connection) -> str:
    """A short digest of the store's identity and its count of changes."""
    values = dict(connection.execute(select(change_counters.c.name, change_counters.c.value)).all())
    text = f"{values.get('store')}:{values.get('records')}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
