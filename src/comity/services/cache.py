"""The cache of analytic results: Parquet files in the analytic store, registered in the store.

A result's key is made of what produced it (kind, method version, settings digest, data version,
the viewer's scope); a change to any of them makes a new key, and writing a result drops the
results of the same kind, scope and settings made from older data.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from comity.access.viewer import Viewer
from comity.analytics.settings import IndexSettings
from comity.config import analytic_directory
from comity.model.clock import today
from comity.store import Store
from comity.store.analytic_cache import CachedResult, record_result
from comity.store.changes import records_version

__all__ = [
    "VersionReader",
    "after_answers",
    "analysed_version",
    "answers_version",
    "cache_key",
    "forget_everything",
    "keep_answer",
    "kept_answer",
    "media_version",
    "on_forget",
    "read_table",
    "recall",
    "remembered",
    "store_result",
    "store_result_later",
    "viewer_scope",
    "wait_for_results",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class _Memo:
    """Answers kept in this process, least recently used first out, within a size budget.

    Keys are cache keys, which include the data version: a stale answer is never found, it
    only ages out. Concurrent callers of one key wait for a single computation.
    """

    def __init__(self, budget: int, max_items: int) -> None:
        self.budget = budget
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key][0]
        return False, None

    def put(self, key: str, value: Any, size: int) -> None:
        with self._lock:
            if key in self._items:
                self._used -= self._items.pop(key)[1]
            self._items[key] = (value, size)
            self._used += size
            while self._items and (self._used > self.budget or len(self._items) > self.max_items):
                _, (_, dropped) = self._items.popitem(last=False)
                self._used -= dropped

    def key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def computed(self, key: str) -> None:
        """Forget the computing lock of ``key`` (its answer is kept, or failed)."""
        with self._lock:
            self._computing.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used = 0


_MEMO = _Memo(budget=768 << 20, max_items=512)
"""Analytic tables and what is derived from them: large, slow to compute."""
_ANSWERS = _Memo(budget=64 << 20, max_items=4096)
"""Small answers to frequent requests (a page of a list, an encoded profile), apart so that
they never push the analytic tables out."""


def _size(value: Any) -> int:
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, list | tuple):
        return 4096 * (len(value) + 1)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    parts = [getattr(value, name, None) for name in ("table", "nation_years", "community_years")]
    found = [getattr(p, "nbytes", None) for p in parts]
    sizes = [n for n in found if isinstance(n, int)]
    return sum(sizes) if sizes else 4096


def recall(key: str) -> tuple[bool, Any]:
    """Whether ``key`` is remembered in this process, and its answer."""
    return _MEMO.get(key)


def remembered(key: str, compute: Callable[[], T], *, small: bool = False) -> T:
    """The answer of ``compute`` for ``key``, computed once per process while it stays warm.

    ``key`` must name everything the answer depends on (use :func:`cache_key` with the data
    version and the viewer's scope). ``small`` answers (pages, encoded documents) are kept
    apart from the analytic tables, in a pool of their own.
    """
    memo = _ANSWERS if small else _MEMO
    found, value = memo.get(key)
    if found:
        return cast(T, value)
    try:
        with memo.key_lock(key):
            found, value = memo.get(key)
            if found:
                return cast(T, value)
            computed = compute()
            memo.put(key, computed, _size(computed))
            return computed
    finally:
        memo.computed(key)


def kept_answer(key: str) -> Any:
    """An encoded answer kept by :func:`keep_answer` (None when there is none)."""
    found, value = _ANSWERS.get(key)
    return value if found else None


def keep_answer(key: str, value: tuple[Any, bytes, bytes | None]) -> None:
    """Keep an encoded answer (headers, body, compressed body) with the small answers."""
    _, body, compressed = value
    _ANSWERS.put(key, value, len(body) + len(compressed or b"") + 512)


def analysed_version(store: Store, connection: Any = None) -> str:
    """The version of what the analytics read: records, media events, and which store.

    The records' count of changes is one primary-key read (on ``connection`` if given).
    """
    if connection is None:
        with store.connect() as connection:
            records = records_version(connection)
    else:
        records = records_version(connection)
    media = media_version(analytic_directory(store.describe_url()))
    # The store's URL too: copies of one store (tests, templates) count changes alike.
    return records + cache_key(media, store.describe_url())[:8]


def answers_version(store: Store, connection: Any = None) -> str:
    """What an answer read from the store depends on besides the request and the viewer's scope.

    :func:`analysed_version`, and today's date (what "the latest year" is).
    """
    return cache_key(analysed_version(store, connection), today().isoformat())


class VersionReader:
    """Reads :func:`answers_version` again and again on a connection of its own.

    One read at a time (its caller's); the connection reads outside transactions (see
    :meth:`comity.store.Store.open_reader`), and is opened again once when a read fails.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._connection: Any = None

    def __call__(self) -> str:
        """The version now."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = self.store.open_reader()
            try:
                return answers_version(self.store, self._connection)
            except Exception:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Give the connection back (a later read opens another)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # a broken connection is discarded by its pool
                logger.debug("closing a broken reader", exc_info=True)


def read_table(path: str | Path, key: str) -> Any:
    """A cached Parquet result, read from disk once per process."""
    import pyarrow.parquet as pq

    # One file, read whole: ``ParquetFile`` (``read_table`` goes through pyarrow.dataset, which
    # imports pandas: 0.4 s more for a command that reads one cached result).
    return remembered("file:" + key, lambda: pq.ParquetFile(path).read())


_FORGETTERS: list[Callable[[], None]] = []


def on_forget(forget: Callable[[], None]) -> None:
    """Call ``forget`` too when every answer is dropped (a module's own kept results)."""
    _FORGETTERS.append(forget)


def forget_everything() -> None:
    """Drop every answer kept in this process (tests; memory pressure).

    Results still being written to the analytic store are written first: what is forgotten
    here can be read back from there.
    """
    wait_for_results()
    _MEMO.clear()
    _ANSWERS.clear()
    for forget in _FORGETTERS:
        forget()


def cache_key(*parts: object) -> str:
    """A digest of everything that produced a result."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def viewer_scope(viewer: Viewer) -> str:
    """Whose view a result is, as its cache keys name it: ``all``, ``public`` or a nation key.

    Viewers of one scope see the same records, so they share the results computed for it.
    """
    return "all" if viewer.unrestricted else (viewer.nation or "public")


def media_version(directory: Path) -> str:
    """A digest of the media-event files of the analytic store (names, sizes, times)."""
    files = sorted((directory / "media_events").glob("*.parquet"))
    files += sorted((directory / "media").glob("*/dyad_years/*.parquet"))
    return repr([(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files])


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
            CachedResult(
                key=key,
                kind=kind,
                method_version=settings.method_version,
                settings_digest=settings.digest(),
                data_version=version,
                scope=scope,
                horizon=horizon,
                path=str(path),
                rows=table.num_rows,
                created_at=datetime.now(UTC),
            ),
        )
    for old in stale:
        Path(old).unlink(missing_ok=True)


_WRITER: ThreadPoolExecutor | None = None
_PENDING: dict[tuple[str, str, str, str, int], int] = {}
"""The latest write asked for each store, kind, scope, settings and horizon: an older one still
waiting is skipped (the newer replaces it anyway)."""
_PENDING_LOCK = threading.Lock()


def after_answers() -> None:
    """Let the calling thread, and the threads it starts, run when the answers leave a core free.

    For work no request waits on (a result's file, a table the next questions may use): on
    Linux, where a thread has its own priority, the thread's nice value becomes 19, which the
    threads it starts inherit (DuckDB's workers, started with the process's database, keep
    theirs: a query's share run in this thread yields, theirs does not). Elsewhere nothing
    changes. It cannot be undone without privileges: call it in threads that do only such work.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:  # a policy of the machine: the work runs as it would have
        logger.debug("could not lower a background thread's priority", exc_info=True)


def _writer() -> ThreadPoolExecutor:
    global _WRITER
    with _PENDING_LOCK:
        if _WRITER is None:
            # One thread: writes land in the order asked, so an older result never replaces a
            # newer one. Its thread is joined when the interpreter exits: nothing is lost.
            _WRITER = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="comity-results", initializer=after_answers
            )
        return _WRITER


def store_result_later(
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
    """:func:`store_result` on a background thread: for a result already answered from memory.

    A patched table (a few pairs changed) is answered at once; writing its Parquet file, which
    other processes and the next start read, need not hold the answer back.
    """
    slot = (store.describe_url(), kind, scope, settings.digest(), horizon)
    with _PENDING_LOCK:
        ticket = _PENDING.get(slot, 0) + 1
        _PENDING[slot] = ticket

    def write() -> None:
        with _PENDING_LOCK:
            if _PENDING.get(slot) != ticket:
                return  # a newer result of the same slot is queued behind this one
        try:
            store_result(store, directory, key, kind, settings, version, scope, horizon, table)
        except Exception:  # a cache file: the answer stands without it
            logger.warning("could not write the %s result %s", kind, key, exc_info=True)

    _writer().submit(write)


def wait_for_results() -> None:
    """Return when every result asked of :func:`store_result_later` so far is written."""
    with _PENDING_LOCK:
        writer = _WRITER
    if writer is not None:
        writer.submit(lambda: None).result()
