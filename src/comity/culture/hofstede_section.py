"""The Hofstede section of a briefing: the scores, and a distance only where it means something.

A Kogut-Singh distance on two of Hofstede's six dimensions says little about two cultures, and a
median of six-dimension distances is no yardstick for it. So the briefing computes a distance
only on at least :data:`~comity.culture.distance.MINIMUM_DIMENSIONS` shared dimensions, says on
how many of the six it rests, and compares it with the median over the pairs scored on the same
dimensions (:func:`~comity.culture.distance.median_distance`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from comity.culture.distance import (
    DIMENSION_NAMES,
    MINIMUM_DIMENSIONS,
    CulturalDistance,
    kogut_singh,
    median_distance,
)
from comity.model.nations import Nation

__all__ = ["DistanceVerdict", "judge_distance"]

_SIX = len(DIMENSION_NAMES)


@dataclass(frozen=True)
class DistanceVerdict:
    """A pair's distance as a briefing gives it, or why it gives none.

    Attributes:
        distance: The distance over the shared dimensions (kept even when refused, for the
            dimension table); None when one nation has no score.
        refusal: Why no distance is given, in one sentence; None when it is given.
        median: The median over the pairs scored on the same dimensions, when given.
        median_pairs: How many pairs that median is taken over.
    """

    distance: CulturalDistance | None
    refusal: str | None = None
    median: float | None = None
    median_pairs: int = 0

    @property
    def value(self) -> float | None:
        """The distance given, None when there is none or it is refused."""
        if self.distance is None or self.refusal is not None:
            return None
        return self.distance.value

    @property
    def dimensions(self) -> int:
        """How many dimensions the two share."""
        return len(self.distance.dimensions) if self.distance else 0

    def comparison(self) -> str | None:
        """The sentence that puts the distance on a scale, or says it cannot be."""
        if self.value is None:
            return None
        if self.median is None or self.median_pairs < 2:
            # A median over the pair alone is the pair itself: no scale.
            return (
                f"It cannot be compared: no other pair is scored on the same {self.dimensions} "
                "dimensions."
            )
        return (
            f"For scale: the median over the {self.median_pairs:,} pairs of nations scored on "
            f"the same {self.dimensions} dimensions is {self.median:.2f}."
        )

    def to_dict(self, scores: Mapping[str, Mapping[str, float]], nation: str) -> dict[str, Any]:
        """The section as JSON (``scores`` of every nation, ``nation`` the one briefed)."""
        d = self.distance
        own = scores.get(nation, {})
        theirs = scores.get(d.second, {}) if d else {}
        given = self.value is not None
        return {
            "dimensions": [
                {
                    "code": code,
                    "name": name,
                    "score": own.get(code),
                    "perspective_score": theirs.get(code) if d else None,
                    "contribution": d.contributions.get(code) if d and given else None,
                }
                for code, name in DIMENSION_NAMES.items()
            ],
            "kogut_singh": self.value,
            "shared_dimensions": self.dimensions,
            "dimensions_text": f"{self.dimensions} of {_SIX}",
            "minimum_dimensions": MINIMUM_DIMENSIONS,
            "refusal": self.refusal,
            "differs_most_in": (
                [DIMENSION_NAMES[c] for c in d.largest_differences()] if d and given else []
            ),
            "summary": d.describe() if d and given else None,
            "median_of_all_pairs": self.median,
            "median_pairs": self.median_pairs,
            "comparison": self.comparison(),
            "variance": "sample (N - 1) across every scored nation",
        }


def _refusal(nation: Nation, perspective: Nation, scores: Mapping[str, Any], shared: int) -> str:
    for who in (nation, perspective):
        count = len([d for d in DIMENSION_NAMES if d in scores.get(who.iso3, {})])
        if count < MINIMUM_DIMENSIONS:
            return (
                f"Not computed: {who.name} has {count} of Hofstede's {_SIX} dimensions; "
                f"a distance needs at least {MINIMUM_DIMENSIONS}."
            )
    return (
        f"Not computed: {nation.name} and {perspective.name} share {shared} of Hofstede's "
        f"{_SIX} dimensions; a distance needs at least {MINIMUM_DIMENSIONS}."
    )


def judge_distance(
    nation: Nation, perspective: Nation | None, scores: Mapping[str, Mapping[str, float]]
) -> DistanceVerdict:
    """The distance between the nation briefed and the perspective nation, or a refusal.

    Args:
        nation: The nation briefed.
        perspective: The user's nation (None or the same nation: no distance).
        scores: Every scored nation's dimensions.

    Returns:
        The verdict: no distance without scores for both; a refusal under
        :data:`~comity.culture.distance.MINIMUM_DIMENSIONS` shared dimensions; else the
        distance with the median of the pairs scored on the same dimensions.
    """
    if perspective is None or perspective.iso3 == nation.iso3:
        return DistanceVerdict(None)
    if not scores.get(nation.iso3) or not scores.get(perspective.iso3):
        return DistanceVerdict(None)
    distance = kogut_singh(nation.iso3, perspective.iso3, scores)
    shared = len(distance.dimensions)
    if distance.value is None or shared < MINIMUM_DIMENSIONS:
        return DistanceVerdict(distance, _refusal(nation, perspective, scores, shared))
    median, pairs = median_distance(scores, distance.dimensions)
    return DistanceVerdict(distance, None, median, pairs)
