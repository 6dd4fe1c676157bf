"""Web pages through Starlette's test client: an app over a store, signed in through the form."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from comity.access.ratelimit import RateLimiter
from comity.server import build_app
from comity.store import Store

PASSWORD = "correct horse battery"
"""The password every test account gets."""

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    found = _CSRF.search(client.get(url).text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in_client(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign ``client`` in through the sign-in form."""
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf(client, "/login")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def client_for(store: Store, username: str | None = None) -> TestClient:
    """A client of the web app over ``store`` (sign-in attempts unlimited), signed in as
    ``username`` when given. Use it in a ``with`` block to run the app's lifespan."""
    unlimited = RateLimiter(burst=1e9, per_second=1e9)
    client = TestClient(build_app(store, secret_key="x" * 32, login_limiter=unlimited))
    if username is not None:
        sign_in_client(client, username)
    return client


def web_app(store: Store) -> FastAPI:
    """The web app over ``store`` (sign-in attempts unlimited), for clients that share it."""
    unlimited = RateLimiter(burst=1e9, per_second=1e9)
    return build_app(store, secret_key="x" * 32, login_limiter=unlimited)
