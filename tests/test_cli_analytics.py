"""``comity ties``, ``dyad``, ``network``, ``profile``, ``compare`` and ``export`` end to end."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

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
    assert [t["partner"] for t in ties][:3] == ["KOR", "JPN", "GBR"]
    assert all(0 <= t["index"] <= 100 for t in ties)
    table = runner.invoke(app, ["ties", "USA", "--year", "2010", "--top", "3"])
    assert "KOR" in table.stdout and "method 1.0" in table.stdout


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


def test_exports_for_r_pandas_and_gephi(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dyads.parquet"
    result = runner.invoke(app, ["export", "dyad-years", "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names[:11] == ["iso3_1", "iso3_2", "ccode1", "ccode2", "year", "index",
                                       "interoperability", "institutional", "cultural",
                                       "continuity", "diversity"]  # fmt: skip
    rows = table.slice(0, 1000).to_pylist()
    assert all(r["iso3_1"] < r["iso3_2"] for r in rows)
    usa_gbr = [r for r in table.filter(
        (table.column("iso3_1").to_pandas() == "GBR").to_numpy()).to_pylist()
        if r["iso3_2"] == "USA" and r["year"] == 1985]  # fmt: skip
    assert usa_gbr and (usa_gbr[0]["ccode1"], usa_gbr[0]["ccode2"]) == (200, 2)
    csv_text = runner.invoke(app, ["export", "dyad-years"]).stdout
    assert csv_text.splitlines()[0].startswith('"iso3_1","iso3_2","ccode1","ccode2","year"')
    graph = tmp_path / "net.graphml"
    result = runner.invoke(app, ["export", "network", "--year", "2010", "-o", str(graph),
                                 "--min-index", "10"])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = ElementTree.parse(graph).getroot()
    space = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", space)) > 100
    assert len(root.findall(".//g:edge", space)) > 100
    parquet_only = runner.invoke(app, ["export", "dyad-years", "--format", "parquet"])
    assert parquet_only.exit_code == 1
    assert parquet_only.stderr.startswith("Error: Parquet is binary and cannot go to the terminal.")
