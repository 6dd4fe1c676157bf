"""The importers comity ships, listed explicitly, in the order ``import --all`` runs them."""

from __future__ import annotations

from comity.errors import NotFoundError
from comity.ingest.base import Importer
from comity.ingest.datasets import (
    atop_alliances,
    cow_alliances,
    cow_states,
    democracy_scores,
    gdelt_sample,
    hofstede,
    mid_dyadic,
    mme_exercises,
    organisations,
    un_peacekeeping,
    us_senior_visits,
)

__all__ = ["IMPORTERS", "get_importer"]

# The registry's own datasets first, then engagements, then measures.
_MODULES = (
    cow_states,
    organisations,
    mme_exercises,
    atop_alliances,
    cow_alliances,
    un_peacekeeping,
    us_senior_visits,
    mid_dyadic,
    democracy_scores,
    hofstede,
    gdelt_sample,
)

IMPORTERS: dict[str, Importer] = {module.IMPORTER.info.name: module.IMPORTER for module in _MODULES}


def get_importer(name: str) -> Importer:
    """The importer of the dataset ``name``.

    Raises:
        NotFoundError: When comity has no such importer.
    """
    try:
        return IMPORTERS[name]
    except KeyError:
        known = ", ".join(IMPORTERS)
        raise NotFoundError(
            f"No dataset named {name!r}.", hint=f"Known datasets: {known}."
        ) from None
