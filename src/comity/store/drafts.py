"""Draft engagements in review queues: queue them, read them, record the reviewer's decision.

A draft belongs to the queue of the nation whose user queued it; every read takes the viewer and
shows a draft only to its own nation's users (the installation's operator sees every queue). A
draft another nation queued is not found, as a draft that does not exist is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, false, func, insert, select, true, update

from comity.access.viewer import Viewer
from comity.linkage.records import LinkRecord
from comity.store import tables
from comity.store.links import read_link_records
from comity.store.tables_drafts import drafts
from comity.store.visibility import visible_to

__all__ = [
    "StoredDraft",
    "count_drafts",
    "decide_draft",
    "edit_draft",
    "get_draft",
    "insert_drafts",
    "passage_digest",
    "read_drafts",
    "visible_link_records",
]

_D = drafts
_E = tables.engagements


def passage_digest(text: str, url: str | None) -> str:
    """The SHA-256 (hex) of a passage's text and URL: the key that queues a passage once."""
    # A NUL between the two, so that moving characters from the text to the URL changes it.
    return hashlib.sha256(f"{text}\x00{url or ''}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredDraft:
    """A draft as its queue holds it.

    Attributes:
        id: Its key.
        owner: The nation whose queue it waits in (None: the installation's).
        created_at: When it was queued.
        created_by: Who queued it.
        status: ``pending``, ``accepted`` or ``rejected``.
        draft: The draft as extraction proposed it (``Draft.to_dict()``).
        edits: The reviewer's changes over it (field -> value), if any.
        digest: The passage's digest (:func:`passage_digest`).
        decided_by: Who accepted or rejected it.
        decided_at: When.
        reason: Why it was rejected.
        engagement_id: The engagement it became.
        releasability: The label chosen for that engagement.
    """

    id: int
    owner: str | None
    created_at: datetime
    created_by: str
    status: str
    draft: dict[str, Any]
    edits: dict[str, Any] | None
    digest: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    engagement_id: int | None
    releasability: str | None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite keeps no time zone: every stored time was written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _stored(row: Any) -> StoredDraft:
    created = _aware(row.created_at)
    assert created is not None
    return StoredDraft(
        id=row.id,
        owner=row.owner_nation,
        created_at=created,
        created_by=row.created_by,
        status=row.status,
        draft=row.draft,
        edits=row.edits,
        digest=row.digest,
        decided_by=row.decided_by,
        decided_at=_aware(row.decided_at),
        reason=row.reason,
        engagement_id=row.engagement_id,
        releasability=row.releasability,
    )


def _queue_of(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: the draft waits in a queue ``viewer`` may see."""
    if viewer.spans_nations:
        return true()
    if viewer.nation is None:
        return false()
    return _D.c.owner_nation == viewer.nation


def insert_drafts(
    connection: Connection,
    queued: Sequence[tuple[str, dict[str, Any]]],
    owner: str | None,
    created_by: str,
) -> tuple[list[int], int]:
    """Queue drafts for ``owner``, leaving out passages its queue already holds.

    Args:
        connection: A connection inside a transaction.
        queued: Each draft's passage digest and JSON form, in order.
        owner: The queue's nation (None: the installation's).
        created_by: Who queues them.

    Returns:
        The ids of the drafts added, in order, and how many were already queued (a passage
        given twice in ``queued`` counts once added, then once already queued).
    """
    digests = sorted({digest for digest, _ in queued})
    owned = _D.c.owner_nation.is_(None) if owner is None else _D.c.owner_nation == owner
    held: set[str] = set()
    for start in range(0, len(digests), 1000):
        chunk = digests[start : start + 1000]
        held.update(
            connection.execute(select(_D.c.digest).where(owned, _D.c.digest.in_(chunk))).scalars()
        )
    now = datetime.now(UTC)
    added: list[int] = []
    already = 0
    for digest, draft in queued:
        if digest in held:
            already += 1
            continue
        held.add(digest)
        new_id = connection.execute(
            insert(_D)
            .values(
                owner_nation=owner,
                created_at=now,
                created_by=created_by,
                status="pending",
                draft=draft,
                edits=None,
                digest=digest,
            )
            .returning(_D.c.id)
        ).scalar_one()
        added.append(int(new_id))
    return added, already


def read_drafts(
    connection: Connection,
    viewer: Viewer,
    *,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredDraft]:
    """Drafts in the queues ``viewer`` may see, of one status (every status: None), newest first."""
    query = select(_D).where(_queue_of(viewer)).order_by(_D.c.id.desc())
    if status is not None:
        query = query.where(_D.c.status == status)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_stored(row) for row in connection.execute(query)]


def count_drafts(connection: Connection, viewer: Viewer, *, status: str | None = None) -> int:
    """How many drafts :func:`read_drafts` would list without a limit."""
    query = select(func.count()).select_from(_D).where(_queue_of(viewer))
    if status is not None:
        query = query.where(_D.c.status == status)
    return int(connection.execute(query).scalar_one())


def get_draft(
    connection: Connection, viewer: Viewer, draft_id: int, *, for_update: bool = False
) -> StoredDraft | None:
    """The draft with this id, when it waits in a queue ``viewer`` may see (else None).

    ``for_update`` locks its row until the transaction ends (PostgreSQL; SQLite has one writer
    at a time), so that two reviewers' changes or decisions follow one another.
    """
    query = select(_D).where(_D.c.id == draft_id, _queue_of(viewer))
    if for_update:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return None if row is None else _stored(row)


def edit_draft(connection: Connection, draft_id: int, edits: dict[str, Any]) -> bool:
    """Replace a pending draft's edits; False when it is no longer pending."""
    result = connection.execute(
        update(_D).where(_D.c.id == draft_id, _D.c.status == "pending").values(edits=edits)
    )
    return result.rowcount == 1


def decide_draft(
    connection: Connection,
    draft_id: int,
    *,
    status: str,
    who: str,
    reason: str | None = None,
    engagement_id: int | None = None,
    releasability: str | None = None,
    edits: dict[str, Any] | None = None,
) -> bool:
    """Accept or reject a pending draft; False when it is no longer pending (decided meanwhile).

    Args:
        connection: A connection inside a transaction.
        draft_id: The draft.
        status: ``accepted`` or ``rejected``.
        who: Who decided.
        reason: Why (a rejection's).
        engagement_id: The engagement an accepted draft became.
        releasability: The label chosen for it.
        edits: The edits it was accepted with (the stored ones are kept when None).
    """
    values: dict[str, Any] = {
        "status": status,
        "decided_by": who,
        "decided_at": datetime.now(UTC),
        "reason": reason,
        "engagement_id": engagement_id,
        "releasability": releasability,
    }
    if edits is not None:
        values["edits"] = edits
    result = connection.execute(
        update(_D).where(_D.c.id == draft_id, _D.c.status == "pending").values(**values)
    )
    return result.rowcount == 1


def visible_link_records(
    connection: Connection,
    viewer: Viewer,
    distinct_sources: Iterable[str],
    kind: str,
    year: int,
) -> list[LinkRecord]:
    """The stored records of one kind and year that ``viewer`` may see, as linkage compares them.

    Every blocking rule of the linkage model pairs records of one kind and one year, so these
    are all a draft of that kind and year may be scored against.
    """
    visible = set(
        connection.execute(
            select(_E.c.id).where(
                _E.c.kind == kind,
                _E.c.start_year == year,
                visible_to(viewer, _E.c.label_id, _E.c.start_year),
            )
        ).scalars()
    )
    if not visible:
        return []
    return [
        record
        for record in read_link_records(connection, distinct_sources, (kind,), (year,))
        if record.id in visible
    ]
