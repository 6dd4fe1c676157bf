"""Where a tie is heading: the index projected a few years ahead, and whether it stays above a line.

A projection starts from the pair's stock in the base year (the present, as the index estimates
it) and runs the index's own memory forward (docs/methodology.md, sections 2 and 3):

    S(t) = S(t − 1) · d + standing + series(t) + plans(t),    index(t) = 100 · (1 − exp(−S(t) / κ))

- **standing**: the pair's standing ties in force in the base year (alliances, agreements,
  attaché postings, presence) contribute every year as they did then;
- **series(t)**: each recurring series both nations take part in (a programme with a period,
  :func:`comity.analytics.series.find_period`) that is still running recurs every period after
  its last year, adding what one of its occurrences added on average;
- **plans(t)**: the approved and scheduled plans of the nation with the partner, in the year they
  start, by the index's formula (:func:`comity.planning.gain.contribution`).

Nothing else is assumed: other engagements, new or renewed ties are not foreseen, so the
projection is what the relationship keeps *without new decisions*. A tie is **at risk** when its
projected index falls below the user's threshold in some year of the window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_THRESHOLD", "DEFAULT_YEARS", "Projection", "next_occurrences", "project"]

DEFAULT_YEARS = 5
"""How many years ahead a projection runs."""
DEFAULT_THRESHOLD = 50.0
"""The line a tie is kept above by default: a stock of κ · ln 2, a defence pact held for years."""


@dataclass(frozen=True)
class Projection:
    """A pair's index projected year by year.

    Attributes:
        partner: The partner.
        base_year: The year the projection starts from.
        base_index: The index in the base year.
        years: (year, index) for each projected year.
        stocks: The stock at the end of each projected year, in the order of ``years``.
        threshold: The line it should stay above.
        parts: What each year adds, by source: ``standing``, ``series``, ``plans`` (year ->
            contribution), for the explanation.
        series: The recurring series counted, with their period and next years.
    """

    partner: str
    base_year: int
    base_index: float
    years: tuple[tuple[int, float], ...]
    stocks: tuple[float, ...]
    threshold: float
    parts: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    series: tuple[Mapping[str, Any], ...] = ()

    @property
    def lowest(self) -> tuple[int, float]:
        """The year and index of the lowest point (the last such year on a tie)."""
        return min(reversed(self.years), key=lambda pair: pair[1])

    @property
    def at_risk(self) -> bool:
        """Whether the index falls below the threshold in some projected year."""
        return any(index < self.threshold for _, index in self.years)

    @property
    def first_below(self) -> int | None:
        """The first projected year below the threshold, or None."""
        return next((year for year, index in self.years if index < self.threshold), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        year, index = self.lowest
        return {
            "partner": self.partner,
            "base_year": self.base_year,
            "base_index": round(self.base_index, 3),
            "years": [{"year": y, "index": round(i, 3)} for y, i in self.years],
            "threshold": self.threshold,
            "at_risk": self.at_risk,
            "first_below": self.first_below,
            "lowest": {"year": year, "index": round(index, 3)},
            "parts": {
                name: {str(y): round(v, 4) for y, v in sorted(values.items())}
                for name, values in self.parts.items()
            },
            "series": [dict(s) for s in self.series],
        }


def next_occurrences(last: int, period: int, first: int, final: int) -> list[int]:
    """The years ``first``..``final`` in step with a series of ``period`` last held in ``last``.

    Example:
        >>> next_occurrences(2010, 2, 2027, 2031)
        [2028, 2030]
    """
    if period < 1:
        return []
    return [y for y in range(first, final + 1) if y > last and (y - last) % period == 0]


def project(
    partner: str,
    *,
    base_year: int,
    base_stock: float,
    decay: float,
    kappa: float,
    years: int = DEFAULT_YEARS,
    threshold: float = DEFAULT_THRESHOLD,
    standing: float = 0.0,
    series: Mapping[int, float] | None = None,
    plans: Mapping[int, float] | None = None,
    described: Iterable[Mapping[str, Any]] = (),
) -> Projection:
    """Run the memory forward ``years`` years from ``base_stock`` (see the module docstring).

    Args:
        partner: The partner.
        base_year: The year of ``base_stock``.
        base_stock: The pair's stock in the base year.
        decay: The yearly memory factor ``d = 2^(−1/h)``.
        kappa: The scale κ.
        years: How many years ahead.
        threshold: The line to stay above (0-100).
        standing: The standing ties' contribution each year.
        series: Year -> what the recurring series add that year.
        plans: Year -> what the approved plans add that year.
        described: The series counted, for the explanation.
    """
    if years < 1:
        raise ValueError("a projection runs at least one year")
    stock = base_stock
    found, stocks = [], []
    series, plans = dict(series or {}), dict(plans or {})
    for year in range(base_year + 1, base_year + years + 1):
        stock = stock * decay + standing + series.get(year, 0.0) + plans.get(year, 0.0)
        found.append((year, 100.0 * (1.0 - math.exp(-stock / kappa))))
        stocks.append(stock)
    span = range(base_year + 1, base_year + years + 1)
    return Projection(
        partner=partner,
        base_year=base_year,
        base_index=100.0 * (1.0 - math.exp(-base_stock / kappa)),
        years=tuple(found),
        stocks=tuple(stocks),
        threshold=threshold,
        parts={
            "standing": {y: standing for y in span if standing},
            "series": {y: v for y, v in series.items() if y in span and v},
            "plans": {y: v for y, v in plans.items() if y in span and v},
        },
        series=tuple(described),
    )
