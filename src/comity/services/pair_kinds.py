"""Each pair's yearly contribution by kind: the whole table of a view, or one nation's pairs.

A nation's first profile needs only that nation's pairs. When the records of the view are still
at hand (the index computation that came just before read them: :func:`handed_over`), those
pairs are computed from the records that include the nation or a state of its lineage alone, a
few seconds sooner at a million engagements than the whole table; the whole table then follows
in the background (:func:`comity.services.network.nation_profile`). Every pair's rows depend
on its own records only (the same holds for a patch of the index), so a nation's rows are the
ones the whole table has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from comity.access.viewer import Viewer
from comity.analytics.engines import connect_duckdb
from comity.analytics.settings import IndexSettings, default_settings
from comity.analytics.snapshot import Snapshot, load_snapshot
from comity.analytics.tie_index import pair_kind_year_sql
from comity.model.clock import today
from comity.services.analytics import handed_over, let_go, lineage_closure
from comity.services.cache import analysed_version, cache_key, recall, remembered, viewer_scope
from comity.services.index_tables import register_keyed
from comity.store import Store

__all__ = ["compute_pair_kind_years"]


def compute_pair_kind_years(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    horizon: int | None = None,
    nation: str | None = None,
) -> Any:
    """Each pair's yearly contribution by kind, before memory and scale.

    Columns n1, n2, year, kind, c, projected (see
    :func:`comity.analytics.tie_index.pair_kind_year_sql`). Remembered in the process per
    viewer scope, settings and data version.

    Args:
        store: The store.
        viewer: Whose view.
        overrides: Settings to change from the defaults.
        horizon: The last year (default: the current one).
        nation: Only the rows of the pairs that include this nation (its ISO alpha-3 code):
            taken from the whole table when it is known, else computed from the records that
            include it when they are at hand (see the module), else from the whole table.
    """
    settings = default_settings().with_overrides(overrides)
    last = today().year if horizon is None else horizon
    key = cache_key(
        "pair_kinds",
        settings.method_version,
        settings.digest(),
        analysed_version(store),
        viewer_scope(viewer),
        last,
    )
    if nation is not None:
        hit, whole = recall(key)
        if hit:
            return _of_nation(whole, nation)
        at_hand = handed_over(store, viewer, last)
        if at_hand is not None:
            return remembered(
                cache_key(key, nation),
                lambda: _of_nation(_computed(settings, _involving(at_hand, nation)), nation),
            )

    def compute() -> Any:
        snapshot = handed_over(store, viewer, last)
        if snapshot is None:
            return _computed(settings, load_snapshot(store, viewer, horizon=last))
        try:
            return _computed(settings, snapshot)
        finally:
            let_go(snapshot)  # the whole table answers the next questions

    table = remembered(key, compute)
    return table if nation is None else _of_nation(table, nation)


def _computed(settings: IndexSettings, snapshot: Snapshot) -> Any:
    con = connect_duckdb()
    inputs = register_keyed(con, snapshot)
    return con.sql(pair_kind_year_sql(settings, snapshot.horizon, inputs)).to_arrow_table()


def _involving(snapshot: Snapshot, nation: str) -> Snapshot:
    """The snapshot with only the records that include ``nation`` or a state of its lineage.

    Each such record keeps all its participants (they make its size); the media events kept
    are those of pairs with one of those states.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    states = pa.array(sorted(lineage_closure(snapshot.lineage, {nation})), pa.string())
    participants = snapshot.participants
    mine = participants.filter(pc.is_in(participants.column("nation"), value_set=states))
    ids = pc.unique(mine.column("engagement_id"))
    media = snapshot.media
    if media is not None:
        media = media.filter(
            pc.or_(
                pc.is_in(media.column("nation1"), value_set=states),
                pc.is_in(media.column("nation2"), value_set=states),
            )
        )
    return replace(
        snapshot,
        engagements=snapshot.engagements.filter(
            pc.is_in(snapshot.engagements.column("engagement_id"), value_set=ids)
        ),
        participants=participants.filter(
            pc.is_in(participants.column("engagement_id"), value_set=ids)
        ),
        media=media if media is None or media.num_rows else None,
    )


def _of_nation(table: Any, nation: str) -> Any:
    """The rows of ``table`` whose pair includes ``nation``."""
    import pyarrow.compute as pc

    return table.filter(
        pc.or_(pc.equal(table.column("n1"), nation), pc.equal(table.column("n2"), nation))
    )
