"""Record links: what linkage reads from the store, the links it writes, and their reads.

Links are written for the installation (linkage scores every record); every read is filtered:
a link is shown only when both of its records are visible to the viewer, so a record a viewer
may not see never links or unlinks what they see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from comity.access.viewer import Viewer
from comity.linkage.events import EventLink
from comity.linkage.model import LOWER, MODEL_VERSION, UPPER, ScoredPair, one_to_one
from comity.linkage.records import LINKED_KINDS, LinkRecord, link_record
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.tables_links import record_links
from comity.store.visibility import visible_to

__all__ = [
    "EventLink",
    "StoredLink",
    "automatic_status",
    "decide_link",
    "get_link",
    "read_event_links",
    "read_link_records",
    "read_links",
    "sources_of",
    "write_scored",
]

_E = tables.engagements
_P = tables.participants
_L = record_links


def read_link_records(
    connection: Connection, distinct_sources: Iterable[str], kinds: Sequence[str] = LINKED_KINDS
) -> list[LinkRecord]:
    """Every engagement of the linked kinds, as linkage compares it (all records: no filter).

    Args:
        connection: A connection.
        distinct_sources: Datasets whose records are one per key by construction: two of their
            records are never compared with each other.
        kinds: The kinds to read.
    """
    distinct = set(distinct_sources)
    nations: dict[int, list[str]] = defaultdict(list)
    query = (
        select(_P.c.engagement_id, _P.c.nation)
        .join(_E, _E.c.id == _P.c.engagement_id)
        .where(_E.c.kind.in_(kinds))
    )
    for engagement_id, nation in connection.execute(query):
        nations[engagement_id].append(nation)
    programmes = tables.programmes
    query = (
        select(
            _E.c.id,
            _E.c.source_dataset,
            _E.c.kind,
            _E.c.start_date,
            _E.c.start_precision,
            _E.c.host,
            programmes.c.name,
            _E.c.title,
            _E.c.location,
        )
        .outerjoin(programmes, programmes.c.id == _E.c.programme_id)
        .where(_E.c.kind.in_(kinds))
        .order_by(_E.c.id)
    )
    return [
        link_record(
            row.id,
            source=row.source_dataset,
            within=row.source_dataset not in distinct,
            kind=row.kind,
            start=row.start_date,
            precision=row.start_precision,
            host=row.host,
            nations=nations.get(row.id, ()),
            programme=row.name,
            title=row.title,
            location=row.location,
        )
        for row in connection.execute(query)
    ]


def sources_of(connection: Connection, ids: Iterable[int]) -> dict[int, str | None]:
    """The dataset key each record was imported from (None: entered by hand)."""
    query = select(_E.c.id, _E.c.source_dataset).where(_E.c.id.in_(list(ids)))
    return {row.id: row.source_dataset for row in connection.execute(query)}


def automatic_status(probability: float, same_source: bool) -> str | None:
    """The status the thresholds give a pair (None: below both, not kept).

    A pair of one source's records never links by itself: it waits for review.
    """
    if probability >= UPPER and not same_source:
        return "linked"
    if probability >= LOWER:
        return "review"
    return None


def write_scored(
    connection: Connection,
    pairs: Sequence[ScoredPair],
    source_of: dict[int, str],
    fresh: set[int] | None,
) -> tuple[int, int]:
    """Bring the links of the scored records in line with ``pairs``; returns (linked, review).

    ``linked`` counts the scored pairs that make events (one record of each other source, the
    likeliest), ``review`` the pairs newly waiting for a person.

    A person's decision stays whatever the new score; an automatic link is rescored, and an
    automatic link whose pair is no longer scored at or above :data:`LOWER` is removed (only
    among pairs with a ``fresh`` record, or all when ``fresh`` is None).
    """
    now = datetime.now(UTC)
    existing: dict[tuple[int, int], Any] = {}
    query = select(_L.c.id, _L.c.left_id, _L.c.right_id, _L.c.decided_by)
    if fresh is not None:
        ids = sorted(fresh)
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            for row in connection.execute(
                query.where(or_(_L.c.left_id.in_(chunk), _L.c.right_id.in_(chunk)))
            ):
                existing[(row.left_id, row.right_id)] = row
    else:
        for row in connection.execute(query):
            existing[(row.left_id, row.right_id)] = row
    seen: set[tuple[int, int]] = set()
    inserts: list[dict[str, Any]] = []
    counts = {"linked": 0, "review": 0}
    for pair in pairs:
        key = (pair.left, pair.right)
        same = source_of[pair.left] == source_of[pair.right]
        status = automatic_status(pair.probability, same)
        if status is None or key in seen:
            continue
        seen.add(key)
        values: dict[str, Any] = {
            "probability": pair.probability,
            "weight": pair.weight,
            "explanation": pair.explanation,
            "model_version": MODEL_VERSION,
            "scored_at": now,
        }
        found = existing.get(key)
        if found is None:
            inserts.append(
                {"left_id": pair.left, "right_id": pair.right, "status": status, **values}
            )
            counts[status] += 1
        else:
            if found.decided_by is None:
                values["status"] = status
                counts[status] += 1
            connection.execute(update(_L).where(_L.c.id == found.id).values(**values))
    if inserts:
        connection.execute(insert(_L), inserts)
    # Count the links that make events: one record of each other source (the likeliest).
    linked_pairs = [
        p
        for p in pairs
        if automatic_status(p.probability, source_of[p.left] == source_of[p.right]) == "linked"
    ]
    counts["linked"] = len(one_to_one(linked_pairs, source_of))
    stale = [row.id for key, row in existing.items() if key not in seen and row.decided_by is None]
    for start in range(0, len(stale), 10_000):
        connection.execute(delete(_L).where(_L.c.id.in_(stale[start : start + 10_000])))
    if inserts or stale or pairs:
        bump_records(connection)
    return counts["linked"], counts["review"]


@dataclass(frozen=True)
class StoredLink:
    """A link as the review shows it."""

    id: int
    left: int
    right: int
    probability: float
    weight: float
    explanation: dict[str, Any]
    model_version: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "left": self.left,
            "right": self.right,
            "probability": round(self.probability, 6),
            "weight": round(self.weight, 3),
            "explanation": self.explanation,
            "model_version": self.model_version,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "reason": self.reason,
        }


def _both_visible(viewer: Viewer) -> Any:
    left, right = _E.alias(), _E.alias()
    return (
        left,
        right,
        and_(
            visible_to(viewer, left.c.label_id, left.c.start_year),
            visible_to(viewer, right.c.label_id, right.c.start_year),
        ),
    )


def _stored(row: Any) -> StoredLink:
    decided_at = row.decided_at
    if decided_at is not None and decided_at.tzinfo is None:
        decided_at = decided_at.replace(tzinfo=UTC)
    return StoredLink(
        row.id,
        row.left_id,
        row.right_id,
        row.probability,
        row.weight,
        row.explanation,
        row.model_version,
        row.status,
        row.decided_by,
        decided_at,
        row.reason,
    )


def read_links(
    connection: Connection,
    viewer: Viewer,
    *,
    status: str | None = None,
    statuses: Sequence[str] | None = None,
    record: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredLink]:
    """Links whose two records the viewer may see, likeliest first (of a status, or several)."""
    left, right, visible = _both_visible(viewer)
    query = (
        select(_L)
        .join(left, left.c.id == _L.c.left_id)
        .join(right, right.c.id == _L.c.right_id)
        .where(visible)
        .order_by(_L.c.probability.desc(), _L.c.id)
    )
    if status is not None:
        query = query.where(_L.c.status == status)
    if statuses is not None:
        query = query.where(_L.c.status.in_(list(statuses)))
    if record is not None:
        query = query.where(or_(_L.c.left_id == record, _L.c.right_id == record))
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_stored(row) for row in connection.execute(query)]


def get_link(connection: Connection, viewer: Viewer, link_id: int) -> StoredLink | None:
    """The link with this id, when the viewer may see both of its records."""
    left, right, visible = _both_visible(viewer)
    query = (
        select(_L)
        .join(left, left.c.id == _L.c.left_id)
        .join(right, right.c.id == _L.c.right_id)
        .where(visible, _L.c.id == link_id)
    )
    row = connection.execute(query).first()
    return None if row is None else _stored(row)


def decide_link(
    connection: Connection, link_id: int, status: str, who: str | None, reason: str | None
) -> None:
    """Set a link's status as a person decided it (``who`` None: back to the model's)."""
    connection.execute(
        update(_L)
        .where(_L.c.id == link_id)
        .values(
            status=status,
            decided_by=who,
            decided_at=datetime.now(UTC) if who else None,
            reason=reason if who else None,
        )
    )
    bump_records(connection)


def read_event_links(connection: Connection, viewer: Viewer) -> list[EventLink]:
    """Every ``linked`` link whose two records the viewer may see."""
    left, right, visible = _both_visible(viewer)
    query = (
        select(
            _L.c.left_id,
            _L.c.right_id,
            _L.c.probability,
            _L.c.decided_by,
            left.c.source_dataset,
            right.c.source_dataset,
            left.c.start_precision,
            right.c.start_precision,
            left.c.start_date,
            right.c.start_date,
        )
        .join(left, left.c.id == _L.c.left_id)
        .join(right, right.c.id == _L.c.right_id)
        .where(visible, _L.c.status == "linked")
        .order_by(_L.c.left_id, _L.c.right_id)
    )
    return [
        EventLink(r[0], r[1], r[2], r[3] is not None, (r[4], r[5]), (r[6], r[7]), (r[8], r[9]))
        for r in connection.execute(query)
    ]
