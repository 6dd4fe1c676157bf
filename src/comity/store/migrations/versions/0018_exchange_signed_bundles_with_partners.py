"""exchange signed bundles with partners

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00

``exchange_identity``: this installation's name, nation, public key and key id (the private key
is kept in a file beside the secret key), and the sequence number of its last bundle.
``exchange_partners``: the partner installations whose public keys are trusted, with the last
bundle imported from each (its sequence number and time: an older one is a replay).
``exchange_records``: each record an import wrote, by partner, kind and id at the partner, with
the digests that tell a partner's change from a local one (docs/exchange.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_exchange_identity_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_identity")),
    )
    op.create_table(
        "exchange_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("trusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trusted_by", sa.String(length=100), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=True),
        sa.Column("last_bundle_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_import_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_export_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_exchange_partners_nation_nations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_partners")),
        sa.UniqueConstraint("key_id", name=op.f("uq_exchange_partners_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_partners_name")),
    )
    with op.batch_alter_table("exchange_partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_partners_nation"), ["nation"], unique=False)
    op.create_table(
        "exchange_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("origin_id", sa.String(length=40), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("bundle_digest", sa.String(length=64), nullable=False),
        sa.Column("local_digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'engagement' OR kind = 'assessment' OR kind = 'note')",
            name=op.f("ck_exchange_records_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_records_partner_id_exchange_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_records")),
        sa.UniqueConstraint(
            "partner_id",
            "kind",
            "origin_id",
            name=op.f("uq_exchange_records_partner_id_kind_origin_id"),
        ),
    )
    with op.batch_alter_table("exchange_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_records_kind_local_id"), ["kind", "local_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_records_kind_local_id"))
    op.drop_table("exchange_records")
    with op.batch_alter_table("exchange_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_partners_nation"))
    op.drop_table("exchange_partners")
    op.drop_table("exchange_identity")
