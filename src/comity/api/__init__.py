"""The HTTP API, ``/api/v1``: JSON over HTTPS for scripts, notebooks and other systems.

Every route but ``/health`` and ``/auth/token`` needs a bearer token; every answer is filtered by
the caller's releasability; every write is in the audit log. Errors are problem+json.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from comity.api.answers import AnswerCache
from comity.api.errors import install_error_handlers
from comity.api.openapi_errors import document_errors
from comity.api.routers import (
    alumni,
    analytics,
    drafts,
    effects,
    engagements,
    exchange,
    links,
    meta,
    optimiser,
    people,
    plans,
    registry,
    transfer,
)
from comity.api.security import BodyLimit, RateLimiter
from comity.services.jobs import ImportJobs
from comity.services.warm import import_in_background
from comity.store import Store

__all__ = ["API_PREFIX", "ROUTERS", "create_api", "endpoints"]

API_PREFIX = "/api/v1"
JSON_LIMIT = 1 << 20
"""Largest JSON body (1 MiB)."""
UPLOAD_LIMIT = 200 << 20
"""Largest upload of an import (200 MiB)."""

ROUTERS = (
    meta,
    registry,
    engagements,
    links,
    drafts,
    exchange,
    people,
    plans,
    analytics,
    effects,
    transfer,
    optimiser,
    alumni,
)
"""The modules whose ``router`` the API serves, in order."""

_DESCRIPTION = """\
Records of military cooperation between nations and the tie-strength index computed from them.

Sign in with `POST /api/v1/auth/token` (username and password) and send the token as
`Authorization: Bearer <token>`. What you see is what your nation may see: records labelled
for others are left out of every list, count, export and index. Writes need the role planner
and, to change a record, the `ETag` you read it with as `If-Match`.
"""


def create_api(
    store: Store,
    *,
    rate_limiter: RateLimiter | None = None,
    login_limiter: RateLimiter | None = None,
) -> FastAPI:
    """The API application, serving ``store``.

    Args:
        store: The store to serve (migrated and seeded).
        rate_limiter: Requests per token (default: bursts of 600, 20 a second after).
        login_limiter: Sign-in attempts per address and username (default: 10, one a minute).
    """
    jobs = ImportJobs(store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import_in_background()
        yield
        jobs.close()
        # Results answered from memory are written to the store in the background: let the
        # last ones finish before whoever owns the store closes it.
        cache = sys.modules.get("comity.services.cache")
        if cache is not None:
            cache.wait_for_results()

    app = FastAPI(
        title="comity API",
        version=version("comity"),
        description=_DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.import_jobs = jobs
    app.state.rate_limiter = rate_limiter or RateLimiter()
    app.state.login_limiter = login_limiter or RateLimiter(burst=10, per_second=1 / 60)
    for module in ROUTERS:
        app.include_router(module.router, prefix=API_PREFIX)
    install_error_handlers(app)
    document_errors(app)
    # Uploads of imports, from the API and from the web app's import page, may be large.
    uploads = {f"{API_PREFIX}/imports": UPLOAD_LIMIT, "/imports": UPLOAD_LIMIT}
    uploads[f"{API_PREFIX}/exchange/bundle"] = UPLOAD_LIMIT  # a partner's pushed bundle
    # Innermost: a kept answer still passes the body limit and whatever wraps the API.
    app.add_middleware(AnswerCache)
    app.add_middleware(BodyLimit, default=JSON_LIMIT, larger=uploads)
    return app


def endpoints() -> list[tuple[str, str]]:
    """Every (method, path) the API serves, the OpenAPI document included."""
    found = [("GET", f"{API_PREFIX}/openapi.json")]
    for module in ROUTERS:
        for route in module.router.routes:
            path = getattr(route, "path", "")
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    found.append((method, API_PREFIX + path))
    return found
