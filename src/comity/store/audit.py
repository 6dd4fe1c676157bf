"""The append-only audit log: entries written in the caller's transaction, chained by hash.

Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite: one writer at a
time by design), so that two concurrent writes cannot both follow the same entry.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from comity.access.audit import GENESIS, AuditEntry, entry_hash
from comity.store import tables_access as tables

__all__ = ["append_audit", "iter_audit", "read_audit"]

_LOCK_KEY = 727_100_001
"""PostgreSQL advisory lock of the audit chain."""

_A = tables.audit_log


def _jsonable(value: Any) -> Any:
    # Round-trip through the JSON column's own form, so the hash covers what is stored.
    import json

    return None if value is None else json.loads(json.dumps(value, default=str))


def append_audit(
    connection: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    before: Any = None,
    after: Any = None,
) -> str:
    """Append one entry after the last, in the caller's transaction; return its hash.

    Args:
        connection: A connection inside the transaction of the write being recorded.
        actor: Who wrote.
        action: What was done (create, update, delete, import, login...).
        entity: The kind of record (engagement, person, user...).
        entity_id: The record's key.
        before: The record before the write (None when created).
        after: The record after (None when deleted).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = connection.execute(
        select(_A.c.hash).order_by(_A.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = last or GENESIS
    at = datetime.now(UTC)
    key = None if entity_id is None else str(entity_id)
    before, after = _jsonable(before), _jsonable(after)
    digest = entry_hash(prev_hash, at, actor, action, entity, key, before, after)
    connection.execute(
        insert(_A).values(at=at, actor=actor, action=action, entity=entity, entity_id=key,
                          before=before, after=after, prev_hash=prev_hash, hash=digest)
    )  # fmt: skip
    return digest


def _entry(row: Any) -> AuditEntry:
    at = row.at.astimezone(UTC) if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    return AuditEntry(id=row.id, at=at, actor=row.actor, action=row.action, entity=row.entity,
                      entity_id=row.entity_id, before=row.before, after=row.after,
                      prev_hash=row.prev_hash, hash=row.hash)  # fmt: skip


def iter_audit(connection: Connection) -> Generator[AuditEntry, None, None]:
    """Every entry in order (streamed)."""
    query = select(_A).order_by(_A.c.id)
    result = connection.execution_options(yield_per=10_000).execute(query)
    try:
        for row in result:
            yield _entry(row)
    finally:
        result.close()  # also when the reader stops early


def read_audit(
    connection: Connection,
    *,
    after_id: int = 0,
    limit: int = 100,
    entity: str | None = None,
    entity_id: str | None = None,
) -> tuple[list[AuditEntry], int]:
    """A page of entries after ``after_id``, oldest first, and the total count."""
    query = select(_A).where(_A.c.id > after_id).order_by(_A.c.id).limit(limit)
    count = select(func.count()).select_from(_A)
    if entity:
        query = query.where(_A.c.entity == entity)
        count = count.where(_A.c.entity == entity)
    if entity_id:
        query = query.where(_A.c.entity_id == entity_id)
        count = count.where(_A.c.entity_id == entity_id)
    return [_entry(r) for r in connection.execute(query)], int(
        connection.execute(count).scalar_one()
    )
