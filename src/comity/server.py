"""The served application: the API (and the web app) over the store the settings name.

``comity serve`` runs ``uvicorn comity.server:create_app --factory``; the store is the one in
``COMITY_DATABASE_URL`` (the embedded SQLite file by default).
"""

from __future__ import annotations

from fastapi import FastAPI

from comity.api import create_api
from comity.config import get_settings
from comity.store import open_store

__all__ = ["create_app"]


def create_app() -> FastAPI:
    """The whole application for the configured store."""
    store = open_store(get_settings().database_url)
    store.check_ready()
    return create_api(store)
