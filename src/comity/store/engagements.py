"""Engagements: writes in the caller's transaction, reads filtered for a viewer.

Every read takes the viewer as a required argument, so an unfiltered read cannot be written by
accident; the filter is :func:`comity.store.visibility.visible_to`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from comity.access.viewer import Viewer
from comity.errors import ConflictError, NotFoundError
from comity.model.dates import PartialDate
from comity.model.engagements import Engagement, EngagementKind
from comity.store import tables
from comity.store.labels import LabelCache, read_labels
from comity.store.visibility import visible_to

__all__ = [
    "EngagementFilter",
    "StoredEngagement",
    "count_engagements",
    "delete_engagement",
    "get_engagement",
    "insert_engagements",
    "list_engagements",
    "update_engagement",
]

_E = tables.engagements
_P = tables.participants
_S = tables.engagement_sources
_CHUNK = 500


@dataclass(frozen=True)
class StoredEngagement:
    """An engagement as stored: the record plus its id, version and who wrote it when.

    Attributes:
        id: Its key.
        version: Incremented by every update (for optimistic concurrency).
        engagement: The record.
        created_at: When it was created.
        created_by: Who created it.
        updated_at: When it was last changed.
        updated_by: Who last changed it.
    """

    id: int
    version: int
    engagement: Engagement
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the id and version, the record's fields, then the metadata."""
        return {
            "id": self.id,
            "version": self.version,
            **self.engagement.model_dump(mode="json"),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True)
class EngagementFilter:
    """Which engagements to list.

    Attributes:
        nation: Only those this nation takes part in.
        partner: With ``nation``: only those both take part in.
        kinds: Only these kinds.
        from_year: Only those active in or after this year.
        to_year: Only those active in or before this year.
        text: Text contained in the title, description or location (case-insensitive).
        programme: Only those of this programme (exact name).
        limit: At most this many (all when None).
        offset: Skip this many first.
    """

    nation: str | None = None
    partner: str | None = None
    kinds: tuple[EngagementKind, ...] = ()
    from_year: int | None = None
    to_year: int | None = None
    text: str | None = None
    programme: str | None = None
    limit: int | None = None
    offset: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no time zone: every stored time was written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _Programmes:
    """Programme ids by name, created on first use within a transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._ids: dict[str, int] = {}

    def id_for(self, name: str | None, kind: EngagementKind) -> int | None:
        if not name:
            return None
        if name not in self._ids:
            table = tables.programmes
            found = self._connection.execute(
                select(table.c.id).where(table.c.name == name)
            ).scalar_one_or_none()
            if found is None:
                found = self._connection.execute(
                    insert(table).values(name=name, kind=kind.value)
                ).inserted_primary_key[0]
            self._ids[name] = found
        return self._ids[name]


def _row(engagement: Engagement, label_id: int | None, programme_id: int | None) -> dict[str, Any]:
    details = (
        engagement.details.model_dump(mode="json", exclude={"kind"}) if engagement.details else None
    )
    return {
        "kind": engagement.kind.value,
        "title": engagement.title,
        "start_date": engagement.start.value,
        "start_precision": engagement.start.precision.value,
        "end_date": engagement.end.value if engagement.end else None,
        "end_precision": engagement.end.precision.value if engagement.end else None,
        "start_year": engagement.start_year,
        "end_year": engagement.end_year,
        "host": engagement.host,
        "location": engagement.location,
        "latitude": engagement.latitude,
        "longitude": engagement.longitude,
        "programme_id": programme_id,
        "objectives": list(engagement.objectives),
        "description": engagement.description,
        "details": details,
        "label_id": label_id,
        "external_id": engagement.external_id,
    }


def _children(
    engagement_id: int, engagement: Engagement
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    participants = [
        {
            "engagement_id": engagement_id,
            "nation": p.nation,
            "role": p.role.value,
            "personnel": p.personnel,
        }
        for p in engagement.participants
    ]
    sources = [{"engagement_id": engagement_id, **s.model_dump()} for s in engagement.sources]
    return participants, sources


def insert_engagements(
    connection: Connection, engagements: Sequence[Engagement], actor: str
) -> list[int]:
    """Insert validated engagements with their participants and sources.

    Runs in the caller's transaction: nothing is committed here.

    Args:
        connection: A connection inside a transaction.
        engagements: Records already validated (see :func:`comity.model.validate_engagement`).
        actor: Who writes them.

    Returns:
        Their new ids, in order.

    Raises:
        ConflictError: When an external id is already stored.
    """
    if not engagements:
        return []
    now = _now()
    labels = LabelCache(connection)
    programmes = _Programmes(connection)
    audit = {
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
        "updated_by": actor,
        "version": 1,
    }
    ids: list[int] = []
    for start in range(0, len(engagements), _CHUNK):
        chunk = engagements[start : start + _CHUNK]
        rows = [
            {
                **_row(e, labels.id_for(e.releasability), programmes.id_for(e.programme, e.kind)),
                **audit,
            }
            for e in chunk
        ]
        try:
            result = connection.execute(
                insert(_E).returning(_E.c.id, sort_by_parameter_order=True), rows
            )
        except IntegrityError as error:
            raise _conflict(error) from None
        chunk_ids = [row.id for row in result]
        participants: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        for engagement_id, engagement in zip(chunk_ids, chunk, strict=True):
            p, s = _children(engagement_id, engagement)
            participants.extend(p)
            sources.extend(s)
        connection.execute(insert(_P), participants)
        if sources:
            connection.execute(insert(_S), sources)
        ids.extend(chunk_ids)
    return ids


def _conflict(error: IntegrityError) -> ConflictError:
    text = str(error.orig)
    if "external_id" in text:
        return ConflictError(
            "An engagement with this external id is already stored.",
            hint="Edit the stored one, or give a different external id.",
        )
    return ConflictError(f"The store refused the write: {text}")


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible_to(viewer, _E.c.label_id, _E.c.start_year)


def _filtered(query: Select[Any], viewer: Viewer, where: EngagementFilter) -> Select[Any]:
    query = query.where(_visible(viewer))
    for nation in (where.nation, where.partner):
        if nation:
            query = query.where(
                exists().where(_P.c.engagement_id == _E.c.id, _P.c.nation == nation.upper())
            )
    if where.kinds:
        query = query.where(_E.c.kind.in_([k.value for k in where.kinds]))
    if where.from_year is not None:
        query = query.where(or_(_E.c.end_year.is_(None), _E.c.end_year >= where.from_year))
    if where.to_year is not None:
        query = query.where(_E.c.start_year <= where.to_year)
    if where.text:
        pattern = f"%{where.text.strip()}%"
        query = query.where(
            or_(
                _E.c.title.ilike(pattern),
                _E.c.description.ilike(pattern),
                _E.c.location.ilike(pattern),
            )
        )
    if where.programme:
        programme_ids = select(tables.programmes.c.id).where(
            tables.programmes.c.name == where.programme
        )
        query = query.where(_E.c.programme_id.in_(programme_ids))
    return query


def list_engagements(
    connection: Connection, viewer: Viewer, where: EngagementFilter | None = None
) -> list[StoredEngagement]:
    """Engagements the viewer may see that match ``where``, oldest first."""
    where = where or EngagementFilter()
    query = _filtered(select(_E), viewer, where).order_by(_E.c.start_date, _E.c.id)
    if where.offset:
        query = query.offset(where.offset)
    if where.limit is not None:
        query = query.limit(where.limit)
    return _assemble(connection, connection.execute(query).all())


def count_engagements(
    connection: Connection, viewer: Viewer, where: EngagementFilter | None = None
) -> int:
    """How many engagements the viewer may see match ``where`` (ignoring limit and offset)."""
    query = _filtered(select(func.count()).select_from(_E), viewer, where or EngagementFilter())
    return int(connection.execute(query).scalar_one())


def get_engagement(connection: Connection, engagement_id: int, viewer: Viewer) -> StoredEngagement:
    """The engagement with this id.

    Raises:
        NotFoundError: When there is none, or the viewer may not see it (the two are not told
            apart, so a hidden record does not betray its existence).
    """
    rows = connection.execute(select(_E).where(_E.c.id == engagement_id, _visible(viewer))).all()
    if not rows:
        raise NotFoundError(
            f"No engagement with id {engagement_id}.",
            hint="Run `comity engagements list` to see the ids.",
        )
    return _assemble(connection, rows)[0]


def _assemble(connection: Connection, rows: Sequence[Any]) -> list[StoredEngagement]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    participants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for p in connection.execute(
            select(_P).where(_P.c.engagement_id.in_(chunk)).order_by(_P.c.engagement_id)
        ):
            participants[p.engagement_id].append(
                {"nation": p.nation, "role": p.role, "personnel": p.personnel}
            )
        for s in connection.execute(
            select(_S).where(_S.c.engagement_id.in_(chunk)).order_by(_S.c.id)
        ):
            sources[s.engagement_id].append(
                {k: getattr(s, k) for k in ("dataset", "version", "row", "url", "document")}
            )
    labels = read_labels(connection, (row.label_id for row in rows))
    programme_ids = {row.programme_id for row in rows if row.programme_id is not None}
    programmes = _programme_names(connection, programme_ids)
    out = []
    for row in rows:
        data = {
            "kind": row.kind,
            "title": row.title,
            "start": PartialDate(value=row.start_date, precision=row.start_precision),
            "end": PartialDate(value=row.end_date, precision=row.end_precision)
            if row.end_date is not None
            else None,
            "participants": _ordered(participants[row.id], row.host),
            "host": row.host,
            "location": row.location,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "programme": programmes.get(row.programme_id),
            "objectives": tuple(row.objectives or ()),
            "description": row.description,
            "details": {**row.details, "kind": row.kind} if row.details is not None else None,
            "sources": sources[row.id],
            "releasability": labels.get(row.label_id),
            "external_id": row.external_id,
        }
        out.append(
            StoredEngagement(
                id=row.id,
                version=row.version,
                engagement=Engagement.model_validate(data),
                created_at=_aware(row.created_at),
                created_by=row.created_by,
                updated_at=_aware(row.updated_at),
                updated_by=row.updated_by,
            )
        )
    return out


def _ordered(participants: list[dict[str, Any]], host: str | None) -> list[dict[str, Any]]:
    # The host first, then the others by key: a stable, readable order.
    return sorted(participants, key=lambda p: (p["nation"] != host, p["nation"]))


def _programme_names(connection: Connection, ids: Iterable[int]) -> dict[int | None, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    table = tables.programmes
    rows = connection.execute(select(table.c.id, table.c.name).where(table.c.id.in_(wanted)))
    return {row.id: row.name for row in rows}


def update_engagement(
    connection: Connection,
    engagement_id: int,
    engagement: Engagement,
    viewer: Viewer,
    expected_version: int | None = None,
) -> int:
    """Replace a stored engagement with ``engagement``, in the caller's transaction.

    Args:
        connection: A connection inside a transaction.
        engagement_id: Which one.
        engagement: The new, validated record.
        viewer: Who writes; must be able to see the record.
        expected_version: Refuse the write unless the stored version is this one.

    Returns:
        The new version.

    Raises:
        NotFoundError: When there is no such engagement visible to the viewer.
        ConflictError: When the stored version is not ``expected_version``.
    """
    current = connection.execute(
        select(_E.c.version).where(_E.c.id == engagement_id, _visible(viewer))
    ).scalar_one_or_none()
    if current is None:
        raise NotFoundError(f"No engagement with id {engagement_id}.")
    if expected_version is not None and current != expected_version:
        raise ConflictError(
            f"Engagement {engagement_id} changed since you read it "
            f"(version {current}, you had {expected_version}).",
            hint="Read it again and re-apply your change.",
        )
    labels = LabelCache(connection)
    programmes = _Programmes(connection)
    values = {
        **_row(
            engagement,
            labels.id_for(engagement.releasability),
            programmes.id_for(engagement.programme, engagement.kind),
        ),
        "version": current + 1,
        "updated_at": _now(),
        "updated_by": viewer.name,
    }
    try:
        result = connection.execute(
            update(_E)
            .where(and_(_E.c.id == engagement_id, _E.c.version == current))
            .values(**values)
        )
    except IntegrityError as error:
        raise _conflict(error) from None
    if result.rowcount != 1:
        raise ConflictError(f"Engagement {engagement_id} changed while it was being written.")
    connection.execute(delete(_P).where(_P.c.engagement_id == engagement_id))
    connection.execute(delete(_S).where(_S.c.engagement_id == engagement_id))
    participants, sources = _children(engagement_id, engagement)
    connection.execute(insert(_P), participants)
    if sources:
        connection.execute(insert(_S), sources)
    return current + 1


def delete_engagement(connection: Connection, engagement_id: int, viewer: Viewer) -> None:
    """Delete an engagement with its participants and sources.

    Raises:
        NotFoundError: When there is no such engagement visible to the viewer.
    """
    found = connection.execute(
        select(_E.c.id).where(_E.c.id == engagement_id, _visible(viewer))
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"No engagement with id {engagement_id}.")
    # Children first: SQLite enforces ON DELETE CASCADE only with foreign keys on, and a
    # PostgreSQL server may be shared with tools that bypass it.
    for table in (_P, _S, tables.assessments):
        connection.execute(delete(table).where(table.c.engagement_id == engagement_id))
    connection.execute(delete(_E).where(_E.c.id == engagement_id))
