"""The served application: the API and the web app over the store the settings name.

``comity serve`` runs ``uvicorn comity.server:create_app --factory``; the store is the one in
``COMITY_DATABASE_URL`` (the embedded SQLite file by default).
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from comity.access.ratelimit import RateLimiter
from comity.api import API_PREFIX, create_api
from comity.config import get_settings, session_secret
from comity.store import Store, open_store
from comity.web import install_web
from comity.web.routing import page_not_found

__all__ = ["build_app", "create_app"]


def build_app(
    store: Store,
    *,
    secret_key: str,
    rate_limiter: RateLimiter | None = None,
    login_limiter: RateLimiter | None = None,
    secure_cookies: bool = False,
) -> FastAPI:
    """The API under ``/api/v1`` and the web app at ``/``, serving ``store``.

    Args:
        store: The store to serve.
        secret_key: Signs the web sessions.
        rate_limiter: Requests per API token (see :func:`comity.api.create_api`).
        login_limiter: Sign-in attempts per address and username.
        secure_cookies: Mark the session cookie ``Secure`` (served over HTTPS by a proxy).
    """
    app = create_api(store, rate_limiter=rate_limiter, login_limiter=login_limiter)
    install_web(
        app,
        secret_key=secret_key,
        https_only=secure_cookies,
        login_limiter=app.state.login_limiter,
    )
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, error: Exception) -> Response:
        # Pages answer pages; the API answers problem+json.
        if request.url.path.startswith(API_PREFIX) or not isinstance(error, StarletteHTTPException):
            return await _call(api_handler, request, error)
        return await page_not_found(request, error.status_code, str(error.detail))

    app.add_exception_handler(StarletteHTTPException, http_error)
    return app


async def _call(handler: Any, request: Request, error: Exception) -> Response:
    answer = handler(request, error)
    if inspect.isawaitable(answer):
        answer = await answer
    response: Response = answer
    return response


def create_app() -> FastAPI:
    """The whole application for the configured store and settings (``COMITY_*``)."""
    settings = get_settings()
    store = open_store(settings.database_url)
    store.check_ready()
    app = build_app(store, secret_key=session_secret(), secure_cookies=settings.secure_cookies)
    if settings.warm_up:
        from comity.services.warm import warm_up_in_background

        warm_up_in_background(store)
    return app
