"""let engagements be of kind arms_transfer or presence

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 02:03:16

The kinds an engagement may be are those of ``comity.model.kinds.KINDS``: this revision moves
the CHECK on ``engagements.kind`` to them. The kinds before and after are written out here, as
they stood at this revision.
"""

from collections.abc import Sequence

from alembic import op

from comity.store.kind_check import change_kinds

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
    "exercise",
    "education",
    "training",
    "research",
    "cultural_event",
    "visit",
    "port_call",
    "peacekeeping",
    "humanitarian",
    "outreach",
    "agreement",
    "alliance",
    "media_event",
)
_AFTER = (
    "exercise",
    "education",
    "training",
    "research",
    "cultural_event",
    "visit",
    "port_call",
    "peacekeeping",
    "humanitarian",
    "outreach",
    "agreement",
    "alliance",
    "media_event",
    "arms_transfer",
    "presence",
)


def upgrade() -> None:
    change_kinds(op.get_bind(), _AFTER)


def downgrade() -> None:
    change_kinds(op.get_bind(), _BEFORE)
