"""DuckDB and Spark give the same tables from one definition (the media pipeline, the index).

Spark runs in local mode in one session shared by the test session (``spark`` fixture); these
tests fail, not skip, when PySpark or Java is missing.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from comity import services
from comity.access import Viewer
from comity.analytics.engines import DuckDBEngine, SparkEngine, read_parquet_folder
from comity.analytics.settings import default_settings
from comity.analytics.tie_index import Inputs, dyad_years_sql
from comity.cli import app
from comity.ingest.base import ImportContext
from comity.ingest.catalog import get_importer
from comity.ingest.media.pipeline import read_media_output, run_media_pipeline
from comity.model.measures import CoverageSpan
from comity.nations import load_reference
from comity.nations.resolver import default_resolver
from comity.services.analytics import compute_dyad_years, compute_dyad_years_on
from comity.services.imports import bundled_paths
from comity.store import Store
from comity.store.imports import replace_coverage
from tests.gdelt_rows import NATIONS, event, generated_events, write_events

pytestmark = pytest.mark.spark


def _same(first: pa.Table, second: pa.Table, keys: list[str]) -> None:
    """Equal tables: the same rows, keys and counts exactly, floating columns to 1e-9."""
    assert first.schema.names == second.schema.names
    assert first.num_rows == second.num_rows > 0
    order = [(k, "ascending") for k in keys]
    left, right = first.sort_by(order).to_pylist(), second.sort_by(order).to_pylist()
    for a, b in zip(left, right, strict=True):
        for name, value in a.items():
            if isinstance(value, float):
                assert b[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (name, a, b)
            else:
                assert b[name] == value, (name, a, b)


def _pipeline(patterns: list[str], engine: Any, output: Path) -> tuple[Any, dict[str, int]]:
    context = ImportContext(default_resolver(), load_reference().nations, "test")
    run = run_media_pipeline(patterns, engine, context, output=output, min_sources=1)
    assert run.written, context.issues[:3]
    engine.close()
    return read_media_output(output), dict(context.excluded)


@pytest.mark.parametrize("source", ["bundled sample", "generated"])
def test_media_dyad_years_are_the_same_on_duckdb_and_spark(
    spark: Any, tmp_path: Path, source: str
) -> None:
    if source == "bundled sample":
        patterns = [str(bundled_paths(get_importer("gdelt_sample"))[0])]
    else:
        patterns = [str(write_events(tmp_path / "generated.tsv.gz", generated_events(3000)))]
    duck, duck_excluded = _pipeline(patterns, DuckDBEngine(), tmp_path / "duckdb")
    sparked, spark_excluded = _pipeline(patterns, SparkEngine(spark), tmp_path / "spark")
    assert spark_excluded == duck_excluded
    _same(duck.dyad_years, sparked.dyad_years, ["nation1", "nation2", "year"])
    assert sparked.coverage.equals(duck.coverage)


def _engagements(seed: int = 11) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Engagements of every kind among 12 nations, 1990-2020, some multilateral, some open."""
    rng = random.Random(seed)
    kinds = (
        "exercise",
        "education",
        "training",
        "research",
        "cultural_event",
        "visit",
        "port_call",
        "peacekeeping",
        "humanitarian",
        "outreach",
        "agreement",
        "alliance",
        "arms_transfer",
        "presence",
        "posting",
    )
    pledges = (
        "p_defence",
        "p_offence",
        "p_consultation",
        "p_entente",
        "p_neutrality",
        "p_non_aggression",
    )
    rows: list[dict[str, Any]] = []
    members: list[tuple[int, str]] = []
    for number in range(250):
        kind = rng.choice(kinds)
        first = rng.randint(1990, 2018)
        standing = kind in ("alliance", "agreement", "presence") and rng.random() < 0.5
        nations = rng.sample(NATIONS, rng.choice((2, 2, 3, 6)))
        rows.append(
            {
                "engagement_id": number,
                "kind": kind,
                "first_year": first,
                "last_year": None if standing else first + rng.randint(0, 3),
                "host": nations[0],
                "personnel": rng.choice((None, float(rng.randint(20, 8000)))),
                "level": rng.choice((None, "minister", "chief_of_defence", "other")),
                "students": float(rng.randint(1, 40)) if kind == "education" else None,
                "tiv": rng.choice((None, 0.0, float(rng.randint(1, 3000))))
                if kind == "arms_transfer"
                else None,
                **{p: (rng.randint(0, 1) if kind == "alliance" else 0) for p in pledges},
            }
        )
        members.extend((number, nation) for nation in nations)
    types = {
        "engagement_id": pa.int64(),
        "kind": pa.string(),
        "first_year": pa.int32(),
        "last_year": pa.int32(),
        "host": pa.string(),
        "personnel": pa.float64(),
        "level": pa.string(),
        "students": pa.float64(),
        "tiv": pa.float64(),
        **{p: pa.int8() for p in pledges},
    }
    engagements = pa.table({k: pa.array([r[k] for r in rows], t) for k, t in types.items()})
    participants = pa.table(
        {
            "engagement_id": pa.array([m[0] for m in members], pa.int64()),
            "nation": pa.array([m[1] for m in members], pa.string()),
            "role": pa.array(["participant"] * len(members), pa.string()),
        }
    )
    media = pa.table(
        {
            "nation1": pa.array(["GBR", "FRA"], pa.string()),
            "nation2": pa.array(["USA", "JPN"], pa.string()),
            "year": pa.array([2015, 2016], pa.int32()),
            "events": pa.array([12, 3], pa.int64()),
        }
    )
    return engagements, participants, media


def test_the_tie_index_is_the_same_on_duckdb_and_spark(spark: Any, tmp_path: Path) -> None:
    engagements, participants, media = _engagements()
    sql = dyad_years_sql(default_settings(), 2020, Inputs(media=True))
    tables = []
    for engine in (DuckDBEngine(), SparkEngine(spark)):
        for name, table in (
            ("engagements", engagements),
            ("participants", participants),
            ("media", media),
        ):
            engine.register(name, table)
        engine.write_parquet(sql, tmp_path / engine.name)
        engine.close()
        tables.append(read_parquet_folder(tmp_path / engine.name))
    _same(tables[0], tables[1], ["iso3_1", "iso3_2", "year"])
    assert tables[0].num_rows > 500


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

_STORE_NATIONS = ("USA", "GBR", "FRA", "DEU", "JPN", "KOR", "PHL", "AUS")


@pytest.fixture
def covered_store(store: Store, operator: Viewer) -> Store:
    """Engagements of several kinds 1995-2012, with exercises covered to 2008, visits to 2006.

    Beyond its coverage a kind is projected, held, faded or missing (``beyond_coverage``), so the
    overridden settings change the table.
    """
    rng = random.Random(5)
    details = {"visit": {"level": "minister"}, "agreement": {"agreement_type": "logistics"}}
    for number in range(40):
        kind = rng.choice(("exercise", "exercise", "visit", "training", "agreement"))
        nations = rng.sample(_STORE_NATIONS, rng.choice((2, 2, 3)))
        start = rng.randint(1995, 2012)
        record: dict[str, Any] = {
            "kind": kind,
            "title": f"Record {number}",
            "start": str(start),
            "host": nations[0],
            "participants": [
                {"nation": nations[0], "role": "host"},
                *({"nation": n} for n in nations[1:]),
            ],
            "details": details.get(kind, {}),
        }
        if kind == "agreement" and rng.random() < 0.5:
            record["end"] = str(start + rng.randint(1, 6))
        services.add_engagement(store, record, operator)
    with store.engine.begin() as connection:
        replace_coverage(
            connection,
            "parity",
            [
                CoverageSpan("parity", 1990, 2008, kind="exercise"),
                CoverageSpan("parity", 1990, 2006, kind="visit"),
            ],
        )
    return store


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
    _same(duck.table, sparked, ["iso3_1", "iso3_2", "year"])
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
    _same(duck, sparked, ["iso3_1", "iso3_2", "year"])
    digest = (
        default_settings()
        .with_overrides({"weights": {"exercise": 2}, "beyond_coverage": "hold"})
        .digest()
    )
    assert set(sparked.column("settings_digest").to_pylist()) == {digest}
    assert sparked.column("iso3_1").to_pylist() == duck.column("iso3_1").to_pylist()
