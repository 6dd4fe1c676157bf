"""What the challenges read from the store, flattened to columns.

Regime scores and major-power status by nation-year, militarised dispute dyad-years, strategic
rivalries, what each dataset covers, and the state-system spells of nations, for one pair of
nations (a history) or for one nation and every partner (a cross-section). The computation is in
:mod:`comity.analytics.challenges`.

These are public reference data (like the nation registry): the reads take no viewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from comity.store import tables

__all__ = ["ChallengeInputs", "read_challenge_inputs"]


@dataclass
class ChallengeInputs:
    """Column lists of the challenges' inputs.

    ``scores``: nation, year, measure, value (one row per coded nation-year and measure).
    ``disputes``: nation1, nation2 (nation1 < nation2), year, dispute (``gml:N`` or ``mid5:N``),
    fatality (0-6, None when unknown); every dispute-year up to the last year wanted, however
    early, so that the last dispute before a year can be found.
    ``rivalries``: nation1, nation2, first_year, last_year.
    ``coverage``: dataset, nation (None: every nation), first_year, last_year, note.
    ``spells``: nation, first_year, last_year (None: still a state), one row per state-system
    spell, in years.
    ``known``: the asked-for nation keys the store has.
    """

    scores: dict[str, list[Any]] = field(default_factory=dict)
    disputes: dict[str, list[Any]] = field(default_factory=dict)
    rivalries: dict[str, list[Any]] = field(default_factory=dict)
    coverage: dict[str, list[Any]] = field(default_factory=dict)
    spells: dict[str, list[Any]] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)


def _columns(connection: Connection, query: Any, names: Sequence[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {name: [] for name in names}
    for row in connection.execute(query):
        for name, value in zip(names, row, strict=True):
            found[name].append(value)
    return found


def read_challenge_inputs(
    connection: Connection,
    nation: str,
    partner: str | None = None,
    *,
    first_year: int,
    last_year: int,
    measures: Sequence[tuple[str, str]],
    coverage_datasets: Sequence[str],
) -> ChallengeInputs:
    """Read the inputs of the challenges of one pair, or of one nation with every partner.

    Args:
        connection: An open connection.
        nation: A nation key.
        partner: The other nation of the pair; None for every partner of ``nation`` (the scores
            and spells of every nation are read then, to compare ``nation`` with each).
        first_year: First year wanted.
        last_year: Last year wanted.
        measures: The (dataset, measure) pairs of nation scores to read.
        coverage_datasets: The datasets whose coverage rows to read.

    Returns:
        The inputs as column lists.
    """
    wanted = [nation] if partner is None else sorted({nation, partner})
    s, d, r = tables.nation_scores, tables.dispute_years, tables.rivalries
    measure_filter = or_(*(and_(s.c.dataset == ds, s.c.measure == m) for ds, m in measures))
    score_query = select(s.c.nation, s.c.year, s.c.measure, s.c.value).where(
        measure_filter, s.c.year.between(first_year, last_year)
    )
    if partner is not None:
        score_query = score_query.where(s.c.nation.in_(wanted))
    if partner is None:
        pair_of_disputes: Any = or_(d.c.nation1 == nation, d.c.nation2 == nation)
        pair_of_rivalries: Any = or_(r.c.nation1 == nation, r.c.nation2 == nation)
    else:
        low, high = min(nation, partner), max(nation, partner)
        pair_of_disputes = and_(d.c.nation1 == low, d.c.nation2 == high)
        pair_of_rivalries = and_(r.c.nation1 == low, r.c.nation2 == high)
    dispute_query = select(d.c.nation1, d.c.nation2, d.c.year, d.c.dispute, d.c.fatality).where(
        pair_of_disputes, d.c.year <= last_year
    )
    rivalry_query = select(r.c.nation1, r.c.nation2, r.c.first_year, r.c.last_year).where(
        pair_of_rivalries, r.c.first_year <= last_year, r.c.last_year >= first_year
    )
    c = tables.coverage
    coverage_query = select(c.c.dataset, c.c.nation, c.c.first_year, c.c.last_year, c.c.note)
    coverage_query = coverage_query.where(c.c.dataset.in_(list(coverage_datasets))).order_by(c.c.id)
    return ChallengeInputs(
        scores=_columns(connection, score_query, ("nation", "year", "measure", "value")),
        disputes=_columns(
            connection, dispute_query, ("nation1", "nation2", "year", "dispute", "fatality")
        ),
        rivalries=_columns(
            connection, rivalry_query, ("nation1", "nation2", "first_year", "last_year")
        ),
        coverage=_columns(
            connection, coverage_query, ("dataset", "nation", "first_year", "last_year", "note")
        ),
        spells=_spells(connection, None if partner is None else wanted),
        known=set(
            connection.execute(
                select(tables.nations.c.iso3).where(tables.nations.c.iso3.in_(wanted))
            ).scalars()
        ),
    )


def _spells(connection: Connection, nations: Sequence[str] | None) -> dict[str, list[Any]]:
    spells = tables.state_spells
    query = select(spells.c.nation, spells.c.start_date, spells.c.end_date)
    if nations is not None:
        query = query.where(spells.c.nation.in_(list(nations)))
    found: dict[str, list[Any]] = {"nation": [], "first_year": [], "last_year": []}
    for row in connection.execute(query.order_by(spells.c.nation, spells.c.start_date)):
        found["nation"].append(row.nation)
        found["first_year"].append(row.start_date.year)
        found["last_year"].append(None if row.end_date is None else row.end_date.year)
    return found
