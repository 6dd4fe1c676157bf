"""Schools: which officers each trained, by nation and year (service, CLI, API, web, real data)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.cli import app
from comity.errors import NotFoundError, UnknownNationError, ValidationError
from comity.ingest.datasets.us_fmt_training_rules import school_of
from comity.services import accounts
from comity.services.schools import school_detail, school_list
from comity.store import Store
from tests.web_client import client_for

US = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
FR = Viewer(name="planner.fra", nation="FRA", role=Role.PLANNER)
FR_READER = Viewer(name="viewer.fra", nation="FRA", role=Role.VIEWER)


def _course(
    trainee: str,
    year: int,
    details: dict[str, object],
    *,
    kind: str = "training",
    personnel: int | None = None,
    releasability: str | None = None,
    others: tuple[str, ...] = (),
) -> dict[str, object]:
    record: dict[str, object] = {
        "kind": kind,
        "title": f"Course of {trainee} {year}",
        "start": date(year, 3, 1),
        "host": "USA",
        "participants": [
            {"nation": "USA", "role": "host"},
            {"nation": trainee, "personnel": personnel},
            *({"nation": other} for other in others),
        ],
        "details": details,
    }
    if releasability:
        record["releasability"] = releasability
    return record


@pytest.fixture
def schools(store: Store) -> Store:
    """Hand-made records: two schools, one of them also named in a REL USA record."""
    for record in (
        _course("COL", 2012, {"schools": {"WHINSEC": 30, "Ranger School": 5}}),
        _course("COL", 2013, {"schools": {"WHINSEC": 20, "Ranger School": None}}),
        _course("CHL", 2012, {"institution": "WHINSEC"}, kind="education", personnel=7),
        _course("PER", 2013, {"institution": "WHINSEC"}, kind="education"),
        _course("HND", 2013, {"institution": "WHINSEC", "students": 100}, releasability="REL USA"),
        # Two trainee nations: the school is named for each, its students split for neither.
        _course("ECU", 2013, {"institution": "Ranger School", "students": 9}, others=("BOL",)),
        # Not a course with a school: ignored.
        _course("COL", 2014, {"students": 3}),
    ):
        services.add_engagement(store, record, US)
    return store


def test_students_are_summed_per_school_by_hand(schools: Store) -> None:
    rows = {row["school"]: row for row in school_list(schools, FR)}
    # WHINSEC: COL 30 + 20, CHL 7 (its personnel); PER gives no number.
    assert rows["WHINSEC"] == {
        "school": "WHINSEC",
        "students": 57,
        "records": 4,
        "unknown": 1,
        "nations": 3,
        "first": 2012,
        "last": 2013,
        "providers": ["USA"],
    }
    # Ranger School: COL 5 (2013 unknown), ECU and BOL without a split of the 9.
    assert rows["Ranger School"]["students"] == 5
    assert rows["Ranger School"]["unknown"] == 3
    assert rows["Ranger School"]["nations"] == 3
    assert [row["school"] for row in school_list(schools, FR)] == ["WHINSEC", "Ranger School"]


def test_a_school_by_nation_and_year(schools: Store) -> None:
    school = school_detail(schools, FR, "whinsec")
    assert school["school"] == "WHINSEC"
    assert school["years"] == [2012, 2013]
    assert [(n["nation"], n["students"], n["by_year"]) for n in school["nations"]] == [
        ("COL", 50, {2012: 30, 2013: 20}),
        ("CHL", 7, {2012: 7}),
        ("PER", 0, {2013: None}),
    ]
    assert school["nations"][0]["name"] == "Colombia"
    assert school_detail(schools, FR, "ranger")["school"] == "Ranger School"
    only = school_detail(schools, FR, "WHINSEC", nation="Chile")
    assert [n["nation"] for n in only["nations"]] == ["CHL"]


def test_a_record_the_viewer_may_not_see_changes_nothing(schools: Store) -> None:
    seen_by_us = {row["school"]: row for row in school_list(schools, US)}
    seen_by_fr = {row["school"]: row for row in school_list(schools, FR_READER)}
    assert seen_by_us["WHINSEC"]["students"] == 157
    assert seen_by_fr["WHINSEC"]["students"] == 57
    assert "HND" not in {n["nation"] for n in school_detail(schools, FR, "WHINSEC")["nations"]}
    assert "HND" in {n["nation"] for n in school_detail(schools, US, "WHINSEC")["nations"]}


def test_unknown_and_ambiguous_names_are_clear_errors(schools: Store) -> None:
    with pytest.raises(NotFoundError, match="No school of that name"):
        school_detail(schools, FR, "Sandhurst")
    services.add_engagement(schools, _course("COL", 2015, {"institution": "Ranger Camp"}), US)
    with pytest.raises(NotFoundError, match="2 schools' names contain") as raised:
        school_detail(schools, FR, "ranger")
    assert "Ranger Camp; Ranger School" in (raised.value.hint or "")
    with pytest.raises(UnknownNationError):
        school_list(schools, FR, nation="Wakanda")
    with pytest.raises(ValidationError, match="limit"):
        school_list(schools, FR, limit=0)


@pytest.mark.parametrize(
    ("text", "school"),
    [
        ("GCMC", "George C. Marshall European Center for Security Studies"),
        ("Marshall Center", "George C. Marshall European Center for Security Studies"),
        ("DLIELC, LACKLAND AFB TX", "Defense Language Institute English Language Center"),
        (
            "WESTERN HEMIS INSTITUTE FOR SECURITY COOP",
            "Western Hemisphere Institute for Security Cooperation",
        ),
        (
            "NEAR E-S ASIA CTR FOR SECURITY STUDIES (NDU)",
            "Near East South Asia Center for Strategic Studies",
        ),
        ("COGARD INTL TRNG DET TRACEN YORKTOWN VA", "Coast Guard Training Center Yorktown"),
        ("7th SFG (A)", "7th Special Forces Group (Airborne)"),
        ("Infantry  School", "Infantry School"),
    ],
)
def test_school_spellings_of_the_training_report(text: str, school: str) -> None:
    assert school_of(text) == school


def test_cli_lists_schools_and_one_school(cli: CliRunner, schools: Store) -> None:
    listed = cli.invoke(app, ["schools", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [row["school"] for row in json.loads(listed.stdout)] == ["WHINSEC", "Ranger School"]
    one = cli.invoke(app, ["schools", "WHINSEC", "--csv"])
    assert one.exit_code == 0, one.output
    rows = list(csv.reader(io.StringIO(one.stdout)))
    assert rows[0] == ["nation", "students", "2012", "2013"]
    # The command line without an account is the store's operator: it sees the REL USA record.
    assert rows[1:] == [
        ["HND", "100", "", "100"],
        ["COL", "50", "30", "20"],
        ["CHL", "7", "7", ""],
        ["PER", "0", "", "?"],
    ]
    table = cli.invoke(app, ["schools", "WHINSEC"])
    assert "students by nation and year" in table.stdout
    missing = cli.invoke(app, ["schools", "Sandhurst"])
    assert missing.exit_code != 0
    assert "No school of that name" in missing.output
    assert "Traceback" not in missing.output


def test_web_pages_link_the_schools(schools: Store) -> None:
    accounts.create_user(
        schools,
        Viewer.operator("tests"),
        username="viewer.fra",
        password="correct horse battery",
        nation="FRA",
        role="viewer",
    )
    with client_for(schools, "viewer.fra") as client:
        listing = client.get("/alumni/schools")
        assert listing.status_code == 200
        assert 'href="/alumni/school?name=WHINSEC"' in listing.text
        assert "<td>157</td>" not in listing.text
        page = client.get("/alumni/school?name=WHINSEC")
        assert page.status_code == 200
        assert "57 students from 3 nations" in page.text
        assert "Honduras" not in page.text
        assert client.get("/alumni/school?name=Sandhurst").status_code == 404
        assert 'href="/alumni/schools"' in client.get("/alumni").text


@pytest.mark.slow
def test_real_schools_of_the_training_report(full_store: Store) -> None:
    operator = Viewer.operator("tests")
    top = [row["school"] for row in school_list(full_store, operator, limit=12)]
    for school in (
        "George C. Marshall European Center for Security Studies",
        "Western Hemisphere Institute for Security Cooperation",
        "Defense Language Institute English Language Center",
        "Near East South Asia Center for Strategic Studies",
    ):
        assert school in top
    whinsec = school_detail(full_store, operator, "WHINSEC")
    colombia = whinsec["nations"][0]
    # Colombia sends most officers to WHINSEC; 864 of its students in FY2012 (the report's lines).
    assert colombia["nation"] == "COL"
    assert colombia["by_year"][2012] == 864
    marshall = school_detail(full_store, operator, "Marshall Center")
    assert len(marshall["nations"]) > 100
