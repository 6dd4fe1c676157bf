"""The API of record links: list, one link, decisions, the event, splitting, and refusals.

Who may call what is in ``tests/test_api_permissions.py``; this checks what the answers hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comity.access import Viewer
from comity.store import Store
from comity.store.tables_links import REASON_LENGTH
from tests.api_world import World, serve
from tests.link_pairs import pair_link


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """A served fresh store."""
    with serve(store) as served:
        yield served


def _author(world: World) -> Viewer:
    return world.viewer("planner", "USA")


def _call(world: World, method: str, url: str, who: str = "planner.USA", **extra: Any) -> Any:
    role, nation = who.split(".")
    return world.client.request(method, url, headers=world.headers(role, nation), **extra)


def test_the_list_holds_each_link_with_its_two_records(world: World) -> None:
    record, link_id = pair_link(world.store, _author(world), "Drill A")
    answer = _call(world, "GET", "/api/v1/links", "viewer.FRA")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "review" and body["next_offset"] is None
    (item,) = body["items"]
    assert item["id"] == link_id and item["status"] == "review"
    assert [r["title"] for r in item["records"]] == ["Drill A", "Drill A (press)"]
    assert item["records"][0]["id"] == record
    assert sum(c["weight"] for c in item["explanation"].values()) == pytest.approx(
        item["weight"], abs=0.01
    )


def test_the_list_pages_by_offset(world: World) -> None:
    made = [pair_link(world.store, _author(world), f"Drill {n}")[1] for n in range(3)]
    first = _call(world, "GET", "/api/v1/links?limit=2").json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = _call(world, "GET", "/api/v1/links?limit=2&offset=2").json()
    assert {item["id"] for item in first["items"] + rest["items"]} == set(made)
    assert rest["next_offset"] is None


def test_a_decision_with_its_reason_and_its_undoing(world: World) -> None:
    _, link_id = pair_link(world.store, _author(world), "Drill A")
    url = f"/api/v1/links/{link_id}"
    accepted = _call(world, "POST", f"{url}/accept", json={"reason": "One drill"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "linked"
    assert accepted.json()["decided_by"] == "planner.USA"
    shown = _call(world, "GET", url, "viewer.FRA").json()
    assert (shown["status"], shown["reason"]) == ("linked", "One drill")
    assert _call(world, "POST", f"{url}/reject").json()["status"] == "rejected"
    undone = _call(world, "POST", f"{url}/undo").json()
    assert (undone["status"], undone["decided_by"]) == ("review", None)


def test_the_event_and_the_split(world: World) -> None:
    record, link_id = pair_link(world.store, _author(world), "Drill A")
    alone = _call(world, "GET", f"/api/v1/engagements/{record}/event").json()
    assert [r["id"] for r in alone["records"]] == [record]
    _call(world, "POST", f"/api/v1/links/{link_id}/accept")
    event = _call(world, "GET", f"/api/v1/engagements/{record}/event", "viewer.FRA").json()
    assert len(event["records"]) == 2
    assert event["fields"]["title"] == {"value": "Drill A", "record": record}
    assert event["nations"] == {"PHL": [record, record + 1], "USA": [record, record + 1]}
    split = _call(world, "POST", f"/api/v1/engagements/{record}/split", json={"reason": "Two"})
    assert split.status_code == 200, split.text
    assert split.json()["engagement"] == record
    assert [(r["id"], r["status"], r["reason"]) for r in split.json()["rejected"]] == [
        (link_id, "rejected", "Two")
    ]


def test_a_link_to_a_record_of_rel_usa_is_not_found_for_france(world: World) -> None:
    _, link_id = pair_link(world.store, _author(world), "Drill A (US eyes)", "REL USA")
    hidden = _call(world, "GET", f"/api/v1/links/{link_id}", "viewer.FRA")
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == f"No link {link_id} that you may see."
    assert _call(world, "GET", "/api/v1/links", "viewer.FRA").json()["items"] == []
    assert _call(world, "GET", "/api/v1/links", "viewer.USA").json()["items"][0]["id"] == link_id


def test_another_nations_planner_may_not_decide(world: World) -> None:
    _, link_id = pair_link(world.store, _author(world), "Drill A")
    answer = _call(world, "POST", f"/api/v1/links/{link_id}/accept", "planner.FRA")
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        f"Link {link_id} joins records of USA: you may not decide it, they may."
    )


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/links?status=maybe", "query.status"),
        ("/api/v1/links?limit=501", "query.limit"),
        ("/api/v1/links?offset=-1", "query.offset"),
    ],
)
def test_a_bad_query_is_refused(world: World, url: str, field: str) -> None:
    answer = _call(world, "GET", url)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_reason_longer_than_the_store_keeps_is_refused(world: World) -> None:
    _, link_id = pair_link(world.store, _author(world), "Drill A")
    body = {"reason": "x" * (REASON_LENGTH + 1)}
    answer = _call(world, "POST", f"/api/v1/links/{link_id}/reject", json=body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["reason"]
    assert _call(world, "GET", f"/api/v1/links/{link_id}").json()["status"] == "review"
