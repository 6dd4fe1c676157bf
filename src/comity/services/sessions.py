"""Web sessions kept in the store: started at sign-in, checked on every page, ended at will.

The browser's signed cookie carries only a session's secret (256 random bits); the store keeps
its SHA-256 digest, the user, and when it started, was last seen and ended. Signing out ends
the session, so a copy of the cookie is signed out too; a new password or a disabled account
ends every session of the user (:mod:`comity.services.accounts`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from comity.access.secrets import hash_token, new_session
from comity.errors import AuthenticationError, StoreUnavailableError
from comity.store import Store
from comity.store import accounts as account_store
from comity.store.accounts import UserRecord

__all__ = ["SESSION_LIFETIME", "end_session", "session_user", "start_session"]

SESSION_LIFETIME = timedelta(hours=12)
"""How long a session lasts after sign-in, however active (the cookie's own age, too)."""
_SEEN_EVERY = timedelta(minutes=1)
"""How often a session's last use is written (not on every page: a write per page is waste)."""
_KEPT = timedelta(days=30)
"""How long ended and expired sessions stay in the store, for who-was-signed-in questions."""


def start_session(store: Store, user: UserRecord) -> str:
    """Start a session for ``user`` (signed in just now); return its secret for the cookie."""
    secret, digest = new_session()
    with store.transaction() as connection:
        account_store.forget_sessions_before(connection, datetime.now(UTC) - _KEPT)
        account_store.add_session(connection, digest, user.id)
    return secret


def session_user(store: Store, secret: str) -> UserRecord:
    """The user of a live session.

    Raises:
        AuthenticationError: When the session is unknown, ended or too old, or its account
            was disabled since.
    """
    digest = hash_token(secret)
    with store.connect() as connection:
        found = account_store.find_session(connection, digest)
    if found is None:
        raise AuthenticationError("This session is unknown.", hint="Sign in again.")
    session, user = found
    now = datetime.now(UTC)
    if session.ended_at is not None:
        raise AuthenticationError("This session has ended.", hint="Sign in again.")
    if session.created_at + SESSION_LIFETIME <= now:
        raise AuthenticationError("This session has expired.", hint="Sign in again.")
    if user.disabled:
        raise AuthenticationError("This account is disabled.", hint="Ask an administrator.")
    if session.last_seen_at + _SEEN_EVERY <= now:
        try:
            with store.transaction() as connection:
                account_store.touch_session(connection, digest)
        except StoreUnavailableError:
            pass  # the store is busy writing (an import): the page goes on, seen next time
    return user


def end_session(store: Store, secret: str) -> bool:
    """End a session (signing out); True when it was live."""
    with store.transaction() as connection:
        return account_store.end_session(connection, hash_token(secret), "signed_out")
