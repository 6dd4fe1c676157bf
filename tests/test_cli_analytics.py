"""``comity ties``, ``dyad``, ``network``, ``profile`` and ``compare`` end to end."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from comity.analytics.settings import default_settings
from comity.cli import app
from comity.store import Store

pytestmark = pytest.mark.full_data


@pytest.fixture
def runner(full_store: Store, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on a store holding every bundled dataset."""
    monkeypatch.setenv("COMITY_DATABASE_URL", full_store.describe_url())
    return CliRunner()


def test_ties_lists_partners_strongest_first(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ties", "United States", "--year", "2010", "--top", "5", "--json"])
    assert result.exit_code == 0, result.output
    ties = json.loads(result.stdout)
    # The United Kingdom's five defence cooperation agreements in force in 2010 (DCAD) put it
    # second; Japan, with one, third.
    assert [t["partner"] for t in ties][:3] == ["KOR", "GBR", "JPN"]
    assert all(0 <= t["index"] <= 100 for t in ties)
    table = runner.invoke(app, ["ties", "USA", "--year", "2010", "--top", "3"])
    method = default_settings().method_version
    assert "KOR" in table.stdout and f"method {method}" in table.stdout


def test_dyad_shows_history_with_challenges(runner: CliRunner) -> None:
    result = runner.invoke(app, ["dyad", "India", "Pakistan", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    years = {row["year"]: row for row in report["years"]}
    assert years[2000]["rivalry"] is True
    assert years[2019]["disputes_50y"] is None
    rows = list(
        csv.DictReader(io.StringIO(runner.invoke(app, ["dyad", "IND", "PAK", "--csv"]).stdout))
    )
    assert rows[0]["year"] and "ideological_distance" in rows[0]
    assert len(rows) == len(report["years"]) > 15


def test_dyad_table_shows_recent_years_the_trend_and_fits_the_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    every = json.loads(runner.invoke(app, ["dyad", "IND", "PAK", "--json"]).stdout)["years"]
    table = runner.invoke(app, ["dyad", "India", "Pakistan"]).stdout
    lines = table.splitlines()
    assert lines[0].startswith(f"Index {every[0]['year']}–{every[-1]['year']}: ")
    assert len(lines[0].split(": ")[1]) == len(every)  # one block a year
    assert f"the last 15 of {len(every)} years (--all: every year)" in table
    rows = [line for line in lines if line.startswith("│")]
    assert [int(r.split("│")[1]) for r in rows] == [y["year"] for y in every[-15:]]
    # Headings in words on one line, every line within the width, the rest named.
    assert all(len(line) <= 80 for line in lines if line.startswith(("│", "┃", "┏")))
    assert "Ideol. distance" in table and "Not shown at this width:" in table
    wide = runner.invoke(app, ["dyad", "India", "Pakistan", "--all", "--wide"]).stdout
    assert len([line for line in wide.splitlines() if line.startswith("│")]) == len(every)
    assert "Fatal 50y" in wide and "Not shown at this width" not in wide


def test_dyad_errors_are_one_line(runner: CliRunner) -> None:
    same = runner.invoke(app, ["dyad", "USA", "United States"])
    assert same.exit_code == 1
    assert same.stderr.startswith("Error: Invalid pair: nations: name two different nations")
    unknown = runner.invoke(app, ["dyad", "USA", "Atlantis"])
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: Unknown nation 'Atlantis'.")


def test_network_profile_and_compare(runner: CliRunner) -> None:
    network = json.loads(runner.invoke(app, ["network", "--year", "2010", "--json"]).stdout)
    assert network["year"] == 2010 and network["nations"][0]["nation"] == "USA"
    assert 0 < network["communities"]["modularity"] < 1
    profile = json.loads(runner.invoke(app, ["profile", "China", "--json"]).stdout)
    assert profile["nation"] == "CHN" and profile["top_partners"]
    by_year = {y["year"]: y for y in profile["years"]}
    assert by_year[2016]["partners"] > by_year[2003]["partners"]
    compare = json.loads(runner.invoke(app, ["compare", "USA", "CHN", "--json"]).stdout)
    assert compare["nations"] == ["USA", "CHN"]
    assert abs(sum(compare["mechanisms"]["CHN"].values()) - 1.0) < 1e-9


def test_ties_with_a_weight_set_to_zero_differ_and_name_their_digest(runner: CliRunner) -> None:
    args = ["ties", "USA", "--year", "2010", "--json"]
    default = runner.invoke(app, args)
    changed = runner.invoke(app, [*args, "--set", "weights.exercise=0"])
    assert default.exit_code == changed.exit_code == 0, changed.output
    before, after = json.loads(default.stdout), json.loads(changed.stdout)
    digest = default_settings().with_overrides({"weights": {"exercise": 0}}).digest()
    assert {t["settings_digest"] for t in before} == {default_settings().digest()}
    assert {t["settings_digest"] for t in after} == {digest}
    assert [(t["partner"], t["index"]) for t in after] != [
        (t["partner"], t["index"]) for t in before
    ]
    strength = {t["partner"]: t["interoperability"] for t in before}
    assert all(t["interoperability"] <= strength.get(t["partner"], 100.0) for t in after)


def test_ties_with_robustness_give_each_partner_its_top_ten_chance(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ties", "USA", "--year", "2010", "--robustness", "--json"])
    assert result.exit_code == 0, result.output
    ties = {t["partner"]: t for t in json.loads(result.stdout)}
    assert ties["KOR"]["top10_chance"] == 1.0 and ties["KOR"]["rank_band"] == "1–1"
    assert all(0.0 <= t["top10_chance"] <= 1.0 for t in ties.values())
    assert any(t["rank_band"].endswith(">10") for t in ties.values())
    table = runner.invoke(app, ["ties", "USA", "--year", "2010", "--robustness", "--wide"])
    assert "Top-10 chance" in table.stdout
