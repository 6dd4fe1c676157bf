"""Bulk writes: multi-row inserts, indexes built after a large insert, references checked once."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, event, func, select
from sqlalchemy.exc import IntegrityError

from comity.access import Viewer
from comity.errors import ConflictError
from comity.model.prepared import EngagementColumns, prepare
from comity.model.validation import validate_engagement
from comity.services import count_engagements
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store, tables
from comity.store.bulk import insert_columns
from comity.store.imports import sync_engagements
from comity.store.nations import load_nations


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, int]]]:
    """Every statement sent, with how many parameter sets it carried."""
    sent: list[tuple[str, int]] = []

    def note(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        sent.append((statement, len(parameters) if executemany else 1))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def _probe(store: Store) -> Table:
    table = Table(
        "bulk_probe",
        MetaData(),
        Column("id", Integer),
        Column("v", JSON),
        Column("d", Date),
        Column("same", String(10)),
        Column("empty", String(10)),
        Column("fallback", Integer, server_default="7"),
    )
    with store.transaction() as connection:
        table.create(connection)
    return table


def test_bulk_inserts_keep_every_row_and_its_order(any_store: Store) -> None:
    table = _probe(any_store)
    count = 1000  # several full statements and a shorter last one
    columns = {
        "id": list(range(count)),
        "v": [{"n": i} if i % 3 else [i] for i in range(count)],
        "d": [date(2000 + i % 20, 1, 1) if i % 2 else None for i in range(count)],
        "same": ["x"] * count,
        "empty": [None] * count,
        "fallback": [None] * count,
    }
    with any_store.transaction() as connection:
        insert_columns(connection, table, columns)
    with any_store.connect() as connection:
        stored = connection.execute(select(table).order_by(table.c.id)).all()
    assert [tuple(r) for r in stored] == [
        (i, columns["v"][i], columns["d"][i], "x", None, None) for i in range(count)
    ]


def test_a_column_with_one_value_is_sent_once_per_statement_on_sqlite(store: Store) -> None:
    table = _probe(store)
    columns = {"id": list(range(2000)), "same": ["x"] * 2000, "empty": [None] * 2000}
    with _statements(store) as sent, store.transaction() as connection:
        insert_columns(connection, table, columns)
    inserts = [(text, sets) for text, sets in sent if text.startswith("INSERT")]
    # id varies (998 rows a statement); "same" is bound once per statement, as ?999; "empty"
    # is left out (its default is NULL). Two full statements, then one of the last 4 rows.
    assert [sets for _, sets in inserts] == [2, 1]
    assert inserts[0][0].count("?999") == 998 and "empty" not in inserts[0][0]
    assert inserts[1][0].count("?5") == 4


def test_bulk_inserts_process_each_value_as_its_own_type(store: Store) -> None:
    table = _probe(store)
    columns = {
        "id": [1, 2, 3, 4, 5],
        "v": [True, 1, [1], (1,), 1.0],
        "d": [date(2020, 1, 2), date(2020, 1, 2), None, date(2021, 3, 4), None],
    }
    with store.transaction() as connection:
        insert_columns(connection, table, columns)
    with store.connect() as connection:
        stored = connection.execute(select(table.c.v, table.c.d).order_by(table.c.id)).all()
    assert [tuple(r) for r in stored] == [
        (True, date(2020, 1, 2)),
        (1, date(2020, 1, 2)),
        ([1], None),
        ([1], date(2021, 3, 4)),
        (1, None),
    ]
    assert stored[0][0] is True and stored[1][0] is not True


def test_values_equal_across_types_are_not_taken_for_one(store: Store) -> None:
    table = _probe(store)
    with store.transaction() as connection:
        insert_columns(connection, table, {"id": [1, 2], "v": [1, True]})
    with store.connect() as connection:
        stored = connection.execute(select(table.c.v).order_by(table.c.id)).scalars().all()
    assert stored == [1, True] and stored[1] is True


def test_an_empty_column_with_a_default_is_stored_empty(any_store: Store) -> None:
    table = _probe(any_store)
    with any_store.transaction() as connection:
        insert_columns(connection, table, {"id": [1, 2], "fallback": [None, None]})
        insert_columns(connection, table, {"id": [3]})
    with any_store.connect() as connection:
        stored = connection.execute(select(table.c.fallback).order_by(table.c.id)).all()
    assert [r.fallback for r in stored] == [None, None, 7]


# --- Indexes built after a large insert -----------------------------------------------------------

MAPPING = """
[dataset]
name = "drills"
[columns]
id = "id"
title = "title"
start = "start"
[participants]
layout = "long"
nation = "nation"
[constants]
kind = "exercise"
"""


def _drills(tmp_path: Path, engagements: int) -> tuple[Path, Path]:
    data = tmp_path / "drills.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "title", "start", "nation"])
        for number in range(engagements):
            for nation in ("USA", "GBR"):
                out.writerow([f"D{number}", f"Drill {number}", f"{1995 + number % 20}", nation])
    mapping = tmp_path / "drills.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping, data


def _indexes(store: Store) -> list[tuple[str, str]]:
    with store.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('engagements', 'participants') ORDER BY name"
            )
        ]


@pytest.mark.parametrize(("engagements", "deferred"), [(10_000, True), (50, False)])
def test_a_large_import_builds_the_indexes_after_its_rows(
    store: Store, operator: Viewer, tmp_path: Path, engagements: int, deferred: bool
) -> None:
    before = _indexes(store)
    assert len(before) == 7  # six deferred, and the unique index of the installation's ids
    mapping, data = _drills(tmp_path, engagements)
    with _statements(store) as sent:
        report = import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert report.added == engagements
    assert _indexes(store) == before
    dropped = [text for text, _ in sent if text.startswith("DROP INDEX")]
    assert len(dropped) == (6 if deferred else 0)
    with store.connect() as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT engagement_id FROM participants WHERE nation = 'GBR' "
                "ORDER BY start_date"
            )
        )
    assert "ix_participants_nation_start_date_engagement_id" in plan


def test_a_failed_large_insert_leaves_the_indexes_as_they_were(
    store: Store, operator: Viewer
) -> None:
    before = _indexes(store)
    record = prepare(
        validate_engagement(
            {
                "kind": "exercise",
                "title": "T",
                "start": "2001",
                "participants": [{"nation": "USA"}],
                "external_id": "x:1",
            },
            load_nations_of(store),
        )
    )
    clash = EngagementColumns.of_records([record] * 10_001)  # one external id, many times
    with pytest.raises(ConflictError), store.transaction() as connection:
        sync_engagements(connection, "x", clash, operator)
    assert _indexes(store) == before
    assert count_engagements(store, operator) == 0


def load_nations_of(store: Store) -> Any:
    with store.connect() as connection:
        return load_nations(connection)


# --- References checked once per write instead of once per row ------------------------------------


def _foreign_keys(store: Store) -> int:
    with store.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one())


def test_a_transaction_without_row_checks_turns_them_on_again(store: Store) -> None:
    with store.transaction(foreign_keys=False) as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0
    assert _foreign_keys(store) == 1
    with pytest.raises(RuntimeError), store.transaction(foreign_keys=False):
        raise RuntimeError("a write that fails")
    assert _foreign_keys(store) == 1


def _unknown_nation(store: Store) -> EngagementColumns:
    record = prepare(
        validate_engagement(
            {
                "kind": "visit",
                "title": "T",
                "start": "2001",
                "participants": [{"nation": "USA"}],
                "external_id": "x:1",
            },
            load_nations_of(store),
        )
    )
    return EngagementColumns.of_records(
        [dataclasses.replace(record, participants=(("ZZZ", "participant", None),))]
    )


def test_a_bulk_write_without_row_checks_refuses_an_unknown_nation(
    store: Store, operator: Viewer
) -> None:
    with pytest.raises(ConflictError, match="The store has no nation ZZZ"):
        with store.transaction(foreign_keys=False) as connection:
            sync_engagements(connection, "x", _unknown_nation(store), operator)
    with store.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(tables.participants))
        assert stored.scalar_one() == 0
    assert count_engagements(store, operator) == 0


def test_row_checks_stay_on_by_default(store: Store, operator: Viewer) -> None:
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), store.transaction() as connection:
        sync_engagements(connection, "x", _unknown_nation(store), operator)


def test_a_generic_import_leaves_row_checks_on(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    mapping, data = _drills(tmp_path, 3)
    import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert _foreign_keys(store) == 1
