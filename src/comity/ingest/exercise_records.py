"""The bundled MME exercises as record linkage sees them: what its model is trained and measured on.

(:mod:`comity.linkage.synthetic` makes the labelled second source from them.)
"""

from __future__ import annotations

from comity.linkage.records import LinkRecord, link_record

__all__ = ["bundled_exercises"]


def bundled_exercises() -> list[LinkRecord]:
    """The bundled MME exercises as linkage sees them (read from the files, no store needed).

    Their ids are their row numbers in the file, from 1.
    """
    from importlib import resources
    from pathlib import Path

    from comity.ingest.base import ImportContext
    from comity.ingest.datasets.mme_exercises import IMPORTER
    from comity.model.engagements import Engagement
    from comity.nations.resolver import default_resolver

    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "linkage")
    folder = resources.files("comity").joinpath("data", IMPORTER.info.name)
    paths = [Path(str(folder.joinpath(name))) for name in IMPORTER.info.files]
    batch = IMPORTER.read(paths, context)
    records = []
    for number, engagement in enumerate(batch.engagements, start=1):
        assert isinstance(engagement, Engagement)
        records.append(
            link_record(
                number,
                source=IMPORTER.info.name,
                within=True,
                kind=engagement.kind.value,
                start=engagement.start.value,
                precision=engagement.start.precision.value,
                host=engagement.host,
                nations=[p.nation for p in engagement.participants],
                programme=engagement.programme,
                title=engagement.title,
                location=engagement.location,
            )
        )
    return records
