"""record alumni: attendances and career steps

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 01:39:03

``attendances``: who attended which education programme, when and where (optionally the
education engagement it belongs to); ``career_steps``: the promotions and appointments that
followed, each with a seniority category (docs/alumni.md). Both carry releasability labels.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "career_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("step_date", sa.Date(), nullable=False),
        sa.Column("step_precision", sa.String(length=5), nullable=False),
        sa.Column("step_year", sa.Integer(), nullable=False),
        sa.Column("rank", sa.String(length=300), nullable=True),
        sa.Column("position", sa.String(length=300), nullable=False),
        sa.Column("seniority", sa.String(length=20), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["release_labels.id"],
            name=op.f("fk_career_steps_label_id_release_labels"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_career_steps_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_career_steps")),
    )
    with op.batch_alter_table("career_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_career_steps_person_id"), ["person_id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(length=300), nullable=False),
        sa.Column("institution", sa.String(length=300), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("start_precision", sa.String(length=5), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_precision", sa.String(length=5), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_attendances_engagement_id_engagements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_attendances_label_id_release_labels")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_attendances_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendances_programme"), ["programme"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_programme"))
        batch_op.drop_index(batch_op.f("ix_attendances_person_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("career_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_career_steps_person_id"))

    op.drop_table("career_steps")
