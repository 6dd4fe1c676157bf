"""The records a bundle carries: read for a partner's view, written when a bundle comes in.

A bundle holds what a viewer of the partner's nation may read, by the one releasability
condition of :mod:`comity.store.visibility`; every read here takes its readers (the partner, and
for a preview the person asking too: a record shows only when every reader may see it). Records
that came from another installation are never sent on, and the bundled datasets (which every
installation ships) are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, or_, select, true, update

from comity.access.viewer import Viewer
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.labels import LabelCache, read_labels
from comity.store.links import StoredLink, read_links
from comity.store.tables_exchange import exchange_records
from comity.store.tables_links import record_links
from comity.store.visibility import visible_to

__all__ = [
    "ASSESSMENT_FIELDS",
    "add_partner_link",
    "exportable_assessments",
    "exportable_engagements",
    "exportable_links",
    "exportable_notes",
    "insert_assessment",
    "read_assessment",
    "update_assessment",
]

_E = tables.engagements
_A = tables.assessments
_N = tables.notes
_R = exchange_records

ASSESSMENT_FIELDS = (
    "assessed_on",
    "objectives",
    "interoperability",
    "trust",
    "interoperability_notes",
    "cultural_notes",
    "lessons",
    "follow_up",
)
"""An assessment's own fields, besides its engagement and label."""


def _all_see(
    readers: Sequence[Viewer], label: ColumnElement[int], year: ColumnElement[int] | int
) -> ColumnElement[bool]:
    return and_(true(), *(visible_to(reader, label, year) for reader in readers))


def _not_received(kind: str, key: ColumnElement[int]) -> ColumnElement[bool]:
    received = select(_R.c.id).where(_R.c.kind == kind, _R.c.local_id == key).exists()
    return ~received


def _moment(value: datetime) -> str:
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()


def exportable_engagements(
    connection: Connection,
    readers: Sequence[Viewer],
    bundled: Collection[str],
    since: datetime | None = None,
) -> list[int]:
    """The ids of the engagements a bundle for ``readers`` holds, oldest first.

    Args:
        connection: A connection.
        readers: Who must be able to read each record (the partner; a preview adds its reader).
        bundled: The bundled datasets' names: their records are left out.
        since: Only records changed at or after this moment.
    """
    query = (
        select(_E.c.id)
        .where(
            _all_see(readers, _E.c.label_id, _E.c.start_year),
            or_(_E.c.source_dataset.is_(None), _E.c.source_dataset.not_in(list(bundled))),
            _not_received("engagement", _E.c.id),
        )
        .order_by(_E.c.start_date, _E.c.id)
    )
    if since is not None:
        query = query.where(_E.c.updated_at >= since)
    return [int(key) for key in connection.execute(query).scalars()]


def exportable_links(
    connection: Connection, partner: Viewer, ids: Collection[int], sent: Collection[int]
) -> list[StoredLink]:
    """The ``linked`` links between two exportable records, one of them in this bundle.

    Args:
        connection: A connection.
        partner: The partner's viewer (both records must be visible to it).
        ids: Every record a bundle for the partner may hold.
        sent: The records of this bundle.
    """
    wanted, fresh = set(ids), set(sent)
    return [
        link
        for link in read_links(connection, partner, status="linked")
        if link.left in wanted
        and link.right in wanted
        and (link.left in fresh or link.right in fresh)
    ]


def exportable_assessments(
    connection: Connection,
    readers: Sequence[Viewer],
    engagement_ids: Collection[int],
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """The assessments of these engagements that every reader may see, as a bundle holds them.

    Each: ``id``, ``engagement`` (its engagement's id), ``owner``, ``updated_at`` and
    ``record`` (the fields and the label).
    """
    wanted = list(engagement_ids)
    if not wanted:
        return []
    query = (
        select(_A, _E.c.start_year)
        .join(_E, _E.c.id == _A.c.engagement_id)
        .where(
            _A.c.engagement_id.in_(wanted),
            _all_see(readers, _A.c.label_id, _E.c.start_year),
            _not_received("assessment", _A.c.id),
        )
        .order_by(_A.c.id)
    )
    if since is not None:
        query = query.where(_A.c.updated_at >= since)
    rows = connection.execute(query).all()
    labels = read_labels(connection, (row.label_id for row in rows))
    return [
        {
            "id": row.id,
            "engagement": row.engagement_id,
            "owner": row.owner_nation,
            "updated_at": _moment(row.updated_at),
            "record": _assessment_record(row, labels),
        }
        for row in rows
    ]


def _assessment_record(row: Any, labels: dict[int, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(row, name) for name in ASSESSMENT_FIELDS}
    assessed: date = record["assessed_on"]
    record["assessed_on"] = assessed.isoformat()
    label = labels.get(row.label_id)
    record["releasability"] = str(label) if label is not None else "PUBLIC"
    return record


def exportable_notes(
    connection: Connection, readers: Sequence[Viewer], since: datetime | None = None
) -> list[dict[str, Any]]:
    """The notes every reader may see (their labels read for this year), as a bundle holds them.

    Each: ``id``, ``owner``, ``updated_at`` and ``record`` (nation, topic, title, body, label).
    """
    year = datetime.now(UTC).year
    query = (
        select(_N)
        .where(_all_see(readers, _N.c.label_id, year), _not_received("note", _N.c.id))
        .order_by(_N.c.id)
    )
    if since is not None:
        query = query.where(_N.c.updated_at >= since)
    rows = connection.execute(query).all()
    labels = read_labels(connection, (row.label_id for row in rows))
    return [
        {
            "id": row.id,
            "owner": row.owner_nation,
            "updated_at": _moment(row.updated_at),
            "record": {
                "nation": row.nation,
                "topic": row.topic,
                "title": row.title,
                "body": row.body,
                "releasability": str(labels[row.label_id]) if row.label_id else "PUBLIC",
            },
        }
        for row in rows
    ]


def read_assessment(connection: Connection, assessment_id: int) -> dict[str, Any] | None:
    """A stored assessment's fields and label (None when it was deleted), unfiltered.

    For an import's bookkeeping only: what it compares is never shown to anyone.
    """
    row = connection.execute(select(_A).where(_A.c.id == assessment_id)).first()
    if row is None:
        return None
    labels = read_labels(connection, [row.label_id])
    return {"engagement": row.engagement_id, **_assessment_record(row, labels)}


def _assessment_values(connection: Connection, record: dict[str, Any]) -> dict[str, Any]:
    from comity.model.releasability import Releasability

    values = {name: record.get(name) for name in ASSESSMENT_FIELDS}
    values["assessed_on"] = date.fromisoformat(str(record["assessed_on"]))
    label = Releasability.parse(record.get("releasability"))
    values["label_id"] = LabelCache(connection).id_for(label)
    return values


def insert_assessment(
    connection: Connection,
    engagement_id: int,
    record: dict[str, Any],
    owner: str | None,
    actor: str,
) -> int:
    """Store an assessment that came in a bundle; returns its id.

    Args:
        connection: A connection inside the import's transaction.
        engagement_id: The engagement here that it assesses.
        record: Its fields and label, checked by the model already.
        owner: The nation it belongs to.
        actor: Who imports it.
    """
    now = datetime.now(UTC)
    values = {
        **_assessment_values(connection, record),
        "engagement_id": engagement_id,
        "owner_nation": owner,
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
        "updated_by": actor,
    }
    return int(connection.execute(insert(_A).values(**values).returning(_A.c.id)).scalar_one())


def update_assessment(
    connection: Connection, assessment_id: int, record: dict[str, Any], actor: str
) -> None:
    """Replace a stored assessment's fields and label with a bundle's."""
    values = _assessment_values(connection, record)
    connection.execute(
        update(_A)
        .where(_A.c.id == assessment_id)
        .values(**values, updated_at=datetime.now(UTC), updated_by=actor)
    )


def add_partner_link(
    connection: Connection, left: int, right: int, partner: str, link: dict[str, Any]
) -> bool:
    """Link two imported records as the partner linked them, unless a link of them is stored.

    A link already stored (the model's, or a person's decision here) is left as it is. The
    partner's link counts as a decision, so that scoring again keeps it.

    Returns:
        Whether a link was added.
    """
    low, high = sorted((left, right))
    found = connection.execute(
        select(record_links.c.id).where(
            record_links.c.left_id == low, record_links.c.right_id == high
        )
    ).first()
    if found is not None or low == high:
        return False
    now = datetime.now(UTC)
    connection.execute(
        insert(record_links).values(
            left_id=low,
            right_id=high,
            probability=float(link.get("probability") or 1.0),
            weight=float(link.get("weight") or 0.0),
            explanation={},
            model_version=str(link.get("model_version") or "partner")[:20],
            status="linked",
            decided_by=f"xchg:{partner}"[:100],
            decided_at=now,
            reason=f"linked by {partner}"[:300],
            scored_at=now,
        )
    )
    bump_records(connection)
    return True
