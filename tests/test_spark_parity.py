"""DuckDB and Spark give the same tables from one definition (the media pipeline, the index).

Spark runs in local mode in one session shared by the test session (``spark`` fixture); these
tests fail, not skip, when PySpark or Java is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from comity.access import Viewer
from comity.analytics.engines import DuckDBEngine, SparkEngine
from comity.analytics.settings import default_settings
from comity.cli import app
from comity.ingest.base import ImportContext
from comity.ingest.catalog import get_importer
from comity.ingest.media.pipeline import read_media_output, run_media_pipeline
from comity.nations import load_reference
from comity.nations.resolver import default_resolver
from comity.services.analytics import compute_dyad_years, compute_dyad_years_on
from comity.services.imports import bundled_paths
from comity.store import Store
from tests.gdelt_rows import event, generated_events, write_events
from tests.spark_helpers import (
    add_covered_engagements,
    index_on_duckdb_and_spark,
    run_pipeline,
    same_tables,
)

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("source", ["bundled sample", "generated"])
def test_media_dyad_years_are_the_same_on_duckdb_and_spark(
    spark: Any, tmp_path: Path, source: str
) -> None:
    if source == "bundled sample":
        patterns = [str(bundled_paths(get_importer("gdelt_sample"))[0])]
    else:
        patterns = [str(write_events(tmp_path / "generated.tsv.gz", generated_events(3000)))]
    duck, duck_excluded = run_pipeline(patterns, DuckDBEngine(), tmp_path / "duckdb")
    sparked, spark_excluded = run_pipeline(patterns, SparkEngine(spark), tmp_path / "spark")
    assert spark_excluded == duck_excluded
    same_tables(duck.dyad_years, sparked.dyad_years, ["nation1", "nation2", "year"])
    assert sparked.coverage.equals(duck.coverage)


def test_the_tie_index_is_the_same_on_duckdb_and_spark(spark: Any, tmp_path: Path) -> None:
    duck, sparked = index_on_duckdb_and_spark(spark, tmp_path)
    same_tables(duck, sparked, ["iso3_1", "iso3_2", "year"])
    assert duck.num_rows > 500


def test_media_run_on_spark_through_the_cli(spark: Any, cli: CliRunner, tmp_path: Path) -> None:
    path = write_events(tmp_path / "events.tsv", generated_events(200, seed=3))
    result = cli.invoke(
        app,
        [
            "media",
            "run",
            str(path),
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--output",
            str(tmp_path / "out"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["engine"] == "spark" and summary["written"] is True
    assert summary["dyad_years"] == read_media_output(tmp_path / "out").dyad_years.num_rows > 0


def test_spark_names_misshapen_lines_malformed_values_and_unreadable_files_as_duckdb_does(
    spark: Any, tmp_path: Path
) -> None:
    misshapen = write_events(tmp_path / "short.tsv", [event(1), event(2)])
    with misshapen.open("a", encoding="utf-8") as handle:  # a blank line is skipped, not an issue
        handle.write("\n" + "\t".join(["x"] * 59) + "\n")
    malformed = write_events(tmp_path / "bad.tsv", [event(1), event(2, avgtone="much")])
    whole = write_events(tmp_path / "whole.tsv.gz", [event(n) for n in range(1, 3000)])
    cut = tmp_path / "cut.tsv.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    cases = (
        (misshapen, ("short.tsv", 4, None), "does not have 57 or 58 tab-separated fields"),
        (malformed, ("bad.tsv", 2, "avgtone"), "is not a number from -100 to 100 (value 'much')"),
        (cut, ("cut.tsv.gz", None, None), "cannot be read as GDELT event files: "),
    )
    for path, where, reason in cases:
        for engine in (DuckDBEngine(), SparkEngine(spark)):
            context = ImportContext(default_resolver(), load_reference().nations, "test")
            run = run_media_pipeline([str(path)], engine, context, output=tmp_path / engine.name)
            engine.close()
            assert not run.written and not (tmp_path / engine.name).exists()
            assert [(i.file, i.row, i.column) for i in context.issues] == [where], engine.name
            assert context.issues[0].reason.startswith(reason), engine.name


# Settings changed per call reach the Spark path: the same table on both engines.


@pytest.fixture
def covered_store(store: Store, operator: Viewer) -> Store:
    """The store with engagements covered to 2008 (exercises) and 2006 (visits)."""
    return add_covered_engagements(store, operator)


@pytest.mark.parametrize(
    "overrides",
    [
        {"weights": {"exercise": 2.0}, "half_life": 5, "beyond_coverage": "decay"},
        {"weights": {"exercise": 2.0}, "half_life": 5, "beyond_coverage": "hold"},
        {"kappa": 30, "window": 3, "beyond_coverage": "missing"},
    ],
    ids=["decay", "hold", "missing"],
)
def test_dyad_years_with_overrides_are_the_same_on_duckdb_and_spark(
    spark: Any, covered_store: Store, operator: Viewer, overrides: dict[str, Any]
) -> None:
    duck = compute_dyad_years(covered_store, operator, overrides=overrides, use_cache=False)
    sparked = compute_dyad_years_on(
        covered_store, operator, "spark", "local[2]", overrides=overrides
    )
    same_tables(duck.table, sparked, ["iso3_1", "iso3_2", "year"])
    digest = duck.settings.digest()
    assert set(sparked.column("settings_digest").to_pylist()) == {digest}
    assert digest != compute_dyad_years(covered_store, operator).settings.digest()


def test_the_overrides_change_the_table_beyond_coverage(
    covered_store: Store, operator: Viewer
) -> None:
    # Guards the parity test above: with these inputs the modes give different tables.
    tables = [
        compute_dyad_years(covered_store, operator, overrides={"beyond_coverage": mode}).table
        for mode in ("decay", "hold")
    ]
    assert tables[0].num_rows == tables[1].num_rows > 100
    assert tables[0].column("index").to_pylist() != tables[1].column("index").to_pylist()


def test_export_on_spark_through_the_cli_honours_set(
    spark: Any, cli: CliRunner, covered_store: Store, tmp_path: Path
) -> None:
    settings = ["--set", "weights.exercise=2", "--set", "beyond_coverage=hold", "--order", "ccode"]
    paths = {}
    for engine in ("duckdb", "spark"):
        paths[engine] = tmp_path / f"{engine}.parquet"
        extra = ["--master", "local[2]"] if engine == "spark" else []
        result = cli.invoke(
            app,
            [
                "export",
                "dyad-years",
                "-f",
                "parquet",
                "-o",
                str(paths[engine]),
                "--engine",
                engine,
                *extra,
                *settings,
            ],
        )
        assert result.exit_code == 0, result.output
    duck, sparked = (pq.read_table(paths[e]) for e in ("duckdb", "spark"))
    same_tables(duck, sparked, ["iso3_1", "iso3_2", "year"])
    digest = (
        default_settings()
        .with_overrides({"weights": {"exercise": 2}, "beyond_coverage": "hold"})
        .digest()
    )
    assert set(sparked.column("settings_digest").to_pylist()) == {digest}
    assert sparked.column("iso3_1").to_pylist() == duck.column("iso3_1").to_pylist()
