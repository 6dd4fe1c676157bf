"""The bulk form of the releasability filter shows exactly what the per-record form shows."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Connection, Integer, MetaData, Table, create_engine, insert, select

from comity.access.viewer import Role, Viewer
from comity.store import Store, tables, visibility
from comity.store.visibility import visible_in_bulk, visible_to

NATIONS = ("USA", "FRA", "POL")
ORGANISATIONS = ("ORGA", "ORGB")
YEARS = st.integers(1990, 2010)

scratch = MetaData()
records = Table(
    "scratch_records",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("label_id", Integer),
    Column("year", Integer),
    prefixes=["TEMPORARY"],
)


@dataclass
class World:
    """Labels (each a set of targets), memberships and records (a label or None, a year)."""

    labels: list[frozenset[str]]
    memberships: list[tuple[str, str, int, int | None]]
    records: list[tuple[int | None, int]]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A small world: a few labels, memberships with open or closed spans, labelled records."""
    targets = st.sampled_from(NATIONS + ORGANISATIONS)
    labels = draw(st.lists(st.frozensets(targets, min_size=1, max_size=3), max_size=5, unique=True))
    memberships = []
    for organisation, nation in draw(
        st.lists(st.tuples(st.sampled_from(ORGANISATIONS), st.sampled_from(NATIONS)), max_size=6)
    ):
        joined = draw(YEARS)
        left = draw(st.none() | st.integers(joined, 2010))
        memberships.append((organisation, nation, joined, left))
    label = st.none() | st.integers(1, len(labels)) if labels else st.none()
    records = draw(st.lists(st.tuples(label, YEARS), min_size=1, max_size=30))
    return World(labels, memberships, records)


def _viewers() -> list[Viewer]:
    return [
        Viewer.operator("tester"),
        Viewer.public(),
        *(Viewer(name=n.lower(), nation=n, role=Role.PLANNER) for n in NATIONS),
    ]


def _fill(connection: Connection, world: World) -> None:
    for number, targets in enumerate(world.labels, start=1):
        connection.execute(
            insert(tables.release_labels).values(id=number, label=",".join(sorted(targets)))
        )
        for target in targets:
            connection.execute(
                insert(tables.release_targets).values(label_id=number, target=target)
            )
    for organisation, nation, joined, left in world.memberships:
        connection.execute(
            insert(tables.memberships).values(
                organisation=organisation, nation=nation, joined_year=joined, left_year=left
            )
        )
    scratch.create_all(connection)
    if world.records:
        connection.execute(
            insert(records),
            [{"label_id": label, "year": year} for label, year in world.records],
        )


def _same_for_every_viewer(connection: Connection) -> int:
    """Assert both forms select the same records for each viewer; the records seen in all."""
    r = records.c
    seen = 0
    for viewer in _viewers():
        one = select(r.id).where(visible_to(viewer, r.label_id, r.year)).order_by(r.id)
        bulk = (
            select(r.id)
            .where(visible_in_bulk(connection, viewer, r.label_id, r.year))
            .order_by(r.id)
        )
        expected = connection.execute(one).scalars().all()
        assert connection.execute(bulk).scalars().all() == expected, viewer.nation
        seen += len(expected)
    return seen


@settings(max_examples=150, deadline=None)
@given(world=worlds())
def test_the_bulk_filter_selects_what_the_per_record_filter_selects(world: World) -> None:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(
        engine, tables=[tables.release_labels, tables.release_targets, tables.memberships]
    )
    with engine.begin() as connection:
        _fill(connection, world)
        _same_for_every_viewer(connection)
    engine.dispose()


@pytest.mark.parametrize("most", [100, 1])
def test_the_bulk_filter_follows_membership_years_by_hand(
    most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ORGA's record of 1995 is seen by France (member 1990-1999), not by Poland (from 1999).

    With more labels than the bulk form takes, the per-record form answers, the same.
    """
    monkeypatch.setattr(visibility, "BULK_LABELS", most)
    world = World(
        labels=[frozenset({"ORGA"}), frozenset({"POL"})],
        memberships=[("ORGA", "FRA", 1990, 1999), ("ORGA", "POL", 1999, None)],
        records=[(1, 1995), (1, 2005), (2, 1995), (None, 2000)],
    )
    engine = create_engine("sqlite://")
    tables.metadata.create_all(
        engine, tables=[tables.release_labels, tables.release_targets, tables.memberships]
    )
    with engine.begin() as connection:
        _fill(connection, world)
        r = records.c
        for nation, expected in (("FRA", [1, 4]), ("POL", [2, 3, 4]), ("USA", [4])):
            viewer = Viewer(name=nation, nation=nation, role=Role.PLANNER)
            condition = visible_in_bulk(connection, viewer, r.label_id, r.year)
            per_record = visible_to(viewer, r.label_id, r.year)
            # Poland is named by two labels, more than one.
            assert (str(condition) == str(per_record)) == (most == 1 and nation == "POL")
            query = select(r.id).where(condition).order_by(r.id)
            assert connection.execute(query).scalars().all() == expected, nation


@pytest.mark.postgres
def test_the_bulk_filter_agrees_on_postgresql(pg_store: Store) -> None:
    """Forty random worlds on PostgreSQL, each in a transaction rolled back."""
    rng = random.Random(19)
    seen = 0
    for _ in range(40):
        labels = list(
            {frozenset(rng.sample(NATIONS + ORGANISATIONS, rng.randint(1, 3))) for _ in range(4)}
        )
        memberships = []
        for _ in range(rng.randint(0, 6)):
            joined = rng.randint(1990, 2010)
            left = rng.choice([None, rng.randint(joined, 2010)])
            memberships.append((rng.choice(ORGANISATIONS), rng.choice(NATIONS), joined, left))
        world = World(
            labels,
            memberships,
            [
                (rng.choice([None, *range(1, len(labels) + 1)]), rng.randint(1990, 2010))
                for _ in range(40)
            ],
        )
        with pg_store.engine.connect() as connection:
            transaction = connection.begin()
            for code in ORGANISATIONS:
                connection.execute(insert(tables.organisations).values(code=code, name=code))
            # The seeded store's own labels are out of the way: the world's numbers are its own.
            connection.execute(tables.release_targets.delete())
            connection.execute(tables.release_labels.delete())
            _fill(connection, world)
            seen += _same_for_every_viewer(connection)
            transaction.rollback()
    assert seen > 0
