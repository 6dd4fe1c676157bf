"""Spark helpers shared by the parity and cluster tests (and the cluster benchmark).

- :func:`same_tables`, :func:`run_pipeline`, :func:`generated_engagements` and
  :func:`add_covered_engagements`: the comparisons and generated inputs of the parity tests.
- :class:`StandaloneCluster`: a real Spark standalone cluster on the loopback address, a master
  and workers started as daemons by pyspark's own ``sbin/spark-daemon.sh`` (the pip package ships
  it, not ``start-master.sh`` or ``start-worker.sh``), with every file under one folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comity import services
from comity.access import Viewer
from comity.ingest.base import ImportContext
from comity.ingest.media.pipeline import read_media_output, run_media_pipeline
from comity.model.measures import CoverageSpan
from comity.nations import load_reference
from comity.nations.resolver import default_resolver
from comity.store import Store
from comity.store.imports import replace_coverage
from tests.gdelt_rows import NATIONS

# The comparisons and generated inputs.


def same_tables(first: pa.Table, second: pa.Table, keys: list[str]) -> None:
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


def run_pipeline(patterns: list[str], engine: Any, output: Path) -> tuple[Any, dict[str, int]]:
    """Run the media pipeline (every event with a source or more); its output and exclusions."""
    context = ImportContext(default_resolver(), load_reference().nations, "test")
    run = run_media_pipeline(patterns, engine, context, output=output, min_sources=1)
    assert run.written, context.issues[:3]
    engine.close()
    return read_media_output(output), dict(context.excluded)


def generated_engagements(seed: int = 11) -> tuple[pa.Table, pa.Table, pa.Table]:
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


_STORE_NATIONS = ("USA", "GBR", "FRA", "DEU", "JPN", "KOR", "PHL", "AUS")


def index_on_duckdb_and_spark(session: Any, folder: Path) -> tuple[pa.Table, pa.Table]:
    """The tie index of :func:`generated_engagements` computed on DuckDB and on ``session``."""
    from comity.analytics.contributions import Inputs
    from comity.analytics.engines import DuckDBEngine, SparkEngine, read_parquet_folder
    from comity.analytics.settings import default_settings
    from comity.analytics.tie_index import dyad_years_sql

    engagements, participants, media = generated_engagements()
    sql = dyad_years_sql(default_settings(), 2020, Inputs(media=True), kinds_as_columns=False)
    tables = []
    for engine in (DuckDBEngine(), SparkEngine(session)):
        for name, table in (
            ("engagements", engagements),
            ("participants", participants),
            ("media", media),
        ):
            engine.register(name, table)
        engine.write_parquet(sql, folder / engine.name)
        engine.close()
        tables.append(read_parquet_folder(folder / engine.name))
    return tables[0], tables[1]


def add_covered_engagements(store: Store, operator: Viewer) -> Store:
    """Add engagements of several kinds 1995-2012, exercises covered to 2008, visits to 2006.

    Beyond its coverage a kind is projected, held, faded or missing (``beyond_coverage``), so
    overridden settings change the index table.
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


# A standalone cluster on this machine.

_MASTER = "org.apache.spark.deploy.master.Master"
_WORKER = "org.apache.spark.deploy.worker.Worker"


def free_port() -> int:
    """A TCP port free on the loopback address now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spark_home() -> Path:
    """The installed pyspark package's folder, which holds Spark's jars and scripts."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


class StandaloneCluster:
    """A Spark standalone cluster on 127.0.0.1: a master and ``workers`` workers of one core.

    Everything it writes (logs, pid files, the workers' and executors' folders, shuffle files)
    stays under ``folder``. Use it as a context manager, or call :meth:`start` and :meth:`stop`.

    Args:
        folder: An empty folder of its own.
        workers: How many workers.
        worker_memory: Memory each worker offers its executors (``1g``).
        daemon_memory: Heap of the master and worker daemons themselves.
    """

    def __init__(
        self,
        folder: Path,
        *,
        workers: int = 2,
        worker_memory: str = "1g",
        daemon_memory: str = "256m",
    ) -> None:
        self.folder = folder
        self.workers = workers
        self.port, self.web_port = free_port(), free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.home = spark_home()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))}
        env.update(
            {
                "SPARK_HOME": str(self.home),
                "SPARK_CONF_DIR": str(folder / "conf"),  # empty: no settings from elsewhere
                "SPARK_LOCAL_IP": "127.0.0.1",
                "SPARK_MASTER_HOST": "127.0.0.1",
                "SPARK_WORKER_CORES": "1",
                "SPARK_WORKER_MEMORY": worker_memory,
                "SPARK_DAEMON_MEMORY": daemon_memory,
                "SPARK_LOG_DIR": str(folder / "logs"),
                "SPARK_PID_DIR": str(folder / "pids"),
                "SPARK_WORKER_DIR": str(folder / "work"),
                "SPARK_LOCAL_DIRS": str(folder / "local"),
                "SPARK_IDENT_STRING": "comity",
                "PYSPARK_PYTHON": sys.executable,
            }
        )
        self.env = env
        self._pids: list[int] = []

    def _daemon(self, action: str, daemon: str, instance: int, *args: str) -> None:
        script = self.home / "sbin" / "spark-daemon.sh"
        command = ["bash", str(script), action, daemon, str(instance), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "failed to launch" in done.stdout:
            raise RuntimeError(f"spark-daemon.sh {action} {daemon} failed:\n{done.stdout}")
        if action == "start":
            pid_file = self.folder / "pids" / f"spark-comity-{daemon}-{instance}.pid"
            self._pids.append(int(pid_file.read_text().strip()))

    def start(self, timeout: float = 120.0) -> StandaloneCluster:
        """Start the master, then the workers; return once every worker has registered.

        Raises:
            RuntimeError: When Java is missing, a daemon fails to start, or the workers have
                not registered within ``timeout`` seconds (with the end of each log).
        """
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise RuntimeError("A Spark cluster needs a Java 17 runtime: run `make java`.")
        for name in ("conf", "logs", "pids", "work", "local"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        try:
            self._daemon(
                "start",
                _MASTER,
                1,
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--webui-port", str(self.web_port)),
            )
            for instance in range(1, self.workers + 1):
                # Port 0: each worker picks free ports of its own.
                self._daemon(
                    "start",
                    _WORKER,
                    instance,
                    *("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"),
                    *("--work-dir", str(self.folder / "work"), self.url),
                )
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def status(self) -> dict[str, Any]:
        """The master's state as its web UI's JSON gives it (workers, applications)."""
        with urllib.request.urlopen(f"{self.web_url}/json", timeout=10) as response:
            return dict(json.load(response))

    def alive_workers(self) -> int:
        """How many workers the master sees alive."""
        return sum(w.get("state") == "ALIVE" for w in self.status().get("workers", []))

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.alive_workers() == self.workers:
                    return
            except OSError:
                pass  # the master's web UI is not up yet
            time.sleep(0.5)
        logs = "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            for log in sorted((self.folder / "logs").glob("*.out"))
        )
        raise RuntimeError(f"The Spark workers did not register within {timeout} s.\n{logs}")

    def session(
        self, *, partitions: int = 4, config: Mapping[str, str] | None = None, timeout: float = 60
    ) -> Any:
        """A Spark session on this cluster, once an executor runs on every worker.

        One process holds one Spark context: a session of another master is stopped first
        (a session of this master would be joined silently, and its jobs run elsewhere).
        """
        from pyspark.sql import SparkSession

        from comity.analytics.engines import spark_session

        active = SparkSession.getActiveSession()
        if active is not None and active.sparkContext.master != self.url:
            active.stop()
        settings = {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.executor.memory": "512m",
            **(config or {}),
        }
        session = spark_session(self.url, partitions=partitions, config=settings)
        assert session.sparkContext.master == self.url
        status = session.sparkContext._jsc.sc().getExecutorMemoryStatus()
        deadline = time.monotonic() + timeout
        while status.size() < self.workers + 1:  # the executors and the driver
            if time.monotonic() > deadline:
                session.stop()
                raise RuntimeError(f"No executor on each of the {self.workers} workers.")
            time.sleep(0.5)
            status = session.sparkContext._jsc.sc().getExecutorMemoryStatus()
        return session

    def processes(self) -> list[int]:
        """The daemons' and executors' process ids (the executors run in the workers' folder)."""
        found = set(self._pids)
        work = str(self.folder / "work")
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if os.readlink(entry / "cwd").startswith(work):
                    found.add(int(entry.name))
            except OSError:
                continue
        return sorted(pid for pid in found if _alive(pid))

    def stop(self, grace: float = 20.0) -> None:
        """Stop the workers, then the master (spark-daemon.sh stop); kill what is left."""
        for instance in range(self.workers, 0, -1):
            self._daemon("stop", _WORKER, instance)
        self._daemon("stop", _MASTER, 1)
        deadline = time.monotonic() + grace
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in self.processes():
            os.kill(pid, signal.SIGKILL)

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
