"""Betweenness over the ties a shortest path may use equals betweenness over every tie."""

from __future__ import annotations

import itertools
from unittest.mock import patch

import igraph
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.analytics import shortest_paths
from comity.analytics.network import LENGTH_STEP
from comity.analytics.shortest_paths import betweenness, on_shortest_paths


def _ties(pairs: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, length = zip(*pairs, strict=True)
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), np.array(length)


def test_a_tie_longer_than_a_two_step_path_goes_and_one_as_long_stays() -> None:
    # A-B 1, B-C 1: A-C of 3 is longer than A-B-C (2) and lies on no shortest path.
    a, b, length = _ties([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 3.0)])
    assert on_shortest_paths(3, a, b, length).tolist() == [True, True, False]
    # B lies on the only shortest path between A and C.
    assert betweenness(3, a, b, length).tolist() == [0.0, 1.0, 0.0]
    # A-C of 2 is as long as A-B-C: both are shortest paths, and B lies on one of the two.
    a, b, length = _ties([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 2.0)])
    assert on_shortest_paths(3, a, b, length).tolist() == [True, True, True]
    assert betweenness(3, a, b, length).tolist() == [0.0, 0.5, 0.0]


def test_no_ties_and_lone_pairs() -> None:
    empty = np.array([], dtype=np.int64)
    assert on_shortest_paths(3, empty, empty, np.array([])).tolist() == []
    assert betweenness(3, empty, empty, np.array([])).tolist() == [0.0, 0.0, 0.0]
    a, b, length = _ties([(0, 1, 5.0), (2, 3, 1.0)])
    assert on_shortest_paths(4, a, b, length).tolist() == [True, True]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """A simple graph of up to 9 nodes, its tie lengths few multiples of the length step."""
    n = draw(st.integers(2, 9))
    pairs = [p for p in itertools.combinations(range(n), 2) if draw(st.booleans())]
    # Few distinct lengths, so that equal paths (ties of shortest paths) are common.
    steps = st.sampled_from([4096, 8192, 12288, 20480, 4096 * 7, 4097])
    chosen = [(x, y, draw(steps) * LENGTH_STEP) for x, y in pairs]
    if not chosen:
        empty = np.array([], dtype=np.int64)
        return n, empty, empty, np.array([])
    return n, *_ties(chosen)


@settings(max_examples=300, deadline=None)
@given(graph=graphs())
def test_the_ties_kept_give_every_nodes_betweenness(
    graph: tuple[int, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    n, a, b, length = graph
    whole = igraph.Graph(n=n, edges=np.column_stack([a, b]).tolist() if len(a) else [])
    expected = whole.betweenness(directed=False, weights=length.tolist() if len(a) else None)
    assert betweenness(n, a, b, length) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # The same as networkx's, which counts every shortest path.
    other = nx.Graph()
    other.add_nodes_from(range(n))
    other.add_weighted_edges_from(zip(a.tolist(), b.tolist(), length.tolist(), strict=True))
    by_nx = nx.betweenness_centrality(other, weight="weight", normalized=False)
    assert betweenness(n, a, b, length) == pytest.approx(
        [by_nx[v] for v in range(n)], rel=1e-12, abs=1e-12
    )
    # Only ties longer than the distance between their ends went, and all those longer than a
    # two-step path, whether found through the first nations tried or by the scan after.
    if len(a):
        distance = np.array(whole.distances(weights=length.tolist()))
        for hubs in (0, 1, 8):
            with patch.object(shortest_paths, "_HUBS", hubs):
                kept = on_shortest_paths(n, a, b, length)
            assert (distance[a, b][~kept] < length[~kept]).all()
            assert kept[distance[a, b] == length].all()
            assert kept.tolist() == _two_step_kept(n, a, b, length)


def _two_step_kept(n: int, a: np.ndarray, b: np.ndarray, length: np.ndarray) -> list[bool]:
    """By hand: a tie stays unless some two-step path between its ends is shorter."""
    tie = {}
    for x, y, size in zip(a.tolist(), b.tolist(), length.tolist(), strict=True):
        tie[x, y] = tie[y, x] = size
    return [
        not any((x, w) in tie and (w, y) in tie and tie[x, w] + tie[w, y] < size for w in range(n))
        for x, y, size in zip(a.tolist(), b.tolist(), length.tolist(), strict=True)
    ]
