"""sign out sessions server side

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:40:00

Sessions kept server-side, so that signing out and a new password end them: ``sessions`` holds
each web session's SHA-256 digest (the signed cookie carries only the secret), its user, when it
started, was last seen and ended, and why.

A role above admin, ``operator``, administers every nation's accounts; an admin now manages
their own nation's only. The role check of ``users`` admits the new value (on SQLite by editing
the table's definition in place, as 0009 does), and the first administrator, the one
``comity init --admin`` made, becomes the installation's operator, keeping what they could do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("viewer", "analyst", "planner", "approver", "admin")
_AFTER = (*_BEFORE, "operator")
_CHECK = "ck_users_role"


def _comparisons(values: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"role = {value!r}" for value in values) + ")"


def _set_roles(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Replace the role check of ``users``: ``old`` values allowed before, ``new`` after."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(_CHECK), "users", type_="check")
        op.create_check_constraint(op.f(_CHECK), "users", _comparisons(new))
        return
    connection = op.get_bind()
    sql = str(
        connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
        ).scalar_one()
    )
    before = f"CONSTRAINT {_CHECK} CHECK ({_comparisons(old)})"
    if sql.count(before) != 1:
        # Made some other way: copy the table with the new check (rows and keys kept).
        with op.batch_alter_table("users", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(_CHECK), type_="check")
            batch_op.create_check_constraint("role", _comparisons(new))
        return
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    edited = sql.replace(before, f"CONSTRAINT {_CHECK} CHECK ({_comparisons(new)})")
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'", (edited,)
    )
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # Parsed again here: a definition that did not parse fails the migration, which rolls back.
    connection.exec_driver_sql('SELECT * FROM "users" LIMIT 0')


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    _set_roles(_BEFORE, _AFTER)
    # The first administrator administered every nation until now: they keep doing so.
    op.execute(
        "UPDATE users SET role = 'operator' WHERE id = "
        "(SELECT min(id) FROM users WHERE role = 'admin')"
    )


def downgrade() -> None:
    op.execute("UPDATE users SET role = 'admin' WHERE role = 'operator'")
    _set_roles(_AFTER, _BEFORE)
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))

    op.drop_table("sessions")
