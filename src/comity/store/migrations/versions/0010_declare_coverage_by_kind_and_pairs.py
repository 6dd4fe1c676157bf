"""declare coverage by kind and pairs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 13:30:00

A source declares which engagement kinds it covers and for which pairs: every pair (``nation``
and ``organisation`` empty), the pairs that include one nation (``nation``), or the pairs of
co-members of an organisation in the years both are members (``organisation``). Beyond its
last year, a pair's contributions of that kind are unobserved, not zero (docs/methodology.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("organisation", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.drop_column("organisation")
        batch_op.drop_column("kind")
