"""An engagement dated after next year is refused on every way in; plans may look further ahead.

The rule lives in the model (``comity.model.engagements.horizon_problem``); these tests follow
it through the CLI, the API, the web form, a dataset importer and the generic importer, with
today pinned to 2026-12-05 (next year: 2027).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.cli import app
from comity.errors import ImportRejectedError
from comity.model.clock import pinned_today
from comity.services import accounts, list_engagements
from comity.services import plans as plan_service
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store
from tests.api_world import serve
from tests.helpers import sqlite_dump_digest
from tests.test_plans import plan_record
from tests.test_web_engagements import form_data
from tests.web_client import PASSWORD, client_for, csrf

AHEAD = (
    "is after next year (2027): an engagement records what happened or is about to; check the "
    "year, or record a later engagement as a plan"
)


@pytest.fixture
def december_2026() -> Iterator[date]:
    """Today pinned to 5 December 2026, so next year is 2027."""
    with pinned_today(date(2026, 12, 5)) as day:
        yield day


pytestmark = pytest.mark.usefixtures("december_2026")


def test_cli_add_refuses_an_exercise_in_3009(cli: CliRunner) -> None:
    add = "engagements add -k exercise -t Typo --start 3009-03-05 -p USA"
    result = cli.invoke(app, add.split())
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: Invalid engagement: start: 3009-03-05 {AHEAD} (got '3009-03-05')\n"
    )
    assert cli.invoke(app, ["engagements", "list", "--json"]).stdout.strip() == "[]"


def test_cli_edit_refuses_an_end_after_next_year(cli: CliRunner) -> None:
    added = cli.invoke(
        app, ["engagements", "add", "-k", "visit", "-t", "Talks", "--start", "2026-11", "-p", "USA"]
    )
    assert added.exit_code == 0, added.output
    result = cli.invoke(app, ["engagements", "edit", "1", "--end", "2028-01-01"])
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: Invalid engagement: end: 2028-01-01 {AHEAD} (got '2028-01-01')\n"
    )
    shown = cli.invoke(app, ["engagements", "show", "1", "--json"])
    assert '"end": null' in shown.stdout


def test_the_api_answers_422_naming_the_start(store: Store) -> None:
    body = {
        "kind": "exercise",
        "title": "Typo",
        "start": "3009-03-05",
        "participants": [{"nation": "USA"}],
    }
    with serve(store) as world:
        before = len(list_engagements(store, Viewer.operator("tests")))
        response = world.client.post(
            "/api/v1/engagements", json=body, headers=world.headers("planner")
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"] == [
            {"field": "start", "reason": f"3009-03-05 {AHEAD}", "value": "'3009-03-05'"}
        ]
        assert problem["detail"].startswith("Invalid engagement: start: 3009-03-05 is after")
        assert len(list_engagements(store, Viewer.operator("tests"))) == before


def test_the_web_form_shows_the_problem_beside_the_start(store: Store) -> None:
    accounts.create_user(
        store,
        Viewer.operator("tests"),
        username="planner.usa",
        password=PASSWORD,
        nation="USA",
        role="planner",
    )
    client = client_for(store, "planner.usa")
    data = form_data(start="3009-03-05")
    data["csrf_token"] = csrf(client, "/engagements/new")
    answer = client.post("/engagements/new", data=data)
    assert answer.status_code == 422
    assert f'<small class="field-error" id="start-error">3009-03-05 {AHEAD}</small>' in answer.text
    assert 'aria-describedby="start-error"' in answer.text
    assert list_engagements(store, Viewer.operator("tests")) == []


MAPPING = """
[dataset]
name = "drills"
[columns]
id = "id"
title = "title"
start = "start"
end = "end"
[participants]
layout = "list"
column = "who"
[constants]
kind = "exercise"
"""


def _import(store: Store, tmp_path: Path, rows: str) -> Any:
    mapping, data = tmp_path / "drills.toml", tmp_path / "drills.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    data.write_text("id,title,start,end,who\n" + rows, encoding="utf-8")
    return import_dataset(store, mapped_importer(mapping), [data], viewer=Viewer.operator("t"))


def test_the_generic_importer_refuses_3009_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = sqlite_dump_digest(store)
    rows = "D1,Drill,2026-03,,USA;JPN\nD2,Typo,3009-03-05,,USA\nD3,Late end,2027-06,2031,USA\n"
    with pytest.raises(ImportRejectedError) as raised:
        _import(store, tmp_path, rows)
    first = f"drills.csv, row 3, start: '3009-03-05' 3009-03-05 {AHEAD}"
    assert (
        raised.value.message == f"drills: 2 problem(s) found; nothing was written. First: {first}"
    )
    assert [str(issue) for issue in raised.value.report.issues] == [
        first,
        f"drills.csv, row 4, end: '2031' 2031 {AHEAD}",
    ]
    assert sqlite_dump_digest(store) == before


def test_comity_import_lists_the_row_and_exits_one(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "drills.toml").write_text(MAPPING, encoding="utf-8")
    data = tmp_path / "drills.csv"
    data.write_text(
        "id,title,start,end,who\nD1,Drill,2026-03,,USA\nD2,Typo,3009-03-05,,USA\n", encoding="utf-8"
    )
    result = cli.invoke(app, ["import", "--mapping", str(tmp_path / "drills.toml"), str(data)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: drills: 1 problem(s) found; nothing was written.\n")
    table = " ".join(result.stderr.replace("│", " ").split())
    assert f"drills.csv 3 start 3009-03-05 3009-03-05 {AHEAD}" in table
    assert cli.invoke(app, ["engagements", "list", "--json"]).stdout.strip() == "[]"


def test_the_generic_importer_takes_the_last_day_of_next_year(store: Store, tmp_path: Path) -> None:
    report = _import(store, tmp_path, "D1,Planned drill,2027-12-31,,USA\n")
    assert report.added == 1
    with pytest.raises(ImportRejectedError) as raised:
        _import(store, tmp_path, "D1,Planned drill,2028-01-01,,USA\n")
    [issue] = raised.value.report.issues
    assert (issue.row, issue.column, issue.reason) == (2, "start", f"2028-01-01 {AHEAD}")


def test_a_dataset_importer_refuses_a_visit_after_next_year(store: Store, tmp_path: Path) -> None:
    visits = tmp_path / "visits.csv"
    visits.write_text(
        "Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,End Day,End Month,"
        "End Year\nSecretary of the Army,A,1,2,3009,,France,3,2,3009\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, "us_senior_visits", [visits], viewer=Viewer.operator("t"))
    assert [(i.column, i.reason) for i in raised.value.report.issues] == [
        ("start", f"3009-02-01 {AHEAD}"),
        ("end", f"3009-02-03 {AHEAD}"),
    ]
    assert list_engagements(store, Viewer.operator("t")) == []


def test_plans_may_look_years_ahead(store: Store) -> None:
    planner = Viewer(name="us.planner", nation="USA", role=Role.PLANNER)
    stored = plan_service.add_plan(
        store, plan_record(start="2031-02-22", end="2031-03-05"), planner
    )
    assert (stored.plan.start, stored.plan.end) == (date(2031, 2, 22), date(2031, 3, 5))


def test_a_record_stored_before_the_rule_still_reads_back(store: Store) -> None:
    with pinned_today(date(3009, 1, 1)):
        stored = services.add_engagement(
            store,
            {
                "kind": "visit",
                "title": "Typo",
                "start": "3009-03-05",
                "participants": [{"nation": "USA"}],
            },
            Viewer.operator("t"),
        )
    [found] = list_engagements(store, Viewer.operator("t"))
    assert (found.id, str(found.engagement.start)) == (stored.id, "3009-03-05")
