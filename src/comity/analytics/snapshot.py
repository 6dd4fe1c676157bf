"""The analytic snapshot: what a viewer may see of the store, as Arrow tables for DuckDB.

A snapshot holds the engagements and participants of :mod:`comity.analytics.tie_index`, the media
events of the analytic store aggregated to pair-years, the Correlates of War code of each nation
in each year (for exports that R and pandas users join to peace-science data), and the horizon:
the last year any record reaches, to which standing ties still in force are carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from comity.access.viewer import Viewer
from comity.config import analytic_directory
from comity.store import Store
from comity.store import nations as nation_store
from comity.store.analytic_inputs import PLEDGE_COLUMNS, data_version, read_analytic_inputs

__all__ = ["Snapshot", "load_snapshot", "media_pair_years"]


@dataclass
class Snapshot:
    """Inputs of the analytics for one viewer.

    Attributes:
        engagements: Arrow table (see :mod:`comity.analytics.tie_index`).
        participants: Arrow table.
        media: Arrow table of media events per pair-year, or None when there are none.
        ccodes: Arrow table (nation, year, ccode).
        horizon: The last year of the analyses.
        data_version: Digest of the stored records the snapshot was made from.
        scope: Whose view it is: ``all``, ``public`` or a nation key.
    """

    engagements: Any
    participants: Any
    media: Any
    ccodes: Any
    horizon: int
    data_version: str
    scope: str


def _scope(viewer: Viewer) -> str:
    if viewer.unrestricted:
        return "all"
    return viewer.nation or "public"


def media_pair_years(directory: Path) -> Any:
    """Media events of the analytic store, counted per pair and year, with their mean tone.

    Two sources add up: the events of imported datasets (``media_events/*.parquet``) and the
    dyad-years of media-pipeline runs (``media/<dataset>/dyad_years/``, see
    :mod:`comity.ingest.media_pipeline`). Returns None when there are none. Pairs are ordered
    (nation1 < nation2).
    """
    import duckdb

    def listed(files: list[Path]) -> str:
        return ", ".join(f"'{str(f).replace(chr(39), chr(39) * 2)}'" for f in files)

    events = sorted((directory / "media_events").glob("*.parquet"))
    runs = sorted((directory / "media").glob("*/dyad_years/*.parquet"))
    if not events and not runs:
        return None
    parts = []
    if events:
        parts.append(
            f"""SELECT LEAST(nation1, nation2) AS n1, GREATEST(nation1, nation2) AS n2,
                   CAST(year AS INTEGER) AS year, COUNT(*) AS events, SUM(tone) AS tone_sum,
                   COUNT(tone) AS toned
            FROM read_parquet([{listed(events)}]) GROUP BY 1, 2, 3"""
        )
    if runs:
        parts.append(
            f"""SELECT nation1 AS n1, nation2 AS n2, CAST(year AS INTEGER) AS year, events,
                   tone * events AS tone_sum, events AS toned
            FROM read_parquet([{listed(runs)}]) WHERE tone IS NOT NULL
            UNION ALL
            SELECT nation1, nation2, CAST(year AS INTEGER), events, 0.0, 0
            FROM read_parquet([{listed(runs)}]) WHERE tone IS NULL"""
        )
    table = (
        duckdb.connect()
        .sql(
            f"""
            SELECT n1 AS nation1, n2 AS nation2, year, CAST(SUM(events) AS BIGINT) AS events,
                   SUM(tone_sum) / NULLIF(SUM(toned), 0) AS tone
            FROM ({" UNION ALL ".join(parts)}) p
            GROUP BY 1, 2, 3
            """
        )
        .to_arrow_table()
    )
    return table if table.num_rows else None


def load_snapshot(store: Store, viewer: Viewer, *, horizon: int | None = None) -> Snapshot:
    """Read what ``viewer`` may see into a snapshot.

    Args:
        store: The store.
        viewer: Whose view; the releasability filter applies to every record.
        horizon: The last year; by default the latest year any record reaches (and never past
            the current year).
    """
    import pyarrow as pa

    with store.connect() as connection:
        inputs = read_analytic_inputs(connection, viewer)
        version = data_version(connection)
        codes = nation_store.cow_codes_by_year(connection)
    media = media_pair_years(analytic_directory(store.describe_url()))
    engagement_types = {
        "engagement_id": pa.int64(), "kind": pa.string(), "first_year": pa.int32(),
        "last_year": pa.int32(), "host": pa.string(), "personnel": pa.float64(),
        "level": pa.string(), "students": pa.float64(),
        **{column: pa.int8() for column in PLEDGE_COLUMNS},
    }  # fmt: skip
    engagements = pa.table(
        {
            name: pa.array(inputs.engagements[name], type=kind)
            for name, kind in engagement_types.items()
        }
    )
    participants = pa.table(
        {
            "engagement_id": pa.array(inputs.participants["engagement_id"], type=pa.int64()),
            "nation": pa.array(inputs.participants["nation"], type=pa.string()),
            "role": pa.array(inputs.participants["role"], type=pa.string()),
        }
    )
    if horizon is None:
        horizon = _latest_year(engagements, media)
    ccodes = pa.table(
        {
            "nation": pa.array([c[0] for c in codes], type=pa.string()),
            "year": pa.array([c[1] for c in codes], type=pa.int32()),
            "ccode": pa.array([c[2] for c in codes], type=pa.int32()),
        }
    )
    return Snapshot(engagements, participants, media, ccodes, horizon, version, _scope(viewer))


def _latest_year(engagements: Any, media: Any) -> int:
    import pyarrow.compute as pc

    years = [
        pc.max(engagements.column("last_year")).as_py(),
        pc.max(engagements.column("first_year")).as_py(),
    ]
    if media is not None:
        years.append(pc.max(media.column("year")).as_py())
    known = [int(y) for y in years if y is not None]
    return min(max(known), date.today().year) if known else date.today().year
