"""The review queue: queueing drafts once, reading them, edits, acceptance and its links, refusals.

Drafts are made by hand (``tests/draft_texts.py``), as the extractor would propose them.
"""

from __future__ import annotations

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from comity.services import drafts as draft_service
from comity.services import links as link_service
from comity.services.audit import audit_page
from comity.services.draft_records import default_title, sentence_around
from comity.services.engagements import count_by_kind
from comity.store import Store
from tests.draft_texts import PUBLISHER, SENTENCE, TEXT, make_draft, queue

US = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
US_VIEWER = Viewer(name="viewer.usa", nation="USA", role=Role.VIEWER)
FR = Viewer(name="planner.fra", nation="FRA", role=Role.PLANNER)
OPERATOR = Viewer.operator("tests")
PH = Viewer(name="planner.phl", nation="PHL", role=Role.PLANNER)

BALIKATAN = {
    "kind": "exercise",
    "title": "Balikatan 2015",
    "start": "2015-04-20",
    "host": "PHL",
    "participants": [{"nation": "PHL"}, {"nation": "USA"}],
}
"""The exercise as another source recorded it (the Philippines' own record)."""


def test_queuing_the_same_passage_twice_adds_nothing(any_store: Store) -> None:
    store = any_store
    draft = make_draft(url="https://news.example.org/balikatan")
    first = draft_service.save_drafts(store, US, [draft, draft])
    assert first.to_dict() == {"added": [1], "already_queued": 1, "skipped": 0}
    again = draft_service.save_drafts(store, US, [draft])
    assert again.to_dict() == {"added": [], "already_queued": 1, "skipped": 0}
    # Another nation's queue is its own: the passage is queued there too.
    assert draft_service.save_drafts(store, FR, [draft]).added == [2]
    # A draft that proposes no engagement is not queued.
    none = draft_service.save_drafts(store, US, [make_draft(kind=None)])
    assert none.to_dict() == {"added": [], "already_queued": 0, "skipped": 1}
    assert draft_service.count_drafts(store, US) == 1


def test_the_queue_lists_its_own_nations_drafts_newest_first(store: Store) -> None:
    ids = [queue(store, US) for _ in range(3)]
    french = queue(store, FR)
    listed = draft_service.list_drafts(store, US_VIEWER)
    assert [d["id"] for d in listed] == ids[::-1]
    assert [d["id"] for d in draft_service.list_drafts(store, US, limit=2, offset=1)] == [
        ids[1],
        ids[0],
    ]
    assert [d["id"] for d in draft_service.list_drafts(store, FR)] == [french]
    assert len(draft_service.list_drafts(store, OPERATOR)) == 4
    draft_service.reject_draft(store, US, ids[0], "not an exercise")
    assert [d["id"] for d in draft_service.list_drafts(store, US, status="rejected")] == [ids[0]]
    assert draft_service.count_drafts(store, US, status="all") == 3
    assert draft_service.count_drafts(store, US) == 2
    first = listed[0]
    assert (first["status"], first["owner"], first["created_by"]) == ("pending", "USA", US.name)
    assert first["values"] == {
        "kind": "exercise",
        "title": "Balikatan 2015",
        "programme": None,
        "host": "PHL",
        "participants": [
            {"nation": "PHL", "role": "host", "personnel": None},
            {"nation": "USA", "role": "participant", "personnel": None},
        ],
        "start": "2015-04-20",
        "end": "2015-04-30",
        "personnel": 5000,
        "location": "Subic Bay",
    }
    assert first["proposed"]["fields"]["kind"] == {
        "value": "exercise",
        "span": [TEXT.index("Exercise"), TEXT.index("Exercise") + 8],
        "text": "Exercise",
        "confidence": 0.87,
    }


def test_a_list_refuses_an_unknown_status() -> None:
    with pytest.raises(ValidationError) as refused:
        draft_service.list_drafts(None, US, status="maybe")  # type: ignore[arg-type]
    assert refused.value.message == (
        "Invalid query: status: must be pending, accepted, rejected, all (got maybe)"
    )


def test_a_draft_shows_the_stored_events_it_may_repeat(store: Store) -> None:
    stored = services.add_engagement(store, BALIKATAN, PH)
    # The same event labelled for France only: the United States does not see it.
    services.add_engagement(store, {**BALIKATAN, "releasability": "REL FRA"}, FR)
    # Another exercise of the Philippines that year: not the draft's event.
    other = {"title": "Kasangga", "start": "2015-10-05", "host": "PHL"}
    services.add_engagement(
        store, {**BALIKATAN, **other, "participants": [{"nation": "PHL"}, {"nation": "AUS"}]}, PH
    )
    draft_id = queue(store, US)
    shown = draft_service.get_draft(store, US, draft_id)
    (duplicate,) = shown["duplicates"]
    assert duplicate["probability"] > 0.99
    assert {k: v for k, v in duplicate.items() if k != "probability"} == {
        "id": stored.id,
        "title": "Balikatan 2015",
        "kind": "exercise",
        "start": "2015-04-20",
        "nations": ["PHL", "USA"],
    }
    assert len(draft_service.get_draft(store, FR, queue(store, FR))["duplicates"]) == 2


def test_edits_name_each_wrong_field(store: Store) -> None:
    draft_id = queue(store, US)
    changes = {
        "kind": "parade",
        "host": "Philipines",
        "start": "2015-13",
        "end": "2014",
        "personnel": -5,
        "colour": "blue",
    }
    with pytest.raises(ValidationError) as refused:
        draft_service.edit_draft(store, US, draft_id, changes)
    assert refused.value.message == (
        f"Invalid draft {draft_id} (6 problems): colour: is not a field of a draft; its fields: "
        "kind, title, programme, host, participants, start, end, personnel, location; "
        "kind: is not a kind of engagement; known kinds: exercise, education, training, "
        "research, cultural_event, visit, port_call, peacekeeping, humanitarian, outreach, "
        "agreement, alliance, media_event, arms_transfer, presence (got parade); "
        "host: unknown nation; Did you mean: Philippines (PHL)? (got Philipines); "
        "start: is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (got 2015-13); "
        "end: is before the start (2015-04-20) (got 2014); "
        "personnel: must be a whole number from 0 to 10,000,000 (got -5)"
    )
    assert draft_service.get_draft(store, US, draft_id)["edited"] == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "2015-03"}, "end: is before the start (2015-04-20) (got 2015-03)"),
        ({"start": "2015-05-02"}, "end: is before the start (2015-05-02) (got 2015-04-30)"),
        ({"participants": []}, "participants: at least one nation takes part"),
        (
            {"participants": ["PHL", "Atlantis"]},
            "participants.1.nation: unknown nation; Run `comity nations --search TEXT` to look "
            "it up. (got Atlantis)",
        ),
        (
            {"participants": ["PHL", "Philippines"]},
            "participants.1: PHL is listed more than once (got PHL)",
        ),
        (
            {"participants": [{"nation": "USA", "role": "guest"}]},
            "participants.0.role: must be host, participant, observer (got guest)",
        ),
        ({"start": ""}, "start: is required: give the day, month or year"),
        (
            {},
            "changes: name a field to change: kind, title, programme, host, participants, "
            "start, end, personnel, location",
        ),
    ],
)
def test_an_edit_is_refused_with_its_field(
    store: Store, changes: dict[str, object], message: str
) -> None:
    draft_id = queue(store, US)
    with pytest.raises(ValidationError) as refused:
        draft_service.edit_draft(store, US, draft_id, changes)
    assert refused.value.message == f"Invalid draft {draft_id}: {message}"


def test_edits_are_kept_beside_the_proposal_and_read_nations_by_name(store: Store) -> None:
    draft_id = queue(store, US)
    draft_service.edit_draft(
        store,
        US,
        draft_id,
        {"participants": ["Philippines", "United States", "JPN"], "title": "Balikatan 31"},
    )
    edited = draft_service.edit_draft(store, US, draft_id, {"start": "2015-04", "host": "Japan"})
    assert edited["edited"] == ["host", "participants", "start", "title"]
    values = edited["values"]
    assert (values["title"], values["start"], values["host"]) == ("Balikatan 31", "2015-04", "JPN")
    # The host hosts; the nation that hosted before takes part; roles otherwise kept.
    assert values["participants"] == [
        {"nation": "PHL", "role": "participant", "personnel": None},
        {"nation": "USA", "role": "participant", "personnel": None},
        {"nation": "JPN", "role": "host", "personnel": None},
    ]
    # What extraction proposed is kept as it was.
    shown = draft_service.get_draft(store, US, draft_id)
    assert shown["proposed"]["fields"]["title"]["value"] == "Balikatan 2015"
    assert [r["nation"] for r in shown["proposed"]["roles"]] == ["PHL", "USA"]


def test_accepting_writes_the_engagement_with_its_source_provenance_and_label(
    any_store: Store,
) -> None:
    store = any_store
    draft_id = queue(store, US, url="https://news.example.org/balikatan")
    result = draft_service.accept_draft(store, US, draft_id)
    assert result == {
        "id": draft_id,
        "status": "accepted",
        "engagement_id": 1,
        "releasability": "REL USA",
        "linked_to": None,
        "for_review": 0,
    }
    record = services.get_engagement(store, 1, US).to_dict()
    assert {k: record[k] for k in ("kind", "title", "start", "end", "host", "location")} == {
        "kind": "exercise",
        "title": "Balikatan 2015",
        "start": "2015-04-20",
        "end": "2015-04-30",
        "host": "PHL",
        "location": "Subic Bay",
    }
    assert record["participants"] == [
        {"nation": "PHL", "role": "host", "personnel": None},
        {"nation": "USA", "role": "participant", "personnel": None},
    ]
    assert record["sources"] == [
        {
            "dataset": None,
            "version": None,
            "row": None,
            "url": "https://news.example.org/balikatan",
            "document": f'{PUBLISHER}: "{SENTENCE}"',
        }
    ]
    assert record["provenance"] == {
        "dataset": "USA/news-read",
        "version": "rules-1",
        "row": str(draft_id),
    }
    assert (record["releasability"], record["owner"]) == ("REL USA", "USA")
    assert record["description"] == "Personnel in all: 5,000, as the source says."
    shown = draft_service.get_draft(store, US, draft_id)
    assert (shown["status"], shown["engagement_id"], shown["releasability"]) == (
        "accepted",
        1,
        "REL USA",
    )
    assert shown["decided_by"] == US.name
    # France may not read a REL USA record.
    with pytest.raises(NotFoundError):
        services.get_engagement(store, 1, FR)


def test_accepting_with_a_label_changes_and_no_title(store: Store) -> None:
    draft_id = queue(store, US, title=None)
    result = draft_service.accept_draft(
        store,
        US,
        draft_id,
        "PUBLIC",
        {
            "participants": [
                "PHL",
                "USA",
                {"nation": "Australia", "role": "observer", "personnel": 40},
            ]
        },
    )
    record = services.get_engagement(store, result["engagement_id"], FR).to_dict()
    assert record["title"] == "Exercise PHL-USA-AUS 2015"
    assert record["releasability"] == "PUBLIC"
    assert record["participants"] == [
        {"nation": "PHL", "role": "host", "personnel": None},
        {"nation": "AUS", "role": "observer", "personnel": 40},
        {"nation": "USA", "role": "participant", "personnel": None},
    ]
    assert draft_service.get_draft(store, US, draft_id)["edited"] == ["participants"]


def test_a_label_that_hides_the_record_from_its_nation_is_refused(store: Store) -> None:
    draft_id = queue(store, US)
    with pytest.raises(ValidationError) as refused:
        draft_service.accept_draft(store, US, draft_id, "REL FRA")
    assert refused.value.message == (
        f"Invalid draft {draft_id}: releasability: must include your own nation (USA), or an "
        "organisation it belongs to, so you can read it (got REL FRA)"
    )


def test_a_draft_that_is_not_a_valid_engagement_names_its_field_and_writes_nothing(
    store: Store,
) -> None:
    draft_id = queue(store, US, url="javascript:alert(1)")
    before = audit_page(store, OPERATOR, limit=1000)[1]
    with pytest.raises(ValidationError) as refused:
        draft_service.accept_draft(store, US, draft_id, changes={"title": "Balikatan XXXI"})
    assert refused.value.message == (
        f"Invalid draft {draft_id}: passage.url: javascript: addresses are refused; give a web "
        "address that starts with http:// or https:// (got 'javascript:alert(1)')"
    )
    assert refused.value.hint == f"Change it with `comity drafts edit {draft_id}`, or reject it."
    shown = draft_service.get_draft(store, US, draft_id)
    assert (shown["status"], shown["edited"]) == ("pending", [])
    assert services.count_engagements(store, OPERATOR) == 0
    assert audit_page(store, OPERATOR, limit=1000)[1] == before


def test_a_draft_without_a_kind_or_start_names_them(store: Store) -> None:
    draft_id = queue(store, US, start=None)
    with pytest.raises(ValidationError) as refused:
        draft_service.accept_draft(store, US, draft_id)
    assert refused.value.message == (
        f"Invalid draft {draft_id}: start: is missing: give the day, month or year"
    )


def test_an_accepted_draft_that_repeats_a_stored_event_joins_it_and_counts_once(
    any_store: Store,
) -> None:
    store = any_store
    stored = services.add_engagement(store, BALIKATAN, PH)
    assert count_by_kind(store, US, "PHL") == {"exercise": 1}
    draft_id = queue(store, US)
    result = draft_service.accept_draft(store, US, draft_id, "PUBLIC")
    assert (result["linked_to"], result["for_review"]) == (stored.id, 0)
    (link,) = link_service.list_links(store, US, status="linked")
    assert {link["left"], link["right"]} == {stored.id, result["engagement_id"]}
    assert link["probability"] >= 0.9 and link["decided_by"] is None
    # One event, counted once; the record entered by hand speaks for it.
    assert count_by_kind(store, US, "PHL") == {"exercise": 1}
    event = link_service.event_of(store, US, result["engagement_id"])
    assert event["event"] == stored.id
    assert [r["id"] for r in event["records"]] == [stored.id, result["engagement_id"]]


def test_a_hidden_record_is_linked_but_never_named(store: Store) -> None:
    services.add_engagement(store, {**BALIKATAN, "releasability": "REL FRA"}, FR)
    result = draft_service.accept_draft(store, US, queue(store, US), "PUBLIC")
    assert (result["linked_to"], result["for_review"]) == (None, 0)
    # France sees both records: one event for it.
    assert count_by_kind(store, FR, "PHL") == {"exercise": 1}
    assert count_by_kind(store, US, "PHL") == {"exercise": 1}


def test_a_rejection_needs_a_reason(store: Store) -> None:
    draft_id = queue(store, US)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            draft_service.reject_draft(store, US, draft_id, reason)
        assert refused.value.message == (
            "Invalid rejection: reason: is required: say why the draft is not recorded"
        )
    rejected = draft_service.reject_draft(store, US, draft_id, "  A drill of one navy.  ")
    assert (rejected["status"], rejected["reason"], rejected["decided_by"]) == (
        "rejected",
        "A drill of one navy.",
        US.name,
    )


def test_a_decided_draft_is_not_decided_again(store: Store) -> None:
    accepted, rejected = queue(store, US), queue(store, US)
    draft_service.accept_draft(store, US, accepted)
    draft_service.reject_draft(store, US, rejected, "A drill of one navy.")
    with pytest.raises(ConflictError) as refused:
        draft_service.reject_draft(store, US, accepted, "Too late")
    assert refused.value.message == (
        f"Draft {accepted} was already accepted by planner.usa: only a pending draft may be "
        "rejected."
    )
    with pytest.raises(ConflictError) as refused:
        draft_service.accept_draft(store, US, rejected)
    assert refused.value.message == (
        f"Draft {rejected} was already rejected by planner.usa: only a pending draft may be "
        "accepted."
    )
    with pytest.raises(ConflictError, match="only a pending draft may be edited"):
        draft_service.edit_draft(store, US, rejected, {"title": "Again"})
    assert services.count_engagements(store, OPERATOR) == 1


def test_a_draft_of_another_nation_is_not_found(any_store: Store) -> None:
    store = any_store
    draft_id = queue(store, US)
    message = f"No draft {draft_id} that you may see."
    calls = [
        lambda: draft_service.get_draft(store, FR, draft_id),
        lambda: draft_service.edit_draft(store, FR, draft_id, {"title": "Mine"}),
        lambda: draft_service.accept_draft(store, FR, draft_id, "REL FRA"),
        lambda: draft_service.reject_draft(store, FR, draft_id, "not ours"),
        lambda: draft_service.get_draft(store, Viewer.public(), draft_id),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as refused:
            call()
        assert refused.value.message == message
    assert draft_service.list_drafts(store, FR) == []
    assert draft_service.count_drafts(store, FR, status="all") == 0
    # The installation's operator decides for every queue.
    assert draft_service.get_draft(store, OPERATOR, draft_id)["status"] == "pending"


def test_a_viewer_may_not_queue_or_decide(store: Store) -> None:
    draft_id = queue(store, US)
    calls = {
        "queue drafts for review": lambda: draft_service.save_drafts(
            store, US_VIEWER, [make_draft()]
        ),
        "edit drafts": lambda: draft_service.edit_draft(store, US_VIEWER, draft_id, {"title": "T"}),
        "accept drafts": lambda: draft_service.accept_draft(store, US_VIEWER, draft_id),
        "reject drafts": lambda: draft_service.reject_draft(store, US_VIEWER, draft_id, "no"),
    }
    for action, call in calls.items():
        with pytest.raises(PermissionDeniedError) as refused:
            call()
        assert refused.value.message == (f"viewer.usa may not {action}: it needs the role planner.")
    assert draft_service.get_draft(store, US_VIEWER, draft_id)["status"] == "pending"


def test_every_write_is_in_the_audit_log(store: Store) -> None:
    accepted, rejected = queue(store, US), queue(store, US)
    draft_service.edit_draft(store, US, accepted, {"title": "Balikatan XXXI"})
    draft_service.accept_draft(store, US, accepted)
    draft_service.reject_draft(store, US, rejected, "Already recorded")
    entries, _ = audit_page(store, OPERATOR, limit=1000)
    logged = [(e["action"], e["entity"], e["entity_id"]) for e in entries]
    assert logged == [
        ("create", "draft", str(accepted)),
        ("create", "draft", str(rejected)),
        ("update", "draft", str(accepted)),
        ("create", "engagement", "1"),
        ("accept", "draft", str(accepted)),
        ("reject", "draft", str(rejected)),
    ]
    accept = entries[4]
    assert (accept["before"]["status"], accept["after"]["status"]) == ("pending", "accepted")
    assert accept["after"]["engagement_id"] == 1
    assert accept["after"]["edits"] == {"title": "Balikatan XXXI"}
    assert entries[5]["after"]["reason"] == "Already recorded"
    # A draft is its nation's: its entries carry no label another nation's admin could read.
    french_admin = Viewer(name="admin.fra", nation="FRA", role=Role.ADMIN)
    assert [e["entity"] for e in audit_page(store, french_admin, limit=1000)[0]] == []


def test_a_quoted_sentence_ends_at_its_full_stop_not_at_an_abbreviation() -> None:
    text = "Gen. Cruz spoke. The U.S. Navy and Japan held Exercise Keen Sword. It ended Friday."
    at = text.index("Keen")
    assert sentence_around(text, at, at + 4) == "The U.S. Navy and Japan held Exercise Keen Sword."
    assert sentence_around(text, 0, 3) == "Gen. Cruz spoke."
    assert sentence_around("One line\nOther line", 10, 12) == "Other line"
    long = "word " * 200 + "Exercise Cobra Gold " + "word " * 200
    quoted = sentence_around(long, long.index("Cobra"), long.index("Cobra") + 5)
    assert quoted.startswith("...") and quoted.endswith("...") and "Cobra Gold" in quoted
    assert len(quoted) <= 406


def test_a_default_title_names_the_kind_the_nations_and_the_year() -> None:
    assert default_title("port_call", ["USA", "VNM"], "2018-03-05") == "Port call USA-VNM 2018"
    many = ["USA", "AUS", "JPN", "KOR", "CHL"]
    assert default_title("exercise", many, "2010") == "Exercise USA-AUS-JPN-KOR and others 2010"
