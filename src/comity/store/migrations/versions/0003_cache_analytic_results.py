"""cache analytic results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 23:14:02.222502
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytic_results",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("method_version", sa.String(length=20), nullable=False),
        sa.Column("settings_digest", sa.String(length=32), nullable=False),
        sa.Column("data_version", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_analytic_results")),
    )
    with op.batch_alter_table("analytic_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytic_results_kind_scope"), ["kind", "scope"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytic_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytic_results_kind_scope"))

    op.drop_table("analytic_results")
