"""Use cases of accounts: users, passwords, API tokens, and the audit log."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from comity.access.audit import ChainReport, verify_chain
from comity.access.secrets import hash_password, hash_token, new_token, verify_password
from comity.access.viewer import Role, Viewer
from comity.errors import (
    AuthenticationError,
    FieldProblem,
    NotFoundError,
    UnknownNationError,
    ValidationError,
)
from comity.model.plans import Agency
from comity.services.engagements import require
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import accounts as account_store
from comity.store import nations as nation_store
from comity.store.accounts import TokenRecord, UserRecord
from comity.store.audit import append_audit, iter_audit, read_audit

__all__ = [
    "IssuedToken",
    "audit_page",
    "authenticate_password",
    "authenticate_token",
    "create_token",
    "create_user",
    "forget_checked_tokens",
    "get_user",
    "list_tokens",
    "list_users",
    "recently_checked",
    "revoke_token",
    "set_password",
    "set_user_disabled",
    "verify_audit",
    "viewer_of",
]

MIN_PASSWORD = 12
_AGENCIES = tuple(a.value for a in Agency)
_DUMMY_HASH = hash_password("not a password anyone has")


def viewer_of(user: UserRecord) -> Viewer:
    """The viewer a signed-in user acts as: their name, nation and role; never unrestricted."""
    return Viewer(name=user.username, nation=user.nation, role=user.role, user_id=user.id,
                  agency=user.agency)  # fmt: skip


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            [FieldProblem("password", f"must have at least {MIN_PASSWORD} characters")], "user"
        )


def create_user(
    store: Store,
    actor: Viewer,
    *,
    username: str,
    password: str,
    nation: str,
    role: Role | str = Role.VIEWER,
    display_name: str | None = None,
    organisation: str | None = None,
    agency: str | None = None,
) -> UserRecord:
    """Create an account (admins only); the password is stored as an argon2 hash.

    ``agency`` names the agency an approver (or admin) decides for on plans.

    Raises:
        PermissionDeniedError: When ``actor`` is not an admin.
        ValidationError: For a short password, a bad username or role, an unknown nation.
        ConflictError: When the username is taken.
    """
    require(actor, Role.ADMIN, "create users")
    problems = []
    name = username.strip()
    if not (3 <= len(name) <= 64) or not all(c.isalnum() or c in "._-@" for c in name):
        problems.append(FieldProblem("username", "use 3-64 letters, digits or . _ - @", username))
    try:
        chosen = role if isinstance(role, Role) else Role[role.strip().upper()]
    except KeyError:
        known = ", ".join(r.name.lower() for r in Role)
        problems.append(FieldProblem("role", f"is not one of {known}", str(role)))
        chosen = Role.VIEWER
    try:
        key = resolve_nation(nation).iso3
    except UnknownNationError as error:
        problems.append(FieldProblem("nation", f"unknown nation ({error.message})", nation))
    if agency is not None:
        agency = agency.strip().lower() or None
        if agency is not None and agency not in _AGENCIES:
            problems.append(FieldProblem("agency", f"is not one of {', '.join(_AGENCIES)}", agency))
        elif agency is not None and chosen < Role.APPROVER:
            problems.append(FieldProblem("agency", "is for approvers and admins only", agency))
    if problems:
        raise ValidationError(problems, "user")
    _check_password(password)
    store.check_ready()
    with store.transaction() as connection:
        if organisation:
            nation_store.get_organisation(connection, organisation)
        user = account_store.add_user(
            connection, username=name, nation=key, role=chosen,
            password_hash=hash_password(password), actor=actor.name,
            display_name=display_name, organisation=organisation.upper() if organisation else None,
            agency=agency,
        )  # fmt: skip
        append_audit(connection, actor.name, "create", "user", user.username, None, user.public())
        return user


def get_user(
    store: Store, *, username: str | None = None, user_id: int | None = None
) -> UserRecord:
    """One account, by name or id.

    Raises:
        NotFoundError: When there is no such account.
    """
    store.check_ready()
    with store.connect() as connection:
        return account_store.get_user(connection, username=username, user_id=user_id)


def list_users(store: Store, actor: Viewer) -> list[UserRecord]:
    """Every account (admins only)."""
    require(actor, Role.ADMIN, "list users")
    store.check_ready()
    with store.connect() as connection:
        return account_store.list_users(connection)


def set_user_disabled(store: Store, actor: Viewer, username: str, disabled: bool) -> UserRecord:
    """Disable or enable an account (admins only); a disabled account's tokens stop working."""
    require(actor, Role.ADMIN, "disable users")
    store.check_ready()
    with store.transaction() as connection:
        before = account_store.get_user(connection, username=username)
        after = account_store.set_user_disabled(connection, username, disabled)
        append_audit(connection, actor.name, "disable" if disabled else "enable", "user",
                     username, before.public(), after.public())  # fmt: skip
    forget_checked_tokens()
    return after


def set_password(store: Store, actor: Viewer, username: str, password: str) -> UserRecord:
    """Set a new password (admins, or the user themself); the audit log records that it changed.

    Raises:
        PermissionDeniedError: When the actor is neither an admin nor the user.
        ValidationError: For a password under the minimum length.
    """
    if actor.name != username:
        require(actor, Role.ADMIN, "set other users' passwords")
    _check_password(password)
    store.check_ready()
    with store.transaction() as connection:
        user = account_store.set_password_hash(connection, username, hash_password(password))
        append_audit(connection, actor.name, "set_password", "user", username)
    forget_checked_tokens()
    return user


def authenticate_password(store: Store, username: str, password: str) -> UserRecord:
    """The user with these credentials.

    Raises:
        AuthenticationError: When the user is unknown, disabled or the password is wrong (one
            message for all three, so as not to tell which).
    """
    store.check_ready()
    with store.connect() as connection:
        try:
            user = account_store.get_user(connection, username=username)
        except NotFoundError:
            # Spend the same time as for a real account, so timing does not tell who exists.
            verify_password(_DUMMY_HASH, password)
            raise AuthenticationError("Wrong username or password.") from None
    if user.disabled or not verify_password(user.password_hash, password):
        raise AuthenticationError("Wrong username or password.")
    return user


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown this once and never stored."""

    secret: str
    record: TokenRecord


def create_token(
    store: Store, user: UserRecord, name: str, *, days: int | None = 90, actor: str | None = None
) -> IssuedToken:
    """Issue an API token for ``user``, valid for ``days`` (None: until revoked).

    Raises:
        ValidationError: When ``days`` is not 1-3650 or the name is empty.
    """
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError([FieldProblem("days", "must be 1-3650", str(days))], "token")
    if not name.strip():
        raise ValidationError([FieldProblem("name", "names the token (e.g. laptop)")], "token")
    token = new_token()
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    with store.transaction() as connection:
        record = account_store.add_token(connection, user.id, name.strip()[:100], token.prefix,
                                         token.digest, expires)  # fmt: skip
        append_audit(connection, actor or user.username, "create", "token", record.id, None,
                     {**record.public(), "user": user.username})  # fmt: skip
    return IssuedToken(token.secret, record)


TOKEN_RECHECK_SECONDS = 10.0
"""How long a server process trusts a token it has checked before it reads it again.

A revocation, a disabled account or a new password made through this process applies to the
next request at once; made through another process (another server, the CLI), within this time.
"""

_checked: dict[tuple[str, str], tuple[float, TokenRecord, UserRecord]] = {}
_checked_lock = threading.Lock()


def forget_checked_tokens() -> None:
    """Read every token from the store again (after accounts changed outside this process)."""
    with _checked_lock:
        _checked.clear()


def recently_checked(store: Store, secret: str) -> UserRecord | None:
    """The user of a token this process checked in the last :data:`TOKEN_RECHECK_SECONDS`.

    None when the token must be read from the store (unknown here, or checked too long ago);
    a token found here is checked again for expiry.
    """
    with _checked_lock:
        found = _checked.get((store.describe_url(), hash_token(secret)))
    if found is None or time.monotonic() - found[0] > TOKEN_RECHECK_SECONDS:
        return None
    _, token, user = found
    if token.expires_at is not None and token.expires_at <= datetime.now(UTC):
        return None
    return user


def authenticate_token(store: Store, secret: str, *, touch: bool = False) -> UserRecord:
    """The user a bearer token belongs to.

    Raises:
        AuthenticationError: When the token is unknown, revoked, expired, or its user disabled.
    """
    digest = hash_token(secret)
    with store.connect() as connection:
        found = account_store.find_token(connection, digest)
    if found is None:
        raise AuthenticationError("Invalid token.", hint="Sign in again for a new token.")
    token, user = found
    now = datetime.now(UTC)
    if token.revoked_at is not None:
        raise AuthenticationError("This token was revoked.", hint="Create a new token.")
    if token.expires_at is not None and token.expires_at <= now:
        raise AuthenticationError("This token has expired.", hint="Create a new token.")
    if user.disabled:
        raise AuthenticationError("This account is disabled.", hint="Ask an administrator.")
    with _checked_lock:
        if len(_checked) >= 10_000:
            _checked.clear()
        _checked[(store.describe_url(), digest)] = (time.monotonic(), token, user)
    if touch:
        with store.transaction() as connection:
            account_store.touch_token(connection, token.id)
    return user


def list_tokens(store: Store, user: UserRecord) -> list[TokenRecord]:
    """A user's tokens (their prefixes, never the secrets)."""
    with store.connect() as connection:
        return account_store.list_tokens(connection, user.id)


def revoke_token(store: Store, actor: Viewer, token_id: int) -> TokenRecord:
    """Revoke a token: the user's own, or anyone's for an admin.

    Raises:
        NotFoundError: When the token is not the actor's (or does not exist).
    """
    owner = None if actor.may(Role.ADMIN) or actor.unrestricted else actor.user_id
    with store.transaction() as connection:
        record = account_store.revoke_token(connection, token_id, owner)
        append_audit(connection, actor.name, "revoke", "token", token_id, None, record.public())
    forget_checked_tokens()
    return record


def verify_audit(store: Store) -> ChainReport:
    """Check the audit log's hash chain from the first entry to the last."""
    store.check_ready()
    with store.connect() as connection:
        entries = iter_audit(connection)
        try:
            return verify_chain(entries)
        finally:
            entries.close()


def audit_page(
    store: Store,
    actor: Viewer,
    *,
    after_id: int = 0,
    limit: int = 100,
    entity: str | None = None,
    entity_id: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the audit log (admins only), oldest first, and the total count."""
    require(actor, Role.ADMIN, "read the audit log")
    with store.connect() as connection:
        entries, total = read_audit(connection, after_id=after_id, limit=limit, entity=entity,
                                    entity_id=entity_id)  # fmt: skip
    return [
        {**{k: getattr(e, k) for k in ("id", "actor", "action", "entity", "entity_id", "before",
                                       "after", "prev_hash", "hash")},
         "at": e.at.isoformat()}
        for e in entries
    ], total  # fmt: skip
