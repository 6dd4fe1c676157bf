"""own records by nation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 21:40:00

Every record, import and plan belongs to the nation that wrote it (``owner_nation``; empty for
the installation's own: the bundled datasets and what the local operator wrote). Only the
owner's users change a record; an import is keyed by its owner and name, so two nations'
datasets of one name never touch; external ids are unique per owner, so one nation's id never
collides with (or reveals) another's.

Records already stored get the nation of the account that created them; the bundled datasets'
records and those of accounts without a nation belong to the installation. A dataset a nation's
user imported is renamed ``NAT/name``, with its records, runs and coverage.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The bundled datasets when this migration was written: they belong to the installation.
_BUNDLED = (
    "cow_states",
    "organisations",
    "mme_exercises",
    "atop_alliances",
    "cow_alliances",
    "un_peacekeeping",
    "us_senior_visits",
    "mid_dyadic",
    "democracy_scores",
    "hofstede",
    "gdelt_sample",
)
_OWNED = (
    "people",
    "postings",
    "engagements",
    "assessments",
    "notes",
    "attendances",
    "career_steps",
    "plans",
)
_KEYED = (("engagements", "source_dataset"), ("import_runs", "dataset"), ("coverage", "dataset"))


def _add_owner(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_nation", sa.String(length=3), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f(f"fk_{table}_owner_nation_nations"), "nations", ["owner_nation"], ["iso3"]
        )


def upgrade() -> None:
    for table in (*_OWNED, "datasets"):
        _add_owner(table)
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_constraint("uq_engagements_external_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_engagements_owner_nation_external_id"), ["owner_nation", "external_id"]
        )
    op.create_index(
        "uq_engagements_installation_external_id",
        "engagements",
        ["external_id"],
        unique=True,
        sqlite_where=sa.text("owner_nation IS NULL"),
        postgresql_where=sa.text("owner_nation IS NULL"),
    )
    bundled = ", ".join(f"'{name}'" for name in _BUNDLED)
    for table in _OWNED:
        op.execute(
            f"UPDATE {table} SET owner_nation = (SELECT u.nation FROM users u "
            f"WHERE u.username = {table}.created_by)"
        )
    op.execute(f"UPDATE engagements SET owner_nation = NULL WHERE source_dataset IN ({bundled})")
    # A nation's own imports: owned by the importer's nation and keyed NAT/name.
    op.execute(
        "UPDATE datasets SET owner_nation = (SELECT u.nation FROM users u "
        f"WHERE u.username = datasets.imported_by) WHERE name NOT IN ({bundled})"
    )
    for table, column in _KEYED:
        op.execute(
            f"UPDATE {table} SET {column} = (SELECT d.owner_nation || '/' || d.name "
            f"FROM datasets d WHERE d.name = {table}.{column}) "
            f"WHERE {column} IN (SELECT name FROM datasets WHERE owner_nation IS NOT NULL)"
        )
    op.execute(
        "UPDATE datasets SET name = owner_nation || '/' || name WHERE owner_nation IS NOT NULL"
    )


def downgrade() -> None:
    for table, column in _KEYED:
        op.execute(f"UPDATE {table} SET {column} = SUBSTR({column}, 5) WHERE {column} LIKE '___/%'")
    op.execute("UPDATE datasets SET name = SUBSTR(name, 5) WHERE name LIKE '___/%'")
    op.drop_index("uq_engagements_installation_external_id", table_name="engagements")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_constraint("uq_engagements_owner_nation_external_id", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_engagements_external_id"), ["external_id"])
    for table in ("datasets", *reversed(_OWNED)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_owner_nation_nations", type_="foreignkey")
            batch_op.drop_column("owner_nation")
