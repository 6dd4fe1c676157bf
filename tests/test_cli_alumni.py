"""``comity people attend|career|import``, ``comity alumni`` and ``comity quality``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.cli import app
from comity.store import Store


def test_record_and_report_alumni(cli: CliRunner, store: Store, tmp_path: Path) -> None:
    person = services.add_person(
        store, {"name": "Ana Cruz", "nation": "PHL"}, Viewer.operator("tests")
    )
    result = cli.invoke(
        app,
        [
            "people",
            "attend",
            "--person",
            str(person),
            "--programme",
            "IMET",
            "--start",
            "2000-08-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Recorded attendance ")
    args = [
        "people",
        "career",
        "--person",
        str(person),
        "--date",
        "2009-08-01",
        "--position",
        "Navy chief",
        "--seniority",
        "service_chief",
    ]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    steps = tmp_path / "steps.csv"
    steps.write_text("person,nation,date,position,seniority\nBo Lim,SGP,2012,Chief,minister\n")
    courses = tmp_path / "courses.csv"
    courses.write_text("person,nation,programme,start\nBo Lim,Singapore,IMET,2004-08-01\n")
    for path, kind in ((courses, "attendance"), (steps, "career")):
        done = cli.invoke(app, ["people", "import", str(path), "--kind", kind])
        assert done.exit_code == 0, done.output
        assert done.stdout == f"Imported 1 {kind} records.\n"
    figures = json.loads(cli.invoke(app, ["alumni", "--json"]).stdout)
    # Ana: 2000-08-01 -> 2009-08-01 (9.0 y); Bo: 2004-08-01 -> 2012-01-01 (7.42 y).
    assert figures == [
        {
            "group": "IMET",
            "alumni": 2,
            "senior": 2,
            "share": 1.0,
            "median_years": 8.21,
            "min_years": 7.42,
            "max_years": 9.0,
        }
    ]
    rows = list(
        csv.DictReader(io.StringIO(cli.invoke(app, ["alumni", "--by", "nation", "--csv"]).stdout))
    )
    assert [(r["group"], r["alumni"]) for r in rows] == [("PHL", "1"), ("SGP", "1")]


def test_a_bad_seniority_is_named(cli: CliRunner, store: Store) -> None:
    person = services.add_person(store, {"name": "A", "nation": "PHL"}, Viewer.operator("t"))
    result = cli.invoke(
        app,
        [
            "people",
            "career",
            "--person",
            str(person),
            "--date",
            "2009",
            "--position",
            "Tsar",
            "--seniority",
            "tsar",
        ],
    )
    assert result.exit_code == 1
    assert "Error: Invalid career: seniority: Input should be 'flag_rank'" in result.stderr


def test_quality_lists_groups_and_records_to_fix(cli: CliRunner, store: Store) -> None:
    services.add_engagement(
        store,
        {
            "kind": "exercise",
            "title": "Bare drill",
            "start": date(2020, 1, 1),
            "participants": [{"nation": "USA"}, {"nation": "PHL"}],
        },
        Viewer.operator("tests"),
    )
    report = json.loads(cli.invoke(app, ["quality", "--json"]).stdout)
    assert [g["group"] for g in report["groups"]] == ["local:tests"]
    assert report["records_to_fix"][0]["title"] == "Bare drill"
    table = cli.invoke(app, ["quality", "--by", "nation"])
    assert table.exit_code == 0, table.output
    assert "Records to fix first:" in table.stdout and "missing host, location" in table.stdout
