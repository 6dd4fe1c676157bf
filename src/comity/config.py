"""Settings: defaults, ``COMITY_*`` environment variables, validated once.

Nothing here is required: with no environment at all, comity keeps its embedded SQLite store in
the platform's user data directory (``platformdirs``), e.g. ``~/.local/share/comity/comity.db``
on Linux.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_database_url", "get_settings"]


def default_database_url() -> str:
    """Return the URL of the embedded SQLite store in the platform's user data directory."""
    directory: Path = user_data_path("comity", appauthor=False)
    return f"sqlite:///{directory / 'comity.db'}"


class Settings(BaseSettings):
    """comity's settings, read from ``COMITY_*`` environment variables.

    Attributes:
        database_url: SQLAlchemy URL of the store (``COMITY_DATABASE_URL``); SQLite by default,
            ``postgresql://user@host/db`` for a multi-user server.
        debug: Show tracebacks for expected errors (``COMITY_DEBUG=1``).
    """

    model_config = SettingsConfigDict(env_prefix="COMITY_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    debug: bool = False


def get_settings() -> Settings:
    """Return the settings, read from the environment now (cheap; never cached)."""
    return Settings()
