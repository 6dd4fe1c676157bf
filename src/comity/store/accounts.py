"""Users, their API tokens and their web sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update

from comity.access.viewer import Role
from comity.errors import ConflictError, NotFoundError
from comity.store import tables_access as tables

__all__ = [
    "SessionRecord",
    "TokenRecord",
    "UserRecord",
    "add_session",
    "add_token",
    "add_user",
    "count_live_tokens",
    "end_session",
    "end_user_sessions",
    "find_session",
    "find_token",
    "forget_sessions_before",
    "get_token",
    "get_user",
    "list_tokens",
    "list_users",
    "lock_user",
    "revoke_token",
    "revoke_user_tokens",
    "set_password_hash",
    "set_user_disabled",
    "touch_session",
    "touch_token",
]

_U = tables.users
_T = tables.api_tokens
_S = tables.sessions


@dataclass(frozen=True)
class UserRecord:
    """A user as stored (the password hash included: never send it out)."""

    id: int
    username: str
    display_name: str | None
    nation: str
    organisation: str | None
    role: Role
    agency: str | None
    password_hash: str
    disabled: bool
    created_at: datetime
    created_by: str

    def public(self) -> dict[str, object]:
        """The fields that may be shown."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "nation": self.nation,
            "organisation": self.organisation,
            "role": self.role.name.lower(),
            "agency": self.agency,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class TokenRecord:
    """An API token as stored (its digest, never the secret)."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def public(self) -> dict[str, object]:
        """The fields that may be shown."""
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _user(row: object) -> UserRecord:
    values = {f: getattr(row, f) for f in UserRecord.__dataclass_fields__}
    values["role"] = Role[str(values["role"]).upper()]
    values["created_at"] = _aware(values["created_at"])
    return UserRecord(**values)


def _token(row: object) -> TokenRecord:
    values = {f: getattr(row, f) for f in TokenRecord.__dataclass_fields__}
    for field in ("created_at", "expires_at", "revoked_at", "last_used_at"):
        values[field] = _aware(values[field])
    return TokenRecord(**values)


def add_user(
    connection: Connection,
    *,
    username: str,
    nation: str,
    role: Role,
    password_hash: str,
    actor: str,
    display_name: str | None = None,
    organisation: str | None = None,
    agency: str | None = None,
) -> UserRecord:
    """Store a new user.

    Raises:
        ConflictError: When the username is taken.
    """
    taken = connection.execute(select(_U.c.id).where(_U.c.username == username)).first()
    if taken is not None:
        raise ConflictError(f"The username {username!r} is taken.")
    new_id = connection.execute(
        insert(_U)
        .values(
            username=username,
            display_name=display_name,
            nation=nation,
            organisation=organisation,
            role=role.name.lower(),
            agency=agency,
            password_hash=password_hash,
            disabled=False,
            created_at=datetime.now(UTC),
            created_by=actor,
        )
        .returning(_U.c.id)
    ).scalar_one()
    return get_user(connection, user_id=int(new_id))


def get_user(
    connection: Connection, *, user_id: int | None = None, username: str | None = None
) -> UserRecord:
    """A user by id or username.

    Raises:
        NotFoundError: When there is none.
    """
    query = select(_U)
    query = (
        query.where(_U.c.id == user_id)
        if user_id is not None
        else query.where(_U.c.username == username)
    )
    row = connection.execute(query).first()
    if row is None:
        raise NotFoundError(f"No user {username or user_id!r}.", hint="comity users list")
    return _user(row)


def list_users(connection: Connection, nation: str | None = None) -> list[UserRecord]:
    """Every user (of ``nation``, when given), by username."""
    query = select(_U).order_by(_U.c.username)
    if nation is not None:
        query = query.where(_U.c.nation == nation)
    return [_user(row) for row in connection.execute(query)]


def lock_user(connection: Connection, user_id: int) -> None:
    """Hold the user's row until the transaction ends, so that writes about it take turns.

    An update that changes nothing takes the row lock on PostgreSQL and the write lock on
    SQLite, before the caller counts what the user holds (tokens) and adds to it.
    """
    connection.execute(update(_U).where(_U.c.id == user_id).values(id=_U.c.id))


def set_user_disabled(connection: Connection, username: str, disabled: bool) -> UserRecord:
    """Disable (or enable) a user: a disabled user's tokens stop working."""
    user = get_user(connection, username=username)
    connection.execute(update(_U).where(_U.c.id == user.id).values(disabled=disabled))
    return get_user(connection, user_id=user.id)


def set_password_hash(connection: Connection, username: str, password_hash: str) -> UserRecord:
    """Replace a user's password hash."""
    user = get_user(connection, username=username)
    connection.execute(update(_U).where(_U.c.id == user.id).values(password_hash=password_hash))
    return get_user(connection, user_id=user.id)


def add_token(
    connection: Connection,
    user_id: int,
    name: str,
    prefix: str,
    digest: str,
    expires_at: datetime | None,
) -> TokenRecord:
    """Store a token's digest."""
    new_id = connection.execute(
        insert(_T)
        .values(
            user_id=user_id,
            name=name,
            prefix=prefix,
            token_hash=digest,
            created_at=datetime.now(UTC),
            expires_at=expires_at,
        )
        .returning(_T.c.id)
    ).scalar_one()
    row = connection.execute(select(_T).where(_T.c.id == new_id)).one()
    return _token(row)


def get_token(connection: Connection, token_id: int) -> tuple[TokenRecord, UserRecord]:
    """A token by id, and its user.

    Raises:
        NotFoundError: When there is no such token.
    """
    row = connection.execute(select(_T).where(_T.c.id == token_id)).first()
    if row is None:
        raise NotFoundError(f"No token {token_id}.")
    token = _token(row)
    return token, get_user(connection, user_id=token.user_id)


def find_token(connection: Connection, digest: str) -> tuple[TokenRecord, UserRecord] | None:
    """The token with this digest and its user, if any (expired or revoked ones included)."""
    row = connection.execute(select(_T).where(_T.c.token_hash == digest)).first()
    if row is None:
        return None
    token = _token(row)
    return token, get_user(connection, user_id=token.user_id)


def touch_token(connection: Connection, token_id: int) -> None:
    """Record that a token was used now."""
    connection.execute(update(_T).where(_T.c.id == token_id).values(last_used_at=datetime.now(UTC)))


def list_tokens(connection: Connection, user_id: int) -> list[TokenRecord]:
    """A user's tokens, newest first."""
    rows = connection.execute(
        select(_T).where(_T.c.user_id == user_id).order_by(_T.c.created_at.desc(), _T.c.id.desc())
    )
    return [_token(row) for row in rows]


def revoke_token(connection: Connection, token_id: int, user_id: int | None = None) -> TokenRecord:
    """Revoke a token (of ``user_id`` when given).

    Raises:
        NotFoundError: When there is no such token (for that user).
    """
    query = select(_T).where(_T.c.id == token_id)
    if user_id is not None:
        query = query.where(_T.c.user_id == user_id)
    row = connection.execute(query).first()
    if row is None:
        raise NotFoundError(f"No token {token_id}.")
    connection.execute(update(_T).where(_T.c.id == token_id).values(revoked_at=datetime.now(UTC)))
    return _token(connection.execute(select(_T).where(_T.c.id == token_id)).one())


def _live(user_id: int, now: datetime) -> ColumnElement[bool]:
    return and_(
        _T.c.user_id == user_id,
        _T.c.revoked_at.is_(None),
        or_(_T.c.expires_at.is_(None), _T.c.expires_at > now),
    )


def count_live_tokens(connection: Connection, user_id: int) -> int:
    """How many of the user's tokens are neither revoked nor expired."""
    query = select(func.count()).select_from(_T).where(_live(user_id, datetime.now(UTC)))
    return int(connection.execute(query).scalar_one())


def revoke_user_tokens(connection: Connection, user_id: int) -> list[int]:
    """Revoke every live token of the user; return their ids."""
    now = datetime.now(UTC)
    ids = [int(i) for i in connection.execute(select(_T.c.id).where(_live(user_id, now))).scalars()]
    if ids:
        connection.execute(update(_T).where(_T.c.id.in_(ids)).values(revoked_at=now))
    return ids


@dataclass(frozen=True)
class SessionRecord:
    """A web session as stored (the digest of its secret, never the secret)."""

    id: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None


def _session(row: object) -> SessionRecord:
    values = {f: getattr(row, f) for f in SessionRecord.__dataclass_fields__}
    for field in ("created_at", "last_seen_at", "ended_at"):
        values[field] = _aware(values[field])
    return SessionRecord(**values)


def add_session(connection: Connection, digest: str, user_id: int) -> SessionRecord:
    """Store a new session of ``user_id`` under the digest of its secret."""
    now = datetime.now(UTC)
    connection.execute(
        insert(_S).values(id=digest, user_id=user_id, created_at=now, last_seen_at=now)
    )
    return _session(connection.execute(select(_S).where(_S.c.id == digest)).one())


def find_session(connection: Connection, digest: str) -> tuple[SessionRecord, UserRecord] | None:
    """The session with this digest and its user, if any (ended ones included)."""
    row = connection.execute(select(_S).where(_S.c.id == digest)).first()
    if row is None:
        return None
    session = _session(row)
    return session, get_user(connection, user_id=session.user_id)


def touch_session(connection: Connection, digest: str) -> None:
    """Record that a session was used now, waiting a tenth of a second at most for the store.

    A page only reads, and SQLite has one writer at a time: behind a long import, a page would
    wait for its turn to write this. It does not; the caller lets the write go instead.
    """
    waited = None
    if connection.dialect.name == "sqlite":
        waited = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
        connection.exec_driver_sql("PRAGMA busy_timeout = 100")
    try:
        connection.execute(
            update(_S).where(_S.c.id == digest).values(last_seen_at=datetime.now(UTC))
        )
    finally:
        if waited is not None:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {waited}")


def end_session(connection: Connection, digest: str, reason: str) -> bool:
    """End one session, if it is live; True when it was."""
    ended = connection.execute(
        update(_S)
        .where(_S.c.id == digest, _S.c.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC), end_reason=reason)
    )
    return bool(ended.rowcount)


def end_user_sessions(connection: Connection, user_id: int, reason: str) -> int:
    """End every live session of the user; return how many there were."""
    ended = connection.execute(
        update(_S)
        .where(_S.c.user_id == user_id, _S.c.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC), end_reason=reason)
    )
    return int(ended.rowcount)


def forget_sessions_before(connection: Connection, moment: datetime) -> None:
    """Delete the sessions started before ``moment`` (long over: they only take room)."""
    connection.execute(delete(_S).where(_S.c.created_at < moment))
