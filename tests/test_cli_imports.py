"""``comity import`` and ``comity sources`` end to end through the runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.cli import app


def test_import_one_dataset_and_see_the_summary(cli: CliRunner) -> None:
    result = cli.invoke(app, ["import", "us_senior_visits"])
    assert result.exit_code == 0, result.output
    assert "us_senior_visits" in result.stdout and "362" in result.stdout
    assert "us_senior_visits: 7 excluded: visit to a US territory, not a foreign visit" in (
        result.stdout
    )


def test_import_json_report_and_dry_run(cli: CliRunner) -> None:
    dry = json.loads(cli.invoke(app, ["import", "organisations", "--dry-run", "--json"]).stdout)
    assert (dry["dry_run"], dry["written"], dry["unchanged"]) == (True, False, 99)
    report = json.loads(cli.invoke(app, ["import", "us_senior_visits", "--json"]).stdout)
    assert report["added"] == 362


def test_a_rejected_file_prints_the_problems_and_exits_one(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "visits.csv"
    bad.write_text(
        "Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,End Day,End Month,"
        "End Year\nSecretary of the Army,A,1,2,2004,,Freedonia,3,2,2004\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["import", "us_senior_visits", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: us_senior_visits: 1 problem(s) found; nothing was written.\n"
    )
    assert "Freedonia" in result.stderr and "visits.csv" in result.stderr
    assert "Hint: Fix the file, or map unknown names with --names FILE" in result.stderr
    names = tmp_path / "names.csv"
    names.write_text("Freedonia,FRA\n", encoding="utf-8")
    fixed = cli.invoke(app, ["import", "us_senior_visits", str(bad), "--names", str(names)])
    assert fixed.exit_code == 0, fixed.output


def test_import_with_a_mapping(cli: CliRunner, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[dataset]\nname = "drills"\n[columns]\nid = "id"\ntitle = "t"\nstart = "s"\n'
        '[participants]\nlayout = "list"\ncolumn = "who"\n[constants]\nkind = "exercise"\n',
        encoding="utf-8",
    )
    data = tmp_path / "drills.csv"
    data.write_text("id,t,s,who\n1,Drill,2020-01,USA;CAN\n", encoding="utf-8")
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    listed = json.loads(cli.invoke(app, ["engagements", "list", "--json"]).stdout)
    assert [(e["title"], e["external_id"]) for e in listed] == [("Drill", "drills:1")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import"], "give a dataset name (see `comity sources`), --all or --mapping"),
        (["import", "--all", "mme_exercises"], "--all imports the bundled datasets"),
    ],
)
def test_import_usage_errors(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    flat = " ".join(result.output.replace("│", " ").split())
    assert message in flat


def test_sources_lists_citations(cli: CliRunner) -> None:
    cli.invoke(app, ["import", "us_senior_visits"])
    listed = {s["name"]: s for s in json.loads(cli.invoke(app, ["sources", "--json"]).stdout)}
    assert listed["us_senior_visits"]["years"] == "1992-2012"
    assert listed["us_senior_visits"]["records"] == 362
    assert listed["mme_exercises"]["imported"] == "not yet"
    assert "D'Orazio" in listed["mme_exercises"]["citation"]


@pytest.mark.full_data
@pytest.mark.slow
def test_import_all_then_again_skips_everything(cli: CliRunner) -> None:
    first = cli.invoke(app, ["import", "--all", "--json"])
    assert first.exit_code == 0, first.output
    reports = {r["dataset"]: r for r in json.loads(first.stdout)}
    assert reports["mme_exercises"]["added"] == 3616
    assert reports["atop_alliances"]["added"] == 7701
    second = cli.invoke(app, ["import", "--all"])
    assert second.stdout.startswith("Every bundled dataset is imported and unchanged")
