"""Weighted betweenness of a year's network, over the ties a shortest path may use.

A tie longer than some two-step path between its ends lies on no shortest path: a shortest path
through it would be shorter still through the two steps. Removing every such tie changes no
distance and no set of shortest paths, so no betweenness; and a year's network of the tie index
may be dense (at a million engagements, nearly every pair of a recent year's nations is tied),
most of its weak ties being longer than a path through two strong ones: there 72 % of the ties
go, and Brandes' algorithm, each of whose searches runs over every tie, takes under half the
time, the check and the second graph included (2.2 s against 5.0 s over every year). Most ties
that go are found through the few nations with the shortest ties; the others are checked
against every nation.

The check compares sums of tie lengths exactly: lengths are multiples of a power of two (see
:data:`comity.analytics.network.LENGTH_STEP`), so equal paths are equal and a tie as long as a
two-step path, itself a shortest path, is kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["betweenness", "on_shortest_paths"]

_LARGEST = 2_000
"""Nations above which the check (a square matrix of them) is skipped."""
_HUBS = 8
"""Nations tried first as the middle of a shorter two-step path (see :func:`on_shortest_paths`)."""
_CHUNK = 4_096
"""Ties checked at once (a chunk takes ``_CHUNK`` rows of the matrix)."""


def on_shortest_paths(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], length: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Which ties (``a[i]``-``b[i]``, ``length[i]``) are no longer than every two-step path.

    Args:
        n: The nodes (0..n-1).
        a: One end of each tie.
        b: The other end (a simple graph: each pair once, no loops).
        length: Each tie's length (positive).
    """
    keep = np.ones(len(a), dtype=bool)
    if n > _LARGEST or len(a) == 0:
        return keep
    lengths = np.full((n, n), np.inf)
    lengths[a, b] = length
    lengths[b, a] = length
    # No two-step path is shorter than the two ends' shortest ties together.
    shortest = lengths.min(axis=1)
    candidates = np.flatnonzero(length > shortest[a] + shortest[b])
    # Most ties that go are longer than a path through one of the few nations with the shortest
    # ties of all: those are found first, at the cost of a column each.
    hubs = np.argsort(shortest, kind="stable")[:_HUBS]
    to_hubs = lengths[:, hubs]
    through = (to_hubs[a[candidates]] + to_hubs[b[candidates]]).min(axis=1, initial=np.inf)
    longer = through < length[candidates]
    keep[candidates[longer]] = False
    candidates = candidates[~longer]
    for start in range(0, len(candidates), _CHUNK):
        chosen = candidates[start : start + _CHUNK]
        # Row u plus row v, at w: the path u-w-v (w = u or v gives infinity: no loops).
        two_steps = (lengths[a[chosen]] + lengths[b[chosen]]).min(axis=1)
        keep[chosen] = ~(two_steps < length[chosen])
    return keep


def betweenness(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], length: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Each node's weighted betweenness (igraph's, not normalised), over the ties that matter.

    Args:
        n: The nodes (0..n-1).
        a: One end of each tie.
        b: The other end (a simple graph).
        length: Each tie's length (positive, multiples of a power of two: see the module).
    """
    import igraph

    keep = on_shortest_paths(n, a, b, length)
    graph: Any = igraph.Graph(n=n, edges=np.column_stack([a[keep], b[keep]]))
    return np.asarray(graph.betweenness(directed=False, weights=length[keep]), dtype=np.float64)
