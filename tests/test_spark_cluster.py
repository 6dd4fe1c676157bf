"""On a real Spark standalone cluster, the media pipeline and the index give DuckDB's tables.

A master and two workers of one core each run on 127.0.0.1 for the test session, started by
pyspark's own daemon script (:class:`tests.spark_helpers.StandaloneCluster`); the driver is this
process, or a ``comity`` process started by a test. Input and output folders are temporary
folders, which every process on this machine reads. These tests fail, not skip, when PySpark or
Java is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from comity.access import Viewer
from comity.analytics.engines import DuckDBEngine, SparkEngine, read_parquet_folder
from comity.cli import app
from comity.ingest.catalog import get_importer
from comity.services.imports import bundled_paths
from comity.store import Store
from tests.gdelt_rows import generated_events, write_events
from tests.spark_helpers import (
    StandaloneCluster,
    add_covered_engagements,
    index_on_duckdb_and_spark,
    run_pipeline,
    same_tables,
)

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneCluster]:
    """A master and two one-core workers on loopback for the test session, stopped at its end."""
    with StandaloneCluster(tmp_path_factory.mktemp("spark-cluster")) as running:
        yield running


@pytest.fixture(scope="module")
def cluster_spark(cluster: StandaloneCluster) -> Iterator[Any]:
    """This module's Spark session on the cluster, an executor on each worker.

    Stopped after the module: a local session asked for later in this process must not join it.
    """
    session = cluster.session(partitions=4)
    yield session
    session.stop()


@pytest.fixture
def covered_store(store: Store, operator: Viewer) -> Store:
    """The store with engagements covered to 2008 (exercises) and 2006 (visits)."""
    return add_covered_engagements(store, operator)


def test_export_through_comity_spark_master_runs_on_the_cluster(
    cluster: StandaloneCluster, cli: CliRunner, covered_store: Store, tmp_path: Path
) -> None:
    # First in the module: the session of `cluster_spark` takes every core while it runs, and
    # an application started now would wait for one.
    assert cluster.status()["activeapps"] == []
    arguments = ["export", "dyad-years", "-f", "parquet", "--set", "beyond_coverage=hold"]
    duck = tmp_path / "duckdb.parquet"
    result = cli.invoke(app, [*arguments, "-o", str(duck)])
    assert result.exit_code == 0, result.output
    environment = {
        **os.environ,
        "COMITY_DATABASE_URL": covered_store.describe_url(),
        "COMITY_SPARK_MASTER": cluster.url,
        "SPARK_LOCAL_IP": "127.0.0.1",  # the driver, as the cluster, on loopback
        "PYSPARK_PYTHON": sys.executable,
        # Spark's 200 shuffle partitions are for a cluster of many cores; this one has two.
        "PYSPARK_SUBMIT_ARGS": "--conf spark.sql.shuffle.partitions=4 pyspark-shell",
    }
    sparked = tmp_path / "spark.parquet"
    done = subprocess.run(
        [sys.executable, "-m", "comity", *arguments, "--engine", "spark", "-o", str(sparked)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    same_tables(pq.read_table(duck), pq.read_table(sparked), ["iso3_1", "iso3_2", "year"])
    finished = cluster.status()["completedapps"]
    assert [(a["name"], a["cores"], a["state"]) for a in finished] == [("comity", 2, "FINISHED")]


def test_the_session_runs_an_executor_on_each_worker(
    cluster: StandaloneCluster, cluster_spark: Any
) -> None:
    status = cluster.status()
    assert cluster_spark.sparkContext.master == cluster.url
    assert status["aliveworkers"] == 2 and status["cores"] == 2
    assert [(a["name"], a["cores"]) for a in status["activeapps"]] == [("comity", 2)]


@pytest.mark.parametrize("source", ["bundled sample", "generated"])
def test_media_dyad_years_are_the_same_on_duckdb_and_the_cluster(
    cluster_spark: Any, tmp_path: Path, source: str
) -> None:
    if source == "bundled sample":
        patterns = [str(bundled_paths(get_importer("gdelt_sample"))[0])]
    else:
        # Two files, with an event re-reported across them: the executors share the reading.
        rows = generated_events(20000)
        patterns = [
            str(write_events(tmp_path / "first.tsv.gz", rows[:10001])),
            str(write_events(tmp_path / "second.tsv", rows[10000:])),
        ]
    duck, duck_excluded = run_pipeline(patterns, DuckDBEngine(), tmp_path / "duckdb")
    sparked, spark_excluded = run_pipeline(patterns, SparkEngine(cluster_spark), tmp_path / "spark")
    assert spark_excluded == duck_excluded
    same_tables(duck.dyad_years, sparked.dyad_years, ["nation1", "nation2", "year"])
    assert sparked.coverage.equals(duck.coverage)
    events = [read_parquet_folder(tmp_path / name / "events") for name in ("duckdb", "spark")]
    same_tables(events[0], events[1].select(events[0].schema.names), ["event_id"])


def test_the_tie_index_is_the_same_on_duckdb_and_the_cluster(
    cluster_spark: Any, tmp_path: Path
) -> None:
    duck, sparked = index_on_duckdb_and_spark(cluster_spark, tmp_path)
    same_tables(duck, sparked, ["iso3_1", "iso3_2", "year"])
    assert duck.num_rows > 500
