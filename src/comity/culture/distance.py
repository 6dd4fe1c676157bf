"""Cultural distance between nations: Kogut and Singh's index over Hofstede's dimensions.

For nations a and b, over the n dimensions both are scored on,

    KS(a, b) = (1/n) * sum_i (I_ia - I_ib)^2 / V_i

where I_ia is a's score on dimension i and V_i the variance of dimension i across every scored
nation. V_i is the **sample** variance (denominator N_i - 1, N_i the number of nations scored on
dimension i), the estimator R's ``var()`` and most replications use. Kogut and Singh (1988) used
Hofstede's four IBM dimensions; comity uses every dimension both nations have (up to six: power
distance, individualism, masculinity, uncertainty avoidance, long-term orientation, indulgence)
and says how many. A nation without any score gets no distance: missing, never zero.

A briefing refuses a distance that rests on fewer than :data:`MINIMUM_DIMENSIONS` dimensions
(two dimensions say little about two cultures), and compares a distance only with the median
over every pair scored on the same dimensions, computed on those dimensions alone
(:func:`median_distance`): a median of six-dimension distances is no yardstick for a distance on
four.

Unit of analysis: the non-directed pair of nations (KS is symmetric); keys are ISO alpha-3.

Reference: Kogut, B. & Singh, H. (1988). The effect of national culture on the choice of entry
mode. Journal of International Business Studies 19(3), 411-432.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

__all__ = [
    "DIMENSION_NAMES",
    "MINIMUM_DIMENSIONS",
    "CulturalDistance",
    "DistanceMatrix",
    "create_distance_matrix",
    "dimension_variances",
    "kogut_singh",
    "median_distance",
]

DIMENSION_NAMES = {
    "pdi": "power distance",
    "idv": "individualism",
    "mas": "masculinity",
    "uai": "uncertainty avoidance",
    "ltowvs": "long-term orientation",
    "ivr": "indulgence",
}
"""Hofstede's dimensions in words, in his order."""

MINIMUM_DIMENSIONS = 4
"""The fewest shared dimensions a briefing computes a distance on (Kogut and Singh used four)."""

Scores = Mapping[str, Mapping[str, float]]
"""Nation key -> dimension -> score, as :func:`comity.store.culture_inputs.read_hofstede_scores`."""


def dimension_variances(scores: Scores) -> dict[str, float]:
    """The sample variance (N - 1) of each dimension across every nation scored on it.

    A dimension scored for fewer than two nations has no variance and is left out.
    """
    by_dimension: dict[str, list[float]] = {}
    for values in scores.values():
        for dimension, value in values.items():
            by_dimension.setdefault(dimension, []).append(value)
    return {
        dimension: statistics.variance(values)
        for dimension, values in by_dimension.items()
        if len(values) >= 2 and statistics.variance(values) > 0
    }


@dataclass(frozen=True)
class CulturalDistance:
    """The Kogut-Singh distance of a pair, with what it was computed from.

    Attributes:
        first: One nation's key.
        second: The other's.
        value: The index; None when the pair shares no scored dimension.
        dimensions: The dimensions both are scored on, in Hofstede's order.
        contributions: Each shared dimension's (I_a - I_b)^2 / V_i.
        first_scores: The first nation's scores.
        second_scores: The second nation's scores.
    """

    first: str
    second: str
    value: float | None
    dimensions: tuple[str, ...] = ()
    contributions: Mapping[str, float] = field(default_factory=dict)
    first_scores: Mapping[str, float] = field(default_factory=dict)
    second_scores: Mapping[str, float] = field(default_factory=dict)

    def largest_differences(self, count: int = 2) -> list[str]:
        """The dimensions that weigh most in the index, largest first."""
        ranked = sorted(self.contributions.items(), key=lambda item: (-item[1], item[0]))
        return [dimension for dimension, _ in ranked[:count]]

    def describe(self) -> str:
        """The distance and what drives it, in one sentence."""
        if self.value is None:
            return (
                f"No Kogut-Singh distance between {self.first} and {self.second}: "
                "they share no scored Hofstede dimension."
            )
        parts = [
            f"{DIMENSION_NAMES.get(d, d)} ({self.first} {self.first_scores[d]:g}, "
            f"{self.second} {self.second_scores[d]:g})"
            for d in self.largest_differences()
        ]
        return (
            f"Kogut-Singh distance {self.first}-{self.second}: {self.value:.2f} over "
            f"{len(self.dimensions)} of {len(DIMENSION_NAMES)} dimensions; differs most in "
            + " and ".join(parts)
            + "."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "first": self.first,
            "second": self.second,
            "kogut_singh": self.value,
            "dimensions": list(self.dimensions),
            "contributions": dict(self.contributions),
            "differs_most_in": [DIMENSION_NAMES.get(d, d) for d in self.largest_differences()],
        }


def kogut_singh(
    first: str, second: str, scores: Scores, variances: Mapping[str, float] | None = None
) -> CulturalDistance:
    """The Kogut-Singh distance between two nations.

    Args:
        first: One nation's key.
        second: The other's.
        scores: Every scored nation's dimensions (the variances are taken across all of them).
        variances: Precomputed :func:`dimension_variances` of ``scores``, to save work in loops.

    Returns:
        The distance; its ``value`` is None when the two share no scored dimension.
    """
    variances = dimension_variances(scores) if variances is None else variances
    a, b = scores.get(first, {}), scores.get(second, {})
    shared = tuple(d for d in _ordered(variances) if d in a and d in b)
    if not shared:
        return CulturalDistance(first, second, None, first_scores=a, second_scores=b)
    contributions = {d: (a[d] - b[d]) ** 2 / variances[d] for d in shared}
    value = sum(contributions.values()) / len(shared)
    return CulturalDistance(first, second, value, shared, contributions, a, b)


def _ordered(dimensions: Mapping[str, float]) -> list[str]:
    known = [d for d in DIMENSION_NAMES if d in dimensions]
    return known + sorted(d for d in dimensions if d not in DIMENSION_NAMES)


@dataclass(frozen=True)
class DistanceMatrix:
    """Kogut-Singh distances between every pair of a set of nations.

    Attributes:
        nations: The nations, in the order asked.
        distances: One entry per non-directed pair (first before second in ``nations``).
        unscored: Nations without any Hofstede score: their distances are missing.
        notices: What is missing, in words.
    """

    nations: tuple[str, ...]
    distances: tuple[CulturalDistance, ...]
    unscored: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    def value(self, first: str, second: str) -> float | None:
        """The distance of a pair in either order (0.0 for a nation with itself when scored)."""
        if first == second:
            return None if first in self.unscored else 0.0
        key = (first, second) if (first, second) in self._index else (second, first)
        if key not in self._index:
            raise KeyError(f"{first}-{second} is not a pair of this matrix")
        return self._index[key].value

    @cached_property
    def _index(self) -> dict[tuple[str, str], CulturalDistance]:
        return {(d.first, d.second): d for d in self.distances}

    def matrix(self) -> list[list[float | None]]:
        """The square matrix in the order of :attr:`nations` (None where missing)."""
        return [[self.value(a, b) for b in self.nations] for a in self.nations]

    def rows(self) -> list[dict[str, Any]]:
        """Long form for joining onto dyad tables: ``iso3_1`` < ``iso3_2`` in every row."""
        found = []
        for d in self.distances:
            a, b = sorted((d.first, d.second))
            found.append(
                {
                    "iso3_1": a,
                    "iso3_2": b,
                    "kogut_singh": d.value,
                    "dimensions": len(d.dimensions),
                }
            )
        return sorted(found, key=lambda row: (row["iso3_1"], row["iso3_2"]))


def create_distance_matrix(nations: Sequence[str] | None, scores: Scores) -> DistanceMatrix:
    """Kogut-Singh distances between every pair of ``nations`` (default: every scored nation).

    Variances are always taken across every scored nation in ``scores``, whichever nations are
    asked for, so a pair's distance does not depend on the company it is computed in.

    Args:
        nations: Nation keys, each once; None for every nation in ``scores``.
        scores: Every scored nation's dimensions.

    Returns:
        The matrix, naming the nations that have no score.
    """
    chosen = tuple(sorted(scores) if nations is None else dict.fromkeys(nations))
    variances = dimension_variances(scores)
    unscored = tuple(n for n in chosen if not scores.get(n))
    pairs = [
        kogut_singh(a, b, scores, variances) for i, a in enumerate(chosen) for b in chosen[i + 1 :]
    ]
    notices = [f"No Hofstede scores for {n}: its distances are missing." for n in unscored]
    notices += [
        f"{d.first} and {d.second} share no scored dimension: their distance is missing."
        for d in pairs
        if d.value is None and d.first not in unscored and d.second not in unscored
    ]
    return DistanceMatrix(chosen, tuple(pairs), unscored, tuple(notices))


def median_distance(scores: Scores, dimensions: Sequence[str]) -> tuple[float | None, int]:
    """The median distance over every pair of nations scored on all of ``dimensions``.

    Each pair's distance is taken over ``dimensions`` alone, with the variances of
    :func:`dimension_variances` (across every scored nation), so that it can stand beside a
    distance computed on the same dimensions.

    Args:
        scores: Every scored nation's dimensions.
        dimensions: The dimensions to compare on.

    Returns:
        The median and the number of pairs it is taken over; (None, 0) without pairs.
    """
    variances = dimension_variances(scores)
    if not dimensions or any(d not in variances for d in dimensions):
        return None, 0
    rows = [
        [values[d] / math.sqrt(variances[d]) for d in dimensions]
        for values in scores.values()
        if all(d in values for d in dimensions)
    ]
    found = [
        sum((a - b) ** 2 for a, b in zip(first, second, strict=True)) / len(dimensions)
        for i, first in enumerate(rows)
        for second in rows[i + 1 :]
    ]
    return (statistics.median(found) if found else None), len(found)
