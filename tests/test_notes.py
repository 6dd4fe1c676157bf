"""Curated notes on nations: add, list, edit and delete on both engines, with releasability."""

from __future__ import annotations

from datetime import date

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnknownNationError,
    ValidationError,
)
from comity.services import accounts, culture
from comity.store import Store

AMERICAN = Viewer(name="us-planner", nation="USA", role=Role.PLANNER)
FRENCH = Viewer(name="fr-planner", nation="FRA", role=Role.PLANNER)


def test_a_note_records_its_author_and_nation(any_store: Store) -> None:
    stored = culture.add_note(
        any_store,
        {
            "nation": "Saudi Arabia",
            "topic": "etiquette",
            "title": "Greetings",
            "body": "Offer and accept refreshments with the right hand.",
        },
        AMERICAN,
    )
    assert stored.note.nation == "SAU"
    assert stored.note.topic.value == "etiquette"
    assert (stored.created_by, stored.updated_by, stored.version) == (
        "us-planner",
        "us-planner",
        1,
    )
    assert culture.get_note(any_store, stored.id, AMERICAN) == stored


def test_notes_are_listed_by_nation_and_topic(any_store: Store, operator: Viewer) -> None:
    for nation, topic, title in (
        ("JPN", "customs", "Gifts"),
        ("JPN", "protocol", "Seating"),
        ("KOR", "customs", "Titles"),
    ):
        culture.add_note(
            any_store, {"nation": nation, "topic": topic, "title": title, "body": "..."}, operator
        )
    japan = culture.list_notes(any_store, operator, nation="Japan")
    assert [(n.note.topic.value, n.note.title) for n in japan] == [
        ("customs", "Gifts"),
        ("protocol", "Seating"),
    ]
    customs = culture.list_notes(any_store, operator, topic="customs")
    assert [n.note.nation for n in customs] == ["JPN", "KOR"]


def test_a_rel_usa_note_is_not_shown_to_a_french_viewer(any_store: Store) -> None:
    hidden = culture.add_note(
        any_store,
        {
            "nation": "SAU",
            "topic": "lessons",
            "title": "Liaison",
            "body": "Use the J5 desk.",
            "releasability": "REL USA",
        },
        AMERICAN,
    )
    public = culture.add_note(
        any_store, {"nation": "SAU", "title": "Weekend", "body": "Friday and Saturday."}, AMERICAN
    )
    # By topic: lessons before other.
    assert [n.id for n in culture.list_notes(any_store, AMERICAN, nation="SAU")] == [
        hidden.id,
        public.id,
    ]
    assert [n.id for n in culture.list_notes(any_store, FRENCH, nation="SAU")] == [public.id]
    assert [n.id for n in culture.list_notes(any_store, Viewer.public())] == [public.id]
    with pytest.raises(NotFoundError, match=f"No note with id {hidden.id}."):
        culture.get_note(any_store, hidden.id, FRENCH)
    with pytest.raises(NotFoundError, match=f"No note with id {hidden.id}."):
        culture.edit_note(any_store, hidden.id, {"body": "changed"}, FRENCH)
    with pytest.raises(NotFoundError):
        culture.delete_note(any_store, hidden.id, FRENCH)


def test_a_rel_nato_note_reaches_a_french_viewer(any_store: Store) -> None:
    shared = culture.add_note(
        any_store,
        {"nation": "TUR", "title": "Protocol", "body": "...", "releasability": "REL NATO,USA"},
        AMERICAN,
    )
    assert [n.id for n in culture.list_notes(any_store, FRENCH)] == [shared.id]


def test_editing_a_note_records_the_editor_and_bumps_the_version(any_store: Store) -> None:
    stored = culture.add_note(
        any_store, {"nation": "IDN", "title": "Ramadan", "body": "Plan lighter days."}, AMERICAN
    )
    editor = Viewer(name="us-analyst-2", nation="USA", role=Role.PLANNER)
    changed = culture.edit_note(
        any_store,
        stored.id,
        {"body": "Plan lighter days; no working lunches.", "topic": "customs"},
        editor,
        expected_version=1,
    )
    assert (changed.note.body, changed.note.topic.value, changed.version) == (
        "Plan lighter days; no working lunches.",
        "customs",
        2,
    )
    assert (changed.created_by, changed.updated_by) == ("us-planner", "us-analyst-2")
    with pytest.raises(ConflictError, match=f"Note {stored.id} changed since you read it"):
        culture.edit_note(any_store, stored.id, {"title": "Late"}, editor, expected_version=1)


def test_deleting_a_note(any_store: Store, operator: Viewer) -> None:
    stored = culture.add_note(any_store, {"nation": "BRA", "title": "T", "body": "B"}, operator)
    culture.edit_note(any_store, stored.id, {"body": "C"}, operator)
    culture.delete_note(any_store, stored.id, operator)
    assert culture.list_notes(any_store, operator) == []
    entries, _ = accounts.audit_page(any_store, operator, entity="note", entity_id=str(stored.id))
    assert [
        (e["action"], (e["before"] or {}).get("body"), (e["after"] or {}).get("body"))
        for e in entries
    ] == [("create", None, "B"), ("update", "B", "C"), ("delete", "C", None)]
    assert accounts.verify_audit(any_store, Viewer.operator("tests")).ok


def test_bad_notes_are_refused_with_the_field_named(store: Store, operator: Viewer) -> None:
    with pytest.raises(ValidationError, match="Invalid note: title: String should have at least"):
        culture.add_note(store, {"nation": "BRA", "title": " ", "body": "B"}, operator)
    with pytest.raises(ValidationError, match="topic: Input should be 'customs'"):
        culture.add_note(
            store, {"nation": "BRA", "topic": "gossip", "title": "T", "body": "B"}, operator
        )
    with pytest.raises(UnknownNationError, match="Unknown nation 'Atlantis'."):
        culture.add_note(store, {"nation": "Atlantis", "title": "T", "body": "B"}, operator)
    with pytest.raises(ValidationError, match="topic: must be one of customs, etiquette"):
        culture.list_notes(store, operator, topic="gossip")


def test_a_note_hidden_from_its_own_author_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="must include your own nation"):
        culture.add_note(
            store,
            {"nation": "BRA", "title": "T", "body": "B", "releasability": "REL GBR"},
            AMERICAN,
        )


def test_a_viewer_may_not_write_notes(store: Store) -> None:
    reader = Viewer(name="reader", nation="USA", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="reader may not add notes"):
        culture.add_note(store, {"nation": "BRA", "title": "T", "body": "B"}, reader)


def test_notes_and_assessment_lessons_appear_in_the_briefing(store: Store) -> None:
    culture.add_note(
        store,
        {"nation": "SAU", "topic": "customs", "title": "Hospitality", "body": "Accept the coffee."},
        AMERICAN,
    )
    culture.add_note(
        store,
        {
            "nation": "SAU",
            "topic": "lessons",
            "title": "US only",
            "body": "Hidden from France.",
            "releasability": "REL USA",
        },
        AMERICAN,
    )
    exercise = services.add_engagement(
        store,
        {
            "kind": "exercise",
            "title": "Desert Shield Drill",
            "start": "2024-02-05",
            "end": "2024-02-08",
            "host": "SAU",
            "participants": [{"nation": "SAU"}, {"nation": "FRA"}],
        },
        FRENCH,
    )
    services.add_assessment(
        store,
        {
            "engagement_id": exercise.id,
            "assessed_on": "2024-03-01",
            "lessons": "Schedule around Friday prayers.",
            "cultural_notes": "Hosts value senior-level courtesy calls.",
        },
        FRENCH,
    )
    briefing = culture.create_briefing(
        store, FRENCH, "SAU", start=date(2024, 2, 1), end=date(2024, 2, 29)
    ).to_dict()
    assert [n["title"] for n in briefing["notes"]] == ["Hospitality"]
    assert briefing["notes"][0]["created_by"] == "us-planner"
    assert briefing["lessons"] == [
        {
            "engagement_id": exercise.id,
            "engagement": "Desert Shield Drill",
            "assessed_on": "2024-03-01",
            "lessons": "Schedule around Friday prayers.",
            "cultural_notes": "Hosts value senior-level courtesy calls.",
        }
    ]
    assert briefing["perspective"]["iso3"] == "FRA"
    assert briefing["engagements"]["count"] == 1


def test_a_note_belongs_to_its_authors_nation(store: Store, operator: Viewer) -> None:
    for title, author in (("Gifts", AMERICAN), ("Shoes", operator)):
        culture.add_note(store, {"nation": "JPN", "title": title, "body": "..."}, author)
    listed = culture.list_notes(store, operator, nation="JPN")
    assert [(n.note.title, n.owner) for n in listed] == [("Gifts", "USA"), ("Shoes", None)]
    assert [n.to_dict()["owner"] for n in listed] == ["USA", None]
