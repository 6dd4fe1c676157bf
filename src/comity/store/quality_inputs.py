"""What the data-quality report reads: each visible engagement's filled fields and its unit.

One row per engagement the viewer may see, with the fields the report checks, when the record
was created, who created it (and that account's organisation and nation, when it is an account),
the dataset it was imported from, and its participating nations with their personnel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, exists, select

from comity.access.viewer import Viewer
from comity.model.dates import PartialDate
from comity.store import tables
from comity.store.tables_access import users
from comity.store.visibility import visible_to

__all__ = ["QualityRow", "read_quality_rows"]


@dataclass(frozen=True)
class QualityRow:
    """One engagement as the quality report sees it."""

    id: int
    title: str
    kind: str
    start: date
    end: date | None
    created_at: datetime
    host: str | None
    location: str | None
    has_coordinates: bool
    objectives: int
    details: dict[str, Any]
    source_dataset: str | None
    has_sources: bool
    created_by: str
    organisation: str | None
    account_nation: str | None
    nations: tuple[str, ...]
    personnel_known: bool


def read_quality_rows(
    connection: Connection, viewer: Viewer, nation: str | None = None
) -> list[QualityRow]:
    """Engagements the viewer may see (those of ``nation`` only, when given), oldest first."""
    e = tables.engagements
    p = tables.participants
    sources = tables.engagement_sources
    query = (
        select(
            e.c.id,
            e.c.title,
            e.c.kind,
            e.c.start_date,
            e.c.end_date,
            e.c.end_precision,
            e.c.created_at,
            e.c.host,
            e.c.location,
            e.c.latitude,
            e.c.objectives,
            e.c.details,
            e.c.source_dataset,
            e.c.created_by,
            users.c.organisation,
            users.c.nation,
            exists().where(sources.c.engagement_id == e.c.id).label("has_sources"),
        )
        .select_from(e.outerjoin(users, users.c.username == e.c.created_by))
        .where(visible_to(viewer, e.c.label_id, e.c.start_year))
        .order_by(e.c.start_date, e.c.id)
    )
    if nation:
        query = query.where(exists().where(p.c.engagement_id == e.c.id, p.c.nation == nation))
    rows = connection.execute(query).all()
    wanted = {row.id for row in rows}
    nations: dict[int, list[str]] = defaultdict(list)
    personnel: set[int] = set()
    if wanted:
        shown = select(p.c.engagement_id, p.c.nation, p.c.personnel).where(
            p.c.engagement_id.in_(
                select(e.c.id).where(visible_to(viewer, e.c.label_id, e.c.start_year))
            )
        )
        for item in connection.execute(shown):
            if item.engagement_id in wanted:
                nations[item.engagement_id].append(item.nation)
                if item.personnel is not None:
                    personnel.add(item.engagement_id)
    return [
        QualityRow(
            id=row.id,
            title=row.title,
            kind=row.kind,
            start=row.start_date,
            end=PartialDate(value=row.end_date, precision=row.end_precision).last_day
            if row.end_date is not None and row.end_precision is not None
            else None,
            created_at=row.created_at,
            host=row.host,
            location=row.location,
            has_coordinates=row.latitude is not None,
            objectives=len(row.objectives or []),
            details=dict(row.details or {}),
            source_dataset=row.source_dataset,
            has_sources=bool(row.has_sources),
            created_by=row.created_by,
            organisation=row.organisation,
            account_nation=row.nation,
            nations=tuple(sorted(nations[row.id])),
            personnel_known=row.id in personnel,
        )
        for row in rows
    ]
