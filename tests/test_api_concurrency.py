"""Twenty editors of one engagement against a real server on PostgreSQL: no update is lost."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from comity.access import Viewer
from comity.api import create_api
from comity.api.security import RateLimiter
from comity.services import accounts
from comity.store import Store
from tests.api_world import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLIENTS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(pg_store: Store) -> Iterator[str]:
    """A real HTTP server on loopback serving a fresh PostgreSQL database."""
    app = create_api(pg_store, rate_limiter=RateLimiter(burst=1e9, per_second=1e9))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.started
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=20)


def _planners(store: Store) -> list[str]:
    operator = Viewer.operator("tests")
    tokens = []
    for n in range(CLIENTS):
        user = accounts.create_user(
            store, operator, username=f"editor{n}", password=PASSWORD, nation="USA", role="planner"
        )
        tokens.append(accounts.create_token(store, user, "tests").secret)
    return tokens


def test_twenty_editors_never_lose_an_update(server: str, pg_store: Store) -> None:
    tokens = _planners(pg_store)
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    body = {
        "kind": "exercise",
        "title": "Cope Thunder",
        "start": "2019-06-10",
        "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
    }
    with httpx.Client(base_url=server, timeout=30) as client:
        made = client.post("/api/v1/engagements", json=body, headers=headers[0])
        assert made.status_code == 201, made.text
    url = f"/api/v1/engagements/{made.json()['id']}"

    # Round one: everyone reads the same version, then everyone writes: one wins.
    everyone_read = threading.Barrier(CLIENTS)

    def race(n: int) -> int:
        with httpx.Client(base_url=server, timeout=30) as client:
            tag = client.get(url, headers=headers[n]).headers["etag"]
            everyone_read.wait()
            answer = client.patch(
                url,
                json={"title": f"Cope Thunder (editor {n})"},
                headers={**headers[n], "If-Match": tag},
            )
            return answer.status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(race, range(CLIENTS)))
    assert sorted(codes) == [200] + [412] * (CLIENTS - 1)

    # Round two: each editor retries on 412 until its change lands; none is lost.
    def persist(n: int) -> tuple[int, int]:
        attempts = 0
        with httpx.Client(base_url=server, timeout=30) as client:
            while True:
                attempts += 1
                read = client.get(url, headers=headers[n])
                objectives = read.json()["objectives"]
                change = {"objectives": [*objectives, f"editor {n}"]}
                guard = {**headers[n], "If-Match": read.headers["etag"]}
                answer = client.patch(url, json=change, headers=guard)
                if answer.status_code == 200:
                    return attempts, int(answer.headers["etag"].strip('"').split("-")[1])
                assert answer.status_code == 412, answer.text

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(persist, range(CLIENTS)))
    with httpx.Client(base_url=server, timeout=30) as client:
        final = client.get(url, headers=headers[0])
    assert sorted(final.json()["objectives"]) == sorted(f"editor {n}" for n in range(CLIENTS))
    assert final.headers["etag"].endswith(f'-{2 + CLIENTS}"')
    assert sorted(version for _, version in outcomes) == list(range(3, 3 + CLIENTS))

    admin = accounts.viewer_of(
        accounts.create_user(
            pg_store,
            Viewer.operator("t"),
            username="auditor",
            password=PASSWORD,
            nation="USA",
            role="admin",
        )
    )
    entries, total = accounts.audit_page(
        pg_store, admin, entity="engagement", entity_id=str(made.json()["id"]), limit=1000
    )
    assert [e["action"] for e in entries] == ["create"] + ["update"] * (1 + CLIENTS)
    report = accounts.verify_audit(pg_store, Viewer.operator("tests"))
    assert report.ok, report
