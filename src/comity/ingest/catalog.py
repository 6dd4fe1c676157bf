"""The importers comity ships, listed explicitly, in the order ``import --all`` runs them.

:class:`UserFiles` imports a user's own files, through their mapping file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.errors import NotFoundError
from comity.ingest.base import Batch, ImportContext, Importer
from comity.ingest.datasets import (
    atop_alliances,
    cow_alliances,
    cow_states,
    dcad,
    democracy_scores,
    gdelt_sample,
    hofstede,
    mid_dyadic,
    mme_exercises,
    organisations,
    sipri_arms,
    un_peacekeeping,
    us_fmt_training,
    us_senior_visits,
    us_troops,
)
from comity.ingest.mapped.file import MappedFile
from comity.ingest.mapped.mapping import Mapping

__all__ = ["IMPORTERS", "UserFiles", "get_importer"]

# The registry's own datasets first, then engagements, then measures.
_MODULES = (
    cow_states,
    organisations,
    mme_exercises,
    atop_alliances,
    cow_alliances,
    dcad,
    un_peacekeeping,
    us_senior_visits,
    sipri_arms,
    us_troops,
    us_fmt_training,
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


class UserFiles(Importer):
    """The importer of a user's own files, read as their mapping file says.

    Its records belong to the importing user's nation; the mapping's spellings of nations and
    its releasability label are the import's.

    Args:
        mapping: The checked mapping file.
    """

    bundled = False

    def __init__(self, mapping: Mapping) -> None:
        self.reader = MappedFile(mapping)
        self.info = self.reader.info
        self.extra_names = dict(mapping.names)
        self.releasability = mapping.constants.releasability

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read, check and prepare every file's engagements."""
        return self.reader.read(paths, context)
