"""Signing in and out: sessions kept in the store, new passwords, and the sign-in limits.

Each test replays what an attacker tried: a cookie kept after sign-out or a new password, a
token kept after a new password, a new X-Forwarded-For (or a new address) per guess, guesses
split between the web and the API.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from comity.access import Viewer
from comity.access.ratelimit import RateLimiter
from comity.errors import AuthenticationError, TooManyRequestsError
from comity.server import build_app
from comity.services import accounts, sessions
from comity.store import Store
from comity.store import accounts as account_store
from comity.web import SESSION_COOKIE
from tests.web_client import PASSWORD, client_for, csrf, sign_in_client

OPERATOR = Viewer.operator("tests")
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def user_store(store: Store) -> Store:
    """A store with the analyst ``ana`` (France) and the admin ``chief`` (France)."""
    accounts.create_user(
        store, OPERATOR, username="ana", password=PASSWORD, nation="FRA", role="analyst"
    )
    accounts.create_user(
        store, OPERATOR, username="chief", password=PASSWORD, nation="FRA", role="admin"
    )
    return store


def _home(client: TestClient) -> int:
    return client.get("/", follow_redirects=False).status_code


def _copy(client: TestClient, store: Store) -> TestClient:
    """Another browser holding a copy of ``client``'s cookies (a stolen cookie)."""
    thief = client_for(store)
    thief.cookies.update(client.cookies)
    return thief


def test_the_cookie_holds_only_a_session_id(user_store: Store) -> None:
    client = client_for(user_store, "ana")
    with user_store.connect() as connection:
        [(digest, user_id)] = connection.execute(sa.text("SELECT id, user_id FROM sessions"))
    assert len(digest) == 64 and user_id == accounts.get_user(user_store, username="ana").id
    assert _home(client) == 200


def test_a_copied_cookie_is_signed_out_by_sign_out(user_store: Store) -> None:
    client = client_for(user_store, "ana")
    thief = _copy(client, user_store)
    assert _home(thief) == 200
    out = client.post("/logout", data={"csrf_token": csrf(client, "/")}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert _home(client) == 303
    answer = thief.get("/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/")
    with user_store.connect() as connection:
        reason = connection.execute(sa.text("SELECT end_reason FROM sessions")).scalar_one()
    assert reason == "signed_out"


@pytest.mark.parametrize("by", ["herself", "an admin"])
def test_a_new_password_signs_out_every_session(user_store: Store, by: str) -> None:
    laptop, phone = client_for(user_store, "ana"), client_for(user_store, "ana")
    assert (_home(laptop), _home(phone)) == (200, 200)
    actor = accounts.viewer_of(
        accounts.get_user(user_store, username="ana" if by == "herself" else "chief")
    )
    accounts.set_password(user_store, actor, "ana", NEW_PASSWORD)
    assert (_home(laptop), _home(phone)) == (303, 303)
    sign_in_client(laptop, "ana", NEW_PASSWORD)
    assert _home(laptop) == 200


def test_a_new_password_revokes_every_token_at_once(user_store: Store) -> None:
    app = build_app(
        user_store, secret_key="x" * 32, login_limiter=RateLimiter(burst=1e9, per_second=1e9)
    )
    with TestClient(app) as client:
        signed = client.post("/api/v1/auth/token", json={"username": "ana", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {signed.json()['token']}"}
        script = accounts.create_token(
            user_store, accounts.get_user(user_store, username="ana"), "script", days=None
        )
        # Both checked once: this process trusts them for 10 seconds without reading again...
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        accounts.authenticate_token(user_store, script.secret)
        accounts.set_password(user_store, OPERATOR, "ana", NEW_PASSWORD)
        # ...but a new password made through this process applies to the next request.
        refused = client.get("/api/v1/auth/me", headers=headers)
        assert refused.status_code == 401 and refused.json()["detail"] == "This token was revoked."
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate_token(user_store, script.secret)
    assert accounts.recently_checked(user_store, script.secret) is None


def test_a_token_read_while_its_password_changes_is_not_trusted_after(
    user_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = accounts.get_user(user_store, username="ana")
    issued = accounts.create_token(user_store, user, "laptop")
    read = account_store.find_token

    def read_then_change(connection: sa.Connection, digest: str) -> object:
        found = read(connection, digest)  # read before the new password is committed...
        accounts.set_password(user_store, OPERATOR, "ana", NEW_PASSWORD)
        return found

    monkeypatch.setattr(account_store, "find_token", read_then_change)
    accounts.authenticate_token(user_store, issued.secret)  # ...so this request passes,
    monkeypatch.undo()
    assert accounts.recently_checked(user_store, issued.secret) is None  # but the next is read
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate_token(user_store, issued.secret)


def test_disabling_an_account_ends_its_sessions_for_good(user_store: Store) -> None:
    client = client_for(user_store, "ana")
    chief = accounts.viewer_of(accounts.get_user(user_store, username="chief"))
    accounts.set_user_disabled(user_store, chief, "ana", True)
    assert _home(client) == 303
    accounts.set_user_disabled(user_store, chief, "ana", False)
    assert _home(client) == 303  # enabled again, she signs in again


def test_a_session_expires_after_its_lifetime(user_store: Store) -> None:
    user = accounts.get_user(user_store, username="ana")
    secret = sessions.start_session(user_store, user)
    assert sessions.session_user(user_store, secret).username == "ana"
    started = datetime.now(UTC) - sessions.SESSION_LIFETIME - timedelta(seconds=1)
    with user_store.transaction() as connection:
        connection.execute(sa.text("UPDATE sessions SET created_at = :t"), {"t": started})
    with pytest.raises(AuthenticationError, match="expired"):
        sessions.session_user(user_store, secret)
    with pytest.raises(AuthenticationError, match="unknown"):
        sessions.session_user(user_store, secret + "x")


def test_a_page_does_not_wait_for_a_busy_store_to_note_the_session(user_store: Store) -> None:
    client = client_for(user_store, "ana")
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with user_store.transaction() as connection:
        connection.execute(sa.text("UPDATE sessions SET last_seen_at = :t"), {"t": long_ago})
    # Another process holds SQLite's one write lock (a long import does); a page that only
    # reads, as the list of engagements does, is still answered.
    writer = sqlite3.connect(str(user_store.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert client.get("/engagements", follow_redirects=False).status_code == 200
        assert time.monotonic() - started < 3  # not the 5 s a write waits for its turn
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    _home(client)
    with user_store.connect() as connection:
        seen = connection.execute(sa.text("SELECT last_seen_at FROM sessions")).scalar_one()
    assert datetime.fromisoformat(str(seen)).replace(tzinfo=UTC) > long_ago


def test_a_cookie_naming_only_a_user_signs_in_no_one(user_store: Store) -> None:
    # Cookies signed before sessions were kept in the store named the user's id: no longer.
    user_id = accounts.get_user(user_store, username="ana").id
    data = base64.b64encode(json.dumps({"uid": user_id}).encode())
    client = client_for(user_store)
    client.cookies.set(SESSION_COOKIE, TimestampSigner("x" * 32).sign(data).decode())
    assert _home(client) == 303
    assert sessions.end_session(user_store, "no such session") is False


@pytest.fixture
def limited(user_store: Store) -> Iterator[tuple[TestClient, RateLimiter]]:
    """The app with 3 sign-in attempts at once (barely refilled), and its limiter."""
    limiter = RateLimiter(burst=3, per_second=0.001)
    app = build_app(user_store, secret_key="x" * 32, login_limiter=limiter)
    with TestClient(app) as client:
        yield client, limiter


def _api_sign_in(client: TestClient, username: str = "ana", password: str = "wrong!") -> int:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body).status_code


def _web_sign_in(client: TestClient, username: str = "ana", password: str = "wrong!") -> int:
    form = {"username": username, "password": password, "csrf_token": csrf(client, "/login")}
    return client.post("/login", data=form, follow_redirects=False).status_code


def test_a_new_forwarded_for_per_guess_does_not_escape_the_limit(
    limited: tuple[TestClient, RateLimiter],
) -> None:
    client, _ = limited
    codes = [
        client.post(
            "/api/v1/auth/token",
            json={"username": "ana", "password": f"guess {n}"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_a_new_address_per_guess_does_not_escape_the_account_limit(user_store: Store) -> None:
    limiter = RateLimiter(burst=3, per_second=0.001)
    app = build_app(user_store, secret_key="x" * 32, login_limiter=limiter)
    codes = []
    for n in range(5):
        with TestClient(app, client=(f"198.51.100.{n}", 40000)) as client:
            codes.append(_api_sign_in(client))
    assert codes == [401, 401, 401, 429, 429]
    # The right password waits too: the account is what is limited, not the guesser.
    with TestClient(app, client=("192.0.2.1", 40000)) as client:
        assert _api_sign_in(client, password=PASSWORD) == 429


def test_one_address_guessing_many_accounts_is_limited(
    limited: tuple[TestClient, RateLimiter],
) -> None:
    client, _ = limited
    codes = [_api_sign_in(client, username=f"user{n}") for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_the_web_answers_429_with_the_sign_in_page(limited: tuple[TestClient, RateLimiter]) -> None:
    client, _ = limited
    codes = [_web_sign_in(client) for _ in range(3)]
    assert codes == [401, 401, 401]
    form = {"username": "ana", "password": PASSWORD, "csrf_token": csrf(client, "/login")}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 429
    assert "<h1>Sign in</h1>" in answer.text
    assert "Too many sign-in attempts for this account or address. Wait" in answer.text
    assert "s and try again." in answer.text


def test_web_and_api_sign_ins_share_one_count(limited: tuple[TestClient, RateLimiter]) -> None:
    client, _ = limited
    assert [_api_sign_in(client), _web_sign_in(client), _api_sign_in(client)] == [401] * 3
    assert [_web_sign_in(client), _api_sign_in(client)] == [429, 429]


def test_the_limiter_spends_from_every_key_or_from_none() -> None:
    limiter = RateLimiter(burst=2, per_second=0.001)
    limiter.check_all(["login-user:ana", "login-addr:a"])
    limiter.check_all(["login-user:ana", "login-addr:b"])
    with pytest.raises(TooManyRequestsError, match="Too many requests") as refused:
        limiter.check_all(["login-user:ana", "login-addr:c"])
    assert refused.value.hint is not None and refused.value.hint.startswith("Wait ")
    # The refused attempt spent nothing from address c: another account may use it.
    limiter.check_all(["login-user:bob", "login-addr:c"])
    limiter.check_all(["login-user:carl", "login-addr:c"])
