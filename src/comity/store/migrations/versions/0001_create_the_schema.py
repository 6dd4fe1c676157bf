"""create the schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 22:11:07.948736
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nations",
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("iso2", sa.String(length=2), nullable=True),
        sa.Column("iso_numeric", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("official_name", sa.String(length=300), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("continent", sa.String(length=50), nullable=True),
        sa.Column("cow_code", sa.Integer(), nullable=True),
        sa.Column("cow_abbrev", sa.String(length=3), nullable=True),
        sa.Column("gw_code", sa.Integer(), nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("iso3", name=op.f("pk_nations")),
    )
    with op.batch_alter_table("nations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nations_cow_code"), ["cow_code"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=True),
        sa.Column("parent", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent"], ["organisations.code"], name=op.f("fk_organisations_parent_organisations")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_organisations")),
    )
    op.create_table(
        "release_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_labels")),
        sa.UniqueConstraint("label", name=op.f("uq_release_labels_label")),
    )
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("city", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_institutions_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("nation", "name", name=op.f("uq_institutions_nation_name")),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=16), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("joined_year", sa.Integer(), nullable=False),
        sa.Column("left_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "left_year IS NULL OR left_year >= joined_year",
            name=op.f("ck_memberships_left_after_joined"),
        ),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_memberships_nation_nations")
        ),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisations.code"],
            name=op.f("fk_memberships_organisation_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_memberships_nation_organisation"),
            ["nation", "organisation"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_organisation"), ["organisation"], unique=False
        )

    op.create_table(
        "nation_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_nation_codes_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nation_codes")),
    )
    with op.batch_alter_table("nation_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nation_codes_nation_system"), ["nation", "system"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nation_codes_system_code"), ["system", "code"], unique=False
        )

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("rank", sa.String(length=300), nullable=True),
        sa.Column("service", sa.String(length=300), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_people_label_id_release_labels")
        ),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_people_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_nation"), ["nation"], unique=False)

    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("organiser", sa.String(length=3), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organiser"], ["nations.iso3"], name=op.f("fk_programmes_organiser_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_programmes_name")),
    )
    op.create_table(
        "release_targets",
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["release_labels.id"],
            name=op.f("fk_release_targets_label_id_release_labels"),
        ),
        sa.PrimaryKeyConstraint("label_id", "target", name=op.f("pk_release_targets")),
    )
    with op.batch_alter_table("release_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_targets_target"), ["target"], unique=False)

    op.create_table(
        "state_spells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_state_spells_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_spells")),
    )
    with op.batch_alter_table("state_spells", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_state_spells_nation"), ["nation"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("start_precision", sa.String(length=5), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_precision", sa.String(length=5), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=3), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "kind IN ('exercise', 'education', 'training', 'research', 'cultural_event', 'visit', 'port_call', 'peacekeeping', 'humanitarian', 'outreach', 'agreement', 'alliance', 'media_event')",
            name=op.f("ck_engagements_kind"),
        ),
        sa.CheckConstraint(
            "start_precision IN ('day', 'month', 'year')",
            name=op.f("ck_engagements_start_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["host"], ["nations.iso3"], name=op.f("fk_engagements_host_nations")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_engagements_label_id_release_labels")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_engagements_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("external_id", name=op.f("uq_engagements_external_id")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagements_kind_start_year"), ["kind", "start_year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_start_year_end_year"),
            ["start_year", "end_year"],
            unique=False,
        )

    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=3), nullable=False),
        sa.Column("post", sa.String(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("start_precision", sa.String(length=5), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_precision", sa.String(length=5), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("institution", sa.String(length=300), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["host"], ["nations.iso3"], name=op.f("fk_postings_host_nations")),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_postings_label_id_release_labels")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_postings_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_postings_host_start_year"), ["host", "start_year"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_postings_person_id"), ["person_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("interoperability", sa.Integer(), nullable=True),
        sa.Column("trust", sa.Integer(), nullable=True),
        sa.Column("interoperability_notes", sa.Text(), nullable=True),
        sa.Column("cultural_notes", sa.Text(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_assessments_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_assessments_label_id_release_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "engagement_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=True),
        sa.Column("version", sa.String(length=50), nullable=True),
        sa.Column("row", sa.String(length=100), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_sources_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_sources")),
    )
    with op.batch_alter_table("engagement_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_sources_dataset_row"), ["dataset", "row"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_sources_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "participants",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('host', 'participant', 'observer')", name=op.f("ck_participants_role")
        ),
        sa.CheckConstraint(
            "personnel IS NULL OR personnel >= 0",
            name=op.f("ck_participants_personnel_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_participants_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_participants_nation_nations")
        ),
        sa.PrimaryKeyConstraint("engagement_id", "nation", name=op.f("pk_participants")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participants_nation_engagement_id"),
            ["nation", "engagement_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_nation_engagement_id"))

    op.drop_table("participants")
    with op.batch_alter_table("engagement_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_sources_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_sources_dataset_row"))

    op.drop_table("engagement_sources")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_engagement_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_person_id"))
        batch_op.drop_index(batch_op.f("ix_postings_host_start_year"))

    op.drop_table("postings")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_start_year_end_year"))
        batch_op.drop_index(batch_op.f("ix_engagements_programme_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_kind_start_year"))

    op.drop_table("engagements")
    with op.batch_alter_table("state_spells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_spells_nation"))

    op.drop_table("state_spells")
    with op.batch_alter_table("release_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_targets_target"))

    op.drop_table("release_targets")
    op.drop_table("programmes")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_nation"))

    op.drop_table("people")
    with op.batch_alter_table("nation_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nation_codes_system_code"))
        batch_op.drop_index(batch_op.f("ix_nation_codes_nation_system"))

    op.drop_table("nation_codes")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_organisation"))
        batch_op.drop_index(batch_op.f("ix_memberships_nation_organisation"))

    op.drop_table("memberships")
    op.drop_table("institutions")
    op.drop_table("release_labels")
    op.drop_table("organisations")
    with op.batch_alter_table("nations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nations_cow_code"))

    op.drop_table("nations")
