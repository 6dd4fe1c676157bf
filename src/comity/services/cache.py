"""The cache of analytic results: Parquet files in the analytic store, registered in the store.

A result's key is made of what produced it (kind, method version, settings digest, data version,
the viewer's scope); a change to any of them makes a new key, and writing a result drops the
results of the same kind, scope and settings made from older data.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comity.analytics.settings import IndexSettings
from comity.store import Store
from comity.store.analytic_cache import CachedResult, record_result

__all__ = ["cache_key", "media_version", "store_result"]


def cache_key(*parts: object) -> str:
    """A digest of everything that produced a result."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def media_version(directory: Path) -> str:
    """A digest of the media-event files of the analytic store (names, sizes, times)."""
    files = sorted((directory / "media_events").glob("*.parquet"))
    return repr([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files])


def store_result(
    store: Store,
    directory: Path,
    key: str,
    kind: str,
    settings: IndexSettings,
    version: str,
    scope: str,
    horizon: int,
    table: Any,
) -> None:
    """Write a result as Parquet (atomically), register it, and delete the results it replaces."""
    import pyarrow.parquet as pq

    folder = directory / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{key}.parquet"
    staged = path.with_suffix(".partial")
    pq.write_table(table, staged)
    os.replace(staged, path)
    with store.transaction() as connection:
        stale = record_result(
            connection,
            CachedResult(key=key, kind=kind, method_version=settings.method_version,
                         settings_digest=settings.digest(), data_version=version, scope=scope,
                         horizon=horizon, path=str(path), rows=table.num_rows,
                         created_at=datetime.now(UTC)),
        )  # fmt: skip
    for old in stale:
        Path(old).unlink(missing_ok=True)
