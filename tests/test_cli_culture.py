"""``comity briefing``, ``calendar``, ``culture distance`` and ``notes`` end to end."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.cli import app as comity_app
from comity.cli import culture
from comity.services import culture as culture_service
from comity.store import Store


def _app() -> typer.Typer:
    """The comity app; until the culture commands are registered in it, a copy that has them."""
    if any(c.name == "briefing" for c in comity_app.registered_commands):
        return comity_app
    mounted = typer.Typer(
        cls=comity_app.info.cls,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    assert comity_app.registered_callback is not None
    mounted.callback()(comity_app.registered_callback.callback)
    mounted.command("briefing")(culture.briefing)
    mounted.add_typer(culture.calendar_app, name="calendar")
    mounted.add_typer(culture.culture_app, name="culture")
    mounted.add_typer(culture.notes_app, name="notes")
    return mounted


APP = _app()


@pytest.fixture
def full(any_full_store: Store, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on a store holding every bundled dataset."""
    monkeypatch.setenv("COMITY_DATABASE_URL", any_full_store.describe_url())
    monkeypatch.delenv("COMITY_DEBUG", raising=False)
    return CliRunner()


SAU_MARCH = ["briefing", "SAU", "--from", "2027-03-01", "--to", "2027-03-31"]


def test_briefing_as_text(cli: CliRunner) -> None:
    result = cli.invoke(APP, SAU_MARCH)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("PUBLIC\n\nBriefing: Saudi Arabia (SAU)\n")
    assert "  Arabic (العربية): official, 100% of the population" in text
    assert "  Weekend: Friday and Saturday" in text
    assert "    2027-03-09  Eid al-Fitr Holiday — national public holiday" in text
    assert "  Time zones: Asia/Riyadh (UTC+03:00)" in text
    assert "    2027-02-08 to 2027-03-08  Ramadan (29 days)\n" in text
    assert "Dates: Umm al-Qura calendar (hijridate " in text


def test_briefing_text_carries_the_marking_date_and_data_version(cli: CliRunner) -> None:
    result = cli.invoke(APP, SAU_MARCH)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "PUBLIC"
    assert re.fullmatch(
        r"PUBLIC · Produced \d{4}-\d{2}-\d{2} for a viewer of no nation \(local operator\) · "
        r"Data version [0-9a-f]{16}",
        lines[-1],
    ), result.stdout[-300:]


def test_briefing_as_json(cli: CliRunner) -> None:
    result = cli.invoke(APP, [*SAU_MARCH, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["nation"]["iso3"] == "SAU" and data["window"]["days"] == 31
    assert data["weekend"][0]["days"] == ["Friday", "Saturday"]
    assert data["print_marking"]["marking"] == "PUBLIC"
    assert data["observances"][0]["start"] == "2027-02-08"


@pytest.mark.full_data
def test_briefing_as_html_with_the_users_nation(full: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sau.html"
    result = full.invoke(APP, [*SAU_MARCH, "--as", "USA", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the html briefing to {out}.\n"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<h1>Briefing: Saudi Arabia (SAU)</h1>" in html
    assert "Seen from: United States (USA)" in html
    assert "Eid al-Fitr Holiday" in html and "national public holiday" in html
    assert (
        "Cultural distance: Not computed: Saudi Arabia has 2 of Hofstede&#39;s 6 dimensions; "
        "a distance needs at least 4." in html
    )
    assert "Kogut-Singh distance SAU-USA" not in html
    assert "<td>Ramadan</td>" in html
    assert '<p class="marking" id="marking-header">PUBLIC</p>' in html
    assert "@media print" in html and "@page" in html
    assert "http://" not in html and "https://" not in html and "src=" not in html


def test_briefing_as_pdf(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sau.pdf"
    result = cli.invoke(APP, [*SAU_MARCH, "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 5000


def test_a_pdf_needs_a_file(cli: CliRunner) -> None:
    result = cli.invoke(APP, [*SAU_MARCH, "--format", "pdf"])
    assert result.exit_code == 2
    assert "a PDF needs a file to go to" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["briefing", "Atlantis"], "Error: Unknown nation 'Atlantis'.\n"),
        (
            ["briefing", "SAU", "--from", "2027-03-31", "--to", "2027-03-01"],
            "Error: Invalid briefing window: to: is before from (2027-03-31) (got 2027-03-01)\n",
        ),
        (
            ["briefing", "SAU", "--from", "2027-01-01", "--to", "2029-06-01"],
            "Error: Invalid briefing window: to: is more than two years after from (2027-01-01) "
            "(got 2029-06-01)\n",
        ),
        (["calendar", "check", "999"], "Error: No engagement with id 999.\n"),
        (
            ["calendar", "window", "SAU", "Atlantis", "--from", "2027-03-01", "--to", "2027-03-02"],
            "Error: Unknown nation 'Atlantis'.\n",
        ),
        (
            ["culture", "distance", "USA"],
            "Error: Invalid distance matrix: nations: name at least two different nations "
            "(got USA)\n",
        ),
        (["notes", "edit", "5", "--title", "New"], "Error: No note with id 5.\n"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_code_one(
    cli: CliRunner, args: list[str], message: str
) -> None:
    result = cli.invoke(APP, args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(message), result.stderr


def test_a_malformed_date_is_a_usage_error(cli: CliRunner) -> None:
    result = cli.invoke(APP, ["briefing", "SAU", "--from", "March"])
    assert result.exit_code == 2
    assert "'March' is not a date YYYY-MM-DD" in result.output


def test_calendar_check_of_an_engagement(cli: CliRunner, store: Store) -> None:
    stored = services.add_engagement(
        store,
        {
            "kind": "exercise",
            "title": "Falcon Shield",
            "start": "2027-09-21",
            "end": "2027-09-23",
            "host": "SAU",
            "participants": [{"nation": "SAU"}, {"nation": "USA"}],
        },
        Viewer.operator(),
    )
    result = cli.invoke(APP, ["calendar", "check", str(stored.id)])
    assert result.exit_code == 0, result.output
    assert f"Engagement {stored.id}: Falcon Shield (2027-09-21 to 2027-09-23, 3 days)" in (
        result.stdout
    )
    assert "  Saudi Arabia (SAU): national public holiday\n" in result.stdout
    assert (
        "    2027-09-23 Thursday  National Day Holiday (national public holiday)\n" in result.stdout
    )
    assert "  United States (USA): no conflict\n" in result.stdout
    assert "2027-09-20 to 2027-09-22 (1 day earlier): no conflict" in result.stdout
    data = json.loads(cli.invoke(APP, ["calendar", "check", str(stored.id), "--json"]).stdout)
    assert data["nations"][0]["worst"] == "public_holiday"
    assert data["suggestions"][0]["start"] == "2027-09-20"


def test_calendar_window_without_an_engagement(cli: CliRunner) -> None:
    result = cli.invoke(
        APP, ["calendar", "window", "Kosovo", "USA", "--from", "2008-06-02", "--to", "2008-06-05"]
    )
    assert result.exit_code == 0, result.output
    assert "Notice: No holiday data for Kosovo (XKX) before 2009." in result.stdout


@pytest.mark.full_data
def test_culture_distance_matrix(full: CliRunner) -> None:
    table = full.invoke(APP, ["culture", "distance", "USA", "JPN", "ARE"])
    assert table.exit_code == 0, table.output
    assert "3.09" in table.stdout
    assert "Notice: No Hofstede scores for ARE: its distances are missing." in table.stdout
    data = json.loads(
        full.invoke(APP, ["culture", "distance", "USA", "JPN", "ARE", "--json"]).stdout
    )
    assert data["nations"] == ["USA", "JPN", "ARE"] and data["unscored"] == ["ARE"]
    assert data["matrix"][0][0] == 0.0 and data["matrix"][0][2] is None
    assert data["matrix"][0][1] == data["matrix"][1][0]
    rows = list(
        csv.DictReader(
            io.StringIO(
                full.invoke(APP, ["culture", "distance", "USA", "JPN", "ARE", "--csv"]).stdout
            )
        )
    )
    assert [(r["iso3_1"], r["iso3_2"]) for r in rows] == [
        ("ARE", "JPN"),
        ("ARE", "USA"),
        ("JPN", "USA"),
    ]
    assert rows[0]["kogut_singh"] == "" and rows[2]["kogut_singh"] == "3.0851"


def test_notes_add_list_edit_delete(cli: CliRunner) -> None:
    added = cli.invoke(
        APP,
        [
            "notes",
            "add",
            "Japan",
            "--topic",
            "customs",
            "--title",
            "Business cards",
            "--body",
            "Offer and receive cards with both hands.",
        ],
    )
    assert added.exit_code == 0, added.output
    assert added.stdout == "Added note 1 on JPN (customs, version 1).\n"
    listed = json.loads(cli.invoke(APP, ["notes", "list", "JPN", "--json"]).stdout)
    assert [(n["title"], n["topic"], n["releasability"]) for n in listed] == [
        ("Business cards", "customs", "PUBLIC")
    ]
    assert listed[0]["created_by"].startswith("cli:")
    edited = cli.invoke(APP, ["notes", "edit", "1", "--body", "Both hands.", "--version", "1"])
    assert edited.stdout == "Changed note 1 on JPN (customs, version 2).\n"
    stale = cli.invoke(APP, ["notes", "edit", "1", "--body", "Late.", "--version", "1"])
    assert stale.exit_code == 1
    assert stale.stderr.startswith(
        "Error: Note 1 changed since you read it (version 2, you had 1)."
    )
    shown = cli.invoke(APP, ["notes", "list", "JPN"]).stdout.splitlines()
    assert shown[0].startswith("#1 JPN [customs] Business cards — PUBLIC, cli:")
    assert shown[0].endswith("(version 2)") and shown[1] == "    Both hands."
    assert cli.invoke(APP, ["notes", "delete", "1"]).stdout == "Deleted note 1.\n"
    assert json.loads(cli.invoke(APP, ["notes", "list", "--json"]).stdout) == []
    nothing = cli.invoke(APP, ["notes", "edit", "1"])
    assert nothing.exit_code == 2 and "name something to change" in nothing.output


def test_notes_list_names_each_notes_owner(cli: CliRunner, store: Store) -> None:
    american = Viewer(name="us-planner", nation="USA", role=Role.PLANNER)
    culture_service.add_note(store, {"nation": "JPN", "title": "Gifts", "body": "..."}, american)
    cli.invoke(APP, ["notes", "add", "JPN", "--title", "Shoes", "--body", "Off indoors."])
    rows = list(csv.DictReader(io.StringIO(cli.invoke(APP, ["notes", "list", "--csv"]).stdout)))
    assert [(r["title"], r["owner"]) for r in rows] == [("Gifts", "USA"), ("Shoes", "")]
    listed = json.loads(cli.invoke(APP, ["notes", "list", "--json"]).stdout)
    assert [n["owner"] for n in listed] == ["USA", None]
