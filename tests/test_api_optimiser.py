"""``POST /api/v1/optimise``: roles, releasability of the stocks, validation errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comity.planning.gain import gain
from comity.store import Store
from tests.api_world import World, serve

_PLAN = {
    "id": "A",
    "title": "Drill",
    "kind": "exercise",
    "partners": ["PHL"],
    "year": 2015,
    "cost": 4,
}


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """Users of every role in USA and FRA; a public and a REL USA exercise of USA and PHL."""
    with serve(store) as served:
        yield served


def test_optimise_uses_the_stocks_the_caller_may_see(world: World) -> None:
    body = {"budget": 10, "nation": "USA", "candidates": [_PLAN]}
    american = world.client.post("/api/v1/optimise", json=body, headers=world.headers("analyst"))
    french = world.client.post(
        "/api/v1/optimise", json=body, headers=world.headers("analyst", "FRA")
    )
    assert american.status_code == 200, american.text
    # Two exercises (one REL USA) in 2015 for the American: S = 2; one for the French: S = 1.
    assert american.json()["stocks"]["PHL"] == pytest.approx(2.0)
    assert french.json()["stocks"]["PHL"] == pytest.approx(1.0)
    answer = american.json()
    assert [p["id"] for p in answer["chosen"]] == ["A"]
    assert answer["exact_gain"] == pytest.approx(gain(2.0, 1.0, 20.0))
    assert answer["status"] == "optimal"
    assert answer["greedy"]["chosen"] == ["A"]


def test_optimise_reads_csv_and_defaults_to_the_callers_nation(world: World) -> None:
    csv_text = "id,title,kind,partners,year,cost\nA,Drill,exercise,Philippines,2015,4\n"
    answer = world.client.post(
        "/api/v1/optimise", json={"budget": 3, "csv": csv_text}, headers=world.headers("planner")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["nation"] == "USA"
    assert answer.json()["chosen"] == []
    assert answer.json()["binding"] == ["budget"]


def test_optimise_names_bad_rows(world: World) -> None:
    body = {"budget": 3, "candidates": [{**_PLAN, "kind": "alliance"}]}
    answer = world.client.post("/api/v1/optimise", json=body, headers=world.headers("analyst"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "row 1.kind"


def test_optimise_needs_an_analyst(world: World) -> None:
    body = {"budget": 3, "candidates": [_PLAN]}
    answer = world.client.post("/api/v1/optimise", json=body, headers=world.headers("viewer"))
    assert answer.status_code == 403


def test_alumni_and_quality_answer_what_the_caller_may_see(world: World) -> None:
    body = {"person_id": world.secret_person, "programme": "IMET", "start": "2001-08"}
    created = world.client.post("/api/v1/attendances", json=body, headers=world.headers("planner"))
    assert created.status_code == 201, created.text
    step = {
        "person_id": world.secret_person,
        "date": "2011-08",
        "position": "Chief of Staff",
        "seniority": "chief_of_defence",
    }
    assert (
        world.client.post(
            "/api/v1/career-steps", json=step, headers=world.headers("planner")
        ).status_code
        == 201
    )
    american = world.client.get("/api/v1/alumni", headers=world.headers("viewer")).json()
    assert american["figures"] == [
        {
            "group": "IMET",
            "alumni": 1,
            "senior": 1,
            "share": 1.0,
            "median_years": 10.0,
            "min_years": 10.0,
            "max_years": 10.0,
        }
    ]
    french = world.client.get("/api/v1/alumni", headers=world.headers("viewer", "FRA")).json()
    assert french["figures"] == []  # the person is REL USA
    quality = world.client.get(
        "/api/v1/quality?by=nation", headers=world.headers("viewer", "FRA")
    ).json()
    assert {g["group"]: g["records"] for g in quality["groups"]} == {"PHL": 1, "USA": 1}
    bad = world.client.get("/api/v1/quality?by=agency", headers=world.headers("viewer"))
    assert bad.status_code == 422


def test_stored_plans_releasable_to_the_caller_are_the_candidates(world: World) -> None:
    plan = {
        "title": "Drill",
        "kind": "exercise",
        "start": "2015-06-01",
        "end": "2015-06-03",
        "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "agencies": ["policy"],
        "budget": {"amount": "4", "currency": "USD"},
    }
    for extra in ({}, {"title": "Eyes only", "releasability": "REL USA"}):
        added = world.client.post(
            "/api/v1/plans", json={**plan, **extra}, headers=world.headers("planner")
        )
        assert added.status_code == 201, added.text
    body = {"budget": 10, "from_plans": True}
    american = world.client.post("/api/v1/optimise", json=body, headers=world.headers("analyst"))
    french = world.client.post(
        "/api/v1/optimise", json={**body, "nation": "USA"}, headers=world.headers("analyst", "FRA")
    )
    assert american.status_code == 200 and french.status_code == 200, american.text
    assert [p["title"] for p in american.json()["chosen"]] == ["Drill", "Eyes only"]
    assert [p["title"] for p in french.json()["chosen"]] == ["Drill"]
    both = world.client.post(
        "/api/v1/optimise", json={**body, "candidates": [_PLAN]}, headers=world.headers("analyst")
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "candidates"


def test_optimise_takes_the_stored_plans_picked_in_their_currency(world: World) -> None:
    plan = {
        "title": "Drill",
        "kind": "exercise",
        "start": "2015-06-01",
        "end": "2015-06-03",
        "partners": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        "agencies": ["policy"],
        "budget": {"amount": "4", "currency": "USD"},
    }
    ids = []
    euro = {"amount": "4", "currency": "EUR"}
    for extra in ({}, {"title": "Talks", "kind": "visit"}, {"title": "Euro", "budget": euro}):
        added = world.client.post(
            "/api/v1/plans", json={**plan, **extra}, headers=world.headers("planner")
        )
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    headers = world.headers("analyst")
    body = {"budget": 10, "from_plans": True, "plans": [ids[1]]}
    picked = world.client.post("/api/v1/optimise", json=body, headers=headers)
    assert picked.status_code == 200, picked.text
    assert [p["title"] for p in picked.json()["chosen"]] == ["Talks"]
    assert picked.json()["currency"] == "USD"
    mixed = world.client.post("/api/v1/optimise", json={**body, "plans": ids}, headers=headers)
    assert mixed.status_code == 422
    assert mixed.json()["errors"][0]["field"] == "currency"
    euros = world.client.post(
        "/api/v1/optimise", json={**body, "plans": ids, "currency": "eur"}, headers=headers
    )
    assert euros.status_code == 422
    assert [e["field"] for e in euros.json()["errors"]] == ["plans", "plans"]
    unknown = world.client.post(
        "/api/v1/optimise", json={**body, "currency": "XYZ"}, headers=headers
    )
    assert unknown.status_code == 422
