"""Engagements as stored: reads filtered for a viewer (writes in ``engagement_writes``).

Every read takes the viewer as a required argument, so an unfiltered read cannot be written by
accident; the filter is :func:`comity.store.visibility.visible_to`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
)

from comity.access.viewer import Viewer
from comity.errors import NotFoundError
from comity.linkage.events import event_groups
from comity.model.dates import PartialDate
from comity.model.engagements import Engagement, EngagementKind
from comity.store import tables
from comity.store.engagement_writes import (
    check_readable,
    delete_engagement,
    insert_engagements,
    update_engagement,
)
from comity.store.labels import read_labels
from comity.store.links import read_event_links
from comity.store.visibility import like_escaped, visible_to

__all__ = [
    "ORDERS",
    "EngagementFilter",
    "StoredEngagement",
    "check_readable",
    "count_by_kind",
    "count_engagements",
    "delete_engagement",
    "engagement_images",
    "get_engagement",
    "insert_engagements",
    "list_engagements",
    "update_engagement",
]

_E = tables.engagements
_P = tables.participants
_S = tables.engagement_sources
_CHUNK = 2000


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
        owner: The nation it belongs to (only its users change it); None for the
            installation's own (the bundled datasets).
    """

    id: int
    version: int
    engagement: Engagement
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    owner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the id and version, the record's fields, then the metadata.

        The record's part is built once per stored engagement (remembered pages are answered
        many times); treat the mapping as read-only.
        """
        return {
            "id": self.id,
            "version": self.version,
            **self._record,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "owner": self.owner,
        }

    @functools.cached_property
    def _record(self) -> dict[str, Any]:
        return self.engagement.model_dump(mode="json")


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
        after: Keyset cursor: only those after this (start date, id) in the list's order
            (by date only).
        order: ``oldest`` (by start date, then id), ``newest`` (the reverse), ``title`` or
            ``kind`` (then the newest first).
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
    after: tuple[date, int] | None = None
    order: str = "oldest"


ORDERS = ("newest", "oldest", "title", "kind")
"""The orders a list may come in (see :class:`EngagementFilter`)."""


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no time zone: every stored time was written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible_to(viewer, _E.c.label_id, _E.c.start_year)


def _filtered(
    query: Select[Any], viewer: Viewer, where: EngagementFilter, lead: Any = None
) -> Select[Any]:
    """Apply the filter; ``lead`` is the joined participation of ``where.nation``, if any."""
    query = query.where(_visible(viewer))
    for nation in (None if lead is not None else where.nation, where.partner):
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
        # The text is matched as typed: "%" and "_" are not wildcards.
        pattern = f"%{like_escaped(where.text.strip())}%"
        query = query.where(
            or_(
                _E.c.title.ilike(pattern, escape="\\"),
                _E.c.description.ilike(pattern, escape="\\"),
                _E.c.location.ilike(pattern, escape="\\"),
            )
        )
    if where.after is not None:
        start, last_id = where.after
        day, key = (_E.c.start_date, _E.c.id)
        if lead is not None:
            day, key = lead.c.start_date, lead.c.engagement_id
        if where.order == "newest":
            query = query.where(or_(day < start, and_(day == start, key < last_id)))
        else:
            query = query.where(or_(day > start, and_(day == start, key > last_id)))
    if where.programme:
        programme_ids = select(tables.programmes.c.id).where(
            tables.programmes.c.name == where.programme
        )
        query = query.where(_E.c.programme_id.in_(programme_ids))
    return query


def list_engagements(
    connection: Connection, viewer: Viewer, where: EngagementFilter | None = None
) -> list[StoredEngagement]:
    """Engagements the viewer may see that match ``where``, in its order (oldest first)."""
    where = where or EngagementFilter()
    day, key = _E.c.start_date, _E.c.id
    if where.nation:
        # Walk the nation's participations in date order (one index), not every engagement.
        lead = _P.alias("lead")
        query = _filtered(
            select(_E).join(lead, lead.c.engagement_id == _E.c.id), viewer, where, lead
        ).where(lead.c.nation == where.nation.upper())
        day, key = lead.c.start_date, lead.c.engagement_id
    else:
        query = _filtered(select(_E), viewer, where)
    if where.order == "oldest":
        query = query.order_by(day, key)
    elif where.order == "newest":
        query = query.order_by(day.desc(), key.desc())
    else:
        column = _E.c.title if where.order == "title" else _E.c.kind
        query = query.order_by(func.lower(column), day.desc(), key.desc())
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


def count_by_kind(connection: Connection, viewer: Viewer, nation: str) -> dict[str, int]:
    """How many engagements of each kind the nation takes part in, of those the viewer sees.

    Records linked as one event (that the viewer sees) count once.
    """
    query = (
        select(_E.c.kind, func.count())
        .join(_P, _P.c.engagement_id == _E.c.id)
        .where(_P.c.nation == nation, _visible(viewer))
        .group_by(_E.c.kind)
    )
    counts = {kind: int(count) for kind, count in connection.execute(query)}
    # An event recorded by several sources counts once: its other records are taken off.
    groups = event_groups(read_event_links(connection, viewer))
    others = [m.id for group in groups.values() for m in group[1:]]
    if others:
        events = {m.id: group[0].id for group in groups.values() for m in group}
        rows = connection.execute(
            select(_P.c.engagement_id, _E.c.kind)
            .join(_E, _E.c.id == _P.c.engagement_id)
            .where(_P.c.nation == nation, _P.c.engagement_id.in_(list(events)))
        ).all()
        seen: set[int] = set()
        for key, kind in rows:
            if events[key] in seen:
                counts[kind] -= 1
            seen.add(events[key])
    return counts


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


def engagement_images(connection: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored engagements with these ids, as the audit log keeps them, read in chunks."""
    images: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(select(_E).where(_E.c.id.in_(ids[start : start + _CHUNK])))
        images.update((s.id, s.to_dict()) for s in _assemble(connection, rows.all()))
    return images


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
            "provenance": {
                "dataset": row.source_dataset,
                "version": row.source_version,
                "row": row.source_row,
            }
            if row.source_dataset
            else None,
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
                owner=row.owner_nation,
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
