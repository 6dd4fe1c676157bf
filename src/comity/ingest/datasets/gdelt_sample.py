"""GDELT events -> military-cooperation media events (:mod:`comity.ingest.media.pipeline`).

The bundled file is a real daily file of 2016-07-28, cut to 710 events: a format sample for the
pipeline, not enough data to measure cooperation (13 events of material cooperation, few of them
between two nations). Other GDELT event files import the same way, through the pipeline of
``comity media run`` on DuckDB (GDELT 1.0 or 2.0, plain, gzipped or zipped, header or Parquet
files): ``comity import gdelt_sample FILE...``. Being a format sample, it keeps every event
whatever its number of sources (``min_sources=1``); the events go to the analytic store's
``media_events/gdelt_sample.parquet`` with the dataset's record.

Quirks: no header line; 201 rows have 57 fields (the pre-April-2013 layout without
``sourceurl``); event dates (``day``) are back-dated as far as 1982 although every event was
published on 2016-07-28; CAMEO codes keep their leading zero and are read as text; actor country
codes include regions (``AFR``, ``EUR``, ``MEA``, ``WST``).
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer
from comity.ingest.media.pipeline import select_media_events
from comity.model.measures import CoverageSpan

__all__ = ["IMPORTER", "GdeltSample"]


class GdeltSample(Importer):
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
        """Run the media-event pipeline over the files (on DuckDB, keeping every event)."""
        batch = Batch()
        run, table = select_media_events(
            [glob.escape(str(path)) for path in paths],
            context,
            dataset=self.info.name,
            min_sources=1,
        )
        if table is None:
            return batch
        batch.rows_read = run.rows_read
        batch.media_events = table
        if run.coverage:
            batch.coverage.append(
                CoverageSpan(
                    self.info.name,
                    run.coverage[0][0],
                    run.coverage[-1][0],
                    note="days the files were published; event dates are back-dated",
                )
            )
        return batch


IMPORTER = GdeltSample()
