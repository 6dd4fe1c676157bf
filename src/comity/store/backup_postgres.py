"""Back up and restore a PostgreSQL store with the server's own tools.

``pg_dump --format=custom`` writes the backup from a snapshot exported by the transaction that
also counts the rows, so the manifest describes exactly what was dumped. A restore swaps schemas
inside one ``psql --single-transaction``: the live ``public`` schema is renamed aside and the
backup's is created in its place, so a failure while loading leaves the store as it was. The
restored data is then checked, migrated and audited; if any of that fails, the old schema is
renamed back. Only once everything passed is the old schema dropped.

Connection details (host, port, user, password, database, TLS settings) reach the tools through
libpq's environment variables, never the command line, where other users could read them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from comity.errors import BackupError, StoreUnavailableError
from comity.model.numbers import is_whole
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
from comity.store.engine import Store

__all__ = ["dump_postgres", "find_tool", "libpq_environment", "restore_postgres"]

PREVIOUS_SCHEMA = "comity_restore_previous"
"""Where a restore keeps the store it replaces until the restored one has passed every check."""

_LIBPQ_PARAMETERS = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
}


def find_tool(name: str) -> Path:
    """A PostgreSQL client program: on PATH, else the newest under ``/usr/lib/postgresql``.

    Raises:
        StoreUnavailableError: When it is not installed.
    """
    found = shutil.which(name)
    if found:
        return Path(found)

    def major(candidate: str) -> int:
        part = Path(candidate).parts[-3]
        return int(part) if is_whole(part) else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major)
    if candidates:
        return Path(candidates[-1])
    raise StoreUnavailableError(
        f"{name} was not found on PATH or under /usr/lib/postgresql/*/bin; backups of a "
        "PostgreSQL store need the PostgreSQL client programs.",
        hint="Install them (Debian: apt-get install postgresql-client), at least as new as "
        "the server.",
    )


def libpq_environment(url: sa.URL) -> dict[str, str]:
    """The environment that points libpq programs at ``url`` (the password included)."""
    environment = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            environment[key] = str(value)
    for parameter, given in url.query.items():
        variable = _LIBPQ_PARAMETERS.get(parameter)
        if variable is not None:
            environment[variable] = given if isinstance(given, str) else given[-1]
    return environment


def _run(store: Store, *command: str | Path) -> str:
    program = Path(command[0]).name
    try:
        done = subprocess.run(
            [str(c) for c in command],
            env=libpq_environment(store.engine.url),
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise StoreUnavailableError(f"Cannot run {program}: {error}") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:]) or f"exit {done.returncode}"
        raise StoreUnavailableError(f"{program} failed on {store.describe()}: {detail}")
    return done.stdout


def dump_postgres(store: Store, folder: Path) -> Manifest:
    """Dump the store's ``public`` schema into ``folder``; return its manifest.

    Raises:
        StoreUnavailableError: When pg_dump is missing or fails.
    """
    pg_dump = find_tool("pg_dump")
    dump = folder / "comity.pgdump"
    with store.engine.connect() as raw:
        connection = raw.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # Every statement of this transaction, and pg_dump, sees the same snapshot.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            revision = MigrationContext.configure(connection).get_current_revision()
            tables, audit = count_rows(connection), audit_tail(connection)
            _run(
                store,
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--schema=public",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            )
    return make_manifest("postgresql", revision, tables, audit, dump)


def _schema_exists(store: Store, name: str) -> bool:
    with store.connect() as connection:
        return name in sa.inspect(connection).get_schema_names()


def _script(store: Store, path: Path, data: Path) -> Path:
    pg_restore = find_tool("pg_restore")
    script = data.with_suffix(".sql")
    try:
        _run(store, pg_restore, "--list", data)
        _run(store, pg_restore, "--no-owner", "--no-privileges", f"--file={script}", data)
    except StoreUnavailableError as error:
        raise BackupError(f"{path} holds a damaged PostgreSQL dump: {error}") from None
    return script


def _put_back(store: Store) -> None:
    store.dispose()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql(f"ALTER SCHEMA {PREVIOUS_SCHEMA} RENAME TO public")
    store.dispose()


def restore_postgres(
    store: Store,
    path: Path,
    data: Path,
    manifest: Manifest,
    actor: str,
    *,
    force: bool,
    migrate: bool,
) -> RestoreReport:
    """Replace the store's ``public`` schema with the backup's.

    Args:
        store: The target database; stop servers using it first.
        path: The backup archive (for messages and the audit entry).
        data: Its extracted pg_dump file, already checked against the manifest.
        manifest: The backup's manifest.
        actor: Who restores.
        force: Replace a store that holds records.
        migrate: Migrate the restored schema to the latest.

    Raises:
        BackupError: When the dump is damaged, differs from its manifest or its audit log is
            broken; the target is left as it was.
        ConflictError: When the target holds records and ``force`` is off.
        StoreUnavailableError: When the tools are missing, or an earlier restore was cut short.
    """
    script = _script(store, path, data)
    psql = find_tool("psql")
    if _schema_exists(store, PREVIOUS_SCHEMA):
        raise StoreUnavailableError(
            f"The schema {PREVIOUS_SCHEMA} in {store.describe()} is left from a restore that "
            "was cut short; it holds the store as it was before that restore.",
            hint=f"If the store is complete, DROP SCHEMA {PREVIOUS_SCHEMA} CASCADE; otherwise "
            f"drop schema public and rename {PREVIOUS_SCHEMA} to public. Then run again.",
        )
    occupied = refuse_overwrite(store, force)
    store.dispose()
    try:
        _run(
            store,
            psql,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-c",
            f"ALTER SCHEMA public RENAME TO {PREVIOUS_SCHEMA}",
            "-f",
            script,
        )
    except StoreUnavailableError as error:
        raise BackupError(f"Restoring {path} failed; the store is as it was. {error}") from None
    try:
        with store.connect() as connection:
            check_contents(connection, manifest, path)
        if migrate:
            store.migrate()
        with store.connect() as connection:
            audit = verify_audit_log(connection, path)
        with store.transaction() as connection:
            finish_restore(connection, actor, path, manifest)
        with store.connect() as connection:
            tables = count_rows(connection)
    except BaseException:
        _put_back(store)
        raise
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {PREVIOUS_SCHEMA} CASCADE")
    store.dispose()
    return RestoreReport(
        manifest=manifest,
        revision=store.current_revision(),
        migrated=migrate,
        tables=tables,
        audit=audit,
        replaced_data=occupied,
    )
