"""record imports: provenance, datasets, coverage, scores, disputes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 22:31:35.958005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_datasets")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=50), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_dataset"), ["dataset"], unique=False)

    op.create_table(
        "coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=50), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=True),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_coverage_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage")),
    )
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverage_dataset"), ["dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_coverage_nation"), ["nation"], unique=False)

    op.create_table(
        "dispute_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=50), nullable=False),
        sa.Column("dispute", sa.String(length=20), nullable=False),
        sa.Column("nation1", sa.String(length=3), nullable=False),
        sa.Column("nation2", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("onset", sa.Boolean(), nullable=False),
        sa.Column("hostility", sa.Integer(), nullable=True),
        sa.Column("fatality", sa.Integer(), nullable=True),
        sa.Column("initiator", sa.String(length=3), nullable=True),
        sa.CheckConstraint("nation1 < nation2", name=op.f("ck_dispute_years_pair_ordered")),
        sa.ForeignKeyConstraint(
            ["nation1"], ["nations.iso3"], name=op.f("fk_dispute_years_nation1_nations")
        ),
        sa.ForeignKeyConstraint(
            ["nation2"], ["nations.iso3"], name=op.f("fk_dispute_years_nation2_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_years")),
    )
    with op.batch_alter_table("dispute_years", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_years_dataset"), ["dataset"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dispute_years_nation1_nation2_year"),
            ["nation1", "nation2", "year"],
            unique=False,
        )

    op.create_table(
        "nation_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=50), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_nation_scores_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nation_scores")),
    )
    with op.batch_alter_table("nation_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nation_scores_dataset"), ["dataset"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nation_scores_measure_nation_year"),
            ["measure", "nation", "year"],
            unique=False,
        )

    op.create_table(
        "rivalries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=50), nullable=False),
        sa.Column("rivalry", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nation1", sa.String(length=3), nullable=False),
        sa.Column("nation2", sa.String(length=3), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("types", sa.String(length=200), nullable=True),
        sa.CheckConstraint("nation1 < nation2", name=op.f("ck_rivalries_pair_ordered")),
        sa.ForeignKeyConstraint(
            ["nation1"], ["nations.iso3"], name=op.f("fk_rivalries_nation1_nations")
        ),
        sa.ForeignKeyConstraint(
            ["nation2"], ["nations.iso3"], name=op.f("fk_rivalries_nation2_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rivalries")),
    )
    with op.batch_alter_table("rivalries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rivalries_dataset"), ["dataset"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rivalries_nation1_nation2"), ["nation1", "nation2"], unique=False
        )

    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_dataset", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("source_version", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_row", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_engagements_source_dataset"), ["source_dataset"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_source_dataset"))
        batch_op.drop_column("content_hash")
        batch_op.drop_column("source_row")
        batch_op.drop_column("source_version")
        batch_op.drop_column("source_dataset")

    with op.batch_alter_table("rivalries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rivalries_nation1_nation2"))
        batch_op.drop_index(batch_op.f("ix_rivalries_dataset"))

    op.drop_table("rivalries")
    with op.batch_alter_table("nation_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nation_scores_measure_nation_year"))
        batch_op.drop_index(batch_op.f("ix_nation_scores_dataset"))

    op.drop_table("nation_scores")
    with op.batch_alter_table("dispute_years", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_years_nation1_nation2_year"))
        batch_op.drop_index(batch_op.f("ix_dispute_years_dataset"))

    op.drop_table("dispute_years")
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_nation"))
        batch_op.drop_index(batch_op.f("ix_coverage_dataset"))

    op.drop_table("coverage")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_dataset"))

    op.drop_table("import_runs")
    op.drop_table("datasets")
