"""Institutions, people, postings and assessments on both engines, with releasability."""

from __future__ import annotations

from datetime import date

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from comity.store import Store


def test_institutions_are_unique_per_nation(any_store: Store, operator: Viewer) -> None:
    first = services.add_institution(
        any_store,
        {
            "name": "National Defense University",
            "nation": "USA",
            "kind": "war_college",
            "city": "Washington",
        },
        operator,
    )
    services.add_institution(
        any_store, {"name": "National Defense University", "nation": "PAK"}, operator
    )
    with pytest.raises(ConflictError, match="USA already has an institution"):
        services.add_institution(
            any_store, {"name": "National Defense University", "nation": "USA"}, operator
        )
    listed = services.list_institutions(any_store, "USA")
    assert [(i, inst.name, inst.kind.value) for i, inst in listed] == [
        (first, "National Defense University", "war_college")
    ]


def test_an_institution_of_an_unknown_nation_is_refused(any_store: Store, operator: Viewer) -> None:
    with pytest.raises(ValidationError, match="nation: unknown nation"):
        services.add_institution(any_store, {"name": "Nowhere Academy", "nation": "ZZZ"}, operator)


def test_postings_by_host_and_year(any_store: Store, operator: Viewer) -> None:
    person = services.add_person(
        any_store, {"name": "Col. A. Example", "nation": "AUS", "rank": "Colonel"}, operator
    )
    services.add_posting(
        any_store,
        {
            "person_id": person,
            "host": "IDN",
            "post": "defence_attache",
            "start": "2008-01",
            "end": "2010-12",
        },
        operator,
    )
    services.add_posting(
        any_store,
        {"person_id": person, "host": "JPN", "post": "liaison_officer", "start": "2012"},
        operator,
    )
    in_2009 = services.list_postings(any_store, operator, year=2009)
    assert [(p.host, p.post.value, str(p.start), str(p.end)) for _, p in in_2009] == [
        ("IDN", "defence_attache", "2008-01", "2010-12")
    ]
    assert [p.host for _, p in services.list_postings(any_store, operator, year=2020)] == ["JPN"]
    assert len(services.list_postings(any_store, operator, person_id=person)) == 2


def test_a_posting_to_a_state_that_did_not_exist_is_refused(
    any_store: Store, operator: Viewer
) -> None:
    person = services.add_person(any_store, {"name": "B", "nation": "USA"}, operator)
    with pytest.raises(ValidationError, match="host: Ukraine was not a state then"):
        services.add_posting(
            any_store, {"person_id": person, "host": "UKR", "start": "1985"}, operator
        )


def test_postings_and_people_respect_releasability(any_store: Store, operator: Viewer) -> None:
    american = Viewer(name="us", nation="USA", role=Role.PLANNER)
    french = Viewer(name="fr", nation="FRA", role=Role.PLANNER)
    person = services.add_person(
        any_store, {"name": "Hidden", "nation": "USA", "releasability": "REL USA"}, american
    )
    services.add_posting(
        any_store,
        {"person_id": person, "host": "DEU", "start": "2015", "releasability": "REL USA"},
        american,
    )
    assert len(services.list_postings(any_store, american)) == 1
    assert services.list_postings(any_store, french) == []
    with pytest.raises(NotFoundError):
        services.add_posting(
            any_store, {"person_id": person, "host": "DEU", "start": "2016"}, french
        )


def test_assessments_of_visible_engagements(any_store: Store, operator: Viewer) -> None:
    stored = services.add_engagement(
        any_store,
        {
            "kind": "exercise",
            "title": "Pitch Black 2010",
            "start": "2010-07",
            "host": "AUS",
            "participants": [{"nation": "AUS"}, {"nation": "SGP"}],
            "releasability": "REL AUS",
        },
        operator,
    )
    services.add_assessment(
        any_store,
        {
            "engagement_id": stored.id,
            "assessed_on": "2010-09-01",
            "objectives": [{"objective": "Integrate air tasking", "score": 4}],
            "interoperability": 4,
            "trust": 5,
            "lessons": "Share the air tasking order earlier.",
        },
        operator,
    )
    australian = Viewer(name="au", nation="AUS")
    found = services.list_assessments(any_store, australian)
    assert [(a.assessed_on, a.objectives[0].score, a.lessons) for _, a in found] == [
        (date(2010, 9, 1), 4, "Share the air tasking order earlier.")
    ]
    assert services.list_assessments(any_store, Viewer(name="fr", nation="FRA")) == []


def test_assessment_scores_are_one_to_five(any_store: Store, operator: Viewer) -> None:
    with pytest.raises(ValidationError, match="trust: Input should be less than or equal to 5"):
        services.add_assessment(
            any_store, {"engagement_id": 1, "assessed_on": "2010-01-01", "trust": 9}, operator
        )


def test_assessing_a_missing_engagement_is_refused(any_store: Store, operator: Viewer) -> None:
    with pytest.raises(NotFoundError, match="No engagement with id 999 to assess"):
        services.add_assessment(
            any_store, {"engagement_id": 999, "assessed_on": "2010-01-01"}, operator
        )


def test_a_viewer_may_not_write(any_store: Store) -> None:
    reader = Viewer(name="reader", nation="USA", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="needs the role planner"):
        services.add_person(any_store, {"name": "X", "nation": "USA"}, reader)
