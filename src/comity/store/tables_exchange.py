"""The tables of partner exchange: this installation's identity, its partners, what came in.

They share ``tables.metadata``; importing ``comity.store`` registers them. The private key is
never stored here: it lives in a file beside the installation's secret key
(:mod:`comity.services.exchange_keys`); the store keeps its public half and key id.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from comity.store.tables import metadata, one_of

__all__ = [
    "EXCHANGED_KINDS",
    "NAME_LENGTH",
    "exchange_identity",
    "exchange_partners",
    "exchange_records",
]

NAME_LENGTH = 40
"""The most characters of an installation's name (``xchg:NAME`` fits a dataset key)."""
EXCHANGED_KINDS = ("engagement", "assessment", "note", "plan")
"""The kinds of record a bundle carries and an import keeps track of."""

exchange_identity = Table(
    "exchange_identity",
    metadata,
    # One row: this installation.
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("public_key", String(64), nullable=False),
    # The sequence number of the last bundle exported: each export takes the next.
    Column("sequence", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
)

exchange_partners = Table(
    "exchange_partners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("public_key", String(64), nullable=False),
    Column("trusted_at", DateTime(timezone=True), nullable=False),
    Column("trusted_by", String(100), nullable=False),
    # The last bundle imported from it: its sequence number and when it was made (a bundle not
    # newer than both is a replay), and when it was imported.
    Column("last_sequence", Integer),
    Column("last_bundle_at", DateTime(timezone=True)),
    Column("last_import_at", DateTime(timezone=True)),
    # When a bundle for its nation was last exported.
    Column("last_export_at", DateTime(timezone=True)),
    Index(None, "nation"),
)

exchange_records = Table(
    "exchange_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "partner_id",
        Integer,
        ForeignKey("exchange_partners.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(12), nullable=False),
    # The record's id at the partner, and the record it became here.
    Column("origin_id", String(40), nullable=False),
    Column("local_id", Integer, nullable=False),
    # SHA-256 of the record as the partner last sent it, and of the stored record as that
    # import wrote it: the first tells a partner's change, the second a local one.
    Column("bundle_digest", String(64), nullable=False),
    Column("local_digest", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(one_of("kind", EXCHANGED_KINDS), name="kind"),
    UniqueConstraint("partner_id", "kind", "origin_id"),
    Index(None, "kind", "local_id"),
)
