"""Users and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from comity.access.viewer import Role
from comity.errors import ConflictError, NotFoundError
from comity.store import tables_access as tables

__all__ = [
    "TokenRecord",
    "UserRecord",
    "add_token",
    "add_user",
    "find_token",
    "get_user",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_user_disabled",
    "touch_token",
]

_U = tables.users
_T = tables.api_tokens


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
        return {"id": self.id, "username": self.username, "display_name": self.display_name,
                "nation": self.nation, "organisation": self.organisation,
                "role": self.role.name.lower(), "agency": self.agency, "disabled": self.disabled,
                "created_at": self.created_at.isoformat()}  # fmt: skip


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
        .values(username=username, display_name=display_name, nation=nation,
                organisation=organisation, role=role.name.lower(), agency=agency,
                password_hash=password_hash,
                disabled=False, created_at=datetime.now(UTC), created_by=actor)
        .returning(_U.c.id)
    ).scalar_one()  # fmt: skip
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


def list_users(connection: Connection) -> list[UserRecord]:
    """Every user, by username."""
    return [_user(row) for row in connection.execute(select(_U).order_by(_U.c.username))]


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
        .values(user_id=user_id, name=name, prefix=prefix, token_hash=digest,
                created_at=datetime.now(UTC), expires_at=expires_at)
        .returning(_T.c.id)
    ).scalar_one()  # fmt: skip
    row = connection.execute(select(_T).where(_T.c.id == new_id)).one()
    return _token(row)


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
