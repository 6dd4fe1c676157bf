"""count changes to records; participations ordered by date per nation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 01:40:00

``change_counters`` holds a number every write to the analysed records bumps, so that cached
analytics know in one lookup whether they are current. ``participants.start_date`` copies its
engagement's start so that a nation's engagements are read in date order from one index, and
engagements get an index in the order lists show them.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(
        counters,
        [{"name": "records", "value": 0}, {"name": "store", "value": secrets.randbits(62)}],
    )
    op.add_column("participants", sa.Column("start_date", sa.Date(), nullable=True))
    op.execute(
        "UPDATE participants SET start_date = "
        "(SELECT start_date FROM engagements WHERE engagements.id = participants.engagement_id)"
    )
    op.drop_index(op.f("ix_participants_nation_engagement_id"), table_name="participants")
    op.create_index(
        op.f("ix_participants_nation_start_date_engagement_id"),
        "participants",
        ["nation", "start_date", "engagement_id"],
    )
    op.create_index(op.f("ix_engagements_start_date_id"), "engagements", ["start_date", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_engagements_start_date_id"), table_name="engagements")
    op.drop_index(
        op.f("ix_participants_nation_start_date_engagement_id"), table_name="participants"
    )
    op.create_index(
        op.f("ix_participants_nation_engagement_id"), "participants", ["nation", "engagement_id"]
    )
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("start_date")
    op.drop_table("change_counters")
