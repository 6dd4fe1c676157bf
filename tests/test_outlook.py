"""A nation's outlook: ties projected ahead from what stands, recurs and is approved."""

from __future__ import annotations

import json
import math
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.cli import app
from comity.errors import ValidationError
from comity.planning.candidates import Candidate
from comity.planning.outlook import next_occurrences, project
from comity.services import accounts
from comity.services.outlook import nation_outlook
from comity.store import Store
from tests.api_world import serve
from tests.web_client import PASSWORD, client_for

PLANNER = Viewer(name="planner.phl", nation="PHL", role=Role.PLANNER)
THIS_YEAR = date.today().year
D = 2 ** (-1 / 3)
KAPPA = 20.0


def _records() -> list[dict[str, object]]:
    """A defence pact of the Philippines and the United States in force since 2020, and an
    exercise of the two every year from 2020 to last year."""
    pact = {
        "kind": "alliance",
        "title": "Mutual defence pact",
        "start": "2020-01-01",
        "participants": [{"nation": "PHL"}, {"nation": "USA"}],
        "details": {"kind": "alliance", "pledges": ["defence"]},
    }
    exercises = [
        {
            "kind": "exercise",
            "title": f"Balikatan {year}",
            "programme": "Balikatan",
            "start": f"{year}-04-10",
            "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        }
        for year in range(2020, THIS_YEAR)
    ]
    return [pact, *exercises]


@pytest.fixture
def pact_and_exercise(store: Store) -> Store:
    services.add_engagements(store, _records(), PLANNER)
    return store


def test_a_pact_and_a_yearly_exercise_are_projected_as_by_hand(pact_and_exercise: Store) -> None:
    answer = nation_outlook(pact_and_exercise, PLANNER, "PHL", partners=["USA"], threshold=90)
    (usa,) = answer["projections"]
    # By hand: the pact adds 3.0 (a defence pledge) every year, the exercise 1.0 (bilateral, no
    # personnel) every year to last year; this year nothing is recorded yet.
    stock = 0.0
    for year in range(2020, THIS_YEAR + 1):
        stock = stock * D + 3.0 + (1.0 if year < THIS_YEAR else 0.0)
    assert usa["base_year"] == THIS_YEAR
    assert usa["base_index"] == pytest.approx(100 * (1 - math.exp(-stock / KAPPA)), abs=1e-3)
    expected = []
    for _ in range(5):  # the series recurs every year; the pact stays in force
        stock = stock * D + 3.0 + 1.0
        expected.append(round(100 * (1 - math.exp(-stock / KAPPA)), 3))
    assert [y["index"] for y in usa["years"]] == pytest.approx(expected, abs=1e-3)
    assert [y["year"] for y in usa["years"]] == list(range(THIS_YEAR + 1, THIS_YEAR + 6))
    assert usa["series"][0]["programme"] == "Balikatan" and usa["series"][0]["period"] == 1
    assert usa["parts"]["standing"] == {str(y): 3.0 for y in range(THIS_YEAR + 1, THIS_YEAR + 6)}
    # The stock heads to (3 + 1) / (1 - d) = 19.4: an index of 62, below 90.
    assert answer["at_risk"] == ["USA"]
    assert usa["first_below"] == THIS_YEAR + 1


def test_a_series_that_stopped_while_watched_is_not_projected(store: Store) -> None:
    records = [r for r in _records() if r["kind"] != "exercise" or r["start"] < "2023"]
    services.add_engagements(store, records, PLANNER)
    (usa,) = nation_outlook(store, PLANNER, "PHL", partners=["USA"])["projections"]
    assert usa["series"] == [] and usa["parts"]["series"] == {}


def test_the_cheapest_candidate_that_keeps_the_tie_is_proposed(pact_and_exercise: Store) -> None:
    year = THIS_YEAR + 2
    offered = [
        Candidate(
            id="big",
            title="Large exercise",
            kind="exercise",
            partners=("USA",),
            year=year,
            personnel=5000,
            cost=900.0,
        ),
        Candidate(
            id="visit",
            title="Minister's visit",
            kind="visit",
            partners=("USA",),
            year=year,
            level="minister",
            cost=50.0,
        ),
        Candidate(
            id="far",
            title="Too late",
            kind="exercise",
            partners=("USA",),
            year=THIS_YEAR + 9,
            cost=1.0,
        ),
    ]
    answer = nation_outlook(
        pact_and_exercise, PLANNER, "PHL", partners=["USA"], threshold=60, candidates=offered
    )
    remedy = answer["remedies"]["USA"]
    # The tie rises toward 62 but is still below 60 in the window's last year (59.1).
    assert remedy["year"] == THIS_YEAR + 5 and remedy["needed"] == pytest.approx(0.938, abs=1e-3)
    # A minister's visit (1.0, halved by three years of memory) is enough, and cheapest.
    assert remedy["found"] and remedy["plans"] == ["visit"] and remedy["cost"] == 50.0
    assert remedy["index_after"] >= 60
    hopeless = nation_outlook(
        pact_and_exercise, PLANNER, "PHL", partners=["USA"], threshold=99, candidates=offered
    )["remedies"]["USA"]
    assert not hopeless["found"] and "is needed" in hopeless["reason"]


def test_projection_and_series_steps_by_hand() -> None:
    assert next_occurrences(2010, 2, 2027, 2031) == [2028, 2030]
    assert next_occurrences(2025, 1, 2027, 2029) == [2027, 2028, 2029]
    projection = project(
        "USA",
        base_year=2000,
        base_stock=10.0,
        decay=0.5,
        kappa=10.0,
        years=2,
        threshold=50,
        plans={2002: 4.0},
    )
    assert projection.stocks == (5.0, 6.5)
    assert projection.lowest == (2001, pytest.approx(100 * (1 - math.exp(-0.5))))
    assert projection.at_risk and projection.first_below == 2001


def test_bad_settings_are_named(store: Store) -> None:
    with pytest.raises(ValidationError) as caught:
        nation_outlook(store, PLANNER, "PHL", years=0, threshold=100, top=0)
    assert [p.field for p in caught.value.problems] == ["years", "threshold", "top"]


def test_the_command_line_and_the_api_give_the_outlook(
    pact_and_exercise: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_DATABASE_URL", pact_and_exercise.describe_url())
    runner = CliRunner()
    result = runner.invoke(app, ["outlook", "PHL", "--threshold", "90", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["at_risk"] == ["USA"]
    table = runner.invoke(app, ["outlook", "Philippines", "-t", "90"])
    assert "(USA)" in table.stdout and "yes, from" in table.stdout
    bad = runner.invoke(app, ["outlook", "PHL", "-t", "120"])
    assert bad.exit_code == 1 and "threshold" in bad.output


def test_the_api_and_the_dashboard_show_the_ties_at_risk(pact_and_exercise: Store) -> None:
    operator = Viewer.operator("tests")
    accounts.create_user(
        pact_and_exercise,
        operator,
        username="analyst.phl",
        password=PASSWORD,
        nation="PHL",
        role="analyst",
    )
    with client_for(pact_and_exercise, "analyst.phl") as client:
        fragment = client.get("/dashboard/outlook?nation=PHL&threshold=90").text
        assert "Ties at risk of Philippines" in fragment
        assert re.search(r"United States</a></td>\s*<td class=\"num\">", fragment)
        assert "Philippines’s one tie is projected to fall below 90" in fragment
        calm = client.get("/dashboard/outlook?nation=PHL&threshold=20").text
        assert 'data-testid="no-risk"' in calm
        wrong = client.get("/dashboard/outlook?nation=PHL&threshold=abc").text
        assert "threshold must be a number above 0 and below 100" in wrong
        page = client.get("/?nation=PHL").text
        assert 'hx-get="/dashboard/outlook?nation=PHL"' in page
    with serve(pact_and_exercise) as world:
        answer = world.client.get(
            "/api/v1/outlook/PHL?threshold=90", headers=world.headers("viewer")
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["at_risk"] == ["USA"]
        refused = world.client.get("/api/v1/outlook/PHL?years=0", headers=world.headers("viewer"))
        assert refused.status_code == 422
