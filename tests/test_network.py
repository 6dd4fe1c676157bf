"""Network measures of the tie index: hand-worked graphs, networkx agreement, the bundled data."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pyarrow as pa
import pytest

from comity.access import Viewer
from comity.analytics.layout import compute_layout, match_communities
from comity.analytics.network import (
    LENGTH_STEP,
    NATION_YEAR_COLUMNS,
    OUTREACH_COLUMNS,
    compute_nation_years,
    compute_network_measures,
    compute_outreach_profile,
    label_communities,
    load_nation_regions,
)
from comity.analytics.settings import default_settings
from comity.analytics.snapshot import load_snapshot
from comity.analytics.tie_index import pair_kind_year_sql, register_inputs, run_dyad_years
from comity.errors import ValidationError
from comity.nations.organisations import load_organisations
from comity.services.imports import import_dataset
from comity.store import open_store

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


def rows(table: pa.Table, year: int | None = None) -> dict[str, dict[str, Any]]:
    """The nation-year table as {nation: row}, for one year."""
    found = table.to_pylist()
    years = {r["year"] for r in found}
    year = year if year is not None else min(years)
    return {r["nation"]: r for r in found if r["year"] == year}


def distance(index: float) -> float:
    """Tie length as comity defines it: 100 / index on a grid of LENGTH_STEP."""
    return max(round(100.0 / index / LENGTH_STEP), 1) * LENGTH_STEP


# Hand-worked graphs.


def test_nation_years_has_the_documented_columns() -> None:
    table = compute_nation_years(dyad_years([("AAA", "BBB", 2000, 50.0)]))
    assert tuple(table.column_names) == NATION_YEAR_COLUMNS
    assert table.schema.metadata[b"unit"] == b"nation-year"


def test_partners_strength_and_degree_count_ties() -> None:
    # A triangle plus a weak leaf: A-B 40, A-C 10 (exactly the threshold), B-C 5, C-D 0.5.
    table = compute_nation_years(
        dyad_years(
            [
                ("AAA", "BBB", 2000, 40.0),
                ("AAA", "CCC", 2000, 10.0),
                ("BBB", "CCC", 2000, 5.0),
                ("CCC", "DDD", 2000, 0.5),
            ]
        )
    )
    found = rows(table)
    assert {n: r["partners"] for n, r in found.items()} == {
        "AAA": 2,
        "BBB": 1,
        "CCC": 1,
        "DDD": 0,
    }
    assert {n: r["degree"] for n, r in found.items()} == {"AAA": 2, "BBB": 2, "CCC": 3, "DDD": 1}
    assert {n: r["strength"] for n, r in found.items()} == {
        "AAA": 50.0,
        "BBB": 45.0,
        "CCC": 15.5,
        "DDD": 0.5,
    }
    assert found["CCC"]["weighted_degree"] == pytest.approx(0.155)


def test_partner_threshold_is_a_parameter() -> None:
    ties = [("AAA", "BBB", 2000, 40.0), ("AAA", "CCC", 2000, 10.0)]
    found = rows(compute_nation_years(dyad_years(ties), threshold=20.0))
    assert found["AAA"]["partners"] == 1


def test_pairs_at_zero_and_residual_ties_are_not_in_the_network() -> None:
    ties = [("AAA", "BBB", 2000, 30.0), ("AAA", "CCC", 2000, 0.0), ("BBB", "DDD", 2000, 1e-14)]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert sorted(found) == ["AAA", "BBB"]
    assert found["AAA"]["degree"] == 1


def test_min_index_zero_keeps_every_positive_tie() -> None:
    ties = [("AAA", "BBB", 2000, 30.0), ("AAA", "CCC", 2000, 0.0), ("BBB", "DDD", 2000, 1e-14)]
    found = rows(compute_nation_years(dyad_years(ties), min_index=0.0))
    assert sorted(found) == ["AAA", "BBB", "DDD"]


def test_nations_are_only_those_tied_that_year() -> None:
    ties = [("AAA", "BBB", 2000, 30.0), ("AAA", "BBB", 2001, 30.0), ("CCC", "DDD", 2001, 30.0)]
    table = compute_nation_years(dyad_years(ties))
    assert sorted(rows(table, 2000)) == ["AAA", "BBB"]
    assert sorted(rows(table, 2001)) == ["AAA", "BBB", "CCC", "DDD"]


def test_betweenness_of_the_middle_of_a_path_is_one() -> None:
    ties = [("AAA", "BBB", 2000, 20.0), ("BBB", "CCC", 2000, 70.0)]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert {n: r["betweenness"] for n, r in found.items()} == {"AAA": 0.0, "BBB": 1.0, "CCC": 0.0}


def test_betweenness_follows_strong_ties() -> None:
    # A-B-C strong (lengths 2 + 2), A-C weak (length 20): paths from A to C go through B.
    ties = [("AAA", "BBB", 2000, 50.0), ("BBB", "CCC", 2000, 50.0), ("AAA", "CCC", 2000, 5.0)]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert found["BBB"]["betweenness"] == 1.0
    # With A-C stronger than the way round, nobody lies between.
    ties[2] = ("AAA", "CCC", 2000, 30.0)
    found = rows(compute_nation_years(dyad_years(ties)))
    assert found["BBB"]["betweenness"] == 0.0


def test_betweenness_of_two_nations_is_zero() -> None:
    found = rows(compute_nation_years(dyad_years([("AAA", "BBB", 2000, 50.0)])))
    assert [r["betweenness"] for r in found.values()] == [0.0, 0.0]


def test_eigenvector_of_a_star() -> None:
    # A star with equal weights: the hub's centrality is sqrt(k) times each leaf's.
    ties = [("HUB", leaf, 2000, 25.0) for leaf in ("AAA", "BBB", "CCC", "DDD")]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert found["HUB"]["eigenvector"] == pytest.approx(1.0, abs=1e-12)
    for leaf in ("AAA", "BBB", "CCC", "DDD"):
        assert found[leaf]["eigenvector"] == pytest.approx(0.5, abs=1e-9)


def test_eigenvector_outside_the_leading_component_is_zero() -> None:
    # Two components: the strong pair has the larger leading eigenvalue (80 against 10).
    ties = [("AAA", "BBB", 2000, 10.0), ("BBB", "CCC", 2000, 10.0), ("DDD", "EEE", 2000, 80.0)]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert {n: r["eigenvector"] for n, r in found.items()} == pytest.approx(
        {"AAA": 0.0, "BBB": 0.0, "CCC": 0.0, "DDD": 1.0, "EEE": 1.0}
    )


def test_eigenvector_on_tied_components_takes_the_first_nation() -> None:
    ties = [("CCC", "DDD", 2000, 40.0), ("AAA", "BBB", 2000, 40.0)]
    found = rows(compute_nation_years(dyad_years(ties)))
    assert {n: r["eigenvector"] for n, r in found.items()} == pytest.approx(
        {"AAA": 1.0, "BBB": 1.0, "CCC": 0.0, "DDD": 0.0}
    )


def two_clusters(year: int, first: Sequence[str], second: Sequence[str]) -> list[Tie]:
    """Two cliques of strong ties joined by one weak tie."""
    ties: list[Tie] = []
    for group in (first, second):
        ties += [(a, b, year, 60.0) for i, a in enumerate(group) for b in group[i + 1 :]]
    ties.append((min(first[0], second[0]), max(first[0], second[0]), year, 2.0))
    return ties


def test_two_clusters_split_into_two_communities() -> None:
    ties = two_clusters(2000, ["AAA", "BBB", "CCC"], ["DDD", "EEE", "FFF"])
    measures = compute_network_measures(dyad_years(ties))
    found = rows(measures.nation_years)
    labels = {n: r["community"] for n, r in found.items()}
    assert labels["AAA"] == labels["BBB"] == labels["CCC"]
    assert labels["DDD"] == labels["EEE"] == labels["FFF"]
    assert labels["AAA"] != labels["DDD"]
    # Modularity by hand: m = 6 * 60 + 2 = 362; each side has 180 inside and degree sum 362.
    expected = 2 * (180 / 362 - (362 / 724) ** 2)
    [modularity] = measures.community_years.column("modularity").to_pylist()
    assert modularity == pytest.approx(expected, abs=1e-12)
    assert measures.community_years.column("communities").to_pylist() == [2]


def test_communities_are_the_same_for_the_same_seed() -> None:
    rng = random.Random(3)
    ties = [
        (f"N{a:02d}", f"N{b:02d}", 2000, rng.uniform(1, 90))
        for a in range(30)
        for b in range(a + 1, 30)
        if rng.random() < 0.2
    ]
    first = compute_nation_years(dyad_years(ties), seed=5)
    second = compute_nation_years(dyad_years(ties), seed=5)
    assert first.column("community").to_pylist() == second.column("community").to_pylist()


def test_community_labels_persist_across_years() -> None:
    # The same two clusters in 2000 and 2001; in 2001 the rows come in another order and the
    # clusters' members are listed the other way round.
    ties = two_clusters(2000, ["AAA", "BBB", "CCC"], ["DDD", "EEE", "FFF", "GGG"])
    later = two_clusters(2001, ["FFF", "EEE", "DDD", "GGG"], ["CCC", "BBB", "AAA"])
    table = compute_nation_years(dyad_years(ties + list(reversed(later))))
    before = {n: r["community"] for n, r in rows(table, 2000).items()}
    after = {n: r["community"] for n, r in rows(table, 2001).items()}
    assert before == after
    # Labels are given largest community first.
    assert before["DDD"] == 0 and before["AAA"] == 1


def test_a_new_community_gets_a_new_label() -> None:
    ties = two_clusters(2000, ["AAA", "BBB", "CCC"], ["DDD", "EEE", "FFF"])
    ties += two_clusters(2001, ["AAA", "BBB", "CCC"], ["DDD", "EEE", "FFF"])
    ties += [(a, b, 2001, 60.0) for a, b in (("XXX", "YYY"), ("XXX", "ZZZ"), ("YYY", "ZZZ"))]
    table = compute_nation_years(dyad_years(ties))
    before = {n: r["community"] for n, r in rows(table, 2000).items()}
    after = {n: r["community"] for n, r in rows(table, 2001).items()}
    assert {n: after[n] for n in before} == before
    assert after["XXX"] == after["YYY"] == after["ZZZ"] == 2


def test_label_communities_matches_by_overlap_not_by_order() -> None:
    years = [
        {"AAA": 0, "BBB": 0, "CCC": 0, "DDD": 1, "EEE": 1},
        {"AAA": 7, "BBB": 7, "CCC": 3, "DDD": 3, "EEE": 3},  # CCC moved; found in another order
        {"DDD": 0, "EEE": 0, "FFF": 1, "GGG": 1, "AAA": 2},  # FFF and GGG are new
    ]
    assert label_communities(years) == [
        {"AAA": 0, "BBB": 0, "CCC": 0, "DDD": 1, "EEE": 1},
        {"AAA": 0, "BBB": 0, "CCC": 1, "DDD": 1, "EEE": 1},
        {"DDD": 1, "EEE": 1, "FFF": 2, "GGG": 2, "AAA": 0},
    ]


def test_label_communities_never_reuses_a_label() -> None:
    years = [{"AAA": 0, "BBB": 1}, {"CCC": 0}, {"AAA": 0}]
    assert label_communities(years) == [{"AAA": 0, "BBB": 1}, {"CCC": 2}, {"AAA": 3}]


def test_years_limit_the_computation() -> None:
    ties = [("AAA", "BBB", y, 30.0) for y in (1999, 2000, 2001)]
    table = compute_network_measures(dyad_years(ties), years=[2000, 2001]).community_years
    assert table.column("year").to_pylist() == [2000, 2001]


def test_a_pair_twice_in_a_year_is_rejected() -> None:
    ties = [("AAA", "BBB", 2000, 30.0), ("BBB", "AAA", 2000, 20.0)]
    with pytest.raises(ValidationError) as caught:
        compute_nation_years(dyad_years(ties))
    assert str(caught.value) == (
        "Invalid dyad-year table: iso3_1, iso3_2: a pair appears twice, or a nation is paired "
        "with itself (got 2000)"
    )


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        compute_nation_years(pa.table({"iso3_1": ["AAA"], "iso3_2": ["BBB"], "year": [2000]}))
    assert str(caught.value) == "Invalid dyad-year table: index: column is missing"


def test_an_empty_table_gives_empty_tables() -> None:
    measures = compute_network_measures(dyad_years([]))
    assert measures.nation_years.num_rows == 0
    assert measures.community_years.num_rows == 0


# Agreement with networkx on random weighted graphs.


def random_graph(seed: int) -> tuple[list[Tie], nx.Graph]:
    rng = random.Random(seed)
    size = rng.randint(10, 40)
    nodes = [f"N{i:02d}" for i in range(size)]
    graph = nx.Graph()
    # A random spanning tree keeps the graph connected (networkx's eigenvector needs it).
    for i in range(1, size):
        graph.add_edge(nodes[rng.randrange(i)], nodes[i])
    for a in range(size):
        for b in range(a + 1, size):
            if rng.random() < 0.25:
                graph.add_edge(nodes[a], nodes[b])
    ties: list[Tie] = []
    for a, b in graph.edges:
        index = rng.choice([rng.uniform(0.01, 100.0), rng.uniform(0.0001, 1.0)])
        graph.edges[a, b]["weight"] = index
        graph.edges[a, b]["distance"] = distance(index)
        ties.append((min(a, b), max(a, b), 2000, index))
    return ties, graph


@pytest.mark.parametrize("seed", range(20))
def test_centralities_agree_with_networkx(seed: int) -> None:
    ties, graph = random_graph(seed)
    found = rows(compute_nation_years(dyad_years(ties)))
    eigenvector = nx.eigenvector_centrality_numpy(graph, weight="weight")
    top = max(eigenvector.values())
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    assert sorted(found) == sorted(graph)
    for nation, row in found.items():
        assert row["eigenvector"] == pytest.approx(eigenvector[nation] / top, abs=1e-6)
        assert row["betweenness"] == pytest.approx(betweenness[nation], abs=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_modularity_agrees_with_networkx(seed: int) -> None:
    ties, graph = random_graph(seed)
    measures = compute_network_measures(dyad_years(ties))
    communities: dict[int, set[str]] = {}
    for row in measures.nation_years.to_pylist():
        communities.setdefault(row["community"], set()).add(row["nation"])
    ours = nx.community.modularity(graph, communities.values(), weight="weight")
    [modularity] = measures.community_years.column("modularity").to_pylist()
    assert ours == pytest.approx(modularity, abs=1e-9)


# Outreach profiles.


def pair_kind_years() -> pa.Table:
    return pa.table(
        {
            "n1": ["AAA", "AAA", "AAA", "BBB", "AAA", "CCC"],
            "n2": ["BBB", "CCC", "BBB", "DDD", "DDD", "DDD"],
            "year": pa.array([2000, 2000, 2000, 2000, 2001, 2001], pa.int32()),
            "kind": ["exercise", "exercise", "visit", "exercise", "alliance", "visit"],
            "c": [1.0, 3.0, 2.0, 5.0, 4.0, 1.0],
        }
    )


def test_outreach_profile_splits_a_nations_contributions_by_kind_and_region() -> None:
    regions = {"AAA": "West", "BBB": "East", "CCC": "East", "DDD": "South"}
    profile = compute_outreach_profile(pair_kind_years(), "AAA", regions)
    assert tuple(profile.column_names) == OUTREACH_COLUMNS
    assert profile.to_pylist() == [
        {
            "year": 2000,
            "kind": "exercise",
            "partner_region": "East",
            "contribution": 4.0,
            "share": 4 / 6,
        },
        {
            "year": 2000,
            "kind": "visit",
            "partner_region": "East",
            "contribution": 2.0,
            "share": 2 / 6,
        },
        {
            "year": 2001,
            "kind": "alliance",
            "partner_region": "South",
            "contribution": 4.0,
            "share": 1.0,
        },
    ]


def test_outreach_profile_counts_the_nation_on_either_side_of_a_pair() -> None:
    profile = compute_outreach_profile(pair_kind_years(), "DDD", {"AAA": "West"})
    assert profile.to_pylist() == [
        {
            "year": 2000,
            "kind": "exercise",
            "partner_region": None,
            "contribution": 5.0,
            "share": 1.0,
        },
        {
            "year": 2001,
            "kind": "alliance",
            "partner_region": "West",
            "contribution": 4.0,
            "share": 0.8,
        },
        {"year": 2001, "kind": "visit", "partner_region": None, "contribution": 1.0, "share": 0.2},
    ]


def test_outreach_profile_of_a_nation_without_ties_is_empty() -> None:
    profile = compute_outreach_profile(pair_kind_years(), "ZZZ", {})
    assert profile.num_rows == 0
    assert tuple(profile.column_names) == OUTREACH_COLUMNS


def test_nation_regions_come_from_the_reference() -> None:
    regions = load_nation_regions()
    assert regions["FRA"] == "Western Europe"
    assert load_nation_regions("continent")["FRA"] == "Europe"


# The bundled data.


@pytest.fixture(scope="module")
def bundled(
    seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Dyad-years and pair-kind-years of the bundled alliances and exercises (read-only)."""
    path = tmp_path_factory.mktemp("network") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    store = open_store(f"sqlite:///{path}")
    viewer = Viewer.operator("tester")
    for name in ("atop_alliances", "mme_exercises"):
        import_dataset(store, name, viewer=viewer)
    snap = load_snapshot(store, viewer)
    store.dispose()
    settings = default_settings()
    years = run_dyad_years(snap.engagements, snap.participants, settings, horizon=snap.horizon)
    connection = duckdb.connect()
    register_inputs(
        connection, snap.engagements, snap.participants, first_year=1800, horizon=snap.horizon
    )
    kinds = connection.sql(pair_kind_year_sql(settings, snap.horizon)).to_arrow_table()
    yield years, kinds


@pytest.mark.full_data
def test_united_states_is_among_the_most_central_in_2010(
    bundled: tuple[pa.Table, pa.Table],
) -> None:
    found = rows(compute_nation_years(bundled[0], years=[2010]), 2010)
    by_strength = sorted(found, key=lambda n: -found[n]["strength"])
    by_eigenvector = sorted(found, key=lambda n: -found[n]["eigenvector"])
    assert "USA" in by_strength[:3] or "USA" in by_eigenvector[:3]


@pytest.mark.full_data
def test_nato_members_mostly_share_a_community_in_2000(
    bundled: tuple[pa.Table, pa.Table],
) -> None:
    _, memberships = load_organisations()
    members = {
        m.nation
        for m in memberships
        if m.organisation == "NATO" and m.joined <= 2000 and (m.left is None or m.left >= 2000)
    }
    found = rows(compute_nation_years(bundled[0], years=[2000]), 2000)
    present = [found[n]["community"] for n in members if n in found]
    assert len(present) >= 15
    largest = max(present.count(c) for c in set(present))
    assert largest / len(present) >= 0.7


@pytest.mark.full_data
def test_outreach_profile_of_the_united_states(bundled: tuple[pa.Table, pa.Table]) -> None:
    profile = compute_outreach_profile(bundled[1], "USA", load_nation_regions()).to_pylist()
    in_2010 = [r for r in profile if r["year"] == 2010]
    assert sum(r["share"] for r in in_2010) == pytest.approx(1.0)
    assert {r["kind"] for r in in_2010} >= {"alliance", "exercise"}
    assert "Western Europe" in {r["partner_region"] for r in in_2010 if r["kind"] == "alliance"}


@pytest.mark.full_data
def test_the_bundled_layout_moves_a_nation_little_from_one_year_to_the_next(
    bundled: tuple[pa.Table, pa.Table],
) -> None:
    years = range(2000, 2011)
    nation_years = compute_network_measures(bundled[0], years=years).nation_years

    def by_year(table: pa.Table) -> dict[int, dict[str, tuple[float, float]]]:
        found: dict[int, dict[str, tuple[float, float]]] = {}
        for row in table.to_pylist():
            found.setdefault(row["year"], {})[row["nation"]] = (row["x"], row["y"])
        return found

    seeded = by_year(compute_layout(bundled[0], nation_years, years=years))
    fresh: dict[int, dict[str, tuple[float, float]]] = {}
    for year in years:
        fresh.update(by_year(compute_layout(bundled[0], nation_years, years=[year])))

    def median_move(layout: dict[int, dict[str, tuple[float, float]]]) -> float:
        moved = []
        for year in years[1:]:
            before, after = layout[year - 1], layout[year]
            width = max(x for x, _ in after.values()) - min(x for x, _ in after.values())
            moved += [
                ((after[k][0] - before[k][0]) ** 2 + (after[k][1] - before[k][1]) ** 2) ** 0.5
                / width
                for k in set(before) & set(after)
            ]
        return sorted(moved)[len(moved) // 2]

    assert median_move(seeded) < 0.05
    assert median_move(seeded) < median_move(fresh) / 4


@pytest.mark.full_data
def test_the_united_states_community_keeps_its_colour_while_its_members_stay_together(
    bundled: tuple[pa.Table, pa.Table],
) -> None:
    nation_years = compute_network_measures(bundled[0], years=range(1950, 2023)).nation_years
    members: dict[int, dict[str, int]] = {}
    for row in nation_years.to_pylist():
        members.setdefault(row["year"], {})[row["nation"]] = row["community"]
    found = match_communities(members)

    def ours(year: int) -> set[str]:
        return {n for n, c in members[year].items() if c == members[year]["USA"]}

    def colour(year: int) -> int:
        return found[year][members[year]["USA"]][1]

    # Years whose community of the United States shares most members with the year before's.
    persisting = [
        year
        for year in range(1951, 2023)
        if len(ours(year) & ours(year - 1)) > max(len(ours(year)), len(ours(year - 1))) / 2
    ]
    assert len(persisting) >= 60
    assert [y for y in persisting if colour(y) != colour(y - 1)] == []
