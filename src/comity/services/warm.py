"""Warm start: what the first pages need, prepared while the server starts.

The index of each view the store's users have (their nation's, or all records for those who see
everything) and the data-quality report are computed in a background thread, most shared view
first; a result already in the analytic store (written by the last run, same data) is read
rather than computed. A request that arrives meanwhile waits for the same computation instead
of starting its own (:func:`comity.services.cache.remembered`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from comity.access.viewer import Viewer
from comity.store import Store

__all__ = [
    "ANALYTIC_LIBRARIES",
    "import_in_background",
    "warm_up",
    "warm_up_in_background",
    "warm_views",
]

_LOG = logging.getLogger("comity.warm")


ANALYTIC_LIBRARIES = ("numpy", "pyarrow", "pyarrow.compute", "pyarrow.parquet", "duckdb", "igraph")
"""What the first analytic answer imports: 2-3 s, igraph bringing matplotlib with it."""


def import_in_background(modules: tuple[str, ...] = ANALYTIC_LIBRARIES) -> threading.Thread:
    """Import ``modules`` in a daemon thread.

    A new server's first analytic answer then does not wait for them (a request that needs one
    meanwhile waits for the same import).
    """
    import importlib

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the request that needs it imports it again and says why
                _LOG.warning("could not import %s", name, exc_info=True)

    thread = threading.Thread(target=run, name="comity-imports", daemon=True)
    thread.start()
    return thread


def warm_views(store: Store, limit: int = 6) -> list[Viewer]:
    """The views to prepare: those of the most enabled users first, at most ``limit``.

    With no users yet, the view of all records (the operator's).
    """
    from comity.services.accounts import list_users, viewer_of
    from comity.services.cache import viewer_scope

    users = [u for u in list_users(store, Viewer.operator("warm-up")) if not u.disabled]
    counts: Counter[str] = Counter()
    first: dict[str, Viewer] = {}
    for user in users:
        viewer = viewer_of(user)
        scope = viewer_scope(viewer)
        counts[scope] += 1
        first.setdefault(scope, viewer)
    chosen = [first[scope] for scope, _ in counts.most_common(limit)]
    return chosen or [Viewer.operator("warm-up")]


def warm_up(store: Store, limit: int = 6) -> list[tuple[str, float]]:
    """Prepare the index and the quality report of each view; returns (scope, seconds) each."""
    from comity.services.analytics import compute_dyad_years
    from comity.services.cache import viewer_scope
    from comity.services.quality import quality_report

    done = []
    for viewer in warm_views(store, limit):
        started = time.perf_counter()
        compute_dyad_years(store, viewer)
        quality_report(store, viewer)
        done.append((viewer_scope(viewer), time.perf_counter() - started))
    return done


def warm_up_in_background(store: Store) -> threading.Thread:
    """Run :func:`warm_up` in a daemon thread; a failure is logged, never raised."""

    def run() -> None:
        try:
            for scope, seconds in warm_up(store):
                _LOG.info("prepared the view %s in %.1f s", scope, seconds)
        except Exception:  # a warm-up is a courtesy: the pages compute what it could not
            _LOG.warning("warm-up stopped", exc_info=True)

    thread = threading.Thread(target=run, name="comity-warm-up", daemon=True)
    thread.start()
    return thread
