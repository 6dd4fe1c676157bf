"""Back up and restore the embedded SQLite store.

A backup copies the live file with SQLite's online backup API in one step, so it is one
consistent snapshot even while the server writes (write-ahead logging lets writers go on). A
restore builds the new database beside the target under a temporary name, checks, migrates and
audits it there, and only then renames it over the target: the target is either the old store
or the restored one, never a mixture.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from comity.errors import BackupError, StoreUnavailableError
from comity.store.backup import (
    Manifest,
    RestoreReport,
    audit_tail,
    check_contents,
    count_rows,
    finish_restore,
    make_manifest,
    refuse_overwrite,
    verify_audit_log,
)
from comity.store.engine import Store, open_store

__all__ = ["dump_sqlite", "restore_sqlite"]


@contextmanager
def _plain(path: Path) -> Iterator[Connection]:
    # No pool and no pragmas: the file is read as it is, and closed at once.
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _database_file(store: Store) -> Path:
    database = store.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StoreUnavailableError(
            f"The store at {store.describe()} is not a file; it cannot be backed up or restored.",
            hint="Use a store such as sqlite:///path/to/comity.db.",
        )
    return Path(database).expanduser()


def dump_sqlite(store: Store, folder: Path) -> Manifest:
    """Copy the store into ``folder`` with the online backup API; return its manifest.

    Raises:
        StoreUnavailableError: When the store is not a file or cannot be read.
    """
    _database_file(store)
    copy = folder / "comity.db"
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with closing(sqlite3.connect(copy)) as target:
            # One step (pages=-1): the copy is a single snapshot of the source.
            source.backup(target)
            # A self-contained file: no write-ahead log beside it.
            target.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise StoreUnavailableError(f"Cannot back up {store.describe()}: {error}") from None
    finally:
        raw.close()
    with _plain(copy) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        tables, audit = count_rows(connection), audit_tail(connection)
    return make_manifest("sqlite", revision, tables, audit, copy)


def _remove_beside(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    # Fold the target's write-ahead log into it, so no stale log outlives the swap.
    with closing(sqlite3.connect(path, timeout=5)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _prepare(
    staging: Path, path: Path, manifest: Manifest, actor: str, migrate: bool
) -> RestoreReport:
    staged = open_store(f"sqlite:///{staging}")
    try:
        with staged.connect() as connection:
            verdict = connection.exec_driver_sql("PRAGMA integrity_check").scalar_one()
            if verdict != "ok":
                raise BackupError(f"{path} holds a damaged database: {verdict}.")
            check_contents(connection, manifest, path)
        if migrate:
            staged.migrate()
        with staged.connect() as connection:
            audit = verify_audit_log(connection, path)
        with staged.transaction() as connection:
            finish_restore(connection, actor, path, manifest)
        with staged.connect() as connection:
            tables = count_rows(connection)
        with staged.transaction() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return RestoreReport(
            manifest=manifest,
            revision=staged.current_revision(),
            migrated=migrate,
            tables=tables,
            audit=audit,
        )
    except DBAPIError as error:
        raise BackupError(f"{path} holds a damaged database: {error.orig}.") from None
    finally:
        staged.dispose()


def restore_sqlite(
    store: Store,
    path: Path,
    data: Path,
    manifest: Manifest,
    actor: str,
    *,
    force: bool,
    migrate: bool,
) -> RestoreReport:
    """Replace the store's file with the backup's database, in one rename.

    Args:
        store: The target; no other process may have it open.
        path: The backup archive (for messages and the audit entry).
        data: Its extracted database, already checked against the manifest.
        manifest: The backup's manifest.
        actor: Who restores.
        force: Replace a store that holds records.
        migrate: Migrate the restored database to the latest schema.

    Raises:
        BackupError: When the database is damaged, differs from its manifest or its audit log
            is broken; the target is left as it was.
        ConflictError: When the target holds records and ``force`` is off.
    """
    target = _database_file(store)
    occupied = target.exists() and refuse_overwrite(store, force)
    staging = target.parent / f".{target.name}.restore-{secrets.token_hex(4)}"
    try:
        shutil.copyfile(data, staging)
        report = _prepare(staging, path, manifest, actor, migrate)
        _remove_beside(staging)
        store.dispose()
        if target.exists():
            _checkpoint(target)
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, target)
        _remove_beside(target)
    except BaseException:
        staging.unlink(missing_ok=True)
        _remove_beside(staging)
        raise
    return RestoreReport(
        manifest=report.manifest,
        revision=report.revision,
        migrated=report.migrated,
        tables=report.tables,
        audit=report.audit,
        replaced_data=occupied,
    )
