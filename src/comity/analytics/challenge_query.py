"""The query behind :mod:`comity.analytics.challenges`: a grid of dyad-years, one DuckDB query.

What each column means is documented in :mod:`comity.analytics.challenges`; this module computes
it from inputs already read (:class:`comity.store.challenge_inputs.ChallengeInputs`). The
``coverage`` rows for every nation decide, year by year, which dispute file is used (the first by
precedence that covers the year) and whether the rivalry, major-power and media data cover it;
the query then joins the grid with the disputes, rivalries, scores and media events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from comity.store.challenge_inputs import ChallengeInputs

__all__ = ["COLUMNS", "COVERAGE_DATASETS", "SCORES", "WINDOW", "compute_challenges"]

WINDOW = 50
"""Years of memory of historical grievances: disputes in ``[year - 49, year]``."""

COLUMNS = (
    "iso3_1",
    "iso3_2",
    "year",
    "ideological_distance",
    "polity_distance",
    "disputes_50y",
    "fatal_disputes_50y",
    "last_dispute_year",
    "rivalry",
    "capability_ratio",
    "major_power_gap",
    "media_tone",
    "media_events",
    "friction_days",
)
"""Columns of the dyad-year table, in order."""

_POLYARCHY = ("democracy_scores", "v2x_polyarchy")
_POLITY = ("democracy_scores", "polity2")
_MAJOR = ("cow_states", "major_power")
_DISPUTES = "mid_dyadic"

SCORES = (_POLYARCHY, _POLITY, _MAJOR)
"""The (dataset, measure) nation scores the query reads: V-Dem, Polity IV, CoW major powers."""

COVERAGE_DATASETS = (_POLYARCHY[0], _MAJOR[0], _DISPUTES)
"""The datasets whose coverage rows the query reads, besides the media datasets."""

# The mid_dyadic importer notes each dispute file's coverage row with "(ids gml:)" or
# "(ids mid5:)", and the rivalry file's with "td_rivalries: ...".
_SOURCE_NOTE = re.compile(r"\(ids (\w+):\)")
_RIVALRY_NOTE = "td_rivalries"
_PREFERENCE = ("gml", "mid5")
"""Dispute files by precedence: GML re-examined the CoW disputes; MID 5 only adds later years."""


@dataclass(frozen=True)
class _Coverage:
    """The years each input covers, from the ``coverage`` rows for every nation.

    Rows for one nation are not used: none of these datasets records coverage by nation.
    """

    sources: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    rivalry: tuple[tuple[int, int], ...]
    majors: tuple[tuple[int, int], ...]
    media: tuple[tuple[int, int], ...]

    @staticmethod
    def read(inputs: ChallengeInputs, media_datasets: tuple[str, ...]) -> _Coverage:
        sources: dict[str, list[tuple[int, int]]] = {}
        spans: dict[str, list[tuple[int, int]]] = {"rivalry": [], "majors": [], "media": []}
        coverage = inputs.coverage
        for dataset, nation, first, last, note in zip(
            coverage["dataset"],
            coverage["nation"],
            coverage["first_year"],
            coverage["last_year"],
            coverage["note"],
            strict=True,
        ):
            if nation is not None:
                continue
            note = note or ""
            if dataset == _DISPUTES and note.startswith(_RIVALRY_NOTE):
                spans["rivalry"].append((first, last))
            elif dataset == _DISPUTES and (match := _SOURCE_NOTE.search(note)):
                sources.setdefault(match.group(1), []).append((first, last))
            elif dataset == _MAJOR[0]:
                spans["majors"].append((first, last))
            elif dataset in media_datasets:
                spans["media"].append((first, last))
        order = [p for p in _PREFERENCE if p in sources] + sorted(set(sources) - set(_PREFERENCE))
        return _Coverage(
            sources=tuple((p, tuple(sources[p])) for p in order),
            rivalry=tuple(spans["rivalry"]),
            majors=tuple(spans["majors"]),
            media=tuple(spans["media"]),
        )

    def source(self, year: int) -> str | None:
        """The dispute file used for ``year``: the first by precedence that covers it."""
        return next((prefix for prefix, spans in self.sources if _covers(spans, year)), None)

    def flags(self, years: list[int]) -> dict[str, list[Any]]:
        """Per year: the dispute file used and whether each other input covers it."""
        return {
            "year": years,
            "dispute_source": [self.source(y) for y in years],
            "rivalry_covered": [_covers(self.rivalry, y) for y in years],
            "majors_covered": [_covers(self.majors, y) for y in years],
            "media_covered": [_covers(self.media, y) for y in years],
        }


def _covers(spans: tuple[tuple[int, int], ...], year: int) -> bool:
    return any(first <= year <= last for first, last in spans)


_QUERY = f"""
WITH kept AS (
    -- each dispute-year from the file chosen for its year; the number identifies the dispute
    SELECT d.nation1, d.nation2, d.year, split_part(d.dispute, ':', 2) AS number, d.fatality
    FROM disputes d
    JOIN dispute_years y ON y.year = d.year AND y.source = split_part(d.dispute, ':', 1)
),
grievances AS (
    SELECT g.iso3_1, g.iso3_2, g.year,
           COUNT(DISTINCT k.number) FILTER (WHERE k.year > g.year - {WINDOW}) AS disputes,
           COUNT(DISTINCT k.number) FILTER (WHERE k.year > g.year - {WINDOW}
                                            AND k.fatality >= 1) AS fatal,
           MAX(k.year) AS last_year
    FROM grid g
    JOIN kept k ON k.nation1 = g.iso3_1 AND k.nation2 = g.iso3_2 AND k.year <= g.year
    GROUP BY g.iso3_1, g.iso3_2, g.year
),
rivals AS (
    SELECT DISTINCT g.iso3_1, g.iso3_2, g.year
    FROM grid g
    JOIN rivalries r ON r.nation1 = g.iso3_1 AND r.nation2 = g.iso3_2
         AND g.year BETWEEN r.first_year AND r.last_year
),
score AS (
    SELECT measure, nation, year, MAX(value) AS value FROM scores GROUP BY ALL
)
SELECT g.iso3_1, g.iso3_2, CAST(g.year AS INTEGER) AS year,
       ROUND(ABS(p1.value - p2.value), 6) AS ideological_distance,
       ROUND(ABS(q1.value - q2.value) / 20.0, 6) AS polity_distance,
       CASE WHEN f.dispute_source IS NULL THEN NULL
            ELSE COALESCE(gr.disputes, 0) END AS disputes_50y,
       CASE WHEN f.dispute_source IS NULL THEN NULL
            ELSE COALESCE(gr.fatal, 0) END AS fatal_disputes_50y,
       CASE WHEN f.dispute_source IS NULL THEN NULL
            ELSE CAST(gr.last_year AS INTEGER) END AS last_dispute_year,
       CASE WHEN f.rivalry_covered THEN rv.year IS NOT NULL END AS rivalry,
       CAST(NULL AS DOUBLE) AS capability_ratio,
       CASE WHEN f.majors_covered THEN
            CASE WHEN COALESCE(m1.value > 0, FALSE) <> COALESCE(m2.value > 0, FALSE)
                 THEN 1 ELSE 0 END
       END AS major_power_gap,
       CASE WHEN me.events > 0 THEN me.tone END AS media_tone,
       CASE WHEN me.events IS NOT NULL THEN me.events
            WHEN f.media_covered THEN 0 END AS media_events,
       CAST(NULL AS DOUBLE) AS friction_days
FROM grid g
JOIN year_flags f ON f.year = g.year
LEFT JOIN grievances gr ON gr.iso3_1 = g.iso3_1 AND gr.iso3_2 = g.iso3_2 AND gr.year = g.year
LEFT JOIN rivals rv ON rv.iso3_1 = g.iso3_1 AND rv.iso3_2 = g.iso3_2 AND rv.year = g.year
LEFT JOIN score p1 ON p1.measure = '{_POLYARCHY[1]}' AND p1.nation = g.iso3_1 AND p1.year = g.year
LEFT JOIN score p2 ON p2.measure = '{_POLYARCHY[1]}' AND p2.nation = g.iso3_2 AND p2.year = g.year
LEFT JOIN score q1 ON q1.measure = '{_POLITY[1]}' AND q1.nation = g.iso3_1 AND q1.year = g.year
LEFT JOIN score q2 ON q2.measure = '{_POLITY[1]}' AND q2.nation = g.iso3_2 AND q2.year = g.year
LEFT JOIN score m1 ON m1.measure = '{_MAJOR[1]}' AND m1.nation = g.iso3_1 AND m1.year = g.year
LEFT JOIN score m2 ON m2.measure = '{_MAJOR[1]}' AND m2.nation = g.iso3_2 AND m2.year = g.year
LEFT JOIN media me ON me.nation1 = g.iso3_1 AND me.nation2 = g.iso3_2 AND me.year = g.year
ORDER BY g.iso3_1, g.iso3_2, g.year
"""


def compute_challenges(
    inputs: ChallengeInputs,
    grid: list[tuple[str, str, int]],
    media: Any = None,
    media_datasets: tuple[str, ...] = (),
) -> Any:
    """Compute the challenges for the pair-years of ``grid`` from inputs already read.

    Args:
        inputs: What :func:`comity.store.challenge_inputs.read_challenge_inputs` read; it must
            hold every dispute-year of the grid's pairs up to its last year.
        grid: The dyad-years wanted, as (iso3_1, iso3_2, year) with iso3_1 < iso3_2.
        media: Arrow table of media events per pair-year (nation1 < nation2, year, events, tone)
            as :func:`comity.analytics.snapshot.media_pair_years` returns, or None.
        media_datasets: Names of the media datasets, whose coverage rows count for
            ``media_events``.

    Returns:
        An Arrow table with :data:`COLUMNS`, ordered by pair and year.
    """
    import pyarrow as pa

    from comity.analytics.engines import connect_duckdb

    coverage = _Coverage.read(inputs, media_datasets)
    flags = coverage.flags(sorted({year for _, _, year in grid}))
    dispute_years = sorted(set(inputs.disputes["year"]))
    con = connect_duckdb()
    try:
        con.register(
            "grid",
            pa.table(
                {
                    "iso3_1": pa.array([g[0] for g in grid], pa.string()),
                    "iso3_2": pa.array([g[1] for g in grid], pa.string()),
                    "year": pa.array([g[2] for g in grid], pa.int32()),
                }
            ),
        )
        con.register(
            "year_flags",
            pa.table(
                {
                    "year": pa.array(flags["year"], pa.int32()),
                    "dispute_source": pa.array(flags["dispute_source"], pa.string()),
                    "rivalry_covered": pa.array(flags["rivalry_covered"], pa.bool_()),
                    "majors_covered": pa.array(flags["majors_covered"], pa.bool_()),
                    "media_covered": pa.array(flags["media_covered"], pa.bool_()),
                }
            ),
        )
        con.register(
            "dispute_years",
            pa.table(
                {
                    "year": pa.array(dispute_years, pa.int32()),
                    "source": pa.array([coverage.source(y) for y in dispute_years], pa.string()),
                }
            ),
        )
        con.register(
            "disputes",
            _table(
                inputs.disputes,
                {
                    "nation1": pa.string(),
                    "nation2": pa.string(),
                    "year": pa.int32(),
                    "dispute": pa.string(),
                    "fatality": pa.int32(),
                },
            ),
        )
        con.register(
            "rivalries",
            _table(
                inputs.rivalries,
                {
                    "nation1": pa.string(),
                    "nation2": pa.string(),
                    "first_year": pa.int32(),
                    "last_year": pa.int32(),
                },
            ),
        )
        con.register(
            "scores",
            _table(
                inputs.scores,
                {
                    "nation": pa.string(),
                    "year": pa.int32(),
                    "measure": pa.string(),
                    "value": pa.float64(),
                },
            ),
        )
        con.register(
            "media",
            media
            if media is not None
            else pa.table(
                {
                    "nation1": pa.array([], pa.string()),
                    "nation2": pa.array([], pa.string()),
                    "year": pa.array([], pa.int32()),
                    "events": pa.array([], pa.int64()),
                    "tone": pa.array([], pa.float64()),
                }
            ),
        )
        result = con.sql(_QUERY).to_arrow_table()
    finally:
        con.close()
    return result.select(list(COLUMNS))


def _table(columns: dict[str, list[Any]], types: dict[str, Any]) -> Any:
    import pyarrow as pa

    return pa.table({name: pa.array(columns[name], kind) for name, kind in types.items()})
