"""Every bundled dataset imports on PostgreSQL as on SQLite: the same records, the same index.

SQLite ignores declared column lengths, so a value too long for its column went unnoticed until a
PostgreSQL store refused it (``datasets.version``, migration 0012). This imports the whole
bundled data into a fresh PostgreSQL database, as ``comity import --all`` does, and compares it
with the SQLite store of the session.
"""

from __future__ import annotations

import itertools
from typing import Any

import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from comity.access import Viewer
from comity.ingest.catalog import IMPORTERS
from comity.services import analytics
from comity.services.imports import list_sources
from comity.store import Store

pytestmark = [pytest.mark.postgres, pytest.mark.full_data]

_names = itertools.count()
_OPERATOR = Viewer.operator("tests")
# (table, column naming the dataset) of every table an import fills.
_BY_DATASET = (
    ("engagements", "source_dataset"),
    ("nation_scores", "dataset"),
    ("dispute_years", "dataset"),
    ("rivalries", "dataset"),
    ("coverage", "dataset"),
    ("import_runs", "dataset"),
)


@pytest.fixture
def pg_full(pg_full_store: Store) -> Store:
    """A PostgreSQL database with every bundled dataset imported, in catalogue order."""
    return pg_full_store


def _datasets(store: Store) -> dict[str, tuple[int, int | None, int | None, str]]:
    found = {}
    for source in list_sources(store):
        record = source.imported
        assert record is not None, f"{source.importer.info.name} was not imported"
        found[source.importer.info.name] = (
            record.records,
            record.first_year,
            record.last_year,
            record.version or "",
        )
    return found


def _counts(store: Store) -> dict[tuple[str, str | None], int]:
    counts: dict[tuple[str, str | None], int] = {}
    with store.connect() as connection:
        for table, column in _BY_DATASET:
            rows = connection.execute(
                sa.text(f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}")
            )
            counts.update({(table, key): int(n) for key, n in rows})
        for table in ("participants", "engagement_sources", "memberships", "organisations"):
            counts[(table, None)] = int(
                connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            )
    return counts


def test_every_bundled_dataset_imports_with_the_same_records(
    pg_full: Store, full_store: Store
) -> None:
    on_postgres, on_sqlite = _datasets(pg_full), _datasets(full_store)
    assert set(on_postgres) == set(IMPORTERS)
    assert on_postgres == on_sqlite
    # The value PostgreSQL used to refuse is stored whole.
    version = on_postgres["mid_dyadic"][3]
    assert len(version) > 64 and version.startswith("peacesciencer ")


def test_every_table_holds_the_same_rows_per_dataset(pg_full: Store, full_store: Store) -> None:
    on_postgres, on_sqlite = _counts(pg_full), _counts(full_store)
    assert on_postgres == on_sqlite
    assert on_postgres[("dispute_years", "mid_dyadic")] > 0
    assert on_postgres[("nation_scores", "hofstede")] > 0


def _index(store: Store, pair: tuple[str, str], year: int) -> dict[str, Any]:
    """The index row of a pair (ISO keys in order) and year."""
    table = analytics.compute_dyad_years(store, _OPERATOR).table
    wanted = pc.and_(
        pc.and_(pc.equal(table["iso3_1"], pair[0]), pc.equal(table["iso3_2"], pair[1])),
        pc.equal(table["year"], year),
    )
    found = table.filter(wanted).to_pylist()
    assert len(found) == 1, f"{pair} {year}: {len(found)} rows"
    row: dict[str, Any] = found[0]
    return row


@pytest.mark.parametrize(
    ("first", "second", "year"), [("USA", "JPN", 2010), ("POL", "RUS", 1992), ("FRA", "DEU", 2000)]
)
def test_the_dyad_year_index_is_the_same_on_both_engines(
    pg_full: Store,
    full_store: Store,
    first: str,
    second: str,
    year: int,
) -> None:
    pair = (min(first, second), max(first, second))
    on_sqlite = _index(full_store, pair, year)
    on_postgres = _index(pg_full, pair, year)
    assert on_postgres.keys() == on_sqlite.keys()
    for key, value in on_sqlite.items():
        if isinstance(value, float):
            assert on_postgres[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
        else:
            assert on_postgres[key] == value, key
    assert on_sqlite["index"] > 0
