"""The CLI end to end through Typer's runner: exit codes and exact messages."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

from typer.testing import CliRunner

from comity.cli import app


def _newest_migration() -> str:
    versions = resources.files("comity.store").joinpath("migrations", "versions")
    return max(p.name[:4] for p in versions.iterdir() if p.name[:4].isdigit())


def _add_cobra_gold(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "engagements",
            "add",
            "--kind",
            "exercise",
            "--title",
            "Cobra Gold 2010",
            "--start",
            "2010-02",
            "--host",
            "Thailand",
            "-p",
            "USA:5000",
            "-p",
            "Singapore",
            "-p",
            "Japan:observer",
            "--programme",
            "Cobra Gold",
            "--detail",
            "domains=land,sea",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added engagement 1: Cobra Gold 2010\n"


def test_init_on_a_fresh_file_creates_and_seeds(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    result = CliRunner().invoke(app, ["--database", url, "init"])
    assert result.exit_code == 0, result.output
    head = _newest_migration()
    assert result.stdout.startswith(f"Created the store at {url} (schema {head}).")
    again = CliRunner().invoke(app, ["--database", url, "init", "--json"])
    report = json.loads(again.stdout)
    assert report["revision_before"] == report["revision"]
    assert report["nations"]["added"] == 0 and report["nations"]["unchanged"] > 250


def test_add_list_show_as_json(cli: CliRunner) -> None:
    _add_cobra_gold(cli)
    listed = json.loads(cli.invoke(app, ["engagements", "list", "--json"]).stdout)
    assert len(listed) == 1
    record = listed[0]
    assert (record["id"], record["host"], record["start"]) == (1, "THA", "2010-02")
    assert [(p["nation"], p["role"], p["personnel"]) for p in record["participants"]] == [
        ("THA", "host", None),
        ("JPN", "observer", None),
        ("SGP", "participant", None),
        ("USA", "participant", 5000),
    ]
    assert record["details"]["domains"] == ["land", "sea"]
    shown = json.loads(cli.invoke(app, ["engagements", "show", "1", "--json"]).stdout)
    assert shown == record


def test_list_filters_and_csv(cli: CliRunner) -> None:
    _add_cobra_gold(cli)
    result = cli.invoke(
        app,
        [
            "engagements",
            "add",
            "-k",
            "visit",
            "-t",
            "Minister visits Seoul",
            "--start",
            "2005-06-02",
            "--host",
            "ROK",
            "-p",
            "US",
            "--detail",
            "level=minister",
        ],
    )
    assert result.exit_code == 0, result.output
    out = cli.invoke(app, ["engagements", "list", "--nation", "Korea, Republic of", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["id"], r["kind"], r["host"], r["nations"]) for r in rows] == [
        ("2", "visit", "KOR", "KOR, USA")
    ]
    by_kind = cli.invoke(app, ["engagements", "list", "--kind", "exercise", "--json"])
    assert [r["title"] for r in json.loads(by_kind.stdout)] == ["Cobra Gold 2010"]
    by_years = cli.invoke(app, ["engagements", "list", "--from-year", "2006", "--json"])
    assert [r["id"] for r in json.loads(by_years.stdout)] == [1]
    by_text = cli.invoke(app, ["engagements", "list", "-q", "seoul", "--json"])
    assert [r["id"] for r in json.loads(by_text.stdout)] == [2]
    pair = cli.invoke(app, ["engagements", "list", "-n", "USA", "--partner", "SGP", "--json"])
    assert [r["id"] for r in json.loads(pair.stdout)] == [1]
    table = cli.invoke(app, ["engagements", "list"])
    assert "Cobra Gold" in table.stdout and "Minister" in table.stdout


def test_names_resolve_for_the_year_given(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "engagements",
            "add",
            "-k",
            "exercise",
            "-t",
            "Warsaw Pact manoeuvre",
            "--start",
            "1985",
            "-p",
            "Russia",
            "-p",
            "East Germany",
        ],
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(cli.invoke(app, ["engagements", "show", "1", "--json"]).stdout)
    assert [p["nation"] for p in shown["participants"]] == ["DDR", "SUN"]


def test_a_new_host_takes_the_host_role_from_the_old_one(cli: CliRunner) -> None:
    _add_cobra_gold(cli)
    edited = cli.invoke(app, ["engagements", "edit", "1", "--host", "Japan"])
    assert edited.exit_code == 0, edited.output
    shown = json.loads(cli.invoke(app, ["engagements", "show", "1", "--json"]).stdout)
    assert shown["host"] == "JPN"
    roles = {p["nation"]: p["role"] for p in shown["participants"]}
    assert roles == {
        "JPN": "host",
        "THA": "participant",
        "SGP": "participant",
        "USA": "participant",
    }


def test_edit_and_delete(cli: CliRunner) -> None:
    _add_cobra_gold(cli)
    edited = cli.invoke(
        app,
        [
            "engagements",
            "edit",
            "1",
            "--title",
            "Cobra Gold 10",
            "--add-participant",
            "KOR:300",
            "--remove-participant",
            "Japan",
        ],
    )
    assert edited.exit_code == 0, edited.output
    assert edited.stdout == "Updated engagement 1 (version 2).\n"
    shown = json.loads(cli.invoke(app, ["engagements", "show", "1", "--json"]).stdout)
    assert shown["title"] == "Cobra Gold 10"
    assert {p["nation"] for p in shown["participants"]} == {"THA", "USA", "SGP", "KOR"}
    stale = cli.invoke(app, ["engagements", "edit", "1", "--title", "x", "--expected-version", "1"])
    assert stale.exit_code == 1
    assert stale.stderr.startswith(
        "Error: Engagement 1 changed since you read it (version 2, you had 1).\n"
    )
    deleted = cli.invoke(app, ["engagements", "delete", "1", "--yes"])
    assert (deleted.exit_code, deleted.stdout) == (0, "Deleted engagement 1.\n")
    gone = cli.invoke(app, ["engagements", "show", "1"])
    assert gone.exit_code == 1
    assert gone.stderr == (
        "Error: No engagement with id 1.\n  Hint: Run `comity engagements list` to see the ids.\n"
    )


def test_delete_asks_before_it_deletes(cli: CliRunner) -> None:
    _add_cobra_gold(cli)
    declined = cli.invoke(app, ["engagements", "delete", "1"], input="n\n")
    assert declined.exit_code == 1
    assert cli.invoke(app, ["engagements", "show", "1"]).exit_code == 0


def test_unknown_nation_is_one_line_with_suggestions(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["engagements", "add", "-k", "exercise", "-t", "x", "--start", "2010", "-p", "Germny"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Unknown nation 'Germny'.\n"
        "  Hint: Did you mean: Germany (DEU), East Germany (DDR), Guernsey (GGY)?\n"
    )
    assert "Traceback" not in result.output
    assert json.loads(cli.invoke(app, ["engagements", "list", "--json"]).stdout) == []


def test_validation_error_names_the_field(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "engagements",
            "add",
            "-k",
            "exercise",
            "-t",
            "x",
            "--start",
            "2010-05",
            "--end",
            "2010-04",
            "-p",
            "USA",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Invalid engagement: end: the end (2010-04) is before the start (2010-05) "
        "(got '2010-04')\n"
    )


def test_a_nation_that_did_not_exist_is_refused(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["engagements", "add", "-k", "visit", "-t", "x", "--start", "1980", "-p", "UKR"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Invalid engagement: participants.0.nation: Ukraine was not a state in 1980"
    )


def test_usage_errors_exit_with_two(cli: CliRunner) -> None:
    both = cli.invoke(app, ["engagements", "list", "--json", "--csv"])
    assert both.exit_code == 2
    assert "choose one of --json and --csv, not both" in both.output
    assert cli.invoke(app, ["engagements", "list", "--kind", "parade"]).exit_code == 2


def test_nations_search_and_one_nation(cli: CliRunner) -> None:
    found = json.loads(cli.invoke(app, ["nations", "--search", "korea", "--json"]).stdout)
    assert [n["iso3"] for n in found] == ["XKR", "PRK", "KOR"]
    historical = json.loads(cli.invoke(app, ["nations", "--historical", "--json"]).stdout)
    assert {"SUN", "DDR", "YUG", "CSK"} <= {n["iso3"] for n in historical}
    one = json.loads(cli.invoke(app, ["nation", "ROK", "--json"]).stdout)
    assert (one["iso3"], one["cow_code"], one["gw_code"]) == ("KOR", 732, 732)
    russia = json.loads(cli.invoke(app, ["nation", "Russia", "--json"]).stdout)
    assert [m["organisation"] for m in russia["memberships"]] == ["CSTO", "SCO"]
    text = cli.invoke(app, ["nation", "Soviet Union"])
    assert "Soviet Union (SUN)" in text.stdout and "1922-1991" in text.stdout


def test_organisations_and_members_in_a_year(cli: CliRunner) -> None:
    listed = json.loads(cli.invoke(app, ["orgs", "--json"]).stdout)
    assert {o["code"]: o["current_members"] for o in listed}["NATO"] == 32
    csto = json.loads(cli.invoke(app, ["orgs", "CSTO", "--year", "2005", "--json"]).stdout)
    assert sorted(m["nation"] for m in csto) == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    missing = cli.invoke(app, ["orgs", "WARSAW"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: No organisation with the code 'WARSAW'.")


def test_an_uninitialised_store_says_what_to_do(tmp_path: object) -> None:
    result = CliRunner().invoke(
        app, ["--database", f"sqlite:///{tmp_path}/none.db", "engagements", "list"]
    )
    assert result.exit_code == 1
    assert result.stderr.endswith("is not initialised.\n  Hint: Run `comity init` first.\n")


def test_a_malformed_database_url_is_explained() -> None:
    result = CliRunner().invoke(app, ["--database", "not a url", "nations"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 'not a url' is not a database URL.")


def test_version_and_help() -> None:
    assert CliRunner().invoke(app, ["--version"]).stdout.startswith("comity 0.1.0")
    help_text = CliRunner().invoke(app, ["--help"]).stdout
    for command in ("init", "nations", "nation", "orgs", "engagements"):
        assert command in help_text
