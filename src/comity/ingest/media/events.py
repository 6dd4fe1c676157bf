"""Media events in the analytic store: the GDELT layout, the CAMEO codes kept, the stored file.

The pipeline that turns GDELT files into media events is :mod:`comity.ingest.media.pipeline`
(one definition, on DuckDB or Spark). This module holds what it and the importer share:

- :data:`COLUMNS`, the 58 fields of a GDELT 1.0 event file;
- :data:`DEFAULT_MIN_SOURCES`, the fewest sources an event kept is reported by, by default;
- :data:`MILITARY_CODES`, the CAMEO codes kept (``cameo_codes.tsv``): military cooperation (062
  cooperate militarily, 064 share intelligence, 072 military aid, 074 military protection, and
  the intents 0312, 0314, 0332, 0334) and related diplomacy (visits 042-044, negotiation 046,
  agreements 057);
- :func:`replace_media_events`, which writes an imported dataset's events to
  ``<analytic store>/media_events/<dataset>.parquet``, where the tie index and the challenges'
  public perception read them.
"""

from __future__ import annotations

import csv
import os
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["COLUMNS", "DEFAULT_MIN_SOURCES", "MILITARY_CODES", "replace_media_events"]

DEFAULT_MIN_SOURCES = 2
"""Events reported by fewer sources are dropped: a single outlet's report is too often noise."""

COLUMNS = (
    "globaleventid day monthyear year fractiondate actor1code actor1name actor1countrycode "
    "actor1knowngroupcode actor1ethniccode actor1religion1code actor1religion2code "
    "actor1type1code actor1type2code actor1type3code actor2code actor2name actor2countrycode "
    "actor2knowngroupcode actor2ethniccode actor2religion1code actor2religion2code "
    "actor2type1code actor2type2code actor2type3code isrootevent eventcode eventbasecode "
    "eventrootcode quadclass goldsteinscale nummentions numsources numarticles avgtone "
    "actor1geo_type actor1geo_fullname actor1geo_countrycode actor1geo_adm1code actor1geo_lat "
    "actor1geo_long actor1geo_featureid actor2geo_type actor2geo_fullname actor2geo_countrycode "
    "actor2geo_adm1code actor2geo_lat actor2geo_long actor2geo_featureid actiongeo_type "
    "actiongeo_fullname actiongeo_countrycode actiongeo_adm1code actiongeo_lat actiongeo_long "
    "actiongeo_featureid dateadded sourceurl"
).split()
"""The 58 columns of a GDELT 1.0 event file, in order."""


def _codes() -> dict[str, tuple[str, float, str]]:
    text = resources.files("comity.ingest.media").joinpath("cameo_codes.tsv").read_text("utf-8")
    return {
        row["code"]: (row["label"], float(row["goldstein"]), row["group"])
        for row in csv.DictReader(text.splitlines(), delimiter="\t")
    }


MILITARY_CODES = _codes()
"""CAMEO code -> (label, Goldstein value, group) of the events comity keeps."""


def replace_media_events(
    directory: Path, dataset: str, table: Any, *, dry_run: bool = False
) -> tuple[int, int, int]:
    """Make ``<directory>/media_events/<dataset>.parquet`` hold ``table``.

    The new file is written beside the old and renamed over it (atomic on one file system), so a
    failure leaves the previous data whole.

    Returns:
        Events added, unchanged and removed, compared by event id and content.
    """
    import duckdb
    import pyarrow.parquet as pq

    target = directory / "media_events" / f"{dataset}.parquet"
    old = None
    if target.exists():
        old = pq.read_table(target)
    con = duckdb.connect()
    con.register("new_events", table)
    if old is not None:
        con.register("old_events", old)
        counted = con.execute(
            "SELECT count(*) FILTER (WHERE o.event_id IS NULL), "
            "count(*) FILTER (WHERE o.event_id IS NOT NULL) "
            "FROM new_events n LEFT JOIN old_events o ON n.event_id = o.event_id "
            "AND n.nation1 = o.nation1 AND n.nation2 = o.nation2 AND n.cameo_code = o.cameo_code "
            "AND n.day = o.day AND n.goldstein IS NOT DISTINCT FROM o.goldstein "
            "AND n.tone IS NOT DISTINCT FROM o.tone AND n.sources IS NOT DISTINCT FROM o.sources"
        ).fetchall()
        added, unchanged = int(counted[0][0]), int(counted[0][1])
        removed = old.num_rows - unchanged
    else:
        added, unchanged, removed = table.num_rows, 0, 0
    if not dry_run and (added or removed or old is None):
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_suffix(".parquet.partial")
        pq.write_table(table, staged)
        os.replace(staged, target)
    return int(added), int(unchanged), int(removed)
