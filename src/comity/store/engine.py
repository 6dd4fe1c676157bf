"""Open the store: SQLite (the embedded default) or PostgreSQL, from one URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from comity.config import get_settings
from comity.errors import StoreUnavailableError
from comity.store import (  # noqa: F401  (register their tables)
    changes,
    tables_access,
    tables_alumni,
    tables_drafts,
    tables_exchange,
    tables_links,
    tables_plans,
)
from comity.store.audit_checkpoint import write_checkpoint

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["HEAD_REVISION", "PoolOptions", "Store", "alembic_config", "open_store"]

HEAD_REVISION = "0019"
"""The latest migration comity ships (a test checks it against the migrations themselves):
known without loading Alembic, which every command would otherwise import to check the store."""


@dataclass(frozen=True)
class PoolOptions:
    """How a PostgreSQL store pools its connections (SQLite keeps :data:`_SQLITE_POOL`).

    Attributes:
        size: Connections kept open.
        max_overflow: Extra connections opened under load, closed when returned.
        timeout: Seconds to wait for a free connection before failing.
        recycle: Seconds after which a connection is replaced (-1: never).
        pre_ping: Check each connection before use.
    """

    size: int = 20
    max_overflow: int = 20
    timeout: float = 30.0
    recycle: int = 1800
    pre_ping: bool = True

    @classmethod
    def from_settings(cls) -> PoolOptions:
        """The options of the ``COMITY_POOL_*`` environment variables, else the defaults."""
        settings = get_settings()
        return cls(
            size=settings.pool_size,
            max_overflow=settings.pool_max_overflow,
            timeout=settings.pool_timeout,
            recycle=settings.pool_recycle,
            pre_ping=settings.pool_pre_ping,
        )

    def engine_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`sqlalchemy.create_engine` for these options."""
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout,
            "pool_recycle": self.recycle,
            "pool_pre_ping": self.pre_ping,
        }


def _normalise_url(url: str) -> sa.URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailableError(
            f"{url!r} is not a database URL.",
            hint="Use sqlite:///path/to/comity.db or postgresql://user@host/dbname.",
        ) from None
    # psycopg 3 is the PostgreSQL driver comity installs; plain postgresql:// means it.
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # 16 KiB pages make bulk imports a tenth faster than SQLite's 4 KiB (fewer B-tree splits).
    # It takes effect only on a new, empty database, and must come before WAL is switched on.
    cursor.execute("PRAGMA page_size = 16384")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute(f"PRAGMA cache_size = {_READ_CACHE}")
    cursor.close()


_READ_CACHE = -8192
"""SQLite page cache of a connection that reads, in KiB (negative): 8 MiB. A server keeps
:data:`_SQLITE_POOL` connections, and the operating system caches the file for all of them."""
_WRITE_CACHE = -65536
"""The page cache while a connection writes: 64 MiB, so that the index B-trees of a bulk
import stay in memory."""
_SQLITE_POOL = {"pool_size": 40, "max_overflow": 10}
"""Connections a SQLite store keeps: one per thread of the server's pool (40), so a busy
server never opens one per request (connecting and its pragmas cost more than a cached
answer)."""


def alembic_config(url: str | sa.URL) -> Config:
    """Return an Alembic configuration for the store at ``url``, using comity's migrations."""
    from alembic.config import Config

    config = Config()
    location = resources.files("comity.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def _busy(store: Store, error: PoolTimeoutError) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"Every connection to {store.describe()} is in use: {error}",
        hint="Try again shortly; raise COMITY_POOL_SIZE or COMITY_POOL_MAX_OVERFLOW if it lasts.",
    )


@dataclass
class Store:
    """An open store: the engine and what comity knows about its URL.

    Use :meth:`transaction` for writes (one transaction, committed on success, rolled back on
    any error) and :meth:`connect` for reads.

    Whoever opens a store for use checks it once with :meth:`check_ready` (the CLI on its first
    command that reads or writes, the server at start); the functions given a store do not
    check it again. A statement that fails on a store never found ready is explained instead:
    on a store that was never initialised, or is behind, the error says so and what to run.
    """

    engine: Engine
    pool: PoolOptions | None = None
    _ready: bool = field(default=False, repr=False, compare=False)

    @property
    def url(self) -> sa.URL:
        """The database URL, password hidden when shown."""
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite store."""
        return self.engine.dialect.name == "sqlite"

    def describe(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def checkpoint_url(self) -> str:
        """The URL that names the store's audit checkpoint (its password left out)."""
        return self.engine.url.render_as_string(hide_password=True)

    def describe_url(self) -> str:
        """The URL in full (password included), to derive paths from; never show it."""
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def transaction(self, *, foreign_keys: bool = True) -> Iterator[Connection]:
        """A connection in one transaction: all of it is written, or none.

        Args:
            foreign_keys: False spares a bulk write on SQLite the check of every row's
                references (a tenth of a large import); the caller checks the references it
                writes instead (:func:`comity.store.imports.sync_engagements` does, in one
                query). The connection checks them again afterwards. PostgreSQL always checks.
        """
        head: list[str] = []
        try:
            if not self.is_sqlite:
                with self.engine.begin() as connection:
                    connection.info.pop("audit_head", None)
                    yield connection
                    head += filter(None, [connection.info.pop("audit_head", None)])
            else:
                with self.engine.connect() as connection:
                    # SQLite ignores the foreign-key pragma inside a transaction: set it before,
                    # undo after; the larger page cache of a write goes the same way.
                    connection.exec_driver_sql(f"PRAGMA cache_size = {_WRITE_CACHE}")
                    if not foreign_keys:
                        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
                    connection.commit()
                    connection.info.pop("audit_head", None)
                    try:
                        with connection.begin():
                            yield connection
                            head += filter(None, [connection.info.pop("audit_head", None)])
                    finally:
                        connection.exec_driver_sql(f"PRAGMA cache_size = {_READ_CACHE}")
                        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                        connection.commit()
        except (OperationalError, ProgrammingError) as error:
            explained = self._failure(error)
            if explained is None:
                raise
            raise explained from error
        except PoolTimeoutError as error:
            raise _busy(self, error) from error
        if head:  # committed: the log's new last entry
            write_checkpoint(self.checkpoint_url(), head[-1])

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except (OperationalError, ProgrammingError) as error:
            explained = self._failure(error)
            if explained is None:
                raise
            raise explained from error
        except PoolTimeoutError as error:
            raise _busy(self, error) from error

    def open_reader(self) -> Connection:
        """A connection that reads outside any transaction, for its caller to keep and close.

        Each statement sees what was committed before it, with no transaction to begin or roll
        back and no check of the connection before use: one round trip per read (a data-version
        read on every API request). Its owner replaces it when a read fails.
        """
        try:
            return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except OperationalError as error:
            raise StoreUnavailableError(
                f"The store at {self.describe()} failed: {error.orig}"
            ) from error
        except PoolTimeoutError as error:
            raise _busy(self, error) from error

    def _failure(self, error: DBAPIError) -> StoreUnavailableError | None:
        """What a failed statement means to the caller; None: the error as it is.

        On a store not yet found ready, a missing table or column most likely means a schema
        that was never initialised or is behind: say so, with what to run. Otherwise a failure
        of the database is a :class:`StoreUnavailableError`, and a faulty statement stays itself.
        """
        if not self._ready:
            try:
                unready = self._unready()
            except Exception:  # unreachable now: the failure itself says more
                unready = None
            if unready is not None:
                return unready
        if isinstance(error, OperationalError):
            return StoreUnavailableError(f"The store at {self.describe()} failed: {error.orig}")
        return None

    def migrate(self, revision: str = "head") -> None:
        """Apply every pending migration (creates the schema on an empty database).

        On SQLite, foreign keys are off while a migration runs (a table rebuilt in batch mode
        must not cascade deletes into its children) and checked afterwards.

        Raises:
            StoreUnavailableError: When a migration leaves a broken foreign key behind.
        """
        self._ready = False
        with self.engine.connect() as connection:
            if self.is_sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
                connection.commit()
            with connection.begin():
                from alembic import command

                config = alembic_config(self.engine.url)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            if self.is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()
                if broken:
                    raise StoreUnavailableError(
                        f"Migrating {self.describe()} left {len(broken)} broken references.",
                        hint="Restore the database from its backup and report the problem.",
                    )

    def current_revision(self) -> str | None:
        """The migration the database is at; None when it was never initialised."""
        try:
            with self.engine.connect() as connection:
                # Alembic's version table, read as its MigrationContext reads it.
                if not sa.inspect(connection).has_table("alembic_version"):
                    return None
                found = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                versions = sorted(row[0] for row in found)
                return ", ".join(versions) if versions else None
        except OperationalError as error:
            raise StoreUnavailableError(
                f"Cannot open the store at {self.describe()}: {error.orig}",
                hint="Check the URL, the server and your permissions.",
            ) from error

    def head_revision(self) -> str | None:
        """The latest migration comity ships."""
        return HEAD_REVISION

    def check_ready(self) -> None:
        """Raise unless the schema is at the latest migration.

        Once the store was found ready, later calls answer at once: a store is never migrated
        backwards under a running process.

        Raises:
            StoreUnavailableError: When the store was never initialised or is behind.
        """
        if self._ready:
            return
        unready = self._unready()
        if unready is not None:
            raise unready
        self._ready = True

    def _unready(self) -> StoreUnavailableError | None:
        """The error of a store not at the latest migration; None when it is."""
        current = self.current_revision()
        if current is None:
            return StoreUnavailableError(
                f"The store at {self.describe()} is not initialised.",
                hint="Run `comity init` first.",
            )
        if current != self.head_revision():
            return StoreUnavailableError(
                f"The store at {self.describe()} is at migration {current}, not the latest.",
                hint="Run `comity init` to apply the pending migrations.",
            )
        return None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_store(url: str, *, echo: bool = False, pool: PoolOptions | None = None) -> Store:
    """Open (without migrating) the store at ``url``.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///file.db`` or ``postgresql://user@host/db``.
        echo: Log every SQL statement.
        pool: Connection pooling of a PostgreSQL store; by default from the ``COMITY_POOL_*``
            settings. SQLite ignores it.

    Raises:
        StoreUnavailableError: When the URL is malformed or its driver is not installed.
    """
    parsed = _normalise_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            options.update(_SQLITE_POOL)
        pool = None
    else:
        pool = pool or PoolOptions.from_settings()
        options.update(pool.engine_options())
    try:
        engine = sa.create_engine(parsed, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise StoreUnavailableError(
            f"No driver for {parsed.drivername}: {error}",
            hint="Install the PostgreSQL extra: pip install 'comity[postgres]'.",
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    return Store(engine, pool)
