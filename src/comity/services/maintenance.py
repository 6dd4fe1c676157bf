"""Use cases of looking after the store: its status, backups and restores (administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from comity.access.viewer import Role, Viewer
from comity.services.engagements import require
from comity.store import Store
from comity.store import backup as backup_store
from comity.store.audit import last_audit_hash
from comity.store.audit_checkpoint import write_checkpoint
from comity.store.backup import BackupReport, RestoreReport
from comity.store.engine import PoolOptions

__all__ = ["StoreStatus", "back_up", "restore", "store_status"]


@dataclass(frozen=True)
class StoreStatus:
    """What ``comity status`` shows of a store.

    Attributes:
        url: The URL, password hidden.
        engine: ``sqlite`` or ``postgresql``.
        revision: The schema's migration (None: never initialised).
        head: The latest migration this comity ships.
        pool: Connection pooling (PostgreSQL), None for SQLite.
    """

    url: str
    engine: str
    revision: str | None
    head: str | None
    pool: PoolOptions | None

    @property
    def up_to_date(self) -> bool:
        """True when the schema is at the latest migration."""
        return self.revision is not None and self.revision == self.head


def store_status(store: Store) -> StoreStatus:
    """The store's engine, schema migration and connection pooling.

    Raises:
        StoreUnavailableError: When the store cannot be reached.
    """
    return StoreStatus(
        url=store.describe(),
        engine="sqlite" if store.is_sqlite else "postgresql",
        revision=store.current_revision(),
        head=store.head_revision(),
        pool=store.pool,
    )


def back_up(store: Store, viewer: Viewer, path: Path) -> BackupReport:
    """Write a backup of the whole store to ``path`` (administrators); it is audited.

    Raises:
        PermissionDeniedError: When the viewer is not an administrator.
        StoreUnavailableError: When the store cannot be read or the tools are missing.
    """
    require(viewer, Role.OPERATOR, "back up the store (every nation's records)")
    return backup_store.back_up(store, path, viewer.name)


def restore(store: Store, viewer: Viewer, path: Path, *, force: bool = False) -> RestoreReport:
    """Replace the whole store with the backup at ``path`` (administrators); it is audited.

    All or nothing: on any failure the store is left as it was.

    Raises:
        PermissionDeniedError: When the viewer is not an administrator.
        BackupError: When the backup is damaged, altered, from a newer comity or another
            engine, or its audit log is broken.
        ConflictError: When the store holds records and ``force`` is off.
    """
    require(viewer, Role.OPERATOR, "restore the store (every nation's records)")
    report = backup_store.restore(store, path, viewer.name, force=force)
    # The restored log has its own last entry: checkpoint it, or verify would see the old one.
    with store.connect() as connection:
        head = last_audit_hash(connection)
    if head is not None:
        write_checkpoint(store.checkpoint_url(), head)
    return report
