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
import pytest
from typer.testing import CliRunner

from comity.analytics.engines import DuckDBEngine, SparkEngine, read_parquet_folder
from comity.analytics.settings import default_settings
from comity.analytics.tie_index import dyad_years_sql
from comity.cli import app
from comity.ingest.base import ImportContext
from comity.ingest.catalog import get_importer
from comity.ingest.media_pipeline import read_media_output, run_media_pipeline
from comity.nations import load_reference
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths
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
    kinds = ("exercise", "education", "training", "research", "cultural_event", "visit",
             "port_call", "peacekeeping", "humanitarian", "outreach", "agreement", "alliance",
             "posting")  # fmt: skip
    pledges = ("p_defence", "p_offence", "p_consultation", "p_entente", "p_neutrality",
               "p_non_aggression")  # fmt: skip
    rows: list[dict[str, Any]] = []
    members: list[tuple[int, str]] = []
    for number in range(250):
        kind = rng.choice(kinds)
        first = rng.randint(1990, 2018)
        standing = kind in ("alliance", "agreement") and rng.random() < 0.5
        nations = rng.sample(NATIONS, rng.choice((2, 2, 3, 6)))
        rows.append({
            "engagement_id": number, "kind": kind, "first_year": first,
            "last_year": None if standing else first + rng.randint(0, 3), "host": nations[0],
            "personnel": rng.choice((None, float(rng.randint(20, 8000)))),
            "level": rng.choice((None, "minister", "chief_of_defence", "other")),
            "students": float(rng.randint(1, 40)) if kind == "education" else None,
            **{p: (rng.randint(0, 1) if kind == "alliance" else 0) for p in pledges},
        })  # fmt: skip
        members.extend((number, nation) for nation in nations)
    types = {"engagement_id": pa.int64(), "kind": pa.string(), "first_year": pa.int32(),
             "last_year": pa.int32(), "host": pa.string(), "personnel": pa.float64(),
             "level": pa.string(), "students": pa.float64(),
             **{p: pa.int8() for p in pledges}}  # fmt: skip
    engagements = pa.table({k: pa.array([r[k] for r in rows], t) for k, t in types.items()})
    participants = pa.table({
        "engagement_id": pa.array([m[0] for m in members], pa.int64()),
        "nation": pa.array([m[1] for m in members], pa.string()),
        "role": pa.array(["participant"] * len(members), pa.string()),
    })  # fmt: skip
    media = pa.table({
        "nation1": pa.array(["GBR", "FRA"], pa.string()),
        "nation2": pa.array(["USA", "JPN"], pa.string()),
        "year": pa.array([2015, 2016], pa.int32()),
        "events": pa.array([12, 3], pa.int64()),
    })  # fmt: skip
    return engagements, participants, media


def test_the_tie_index_is_the_same_on_duckdb_and_spark(spark: Any, tmp_path: Path) -> None:
    engagements, participants, media = _engagements()
    sql = dyad_years_sql(default_settings(), 2020, with_media=True)
    tables = []
    for engine in (DuckDBEngine(), SparkEngine(spark)):
        for name, table in (("engagements", engagements), ("participants", participants),
                            ("media", media)):  # fmt: skip
            engine.register(name, table)
        engine.write_parquet(sql, tmp_path / engine.name)
        engine.close()
        tables.append(read_parquet_folder(tmp_path / engine.name))
    _same(tables[0], tables[1], ["iso3_1", "iso3_2", "year"])
    assert tables[0].num_rows > 500


def test_media_run_on_spark_through_the_cli(spark: Any, cli: CliRunner, tmp_path: Path) -> None:
    path = write_events(tmp_path / "events.tsv", generated_events(200, seed=3))
    result = cli.invoke(app, ["media", "run", str(path), "--engine", "spark", "--master",
                              "local[2]", "--output", str(tmp_path / "out"), "--json"])  # fmt: skip
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
