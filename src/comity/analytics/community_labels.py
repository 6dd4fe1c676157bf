"""Community labels that persist from year to year, matched by their members' overlap.

A community algorithm numbers each year's communities afresh; to follow a community through the
years, each year's communities are matched to the previous year's by the largest total overlap of
members (the Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`). Unit: the
nation-year, nations by any key (ISO alpha-3 in :mod:`comity.analytics.network`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

__all__ = ["CommunityLabeller", "label_communities"]

_Ints = npt.NDArray[np.int64]


def label_communities(memberships: Iterable[Mapping[str, int]]) -> list[dict[str, int]]:
    """Give the communities of successive years labels that persist from one year to the next.

    Each year's communities are matched to the previous year's by the largest total overlap of
    members (the Hungarian algorithm); a matched community keeps its label, any other gets the
    next label never used before. Within a year, communities are taken largest first, then by
    their alphabetically first member, so labels do not depend on the order nations or
    communities were found in.

    Args:
        memberships: Per year, in order, each nation's community as found (nation key -> any
            integer naming its community within that year).

    Returns:
        Per year, each nation's stable label (from 0).
    """
    years = [dict(m) for m in memberships]
    keys = sorted({key for year in years for key in year})
    code = {key: i for i, key in enumerate(keys)}
    labeller = CommunityLabeller(len(keys))
    result: list[dict[str, int]] = []
    for year in years:
        names = sorted(year)
        nodes = np.array([code[n] for n in names], dtype=np.int64)
        _, membership = np.unique(np.array([year[n] for n in names]), return_inverse=True)
        labels = labeller.label(nodes, membership.astype(np.int64))
        result.append(dict(zip(names, labels.tolist(), strict=True)))
    return result


class CommunityLabeller:
    """Stable community labels from year to year (see :func:`label_communities`).

    Feed it the years in order; each call matches the year's communities to the labels the
    previous call gave.

    Args:
        size: Number of distinct nodes over all years (node codes are 0..size - 1).
    """

    def __init__(self, size: int) -> None:
        self._previous: _Ints = np.full(size, -1, dtype=np.int64)
        self._next = 0

    def resume(self, nodes: _Ints, labels: _Ints, next_label: int) -> None:
        """Carry on after a year already labelled.

        Args:
            nodes: That year's nodes.
            labels: Their labels.
            next_label: The next label never used (one more than the largest given so far).
        """
        self._previous[:] = -1
        self._previous[nodes] = labels
        self._next = next_label

    def label(self, nodes: _Ints, membership: _Ints) -> _Ints:
        """Labels of this year's nodes (ascending codes) given their communities as found."""
        from scipy.optimize import linear_sum_assignment

        count = int(membership.max()) + 1 if len(membership) else 0
        sizes = np.bincount(membership, minlength=count)
        lowest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, membership, nodes)
        # Canonical order: largest first, then by the first member's key.
        order = np.lexsort((lowest, -sizes))
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count)
        current = rank[membership]
        before = self._previous[nodes]
        seen = before >= 0
        assigned = np.full(count, -1, dtype=np.int64)
        if seen.any():
            labels, column = np.unique(before[seen], return_inverse=True)
            overlap = np.zeros((count, len(labels)))
            np.add.at(overlap, (current[seen], column), 1.0)
            rows, columns = linear_sum_assignment(overlap, maximize=True)
            shared = overlap[rows, columns] > 0
            assigned[rows[shared]] = labels[columns[shared]]
        for community in np.flatnonzero(assigned < 0):
            assigned[community] = self._next
            self._next += 1
        result = assigned[current]
        self._previous[:] = -1
        self._previous[nodes] = result
        return result
