"""``GET /api/v1/effects``: the effect estimate, from what the caller may see; its refusals.

The served world is ``tests/effect_world.py`` (US training of ten partners, a planted effect of
1.0 on their yearly exercise contribution, and one REL USA training of Chile).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comity.store import open_store
from tests.api_world import World, serve
from tests.effect_world import EFFECT, seed_effect_world

URL = "/api/v1/effects"


@pytest.fixture(scope="module")
def world(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A served store holding the effect world, shared by the module (every test reads)."""
    path = tmp_path_factory.mktemp("effects") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    seed_effect_world(store)
    with serve(store) as served:
        yield served
    store.dispose()


def _get(world: World, nation: str = "USA", **params: Any) -> Any:
    return world.client.get(URL, params=params, headers=world.headers("viewer", nation))


def test_a_viewer_reads_the_estimate_of_an_effect(world: World) -> None:
    response = _get(world, provider="USA", kind="training")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answerable"] is True
    assert answer["ci_low"] <= EFFECT <= answer["ci_high"]
    assert answer["design"] == "did"
    assert answer["treatment"] == "training from USA"
    assert answer["n_treated"] == 11
    assert answer["outcome_name"] == "exercises"


def test_the_answer_rests_on_the_callers_releasability(world: World) -> None:
    american = _get(world, "USA", provider="USA", programme="IMET").json()
    french = _get(world, "FRA", provider="USA", programme="IMET").json()
    # Chile's training is REL USA.
    assert american["treated"]["treated_partners"] == 11
    assert french["treated"]["treated_partners"] == 10
    assert "REL USA" not in str(french)


def test_when_the_data_cannot_answer_the_answer_says_why(world: World) -> None:
    response = _get(world, provider="USA", kind="training", outcome="agreements")
    assert response.status_code == 200
    answer = response.json()
    assert answer["answerable"] is False
    assert answer["estimate"] is None
    assert answer["reason"] == (
        "the outcome (agreements entered) is 0 in every pair and year used: there is nothing to "
        "compare."
    )


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"provider": "USA", "kind": "training", "design": "synth"},
            "Invalid effect: pair: the synthetic control needs one pair, e.g. USA-PHL",
        ),
        (
            {"provider": "USA", "kind": "exercise"},
            "Invalid effect: outcome: counts the treatment's own kind (exercise); choose another "
            "outcome (got exercises)",
        ),
        (
            {"provider": "USA"},
            "Invalid effect: treatment: name a programme, a series, a kind or plans",
        ),
    ],
)
def test_a_request_the_service_refuses_is_a_problem(
    world: World, params: dict[str, str], detail: str
) -> None:
    response = _get(world, **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_an_unknown_outcome_is_refused_before_any_work(world: World) -> None:
    response = _get(world, provider="USA", kind="training", outcome="trust")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_an_anonymous_caller_is_refused(world: World) -> None:
    response = world.client.get(URL, params={"provider": "USA", "kind": "training"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
