"""An engagement's period as every face shows it: a tie in force past its source's end says so.

A standing tie that reaches its dataset's last year is right-censored: it has no end, and the CLI,
the API and the web pages read "1951 – in force; source ends 2018", never "1951 to 2018".
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.ingest.datasets import atop_alliances
from comity.services import accounts
from comity.services.engagements import EngagementPeriods, Period, engagement_periods
from comity.services.imports import import_dataset
from comity.store import Store
from tests.api_world import World, serve
from tests.web_client import PASSWORD, client_for

_HEADER = "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul"
_CENSORED = "1951 – in force; source ends 2018"


def _atop_file(tmp_path: Path) -> Path:
    """USA-PHL allied 1951-2018 (to the end of ATOP) and USA-JPN 1951-1960, in both orders."""
    lines = [_HEADER]
    for (a, b), years in (((2, 840), range(1951, 2019)), ((2, 740), range(1951, 1961))):
        lines += [f"{x},{y},{year},1,0,0,0,1" for x, y in ((a, b), (b, a)) for year in years]
    path = tmp_path / "atop.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return path


@pytest.fixture
def alliances(store: Store, tmp_path: Path) -> dict[str, int]:
    """The store with ATOP-style USA-PHL (censored) and USA-JPN spells, and a hand-entered pact."""
    operator = Viewer.operator("tests")
    import_dataset(store, atop_alliances.IMPORTER, [_atop_file(tmp_path)], viewer=operator)
    pact = services.add_engagement(
        store,
        {
            "kind": "agreement",
            "title": "Defence cooperation agreement",
            "start": "2014-04-28",
            "participants": [{"nation": "PHL"}, {"nation": "USA"}],
        },
        operator,
    )
    found = services.list_engagements(store, operator, nation="USA", kinds=["alliance"])
    return {**{s.engagement.nations[0]: s.id for s in found}, "pact": pact.id}


# The period itself.


@pytest.mark.parametrize(
    ("period", "text", "until"),
    [
        (Period("1951", None, True, 2018), _CENSORED, "in force; source ends 2018"),
        (Period("2014-04-28", None, True, None), "2014-04-28 – in force", "in force"),
        (Period("1951", "1960", False, None), "1951 to 1960", "1960"),
        (Period("2010-02", None, False, None), "2010-02", None),
        (Period("2010", "2010", False, None), "2010", None),
    ],
    ids=["censored", "in force by hand", "ended", "one period", "end equals start"],
)
def test_period_texts(period: Period, text: str, until: str | None) -> None:
    assert (period.text, period.until) == (text, until)


def test_periods_read_the_last_year_each_dataset_covers_each_kind(
    store: Store, alliances: dict[str, int]
) -> None:
    periods = engagement_periods(store)
    assert periods.ends == {("atop_alliances", "alliance"): 2018}
    operator = Viewer.operator("tests")
    shown = {
        key: periods.of(services.get_engagement(store, engagement_id, operator).engagement)
        for key, engagement_id in alliances.items()
    }
    assert shown["PHL"] == Period("1951", None, True, 2018)
    assert shown["JPN"] == Period("1951", "1960", False, None)
    assert shown["pact"] == Period("2014-04-28", None, True, None)


def test_a_dataset_without_coverage_of_the_kind_gives_no_source_end(
    store: Store, alliances: dict[str, int]
) -> None:
    operator = Viewer.operator("tests")
    record = services.get_engagement(store, alliances["PHL"], operator).engagement
    assert EngagementPeriods({("atop_alliances", "exercise"): 2010}).of(record).text == (
        "1951 – in force"
    )


# The CLI.


def test_cli_show_reads_in_force_with_the_source_end(
    cli: CliRunner, alliances: dict[str, int]
) -> None:
    shown = cli.invoke(app, ["engagements", "show", str(alliances["PHL"])])
    assert shown.exit_code == 0, shown.output
    assert f"  When:           {_CENSORED}\n" in shown.stdout
    ended = cli.invoke(app, ["engagements", "show", str(alliances["JPN"])])
    assert "  When:           1951 to 1960\n" in ended.stdout


def test_cli_json_and_csv_carry_the_period(cli: CliRunner, alliances: dict[str, int]) -> None:
    listed = json.loads(cli.invoke(app, ["engagements", "list", "-n", "PHL", "--json"]).stdout)
    assert [
        (r["start"], r["end"], r["period"], r["in_force"], r["source_ends"]) for r in listed
    ] == [
        ("1951", None, _CENSORED, True, 2018),
        ("2014-04-28", None, "2014-04-28 – in force", True, None),
    ]
    shown = cli.invoke(app, ["engagements", "show", str(alliances["PHL"]), "--json"])
    assert json.loads(shown.stdout) == listed[0]
    out = cli.invoke(app, ["engagements", "list", "-n", "PHL", "--csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["end"], r["period"], r["source_ends"]) for r in rows] == [
        ("", _CENSORED, "2018"),
        ("", "2014-04-28 – in force", ""),
    ]


def test_cli_table_shows_the_period(cli: CliRunner, alliances: dict[str, int]) -> None:
    table = cli.invoke(app, ["engagements", "list", "-n", "PHL"], env={"COLUMNS": "200"})
    assert _CENSORED in table.stdout
    assert "1951 to 2018" not in table.stdout


# The API.


@pytest.fixture
def world(store: Store, alliances: dict[str, int]) -> Iterator[World]:
    """The served store with the alliances."""
    with serve(store) as served:
        yield served


def test_api_engagement_carries_its_period(world: World, alliances: dict[str, int]) -> None:
    headers = world.headers("viewer")
    one = world.client.get(f"/api/v1/engagements/{alliances['PHL']}", headers=headers).json()
    assert (one["end"], one["period"], one["in_force"], one["source_ends"]) == (
        None,
        _CENSORED,
        True,
        2018,
    )
    page = world.client.get("/api/v1/agreements?nation=PHL", headers=headers).json()
    assert [item["period"] for item in page["items"]] == [_CENSORED, "2014-04-28 – in force"]
    exercise = world.client.get(f"/api/v1/engagements/{world.public_id}", headers=headers).json()
    assert (exercise["period"], exercise["in_force"], exercise["source_ends"]) == (
        "2015-04-20",
        False,
        None,
    )


# The web pages.


@pytest.fixture
def web(store: Store, alliances: dict[str, int]) -> Iterator[TestClient]:
    """A signed-in web client over the store with the alliances."""
    operator = Viewer.operator("tests")
    accounts.create_user(
        store, operator, username="viewer.usa", password=PASSWORD, nation="USA", role="viewer"
    )
    with client_for(store, "viewer.usa") as client:
        yield client


def test_web_list_and_page_read_in_force_with_the_source_end(
    web: TestClient, alliances: dict[str, int]
) -> None:
    listed = web.get("/engagements?nation=PHL").text
    assert '<small class="muted">in force; source ends 2018</small>' in listed
    assert '<small class="muted">in force</small>' in listed
    page = web.get(f"/engagements/{alliances['PHL']}").text
    assert "Alliance · 1951 – in force; source ends 2018</p>" in page
    assert "<dt>End</dt><dd>In force; source ends 2018</dd>" in page
    ended = web.get(f"/engagements/{alliances['JPN']}").text
    assert "Alliance · 1951 to 1960</p>" in ended
    rows = list(csv.DictReader(io.StringIO(web.get("/engagements.csv?nation=PHL").text)))
    assert [(r["end"], r["period"], r["source_ends"]) for r in rows] == [
        ("", _CENSORED, "2018"),
        ("", "2014-04-28 – in force", ""),
    ]
