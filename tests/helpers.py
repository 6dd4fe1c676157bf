"""Small helpers shared by test modules (not fixtures)."""

from __future__ import annotations

import hashlib
import sqlite3

from comity.store import Store


def sqlite_dump_digest(store: Store) -> str:
    """A digest of every row of a SQLite store, to show an import left it exactly as it was."""
    database = store.engine.url.database
    assert database is not None
    store.dispose()
    connection = sqlite3.connect(database)
    try:
        text = "\n".join(connection.iterdump())
    finally:
        connection.close()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_from(store: Store, dataset: str) -> int:
    """How many engagements of a source dataset the store holds."""
    from sqlalchemy import func, select

    from comity.store import tables

    engagements = tables.engagements
    query = (
        select(func.count()).select_from(engagements).where(engagements.c.source_dataset == dataset)
    )
    with store.connect() as connection:
        return int(connection.execute(query).scalar_one())
