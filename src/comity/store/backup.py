"""Backups of the store: one archive file holding a manifest and the database's own dump.

The archive is a tar file with two members: ``manifest.json`` (what the backup holds: comity's
version, the schema's migration, the engine, when, the row count of every table, the audit log's
length and last hash, and the sha256 of the data member) and the data itself, written by the
engine's own tool: SQLite's online backup API (``comity.db``) or ``pg_dump --format=custom``
(``comity.pgdump``). Restore checks the manifest before it touches the target, and the target's
contents after loading, and either replaces the whole store or leaves it as it was.

The engine-specific halves live in :mod:`comity.store.backup_sqlite` and
:mod:`comity.store.backup_postgres`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection

from comity.access.audit import ChainReport, verify_chain
from comity.errors import BackupError, ConflictError, StoreUnavailableError
from comity.store.audit import append_audit, iter_audit
from comity.store.changes import change_counters
from comity.store.engine import Store, alembic_config
from comity.store.tables_access import audit_log

__all__ = [
    "BACKUP_FORMAT",
    "BackupReport",
    "Manifest",
    "RestoreReport",
    "back_up",
    "read_manifest",
    "restore",
]

BACKUP_FORMAT = "comity-backup/1"
"""The archive layout written and read by this comity."""

_MANIFEST = "manifest.json"
_DATA = {"sqlite": "comity.db", "postgresql": "comity.pgdump"}
_CHUNK = 1 << 20

# Filled by `comity init` from the bundled reference data: a store holding only these is empty.
_SEEDED = {
    "nations",
    "nation_codes",
    "state_spells",
    "organisations",
    "memberships",
    "change_counters",
    "analytic_results",
    "record_changes",
    "alembic_version",
}


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside the data inside the archive.

    Attributes:
        comity_version: The comity that wrote it.
        revision: The schema's migration at the time (None: never initialised).
        engine: ``sqlite`` or ``postgresql``.
        created_at: When (UTC, ISO 8601).
        tables: Rows in each table.
        audit_entries: Entries in the audit log.
        audit_last_hash: The hash of its last entry (None when empty).
        data_file: The archive member holding the data.
        sha256: The data member's digest.
        size: The data member's size in bytes.
        format: The archive layout, :data:`BACKUP_FORMAT`.
    """

    comity_version: str
    revision: str | None
    engine: str
    created_at: str
    tables: dict[str, int]
    audit_entries: int
    audit_last_hash: str | None
    data_file: str
    sha256: str
    size: int
    format: str = BACKUP_FORMAT

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class BackupReport:
    """A backup just written: where, and its manifest."""

    path: Path
    manifest: Manifest


@dataclass(frozen=True)
class RestoreReport:
    """A restore just done.

    Attributes:
        manifest: The backup's manifest.
        revision: The schema's migration after restoring (the latest comity knows).
        migrated: True when the backup was older and was migrated.
        tables: Rows in each table after restoring (the restore's own audit entry included).
        audit: The audit log's check after restoring.
        replaced_data: True when the target held records that the backup replaced.
    """

    manifest: Manifest
    revision: str | None
    migrated: bool
    tables: dict[str, int] = field(default_factory=dict)
    audit: ChainReport = field(default_factory=lambda: ChainReport(0, None, None))
    replaced_data: bool = False


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows in every table of the database's default schema, by name."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {
        name: int(
            connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
        )
        for name in names
    }


def audit_tail(connection: Connection) -> tuple[int, str | None]:
    """The audit log's length and last hash (0 and None when it has no table yet)."""
    if not sa.inspect(connection).has_table(audit_log.name):
        return 0, None
    count = connection.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
    last = connection.execute(
        sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    return int(count), last


def held_records(connection: Connection) -> dict[str, int]:
    """Rows in each table beyond the reference data ``comity init`` seeds (empty: none)."""
    return {name: n for name, n in count_rows(connection).items() if n and name not in _SEEDED}


def make_manifest(
    engine: str,
    revision: str | None,
    tables: dict[str, int],
    audit: tuple[int, str | None],
    data: Path,
) -> Manifest:
    """The manifest of a data file just written."""
    return Manifest(
        comity_version=package_version("comity"),
        revision=revision,
        engine=engine,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tables=tables,
        audit_entries=audit[0],
        audit_last_hash=audit[1],
        data_file=_DATA[engine],
        sha256=sha256_of(data),
        size=data.stat().st_size,
    )


def write_archive(path: Path, manifest: Manifest, data: Path) -> None:
    """Write the archive beside ``path`` and move it into place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        encoded = json.dumps(manifest.to_dict(), indent=2, sort_keys=True).encode("utf-8")
        with tarfile.open(temporary, "w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo(_MANIFEST)
            info.size, info.mtime, info.mode = len(encoded), int(data.stat().st_mtime), 0o600
            archive.addfile(info, io.BytesIO(encoded))
            archive.add(data, arcname=manifest.data_file, recursive=False)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o600)  # a backup holds every record, releasable or not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _refuse(path: Path, why: str) -> BackupError:
    return BackupError(
        f"{path} is not a usable comity backup: {why}.",
        hint="Check the file was copied whole; `comity backup FILE` writes a new one.",
    )


def read_manifest(path: Path) -> Manifest:
    """Read and check a backup's manifest, without extracting its data.

    Raises:
        BackupError: When the file is missing, not an archive, or its manifest is unreadable.
    """
    if not path.is_file():
        raise BackupError(f"No backup at {path}.", hint="Give the path of a `comity backup` file.")
    try:
        with tarfile.open(path, "r:") as archive:
            member = archive.extractfile(_MANIFEST)
            if member is None:
                raise _refuse(path, "it has no manifest")
            raw = json.loads(member.read().decode("utf-8"))
    except KeyError:
        raise _refuse(path, "it has no manifest") from None
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError, ValueError) as error:
        raise _refuse(path, f"it cannot be read ({error})") from None
    if not isinstance(raw, dict) or raw.get("format") != BACKUP_FORMAT:
        raise _refuse(path, f"its format is not {BACKUP_FORMAT}")
    try:
        manifest = Manifest(**raw)
    except TypeError as error:
        raise _refuse(path, f"its manifest is malformed ({error})") from None
    if manifest.engine not in _DATA or manifest.data_file != _DATA[manifest.engine]:
        raise _refuse(path, f"it names an unknown engine {manifest.engine!r}")
    return manifest


@contextmanager
def extracted_data(path: Path, manifest: Manifest, folder: Path) -> Iterator[Path]:
    """Extract the data member into ``folder``, checking its size and sha256.

    Raises:
        BackupError: When the member is missing, truncated or altered.
    """
    target = folder / manifest.data_file
    try:
        with tarfile.open(path, "r:") as archive:
            member = archive.extractfile(manifest.data_file)
            if member is None:
                raise _refuse(path, f"it has no {manifest.data_file}")
            digest = hashlib.sha256()
            with target.open("wb") as out:
                while chunk := member.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    except KeyError:
        raise _refuse(path, f"it has no {manifest.data_file}") from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise _refuse(path, f"its data cannot be read ({error})") from None
    if target.stat().st_size != manifest.size or digest.hexdigest() != manifest.sha256:
        raise _refuse(path, "its data does not match the sha256 in its manifest")
    yield target


def check_revision(manifest: Manifest, path: Path) -> bool:
    """Check that this comity knows the backup's schema; True when it is older than the head.

    Raises:
        BackupError: When the backup comes from a newer comity (or was never initialised).
    """
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    if manifest.revision is None:
        raise _refuse(path, "it was taken from a store that was never initialised")
    try:
        known = scripts.get_revision(manifest.revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"{path} was made by comity {manifest.comity_version} at schema "
            f"{manifest.revision}, newer than this comity knows (up to {head}).",
            hint="Upgrade comity to at least that version, then restore.",
        )
    return manifest.revision != head


def check_contents(connection: Connection, manifest: Manifest, path: Path) -> None:
    """Check the loaded data against the manifest: the same rows per table, the same audit tail.

    Raises:
        BackupError: On any difference.
    """
    counts = count_rows(connection)
    if counts != manifest.tables:
        differ = sorted(
            name
            for name in set(counts) | set(manifest.tables)
            if counts.get(name) != manifest.tables.get(name)
        )
        raise _refuse(path, f"the restored tables differ from its manifest ({', '.join(differ)})")
    if audit_tail(connection) != (manifest.audit_entries, manifest.audit_last_hash):
        raise _refuse(path, "its audit log differs from its manifest")


def verify_audit_log(connection: Connection, path: Path) -> ChainReport:
    """Check the restored audit log's hash chain.

    Raises:
        BackupError: When an entry was changed or removed.
    """
    entries = iter_audit(connection)
    try:
        report = verify_chain(entries)
    finally:
        entries.close()
    if not report.ok:
        raise BackupError(
            f"The audit log in {path} is broken at entry {report.first_broken}: {report.reason}; "
            "nothing was restored.",
            hint="Restore an earlier backup, and find out who changed this one.",
        )
    return report


def finish_restore(connection: Connection, actor: str, path: Path, manifest: Manifest) -> None:
    """Record the restore in the audit log and give the store a new identity.

    The identity keys cached analytic results; a restored store must not reuse those computed
    from the records it replaced.
    """
    connection.execute(
        sa.update(change_counters)
        .where(change_counters.c.name == "store")
        .values(value=secrets.randbits(62))
    )
    append_audit(
        connection,
        actor,
        "restore",
        "store",
        path.name,
        None,
        {
            "created_at": manifest.created_at,
            "revision": manifest.revision,
            "engine": manifest.engine,
            "sha256": manifest.sha256,
            "comity_version": manifest.comity_version,
        },
    )


def refuse_overwrite(store: Store, force: bool) -> bool:
    """Return whether the target holds records; refuse when it does and ``force`` is off.

    Raises:
        ConflictError: When the target holds records and ``force`` is off.
    """
    with store.connect() as connection:
        held = held_records(connection)
    if held and not force:
        listed = ", ".join(f"{name} {n:,}" for name, n in sorted(held.items()))
        raise ConflictError(
            f"The store at {store.describe()} holds records ({listed}); restoring would "
            "replace them. Nothing was changed.",
            hint="Back it up first (comity backup FILE), then restore with --force.",
        )
    return bool(held)


def back_up(store: Store, path: Path, actor: str) -> BackupReport:
    """Write a consistent backup of the whole store to ``path`` and record it in the audit log.

    Args:
        store: The store (it may be in use: the backup is one consistent snapshot).
        path: The archive to write (replaced if it exists).
        actor: Who is recorded as taking it.

    Raises:
        StoreUnavailableError: When the store is not initialised or cannot be read, or the
            PostgreSQL tools are missing.
    """
    if store.current_revision() is None:
        raise StoreUnavailableError(
            f"The store at {store.describe()} is not initialised: there is nothing to back up.",
            hint="Check the URL (--database).",
        )
    # A store behind the latest schema is backed up as it is: that is the step before upgrading.
    with tempfile.TemporaryDirectory(prefix="comity-backup-") as folder:
        if store.is_sqlite:
            from comity.store.backup_sqlite import dump_sqlite

            manifest = dump_sqlite(store, Path(folder))
        else:
            from comity.store.backup_postgres import dump_postgres

            manifest = dump_postgres(store, Path(folder))
        write_archive(path, manifest, Path(folder) / manifest.data_file)
    with store.transaction() as connection:
        if not sa.inspect(connection).has_table(audit_log.name):
            return BackupReport(path=path, manifest=manifest)  # a schema older than the log
        append_audit(
            connection,
            actor,
            "backup",
            "store",
            path.name,
            None,
            {
                "revision": manifest.revision,
                "sha256": manifest.sha256,
                "rows": sum(manifest.tables.values()),
            },
        )
    return BackupReport(path=path, manifest=manifest)


def restore(store: Store, path: Path, actor: str, *, force: bool = False) -> RestoreReport:
    """Replace the whole store with a backup: all of it, or (on any failure) nothing.

    Args:
        store: The target store; stop servers using it first.
        path: A ``comity backup`` archive of the same engine.
        actor: Who is recorded as restoring.
        force: Replace a store that holds records.

    Raises:
        BackupError: When the file is not a whole, readable backup, comes from a newer comity
            or another engine, or its audit log is broken.
        ConflictError: When the target holds records and ``force`` is off.
    """
    manifest = read_manifest(path)
    engine = "sqlite" if store.is_sqlite else "postgresql"
    if manifest.engine != engine:
        raise BackupError(
            f"{path} is a backup of a {manifest.engine} store; the target is {engine}.",
            hint=f"Restore it into a {manifest.engine} store (--database).",
        )
    migrate = check_revision(manifest, path)
    with tempfile.TemporaryDirectory(prefix="comity-restore-") as folder:
        with extracted_data(path, manifest, Path(folder)) as data:
            if store.is_sqlite:
                from comity.store.backup_sqlite import restore_sqlite

                return restore_sqlite(
                    store, path, data, manifest, actor, force=force, migrate=migrate
                )
            from comity.store.backup_postgres import restore_postgres

            return restore_postgres(
                store, path, data, manifest, actor, force=force, migrate=migrate
            )
