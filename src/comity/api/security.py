"""Who is calling, and how much: bearer tokens, roles, rate limits and body size limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comity.access.ratelimit import RateLimiter
from comity.access.viewer import Role, Viewer
from comity.errors import AuthenticationError, PermissionDeniedError
from comity.model.numbers import is_whole
from comity.services.accounts import authenticate_token, recently_checked, viewer_of
from comity.store import Store

__all__ = ["COUNTED", "BodyLimit", "RateLimiter", "current_viewer", "requires"]

COUNTED = "comity.rate_counted"
"""Set in a request's scope once the rate limiter has counted it (by :mod:`comity.api.answers`)."""


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def current_viewer(request: Request) -> Viewer:
    """The signed-in user of a request (``Authorization: Bearer <token>``).

    A token this process checked moments ago is trusted without a read (see
    :data:`comity.services.accounts.TOKEN_RECHECK_SECONDS`); otherwise the store is read in a
    worker thread, so the event loop never waits on the database.

    Raises:
        AuthenticationError: 401 when the header is missing or the token is not valid.
    """
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationError(
            "Sign in first: this needs an API token.",
            hint="POST /api/v1/auth/token with your username and password, then send "
            "'Authorization: Bearer <token>'.",
        )
    secret = secret.strip()
    user = recently_checked(_store(request), secret)
    if user is None:
        user = await run_in_threadpool(authenticate_token, _store(request), secret)
    if not request.scope.get(COUNTED):
        limiter: RateLimiter = request.app.state.rate_limiter
        limiter.check(f"token:{secret[:16]}")
    return viewer_of(user)


def requires(role: Role) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: the signed-in user, who must hold ``role`` or a higher one (403 if not)."""

    async def dependency(viewer: Viewer = Depends(current_viewer)) -> Viewer:
        if not viewer.may(role):
            raise PermissionDeniedError(
                f"{viewer.name} may not do this: it needs the role {role.name.lower()}.",
                hint="Ask an administrator for the role.",
            )
        return viewer

    return dependency


class BodyLimit:
    """ASGI middleware: refuse request bodies over a size (413), declared or streamed.

    Args:
        app: The wrapped application.
        default: The limit for every path, in bytes.
        larger: Path prefixes with their own limit (uploads).
    """

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.larger = larger or {}

    def _limit(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 when its body is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and is_whole(declared) and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        received = 0
        too_large = False

        async def counting() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True  # the app sees the client leave and stops reading
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not too_large:
                await send(message)

        try:
            await self.app(scope, counting, guarded)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await _too_large(scope, send, limit)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The request body is larger than {limit:,} bytes.",
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


Handler = Callable[..., Awaitable[Any]]
