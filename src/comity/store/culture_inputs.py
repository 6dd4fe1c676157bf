"""What the cultural measures read from the store: Hofstede's dimension scores.

Scores are public reference data (like the nation registry): the reads take no viewer. The
computation (Kogut-Singh distance) is in :mod:`comity.culture.distance`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from comity.store import tables

__all__ = ["HOFSTEDE_DATASET", "HOFSTEDE_MEASURES", "read_hofstede_scores"]

HOFSTEDE_DATASET = "hofstede"
"""The dataset name the Hofstede importer stores its scores under."""

HOFSTEDE_MEASURES = ("pdi", "idv", "mas", "uai", "ltowvs", "ivr")
"""The six dimensions, in Hofstede's order."""


def read_hofstede_scores(
    connection: Connection, measures: Sequence[str] = HOFSTEDE_MEASURES
) -> dict[str, dict[str, float]]:
    """Every scored nation's Hofstede dimensions: nation key -> measure -> score.

    Only the cross-section without a year is read (the matrix has no years). A dimension not
    measured for a nation is absent from its mapping, never zero.
    """
    s = tables.nation_scores
    query = select(s.c.nation, s.c.measure, s.c.value).where(
        s.c.dataset == HOFSTEDE_DATASET, s.c.year.is_(None), s.c.measure.in_(list(measures))
    )
    found: dict[str, dict[str, float]] = {}
    for nation, measure, value in connection.execute(query):
        found.setdefault(nation, {})[measure] = float(value)
    return found
