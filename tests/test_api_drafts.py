"""The API of the review queue: list, one draft, edits, decisions, and refusals.

Who may call what is in ``tests/test_api_permissions.py``; this checks what the answers hold.
The served world holds two US records of Balikatan 2015: one public, one REL USA.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from comity.store import Store
from tests.api_world import World, serve
from tests.draft_texts import make_draft, queue


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """A served fresh store."""
    with serve(store) as served:
        yield served


def _call(world: World, method: str, url: str, who: str = "planner.USA", **extra: Any) -> Any:
    role, nation = who.split(".")
    return world.client.request(method, url, headers=world.headers(role, nation), **extra)


def _queued(world: World, nation: str = "USA", **fields: Any) -> int:
    return queue(world.store, world.viewer("planner", nation), **fields)


def test_the_list_pages_through_the_queue(world: World) -> None:
    made = [_queued(world) for _ in range(3)]
    _queued(world, "FRA")
    first = _call(world, "GET", "/api/v1/drafts?limit=2", "viewer.USA")
    assert first.status_code == 200
    body = first.json()
    assert (body["status"], body["total"], body["next_offset"]) == ("pending", 3, 2)
    assert [d["id"] for d in body["items"]] == made[:0:-1]
    rest = _call(world, "GET", "/api/v1/drafts?limit=2&offset=2", "viewer.USA").json()
    assert [d["id"] for d in rest["items"]] == [made[0]]
    assert rest["next_offset"] is None
    french = _call(world, "GET", "/api/v1/drafts?status=all", "viewer.FRA").json()
    assert french["total"] == 1


def test_a_draft_lists_only_the_duplicates_its_reader_may_see(world: World) -> None:
    american = _call(world, "GET", f"/api/v1/drafts/{_queued(world)}", "viewer.USA")
    assert american.status_code == 200, american.text
    body = american.json()
    assert body["values"]["title"] == "Balikatan 2015"
    assert body["proposed"]["fields"]["kind"]["text"] == "Exercise"
    assert [d["id"] for d in body["duplicates"]] == [world.public_id, world.secret_id]
    assert body["duplicates"][0]["probability"] > 0.99
    french = _call(world, "GET", f"/api/v1/drafts/{_queued(world, 'FRA')}", "viewer.FRA").json()
    assert [d["id"] for d in french["duplicates"]] == [world.public_id]
    assert "US eyes" not in str(french)


def test_an_edit_is_kept_and_a_wrong_one_names_its_fields(world: World) -> None:
    draft_id = _queued(world)
    url = f"/api/v1/drafts/{draft_id}"
    changed = _call(
        world,
        "PATCH",
        url,
        json={
            "title": "Balikatan XXXI",
            "participants": [{"nation": "Philippines"}, {"nation": "Japan"}],
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["values"]["participants"] == [
        {"nation": "PHL", "role": "host", "personnel": None},
        {"nation": "JPN", "role": "participant", "personnel": None},
    ]
    assert changed.json()["edited"] == ["participants", "title"]
    wrong = _call(world, "PATCH", url, json={"host": "Atlantis", "end": "2015-01"})
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["value"]) for e in wrong.json()["errors"]] == [
        ("host", "Atlantis"),
        ("end", "2015-01"),
    ]
    assert wrong.json()["detail"].startswith(f"Invalid draft {draft_id} (2 problems): host: ")
    unknown = _call(world, "PATCH", url, json={"colour": "blue"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["colour"]


def test_accepting_joins_the_stored_event_the_reader_may_see(world: World) -> None:
    draft_id = _queued(world)
    answer = _call(
        world,
        "POST",
        f"/api/v1/drafts/{draft_id}/accept",
        json={"releasability": "PUBLIC", "changes": {"location": "Luzon"}},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {
        "id": draft_id,
        "status": "accepted",
        "engagement_id": body["engagement_id"],
        "releasability": "PUBLIC",
        "linked_to": world.public_id,
        "for_review": 0,
    }
    record = _call(world, "GET", f"/api/v1/engagements/{body['engagement_id']}", "viewer.FRA")
    assert record.status_code == 200
    assert record.json()["location"] == "Luzon"
    assert record.json()["provenance"]["dataset"] == "USA/news-read"
    # Linked to both US records (one event); the likelier counts, the other waits for review.
    linked = _call(world, "GET", f"/api/v1/links?status=linked&record={body['engagement_id']}")
    assert [item["left"] for item in linked.json()["items"]] == [world.public_id]
    again = _call(world, "POST", f"/api/v1/drafts/{draft_id}/reject", json={"reason": "late"})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"Draft {draft_id} was already accepted by planner.USA: only a pending draft may be "
        "rejected."
    )


def test_accepting_without_a_body_labels_the_record_for_its_nation(world: World) -> None:
    answer = _call(world, "POST", f"/api/v1/drafts/{_queued(world, 'FRA')}/accept", "planner.FRA")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["releasability"], answer.json()["linked_to"]) == (
        "REL FRA",
        world.public_id,
    )


def test_a_draft_that_is_not_an_engagement_answers_422_and_writes_nothing(world: World) -> None:
    draft_id = _queued(world, url="javascript:alert(1)")
    answer = _call(world, "POST", f"/api/v1/drafts/{draft_id}/accept")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["passage.url"]
    assert _call(world, "GET", f"/api/v1/drafts/{draft_id}").json()["status"] == "pending"


def test_a_rejection_without_a_reason_is_refused(world: World) -> None:
    draft_id = _queued(world)
    for body, field in (
        (None, "body"),
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 301}, "reason"),
    ):
        answer = _call(world, "POST", f"/api/v1/drafts/{draft_id}/reject", json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert _call(world, "GET", f"/api/v1/drafts/{draft_id}").json()["status"] == "pending"


def test_a_rejection_keeps_its_reason(world: World) -> None:
    draft_id = _queued(world)
    answer = _call(
        world, "POST", f"/api/v1/drafts/{draft_id}/reject", json={"reason": "One navy only"}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["reason"]) == ("rejected", "One navy only")
    listed = _call(world, "GET", "/api/v1/drafts?status=rejected").json()
    assert [d["id"] for d in listed["items"]] == [draft_id]


def test_a_draft_of_another_nation_is_not_found(world: World) -> None:
    draft_id = _queued(world)
    url = f"/api/v1/drafts/{draft_id}"
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"title": "Ours"}),
        ("POST", "/accept", None),
        ("POST", "/reject", {"reason": "Not ours"}),
    ):
        answer = _call(world, method, f"{url}{suffix}", "admin.FRA", json=body)
        assert answer.status_code == 404, (method, suffix)
        assert answer.json()["detail"] == f"No draft {draft_id} that you may see."
    assert _call(world, "GET", url).json()["status"] == "pending"


_NEWS = [
    {
        "text": "The Philippine Navy and the U.S. Navy began Exercise Balikatan at Subic Bay on "
        "20 April 2016, with 5,000 troops taking part.",
        "url": "https://news.example.org/balikatan-2016",
        "published": "2016-04-21",
        "publisher": "Philippine News Agency",
        "title": "Balikatan begins",
    },
    {
        "text": "Japan's destroyer Kirisame called at Cam Ranh Bay, Vietnam, on 12 April 2016.",
        "url": "https://news.example.org/kirisame",
        "published": "2016-04-13",
    },
]


def test_posted_passages_are_read_and_queued_once(world: World) -> None:
    first = _call(world, "POST", "/api/v1/drafts", json={"passages": _NEWS})
    assert first.status_code == 201, first.text
    saved = first.json()
    assert len(saved["added"]) + saved["skipped"] == len(_NEWS)
    assert saved["already_queued"] == 0
    listed = _call(world, "GET", "/api/v1/drafts", "viewer.USA").json()
    assert sorted(d["id"] for d in listed["items"]) == sorted(saved["added"])
    for item in listed["items"]:
        assert item["passage"]["url"] in {n["url"] for n in _NEWS}
        assert item["values"]["kind"] is not None
    again = _call(world, "POST", "/api/v1/drafts", json={"passages": _NEWS}).json()
    assert again == {
        "added": [],
        "already_queued": len(saved["added"]),
        "skipped": saved["skipped"],
    }


def test_posted_passages_queue_the_drafts_proposing_an_engagement(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def extracted(passages: Any) -> list[Any]:
        # As the extractor would read them: the first an exercise, the second no engagement.
        first, second = passages
        return [
            make_draft(text=first.text, url=first.url, publisher=first.publisher),
            make_draft(text=second.text, url=second.url, kind=None),
        ]

    # The handler reads the extractor when called: this one stands in for it.
    monkeypatch.setitem(
        sys.modules, "comity.extract.pipeline", SimpleNamespace(extract_passages=extracted)
    )
    answer = _call(world, "POST", "/api/v1/drafts", json={"passages": _NEWS})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"added": [1], "already_queued": 0, "skipped": 1}
    shown = _call(world, "GET", "/api/v1/drafts/1", "viewer.USA").json()
    assert shown["passage"]["url"] == _NEWS[0]["url"]
    assert shown["created_by"] == "planner.USA"


def test_posting_passages_needs_some(world: World) -> None:
    for body in ({}, {"passages": []}, {"passages": [{"text": ""}]}):
        answer = _call(world, "POST", "/api/v1/drafts", json=body)
        assert answer.status_code == 422, body
    viewer = _call(world, "POST", "/api/v1/drafts", "viewer.USA", json={"passages": _NEWS})
    assert viewer.status_code == 403


def test_a_bad_query_is_refused(world: World) -> None:
    for query, field in (
        ("status=maybe", "status"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ):
        answer = _call(world, "GET", f"/api/v1/drafts?{query}")
        assert answer.status_code == 422
        assert [e["field"] for e in answer.json()["errors"]] == [f"query.{field}"]
