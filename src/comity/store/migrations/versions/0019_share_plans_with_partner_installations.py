"""share plans with partner installations

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-09 09:00:00

``plans.shared``: whether a plan travels in exchange bundles to the partner installations that
may read it (false for every plan stored before). ``plans.origin``: ``xchg:INSTALLATION:ID`` for
a plan received from a partner installation, which follows that installation's workflow and
never this one's (unique; NULL for this installation's own plans). ``exchange_records.kind`` may
be ``plan``.

On SQLite the CHECK on ``exchange_records.kind`` is edited in the table's definition, as 0009
does (https://www.sqlite.org/lang_altertable.html); PostgreSQL drops and adds it. A downgrade
forgets which plans came from partners (they stay, as plans of the partner's nation) and the
bookkeeping of the plans received.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECK = "ck_exchange_records_kind"
_BEFORE = ("engagement", "assessment", "note")
_AFTER = ("engagement", "assessment", "note", "plan")


def _comparisons(kinds: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"kind = '{kind}'" for kind in kinds) + ")"


def _change_kinds(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        # op.f: the name as written, not passed through the tables' naming convention again.
        op.drop_constraint(op.f(_CHECK), "exchange_records", type_="check")
        op.create_check_constraint(op.f(_CHECK), "exchange_records", _comparisons(new))
        return
    sql = str(
        connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'exchange_records'"
        ).scalar_one()
    )
    before = f"CONSTRAINT {_CHECK} CHECK ({_comparisons(old)})"
    if sql.count(before) != 1:
        raise RuntimeError(f"exchange_records has no CHECK {before!r} to change")
    edited = sql.replace(before, f"CONSTRAINT {_CHECK} CHECK ({_comparisons(new)})")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'exchange_records'",
        (edited,),
    )
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    # Parsed again here: the migration fails (and rolls back) if the definition does not parse.
    connection.exec_driver_sql('SELECT * FROM "exchange_records" LIMIT 0')


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("origin", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_plans_origin"), ["origin"], unique=True)
    _change_kinds(_BEFORE, _AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM exchange_records WHERE kind = 'plan'")
    _change_kinds(_AFTER, _BEFORE)
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_origin"))
        batch_op.drop_column("origin")
        batch_op.drop_column("shared")
