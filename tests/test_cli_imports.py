"""``comity import`` and ``comity sources`` end to end through the runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.cli import app
from comity.store import Store


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


_MAPPING = (
    '[dataset]\nname = "drills"\n[columns]\nid = "id"\ntitle = "t"\nstart = "s"\nend = "e"\n'
    '[participants]\nlayout = "list"\ncolumn = "who"\n[constants]\nkind = "exercise"\n'
)
_DRILLS = "id,t,s,e,who\n1,Drill,2019-05,,USA;CAN\n2,Drill two,2020-01,2021-02,USA;MEX\n"


def _mapped(tmp_path: Path, coverage: str = "") -> list[str]:
    mapping, data = tmp_path / "m.toml", tmp_path / "drills.csv"
    mapping.write_text(_MAPPING + coverage, encoding="utf-8")
    data.write_text(_DRILLS, encoding="utf-8")
    return ["import", "--mapping", str(mapping), str(data)]


def test_a_mapping_without_coverage_reports_what_it_assumed(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, _mapped(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "  drills: coverage assumed (years, kinds, pairs from the rows): exercise 2019-2021, "
        "every pair\n"
        "  Hint: If the file covers only some nations' pairs (say, one nation's own "
        'engagements), state them in the mapping: [coverage] pairs = ["USA"]; see '
        "docs/importing.md.\n"
    )


def test_a_mapping_states_its_coverage(cli: CliRunner, tmp_path: Path) -> None:
    coverage = '[coverage]\nfirst_year = 2015\nlast_year = 2022\npairs = ["United States"]\n'
    result = cli.invoke(app, [*_mapped(tmp_path, coverage), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["coverage"], report["coverage_assumed"], report["coverage_hint"]) == (
        ["exercise 2015-2022, pairs with USA"],
        ["kinds"],
        None,
    )
    table = cli.invoke(app, _mapped(tmp_path, coverage))
    assert "coverage assumed (kinds from the rows)" in table.stdout
    assert "Hint:" not in table.stdout


@pytest.mark.parametrize(
    ("coverage", "message"),
    [
        (
            "first_year = 2020\nlast_year = 2010\n",
            "coverage.last_year: is before first_year (2020) (got 2010)",
        ),
        (
            'kinds = ["parade"]\n',
            "coverage.kinds: parade: not a kind; the kinds are exercise, education, training, "
            "research, cultural_event, visit, port_call, peacekeeping, humanitarian, outreach, "
            "agreement, alliance, media_event, arms_transfer, presence (got ['parade'])",
        ),
        (
            'pairs = "some"\n',
            'coverage.pairs: write "all" (every pair) or a list of nations, e.g. ["USA"] '
            "(got 'some')",
        ),
        (
            "pairs = []\n",
            'coverage.pairs: lists no nation: write "all" for every pair, or name the nations '
            "(got [])",
        ),
        ("every = 1\n", "coverage.every: Extra inputs are not permitted (got 1)"),
    ],
    ids=["years reversed", "unknown kind", "pairs not all", "no nation", "unknown key"],
)
def test_a_faulty_coverage_section_is_refused_naming_the_field(
    cli: CliRunner, tmp_path: Path, coverage: str, message: str
) -> None:
    result = cli.invoke(app, _mapped(tmp_path, "[coverage]\n" + coverage))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: The mapping file m.toml is not valid: {message}\n"
        "  Hint: See docs/importing.md for the keys a mapping takes.\n"
    )


def test_an_unknown_nation_in_the_coverage_is_a_problem_of_the_mapping(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = cli.invoke(app, [*_mapped(tmp_path, '[coverage]\npairs = ["Atlantis"]\n'), "--json"])
    assert result.exit_code == 1
    [issue] = json.loads(result.stdout)["issues"]
    assert (issue["file"], issue["row"], issue["column"], issue["value"]) == (
        "m.toml",
        None,
        "coverage.pairs",
        "Atlantis",
    )
    assert issue["reason"].startswith("unknown nation")


def test_a_first_year_after_the_records_is_a_problem_of_the_mapping(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = cli.invoke(app, [*_mapped(tmp_path, "[coverage]\nfirst_year = 2030\n"), "--json"])
    assert result.exit_code == 1
    [issue] = json.loads(result.stdout)["issues"]
    assert (issue["file"], issue["column"], issue["value"], issue["reason"]) == (
        "m.toml",
        "coverage.first_year",
        "2030",
        "is after the last year of the records (2021); give last_year too",
    )


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


def test_sources_show_the_kinds_years_and_pairs_each_covers(cli: CliRunner) -> None:
    cli.invoke(app, ["import", "us_senior_visits"])
    cli.invoke(app, ["import", "organisations"])
    listed = {s["name"]: s for s in json.loads(cli.invoke(app, ["sources", "--json"]).stdout)}
    assert listed["us_senior_visits"]["coverage"] == [
        {
            "kind": "visit",
            "first_year": 1992,
            "last_year": 2012,
            "pairs": "pairs with USA",
            "nation": "USA",
            "organisation": None,
            "note": "visits by US service secretaries and commanders; offices covered differ "
            "by year",
        }
    ]
    assert [(c["kind"], c["pairs"]) for c in listed["organisations"]["coverage"][:2]] == [
        (None, None),
        ("alliance", "co-members of NATO"),
    ]
    assert listed["mme_exercises"]["coverage"] == []
    rows = {
        r["name"]: r
        for r in csv.DictReader(io.StringIO(cli.invoke(app, ["sources", "--csv"]).stdout))
    }
    assert rows["us_senior_visits"]["coverage"] == "visit 1992-2012, pairs with USA"
    assert rows["organisations"]["coverage"].startswith(
        "alliance 1949-2025, co-members of NATO; alliance 1992-2025, co-members of CSTO; "
    )
    table = cli.invoke(app, ["sources"], env={"COLUMNS": "250"}).stdout
    assert "visit 1992-2012, pairs with USA" in table
    assert "alliance 2007-2025, co-members of SCO" in table


@pytest.mark.full_data
def test_import_all_on_an_imported_store_skips_everything(
    full_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store every dataset was imported into (as ``import --all`` does, dataset by dataset);
    # each importer's counts on a first import are checked by its own tests.
    from comity.ingest.catalog import IMPORTERS

    monkeypatch.setenv("COMITY_DATABASE_URL", full_store.url.render_as_string(hide_password=False))
    monkeypatch.delenv("COMITY_DEBUG", raising=False)
    cli = CliRunner()
    again = cli.invoke(app, ["import", "--all"])
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Every bundled dataset is imported and unchanged")
    as_json = cli.invoke(app, ["import", "--all", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == []  # nothing imported: no report
    # And the store holds what every importer brought.
    sources = cli.invoke(app, ["sources", "--json"])
    assert sources.exit_code == 0, sources.output
    imported = {s["name"]: s["imported"] for s in json.loads(sources.stdout)}
    assert set(imported) >= set(IMPORTERS)
    assert all(imported[name] for name in IMPORTERS)  # each says when it was imported
