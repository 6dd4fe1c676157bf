"""Query results as Arrow columns: the same table whichever way the store is read.

A SQLite store is read by a child process (from :data:`CHILD_THRESHOLD` engagements; lowered
here), PostgreSQL by ``COPY``, and both agree with the driver's rows. The snapshot built from
them is the one built from rows, and the store takes writes afterwards.
"""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, func, insert, select

from comity import services
from comity.access import Viewer
from comity.analytics.snapshot import load_snapshot
from comity.store import Store, columnar

OPERATOR = Viewer.operator("tests")
SCHEMA = pa.schema(
    [("n", pa.int64()), ("label", pa.string()), ("amount", pa.float64()), ("code", pa.string())]
)


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQLite store is large enough for a child process; the columnar reads made."""
    monkeypatch.setattr(columnar, "CHILD_THRESHOLD", 0)
    made: list[str] = []
    child, copied, arrow = columnar._Child, columnar._copied, columnar._arrow_read

    class Counted(child):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any) -> None:
            made.append("child")
            super().__init__(*args)

    def counted(*args: Any) -> Any:
        made.append("copy")
        return copied(*args)

    def through_arrow(*args: Any) -> Any:
        made.append("arrow")
        return arrow(*args)

    monkeypatch.setattr(columnar, "_Child", Counted)
    monkeypatch.setattr(columnar, "_copied", counted)
    monkeypatch.setattr(columnar, "_arrow_read", through_arrow)
    return made


def _add(store: Store, title: str, nations: str, **fields: Any) -> None:
    """A record of 2010 hosted by the first of ``nations``; ``personnel`` for that one."""
    personnel = fields.pop("personnel", None)
    taking_part = [{"nation": n} for n in nations.split()]
    if personnel is not None:
        taking_part[0]["personnel"] = personnel
    record = {
        "kind": "exercise",
        "title": title,
        "start": "2010",
        "host": nations.split()[0],
        "participants": taking_part,
        **fields,
    }
    services.add_engagement(store, record, OPERATOR)


_DEMO = Table(
    "columnar_demo",
    MetaData(),
    Column("n", Integer, primary_key=True),
    Column("label", String),
    Column("amount", Float),
    Column("code", String),
)


def _query(store: Store) -> Any:
    """2,000 rows (in a table of their own) whose texts and numbers are NULL before values.

    A reader that guesses a column's type from its first values reads them as integers.
    """
    rows = [
        {
            "n": n,
            "label": f"row {n}" if n >= 1500 else None,
            "amount": n / 4 if n % 3 == 0 and n > 1200 else None,
            "code": "" if n == 1999 else None,
        }
        for n in range(2000)
    ]
    with store.transaction() as connection:
        _DEMO.create(connection)
        connection.execute(insert(_DEMO), rows)
    return select(_DEMO.c.n, _DEMO.c.label, _DEMO.c.amount, _DEMO.c.code).order_by(_DEMO.c.n)


def test_a_query_reads_the_same_columns_as_the_drivers_rows(
    any_store: Store, children: list[str]
) -> None:
    _add(any_store, "one record, so the store is not empty", "USA GBR")
    query = _query(any_store)
    with any_store.connect() as connection:
        rows = columnar.read_table(connection, query, SCHEMA, columnar=False)
        assert children == []
        bound = select(func.count()).select_from(_DEMO)
        columns = columnar.read_table(connection, query, SCHEMA, rows_at_most=bound)
    assert children == ["child" if any_store.is_sqlite else "arrow"]
    assert columns.equals(rows)
    assert rows.num_rows == 2000
    assert rows.column("label")[1500].as_py() == "row 1500"
    assert rows.column("amount")[1203].as_py() == 1203 / 4
    # An empty text is not a missing one.
    assert rows.column("code").null_count == 1999 and rows.column("code")[1999].as_py() == ""


def test_the_snapshot_read_in_columns_is_the_one_read_in_rows(
    any_store: Store, monkeypatch: pytest.MonkeyPatch, children: list[str]
) -> None:
    _add(any_store, "exercise", "USA GBR FRA", personnel=120)
    _add(any_store, "visit", "JPN USA", kind="visit", details={"level": "minister"})
    _add(any_store, "agreement", "FRA GBR", kind="agreement")
    columns = load_snapshot(any_store, OPERATOR, horizon=2020)
    # The engagements and the participants, at the same time.
    assert children == ["child" if any_store.is_sqlite else "arrow"] * 2
    monkeypatch.setattr(columnar, "CHILD_THRESHOLD", 10**12)
    if any_store.is_sqlite:
        rows = load_snapshot(any_store, OPERATOR, horizon=2020)
    else:
        real = columnar.read_table_later

        def rows_only(*args: Any, **options: Any) -> Any:
            return real(*args, **{**options, "columnar": False})

        monkeypatch.setattr("comity.store.analytic_inputs.read_table_later", rows_only)
        rows = load_snapshot(any_store, OPERATOR, horizon=2020)
    assert len(children) == 2
    assert columns.engagements.equals(rows.engagements)
    assert columns.participants.equals(rows.participants)
    assert columns.engagements.num_rows == 3 and columns.participants.num_rows == 7
    levels = dict(
        zip(
            columns.engagements.column("kind").to_pylist(),
            columns.engagements.column("level").to_pylist(),
            strict=True,
        )
    )
    assert levels["visit"] == "minister"


@pytest.mark.usefixtures("children")
def test_a_sqlite_store_read_by_a_child_takes_writes_afterwards(store: Store) -> None:
    # The child carries its own copy of SQLite: in this process it undid the store's locks
    # and the next write failed with "disk I/O error".
    _add(store, "first", "USA GBR")
    load_snapshot(store, OPERATOR, horizon=2020)
    _add(store, "second", "USA FRA")
    again = load_snapshot(store, OPERATOR, horizon=2020)
    assert again.engagements.num_rows == 2


@pytest.mark.usefixtures("children")
def test_a_child_that_fails_leaves_the_rows_to_read(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _add(store, "first", "USA GBR")
    monkeypatch.setattr("comity.store.columnar.sys.executable", "/bin/false")
    with caplog.at_level(logging.WARNING, logger="comity.store"):
        snapshot = load_snapshot(store, OPERATOR, horizon=2020)
    assert snapshot.engagements.num_rows == 1
    assert "the columnar reader failed (exit status 1), reading rows" in caplog.text


def test_the_child_reserves_memory_for_the_rows_it_was_told_of(store: Store) -> None:
    # Told of a billion rows, the driver reserved address space for them and the child died
    # under a server's address-space limit, with no message.
    _add(store, "first", "USA GBR")
    limit = 4 * 1024**3

    def fenced() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    request = {
        "database": str(store.engine.url.database),
        "sql": "SELECT engagement_id, nation, role FROM participants ORDER BY nation",
        "rows": 2,
    }
    done = subprocess.run(
        [sys.executable, "-m", "comity.store.sqlite_columns"],
        input=json.dumps(request).encode(),
        capture_output=True,
        preexec_fn=fenced,
        check=True,
    )
    table = pa.ipc.open_stream(done.stdout).read_all()
    assert table.column("nation").to_pylist() == ["GBR", "USA"]


def _two_reads_held(pg_store: Store, monkeypatch: pytest.MonkeyPatch, reader: str) -> list[Any]:
    """Start two reads of the demo table, commit a row, let them go; returns their tables.

    ``reader`` (``_arrow_read`` or ``_copied``) is held until both reads are in it, and the row
    is committed meanwhile: a read that did not take the caller's snapshot would see it.
    """
    import threading

    from sqlalchemy import text

    query = _query(pg_store)
    original = getattr(columnar, reader)
    entered: list[str] = []
    release = threading.Event()

    def held(*args: Any) -> Any:
        entered.append(threading.current_thread().name)
        release.wait(30)
        return original(*args)

    monkeypatch.setattr(columnar, reader, held)
    with pg_store.connect() as connection:
        first = columnar.read_table_later(connection, query, SCHEMA)
        second = columnar.read_table_later(connection, query, SCHEMA)
        with pg_store.transaction() as writer:
            writer.execute(text("INSERT INTO columnar_demo (n, label) VALUES (5000, 'late')"))
        for _ in range(300):
            if len(entered) == 2:
                break
            threading.Event().wait(0.1)
        both_waiting = len(entered) == 2
        release.set()
        tables = [first(), second()]
    # Both were waiting at once, each on a thread (and a connection) of its own.
    assert both_waiting and all(name == "comity-copy" for name in entered)
    return tables


@pytest.mark.postgres
def test_postgres_reads_run_at_once_through_arrow_on_the_callers_snapshot(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[Any] = []
    monkeypatch.setattr(columnar, "_copied", lambda *args: copies.append(args))
    tables = _two_reads_held(pg_store, monkeypatch, "_arrow_read")
    assert copies == []  # Arrow's driver read both: the COPY through the store's driver did not
    assert tables[0].num_rows == tables[1].num_rows == 2000
    assert tables[0].equals(tables[1])
    assert tables[0].equals(_rows_of(pg_store))


@pytest.mark.postgres
def test_without_arrows_driver_postgres_reads_copy_on_readers_that_see_the_callers_snapshot(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: Any) -> Any:
        raise ImportError("no module named 'adbc_driver_postgresql'")

    monkeypatch.setattr(columnar, "_arrow_read", missing)
    backends: list[int] = []
    copied = columnar._copied

    def where(connection: Any, *args: Any) -> Any:
        backends.append(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())
        return copied(connection, *args)

    monkeypatch.setattr(columnar, "_copied", where)
    tables = _two_reads_held(pg_store, monkeypatch, "_copied")
    assert len(set(backends)) == 2
    assert tables[0].num_rows == tables[1].num_rows == 2000
    assert tables[0].equals(tables[1])


def _rows_of(store: Store) -> Any:
    """The demo table's rows before the late one, read as the driver's rows."""
    query = (
        select(_DEMO.c.n, _DEMO.c.label, _DEMO.c.amount, _DEMO.c.code)
        .where(_DEMO.c.n < 2000)
        .order_by(_DEMO.c.n)
    )
    with store.connect() as connection:
        return columnar.read_table(connection, query, SCHEMA, columnar=False)


@pytest.mark.postgres
def test_a_postgres_reader_that_fails_reads_on_the_callers_connection(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    query = _query(pg_store)
    engine = pg_store.engine

    class NoReaders:
        def __getattr__(self, name: str) -> Any:
            return getattr(engine, name)

        def connect(self) -> Any:
            raise OSError("no connection left")

    with pg_store.connect() as connection:
        expected = columnar.read_table(connection, query, SCHEMA, columnar=False)
        monkeypatch.setattr(connection, "engine", NoReaders())
        monkeypatch.setattr(columnar, "_arrow_read", NoReaders().connect)
        with caplog.at_level(logging.WARNING, logger="comity.store"):
            table = columnar.read_table_later(connection, query, SCHEMA)()
    assert table.equals(expected)
    assert "no connection left" in caplog.text
