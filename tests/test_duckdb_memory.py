"""The analytic queries' DuckDB connections: bounded memory, spilling outside the working folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from comity.analytics.engines import connect_duckdb
from comity.errors import ComityError


def _setting(name: str) -> str:
    return str(connect_duckdb().sql(f"SELECT current_setting('{name}')").fetchall()[0][0])


def test_the_default_bound_keeps_a_query_under_two_gib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMITY_DUCKDB_MEMORY", raising=False)
    assert _setting("memory_limit") == "953.6 MiB"  # 1000 MB as DuckDB shows it


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMITY_DUCKDB_MEMORY", "4GB")
    assert _setting("memory_limit") == "3.7 GiB"


def test_spills_go_to_a_folder_of_their_own_under_the_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    first = _setting("temp_directory")
    assert Path(first).parent == tmp_path and Path(first).name.startswith("comity-duckdb-")
    assert f"-{os.getpid()}-" in Path(first).name  # one per process


def test_connections_share_a_database_but_not_their_tables() -> None:
    import pyarrow as pa

    one, two = connect_duckdb(), connect_duckdb()
    one.register("mine", pa.table({"a": [1]}))
    assert one.sql("SELECT a FROM mine").fetchall() == [(1,)]
    with pytest.raises(Exception, match="mine"):
        two.sql("SELECT a FROM mine").fetchall()


def test_a_bad_bound_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMITY_DUCKDB_MEMORY", "lots")
    with pytest.raises(ComityError, match="Bad setting in the environment: COMITY_DUCKDB_MEMORY"):
        connect_duckdb()


def test_a_query_beyond_the_bound_spills_and_still_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMITY_DUCKDB_MEMORY", "64MB")
    connection = connect_duckdb()
    # An aggregation of 3 million distinct keys holds more than 64 MB: it must spill.
    count = connection.sql(
        "SELECT COUNT(*) FROM (SELECT i % 3000000 AS k, SUM(i) FROM range(6000000) t(i) GROUP BY k)"
    ).fetchall()[0][0]
    assert count == 3_000_000
