"""Use cases of institutions, people, postings and assessments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, ValidationError
from comity.model.nations import Nation
from comity.model.people import Institution, Person, Posting
from comity.model.plans import Assessment
from comity.model.validation import validate_record
from comity.services.engagements import check_release, require
from comity.store import Store
from comity.store import nations as nation_store
from comity.store import people as people_store
from comity.store.audit import append_audit
from comity.store.ownership import owner_of

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


def _known(nations: dict[str, Nation], key: str, field: str, subject: str) -> None:
    if key not in nations:
        raise ValidationError([FieldProblem(field, "unknown nation", key)], subject)


def add_institution(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store an institution; returns its id.

    Raises:
        ValidationError: For a bad field or an unknown nation.
        ConflictError: When the nation already has an institution of that name.
    """
    require(viewer, Role.PLANNER, "add institutions")
    institution = validate_record(Institution, data, "institution")
    with store.transaction() as connection:
        _known(nation_store.load_nations(connection), institution.nation, "nation", "institution")
        new_id = people_store.add_institution(connection, institution)
        append_audit(
            connection,
            viewer.name,
            "create",
            "institution",
            new_id,
            None,
            institution.model_dump(mode="json"),
        )
        return new_id


def list_institutions(store: Store, nation: str | None = None) -> list[tuple[int, Institution]]:
    """Institutions with their ids, optionally of one nation."""
    with store.connect() as connection:
        return people_store.list_institutions(connection, nation)


def add_person(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store a person; returns the id.

    Raises:
        ValidationError: For a bad field, an unknown nation or a label beyond the author's reach.
    """
    require(viewer, Role.PLANNER, "add people")
    person = validate_record(Person, data, "person")
    check_release(viewer, person, "person")
    with store.transaction() as connection:
        _known(nation_store.load_nations(connection), person.nation, "nation", "person")
        new_id = people_store.add_person(connection, person, viewer.name, owner_of(viewer))
        append_audit(
            connection,
            viewer.name,
            "create",
            "person",
            new_id,
            None,
            person.model_dump(mode="json"),
        )
        return new_id


def list_people(
    store: Store, viewer: Viewer, *, nation: str | None = None, limit: int = 100, offset: int = 0
) -> list[tuple[int, Person]]:
    """People the viewer may see, by name."""
    with store.connect() as connection:
        return people_store.list_people(
            connection, viewer, nation=nation, limit=limit, offset=offset
        )


def get_person(store: Store, viewer: Viewer, person_id: int) -> Person:
    """One person the viewer may see.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    with store.connect() as connection:
        return people_store.get_person(connection, person_id, viewer)


def add_posting(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store a posting (e.g. a defence attaché in a host nation); returns its id.

    Raises:
        ValidationError: For a bad field, or a host nation that was not a state then.
        NotFoundError: When the person is not visible to the viewer.
    """
    require(viewer, Role.PLANNER, "add postings")
    posting = validate_record(Posting, data, "posting")
    check_release(viewer, posting, "posting")
    with store.transaction() as connection:
        nations = nation_store.load_nations(connection)
        _known(nations, posting.host, "host", "posting")
        last = posting.end.last_day if posting.end else posting.start.last_day
        if not nations[posting.host].exists_during(posting.start.first_day, last):
            raise ValidationError(
                [
                    FieldProblem(
                        "host",
                        f"{nations[posting.host].name} was not a state then "
                        f"(state-system years {nations[posting.host].years})",
                        posting.host,
                    )
                ],
                "posting",
            )
        new_id = people_store.add_posting(connection, posting, viewer)
        append_audit(
            connection,
            viewer.name,
            "create",
            "posting",
            new_id,
            None,
            posting.model_dump(mode="json"),
        )
        return new_id


def list_postings(
    store: Store,
    viewer: Viewer,
    *,
    host: str | None = None,
    person_id: int | None = None,
    year: int | None = None,
) -> list[tuple[int, Posting]]:
    """Postings the viewer may see, filtered by host nation, person and year."""
    with store.connect() as connection:
        return people_store.list_postings(
            connection, viewer, host=host, person_id=person_id, year=year
        )


def add_assessment(store: Store, data: Mapping[str, Any], viewer: Viewer) -> int:
    """Validate and store an after-action assessment of an engagement; returns its id.

    Raises:
        ValidationError: For a bad field (scores are 1-5).
        NotFoundError: When the engagement is not visible to the viewer.
    """
    require(viewer, Role.PLANNER, "assess engagements")
    assessment = validate_record(Assessment, data, "assessment")
    check_release(viewer, assessment, "assessment")
    with store.transaction() as connection:
        new_id = people_store.add_assessment(connection, assessment, viewer)
        append_audit(
            connection,
            viewer.name,
            "create",
            "assessment",
            new_id,
            None,
            assessment.model_dump(mode="json"),
        )
        return new_id


def list_assessments(
    store: Store, viewer: Viewer, engagement_ids: Sequence[int] | None = None
) -> list[tuple[int, Assessment]]:
    """Assessments the viewer may see, newest first."""
    with store.connect() as connection:
        return people_store.list_assessments(connection, viewer, engagement_ids)
