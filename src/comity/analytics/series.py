"""Recurring series of engagements and the years they were expected but not recorded.

Unit of analysis: a **series**, the records of one programme (``programmes.name``) the viewer may
see, whatever their kind or source. A record counts in the year it starts; code system: none (a
series is not per nation).

The rule, deterministic and applied to the distinct start years of a series, in order:

1. **Gaps**: the differences between consecutive years.
2. **Period** *p*: the most common gap (the smaller one on a tie). The series **recurs** only
   when at least :data:`MIN_STEPS` gaps equal *p* (four records in step) and they are more than
   half of all its gaps; otherwise it has no period and nothing is expected of it.
3. **Expected years**: inside each gap from year *a* to the next year *b* that is a whole
   multiple of *p* larger than *p*, the years *a + p, a + 2p, ..., b − p*, as long as they are
   at most :data:`MAX_SKIPPED` occurrences. A longer silence is a pause (the series was
   suspended for a while), and a gap that is not a multiple of *p* a change of rhythm (say from
   even to odd years): neither expects anything. Nothing is expected before the first year or
   after the last: a series that starts late or simply ends is not missing years.
4. **Missing**: an expected year is missing when some source of the series' records observes it.
   A record entered by hand observes every year; an imported record observes the years its
   dataset covers for the record's kind (any coverage row of that dataset and kind, whatever
   nation or organisation the row is scoped to), or every year when the dataset declares no
   coverage of that kind. An expected year no source observes is unobserved, not missing.

Example: Cobra Gold in the MME exercises (covered 1980-2010) has records every year 1982-2010
but 2008: 27 gaps of 1 and one of 2, period 1, and 2008 is missing. RIMPAC, every two years
1980-2010 but 2000, has period 2 and 2000 missing; its odd years are never expected.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from comity.store.series_inputs import SeriesRow

__all__ = [
    "BY_HAND",
    "MAX_SKIPPED",
    "MIN_STEPS",
    "create_missing_series",
    "find_missing_years",
    "find_period",
]

MIN_STEPS = 3
"""How many gaps must equal the period for a series to recur (four records in step)."""

MAX_SKIPPED = 2
"""The most occurrences one gap may skip and still be missing records rather than a pause."""

BY_HAND = "entered by hand"
"""How a series names the source of its records entered by hand (no dataset)."""

Spans = Sequence[tuple[int, int]]


def find_period(years: Iterable[int]) -> int | None:
    """The period of a series in years, None when it does not recur (see the module docstring).

    Args:
        years: The years the series has records in (repeats are counted once).

    Returns:
        The most common gap between consecutive years (the smaller on a tie) when at least
        :data:`MIN_STEPS` gaps equal it and they are more than half of the gaps, else None.
    """
    ordered = sorted(set(years))
    gaps = Counter(b - a for a, b in zip(ordered, ordered[1:], strict=False))
    if not gaps:
        return None
    period, steps = min(gaps.items(), key=lambda item: (-item[1], item[0]))
    if steps >= MIN_STEPS and 2 * steps > gaps.total():
        return period
    return None


def find_missing_years(
    years: Iterable[int], observed: Callable[[int], bool] | None = None
) -> list[int]:
    """The years a recurring series was expected in, observed, and has no record in.

    Args:
        years: The years the series has records in.
        observed: Whether a year is observed by a source of the series; None: every year is.

    Returns:
        The missing years in ascending order; empty when the series does not recur.
    """
    ordered = sorted(set(years))
    period = find_period(ordered)
    if period is None:
        return []
    missing: list[int] = []
    for first, following in zip(ordered, ordered[1:], strict=False):
        gap = following - first
        if gap > period and gap % period == 0 and gap // period - 1 <= MAX_SKIPPED:
            missing.extend(range(first + period, following, period))
    return [year for year in missing if observed is None or observed(year)]


def _observes(spans: Spans | None, year: int) -> bool:
    return spans is None or any(first <= year <= last for first, last in spans)


def _observed_by(watched: Sequence[tuple[str, Spans | None]]) -> Callable[[int], bool]:
    """Whether some of the sources (name, spans; None: every year) observes a year."""
    return lambda year: any(_observes(spans, year) for _, spans in watched)


def create_missing_series(
    rows: Iterable[SeriesRow], coverage: Mapping[tuple[str, str], Spans]
) -> list[dict[str, Any]]:
    """The recurring series that lack a record in an expected, observed year.

    Args:
        rows: :class:`~comity.store.series_inputs.SeriesRow` records (the viewer's view).
        coverage: The (first_year, last_year) spans each (dataset, kind) declares.

    Returns:
        One dict per series with missing years, most missing years first, then by programme:
        ``programme``, ``period`` (years), ``first_year``, ``last_year``, ``years`` (how many
        years have records), ``missing_years`` (ascending) and ``sources`` (the sources that
        observe a missing year: dataset names, or :data:`BY_HAND`; sorted).
    """
    years: dict[str, set[int]] = defaultdict(set)
    kinds: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    for row in rows:
        years[row.programme].add(row.start_year)
        kinds[row.programme].add((row.source_dataset, row.kind))
    found: list[dict[str, Any]] = []
    for programme, held in years.items():
        watched = [
            (BY_HAND, None) if dataset is None else (dataset, coverage.get((dataset, kind)) or None)
            for dataset, kind in sorted(kinds[programme], key=lambda item: (item[0] or "", item[1]))
        ]
        missing = find_missing_years(held, _observed_by(watched))
        if not missing:
            continue
        found.append(
            {
                "programme": programme,
                "period": find_period(held),
                "first_year": min(held),
                "last_year": max(held),
                "years": len(held),
                "missing_years": missing,
                "sources": sorted(
                    {name for name, spans in watched if any(_observes(spans, y) for y in missing)}
                ),
            }
        )
    found.sort(key=lambda item: (-len(item["missing_years"]), item["programme"]))
    return found
