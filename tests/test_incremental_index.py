"""A write patches the cached index: the pairs it touches are computed again, not every pair.

Each test computes the index, writes, and checks that the patched table equals a full
recomputation of the same store, row for row, and that the write moved the pair it touched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comity import services
from comity.access import Role, Viewer
from comity.services import analytics
from comity.services.cache import forget_everything
from comity.store import Store
from comity.store.changes import touched_since

pytestmark = [pytest.mark.full_data, pytest.mark.slow]

PLANNER = Viewer(name="planner.fra", nation="FRA", role=Role.PLANNER)


def _record(year: int, partner: str = "MNG") -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": "Steppe Eagle (added)",
        "start": date(year, 6, 10),
        "host": partner,
        "participants": [{"nation": partner, "role": "host"}, {"nation": "FRA"}],
    }


def _pair(result: analytics.IndexTable, a: str, b: str) -> list[float]:
    table = result.table
    rows = table.filter(
        pc.and_(pc.equal(table.column("iso3_1"), a), pc.equal(table.column("iso3_2"), b))
    )
    return [round(v, 9) for v in rows.column("index").to_pylist()]


@pytest.fixture
def no_full_recomputation(monkeypatch: pytest.MonkeyPatch) -> Any:
    """After this, computing the index from scratch fails the test; the original is returned."""
    original = analytics._dyad_years

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the index was computed again from scratch")

    def arm() -> Any:
        monkeypatch.setattr(analytics, "_dyad_years", refuse)
        return original

    return arm


def _full(store: Store, viewer: Viewer, compute: Any) -> Any:
    return compute(store, viewer, analytics.default_settings(), analytics.today().year)


def _same(first: Any, second: Any) -> bool:
    """The same rows in the same order; numbers equal to 1e-9 (sums may add in another order)."""
    assert first.schema == second.schema and first.num_rows == second.num_rows
    for name in first.column_names:
        a, b = first.column(name), second.column(name)
        if first.schema.field(name).type in (pa.float64(), pa.float32()):
            # Missing in the same rows, and within 1e-9 where present (vectorised: the tables
            # have hundreds of thousands of rows).
            assert pc.is_null(a).equals(pc.is_null(b)), name
            largest = pc.max(pc.abs(pc.subtract(a, b))).as_py()
            assert largest is None or largest < 1e-9, (name, largest)
        else:
            assert a.equals(b), name
    return True


def test_adding_editing_and_deleting_a_record_patch_the_index_exactly(
    full_store: Store, no_full_recomputation: Any
) -> None:
    store = full_store
    forget_everything()
    before = analytics.compute_dyad_years(store, PLANNER)
    compute = no_full_recomputation()

    added = services.add_engagement(store, _record(2012), PLANNER)
    after_add = analytics.compute_dyad_years(store, PLANNER)
    assert after_add.data_version != before.data_version and not after_add.cached
    assert _same(after_add.table, _full(store, PLANNER, compute))
    assert _pair(after_add, "FRA", "MNG") != _pair(before, "FRA", "MNG")

    services.edit_engagement(store, added.id, _record(2012, "KAZ"), PLANNER)
    after_edit = analytics.compute_dyad_years(store, PLANNER)
    assert _same(after_edit.table, _full(store, PLANNER, compute))
    assert _pair(after_edit, "FRA", "MNG") == _pair(before, "FRA", "MNG")  # moved away
    assert _pair(after_edit, "FRA", "KAZ") != _pair(before, "FRA", "KAZ")

    services.delete_engagement(store, added.id, PLANNER)
    after_delete = analytics.compute_dyad_years(store, PLANNER)
    assert _same(after_delete.table, _full(store, PLANNER, compute))
    assert _same(after_delete.table, before.table)
    assert after_delete.default_year == before.default_year


def test_a_record_of_a_dissolved_state_patches_its_successors_pairs(
    full_store: Store, no_full_recomputation: Any
) -> None:
    store = full_store
    forget_everything()
    viewer = Viewer.operator("tests")
    analytics.compute_dyad_years(store, viewer)
    compute = no_full_recomputation()
    record = {
        "kind": "visit",
        "title": "Defence minister's visit",
        "start": date(1988, 3, 1),
        "host": "SUN",
        "participants": [{"nation": "SUN", "role": "host"}, {"nation": "FRA"}],
    }
    services.add_engagement(store, record, viewer)
    patched = analytics.compute_dyad_years(store, viewer)
    assert _same(patched.table, _full(store, viewer, compute))


def test_a_bulk_change_recomputes_everything(store: Store) -> None:
    forget_everything()
    viewer = Viewer.operator("tests")
    with store.connect() as connection:
        first = touched_since(connection, "no such version")
    assert first is None
    before = analytics.compute_dyad_years(store, viewer)
    services.add_engagements(store, [_record(1960 + n) for n in range(60)], viewer)
    with store.connect() as connection:
        assert touched_since(connection, before.data_version[:16]) is None  # many: any pair
    services.add_engagement(store, _record(2015, "KAZ"), viewer)
    after = analytics.compute_dyad_years(store, viewer)
    with store.connect() as connection:
        assert touched_since(connection, after.data_version[:16]) == frozenset()
        # One record since the bulk write: its nations.
        versions = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT version FROM record_changes ORDER BY value DESC"
            )
        ]
        assert touched_since(connection, versions[1]) == frozenset({"FRA", "KAZ"})
