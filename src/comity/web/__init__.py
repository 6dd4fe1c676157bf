"""The web app: server-rendered pages (Jinja2 + HTMX) over the same services as the API.

:func:`install_web` adds the pages, the static files, signed-cookie sessions and the security
headers to an application; ``comity.server`` puts the API and the web app together.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comity.access.ratelimit import RateLimiter
from comity.services.sessions import SESSION_LIFETIME
from comity.web import auth
from comity.web.pages import PAGES
from comity.web.routing import WEB_DIR

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "SESSION_COOKIE", "install_web"]

SESSION_COOKIE = "comity_session"
_STATIC = WEB_DIR / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # No inline script, no event-handler attributes, no eval: a script an attacker manages
        # to store in a page never runs. Vega runs its expressions through an interpreter.
        "script-src 'self'",
        # No inline styles either (CSS can leak data); scripts set styles property by property.
        "style-src 'self'",
        # Pico's icons are data: SVGs; chart exports are data: and blob: images.
        "img-src 'self' data: blob:",
        "font-src 'self'",
        # HTMX, the network page and the map's outlines fetch from comity itself only.
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
"""What a page may load and run (docs/security.md, "Web defences", says why for each source)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Headers every response carries (pages, static files and the API): a route may set its own."""


class _SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


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

    Every response of ``app``, the API's included, gets :data:`SECURITY_HEADERS`.

    Args:
        app: The application (the API's, usually).
        secret_key: Signs the session cookies.
        https_only: Mark the session cookie ``Secure``, so browsers send it over HTTPS only
            (behind a TLS proxy: ``comity serve --secure-cookies``).
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
        max_age=int(SESSION_LIFETIME.total_seconds()),  # the cookie lives as its session does
        same_site="lax",
        https_only=https_only,
    )
    # Around the whole stack, Starlette's error middleware included: the answers of every
    # middleware (a 413 of the body limit) and an unexpected failure's 500 get the headers too.
    inner = app.build_middleware_stack
    app.build_middleware_stack = lambda: _SecurityHeaders(inner())  # type: ignore[method-assign]
