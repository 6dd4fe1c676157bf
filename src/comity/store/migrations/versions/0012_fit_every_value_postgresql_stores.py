"""fit every value postgresql stores

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 21:40:00

Column lengths that fit every value the bundled datasets and the model allow.

SQLite ignores a declared length; PostgreSQL refuses a longer value, so ``comity import --all``
stopped at ``mid_dyadic``, whose published version ("peacesciencer fe150a2 (GML MID 2.2.1, CoW
MID 5.0, Thompson-Dreyer 2012)") is 72 characters long, in ``datasets.version VARCHAR(64)``.
Free text becomes ``TEXT``: a dataset's title and version (a mapping file sets them, at any
length), a source's dataset, version and row as a user types them, an account's display name.
An import's key grows to 54 characters: a name of up to 50, after ``NAT/`` for a nation's import.

PostgreSQL changes each column's type in place; SQLite copies each table (batch mode), its rows
unchanged. Going back shortens any longer value on PostgreSQL to the old length.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, type before, type after, nullable)
_CHANGES = (
    ("datasets", "name", sa.String(length=50), sa.String(length=54), False),
    ("datasets", "title", sa.String(length=300), sa.Text(), False),
    ("datasets", "version", sa.String(length=64), sa.Text(), True),
    ("import_runs", "dataset", sa.String(length=50), sa.String(length=54), False),
    ("coverage", "dataset", sa.String(length=50), sa.String(length=54), False),
    ("engagements", "source_dataset", sa.String(length=50), sa.String(length=54), True),
    ("engagement_sources", "dataset", sa.String(length=100), sa.Text(), True),
    ("engagement_sources", "version", sa.String(length=50), sa.Text(), True),
    ("engagement_sources", "row", sa.String(length=100), sa.Text(), True),
    ("users", "display_name", sa.String(length=200), sa.Text(), True),
)


def _alter(back: bool) -> None:
    tables = dict.fromkeys(table for table, *_ in _CHANGES)
    for table in tables:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, before, after, nullable in _CHANGES:
                if name != table:
                    continue
                old, new = (after, before) if back else (before, after)
                # Going back, PostgreSQL keeps what fits of a longer value.
                using = f'SUBSTR("{column}", 1, {new.length})' if back and new.length else None
                batch_op.alter_column(
                    column,
                    existing_type=old,
                    type_=new,
                    existing_nullable=nullable,
                    postgresql_using=using,
                )


def upgrade() -> None:
    _alter(back=False)


def downgrade() -> None:
    _alter(back=True)
