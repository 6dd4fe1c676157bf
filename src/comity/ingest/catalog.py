"""The importers comity ships, listed explicitly, in the order ``import --all`` runs them."""

from __future__ import annotations

from comity.errors import NotFoundError
from comity.ingest import us_senior_visits
from comity.ingest.base import Importer

__all__ = ["IMPORTERS", "get_importer"]

IMPORTERS: dict[str, Importer] = {
    module.IMPORTER.info.name: module.IMPORTER for module in (us_senior_visits,)
}


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
