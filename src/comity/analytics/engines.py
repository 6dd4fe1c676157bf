"""Where a computation runs: DuckDB in this process (the default) or Apache Spark (a cluster).

comity writes each analytic computation once, as SQL in DuckDB's dialect (the tie index of
:mod:`comity.analytics.tie_index`, the media-event pipeline of :mod:`comity.ingest.media.pipeline`).
An :class:`Engine` runs that SQL: :class:`DuckDBEngine` as it is, :class:`SparkEngine` after
SQLGlot has transpiled it to Spark SQL. Both write results as a folder of Parquet files, which
:func:`read_parquet_folder` reads back, so what comes out does not depend on the engine.

Spark runs in local mode (``local[N]``) or on a cluster (``spark://HOST:7077``, ``yarn``...),
``COMITY_SPARK_MASTER`` (default ``local[2]``) unless a master URL is given; it needs the
``spark`` extra (``pip install 'comity[spark]'``) and a Java 17 runtime.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from comity.errors import ComityError

__all__ = [
    "ENGINES",
    "DuckDBEngine",
    "Engine",
    "EngineUnavailableError",
    "SparkEngine",
    "connect_duckdb",
    "open_engine",
    "read_parquet_folder",
    "spark_session",
    "to_spark_sql",
]

ENGINES = ("duckdb", "spark")
"""The engines a computation can run on."""


def connect_duckdb() -> Any:
    """A new connection to this process's in-memory DuckDB database, for one computation.

    The database is made once per process (and memory bound): making one costs 15-30 ms, a
    connection to it next to nothing, and a page patched after a write makes three. Its memory
    is bounded by ``COMITY_DUCKDB_MEMORY`` for all the computations running at once; beyond it
    DuckDB spills to a folder of its own under the system's temporary folder (created when
    first needed, removed when the process ends), never the working folder. Tables registered
    on a connection are seen by that connection alone. The allocator's background threads give
    the memory a computation freed back to the system as it goes: without them a server held
    on to over a gigabyte of it after an index of a million engagements, while it measured the
    networks that follow.
    """
    import tempfile

    from comity.config import get_settings

    memory = get_settings().duckdb_memory.strip()
    key = (memory, tempfile.gettempdir())
    with _DATABASES_LOCK:
        database = _DATABASES.get(key)
        if database is None:
            import duckdb

            folder = Path(key[1]) / f"comity-duckdb-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            database = duckdb.connect()
            database.execute(f"SET memory_limit = '{memory}'")
            database.execute(f"SET temp_directory = '{folder.as_posix()}'")
            database.execute("SET allocator_background_threads = true")
            _DATABASES[key] = database
    return database.cursor()


_DATABASES: dict[tuple[str, str], Any] = {}
"""This process's DuckDB database for each memory bound and temporary folder."""
_DATABASES_LOCK = threading.Lock()


class EngineUnavailableError(ComityError):
    """The engine asked for cannot start here (a missing package or Java runtime)."""

    status = 503


class Engine(Protocol):
    """What a computation needs from an engine; every ``sql`` argument is in DuckDB's dialect."""

    name: str

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table queryable as ``name``."""

    def create(self, name: str, sql: str, *, keep: bool = False) -> None:
        """Make the result of ``sql`` queryable as ``name``.

        With ``keep`` it is computed once and held (for what is read more than once); without,
        it is computed wherever it is read.
        """

    def release(self, name: str) -> None:
        """Free what ``name`` holds once the computation no longer reads it."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return its (few) rows."""

    def write_parquet(self, sql: str, folder: Path) -> None:
        """Write the result of ``sql`` as Parquet files in ``folder`` (replaced if it exists)."""

    def close(self) -> None:
        """Drop what the engine holds for this computation."""


def to_spark_sql(sql: str, tables: Mapping[str, str] | None = None) -> str:
    """Transpile a query from DuckDB's dialect to Spark SQL with SQLGlot.

    Args:
        sql: The query, in DuckDB's dialect.
        tables: Tables to rename on the way (name -> Spark view name).

    Raises:
        EngineUnavailableError: When SQLGlot is not installed.
    """
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError as error:  # pragma: no cover - sqlglot comes with the spark extra
        raise _missing("sqlglot") from error
    tree = sqlglot.parse_one(sql, read="duckdb")
    for table in tree.find_all(exp.Table):
        if tables and not table.db and table.name in tables:
            table.set("this", exp.to_identifier(tables[table.name]))
    return str(tree.sql(dialect="spark"))


def read_parquet_folder(folder: Path) -> Any:
    """Read the Parquet files an engine wrote in ``folder`` as one Arrow table."""
    import pyarrow.parquet as pq

    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise ComityError(f"No Parquet files in {folder}.", hint="Run the computation first.")
    return pq.ParquetDataset(files).read()


def _replace(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)


class DuckDBEngine:
    """Runs the SQL as written, in one in-memory DuckDB connection.

    Args:
        connection: A DuckDB connection to use (a new in-memory one by default).
    """

    name = "duckdb"

    def __init__(self, connection: Any = None) -> None:
        self.connection = connection or connect_duckdb()
        self._tables: set[str] = set()

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table queryable as ``name``."""
        self.connection.register(name, table)

    def create(self, name: str, sql: str, *, keep: bool = False) -> None:
        """Make ``sql`` the temporary view ``name``, or with ``keep`` a table computed now.

        A view is computed wherever it is read: a large input streams through it, not held.
        """
        self.release(name)
        kind = "TABLE" if keep else "VIEW"
        self.connection.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}").fetchall()
        if keep:
            self._tables.add(name)

    def release(self, name: str) -> None:
        """Drop the temporary table ``name`` (a view holds nothing; views read it by name)."""
        if name in self._tables:
            self._tables.discard(name)
            self.connection.execute(f"DROP TABLE IF EXISTS {name}").fetchall()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return its rows."""
        return list(self.connection.execute(sql).fetchall())

    def arrow(self, sql: str) -> Any:
        """Run ``sql`` and return an Arrow table."""
        return self.connection.sql(sql).to_arrow_table()

    def write_parquet(self, sql: str, folder: Path) -> None:
        """Write the result of ``sql`` as ``folder/part-0.parquet``."""
        _replace(folder)
        folder.mkdir()
        target = str(folder / "part-0.parquet").replace("'", "''")
        self.connection.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)").fetchall()

    def close(self) -> None:
        """Nothing to drop: the temporary tables go with the connection."""


def _missing(package: str) -> EngineUnavailableError:
    return EngineUnavailableError(
        f"The Spark engine needs the Python package {package!r}, which is not installed.",
        hint="Install comity with its spark extra: pip install 'comity[spark]'.",
    )


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if (home and Path(home, "bin", "java").exists()) or shutil.which("java"):
        return
    raise EngineUnavailableError(
        "The Spark engine needs a Java 17 runtime and none was found (no java on PATH, no "
        "JAVA_HOME).",
        hint="On Debian: apt-get install openjdk-17-jre-headless.",
    )


def _default_master() -> str:
    from comity.config import get_settings

    return get_settings().spark_master.strip()


def spark_session(
    master: str | None = None,
    *,
    partitions: int | None = None,
    config: Mapping[str, str] | None = None,
) -> Any:
    """Start (or join) a Spark session for comity's computations.

    Args:
        master: The Spark master URL: ``local[N]`` runs in this process with N threads,
            ``spark://HOST:7077`` (or ``yarn``, ``k8s://...``) on a cluster. By default
            ``COMITY_SPARK_MASTER`` (``local[2]`` when unset).
        partitions: Shuffle partitions; by default 2 per local thread, Spark's default (200) on
            a cluster.
        config: Other Spark settings (``spark.executor.memory``...).

    Raises:
        EngineUnavailableError: When PySpark or a Java runtime is missing.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise _missing("pyspark") from error
    _check_java()
    master = master or _default_master()
    builder = (
        SparkSession.builder.master(master)
        .appName("comity")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if master.startswith("local"):
        # Work offline and quietly on one machine: bind to the loopback address.
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1"
        )
        threads = master.removeprefix("local").strip("[]")
        cores = (os.cpu_count() or 2) if threads in ("", "*") else int(threads)
        partitions = partitions or 2 * cores
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs the SQL on Apache Spark after transpiling it from DuckDB's dialect with SQLGlot.

    Args:
        session: A Spark session (see :func:`spark_session`); by default one on ``master``.
        master: The master URL when no session is given (by default ``COMITY_SPARK_MASTER``,
            ``local[2]`` when unset).
    """

    name = "spark"

    def __init__(self, session: Any = None, *, master: str | None = None) -> None:
        self.session = session or spark_session(master)
        # Views of one computation carry a prefix, so computations sharing a session do not mix.
        self._prefix = f"c{uuid.uuid4().hex[:8]}_"
        self._names: list[str] = []
        self._held: dict[str, Any] = {}

    def _sql(self, sql: str) -> Any:
        return self.session.sql(to_spark_sql(sql, {n: self._prefix + n for n in self._names}))

    def _view(self, name: str, frame: Any) -> None:
        if name not in self._names:
            self._names.append(name)
        frame.createOrReplaceTempView(self._prefix + name)

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table queryable as ``name`` (sent to the cluster)."""
        self._view(name, self.session.createDataFrame(table))

    def register_frame(self, name: str, frame: Any) -> None:
        """Make a Spark DataFrame queryable as ``name``."""
        self._view(name, frame)

    def create(self, name: str, sql: str, *, keep: bool = False) -> None:
        """Make ``sql`` a view ``name``; ``keep`` computes it once and holds it in memory/disk."""
        frame = self._sql(sql)
        self.release(name)
        if keep:
            frame = frame.persist()
            self._held[name] = frame
        self._view(name, frame)

    def release(self, name: str) -> None:
        """Unpersist ``name`` (views built on it compute it again if they are read)."""
        held = self._held.pop(name, None)
        if held is not None:
            held.unpersist()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and collect its rows to the driver."""
        return [tuple(row) for row in self._sql(sql).collect()]

    def write_parquet(self, sql: str, folder: Path) -> None:
        """Write the result of ``sql`` as Parquet files (one per partition) in ``folder``."""
        self._sql(sql).write.mode("overwrite").parquet(str(folder))

    def close(self) -> None:
        """Drop this computation's views and release what it held."""
        for frame in self._held.values():
            frame.unpersist()
        for name in self._names:
            self.session.catalog.dropTempView(self._prefix + name)
        self._held, self._names = {}, []


def open_engine(name: str, *, master: str | None = None) -> DuckDBEngine | SparkEngine:
    """The engine called ``name`` (``duckdb`` or ``spark``).

    Args:
        name: One of :data:`ENGINES`.
        master: The Spark master URL (by default ``COMITY_SPARK_MASTER``, ``local[2]`` when
            unset); only for Spark.

    Raises:
        ComityError: For an unknown engine, or a master URL given to DuckDB.
        EngineUnavailableError: When Spark cannot start here.
    """
    if name == "duckdb":
        if master is not None:
            raise ComityError(
                "--master names a Spark cluster; DuckDB runs in this process.",
                hint="Add --engine spark, or leave out --master.",
            )
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(master=master)
    raise ComityError(f"Unknown engine {name!r}.", hint=f"Choose one of: {', '.join(ENGINES)}.")
