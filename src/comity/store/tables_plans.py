"""The tables of plans: their partners, agencies, approvals and every move between states.

They share ``tables.metadata``; importing ``comity.store`` registers them, so migrations and
``alembic check`` always see the whole schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from comity.store.tables import metadata, one_of

__all__ = ["plan_agencies", "plan_approvals", "plan_partners", "plan_transitions", "plans"]

STATES = (
    "draft",
    "submitted",
    "returned",
    "approved",
    "scheduled",
    "executed",
    "assessed",
    "cancelled",
)
AGENCIES = ("policy", "foreign_ministry", "finance", "legal", "intelligence", "logistics")

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("state", String(12), nullable=False),
    Column("objectives", JSON, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("start_year", Integer, nullable=False),
    Column("location", String(300)),
    # Hundredths of the currency unit: exact on both engines (SQLite has no decimal type).
    Column("budget_cents", BigInteger),
    Column("budget_currency", String(3)),
    Column("owner", String(100)),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    # Which submission is under review: approvals of earlier rounds no longer count.
    Column("round", Integer, nullable=False),
    Column("calendar_warnings", JSON(none_as_null=True)),
    Column("engagement_id", Integer, ForeignKey("engagements.id", ondelete="SET NULL")),
    Column("version", Integer, nullable=False),
    # The nation that wrote the plan: its planners move it, its approvers decide on it.
    Column("owner_nation", String(3), ForeignKey("nations.iso3")),
    # Whether the plan travels to the partner installations that may read it.
    Column("shared", Boolean, nullable=False, server_default=false()),
    # ``xchg:INSTALLATION:ID`` for a plan received from a partner installation (it follows that
    # installation's workflow, never this one's); NULL for this installation's own plans.
    Column("origin", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
    CheckConstraint(one_of("state", STATES), name="state"),
    CheckConstraint("budget_cents IS NULL OR budget_cents >= 0", name="budget_not_negative"),
    CheckConstraint("end_date >= start_date", name="end_after_start"),
    Index(None, "state"),
    Index(None, "engagement_id"),
    Index(None, "origin", unique=True),
)

plan_partners = Table(
    "plan_partners",
    metadata,
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("nation", String(3), ForeignKey("nations.iso3"), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("role", String(12), nullable=False),
    Column("personnel", Integer),
    CheckConstraint("personnel IS NULL OR personnel >= 0", name="personnel_not_negative"),
    CheckConstraint(one_of("role", ("host", "participant", "observer")), name="role"),
    Index(None, "nation"),
)

plan_agencies = Table(
    "plan_agencies",
    metadata,
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("agency", String(30), primary_key=True),
    Column("position", Integer, nullable=False),
    CheckConstraint(one_of("agency", AGENCIES), name="agency"),
)

plan_approvals = Table(
    "plan_approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("agency", String(30), nullable=False),
    Column("decision", String(10), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    CheckConstraint(one_of("agency", AGENCIES), name="agency"),
    CheckConstraint(one_of("decision", ("approve", "return")), name="decision"),
    Index(None, "plan_id", "round"),
)

plan_transitions = Table(
    "plan_transitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    Column("from_state", String(12)),
    Column("to_state", String(12), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Index(None, "plan_id"),
)
