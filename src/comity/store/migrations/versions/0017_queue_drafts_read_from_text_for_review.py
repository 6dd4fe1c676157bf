"""queue drafts read from text for review

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00

``drafts``: draft engagements that extraction proposed from press releases and news, each in the
review queue of the nation whose user queued it (``owner_nation``; NULL: the installation's).
``draft`` keeps the proposal as it was, ``edits`` the reviewer's changes over it; ``status`` is
pending, accepted or rejected, with who decided, when and why, and the engagement an accepted
draft became. ``digest`` (SHA-256 of the passage's text and URL) is unique per queue, so one
passage is queued once per nation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_nation", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("edits", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("releasability", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending' OR status = 'accepted' OR status = 'rejected')",
            name=op.f("ck_drafts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_drafts_engagement_id_engagements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_nation"], ["nations.iso3"], name=op.f("fk_drafts_owner_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("owner_nation", "digest", name=op.f("uq_drafts_owner_nation_digest")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drafts_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_drafts_owner_nation_status"), ["owner_nation", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_drafts_status"), ["status"], unique=False)
    op.create_index(
        "uq_drafts_installation_digest",
        "drafts",
        ["digest"],
        unique=True,
        sqlite_where=sa.text("owner_nation IS NULL"),
        postgresql_where=sa.text("owner_nation IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_drafts_installation_digest", table_name="drafts")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_status"))
        batch_op.drop_index(batch_op.f("ix_drafts_owner_nation_status"))
        batch_op.drop_index(batch_op.f("ix_drafts_engagement_id"))
    op.drop_table("drafts")
