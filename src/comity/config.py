"""Settings: defaults, ``COMITY_*`` environment variables, validated once.

Nothing here is required: with no environment at all, comity keeps its embedded SQLite store in
the platform's user data directory (``platformdirs``), e.g. ``~/.local/share/comity/comity.db``
on Linux.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from comity.errors import ComityError

__all__ = [
    "Settings",
    "analytic_directory",
    "default_database_url",
    "get_settings",
    "proxy_addresses",
    "session_secret",
]


def default_database_url() -> str:
    """Return the URL of the embedded SQLite store in the platform's user data directory."""
    directory: Path = user_data_path("comity", appauthor=False)
    return f"sqlite:///{directory / 'comity.db'}"


class Settings(BaseSettings):
    """comity's settings, read from ``COMITY_*`` environment variables.

    Attributes:
        database_url: SQLAlchemy URL of the store (``COMITY_DATABASE_URL``); SQLite by default,
            ``postgresql://user@host/db`` for a multi-user server.
        analytic_dir: Folder of the analytic store (``COMITY_ANALYTIC_DIR``): Parquet files of
            media events and snapshots for DuckDB. By default beside the SQLite file, or in the
            user data folder for PostgreSQL.
        debug: Show tracebacks for expected errors (``COMITY_DEBUG=1``).
        secret_key: Key that signs web sessions (``COMITY_SECRET_KEY``); by default a random key
            kept in the user data folder. Set the same key on every server of one store.
        pool_size: PostgreSQL connections each process keeps open (``COMITY_POOL_SIZE``).
        pool_max_overflow: Extra connections opened under load beyond ``pool_size`` and closed
            when returned (``COMITY_POOL_MAX_OVERFLOW``).
        pool_timeout: Seconds a request waits for a free connection before failing
            (``COMITY_POOL_TIMEOUT``).
        pool_recycle: Seconds after which a connection is replaced, so that firewalls and
            server-side timeouts never cut one in use (``COMITY_POOL_RECYCLE``; -1 never).
        pool_pre_ping: Check each connection before use, replacing one the server closed
            (``COMITY_POOL_PRE_PING``).
        duckdb_memory: The memory an analytic query may hold before it spills to temporary files
            (``COMITY_DUCKDB_MEMORY``, a size such as ``1000MB`` or ``4GB``; DuckDB's own
            default is 80 % of the machine's memory).
        secure_cookies: Mark the web session cookie ``Secure``, so browsers send it over HTTPS
            only (``COMITY_SECURE_COOKIES=1``; ``comity serve --secure-cookies``). Set it behind
            a TLS proxy.
        forwarded_allow_ips: The proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto``
            headers ``comity serve`` believes (``COMITY_FORWARDED_ALLOW_IPS``, addresses or
            networks separated by commas, e.g. ``10.0.0.5``). Unset, no one's are: the client's
            address is the connection's, so a client cannot claim another address to dodge the
            sign-in limits.
        spark_master: The Spark master URL of ``--engine spark`` when ``--master`` is not given
            (``COMITY_SPARK_MASTER``): ``local[N]`` runs in this process with N threads,
            ``spark://HOST:7077`` on a standalone cluster, ``yarn`` or ``k8s://...`` elsewhere.
        warm_up: When the server starts, compute in the background the index and the quality
            report of the views its users have, so that their first page does not wait
            (``COMITY_WARM_UP``; on by default).
    """

    model_config = SettingsConfigDict(env_prefix="COMITY_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    analytic_dir: Path | None = None
    debug: bool = False
    secret_key: str | None = None
    # Sized for `comity serve`: one process answers at most 40 requests at once (its thread
    # pool), and most of them hold a connection for milliseconds. A connection beyond the kept
    # ones is closed when returned, so a busy server that keeps too few opens one per request
    # (a third of the time of a cached answer under 20 clients): keep as many as are usually busy.
    pool_size: int = Field(default=20, ge=1, le=1000)
    pool_max_overflow: int = Field(default=20, ge=0, le=1000)
    pool_timeout: float = Field(default=30.0, gt=0)
    pool_recycle: int = Field(default=1800, ge=-1)
    pool_pre_ping: bool = True
    # Keeps a server's first answer at a million engagements (3 million participations)
    # under 2 GiB of peak memory (1.9 GiB; 2.1 GiB at 1200MB, no faster): docs/deployment.md.
    duckdb_memory: str = Field(
        default="1000MB", pattern=r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$"
    )
    secure_cookies: bool = False
    forwarded_allow_ips: str | None = None
    spark_master: str = Field(default="local[2]", min_length=1)
    warm_up: bool = True

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _known_proxies(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else proxy_addresses(value)


def proxy_addresses(text: str) -> str:
    """Check a list of proxy addresses and return it as uvicorn's ``forwarded_allow_ips`` takes it.

    Args:
        text: IP addresses or networks (``10.0.0.0/24``) separated by commas, or ``*`` for any
            (only when nothing but the proxy can reach the server).

    Raises:
        ValueError: Naming the first entry that is neither an address nor a network.
    """
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if entries == ["*"]:
        return "*"
    if not entries:
        raise ValueError("no address given: give the TLS proxy's address, e.g. 10.0.0.5")
    checked = []
    for entry in entries:
        try:
            # uvicorn takes an entry it cannot read as a literal name that never matches, and a
            # network with host bits set (10.0.0.5/24) is one: write each in its plain form.
            if "/" in entry:
                checked.append(str(ipaddress.ip_network(entry, strict=False)))
            else:
                checked.append(str(ipaddress.ip_address(entry)))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network: give the TLS proxy's address, "
                "e.g. 10.0.0.5 or 10.0.0.0/24, several separated by commas"
            ) from None
    return ",".join(checked)


def get_settings() -> Settings:
    """Return the settings of the environment as it is now.

    Read once per distinct environment: the answer is kept under the variables it depends on,
    so a changed variable is read afresh.

    Raises:
        ComityError: When an environment variable holds a value of the wrong kind, naming it.
    """
    relevant = frozenset(
        (name, value)
        for name, value in os.environ.items()
        if name.upper().startswith("COMITY_") or name in ("HOME", "XDG_DATA_HOME")
    )
    return _settings_of(relevant)


@functools.lru_cache(maxsize=16)
def _settings_of(environment: frozenset[tuple[str, str]]) -> Settings:
    try:
        return Settings()
    except PydanticValidationError as error:
        problems = "; ".join(
            f"COMITY_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise ComityError(
            f"Bad setting in the environment: {problems}.",
            hint="Fix or unset the variable (docs/deployment.md lists the settings).",
        ) from None


def analytic_directory(database_url: str) -> Path:
    """The analytic store's folder for the store at ``database_url``.

    ``COMITY_ANALYTIC_DIR`` wins; a SQLite file ``x/comity.db`` gets ``x/comity-analytic``, so
    each embedded store keeps its own; a server store uses the user data folder.
    """
    chosen = get_settings().analytic_dir
    if chosen is not None:
        return chosen
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url != prefix + ":memory:":
        path = Path(database_url[len(prefix) :])
        return path.parent / f"{path.stem}-analytic"
    return user_data_path("comity", appauthor=False) / "analytic"


def session_secret() -> str:
    """The key that signs web sessions: ``COMITY_SECRET_KEY``, else one kept in the data folder.

    The file is created on first use, readable by its owner only.
    """
    chosen = get_settings().secret_key
    if chosen:
        return chosen
    path = user_data_path("comity", appauthor=False) / "secret_key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
