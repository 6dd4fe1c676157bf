"""note what each change touched

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:00:00

``record_changes``: one row per change to the analysed records (the value of the ``records``
counter after it, the version it made, and the nations whose pairs it may move; NULL: any
pair). An analytic result of an earlier version is brought up to date by recomputing the pairs
of the nations touched since, instead of every pair.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_changes",
        sa.Column("value", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("nations", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("value", name=op.f("pk_record_changes")),
    )
    with op.batch_alter_table("record_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_changes_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_changes_version"))
    op.drop_table("record_changes")
