"""Layout of the network: positions that stay put from year to year, colours that persist."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from comity import services
from comity.access import Viewer
from comity.analytics.layout import (
    COLOURS,
    LAYOUT_COLUMNS,
    compute_layout,
    sort_ties_by_year,
    strongest_ties,
)
from comity.analytics.network import compute_network_measures
from comity.errors import ValidationError
from comity.services.cache import forget_everything
from comity.services.network_layout import compute_network_layout
from comity.store import Store
from comity.web.pages.network import PALETTE

Tie = tuple[str, str, int, float]


def dyad_years(ties: Sequence[Tie]) -> pa.Table:
    return pa.table(
        {
            "iso3_1": pa.array([t[0] for t in ties], pa.string()),
            "iso3_2": pa.array([t[1] for t in ties], pa.string()),
            "year": pa.array([t[2] for t in ties], pa.int32()),
            "index": pa.array([t[3] for t in ties], pa.float64()),
        }
    )


def layout_of(ties: Sequence[Tie], **options: object) -> dict[int, dict[str, dict[str, float]]]:
    """The layout as {year: {nation: row}}."""
    table = dyad_years(ties)
    nation_years = compute_network_measures(table).nation_years
    found: dict[int, dict[str, dict[str, float]]] = {}
    for row in compute_layout(table, nation_years, **options).to_pylist():  # type: ignore[arg-type]
        found.setdefault(row["year"], {})[row["nation"]] = row
    return found


def clique(keys: str, year: int, index: float) -> list[Tie]:
    """Every pair of the three-letter keys in ``keys`` (space-separated), tied at ``index``."""
    names = keys.split()
    return [(a, b, year, index) for i, a in enumerate(names) for b in names[i + 1 :]]


def evolving_world() -> list[Tie]:
    """Three blocs of six in 2000; in 2001 the ties shift a little and four nations join.

    The newcomers' keys sort among the others', as new states' codes do.
    """
    rng = np.random.default_rng(7)
    blocs = ["AAB ACD AEF AGH AIJ AKL", "MAA MBB MCC MDD MEE MFF", "TAA TBB TCC TDD TEE TFF"]
    ties: list[Tie] = []
    for year in (2000, 2001):
        for bloc in blocs:
            for a, b, _, index in clique(bloc, year, 60.0):
                ties.append((a, b, year, float(index + rng.uniform(-10, 10))))
        ties += [("AAB", "MAA", year, 15.0), ("MAA", "TAA", year, 12.0)]
    ties += [
        ("ABA", "AAB", 2001, 40.0),
        ("ABA", "ACD", 2001, 30.0),
        ("MAB", "MBB", 2001, 50.0),
        ("TAB", "TCC", 2001, 45.0),
        ("AAA", "TDD", 2001, 20.0),
    ]
    return ties


def moves(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> list[float]:
    """How far each nation of both years moved, relative to the later picture's width."""
    width = max(r["x"] for r in after.values()) - min(r["x"] for r in after.values())
    return [
        math.hypot(after[k]["x"] - before[k]["x"], after[k]["y"] - before[k]["y"]) / width
        for k in sorted(set(before) & set(after))
    ]


def test_the_layout_has_the_documented_columns_and_a_position_for_every_nation_year() -> None:
    table = dyad_years(evolving_world())
    nation_years = compute_network_measures(table).nation_years
    layout = compute_layout(table, nation_years)
    assert tuple(layout.column_names) == LAYOUT_COLUMNS
    assert layout.schema.metadata[b"unit"] == b"nation-year"
    assert layout.num_rows == nation_years.num_rows
    keys = {(r["nation"], r["year"]) for r in layout.select(["nation", "year"]).to_pylist()}
    assert keys == {(r["nation"], r["year"]) for r in nation_years.to_pylist()}
    assert all(math.isfinite(v) for v in layout.column("x").to_pylist())


def test_positions_are_the_same_for_the_same_data() -> None:
    table = dyad_years(evolving_world())
    nation_years = compute_network_measures(table).nation_years
    assert compute_layout(table, nation_years).equals(compute_layout(table, nation_years))


def test_another_seed_moves_only_the_new_nations_start() -> None:
    first, second = layout_of(evolving_world()), layout_of(evolving_world(), seed=1)
    assert first[2000] == second[2000]  # no new nation in the first year: no random choice
    assert first[2001] != second[2001]


def test_a_nation_in_two_consecutive_years_moves_less_than_in_a_fresh_layout() -> None:
    ties = evolving_world()
    seeded = layout_of(ties)
    fresh = layout_of([t for t in ties if t[2] == 2001], years=[2001])
    kept = moves(seeded[2000], seeded[2001])
    afresh = moves(seeded[2000], fresh[2001])
    assert len(kept) == 18
    assert float(np.median(kept)) < 0.15
    assert float(np.median(kept)) < float(np.median(afresh)) / 4


def test_a_new_nation_joins_its_neighbours() -> None:
    found = layout_of(evolving_world())

    def centre(prefix: str) -> tuple[float, float]:
        bloc = [r for k, r in found[2000].items() if k.startswith(prefix)]
        return (float(np.mean([r["x"] for r in bloc])), float(np.mean([r["y"] for r in bloc])))

    newcomer = (found[2001]["ABA"]["x"], found[2001]["ABA"]["y"])
    distances = {prefix: math.dist(newcomer, centre(prefix)) for prefix in "AMT"}
    assert min(distances, key=lambda prefix: distances[prefix]) == "A"


def test_a_returning_nation_without_placed_neighbours_starts_where_it_last_was() -> None:
    ties = clique("AAA BBB CCC", 2000, 50.0) + [("DDD", "FFF", 2000, 50.0)]
    ties += clique("AAA BBB CCC", 2001, 50.0)
    ties += clique("AAA BBB CCC", 2002, 50.0) + [("DDD", "FFF", 2002, 50.0)]
    found = layout_of(ties)
    assert "FFF" not in found[2001]
    for key in ("DDD", "FFF"):
        before, after = found[2000][key], found[2002][key]
        assert math.hypot(after["x"] - before["x"], after["y"] - before["y"]) < 1.0


def test_community_colours_persist_across_years() -> None:
    europe, pacific, africa = "BEL DEU FRA NLD", "AUS JPN NZL USA", "GHA NGA SEN CIV"
    ties: list[Tie] = []
    for year in (2000, 2001, 2002):
        ties += clique(europe, year, 60.0) + clique(pacific, year, 60.0)
        ties += [("FRA", "USA", year, 2.0)]
    ties += clique(africa, 2002, 50.0) + [("FRA", "SEN", 2002, 3.0)]
    found = layout_of(ties)
    colours = {year: {k: r["colour"] for k, r in rows.items()} for year, rows in found.items()}
    for year in (2001, 2002):
        assert colours[year]["FRA"] == colours[2000]["FRA"] == colours[year]["DEU"]
        assert colours[year]["USA"] == colours[2000]["USA"] != colours[year]["FRA"]
    assert colours[2002]["NGA"] not in {colours[2002]["FRA"], colours[2002]["USA"]}
    assert {c for year in colours.values() for c in year.values()} <= set(range(COLOURS))


def test_the_web_palette_has_a_colour_for_every_index() -> None:
    assert len(PALETTE) == COLOURS == len(set(PALETTE))


def test_the_ties_of_a_year_come_strongest_first_from_the_threshold() -> None:
    ties = sort_ties_by_year(
        dyad_years(
            [
                ("AAA", "BBB", 2000, 5.0),
                ("AAA", "CCC", 2000, 50.0),
                ("BBB", "CCC", 2000, 20.0),
                ("AAA", "BBB", 2001, 70.0),
                ("CCC", "DDD", 2000, 1e-9),
            ]
        )
    )
    count, strongest = strongest_ties(ties, 2000, 10.0, 1)
    assert count == 2 and [(t["iso3_1"], t["iso3_2"]) for t in strongest] == [("AAA", "CCC")]
    assert strongest_ties(ties, 2000, 0.0, 10)[0] == 3  # the residual tie is not in the network
    assert strongest_ties(ties, 1999, 0.0, 10) == (0, [])


def test_an_empty_table_gives_an_empty_layout() -> None:
    table = dyad_years([])
    layout = compute_layout(table, compute_network_measures(table).nation_years)
    assert layout.num_rows == 0 and tuple(layout.column_names) == LAYOUT_COLUMNS
    assert strongest_ties(sort_ties_by_year(table), 2000, 0.0, 10) == (0, [])


# The service: one layout per viewer scope and data version, kept like the network tables.


@pytest.fixture
def exercises(store: Store) -> Store:
    """Exercises of two blocs in 2009 and 2010."""
    records = []
    for year in (2009, 2010):
        for title, nations in (("Rhine", "FRA DEU BEL"), ("Pacific", "USA JPN AUS")):
            records.append(
                {
                    "kind": "exercise",
                    "title": f"{title} {year}",
                    "start": str(year),
                    "participants": [{"nation": n} for n in nations.split()],
                }
            )
    services.add_engagements(store, records, Viewer.operator("tests"))
    return store


def test_the_layout_is_computed_once_and_read_back_from_the_cache(exercises: Store) -> None:
    viewer = Viewer.operator("tests")
    first = compute_network_layout(exercises, viewer)
    assert not first.cached and first.positions.num_rows > 0
    assert compute_network_layout(exercises, viewer).cached
    forget_everything()
    again = compute_network_layout(exercises, viewer)
    assert again.cached and again.positions.equals(first.positions)
    assert again.extent == first.extent
    x_low, x_high, y_low, y_high = first.extent
    assert x_low < x_high and y_low < y_high


def test_a_store_without_ties_has_an_empty_layout(store: Store) -> None:
    layout = compute_network_layout(store, Viewer.operator("tests"))
    assert layout.positions.num_rows == 0 and layout.extent == (0.0, 0.0, 0.0, 0.0)


# After a change: only the years from the first one it moved are computed again, and the result
# is the one computing every year gives.


def _changing_world(seed: int, years: int) -> tuple[pa.Table, pa.Table, int]:
    """A random network over ``years`` years, and the same with the ties of one year on moved."""
    rng = np.random.default_rng(seed)
    keys = [f"N{i:02d}" for i in range(14)]
    ties: list[Tie] = []
    for year in range(2000, 2000 + years):
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if rng.random() < 0.3:
                    ties.append((a, b, year, float(rng.uniform(0.5, 90))))
    changed_from = 2000 + int(rng.integers(0, years))
    moved = [
        (a, b, y, i * 1.7 if y >= changed_from and (a, b) < ("N05", "") else i)
        for a, b, y, i in ties
    ]
    moved.append(("N00", "N13", changed_from, 80.0))
    return dyad_years(ties), dyad_years(moved), changed_from


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_network_and_layout_resumed_from_a_changed_year_equal_a_full_computation(
    seed: int,
) -> None:
    from comity.services.analytics import first_changed_year

    before, after, changed_from = _changing_world(seed, 8)
    assert first_changed_year(before, after) == changed_from
    old = compute_network_measures(before)
    full = compute_network_measures(after)
    resumed = compute_network_measures(after, since=changed_from, before=old)
    assert resumed.nation_years.equals(full.nation_years)
    assert resumed.community_years.equals(full.community_years)
    old_layout = compute_layout(before, old.nation_years)
    full_layout = compute_layout(after, full.nation_years)
    resumed_layout = compute_layout(after, full.nation_years, since=changed_from, before=old_layout)
    assert resumed_layout.equals(full_layout)
    # Years before the change are the old ones, untouched.
    kept = [r for r in full_layout.to_pylist() if r["year"] < changed_from]
    assert kept == [r for r in old_layout.to_pylist() if r["year"] < changed_from]


def test_no_change_keeps_every_year() -> None:
    from comity.services.analytics import first_changed_year

    before, _, _ = _changing_world(5, 4)
    assert first_changed_year(before, before) is None
    old = compute_network_measures(before)
    same = compute_network_measures(before, since=2100, before=old)
    assert same.nation_years.equals(old.nation_years)


def test_after_a_write_the_page_answers_the_network_before_it_while_the_new_one_is_computed(
    exercises: Store,
) -> None:
    import time

    viewer = Viewer.operator("tests")
    first = compute_network_layout(exercises, viewer, wait=False)
    assert not first.refreshing
    services.add_engagement(
        exercises,
        {
            "kind": "exercise",
            "title": "Bridge 2010",
            "start": "2010",
            "participants": [{"nation": "FRA"}, {"nation": "JPN"}],
        },
        viewer,
    )
    stale = compute_network_layout(exercises, viewer, wait=False)
    assert stale.refreshing
    assert stale.network.index.data_version == first.network.index.data_version
    deadline = time.monotonic() + 60
    while True:
        fresh = compute_network_layout(exercises, viewer, wait=False)
        if not fresh.refreshing or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not fresh.refreshing
    assert fresh.network.index.data_version != first.network.index.data_version
    pairs = fresh.network.index.table
    assert (
        "FRA"
        in pairs.filter(pa.compute.equal(pairs.column("iso3_2"), "JPN"))
        .column("iso3_1")
        .to_pylist()
    )
    # What the background computed from the years it kept is what a computation from scratch
    # gives.
    scratch = compute_network_layout(exercises, viewer, use_cache=False)
    assert fresh.positions.equals(scratch.positions)
    assert fresh.network.nation_years.equals(scratch.network.nation_years)


def test_years_measured_by_a_second_process_equal_those_measured_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from comity.analytics import network_years

    world, _, _ = _changing_world(11, 12)
    here = compute_network_measures(world)
    dealt: list[tuple[list[int], list[int]]] = []
    deal = network_years._deal

    def recorded(years: Any) -> tuple[list[int], list[int]]:
        dealt.append(deal(years))
        return dealt[-1]

    monkeypatch.setattr(network_years, "PARALLEL_TIES", 0)
    monkeypatch.setattr(network_years, "_deal", recorded)
    monkeypatch.setattr("comity.analytics.network_years.os.cpu_count", lambda: 2)
    shared = compute_network_measures(world)
    # Both processes had years to measure, and the answer is the one of a single process:
    # measures, communities (seeded per year, labelled in order afterwards) and modularity.
    [(mine, theirs)] = dealt
    assert mine and theirs and sorted(mine + theirs) == list(range(len(mine) + len(theirs)))
    assert shared.nation_years.equals(here.nation_years)
    assert shared.community_years.equals(here.community_years)


def test_years_are_measured_without_collections_and_collecting_resumes_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from comity.analytics import network, network_years

    world, _, _ = _changing_world(11, 12)
    measure = network.measure_year
    during: list[bool] = []

    def recorded(*args: Any) -> Any:
        during.append(gc.isenabled())
        return measure(*args)

    monkeypatch.setattr(network, "measure_year", recorded)
    assert gc.isenabled()
    expected = compute_network_measures(world)
    assert during and not any(during)
    assert gc.isenabled()
    # The same measures as when each graph may start a collection.
    monkeypatch.setattr(network_years.gc, "disable", lambda: None)
    collected = compute_network_measures(world)
    assert collected.nation_years.equals(expected.nation_years)
    # A failing year still gives collections back.
    monkeypatch.undo()
    monkeypatch.setattr(network, "measure_year", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        compute_network_measures(world)
    assert gc.isenabled()


def test_the_second_process_starts_before_the_ties_are_prepared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from comity.analytics import network, network_years

    world, _, _ = _changing_world(11, 12)
    here = compute_network_measures(world)
    events: list[str] = []
    start, prepare = network_years.Helper.__init__, network._prepare

    def started(helper: Any) -> None:
        start(helper)
        events.append("started")

    def prepared(*args: Any) -> Any:
        events.append("prepare")
        return prepare(*args)

    monkeypatch.setattr(network_years, "PARALLEL_TIES", 0)
    monkeypatch.setattr(network_years.Helper, "__init__", started)
    monkeypatch.setattr(network, "_prepare", prepared)
    monkeypatch.setattr("comity.analytics.network_years.os.cpu_count", lambda: 2)
    shared = compute_network_measures(world)
    assert events == ["started", "prepare"]
    assert shared.nation_years.equals(here.nation_years)


def test_a_second_process_not_needed_or_left_by_an_error_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from comity.analytics import network_years
    from comity.analytics.network_years import YearTies

    # Given no years, it ends at once, successfully.
    helper = network_years.Helper()
    child = helper.child
    assert child is not None
    helper.close()
    assert helper.child is None and child.returncode == 0
    # Started for years whose ties turn out too few to share: they are measured here, and it
    # is let go.
    helper = network_years.Helper()
    child = helper.child
    edges = np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([50.0, 20.0, 5.0])
    years = [YearTies(2000, *edges), YearTies(2001, *edges)]
    measured = network_years.measure_years(years, 10.0, 0, helper)
    assert [part["partners"].tolist() for part, _ in measured] == [[2, 1, 1], [2, 1, 1]]
    assert helper.child is None and child is not None and child.returncode == 0
    # A table without the columns the measures need: the error comes back, and the process
    # started for it is let go.
    started: list[network_years.Helper] = []
    start = network_years.Helper.__init__

    def kept(self: network_years.Helper) -> None:
        start(self)
        started.append(self)

    monkeypatch.setattr(network_years.Helper, "__init__", kept)
    monkeypatch.setattr(network_years, "PARALLEL_TIES", 0)
    monkeypatch.setattr("comity.analytics.network_years.os.cpu_count", lambda: 2)
    world, _, _ = _changing_world(11, 12)
    with pytest.raises(ValidationError):
        compute_network_measures(world.drop_columns(["index"]))
    assert len(started) == 1 and started[0].child is None
