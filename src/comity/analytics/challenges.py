"""The challenges to cooperation shown beside every pair of nations (DESIGN.md section 3).

Unit of analysis: the non-directed dyad-year, nations by ISO alpha-3 key (``iso3_1 < iso3_2``).
:func:`create_pair_challenges` gives one pair's history, :func:`create_nation_challenges` one
nation with each partner in one year; both read a few thousand rows from the store and join them
in one DuckDB query (:func:`compute_challenges`). Missing data are None, never zero: a value is
zero only where a dataset covers the year and records nothing.

Columns (:data:`COLUMNS`):

``ideological_distance``
    ``|polyarchy(a) - polyarchy(b)|``, V-Dem electoral democracy index (0-1), when both nations
    are coded that year, else None. ``polity_distance``: ``|polity2(a) - polity2(b)| / 20``
    (Polity IV, -10..10, scaled to 0-1), when both are coded, else None. Both are rounded to six
    decimals (the scores have three), so that 0.9 - 0.85 reads 0.05.
``disputes_50y``
    Distinct militarised interstate disputes between the pair with a dispute-year in
    ``[year - 49, year]``. GML MID 2.2.1 is used for the years it covers (to 2010) and CoW MID 5
    only for the years after (2011-2014): each dispute-year record is kept only when its file is
    the one chosen for its year, so a dyad-year present in both files counts once. A dispute is
    identified by its number without the file prefix (GML kept the CoW numbers), so a dispute
    running across 2010-2011 (``gml:4491`` in 2010, ``mid5:4491`` in 2011) counts once.
    ``fatal_disputes_50y``: those of them with a known fatality level of 1 or more for the pair
    (a lower bound where fatality is unknown). ``last_dispute_year``: the latest year up to
    ``year`` with a dispute between the pair, since 1816. All three are None when ``year`` is
    outside the dispute coverage (the ``coverage`` rows of ``mid_dyadic``: 1816-2014); a window
    reaching before 1816 is counted over the years that exist.
``rivalry``
    True when a Thompson-Dreyer strategic rivalry between the pair runs that year, False when
    none does, None outside the rivalry coverage (to 2010, right-censored).
``capability_ratio``
    Always None: the material capability ratio needs the CoW National Material Capabilities
    (CINC) data, which comity does not bundle.
``major_power_gap``
    A proxy for power asymmetry, not a capability ratio: 1 when exactly one of the two is a CoW
    major power that year, 0 when both or neither are, None outside the ``cow_states`` coverage
    (1816-2016).
``media_tone``
    Mean GDELT ``avgtone`` of the pair's media events dated that year, None when there are none.
    ``media_events``: their number; 0 only when the year is within the coverage of a media
    dataset (the years its files were published) and the pair has none; None when it is not.
    GDELT back-dates events, so a year outside the coverage may still hold some: they are
    counted, and the count is then a lower bound.
``friction_days``
    Always None until plans and approvals exist (median days from submission to approval).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from comity.config import analytic_directory
from comity.errors import FieldProblem, NotFoundError, ValidationError
from comity.store import Store
from comity.store.challenge_inputs import ChallengeInputs, read_challenge_inputs

__all__ = [
    "COLUMNS",
    "METHOD_VERSION",
    "NOTES",
    "WINDOW",
    "Challenges",
    "compute_challenges",
    "create_nation_challenges",
    "create_pair_challenges",
]

METHOD_VERSION = "challenges-1"
"""Changes whenever a rule below changes what a column means."""

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

NOTES = (
    "capability_ratio is always missing: it needs the CoW National Material Capabilities (CINC) "
    "data, which comity does not bundle.",
    "major_power_gap is a proxy for power asymmetry, not a capability ratio: 1 when exactly one "
    "of the two is a CoW major power that year, else 0.",
    "friction_days is missing until plans and approvals are recorded.",
    "disputes: GML MID up to 2010, CoW MID 5 for 2011-2014; a dispute is counted once.",
)
"""What every result says about its columns."""

_FIRST_YEAR = 1816
_POLYARCHY = ("democracy_scores", "v2x_polyarchy")
_POLITY = ("democracy_scores", "polity2")
_MAJOR = ("cow_states", "major_power")
_DISPUTES = "mid_dyadic"
# The mid_dyadic importer notes each dispute file's coverage row with "(ids gml:)" or
# "(ids mid5:)", and the rivalry file's with "td_rivalries: ...".
_SOURCE_NOTE = re.compile(r"\(ids (\w+):\)")
_RIVALRY_NOTE = "td_rivalries"
_PREFERENCE = ("gml", "mid5")
"""Dispute files by precedence: GML re-examined the CoW disputes; MID 5 only adds later years."""


@dataclass(frozen=True)
class Challenges:
    """Challenges per non-directed dyad-year.

    Attributes:
        table: Arrow table with :data:`COLUMNS`, one row per pair and year, ordered by pair and
            year.
        notes: What the columns leave out or approximate (:data:`NOTES`).
        method_version: :data:`METHOD_VERSION`.
    """

    table: Any
    notes: tuple[str, ...] = NOTES
    method_version: str = METHOD_VERSION

    def rows(self) -> list[dict[str, Any]]:
        """The rows as dictionaries, missing values as None."""
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows


def create_pair_challenges(
    store: Store,
    nation: str,
    partner: str,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
    in_system_only: bool = True,
) -> Challenges:
    """The challenges of one pair of nations, year by year (the history ``comity dyad`` shows).

    Args:
        store: The store.
        nation: One nation's key.
        partner: The other's.
        first_year: First year; 1816 (the start of the state system) by default.
        last_year: Last year; by default the last year any of the challenges' datasets covers
            (never after the current year).
        in_system_only: Keep only the years in which both were members of the state system
            (their spells in the registry); False keeps every year of the range.

    Returns:
        One row per year; none for years the pair did not coexist when ``in_system_only``.

    Raises:
        NotFoundError: When a key is not a nation of the store.
        ValidationError: When both keys are the same.
    """
    nation, partner = nation.upper(), partner.upper()
    if nation == partner:
        raise ValidationError(
            [FieldProblem("partner", "must be another nation than the first", partner)],
            subject="pair of nations",
            hint="Name two different nations.",
        )
    start = _FIRST_YEAR if first_year is None else first_year
    end = date.today().year if last_year is None else last_year
    inputs, media_datasets = _read(store, nation, partner, start, end)
    if last_year is None:
        end = min(end, _last_covered(inputs, end))
    years = set(range(start, end + 1))
    if in_system_only:
        spells = _spell_years(inputs, start, end)
        years &= spells.get(nation, set()) & spells.get(partner, set())
    low, high = sorted((nation, partner))
    grid = [(low, high, year) for year in sorted(years)]
    return Challenges(compute_challenges(inputs, grid, _media(store), media_datasets))


def create_nation_challenges(
    store: Store, nation: str, year: int, *, in_system_only: bool = True
) -> Challenges:
    """The challenges between one nation and each of its partners in one year (a cross-section).

    Args:
        store: The store.
        nation: The nation's key.
        year: The year.
        in_system_only: Partners are the members of the state system that year; with True (the
            default) ``nation`` must be one too, else the result is empty.

    Returns:
        One row per partner, each pair ordered by key (``nation`` may be ``iso3_1`` or
        ``iso3_2``).

    Raises:
        NotFoundError: When ``nation`` is not a nation of the store.
    """
    nation = nation.upper()
    inputs, media_datasets = _read(store, nation, None, year, year)
    spells = _spell_years(inputs, year, year)
    partners = sorted(key for key, years in spells.items() if year in years and key != nation)
    if in_system_only and year not in spells.get(nation, set()):
        partners = []
    grid = [(min(nation, p), max(nation, p), year) for p in partners]
    return Challenges(compute_challenges(inputs, grid, _media(store), media_datasets))


def _read(
    store: Store, nation: str, partner: str | None, first: int, last: int
) -> tuple[ChallengeInputs, tuple[str, ...]]:
    """The inputs, and the names of the media datasets.

    Raises:
        NotFoundError: When a key is not a nation of the store.
    """
    media_datasets = _media_datasets(store)
    with store.connect() as connection:
        inputs = read_challenge_inputs(
            connection,
            nation,
            partner,
            first_year=first,
            last_year=last,
            measures=(_POLYARCHY, _POLITY, _MAJOR),
            coverage_datasets=(_POLYARCHY[0], _MAJOR[0], _DISPUTES, *media_datasets),
        )
    for key in (nation, partner):
        if key is not None and key not in inputs.known:
            raise NotFoundError(
                f"No nation with the key {key!r}.", hint="Run `comity nations --search TEXT`."
            )
    return inputs, media_datasets


def _media_directory(store: Store) -> Path:
    return analytic_directory(store.describe_url()) / "media_events"


def _media_datasets(store: Store) -> tuple[str, ...]:
    """Datasets with media events: each has ``<analytic store>/media_events/<dataset>.parquet``."""
    return tuple(sorted(path.stem for path in _media_directory(store).glob("*.parquet")))


def _media(store: Store) -> Any:
    from comity.analytics.snapshot import media_pair_years

    return media_pair_years(_media_directory(store).parent)


def _last_covered(inputs: ChallengeInputs, ceiling: int) -> int:
    """The last year any dataset of the challenges covers, or ``ceiling`` when none records it."""
    years = [y for y in inputs.coverage["last_year"] if y is not None and y <= ceiling]
    return max(years, default=ceiling)


def _spell_years(inputs: ChallengeInputs, first: int, last: int) -> dict[str, set[int]]:
    """Years in ``[first, last]`` in which each nation was a member of the state system."""
    found: dict[str, set[int]] = {}
    spells = inputs.spells
    for key, start, end in zip(
        spells["nation"], spells["first_year"], spells["last_year"], strict=True
    ):
        stop = last if end is None else min(end, last)
        found.setdefault(key, set()).update(range(max(start, first), stop + 1))
    return found


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
