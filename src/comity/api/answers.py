"""Answers the API keeps: a repeated read of a nation's profile or a page of engagements.

Many analysts of one nation ask for the same profiles and pages. Their answers depend on the
request, the records their nation may see (the viewer's scope: :func:`viewer_scope`) and the
data version, nothing else; so the encoded answer is kept under these (and the caller's role,
which no such route reads, to stay on the safe side) and sent again, as it was and compressed,
without routing, validating or encoding it again. A write bumps the data
version, so a kept answer is never stale: it is not found any more, and ages out.

Only what every route guarantees is skipped: the caller is signed in (a token this process
checked moments ago, as :func:`comity.api.security.current_viewer` trusts it) and counted by the
rate limiter; any other request goes through the routes as usual, and only their ``200``
answers are kept.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Callable, Iterable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comity.api.errors import comity_error_response
from comity.api.security import COUNTED
from comity.errors import ComityError
from comity.services.accounts import recently_checked, viewer_of
from comity.services.cache import (
    VersionReader,
    cache_key,
    keep_answer,
    kept_answer,
    viewer_scope,
)

__all__ = ["KEPT_PATHS", "AnswerCache"]

KEPT_PATHS = (
    re.compile(r"^/api/v1/nations/[^/]+/profile$"),
    re.compile(r"^/api/v1/engagements$"),
)
"""The GET routes whose answer depends on the request, the viewer's scope and the data only."""

_Kept = tuple[tuple[tuple[bytes, bytes], ...], bytes, bytes | None]
"""A kept answer: its headers (but its length), its body, and its body compressed (or None)."""

_LARGEST = 4 << 20
"""Answers larger than this (bytes) are not kept."""
_COMPRESS_FROM = 1024
"""Answers from this size on are kept compressed too (gzip), for clients that accept it."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _bearer(scope: Scope) -> str:
    """The bearer token of a request ("" when it has none)."""
    scheme, _, secret = _header(scope, b"authorization").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (``q=0`` refuses it)."""
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        weight = params.strip().lower()
        if weight.startswith("q="):
            try:
                return float(weight[2:]) > 0
            except ValueError:
                return False
        return True
    return False


class SharedReads:
    """Reads of a value (the data version) shared by the requests that wait for it together.

    A read answers every request that arrived before it started, never one that arrived after:
    a write committed before a request arrived is always seen. A request arriving while a read
    runs waits for the next one, which starts as soon as that one ends, for all who came
    meanwhile. Under load this makes one read (and one trip to a worker thread) per batch of
    requests instead of one each; alone, a request waits for its own read as before.

    Args:
        read: The read, run in a worker thread.
    """

    def __init__(self, read: Callable[[], str]) -> None:
        self.read = read
        self._running: asyncio.Future[str] | None = None
        self._next: asyncio.Future[str] | None = None

    async def value(self) -> str:
        """The value as read after this call began."""
        if self._running is None:
            self._running = asyncio.ensure_future(self._run(None))
            self._running.add_done_callback(_retrieved)
            return await asyncio.shield(self._running)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        return await asyncio.shield(self._next)

    async def _run(self, waiting: asyncio.Future[str] | None) -> str:
        try:
            found = await run_in_threadpool(self.read)
        except asyncio.CancelledError:
            if waiting is not None:
                waiting.cancel()
            raise
        except Exception as error:
            if waiting is not None and not waiting.done():
                waiting.set_exception(error)
            raise
        finally:
            self._running = None
            if self._next is not None:
                batch, self._next = self._next, None
                self._running = asyncio.ensure_future(self._run(batch))
                self._running.add_done_callback(_retrieved)
        if waiting is not None and not waiting.done():
            waiting.set_result(found)
        return found


def _retrieved(task: asyncio.Future[str]) -> None:
    """Mark a batch's read as seen: its outcome reaches its requests through their future."""
    if not task.cancelled():
        task.exception()


class AnswerCache:
    """ASGI middleware: send a kept answer again, or keep the ``200`` answer of the route.

    Args:
        app: The wrapped application (its ``state`` has the store and the rate limiter).
        paths: The kept GET routes (default :data:`KEPT_PATHS`).
    """

    def __init__(self, app: ASGIApp, paths: Iterable[re.Pattern[str]] = KEPT_PATHS) -> None:
        self.app = app
        self.paths = tuple(paths)
        self._versions: tuple[asyncio.AbstractEventLoop, VersionReader, SharedReads] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from what is kept when the request may be; otherwise pass it on."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not any(p.match(scope["path"]) for p in self.paths)
        ):
            await self.app(scope, receive, send)
            return
        secret = _bearer(scope)
        state = scope["app"].state if "app" in scope else None
        user = recently_checked(state.store, secret) if state is not None and secret else None
        if state is None or user is None:  # the routes check the token and say what is wrong
            await self.app(scope, receive, send)
            return
        viewer = viewer_of(user)
        try:
            state.rate_limiter.check(f"token:{secret[:16]}")
        except ComityError as error:
            await comity_error_response(Request(scope), error)(scope, receive, send)
            return
        scope[COUNTED] = True  # the route, if it runs, does not count it again
        loop = asyncio.get_running_loop()
        if self._versions is None or self._versions[0] is not loop:
            # Reads are shared within one loop (a test client has its own), on a connection
            # kept for them: one round trip each, no transaction, no check before use.
            if self._versions is not None:
                self._versions[1].close()
            reader = VersionReader(state.store)
            self._versions = (loop, reader, SharedReads(reader))
        version = await self._versions[2].value()
        key = cache_key(
            "answer",
            version,
            viewer_scope(viewer),
            viewer.role.name,
            scope["path"],
            scope.get("query_string", b""),
        )
        found = kept_answer(key)
        if found is not None:
            await self._send_kept(scope, send, found)
            return
        await self.app(scope, receive, self._keeping(key, send))

    @staticmethod
    async def _send_kept(scope: Scope, send: Send, found: _Kept) -> None:
        kept_headers, body, compressed = found
        headers = [*kept_headers, (b"vary", b"Accept-Encoding, Authorization")]
        if compressed is not None and accepts_gzip(_header(scope, b"accept-encoding")):
            body = compressed
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _keeping(key: str, send: Send) -> Send:
        """``send``, keeping a complete ``200`` JSON answer under ``key`` on the way."""
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    _keep(key, start, b"".join(parts))
            await send(message)

        return keeping


def _keep(key: str, start: dict[str, Any], body: bytes) -> None:
    """Keep a JSON answer: its headers (but its length), body, and body compressed."""
    given = [(name.lower(), value) for name, value in start.get("headers", ())]
    names = {name for name, _ in given}
    content_type = dict(given).get(b"content-type", b"")
    if (
        len(body) > _LARGEST
        or not content_type.startswith(b"application/json")
        or names & {b"content-encoding", b"set-cookie", b"vary"}
    ):
        return
    compressed = gzip.compress(body, 6, mtime=0) if len(body) >= _COMPRESS_FROM else None
    headers = tuple((name, value) for name, value in given if name != b"content-length")
    keep_answer(key, (headers, body, compressed))
