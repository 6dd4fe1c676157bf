"""The challenges to cooperation shown beside every pair of nations (DESIGN.md section 3).

Unit of analysis: the non-directed dyad-year, nations by ISO alpha-3 key (``iso3_1 < iso3_2``).
:func:`create_pair_challenges` gives one pair's history, :func:`create_nation_challenges` one
nation with each partner in one year; both read a few thousand rows from the store and join them
in one DuckDB query (:func:`compute_challenges`, in :mod:`comity.analytics.challenge_query`).
Missing data are None, never zero: a value is zero only where a dataset covers the year and
records nothing.

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

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from comity.analytics.challenge_query import (
    COLUMNS,
    COVERAGE_DATASETS,
    SCORES,
    WINDOW,
    compute_challenges,
)
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
"""Changes whenever a rule above changes what a column means."""

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
            measures=SCORES,
            coverage_datasets=(*COVERAGE_DATASETS, *media_datasets),
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
