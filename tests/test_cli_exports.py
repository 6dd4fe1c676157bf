"""``comity export dyad-years``, ``directed-dyad-years`` and ``network``.

Small-store cases use two 2015 exercises hosted by the Philippines (CoW 840) with the United
States (CoW 2); the last test exports the full bundled data.
"""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.analytics.settings import default_settings
from comity.cli import app
from comity.store import Store

METHOD = default_settings().method_version


def digest_of(overrides: dict[str, object]) -> str:
    return default_settings().with_overrides(overrides).digest()


@pytest.fixture
def runner(cli: CliRunner, store: Store, operator: Viewer) -> CliRunner:
    """The CLI on a store holding two 2015 exercises of the Philippines and the United States."""
    for title in ("Balikatan 2015", "Balikatan 2015 (second phase)"):
        services.add_engagement(
            store,
            {
                "kind": "exercise",
                "title": title,
                "start": date(2015, 4, 20),
                "host": "PHL",
                "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
            },
            operator,
        )
    return cli


def _rows(runner: CliRunner, args: list[str]) -> list[dict[str, str]]:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_dyad_years_in_code_order_with_settings(runner: CliRunner) -> None:
    rows = _rows(
        runner,
        ["export", "dyad-years", "--order", "ccode", "--set", "weights.exercise=2"],
    )
    first = rows[0]
    assert (first["iso3_1"], first["iso3_2"], first["ccode1"], first["ccode2"]) == (
        "USA",
        "PHL",
        "2",
        "840",
    )
    assert float(first["index"]) == pytest.approx(100 * (1 - math.exp(-4 / 20)), rel=1e-12)
    assert {r["settings_digest"] for r in rows} == {digest_of({"weights": {"exercise": 2}})}
    assert {r["method_version"] for r in rows} == {METHOD}


def test_dyad_years_keep_iso_order_by_default(runner: CliRunner) -> None:
    first = _rows(runner, ["export", "dyad-years"])[0]
    assert (first["iso3_1"], first["ccode1"], first["settings_digest"]) == (
        "PHL",
        "840",
        default_settings().digest(),
    )


def test_directed_dyad_years_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "directed.parquet"
    result = runner.invoke(
        app,
        [
            "export",
            "directed-dyad-years",
            "-f",
            "parquet",
            "-o",
            str(path),
            "--order",
            "ccode",
            "--set",
            "half_life=5",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(path)
    assert result.stdout == f"Wrote {table.num_rows:,} directed dyad-years to {path}.\n"
    first = table.slice(0, 1).to_pylist()[0]
    assert (first["nation_from"], first["nation_to"], first["ccode_from"], first["year"]) == (
        "USA",
        "PHL",
        2,
        2015,
    )
    assert first["outreach"] == 0.0
    assert set(table.column("settings_digest").to_pylist()) == {digest_of({"half_life": 5})}


def test_directed_dyad_years_hand_checked(runner: CliRunner) -> None:
    rows = _rows(runner, ["export", "directed-dyad-years"])
    given = next(r for r in rows if (r["nation_from"], r["year"]) == ("PHL", "2015"))
    assert (given["nation_to"], given["ccode_from"], given["ccode_to"]) == ("USA", "840", "2")
    assert float(given["outreach"]) == pytest.approx(100 * (1 - math.exp(-2 / 20)), rel=1e-12)


def test_network_export_names_the_settings(runner: CliRunner) -> None:
    rows = _rows(runner, ["export", "network", "--format", "csv", "--set", "partner_threshold=5"])
    assert rows and {r["settings_digest"] for r in rows} == {digest_of({"partner_threshold": 5})}


@pytest.mark.parametrize("command", ["dyad-years", "directed-dyad-years", "network"])
def test_exports_refuse_an_unknown_setting(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, ["export", command, "--set", "weights.exercize=2"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: Invalid index settings: weights.exercize: is not a setting of the index",
        "  Hint: Did you mean weights.exercise? Keys of weights: exercise, humanitarian, "
        "research, training, cultural_event, port_call, peacekeeping, outreach, agreement, "
        "media_event, arms_transfer, presence, posting.",
    ]


def test_an_unknown_order_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["export", "dyad-years", "--order", "cow"])
    assert result.exit_code == 2
    assert "Invalid value for '--order'" in result.output


@pytest.mark.full_data
def test_exports_for_r_pandas_and_gephi(any_full_store: Store, tmp_path: Path) -> None:
    runner = CliRunner(env={"COMITY_DATABASE_URL": any_full_store.describe_url()})
    out = tmp_path / "dyads.parquet"
    result = runner.invoke(app, ["export", "dyad-years", "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names[:4] == ["iso3_1", "iso3_2", "ccode1", "ccode2"]
    assert table.column_names[-2:] == ["method_version", "settings_digest"]
    rows = table.slice(0, 1000).to_pylist()
    assert all(r["iso3_1"] < r["iso3_2"] for r in rows)
    gbr_usa = [
        r
        for r in table.filter((table.column("iso3_1").to_pandas() == "GBR").to_numpy()).to_pylist()
        if r["iso3_2"] == "USA" and r["year"] == 1985
    ]
    assert gbr_usa and (gbr_usa[0]["ccode1"], gbr_usa[0]["ccode2"]) == (200, 2)
    by_code = tmp_path / "by_code.parquet"
    result = runner.invoke(
        app, ["export", "dyad-years", "-f", "parquet", "-o", str(by_code), "--order", "ccode"]
    )
    assert result.exit_code == 0, result.output
    ordered = pq.read_table(by_code)
    assert ordered.num_rows == table.num_rows
    coded = [r for r in ordered.slice(0, 5000).to_pylist() if r["ccode1"] and r["ccode2"]]
    assert coded and all(r["ccode1"] < r["ccode2"] for r in coded)
    assert coded[0]["ccode1"] == 2  # the United States first, as in peacesciencer
    csv_text = runner.invoke(app, ["export", "dyad-years"]).stdout
    assert csv_text.splitlines()[0].startswith('"iso3_1","iso3_2","ccode1","ccode2"')
    graph = tmp_path / "net.graphml"
    result = runner.invoke(
        app, ["export", "network", "--year", "2010", "-o", str(graph), "--min-index", "10"]
    )
    assert result.exit_code == 0, result.output
    root = ElementTree.parse(graph).getroot()
    space = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", space)) > 100
    assert len(root.findall(".//g:edge", space)) > 100
    parquet_only = runner.invoke(app, ["export", "dyad-years", "--format", "parquet"])
    assert parquet_only.exit_code == 1
    assert parquet_only.stderr.startswith("Error: Parquet is binary and cannot go to the terminal.")
