"""link records that describe one event

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 04:45:13

``record_links``: pairs of engagements (the smaller id first) that the linkage model scored as
possibly one event, with the probability, the match weight and what each comparison found;
``status`` is linked, review or rejected, decided by the thresholds or by a person
(``decided_by``). A link goes with either of its records (docs/importing.md, "One event, many
sources").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("left_id", sa.Integer(), nullable=False),
        sa.Column("right_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status = 'linked' OR status = 'review' OR status = 'rejected'",
            name=op.f("ck_record_links_status"),
        ),
        sa.CheckConstraint("left_id < right_id", name=op.f("ck_record_links_ordered")),
        sa.ForeignKeyConstraint(
            ["left_id"],
            ["engagements.id"],
            name=op.f("fk_record_links_left_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["engagements.id"],
            name=op.f("fk_record_links_right_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_links")),
        sa.UniqueConstraint("left_id", "right_id", name=op.f("uq_record_links_left_id_right_id")),
    )
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_links_right_id"), ["right_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_links_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_links_status"))
        batch_op.drop_index(batch_op.f("ix_record_links_right_id"))

    op.drop_table("record_links")
