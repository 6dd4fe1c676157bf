"""The tables of accounts, API tokens, web sessions and the append-only audit log.

They share ``tables.metadata``; importing ``comity.store`` registers them, so migrations and
``alembic check`` always see the whole schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from comity.access.viewer import Role
from comity.store.tables import metadata, one_of

__all__ = ["api_tokens", "audit_log", "sessions", "users"]

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    # Free text: as long as the person's name is (migration 0012).
    Column("display_name", Text),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("organisation", String(16), ForeignKey("organisations.code")),
    Column("role", String(12), nullable=False),
    # The agency an approver decides for (plans); None for everyone else.
    Column("agency", String(30)),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    CheckConstraint(one_of("role", tuple(role.name.lower() for role in Role)), name="role"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("prefix", String(12), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

# A web session: the signed cookie carries the secret, the store its SHA-256 digest, so a
# session can be ended (sign-out, a new password, a disabled account) and its cookie refused.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    # Why it ended: signed_out, new_password, disabled.
    Column("end_reason", String(20)),
    Index(None, "user_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(100)),
    Column("before", JSON(none_as_null=True)),
    Column("after", JSON(none_as_null=True)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index(None, "entity", "entity_id"),
)
