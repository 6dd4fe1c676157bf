"""The web app: server-rendered pages (Jinja2 + HTMX) over the same services as the API.

:func:`install_web` adds the pages, the static files and signed-cookie sessions to an
application; ``comity.server`` puts the API and the web app together.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware

from comity.access.ratelimit import RateLimiter
from comity.web import auth
from comity.web.pages import PAGES
from comity.web.routing import WEB_DIR

__all__ = ["SESSION_COOKIE", "install_web"]

SESSION_COOKIE = "comity_session"
_STATIC = WEB_DIR / "static"


async def _server_timing(request: Request, call_next: RequestResponseEndpoint) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
    return response


def install_web(
    app: FastAPI,
    *,
    secret_key: str,
    https_only: bool = False,
    login_limiter: RateLimiter | None = None,
) -> None:
    """Serve the pages and static files from ``app`` (whose ``state.store`` is the store).

    Args:
        app: The application (the API's, usually).
        secret_key: Signs the session cookies.
        https_only: Send the session cookie over HTTPS only (behind a TLS proxy).
        login_limiter: Sign-in attempts per address and username (default: 10, one a minute).
    """
    if not getattr(app.state, "login_limiter", None) or login_limiter is not None:
        app.state.login_limiter = login_limiter or RateLimiter(burst=10, per_second=1 / 60)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.include_router(auth.router)
    for module in PAGES:
        app.include_router(module.router)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_server_timing)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=12 * 3600,
        same_site="lax",
        https_only=https_only,
    )
