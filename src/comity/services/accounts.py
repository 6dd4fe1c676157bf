"""Use cases of accounts: users, passwords, sign-in and API tokens (the audit log: ``audit``).

An admin manages the accounts of their own nation, up to their own role; the installation's
operator (the role above admin) and the local operator of the CLI manage every nation's.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from comity.access.passwords import password_problem
from comity.access.ratelimit import RateLimiter
from comity.access.secrets import hash_password, hash_token, new_token, verify_password
from comity.access.viewer import Role, Viewer
from comity.errors import (
    AuthenticationError,
    ConflictError,
    FieldProblem,
    NotFoundError,
    PermissionDeniedError,
    UnknownNationError,
    ValidationError,
)
from comity.model.plans import Agency
from comity.services.audit import audit_page, checkpoint_audit, verify_audit
from comity.services.engagements import require
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import accounts as account_store
from comity.store import nations as nation_store
from comity.store.accounts import TokenRecord, UserRecord
from comity.store.audit import append_audit

__all__ = [
    "MAX_LIVE_TOKENS",
    "IssuedToken",
    "audit_page",
    "authenticate_password",
    "authenticate_token",
    "checkpoint_audit",
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
    "sign_in",
    "verify_audit",
    "viewer_of",
]

MAX_LIVE_TOKENS = 20
"""Most API tokens an account may hold at once (neither revoked nor expired)."""
_AGENCIES = tuple(a.value for a in Agency)
_BOUNDS_HINT = "The installation's operator (role operator) manages every nation's accounts."


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, made on first use rather than at import."""
    return hash_password("not a password anyone has")


def viewer_of(user: UserRecord) -> Viewer:
    """The viewer a signed-in user acts as: their name, nation and role; never unrestricted."""
    return Viewer(
        name=user.username, nation=user.nation, role=user.role, user_id=user.id, agency=user.agency
    )


def _check_password(password: str, username: str, *other_words: str | None) -> None:
    problem = password_problem(password, username=username, other_words=other_words)
    if problem is not None:
        raise ValidationError([problem], "user")


def _check_manages(actor: Viewer, nation: str, role: Role, action: str) -> None:
    """Refuse an admin an account of another nation, or of a role above their own."""
    require(actor, Role.ADMIN, action)
    if actor.may_manage(nation, role):
        return
    if role > actor.role:
        raise PermissionDeniedError(
            f"{actor.name} may not {action} with the role {role.name.lower()}: it is above "
            f"their own ({actor.role.name.lower()}).",
            hint=_BOUNDS_HINT,
        )
    raise PermissionDeniedError(
        f"{actor.name} may not {action} of {nation}: an admin manages the accounts of their "
        f"own nation ({actor.nation}) only.",
        hint=_BOUNDS_HINT,
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
    """Create an account (admins, for their own nation); the password is stored as an argon2 hash.

    ``agency`` names the agency an approver (or admin) decides for on plans.

    Raises:
        PermissionDeniedError: When ``actor`` is not an admin, or the account would be of
            another nation or of a role above the actor's (for all but the operator).
        ValidationError: For a weak password, a bad username or role, an unknown nation.
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
    key = nation
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
    _check_manages(actor, key, chosen, "create an account")
    _check_password(password, name, display_name)
    with store.transaction() as connection:
        if organisation:
            nation_store.get_organisation(connection, organisation)
        user = account_store.add_user(
            connection,
            username=name,
            nation=key,
            role=chosen,
            password_hash=hash_password(password),
            actor=actor.name,
            display_name=display_name,
            organisation=organisation.upper() if organisation else None,
            agency=agency,
        )
        append_audit(connection, actor.name, "create", "user", user.username, None, user.public())
        return user


def get_user(
    store: Store, *, username: str | None = None, user_id: int | None = None
) -> UserRecord:
    """One account, by name or id.

    Raises:
        NotFoundError: When there is no such account.
    """
    with store.connect() as connection:
        return account_store.get_user(connection, username=username, user_id=user_id)


def list_users(store: Store, actor: Viewer) -> list[UserRecord]:
    """The accounts ``actor`` manages: their nation's (admins), or every one (the operator)."""
    require(actor, Role.ADMIN, "list users")
    with store.connect() as connection:
        return account_store.list_users(connection, None if actor.spans_nations else actor.nation)


def set_user_disabled(store: Store, actor: Viewer, username: str, disabled: bool) -> UserRecord:
    """Disable or enable an account (admins, of their own nation).

    A disabled account signs in no more: its web sessions end and its tokens stop working.

    Raises:
        PermissionDeniedError: When the actor may not manage the account.
        NotFoundError: When there is no such account.
    """
    verb = "disable" if disabled else "enable"
    require(actor, Role.ADMIN, f"{verb} users")
    with store.transaction() as connection:
        before = account_store.get_user(connection, username=username)
        _check_manages(actor, before.nation, before.role, f"{verb} the account {username}")
        after = account_store.set_user_disabled(connection, username, disabled)
        if disabled:
            account_store.end_user_sessions(connection, before.id, "disabled")
        append_audit(
            connection, actor.name, verb, "user", username, before.public(), after.public()
        )
    forget_checked_tokens()
    return after


def set_password(store: Store, actor: Viewer, username: str, password: str) -> UserRecord:
    """Set a new password (admins of the user's nation, or the user themself).

    Every web session of the user ends and every API token of theirs is revoked: whoever
    held the old password, or a session or token made with it, is signed out.

    Raises:
        PermissionDeniedError: When the actor is neither the user nor an admin managing them.
        ValidationError: For a weak password.
    """
    with store.connect() as connection:
        user = account_store.get_user(connection, username=username)
    if actor.user_id is None or actor.user_id != user.id:
        _check_manages(actor, user.nation, user.role, f"set the password of {username}")
    _check_password(password, user.username, user.display_name)
    with store.transaction() as connection:
        user = account_store.set_password_hash(connection, username, hash_password(password))
        ended = account_store.end_user_sessions(connection, user.id, "new_password")
        revoked = account_store.revoke_user_tokens(connection, user.id)
        changes = {"sessions_ended": ended, "tokens_revoked": revoked}
        append_audit(connection, actor.name, "set_password", "user", username, None, changes)
    forget_checked_tokens()
    return user


def sign_in(
    store: Store, limiter: RateLimiter, username: str, password: str, *, address: str
) -> UserRecord:
    """Check a sign-in's credentials, counting it against the account and the address.

    The web and the API share ``limiter``: attempts are counted per account (whatever the
    address) and per address (whatever the account), and both must have room.

    Raises:
        TooManyRequestsError: When the account or the address tried too often.
        AuthenticationError: When the credentials are wrong (one message for every cause).
    """
    keys = [f"login-user:{username.strip().casefold()}", f"login-addr:{address}"]
    limiter.check_all(keys, message="Too many sign-in attempts for this account or address.")
    return authenticate_password(store, username, password)


def authenticate_password(store: Store, username: str, password: str) -> UserRecord:
    """The user with these credentials.

    Raises:
        AuthenticationError: When the user is unknown, disabled or the password is wrong (one
            message for all three, so as not to tell which).
    """
    # Made before the lookup, so that the first sign-in costs the same whether the user exists.
    dummy = _dummy_hash()
    with store.connect() as connection:
        try:
            user = account_store.get_user(connection, username=username)
        except NotFoundError:
            # Spend the same time as for a real account, so timing does not tell who exists.
            verify_password(dummy, password)
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
    store: Store,
    user: UserRecord,
    name: str,
    *,
    days: int | None = 90,
    actor: Viewer | None = None,
) -> IssuedToken:
    """Issue an API token for ``user``, valid for ``days`` (None: until revoked).

    Args:
        store: The store.
        user: Who the token acts for.
        name: What it is for (e.g. laptop).
        days: How long it is valid, 1-3650 days; None until revoked.
        actor: Who issues it, when not the user themself (an admin managing the user).

    Raises:
        ValidationError: When ``days`` is not 1-3650 or the name is empty.
        PermissionDeniedError: When ``actor`` may not manage ``user``.
        ConflictError: When the user holds :data:`MAX_LIVE_TOKENS` live tokens already.
    """
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError([FieldProblem("days", "must be 1-3650", str(days))], "token")
    if not name.strip():
        raise ValidationError([FieldProblem("name", "names the token (e.g. laptop)")], "token")
    if actor is not None and (actor.user_id is None or actor.user_id != user.id):
        _check_manages(actor, user.nation, user.role, f"issue tokens for {user.username}")
    token = new_token()
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    with store.transaction() as connection:
        account_store.lock_user(connection, user.id)  # two sign-ins at once count in turn
        if account_store.count_live_tokens(connection, user.id) >= MAX_LIVE_TOKENS:
            raise ConflictError(
                f"{user.username} holds {MAX_LIVE_TOKENS} live API tokens, the most an account "
                "may hold.",
                hint="Revoke one first: GET /api/v1/tokens lists yours and DELETE "
                "/api/v1/tokens/{id} revokes one; an administrator can with "
                f"`comity users tokens {user.username}` and `comity users revoke-token ID`.",
            )
        record = account_store.add_token(
            connection, user.id, name.strip()[:100], token.prefix, token.digest, expires
        )
        after = {**record.public(), "user": user.username}
        issuer = actor.name if actor else user.username
        append_audit(connection, issuer, "create", "token", record.id, None, after)
    return IssuedToken(token.secret, record)


TOKEN_RECHECK_SECONDS = 10.0
"""How long a server process trusts a token it has checked before it reads it again.

A revocation, a disabled account or a new password made through this process applies to the
next request at once; made through another process (another server, the CLI), within this time.
"""

_checked: dict[tuple[str, str], tuple[float, TokenRecord, UserRecord]] = {}
_checked_lock = threading.Lock()
_generation = 0
"""Counts the times the remembered tokens were forgotten (see :func:`authenticate_token`)."""


def forget_checked_tokens() -> None:
    """Read every token from the store again (after accounts changed outside this process)."""
    global _generation
    with _checked_lock:
        _checked.clear()
        _generation += 1


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
    with _checked_lock:
        generation = _generation
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
        # A token read before a revocation (or a new password) was made here is not remembered.
        if generation == _generation:
            _checked[(store.describe_url(), digest)] = (time.monotonic(), token, user)
    if touch:
        with store.transaction() as connection:
            account_store.touch_token(connection, token.id)
    return user


def list_tokens(store: Store, user: UserRecord, actor: Viewer | None = None) -> list[TokenRecord]:
    """A user's tokens (their prefixes, never the secrets), newest first.

    Raises:
        PermissionDeniedError: When ``actor`` (when given, and not the user) may not manage
            the user.
    """
    if actor is not None and (actor.user_id is None or actor.user_id != user.id):
        _check_manages(actor, user.nation, user.role, f"list the tokens of {user.username}")
    with store.connect() as connection:
        return account_store.list_tokens(connection, user.id)


def revoke_token(store: Store, actor: Viewer, token_id: int) -> TokenRecord:
    """Revoke a token: the actor's own, or one of an account they manage (admins).

    Raises:
        NotFoundError: When the token is neither the actor's nor one they manage (or does not
            exist).
    """
    with store.transaction() as connection:
        token, owner = account_store.get_token(connection, token_id)
        mine = actor.user_id is not None and token.user_id == actor.user_id
        if not (mine or actor.may_manage(owner.nation, owner.role)):
            raise NotFoundError(f"No token {token_id}.")
        record = account_store.revoke_token(connection, token_id)
        append_audit(connection, actor.name, "revoke", "token", token_id, None, record.public())
    forget_checked_tokens()
    return record
