"""GDELT 1.0 events -> military-cooperation media events (see :mod:`comity.ingest.media_events`).

The bundled file is a real daily file of 2016-07-28, cut to 710 events: a format sample for the
pipeline, not enough data to measure cooperation (13 events of material cooperation, few of them
between two nations). Other GDELT 1.0 daily files import the same way:
``comity import gdelt_sample FILE...``.

Quirks: no header line; 201 rows have 57 fields (the pre-April-2013 layout without
``sourceurl``); event dates (``day``) are back-dated as far as 1982 although every event was
published on 2016-07-28; CAMEO codes keep their leading zero and are read as text; actor country
codes include regions (``AFR``, ``EUR``, ``MEA``, ``WST``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext
from comity.ingest.media_events import read_gdelt_events
from comity.model.measures import CoverageSpan

__all__ = ["IMPORTER", "GdeltSample"]


class GdeltSample:
    """Importer of GDELT 1.0 event files into the analytic store."""

    info = DatasetInfo(
        name="gdelt_sample",
        title="GDELT 1.0 events: a real daily file (2016-07-28), 710 events",
        files=("gdelt1_events_sample_20160728.tsv.gz",),
        citation=(
            'Leetaru, Kalev and Schrodt, Philip A. 2013. "GDELT: Global Data on Events, '
            'Location and Tone, 1979-2012." ISA Annual Convention.'
        ),
        licence="free and open for unrestricted use and redistribution, with citation (GDELT)",
        version="GDELT 1.0 daily file 20160728 (sample)",
        becomes="military-cooperation media events in the analytic store",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Run the media-event pipeline over the files."""
        batch = Batch()
        table = read_gdelt_events(paths, context, dataset=self.info.name)
        if table is None:
            return batch
        batch.rows_read = int(sum(context.excluded.values()) + table.num_rows)
        batch.media_events = table
        published = [d for d in table.column("published").to_pylist() if d is not None]
        if published:
            batch.coverage.append(
                CoverageSpan(
                    self.info.name,
                    min(published).year,
                    max(published).year,
                    note="days the files were published; event dates are back-dated",
                )
            )
        return batch


IMPORTER = GdeltSample()
