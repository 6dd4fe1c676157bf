"""Kept answers of the API: the same answer as the route's, never stale, never another scope's."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from comity import services
from comity.api import answers
from comity.api.answers import SharedReads, accepts_gzip
from comity.store import Store
from tests.api_world import World, engagement_record, serve

T = TypeVar("T")
LIST = "/api/v1/engagements?nation=USA&limit=50"
PROFILE = "/api/v1/nations/USA/profile"


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    with serve(store) as served:
        yield served


@pytest.fixture
def sent_kept(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths answered from what was kept, in order."""
    paths: list[str] = []
    original = answers.AnswerCache._send_kept

    async def counting(scope: Any, send: Any, found: Any) -> None:
        paths.append(scope["path"])
        await original(scope, send, found)

    monkeypatch.setattr(answers.AnswerCache, "_send_kept", staticmethod(counting))
    return paths


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.mark.parametrize("path", [LIST, PROFILE])
def test_a_kept_answer_is_the_routes_answer(world: World, sent_kept: list[str], path: str) -> None:
    headers = world.headers("analyst")
    # The first request checks the token; the second is the route's answer, kept.
    first, second = (world.client.get(path, headers=headers) for _ in range(2))
    assert sent_kept == []
    third = world.client.get(path, headers=headers)
    assert sent_kept == [path.split("?")[0]]
    assert first.json() == second.json() == third.json()
    assert third.headers["content-type"] == second.headers["content-type"]


def test_kept_answers_are_compressed_for_clients_that_accept_it(
    world: World, sent_kept: list[str]
) -> None:
    headers = world.headers("analyst")
    for _ in range(2):
        plain = world.client.get(PROFILE, headers=headers)
    assert len(plain.content) >= 1024  # large enough to be kept compressed
    zipped = world.client.get(PROFILE, headers={**headers, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.json() == plain.json()  # the client unpacked it
    raw = world.client.get(PROFILE, headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content == plain.content
    assert len(sent_kept) == 2


def test_a_write_is_seen_by_the_next_read(world: World, sent_kept: list[str]) -> None:
    headers = world.headers("analyst")
    before = [_titles(world.client.get(LIST, headers=headers)) for _ in range(3)][-1]
    assert sent_kept  # the last one was kept
    author = world.viewer("planner", "USA")
    services.add_engagement(world.store, engagement_record("Cobra Gold 2015"), author)
    after = _titles(world.client.get(LIST, headers=headers))
    assert after == [*before, "Cobra Gold 2015"]


def test_a_kept_answer_never_reaches_another_scope(world: World, sent_kept: list[str]) -> None:
    us, fr = world.headers("analyst", "USA"), world.headers("analyst", "FRA")
    for _ in range(3):
        seen_by_us = _titles(world.client.get(LIST, headers=us))
    assert "Balikatan 2015 (US eyes)" in seen_by_us
    for _ in range(3):
        seen_by_fr = _titles(world.client.get(LIST, headers=fr))
    assert seen_by_fr == ["Balikatan 2015"]
    assert len(sent_kept) == 2  # each scope answered from its own kept answer


def test_the_rate_limit_counts_kept_answers(store: Store) -> None:
    from fastapi.testclient import TestClient

    from comity.api import create_api
    from comity.api.security import RateLimiter

    with serve(store) as world:
        headers = world.headers("analyst")
        app = create_api(store, rate_limiter=RateLimiter(burst=4, per_second=0.001))
        with TestClient(app) as client:
            codes = [client.get(LIST, headers=headers).status_code for _ in range(6)]
            refused = client.get(LIST, headers=headers)
    assert codes == [200, 200, 200, 200, 429, 429]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429


def test_a_revoked_token_gets_no_kept_answer(world: World) -> None:
    from comity.services import accounts

    headers = world.headers("analyst")
    for _ in range(3):
        assert world.client.get(LIST, headers=headers).status_code == 200
    user = accounts.get_user(world.store, username="analyst.USA")
    (token,) = accounts.list_tokens(world.store, user)
    accounts.revoke_token(world.store, world.viewer("analyst", "USA"), token.id)
    assert world.client.get(LIST, headers=headers).status_code == 401


def test_errors_are_not_kept(world: World, sent_kept: list[str]) -> None:
    headers = world.headers("analyst")
    for _ in range(3):
        response = world.client.get("/api/v1/nations/Atlantis/profile", headers=headers)
        assert response.status_code == 422  # an unknown nation
    assert sent_kept == []


def test_every_kept_path_is_a_get_route_of_the_api() -> None:
    from comity.api import endpoints

    routes = [path for method, path in endpoints() if method == "GET"]
    for pattern in answers.KEPT_PATHS:
        matched = [path for path in routes if pattern.match(path.replace("{nation}", "USA"))]
        assert matched, pattern.pattern


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def _in_own_loop(scenario: Coroutine[Any, Any, T]) -> T:
    """Run ``scenario`` in a loop of its own thread (a browser test may hold this thread's)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result(timeout=60)


def test_a_read_answers_only_the_requests_that_came_before_it() -> None:
    """Requests arriving during a read share the next one, which sees the writes before them."""
    state = {"written": 0, "reads": 0}
    started = threading.Event()

    def read() -> str:
        seen = state["written"]  # a snapshot is taken when the read starts
        state["reads"] += 1
        started.set()
        time.sleep(0.05)
        return str(seen)

    async def scenario() -> tuple[str, list[str]]:
        shared = SharedReads(read)
        early = asyncio.ensure_future(shared.value())
        await asyncio.to_thread(started.wait)
        state["written"] = 1  # committed while the first read runs, before the others arrive
        later = await asyncio.gather(*(shared.value() for _ in range(10)))
        return await early, later

    early, later = _in_own_loop(scenario())
    assert early == "0"
    assert later == ["1"] * 10
    assert state["reads"] == 2  # ten requests, one read


def test_a_failed_read_fails_its_batch_and_the_next_read_runs() -> None:
    calls: list[int] = []

    def read() -> str:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("store down")
        time.sleep(0.02)
        return "v"

    async def scenario() -> list[Any]:
        shared = SharedReads(read)
        first = asyncio.ensure_future(shared.value())
        await asyncio.sleep(0.005)
        batch = await asyncio.gather(shared.value(), shared.value(), return_exceptions=True)
        after = await shared.value()
        return [await first, *batch, after]

    first, *batch, after = _in_own_loop(scenario())
    assert first == "v" and after == "v"
    assert [type(outcome) for outcome in batch] == [RuntimeError, RuntimeError]
    assert len(calls) == 3


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_version_reader_sees_each_write_and_replaces_a_broken_connection(
    engine: str, request: pytest.FixtureRequest
) -> None:
    from comity.access import Viewer
    from comity.services.cache import VersionReader, answers_version

    store: Store = request.getfixturevalue("store" if engine == "sqlite" else "pg_store")
    reader = VersionReader(store)
    first = reader()
    assert first == reader() == answers_version(store)
    services.add_engagement(store, engagement_record("Cobra Gold 2015"), Viewer.operator("t"))
    second = reader()  # no transaction held: the write committed since is seen
    assert second != first and second == answers_version(store)
    reader._connection.invalidate()  # the server dropped it
    assert reader() == second
    reader.close()
