"""The network's layout for the web: positions of every year, kept per view and data version.

Computed by :func:`comity.analytics.layout.compute_layout` over the network of
:func:`comity.services.network.compute_network`; after a change, only the years from the first
one it moved are laid out again. A page that must not wait answers the layout before the change
(``refreshing``) while the new one is computed in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comity.access.viewer import Viewer
from comity.config import analytic_directory
from comity.services.analytics import index_identity
from comity.services.cache import (
    cache_key,
    on_forget,
    read_table,
    recall,
    remembered,
    store_result,
)
from comity.services.network import (
    NetworkTables,
    compute_network,
    first_year_to_compute,
    view_slot,
)
from comity.store import Store
from comity.store.analytic_cache import find_result

if TYPE_CHECKING:
    from comity.analytics.layout import YearTable

__all__ = ["NetworkLayout", "compute_network_layout"]

logger = logging.getLogger(__name__)

_Slot = tuple[str, str, str, int]
_LATEST_LAYOUT: dict[_Slot, NetworkLayout] = {}
"""The latest layout computed in this process for each view (see :func:`view_slot`)."""
_REFRESHING: set[_Slot] = set()
_LATEST_LOCK = threading.Lock()


def _forget_latest() -> None:
    with _LATEST_LOCK:
        _LATEST_LAYOUT.clear()


on_forget(_forget_latest)


@dataclass(frozen=True)
class NetworkLayout:
    """Every year's positions and community colours for one viewer (:func:`compute_network_layout`).

    Attributes:
        positions: Arrow table, one row per nation and year: nation, year, x, y, colour.
        extent: The smallest and largest x, then y, over every year, so that a picture can keep
            one frame from year to year.
        network: The network tables the layout was made from.
        cached: Whether the layout was read from the cache.
        by_year: The positions, found by year.
        ties: The network's ties by year, strongest first.
        refreshing: True when this is the layout of earlier data, answered while the layout of
            the latest data is being computed (see :func:`compute_network_layout`).
    """

    positions: Any
    extent: tuple[float, float, float, float]
    network: NetworkTables
    cached: bool
    by_year: YearTable
    ties: YearTable
    refreshing: bool = False

    @property
    def nbytes(self) -> int:
        """The size of the positions and ties, as the cache of answers counts it."""
        return int(self.positions.nbytes + self.ties.table.nbytes)

    def strongest_ties(self, year: int, min_index: float, limit: int) -> tuple[int, list[Any]]:
        """How many of the year's ties reach ``min_index``, and the ``limit`` strongest of them.

        See :func:`comity.analytics.layout.strongest_ties`.
        """
        from comity.analytics.layout import strongest_ties

        return strongest_ties(self.ties, year, min_index, limit)


def compute_network_layout(
    store: Store,
    viewer: Viewer,
    *,
    overrides: Mapping[str, Any] | None = None,
    use_cache: bool = True,
    wait: bool = True,
) -> NetworkLayout:
    """Positions of every year's network, each year started from the year before, cached.

    Unit of analysis: the nation-year (ISO alpha-3). The layout and its community colours are
    those of :func:`comity.analytics.layout.compute_layout` over the network of
    :func:`compute_network`, kept like it per settings, data version and viewer scope. After a
    change, only the years from the first one it moved are computed again.

    Args:
        store: The store.
        viewer: Whose view.
        overrides: Settings to change from the defaults.
        use_cache: Read and write the cache.
        wait: False: when the data changed since the latest layout of this view and the new one
            is not ready, answer the latest (``refreshing``) and compute the new one in the
            background (a page that must not keep its reader waiting).
    """
    from comity.analytics.layout import LAYOUT_VERSION, compute_layout

    def key_of(settings_digest: str, version: str, scope: str, horizon: int) -> str:
        return cache_key("network-layout", LAYOUT_VERSION, settings_digest, version, scope, horizon)

    if not wait and use_cache:
        settings, version, scope, horizon = index_identity(store, viewer, overrides=overrides)
        slot = (store.describe_url(), settings.digest(), scope, horizon)
        with _LATEST_LOCK:
            latest = _LATEST_LAYOUT.get(slot)
        if latest is not None and latest.network.index.data_version != version:
            hit, value = recall(key_of(settings.digest(), version, scope, horizon))
            if hit:
                ready: NetworkLayout = value
                return replace(ready, cached=True)
            _refresh(slot, lambda: compute_network_layout(store, viewer, overrides=overrides))
            return replace(latest, cached=True, refreshing=True)

    tables = compute_network(store, viewer, overrides=overrides, use_cache=use_cache)
    index = tables.index
    key = key_of(index.settings.digest(), index.data_version, index.scope, index.horizon)

    def compute() -> NetworkLayout:
        with _LATEST_LOCK:
            base = _LATEST_LAYOUT.get(view_slot(store, index)) if use_cache else None
        resume: dict[str, Any] = {}
        if base is not None and base.network.index.data_version != index.data_version:
            resume = {
                "since": first_year_to_compute(base.network.index, index),
                "before": base.positions,
            }
        positions = compute_layout(index.table, tables.nation_years, **resume)
        return _layout_of(positions, tables, cached=False)

    if not use_cache:
        return compute()

    def load() -> NetworkLayout:
        with store.connect() as connection:
            found = find_result(connection, key)
        if found and Path(found.path).exists():
            return _latest_layout(
                store, _layout_of(read_table(found.path, key), tables, cached=True)
            )
        layout = _latest_layout(store, compute())
        store_result(
            store,
            analytic_directory(store.describe_url()),
            key,
            "network_layout",
            index.settings,
            index.data_version,
            index.scope,
            index.horizon,
            layout.positions,
        )
        return layout

    hit, value = recall(key)
    if hit:
        remembered_layout: NetworkLayout = value
        return replace(remembered_layout, cached=True)
    return remembered(key, load)


def _latest_layout(store: Store, layout: NetworkLayout) -> NetworkLayout:
    with _LATEST_LOCK:
        _LATEST_LAYOUT[view_slot(store, layout.network.index)] = layout
    return layout


def _refresh(slot: _Slot, compute: Callable[[], Any]) -> None:
    """Run ``compute`` on a background thread, unless one runs already for ``slot``."""
    with _LATEST_LOCK:
        if slot in _REFRESHING:
            return
        _REFRESHING.add(slot)

    def run() -> None:
        try:
            compute()
        except Exception:  # the page asks again and meets the error itself
            logger.warning("refreshing the network failed", exc_info=True)
        finally:
            with _LATEST_LOCK:
                _REFRESHING.discard(slot)

    threading.Thread(target=run, name="comity-network-refresh", daemon=True).start()


def _layout_of(positions: Any, tables: NetworkTables, *, cached: bool) -> NetworkLayout:
    from comity.analytics.layout import YearTable, layout_extent, sort_ties_by_year

    ties = sort_ties_by_year(tables.index.table)
    extent = layout_extent(positions)
    return NetworkLayout(positions, extent, tables, cached, YearTable.of(positions), ties)
