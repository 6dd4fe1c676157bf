"""Use cases of the analytics: the dyad-year index (cached), ties, a pair's history, outreach.

Every result is computed from what the viewer may see (the snapshot applies the releasability
filter) and records the method version and the settings' digest. Results are cached as Parquet in
the analytic store, registered in the store under a key made of the method version, the settings,
the data version and the viewer's scope: a change to the data makes a new key, and the stale file
is dropped when the new one is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.settings import IndexSettings, default_settings
from comity.analytics.snapshot import Snapshot, load_snapshot
from comity.analytics.tie_index import (
    directed_sql,
    dyad_years_sql,
    pair_kind_year_sql,
    register_inputs,
)
from comity.config import analytic_directory
from comity.errors import FieldProblem, NotFoundError, ValidationError
from comity.services.cache import (
    cache_key,
    media_version,
    read_table,
    recall,
    remembered,
    store_result,
)
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store.analytic_cache import find_result
from comity.store.analytic_inputs import data_version

__all__ = [
    "IndexTable",
    "compute_dyad_years",
    "compute_dyad_years_on",
    "compute_outreach",
    "compute_pair_kind_years",
    "dyad_history",
    "list_ties",
    "pair_report",
    "resolve_nation",
]

EXPORT_COLUMNS = ("iso3_1", "iso3_2", "ccode1", "ccode2", "year", "index", "interoperability",
                  "institutional", "cultural", "continuity", "diversity", "method_version",
                  "settings_digest")  # fmt: skip


@dataclass(frozen=True)
class IndexTable:
    """The dyad-year index as computed for one viewer.

    Attributes:
        table: Arrow table with :data:`EXPORT_COLUMNS`, one row per pair and year.
        settings: The settings used.
        data_version: Digest of the records it was computed from.
        scope: Whose view: ``all``, ``public`` or a nation key.
        horizon: The last year.
        cached: True when read from the cache.
    """

    table: Any
    settings: IndexSettings
    data_version: str
    scope: str
    horizon: int
    cached: bool


def _scope(viewer: Viewer) -> str:
    return "all" if viewer.unrestricted else (viewer.nation or "public")


def _settings(overrides: Mapping[str, Any] | None) -> IndexSettings:
    return default_settings().with_overrides(overrides)


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
        horizon: The last year (default: the latest year of the data).
        use_cache: Read and write the cache.

    Raises:
        ValidationError: When an override is out of range.
    """
    settings = _settings(overrides)
    store.check_ready()
    directory = analytic_directory(store.describe_url())
    scope = _scope(viewer)
    version = _version(store, directory)
    key = cache_key(
        "dyad_years", settings.method_version, settings.digest(), version, scope, horizon
    )
    if not use_cache:
        return _dyad_years(store, viewer, settings, horizon, version, scope)
    hit, value = recall(key)
    if hit:
        remembered_table: IndexTable = value
        return replace(remembered_table, cached=True)

    def load() -> IndexTable:
        with store.connect() as connection:
            found = find_result(connection, key)
        if found is not None and Path(found.path).exists():
            return IndexTable(read_table(found.path, key), settings, version, scope,
                              found.horizon, cached=True)  # fmt: skip
        result = _dyad_years(store, viewer, settings, horizon, version, scope)
        store_result(store, directory, key, "dyad_years", settings, version, scope,
                     result.horizon, result.table)  # fmt: skip
        return result

    return remembered(key, load)


def _version(store: Store, directory: Path) -> str:
    """The version of what the analytics read: records, media events, and which store."""
    with store.connect() as connection:
        records = data_version(connection)
    # The store's URL too: copies of one store (tests, templates) count changes alike.
    return records + cache_key(media_version(directory), store.describe_url())[:8]


def _dyad_years(
    store: Store,
    viewer: Viewer,
    settings: IndexSettings,
    horizon: int | None,
    version: str,
    scope: str,
) -> IndexTable:
    import duckdb

    snapshot = load_snapshot(store, viewer, horizon=horizon)
    con = duckdb.connect()
    register_inputs(con, snapshot.engagements, snapshot.participants, snapshot.media,
                    first_year=_first_year(snapshot), horizon=snapshot.horizon)  # fmt: skip
    con.register("ccodes", snapshot.ccodes)
    table = con.sql(_export_sql(settings, snapshot)).to_arrow_table()
    return IndexTable(table, settings, version, scope, snapshot.horizon, cached=False)


def _export_sql(settings: IndexSettings, snapshot: Snapshot) -> str:
    """The dyad-year table with CoW codes and the method, in DuckDB's dialect (any engine)."""
    sql = dyad_years_sql(settings, snapshot.horizon, with_media=snapshot.media is not None)
    return f"""
        SELECT d.iso3_1, d.iso3_2, c1.ccode AS ccode1, c2.ccode AS ccode2, d.year, d."index",
               d.interoperability, d.institutional, d.cultural, d.continuity, d.diversity,
               '{settings.method_version}' AS method_version,
               '{settings.digest()}' AS settings_digest
        FROM ({sql}) d
        LEFT JOIN ccodes c1 ON c1.nation = d.iso3_1 AND c1.year = d.year
        LEFT JOIN ccodes c2 ON c2.nation = d.iso3_2 AND c2.year = d.year
        ORDER BY d.iso3_1, d.iso3_2, d.year
        """


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
    store.check_ready()
    snapshot = load_snapshot(store, viewer)
    runner = open_engine(engine, master=master)
    try:
        for name, table in (("engagements", snapshot.engagements),
                            ("participants", snapshot.participants), ("media", snapshot.media),
                            ("ccodes", snapshot.ccodes)):  # fmt: skip
            if table is not None:
                runner.register(name, table)
        with tempfile.TemporaryDirectory(prefix="comity-index-") as folder:
            runner.write_parquet(_export_sql(settings, snapshot), Path(folder) / "dyad_years")
            table = read_parquet_folder(Path(folder) / "dyad_years")
    finally:
        runner.close()
    return table.sort_by([("iso3_1", "ascending"), ("iso3_2", "ascending"), ("year", "ascending")])


def _first_year(snapshot: Snapshot) -> int:
    import pyarrow.compute as pc

    years = [pc.min(snapshot.engagements.column("first_year")).as_py()]
    if snapshot.media is not None:
        years.append(pc.min(snapshot.media.column("year")).as_py())
    known = [int(y) for y in years if y is not None]
    return min(known) if known else snapshot.horizon


@dataclass(frozen=True)
class Tie:
    """A partner of a nation in one year, with the index and its parts."""

    partner: str
    year: int
    index: float
    interoperability: float
    institutional: float
    cultural: float
    continuity: float
    diversity: float


def _default_year(year: int | None, result: IndexTable) -> int:
    return result.horizon if year is None else year


def list_ties(
    store: Store,
    viewer: Viewer,
    nation: str,
    *,
    year: int | None = None,
    top: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[list[Tie], IndexTable]:
    """A nation's partners in a year (default: the latest), strongest first.

    Raises:
        UnknownNationError: When ``nation`` names no nation.
        ValidationError: When ``top`` is not positive.
    """
    if top is not None and top < 1:
        raise ValidationError([FieldProblem("top", "must be 1 or more", str(top))], "query")
    key = resolve_nation(nation, year=year).iso3
    result = compute_dyad_years(store, viewer, overrides=overrides)
    chosen = _default_year(year, result)
    memo = cache_key("ties", result.settings.digest(), result.data_version, result.scope, key,
                     chosen, top)  # fmt: skip
    return remembered(memo, lambda: _ties(result, key, chosen, top)), result


def _ties(result: IndexTable, key: str, chosen: int, top: int | None) -> list[Tie]:
    import pyarrow.compute as pc

    t = result.table
    rows = t.filter(
        pc.and_(
            pc.equal(t.column("year"), chosen),
            pc.or_(pc.equal(t.column("iso3_1"), key), pc.equal(t.column("iso3_2"), key)),
        )
    ).to_pylist()
    ties = [
        Tie(
            partner=r["iso3_2"] if r["iso3_1"] == key else r["iso3_1"],
            year=r["year"],
            **{
                f: r[f]
                for f in (
                    "index",
                    "interoperability",
                    "institutional",
                    "cultural",
                    "continuity",
                    "diversity",
                )
            },  # fmt: skip
        )
        for r in rows
        if r["index"] > 0
    ]
    ties.sort(key=lambda tie: (-tie.index, tie.partner))
    return ties[:top] if top else ties


def dyad_history(
    store: Store,
    viewer: Viewer,
    first: str,
    second: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[str, str, list[dict[str, Any]], IndexTable]:
    """Every year of a pair's index with its components (oldest first).

    Returns:
        The two keys in table order, the rows, and the table they come from.

    Raises:
        UnknownNationError: When a nation does not resolve.
        NotFoundError: When the pair has no ties at all in what the viewer may see.
    """
    import pyarrow.compute as pc

    a, b = sorted((resolve_nation(first).iso3, resolve_nation(second).iso3))
    if a == b:
        raise ValidationError([FieldProblem("nations", "name two different nations", a)], "pair")
    result = compute_dyad_years(store, viewer, overrides=overrides)
    t = result.table
    rows = t.filter(
        pc.and_(pc.equal(t.column("iso3_1"), a), pc.equal(t.column("iso3_2"), b))
    ).to_pylist()
    if not rows:
        raise NotFoundError(
            f"No recorded ties between {a} and {b}.",
            hint="Check the names, or the records you may see (comity engagements list).",
        )
    return a, b, rows, result


def _inputs(store: Store, viewer: Viewer, horizon: int | None) -> tuple[Any, Snapshot]:
    import duckdb

    snapshot = load_snapshot(store, viewer, horizon=horizon)
    con = duckdb.connect()
    register_inputs(con, snapshot.engagements, snapshot.participants, snapshot.media,
                    first_year=_first_year(snapshot), horizon=snapshot.horizon)  # fmt: skip
    return con, snapshot


def compute_outreach(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
) -> Any:
    """Directed outreach: what one nation does toward another, per year.

    One row per ordered pair and year: nation_from, nation_to, year, outreach (0-100), built from
    hosting the other (exercises, courses) and going to it (visits, port calls, attaches).
    """
    settings = _settings(overrides)
    store.check_ready()
    con, snapshot = _inputs(store, viewer, horizon)
    sql = directed_sql(settings, snapshot.horizon, with_media=snapshot.media is not None)
    return con.sql(sql + " ORDER BY nation_from, nation_to, year").to_arrow_table()


def compute_pair_kind_years(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
) -> Any:
    """Each pair's yearly contribution by kind (n1, n2, year, kind, c), before memory and scale.

    Remembered in the process per viewer scope, settings and data version.
    """
    settings = _settings(overrides)
    store.check_ready()
    version = _version(store, analytic_directory(store.describe_url()))
    key = cache_key("pair_kinds", settings.method_version, settings.digest(), version,
                    _scope(viewer), horizon)  # fmt: skip

    def compute() -> Any:
        con, snapshot = _inputs(store, viewer, horizon)
        sql = pair_kind_year_sql(settings, snapshot.horizon, with_media=snapshot.media is not None)
        return con.sql(sql).to_arrow_table()

    return remembered(key, compute)


def pair_report(
    store: Store,
    viewer: Viewer,
    first: str,
    second: str,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A pair's history with the challenges beside each year, and the engagements behind it.

    Returns a JSON-ready mapping: ``title``, ``pair``, ``columns``, ``years`` (one mapping per
    year: the index and its parts, then the challenges, missing ones as None), ``notes``,
    ``engagements`` (the most recent 20 the viewer may see), ``friction`` (bureaucratic
    friction of the pair's plans, see :func:`comity.services.plans.pair_friction`),
    ``method_version`` and ``settings_digest``.
    """
    from comity.analytics.challenges import create_pair_challenges
    from comity.services.engagements import list_engagements
    from comity.services.plans import pair_friction

    a, b, rows, result = dyad_history(store, viewer, first, second, overrides=overrides)
    challenges = create_pair_challenges(store, a, b, in_system_only=False)
    by_year = {row["year"]: row for row in challenges.rows()}
    keep = (
        "ideological_distance", "polity_distance", "disputes_50y", "fatal_disputes_50y",
        "last_dispute_year", "rivalry", "major_power_gap", "media_tone", "media_events",
    )  # fmt: skip
    years = []
    for row in rows:
        extra = by_year.get(row["year"], {})
        years.append(
            {
                **{
                    k: row[k]
                    for k in (
                        "year",
                        "index",
                        "interoperability",
                        "institutional",
                        "cultural",
                        "continuity",
                        "diversity",
                    )
                },  # fmt: skip
                **{k: extra.get(k) for k in keep},
            }
        )
    engagements = list_engagements(store, viewer, nation=a, partner=b)
    names = {key: resolve_nation(key).name for key in (a, b)}
    return {
        "title": f"{names[a]} ({a}) and {names[b]} ({b})",
        "pair": [a, b],
        "columns": [
            "year",
            "index",
            "interoperability",
            "institutional",
            "cultural",
            "continuity",
            "diversity",
            *keep,
        ],  # fmt: skip
        "years": years,
        "notes": list(challenges.notes),
        "engagements": [s.to_dict() for s in engagements[-20:]],
        "engagement_count": len(engagements),
        "friction": pair_friction(store, viewer, a, b),
        "method_version": result.settings.method_version,
        "settings_digest": result.settings.digest(),
    }
