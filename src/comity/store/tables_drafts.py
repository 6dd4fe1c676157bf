"""The table of draft engagements waiting in a nation's review queue.

Extraction (:mod:`comity.extract`) proposes drafts from press releases and news; each waits here
until a person accepts it (it becomes an engagement) or rejects it. It shares
``tables.metadata``; importing ``comity.store`` registers it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)

from comity.store.tables import metadata, one_of

__all__ = ["DRAFT_STATUSES", "LABEL_LENGTH", "REASON_LENGTH", "drafts"]

DRAFT_STATUSES = ("pending", "accepted", "rejected")
"""``pending``: waiting for a person; ``accepted``: it became an engagement; ``rejected``: not."""
REASON_LENGTH = 300
"""The most characters of the reason given for a rejection."""
LABEL_LENGTH = 300
"""The most characters of the releasability label chosen on acceptance."""

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    # The queue it waits in: the nation of the user who queued it (None: the installation's).
    Column("owner_nation", String(3), ForeignKey("nations.iso3")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("status", String(10), nullable=False),
    # The draft as extraction proposed it (``Draft.to_dict()``), kept as it was.
    Column("draft", JSON, nullable=False),
    # The reviewer's changes (field -> value), applied over the draft; None: none yet.
    Column("edits", JSON(none_as_null=True)),
    # SHA-256 of the passage's text and URL: one passage is queued once per nation.
    Column("digest", String(64), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", String(REASON_LENGTH)),
    # The engagement an accepted draft became (None once that engagement is deleted).
    Column("engagement_id", Integer, ForeignKey("engagements.id", ondelete="SET NULL")),
    Column("releasability", String(LABEL_LENGTH)),
    CheckConstraint(one_of("status", DRAFT_STATUSES), name="status"),
    UniqueConstraint("owner_nation", "digest"),
    # NULLs never clash in a unique constraint: the installation's queue needs its own index.
    Index(
        "uq_drafts_installation_digest",
        "digest",
        unique=True,
        sqlite_where=text("owner_nation IS NULL"),
        postgresql_where=text("owner_nation IS NULL"),
    ),
    Index(None, "owner_nation", "status"),
    Index(None, "status"),
    Index(None, "engagement_id"),
)
