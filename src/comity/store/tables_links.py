"""The table of record links: pairs of engagements that may describe one event.

It shares ``tables.metadata``; importing ``comity.store`` registers it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from comity.store.tables import metadata

__all__ = ["LINK_STATUSES", "REASON_LENGTH", "record_links"]

LINK_STATUSES = ("linked", "review", "rejected")
"""``linked``: one event; ``review``: waiting for a person; ``rejected``: two events."""
REASON_LENGTH = 300
"""The most characters of the reason given for a decision."""

record_links = Table(
    "record_links",
    metadata,
    Column("id", Integer, primary_key=True),
    # The smaller engagement id on the left: one row per pair.
    Column("left_id", Integer, ForeignKey("engagements.id", ondelete="CASCADE"), nullable=False),
    Column("right_id", Integer, ForeignKey("engagements.id", ondelete="CASCADE"), nullable=False),
    Column("probability", Float, nullable=False),
    Column("weight", Float, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("model_version", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    # Who decided (None: the model, by the thresholds), when, and why.
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", String(REASON_LENGTH)),
    Column("scored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("left_id", "right_id"),
    CheckConstraint("left_id < right_id", name="ordered"),
    CheckConstraint("status = 'linked' OR status = 'review' OR status = 'rejected'", name="status"),
    Index(None, "right_id"),
    Index(None, "status"),
)
