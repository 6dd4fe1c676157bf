"""Use cases of the analytics: the dyad-year index (cached), outreach, pair-kind contributions.

A nation's partners and a pair's history are read from the index in :mod:`comity.services.ties`.

Every result is computed from what the viewer may see (the snapshot applies the releasability
filter) and records the method version and the settings' digest. Results are cached as Parquet in
the analytic store, registered in the store under a key made of the method version, the settings,
the data version and the viewer's scope: a change to the data makes a new key, and the stale file
is dropped when the new one is written.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.engines import connect_duckdb
from comity.analytics.settings import IndexSettings, default_settings
from comity.analytics.snapshot import Snapshot, load_lineage, load_snapshot
from comity.analytics.tie_index import directed_sql
from comity.config import analytic_directory
from comity.errors import NotFoundError
from comity.model.clock import today
from comity.services.cache import (
    analysed_version,
    cache_key,
    on_forget,
    read_table,
    recall,
    remembered,
    store_result_later,
    viewer_scope,
)
from comity.services.index_tables import (
    EXPORT_COLUMNS,
    SourceEnd,
    data_through,
    default_year_of,
    describe_data_through,
    export_sql,
    register_keyed,
    register_snapshot,
)
from comity.store import Store
from comity.store.analytic_cache import find_result
from comity.store.analytic_inputs import data_version, read_coverage
from comity.store.changes import touched_since

__all__ = [
    "EXPORT_COLUMNS",
    "IndexTable",
    "SourceEnd",
    "analytic_inputs",
    "check_year",
    "compute_dyad_years",
    "compute_dyad_years_on",
    "compute_outreach",
    "first_changed_year",
    "handed_over",
    "index_identity",
    "let_go",
    "lineage_closure",
    "sources_through",
]


@dataclass(frozen=True)
class IndexTable:
    """The dyad-year index as computed for one viewer.

    Attributes:
        table: Arrow table with :data:`EXPORT_COLUMNS`, one row per pair and year.
        settings: The settings used.
        data_version: Digest of the records it was computed from.
        scope: Whose view: ``all``, ``public`` or a nation key.
        horizon: The last year (the present year unless asked otherwise).
        cached: True when read from the cache.
        default_year: The year every view opens on: the last year whose ties are mostly
            observed (docs/methodology.md, "The default year").
        sources: The last year covered of each engagement kind ("data through ...").
    """

    table: Any
    settings: IndexSettings
    data_version: str
    scope: str
    horizon: int
    cached: bool
    default_year: int
    sources: tuple[SourceEnd, ...] = ()

    @property
    def data_through(self) -> str:
        """``data through: exercises 2010, visits 2012, alliances 2018, ...``."""
        return describe_data_through(list(self.sources))

    def first_year(self) -> int:
        """The first year of the table (the horizon when it is empty)."""
        import pyarrow.compute as pc

        found = pc.min(self.table.column("year")).as_py() if self.table.num_rows else None
        return int(found) if found is not None else self.horizon


def _settings(overrides: Mapping[str, Any] | None) -> IndexSettings:
    return default_settings().with_overrides(overrides)


def sources_through(store: Store) -> tuple[SourceEnd, ...]:
    """The last year covered of each engagement kind, from what every source declares."""
    with store.connect() as connection:
        rows = read_coverage(connection)
    return tuple(data_through(rows))


def compute_dyad_years(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
    use_cache: bool = True,
) -> IndexTable:
    """The non-directed dyad-year index for what ``viewer`` may see (cached).

    Args:
        store: The store.
        viewer: Whose view.
        overrides: Settings to change from the defaults (``{"kappa": 30}``).
        horizon: The last year (default: the present year).
        use_cache: Read and write the cache.

    Raises:
        ValidationError: When an override is out of range.
    """
    settings, version, scope, last = index_identity(
        store, viewer, overrides=overrides, horizon=horizon
    )
    directory = analytic_directory(store.describe_url())
    key = cache_key("dyad_years", settings.method_version, settings.digest(), version, scope, last)
    if not use_cache:
        table = _dyad_years(store, viewer, settings, last)
        return _finished(store, viewer, overrides, settings, table, version, scope, last, False)
    hit, value = recall(key)
    if hit:
        remembered_table: IndexTable = value
        return replace(remembered_table, cached=True)

    def load() -> IndexTable:
        with store.connect() as connection:
            found = find_result(connection, key)
        if found is not None and Path(found.path).exists():
            table = read_table(found.path, key)
            done = _finished(store, viewer, overrides, settings, table, version, scope, last, True)
            return _latest(store, done)
        table = _patched(store, viewer, settings, version, last)
        if table is None:
            table = _dyad_years(store, viewer, settings, last)
        # Answered from memory: its Parquet file (other processes, the next start) is written
        # behind the answer (0.7 s at a million engagements).
        store_result_later(
            store, directory, key, "dyad_years", settings, version, scope, last, table
        )
        done = _finished(store, viewer, overrides, settings, table, version, scope, last, False)
        return _latest(store, done)

    return remembered(key, load)


def index_identity(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
) -> tuple[IndexSettings, str, str, int]:
    """Settings, data version, scope and horizon of the index, without computing it.

    What :func:`compute_dyad_years` would name its table (two reads of the store).
    """
    settings = _settings(overrides)
    version = analysed_version(store)
    return settings, version, viewer_scope(viewer), today().year if horizon is None else horizon


def first_changed_year(before: Any, after: Any) -> int | None:
    """The first year in which two dyad-year tables differ in a pair's index (None: nowhere).

    A pair-year present in one table only differs. Later years of a changed pair usually
    differ too (the stock runs forward), so what is computed year by year from the index (the
    network, its layout) may keep every earlier year.
    """
    import pyarrow.compute as pc

    keys = ["iso3_1", "iso3_2", "year"]
    joined = before.select([*keys, "index"]).join(
        after.select([*keys, "index"]),
        keys=keys,
        join_type="full outer",
        left_suffix="_before",
        right_suffix="_after",
    )
    differs = pc.fill_null(
        pc.not_equal(joined.column("index_before"), joined.column("index_after")), True
    )
    found = pc.min(joined.column("year").filter(differs)).as_py()
    return None if found is None else int(found)


_LATEST: dict[tuple[str, str, str, int], IndexTable] = {}
"""The latest table computed in this process for each store, settings digest, scope and horizon:
the base that a few changed records patch (:func:`_patched`)."""
_PATCH_NATIONS = 40
"""Beyond this many nations touched, the whole table is computed again."""
_STATIC: dict[tuple[str, str, int], Snapshot] = {}
"""The codes, coverage, lineage and media of the latest full snapshot of each store, scope and
horizon: a change that touches them makes the next computation a full one, which renews them."""
_HANDOVER: dict[tuple[str, str, int, str], Snapshot] = {}
"""The last full snapshot read, until the next computation of the same view and data takes it
(at most one is kept)."""
_LATEST_LOCK = threading.Lock()


def _forget_latest() -> None:
    with _LATEST_LOCK:
        _LATEST.clear()
        _STATIC.clear()
        _HANDOVER.clear()


on_forget(_forget_latest)


def _latest(store: Store, result: IndexTable) -> IndexTable:
    with _LATEST_LOCK:
        key = (store.describe_url(), result.settings.digest(), result.scope, result.horizon)
        _LATEST[key] = result
    return result


def _patched(
    store: Store, viewer: Viewer, settings: IndexSettings, version: str, horizon: int
) -> Any:
    """The table of ``version`` made from the latest one by recomputing only the touched pairs.

    Every window of the index runs over one pair, so a pair's rows depend only on the records
    that tie its two nations (and on what every source covers, which a write does not change).
    When the changes since the latest table named their nations (a record written, changed or
    deleted), the pairs among those nations, their predecessors and successors are computed
    again from a snapshot of the records that tie two of them, and replace their rows. Returns
    None when that cannot be done (no latest table, another store, media or many changes).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    with _LATEST_LOCK:
        key = (store.describe_url(), settings.digest(), viewer_scope(viewer), horizon)
        previous = _LATEST.get(key)
    if previous is None or previous.data_version == version:
        return None
    records_part = len(version) - 8
    if previous.data_version[records_part:] != version[records_part:]:
        return None  # other media events or another store: recompute everything
    with store.connect() as connection:
        touched = touched_since(connection, previous.data_version[:records_part])
    if touched is None or len(touched) > _PATCH_NATIONS:
        return None
    if not touched:
        return previous.table
    with _LATEST_LOCK:
        like = _STATIC.get((store.describe_url(), viewer_scope(viewer), horizon))
    lineage = like.lineage if like is not None else load_lineage(store)
    chosen = lineage_closure(lineage, set(touched))
    if len(chosen) > _PATCH_NATIONS:
        return None
    snapshot = load_snapshot(store, viewer, horizon=horizon, nations=chosen, like=like)
    keys = pa.array(sorted(chosen), pa.string())
    con = connect_duckdb()
    inputs = register_keyed(con, snapshot)
    # Only the pairs among the chosen: a multilateral record's other participants still count
    # in its size, but their pairs are not computed.
    con.register("among", pa.table({"nation": keys}))
    inputs = replace(inputs, among=True)
    fresh = con.sql(export_sql(settings, snapshot, inputs)).to_arrow_table()

    def among(table: Any) -> Any:
        return pc.and_(
            pc.is_in(table.column("iso3_1"), value_set=keys),
            pc.is_in(table.column("iso3_2"), value_set=keys),
        )

    kept = previous.table.filter(pc.invert(among(previous.table)))
    patched = pa.concat_tables([kept, fresh.filter(among(fresh)).cast(kept.schema)])
    return patched.sort_by(
        [("iso3_1", "ascending"), ("iso3_2", "ascending"), ("year", "ascending")]
    )


def _finished(
    store: Store,
    viewer: Viewer,
    overrides: Mapping[str, Any] | None,
    settings: IndexSettings,
    table: Any,
    version: str,
    scope: str,
    horizon: int,
    cached: bool,
) -> IndexTable:
    """The table with its default year and the years its sources reach."""
    threshold = settings.default_year_observed_share
    if settings.beyond_coverage == "project":
        default_year = default_year_of(table, horizon, threshold)
    else:
        # The default year is where the data are mostly observed, whatever a view does beyond
        # coverage: it is read from the projected table (cached like any other).
        projected = {**dict(overrides or {}), "beyond_coverage": "project"}
        default_year = compute_dyad_years(
            store, viewer, overrides=projected, horizon=horizon
        ).default_year
    return IndexTable(
        table, settings, version, scope, horizon, cached, default_year, sources_through(store)
    )


def _dyad_years(store: Store, viewer: Viewer, settings: IndexSettings, horizon: int) -> Any:
    import pyarrow as pa

    snapshot = load_snapshot(store, viewer, horizon=horizon)
    with _LATEST_LOCK:
        # What a patch reads again is the records: keep the rest (not the records' tables).
        _STATIC[(store.describe_url(), snapshot.scope, horizon)] = replace(
            snapshot, engagements=None, participants=None
        )
        # The next question of a first page is usually the pair-kind table of the same view
        # (a nation's profile): it takes this snapshot instead of reading the records again.
        _HANDOVER.clear()
        _HANDOVER[(store.describe_url(), snapshot.scope, horizon, snapshot.data_version)] = snapshot
    con = connect_duckdb()
    inputs = register_keyed(con, snapshot)
    table = con.sql(export_sql(settings, snapshot, inputs)).to_arrow_table()
    # Arrow's allocator keeps what reading the records freed (about 170 MB at a million
    # engagements): give it back before the networks are measured.
    pa.default_memory_pool().release_unused()
    return table


def compute_dyad_years_on(
    store: Store,
    viewer: Viewer,
    engine: str,
    master: str | None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Any:
    """The dyad-year table computed afresh on ``engine`` (e.g. Spark), read back from Parquet.

    The same query as :func:`compute_dyad_years`, with the same settings, transpiled for the
    engine; the result is written as Parquet by the engine and read back, so it has the same
    columns and order.

    Raises:
        ValidationError: When an override is out of range.
    """
    import tempfile

    from comity.analytics.engines import open_engine, read_parquet_folder

    settings = _settings(overrides)
    snapshot = load_snapshot(store, viewer)
    runner = open_engine(engine, master=master)
    try:
        inputs = register_snapshot(runner, snapshot)
        with tempfile.TemporaryDirectory(prefix="comity-index-") as folder:
            runner.write_parquet(
                export_sql(settings, snapshot, inputs, kinds_as_columns=engine == "duckdb"),
                Path(folder) / "dyad_years",
            )
            table = read_parquet_folder(Path(folder) / "dyad_years")
    finally:
        runner.close()
    return table.sort_by([("iso3_1", "ascending"), ("iso3_2", "ascending"), ("year", "ascending")])


def check_year(year: int | None, result: IndexTable) -> int:
    """The year asked for, or the table's default year.

    Raises:
        NotFoundError: When the year is after the table's last (the present), naming the years
            it has.
    """
    if year is None:
        return result.default_year
    first = result.first_year()
    # Before the first year there are no ties (an empty answer is the truth); after the present
    # there is no index at all.
    if year > result.horizon:
        raise NotFoundError(
            f"No index for {year}: the index runs from {first} to {result.horizon}, and "
            f"{result.default_year} is the last year whose ties are mostly observed "
            f"({result.data_through}).",
            hint=f"Ask for a year from {first} to {result.horizon}.",
        )
    return year


def handed_over(store: Store, viewer: Viewer, horizon: int, *, take: bool = False) -> Any:
    """The full snapshot of this view the last index computation read, while its data is current.

    Kept (at most one) for the questions a first page asks next of the same records. ``take``
    stops keeping it; otherwise :func:`let_go` does, once its last user is done. None when there
    is none.
    """
    with store.connect() as connection:
        version = data_version(connection)
    key = (store.describe_url(), viewer_scope(viewer), horizon, version)
    with _LATEST_LOCK:
        return _HANDOVER.pop(key, None) if take else _HANDOVER.get(key)


def let_go(snapshot: Snapshot) -> None:
    """Stop keeping ``snapshot`` for the next computation (see :func:`handed_over`)."""
    with _LATEST_LOCK:
        for key, kept in list(_HANDOVER.items()):
            if kept is snapshot:
                del _HANDOVER[key]


def lineage_closure(lineage: Any, nations: set[str] | frozenset[str]) -> frozenset[str]:
    """Every state whose records may make a pair of one of ``nations``.

    ``nations``, the states whose ties they carry on or that carry on theirs, over and over, and
    the lineage key of each.
    """
    found = set(nations)
    while True:
        grown = set().union(*(lineage.members(n) for n in found))
        if grown <= found:
            break
        found |= grown
    return frozenset(found | {lineage.keys.get(n, n) for n in found})


def analytic_inputs(
    store: Store, viewer: Viewer, horizon: int | None, *, keyed: bool = False
) -> tuple[Any, Snapshot, Any]:
    """A DuckDB connection with the viewer's snapshot registered, the snapshot, its inputs.

    With ``keyed``, its nations and kinds are ENUMs (:func:`register_keyed`): faster, for a query
    that casts its key columns back to text.
    """
    last = today().year if horizon is None else horizon
    snapshot = handed_over(store, viewer, last, take=True)
    if snapshot is None:
        snapshot = load_snapshot(store, viewer, horizon=horizon)
    con = connect_duckdb()
    inputs = (register_keyed if keyed else register_snapshot)(con, snapshot)
    return con, snapshot, inputs


def compute_outreach(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
) -> Any:
    """Directed outreach: what one nation does toward another, per year.

    One row per ordered pair and year: nation_from, nation_to, year, outreach (0-100),
    projected_share, last_observed_year; built from hosting the other (exercises, courses) and
    going to it (visits, port calls, attaches).
    """
    settings = _settings(overrides)
    con, snapshot, inputs = analytic_inputs(store, viewer, horizon)
    sql = directed_sql(settings, snapshot.horizon, inputs)
    return con.sql(sql + " ORDER BY nation_from, nation_to, year").to_arrow_table()
