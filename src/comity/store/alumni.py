"""Attendances of education programmes and career steps: writes, and reads for the viewer.

Every read is filtered three ways: the attendance (or step) itself, and the person it is about,
must be visible to the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from comity.access.viewer import Viewer
from comity.errors import NotFoundError
from comity.model.alumni import Attendance, CareerStep
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.labels import LabelCache
from comity.store.ownership import owner_of
from comity.store.people import get_person
from comity.store.tables_alumni import attendances, career_steps
from comity.store.visibility import visible_to

__all__ = [
    "AttendanceRow",
    "StepRow",
    "add_attendance",
    "add_career_step",
    "find_person",
    "read_attendances",
    "read_career_steps",
]


@dataclass(frozen=True)
class AttendanceRow:
    """An attendance as the figures need it."""

    id: int
    person_id: int
    person: str
    nation: str
    programme: str
    institution: str | None
    start: date
    end: date | None


@dataclass(frozen=True)
class StepRow:
    """A career step as the figures need it."""

    id: int
    person_id: int
    day: date
    rank: str | None
    position: str
    seniority: str


def _audit(viewer: Viewer) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "created_at": now,
        "created_by": viewer.name,
        "updated_at": now,
        "updated_by": viewer.name,
        "owner_nation": owner_of(viewer),
    }


def add_attendance(connection: Connection, attendance: Attendance, viewer: Viewer) -> int:
    """Store an attendance of a person the viewer may see; returns its id.

    Raises:
        NotFoundError: When the person, or the engagement named, is not visible to the viewer.
    """
    get_person(connection, attendance.person_id, viewer)
    if attendance.engagement_id is not None:
        engagements = tables.engagements
        found = connection.execute(
            select(engagements.c.id).where(
                engagements.c.id == attendance.engagement_id,
                visible_to(viewer, engagements.c.label_id, engagements.c.start_year),
            )
        ).first()
        if found is None:
            raise NotFoundError(f"No engagement with id {attendance.engagement_id}.")
    values = {
        "person_id": attendance.person_id,
        "programme": attendance.programme,
        "institution": attendance.institution,
        "engagement_id": attendance.engagement_id,
        "start_date": attendance.start.value,
        "start_precision": attendance.start.precision.value,
        "end_date": attendance.end.value if attendance.end else None,
        "end_precision": attendance.end.precision.value if attendance.end else None,
        "start_year": attendance.start.year,
        "label_id": LabelCache(connection).id_for(attendance.releasability),
    }
    new_id = int(
        connection.execute(
            insert(attendances).values(**values, **_audit(viewer)).returning(attendances.c.id)
        ).scalar_one()
    )
    bump_records(connection)
    return new_id


def add_career_step(connection: Connection, step: CareerStep, viewer: Viewer) -> int:
    """Store a career step of a person the viewer may see; returns its id.

    Raises:
        NotFoundError: When the person is not visible to the viewer.
    """
    get_person(connection, step.person_id, viewer)
    values = {
        "person_id": step.person_id,
        "step_date": step.date.value,
        "step_precision": step.date.precision.value,
        "step_year": step.date.year,
        "rank": step.rank,
        "position": step.position,
        "seniority": step.seniority.value,
        "label_id": LabelCache(connection).id_for(step.releasability),
    }
    new_id = int(
        connection.execute(
            insert(career_steps).values(**values, **_audit(viewer)).returning(career_steps.c.id)
        ).scalar_one()
    )
    bump_records(connection)
    return new_id


def find_person(connection: Connection, viewer: Viewer, name: str, nation: str) -> int | None:
    """The id of the person of this name and nation the viewer may see (the first), or None."""
    people = tables.people
    row = connection.execute(
        select(people.c.id)
        .where(
            people.c.name == name,
            people.c.nation == nation,
            visible_to(viewer, people.c.label_id, datetime.now(UTC).year),
        )
        .order_by(people.c.id)
    ).first()
    return None if row is None else int(row.id)


def read_attendances(
    connection: Connection,
    viewer: Viewer,
    *,
    programme: str | None = None,
    nation: str | None = None,
) -> list[AttendanceRow]:
    """Attendances the viewer may see, of people the viewer may see, by start date."""
    people = tables.people
    query = (
        select(attendances, people.c.name.label("person"), people.c.nation)
        .join(people, people.c.id == attendances.c.person_id)
        .where(
            visible_to(viewer, attendances.c.label_id, attendances.c.start_year),
            visible_to(viewer, people.c.label_id, datetime.now(UTC).year),
        )
        .order_by(attendances.c.start_date, attendances.c.id)
    )
    if programme:
        query = query.where(attendances.c.programme == programme)
    if nation:
        query = query.where(people.c.nation == nation)
    return [
        AttendanceRow(
            row.id,
            row.person_id,
            row.person,
            row.nation,
            row.programme,
            row.institution,
            row.start_date,
            _last_day(row.end_date, row.end_precision),
        )
        for row in connection.execute(query)
    ]


def _last_day(value: date | None, precision: str | None) -> date | None:
    from comity.model.dates import PartialDate

    if value is None or precision is None:
        return None
    return PartialDate(value=value, precision=precision).last_day


def read_career_steps(connection: Connection, viewer: Viewer) -> list[StepRow]:
    """Career steps the viewer may see, of people the viewer may see, by date."""
    people = tables.people
    query = (
        select(career_steps)
        .join(people, people.c.id == career_steps.c.person_id)
        .where(
            visible_to(viewer, career_steps.c.label_id, career_steps.c.step_year),
            visible_to(viewer, people.c.label_id, datetime.now(UTC).year),
        )
        .order_by(career_steps.c.step_date, career_steps.c.id)
    )
    return [
        StepRow(row.id, row.person_id, row.step_date, row.rank, row.position, row.seniority)
        for row in connection.execute(query)
    ]
