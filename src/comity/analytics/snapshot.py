"""The analytic snapshot: what a viewer may see of the store, as Arrow tables for DuckDB.

A snapshot holds the engagements and participants of :mod:`comity.analytics.tie_index` (each
engagement with the last year its source covers its kind), the media events of the analytic
store aggregated to pair-years, what every source covers, the lineages and years of states
(:mod:`comity.analytics.lineage`), the Correlates of War and Gleditsch-Ward codes of each nation
in each year it exists (for exports that R and pandas users join to peace-science data), and the
horizon: the present year, to which standing ties still in force are carried. No record moves
the horizon: a table always reaches today, and what no source covers is projected or missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.lineage import Lineage, create_lineage
from comity.config import analytic_directory
from comity.model.clock import today
from comity.store import Store
from comity.store import nations as nation_store
from comity.store.analytic_inputs import (
    CoverageRow,
    data_version,
    read_coverage,
    start_analytic_inputs,
)

__all__ = ["Snapshot", "load_lineage", "load_snapshot", "media_pair_years"]


@dataclass
class Snapshot:
    """Inputs of the analytics for one viewer.

    Attributes:
        engagements: Arrow table (see :mod:`comity.analytics.contributions`).
        participants: Arrow table.
        media: Arrow table of media events per pair-year, or None when there are none.
        ccodes: Arrow table (nation, year, ccode, gwcode).
        horizon: The last year of the analyses.
        data_version: Digest of the stored records the snapshot was made from.
        scope: Whose view it is: ``all``, ``public`` or a nation key.
        coverage: Arrow table (kind, nation, first_year, last_year): the pairs each source
            covers (``nation`` None: every pair), nations as lineage keys.
        lineage: The lineages and years of states.
        sources: Every coverage row of engagement kinds, for the "data through" lines.
    """

    engagements: Any
    participants: Any
    media: Any
    ccodes: Any
    horizon: int
    data_version: str
    scope: str
    coverage: Any
    lineage: Lineage
    sources: list[CoverageRow]

    def tables(self) -> dict[str, Any]:
        """The input tables of the index by name (None where there are none)."""
        return {
            "engagements": self.engagements,
            "participants": self.participants,
            "media": self.media,
            "coverage": self.coverage,
            "lineage": self.lineage.lineage,
            "labels": self.lineage.labels,
        }


def _scope(viewer: Viewer) -> str:
    if viewer.unrestricted:
        return "all"
    return viewer.nation or "public"


def media_pair_years(directory: Path) -> Any:
    """Media events of the analytic store, counted per pair and year, with their mean tone.

    Two sources add up: the events of imported datasets (``media_events/*.parquet``) and the
    dyad-years of media-pipeline runs (``media/<dataset>/dyad_years/``, see
    :mod:`comity.ingest.media.pipeline`). Returns None when there are none. Pairs are ordered
    (nation1 < nation2).
    """
    from comity.analytics.engines import connect_duckdb

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
        connect_duckdb()
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


def _among(table: Any, nations: frozenset[str]) -> Any:
    """The rows of ``table`` whose nations are all among ``nations`` (None stays None).

    The nations are ``nation``, or ``nation1`` and ``nation2``.
    """
    if table is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.array(sorted(nations), pa.string())
    if "nation" in table.column_names:
        return table.filter(pc.is_in(table.column("nation"), value_set=keys))
    both = pc.and_(
        pc.is_in(table.column("nation1"), value_set=keys),
        pc.is_in(table.column("nation2"), value_set=keys),
    )
    found = table.filter(both)
    return found if found.num_rows else None


def load_lineage(store: Store) -> Lineage:
    """The lineages of states and the years each exists.

    From the successor table and the registry's state-system spells.
    """
    from comity.nations.successions import load_successions

    with store.connect() as connection:
        existence = nation_store.nation_years(connection)
    return create_lineage(load_successions(), existence)


def _source_last_years(rows: list[CoverageRow]) -> dict[tuple[str, str], int]:
    """The last year each dataset covers each kind (any pairs)."""
    last: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.dataset, row.kind)
        last[key] = max(last.get(key, row.last_year), row.last_year)
    return last


def _coverage_table(rows: list[CoverageRow], keys: dict[str, str]) -> Any:
    """The pairs every source covers: rows for every pair or the pairs with one nation.

    Rows scoped to an organisation say only through which year that source's own records are
    observed (see :mod:`comity.analytics.contributions`), so they are left out here.
    """
    import pyarrow as pa

    general = [row for row in rows if row.organisation is None]
    return pa.table(
        {
            "kind": pa.array([r.kind for r in general], type=pa.string()),
            "nation": pa.array(
                [keys.get(r.nation, r.nation) if r.nation else None for r in general],
                type=pa.string(),
            ),
            "first_year": pa.array([r.first_year for r in general], type=pa.int32()),
            "last_year": pa.array([r.last_year for r in general], type=pa.int32()),
        }
    )


def _with_source_last_years(engagements: Any, sources: list[CoverageRow]) -> Any:
    """Each engagement with the last year its source covers its kind (None: entered by hand).

    The snapshot's engagements leave out the dataset's name.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    last_years = _source_last_years(sources)
    known = pa.array([f"{dataset}\x1f{kind}" for dataset, kind in last_years], pa.string())
    years = pa.array(list(last_years.values()), pa.int32())
    keys = pc.binary_join_element_wise(
        engagements.column("source_dataset"), engagements.column("kind"), "\x1f"
    )
    found = pc.take(years, pc.index_in(keys, value_set=known))
    return engagements.drop_columns(["source_dataset"]).append_column("source_last_year", found)


def load_snapshot(
    store: Store,
    viewer: Viewer,
    *,
    horizon: int | None = None,
    nations: frozenset[str] | None = None,
    like: Snapshot | None = None,
) -> Snapshot:
    """Read what ``viewer`` may see into a snapshot.

    Args:
        store: The store.
        viewer: Whose view; the releasability filter applies to every record.
        horizon: The last year; by default the current year (records dated later are not
            read past it).
        nations: Only the records that tie two of these nations: a snapshot complete for the
            pairs among them (to recompute those pairs alone); every record when None.
        like: A snapshot of the same store whose codes, coverage, lineage and media are still
            current (no change since touched them): they are taken from it, not read again.
    """
    import pyarrow as pa

    with store.connect() as connection:
        # The columns may be read on a connection of their own (comity.store.columnar): the
        # change counter read on both sides of them says that no write came between.
        codes: Any = None
        for _ in range(3):
            version = data_version(connection)
            finish = start_analytic_inputs(connection, viewer, nations)
            if like is None and codes is None:
                # While the records are read on other connections.
                codes = nation_store.codes_by_year(connection)
                sources = read_coverage(connection)
            inputs = finish()
            if data_version(connection) == version:
                break
    if like is None:
        media = media_pair_years(analytic_directory(store.describe_url()))
        lineage = load_lineage(store)
    else:
        sources, media, lineage = like.sources, like.media, like.lineage
    engagements = _with_source_last_years(inputs.engagements, sources)
    participants = inputs.participants
    if horizon is None:
        horizon = today().year
    if like is not None:
        ccodes = like.ccodes
        if nations is not None:
            # Only the pairs among ``nations`` are read from this snapshot: their media and codes.
            media, ccodes = _among(media, nations), _among(ccodes, nations)
        return Snapshot(
            engagements,
            participants,
            media,
            ccodes,
            horizon,
            version,
            _scope(viewer),
            like.coverage,
            lineage,
            sources,
        )
    ccodes = pa.table(
        {
            "nation": pa.array([c[0] for c in codes], type=pa.string()),
            "year": pa.array([c[1] for c in codes], type=pa.int32()),
            "ccode": pa.array([c[2] for c in codes], type=pa.int32()),
            "gwcode": pa.array([c[3] for c in codes], type=pa.int32()),
        }
    )
    return Snapshot(
        engagements,
        participants,
        media,
        ccodes,
        horizon,
        version,
        _scope(viewer),
        _coverage_table(sources, lineage.keys),
        lineage,
        sources,
    )
