"""Record links: what linkage reads from the store, the links it writes, and their reads.

Links are written for the installation (linkage scores every record); every read is filtered:
a link is shown only when both of its records are visible to the viewer, so a record a viewer
may not see never links or unlinks what they see.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from comity.access.viewer import Viewer
from comity.linkage.events import EventLink
from comity.linkage.model import LOWER, MODEL_VERSION, UPPER, ScoredPair, one_to_one
from comity.linkage.records import LINKED_KINDS, LinkColumns, LinkRecord, dated
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.tables_links import record_links
from comity.store.visibility import visible_to

__all__ = [
    "EventLink",
    "StoredLink",
    "automatic_status",
    "decide_link",
    "fresh_link_years",
    "get_link",
    "read_event_links",
    "read_link_columns",
    "read_link_records",
    "read_links",
    "sources_of",
    "write_scored",
]

_E = tables.engagements
_P = tables.participants
_L = record_links


_INDEXED_YEARS = 3
"""Up to this many years, records are read through the index on kind and start year."""


def read_link_columns(
    connection: Connection,
    distinct_sources: Iterable[str],
    kinds: Sequence[str] = LINKED_KINDS,
    years: Collection[int] | None = None,
) -> LinkColumns:
    """The engagements of the linked kinds as linkage compares them, in columns (no filter).

    One query: each engagement with its nations gathered by the database, not one row per
    participation.

    Args:
        connection: A connection.
        distinct_sources: Datasets whose records are one per key by construction: two of their
            records are never compared with each other.
        kinds: The kinds to read.
        years: Only records that start in one of these years (all when None).
    """
    distinct = set(distinct_sources)
    gathered = (
        select(func.aggregate_strings(_P.c.nation, " "))
        .where(_P.c.engagement_id == _E.c.id)
        .scalar_subquery()
    )
    programmes = tables.programmes
    query = select(
        _E.c.id,
        _E.c.source_dataset,
        _E.c.kind,
        # As text: the driver's date conversion costs more than the parse below.
        cast(_E.c.start_date, String),
        _E.c.start_precision,
        _E.c.host,
        gathered,
        programmes.c.name,
        _E.c.title,
        _E.c.location,
    ).outerjoin(programmes, programmes.c.id == _E.c.programme_id)
    wanted, sieve = set(kinds), None
    if years is None or len(years) <= _INDEXED_YEARS:
        query = query.where(_E.c.kind.in_(kinds))
        if years is not None:
            query = query.where(_E.c.start_year.in_(sorted(years)))
    else:
        # Many years are read in one pass over the table and sieved here: that beats the
        # index's random reads when they hold most of the records (a large import).
        sieve = {str(year) for year in years}
    rows = []
    for (
        key,
        source,
        kind,
        start,
        precision,
        host,
        members,
        programme,
        title,
        location,
    ) in connection.execute(query).all():
        if sieve is not None and (start[:4] not in sieve or kind not in wanted):
            continue
        when = dated(date.fromisoformat(start), precision)  # year, month, day
        nations = members.split(" ") if members else ()
        within = source not in distinct
        rows.append(
            (key, source or "", within, kind, *when, host, nations, programme, title, location)
        )
    return LinkColumns.of_rows(rows)


def read_link_records(
    connection: Connection,
    distinct_sources: Iterable[str],
    kinds: Sequence[str] = LINKED_KINDS,
    years: Collection[int] | None = None,
) -> list[LinkRecord]:
    """The engagements of :func:`read_link_columns`, one :class:`LinkRecord` each."""
    return read_link_columns(connection, distinct_sources, kinds, years).records()


def fresh_link_years(
    connection: Connection,
    source: str | None,
    ids: Collection[int],
    kinds: Sequence[str] = LINKED_KINDS,
) -> set[int]:
    """The years in which the records of dataset ``source`` or among ``ids`` start.

    Every blocking rule of the linkage model pairs records of one year, so the records of
    other years need not be read to link these.
    """
    conditions = []
    if source is not None:
        conditions.append(_E.c.source_dataset == source)
    if ids:
        conditions.append(_E.c.id.in_(sorted(ids)))
    if not conditions:
        return set()
    query = select(_E.c.start_year).distinct().where(_E.c.kind.in_(kinds), or_(*conditions))
    return set(connection.execute(query).scalars())


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


_FEW = 1_000
"""Up to this many fresh records, their links are read by id; beyond, all links are read."""


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
    if fresh is not None and len(fresh) <= _FEW:
        ids = sorted(fresh)
        for row in connection.execute(
            query.where(or_(_L.c.left_id.in_(ids), _L.c.right_id.in_(ids)))
        ):
            existing[(row.left_id, row.right_id)] = row
    else:
        # Many fresh records (an import): one pass over the links beats lists of ids.
        for row in connection.execute(query):
            if fresh is None or row.left_id in fresh or row.right_id in fresh:
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
