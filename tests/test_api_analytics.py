"""The analytics routes with settings changed per request: ``set=KEY=VALUE``, repeatable.

The served world holds two 2015 exercises of the Philippines and the United States (one REL USA):
an American sees both, so the pair's stock in 2015 is 2 * w(exercise) and its index
100 * (1 - exp(-S / 20)).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from comity.analytics.settings import default_settings, setting_keys
from comity.store import Store
from tests.api_world import World, serve

DEFAULT = default_settings().digest()
ROUTES = [
    "/api/v1/ties/PHL?year=2015",
    "/api/v1/dyads/PHL/USA",
    "/api/v1/nations/PHL/profile",
    "/api/v1/network?year=2015",
    "/api/v1/compare/PHL/USA",
]


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """A served fresh store."""
    with serve(store) as served:
        yield served


def digest_of(overrides: dict[str, Any]) -> str:
    return default_settings().with_overrides(overrides).digest()


def _request(world: World, url: str, settings: tuple[str, ...]) -> Any:
    """GET ``url`` with ``set`` parameters added to its own (httpx would replace them)."""
    path, _, query = url.partition("?")
    params = [*parse_qsl(query), *(("set", s) for s in settings)]
    return world.client.get(path, params=params, headers=world.headers("viewer"))


def _get(world: World, url: str, *settings: str) -> Any:
    response = _request(world, url, settings)
    assert response.status_code == 200, response.text
    return response.json()


def _problem(world: World, url: str, *settings: str) -> Any:
    response = _request(world, url, settings)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Unprocessable Entity"
    assert body["instance"] == url.split("?")[0]
    return body


def test_ties_with_a_weight_changed(world: World) -> None:
    default = _get(world, "/api/v1/ties/PHL?year=2015")
    changed = _get(world, "/api/v1/ties/PHL?year=2015", "weights.exercise=2")
    assert default["settings_digest"] == DEFAULT and default["year"] == 2015
    assert changed["settings_digest"] == digest_of({"weights": {"exercise": 2}})
    assert default["ties"][0]["index"] == pytest.approx(100 * (1 - math.exp(-2 / 20)))
    assert changed["ties"][0]["index"] == pytest.approx(100 * (1 - math.exp(-4 / 20)))


@pytest.mark.parametrize("url", ROUTES)
def test_every_analytics_route_takes_set(world: World, url: str) -> None:
    body = _get(world, url, "half_life=5", "beyond_coverage=decay")
    assert body["settings_digest"] == digest_of({"half_life": 5, "beyond_coverage": "decay"})
    assert body["method_version"] == default_settings().method_version
    assert _get(world, url)["settings_digest"] == DEFAULT


def test_an_unknown_key_is_a_422_naming_it(world: World) -> None:
    body = _problem(world, "/api/v1/ties/PHL", "nope=1")
    assert body["detail"] == "Invalid index settings: nope: is not a setting of the index"
    assert body["errors"] == [
        {"field": "nope", "reason": "is not a setting of the index", "value": None}
    ]
    assert body["hint"].startswith("Settings: half_life, kappa, partner_threshold")


def test_a_value_out_of_range_is_a_422_naming_the_field(world: World) -> None:
    body = _problem(world, "/api/v1/network", "weights.exercise=-1", "half_life=5")
    assert body["detail"] == (
        "Invalid index settings: weights.exercise: Input should be greater than or equal to 0 "
        "(got -1)"
    )
    assert body["errors"] == [
        {
            "field": "weights.exercise",
            "reason": "Input should be greater than or equal to 0",
            "value": "-1",
        }
    ]
    assert body["hint"] == "The range of each setting is in docs/methodology.md."


def test_a_malformed_pair_is_a_422_on_set(world: World) -> None:
    body = _problem(world, "/api/v1/compare/PHL/USA", "half_life")
    assert body["errors"] == [
        {
            "field": "set",
            "reason": "must be KEY=VALUE, e.g. weights.exercise=2",
            "value": "'half_life'",
        }
    ]


def test_too_many_pairs_are_refused(world: World) -> None:
    body = _problem(world, "/api/v1/dyads/PHL/USA", *(["half_life=5"] * 51))
    assert body["detail"] == "The request is not valid."
    assert [e["field"] for e in body["errors"]] == ["query.set"]


def test_a_request_without_credentials_is_a_401_whatever_its_settings(world: World) -> None:
    response = world.client.get("/api/v1/ties/PHL", params=[("set", "nope=1")])
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_describes_set_on_every_analytics_route(world: World) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/ties/{nation}",
        "/api/v1/dyads/{first}/{second}",
        "/api/v1/nations/{nation}/profile",
        "/api/v1/network",
        "/api/v1/compare/{first}/{second}",
    ):
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert "set" in parameters, path
        described = parameters["set"]
        assert described["in"] == "query" and not described.get("required", False)
        schema = described["schema"]["anyOf"][0]
        assert schema["type"] == "array" and schema["items"]["type"] == "string"
        assert "weights.exercise" in described["description"]
        assert all(key in described["description"] for key in setting_keys())


def test_ties_say_how_sure_their_place_in_the_top_ten_is(world: World) -> None:
    plain = _get(world, "/api/v1/ties/PHL?year=2015")
    assert "top10_chance" not in plain["ties"][0]
    sure = _get(world, "/api/v1/ties/PHL?year=2015&robustness=true")
    # The Philippines' one partner is in its top ten whatever the weights.
    assert [
        (t["partner"], t["top10_chance"], t["rank_low"], t["rank_high"]) for t in sure["ties"]
    ] == [("USA", 1.0, 1, 1)]
