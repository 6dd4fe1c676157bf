"""A record labelled REL USA never reaches a French analyst, by any path of the API."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest

from comity import services
from comity.access import Viewer
from comity.store import Store
from tests.api_world import World, engagement_record, serve

SECRET_TITLE = "Balikatan 2015 (US eyes)"


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """A served fresh store."""
    with serve(store) as served:
        yield served


def _get(world: World, url: str, nation: str) -> Any:
    response = world.client.get(url, headers=world.headers("analyst", nation))
    assert response.status_code == 200, response.text
    return response.json()


def test_lists_search_and_counts_leave_the_record_out(world: World) -> None:
    for url in [
        "/api/v1/engagements?nation=PHL",
        "/api/v1/engagements?text=Balikatan",
        "/api/v1/engagements?nation=PHL&partner=USA&from_year=2015&to_year=2015",
    ]:
        american = [e["title"] for e in _get(world, url, "USA")["items"]]
        french = [e["title"] for e in _get(world, url, "FRA")["items"]]
        assert SECRET_TITLE in american
        assert SECRET_TITLE not in french and "Balikatan 2015" in french
    american = _get(world, "/api/v1/nations/PHL", "USA")
    french = _get(world, "/api/v1/nations/PHL", "FRA")
    assert american["engagements_by_kind"]["exercise"] == 2
    assert french["engagements_by_kind"]["exercise"] == 1
    people_fr = {p["name"] for p in _get(world, "/api/v1/people", "FRA")}
    people_us = {p["name"] for p in _get(world, "/api/v1/people", "USA")}
    assert people_us == {"Ana Cruz", "John Doe"} and people_fr == {"Ana Cruz"}


def _index(world: World, nation: str) -> dict[tuple[str, str, int], float]:
    response = world.client.get(
        "/api/v1/exports/dyad-years?format=csv", headers=world.headers("analyst", nation)
    )
    assert response.status_code == 200, response.text
    rows = csv.DictReader(io.StringIO(response.text))
    return {(r["iso3_1"], r["iso3_2"], int(r["year"])): float(r["index"]) for r in rows}


def test_the_index_for_the_french_analyst_ignores_the_record(world: World) -> None:
    # A second REL USA exercise makes the pair's index depend on what the viewer may see.
    services.add_engagement(
        world.store,
        engagement_record("Balikatan 2016 (US eyes)", "REL USA", start="2016-04-04"),
        Viewer.operator("tests"),
    )
    american_with, french_with = _index(world, "USA"), _index(world, "FRA")
    ties_fr = _get(world, "/api/v1/ties/PHL?year=2015", "FRA")
    ties_us = _get(world, "/api/v1/ties/PHL?year=2015", "USA")
    for secret in services.list_engagements(world.store, Viewer.operator("tests"), text="US eyes"):
        services.delete_engagement(world.store, secret.id, Viewer.operator("tests"))
    american_without, french_without = _index(world, "USA"), _index(world, "FRA")
    assert american_with != american_without
    assert american_with[("PHL", "USA", 2015)] > american_without[("PHL", "USA", 2015)]
    assert french_with == french_without
    assert ties_fr["ties"][0]["index"] < ties_us["ties"][0]["index"]
    assert _get(world, "/api/v1/ties/PHL?year=2015", "FRA") == ties_fr


def test_exports_and_analytics_answers_never_name_it(world: World) -> None:
    for url in [
        "/api/v1/dyads/USA/PHL",
        "/api/v1/exports/network?format=gexf",
        "/api/v1/engagements/{secret}",
        "/api/v1/assessments",
    ]:
        response = world.client.get(
            url.format(secret=world.secret_id), headers=world.headers("analyst", "FRA")
        )
        assert "US eyes" not in response.text
    report = _get(world, "/api/v1/dyads/USA/PHL", "USA")
    assert any("US eyes" in e["title"] for e in report["engagements"])


def test_a_french_planner_may_not_label_a_record_beyond_reach(world: World) -> None:
    body = {
        "kind": "port_call",
        "title": "Port call",
        "start": "2016-02-01",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "FRA"}],
        "releasability": "REL USA",
    }
    response = world.client.post(
        "/api/v1/engagements", json=body, headers=world.headers("planner", "FRA")
    )
    assert response.status_code in (403, 422), response.text
    assert response.json()["detail"]
    stored = services.list_engagements(world.store, Viewer.operator("t"))
    assert "Port call" not in [s.engagement.title for s in stored]


def test_an_exports_entity_tag_is_its_bodys_digest(world: World) -> None:
    # A hidden write leaves the French table as it was: the same body gives the same tag, so
    # the tag tells the French analyst nothing either.
    url = "/api/v1/exports/dyad-years?format=csv"
    first = world.client.get(url, headers=world.headers("analyst", "FRA"))
    services.add_engagement(
        world.store,
        engagement_record("Balikatan 2017 (US eyes)", "REL USA", start="2017-04-04"),
        Viewer.operator("tests"),
    )
    second = world.client.get(url, headers=world.headers("analyst", "FRA"))
    american = world.client.get(url, headers=world.headers("analyst", "USA"))
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert american.headers["etag"] != first.headers["etag"]
    digest = hashlib.sha256(first.content).hexdigest()[:32]
    assert first.headers["etag"] == f'"{digest}"'
