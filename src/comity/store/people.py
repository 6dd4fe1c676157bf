"""Institutions, people, their postings, and assessments of engagements.

Reads of people, postings and assessments take the viewer: each record carries its own
releasability. Institutions are public reference data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, or_, select

from comity.access.viewer import Viewer
from comity.errors import ConflictError, NotFoundError
from comity.model.dates import PartialDate
from comity.model.people import Institution, Person, Posting
from comity.model.plans import Assessment
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.labels import LabelCache, read_labels
from comity.store.ownership import owner_of
from comity.store.visibility import visible_to

__all__ = [
    "add_assessment",
    "add_institution",
    "add_person",
    "add_posting",
    "get_person",
    "list_assessments",
    "list_institutions",
    "list_people",
    "list_postings",
]


def _audit(actor: str, owner: str | None) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
        "updated_by": actor,
        "owner_nation": owner,
    }


def add_institution(connection: Connection, institution: Institution) -> int:
    """Store an institution; returns its id.

    Raises:
        ConflictError: When its nation already has an institution of that name.
    """
    table = tables.institutions
    exists = connection.execute(
        select(table.c.id).where(
            table.c.nation == institution.nation, table.c.name == institution.name
        )
    ).first()
    if exists is not None:
        raise ConflictError(
            f"{institution.nation} already has an institution named {institution.name!r}."
        )
    return int(
        connection.execute(
            insert(table).values(**institution.model_dump(mode="json")).returning(table.c.id)
        ).scalar_one()
    )


def list_institutions(
    connection: Connection, nation: str | None = None
) -> list[tuple[int, Institution]]:
    """Institutions with their ids, by nation and name."""
    table = tables.institutions
    query = select(table).order_by(table.c.nation, table.c.name)
    if nation:
        query = query.where(table.c.nation == nation)
    return [
        (row.id, Institution(name=row.name, nation=row.nation, kind=row.kind, city=row.city))
        for row in connection.execute(query)
    ]


def add_person(connection: Connection, person: Person, actor: str, owner: str | None = None) -> int:
    """Store a person; returns the id."""
    table = tables.people
    values = person.model_dump(mode="json", exclude={"releasability"})
    values["label_id"] = LabelCache(connection).id_for(person.releasability)
    new_id = int(
        connection.execute(
            insert(table).values(**values, **_audit(actor, owner)).returning(table.c.id)
        ).scalar_one()
    )
    bump_records(connection)
    return new_id


def _person_visible(viewer: Viewer) -> ColumnElement[bool]:
    # People have no year of their own: membership is judged in the current year.
    return visible_to(viewer, tables.people.c.label_id, datetime.now(UTC).year)


def get_person(connection: Connection, person_id: int, viewer: Viewer) -> Person:
    """The person with this id.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    table = tables.people
    row = connection.execute(
        select(table).where(table.c.id == person_id, _person_visible(viewer))
    ).first()
    if row is None:
        raise NotFoundError(f"No person with id {person_id}.")
    labels = read_labels(connection, [row.label_id])
    return Person(
        name=row.name,
        nation=row.nation,
        rank=row.rank,
        service=row.service,
        releasability=labels.get(row.label_id),
    )


def list_people(
    connection: Connection,
    viewer: Viewer,
    *,
    nation: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[tuple[int, Person]]:
    """People the viewer may see, by name."""
    table = tables.people
    query = select(table).where(_person_visible(viewer)).order_by(table.c.name, table.c.id)
    if nation:
        query = query.where(table.c.nation == nation)
    rows = connection.execute(query.limit(limit).offset(offset)).all()
    labels = read_labels(connection, (r.label_id for r in rows))
    return [
        (
            row.id,
            Person(
                name=row.name,
                nation=row.nation,
                rank=row.rank,
                service=row.service,
                releasability=labels.get(row.label_id),
            ),
        )
        for row in rows
    ]


def add_posting(connection: Connection, posting: Posting, viewer: Viewer) -> int:
    """Store a posting of a person the viewer may see; returns its id.

    Raises:
        NotFoundError: When the person is not visible to the viewer.
    """
    get_person(connection, posting.person_id, viewer)
    table = tables.postings
    values = {
        "person_id": posting.person_id,
        "host": posting.host,
        "post": posting.post.value,
        "start_date": posting.start.value,
        "start_precision": posting.start.precision.value,
        "end_date": posting.end.value if posting.end else None,
        "end_precision": posting.end.precision.value if posting.end else None,
        "start_year": posting.start.year,
        "end_year": posting.end.last_day.year if posting.end else None,
        "institution": posting.institution,
        "label_id": LabelCache(connection).id_for(posting.releasability),
    }
    new_id = int(
        connection.execute(
            insert(table)
            .values(**values, **_audit(viewer.name, owner_of(viewer)))
            .returning(table.c.id)
        ).scalar_one()
    )
    bump_records(connection)
    return new_id


def list_postings(
    connection: Connection,
    viewer: Viewer,
    *,
    host: str | None = None,
    person_id: int | None = None,
    year: int | None = None,
) -> list[tuple[int, Posting]]:
    """Postings the viewer may see, by start date, filtered by host nation, person and year."""
    table = tables.postings
    query = (
        select(table)
        .where(visible_to(viewer, table.c.label_id, table.c.start_year))
        .order_by(table.c.start_date, table.c.id)
    )
    if host:
        query = query.where(table.c.host == host)
    if person_id is not None:
        query = query.where(table.c.person_id == person_id)
    if year is not None:
        query = query.where(
            table.c.start_year <= year, or_(table.c.end_year.is_(None), table.c.end_year >= year)
        )
    rows = connection.execute(query).all()
    labels = read_labels(connection, (r.label_id for r in rows))
    return [
        (
            row.id,
            Posting(
                person_id=row.person_id,
                host=row.host,
                post=row.post,
                start=PartialDate(value=row.start_date, precision=row.start_precision),
                end=PartialDate(value=row.end_date, precision=row.end_precision)
                if row.end_date is not None
                else None,
                institution=row.institution,
                releasability=labels.get(row.label_id),
            ),
        )
        for row in rows
    ]


def add_assessment(connection: Connection, assessment: Assessment, viewer: Viewer) -> int:
    """Store an assessment of an engagement the viewer may see; returns its id.

    Raises:
        NotFoundError: When the engagement is not visible to the viewer.
    """
    engagements = tables.engagements
    found = connection.execute(
        select(engagements.c.id).where(
            engagements.c.id == assessment.engagement_id,
            visible_to(viewer, engagements.c.label_id, engagements.c.start_year),
        )
    ).first()
    if found is None:
        raise NotFoundError(f"No engagement with id {assessment.engagement_id} to assess.")
    table = tables.assessments
    values = assessment.model_dump(mode="json", exclude={"releasability", "assessed_on"})
    values["assessed_on"] = assessment.assessed_on
    values["label_id"] = LabelCache(connection).id_for(assessment.releasability)
    return int(
        connection.execute(
            insert(table)
            .values(**values, **_audit(viewer.name, owner_of(viewer)))
            .returning(table.c.id)
        ).scalar_one()
    )


def list_assessments(
    connection: Connection, viewer: Viewer, engagement_ids: Sequence[int] | None = None
) -> list[tuple[int, Assessment]]:
    """Assessments the viewer may see (of engagements the viewer may see), newest first."""
    table = tables.assessments
    engagements = tables.engagements
    query = (
        select(table)
        .join(engagements, engagements.c.id == table.c.engagement_id)
        .where(
            visible_to(viewer, engagements.c.label_id, engagements.c.start_year),
            visible_to(viewer, table.c.label_id, engagements.c.start_year),
        )
        .order_by(table.c.assessed_on.desc(), table.c.id.desc())
    )
    if engagement_ids is not None:
        query = query.where(table.c.engagement_id.in_(list(engagement_ids)))
    rows = connection.execute(query).all()
    labels = read_labels(connection, (r.label_id for r in rows))
    fields = (
        "interoperability",
        "trust",
        "interoperability_notes",
        "cultural_notes",
        "lessons",
        "follow_up",
    )
    return [
        (
            row.id,
            Assessment(
                engagement_id=row.engagement_id,
                assessed_on=row.assessed_on,
                objectives=row.objectives,
                releasability=labels.get(row.label_id),
                **{f: getattr(row, f) for f in fields},
            ),
        )
        for row in rows
    ]
