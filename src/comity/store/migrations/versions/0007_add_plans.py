"""add plans, their approvals and transitions, and approvers' agencies

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 01:30:43.941664

Plans carry their partners and the agencies whose approval they need; every decision of an
agency and every move between states is kept. ``users.agency`` names the agency an approver
decides for.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.Column("budget_currency", sa.String(length=3), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("calendar_warnings", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'approved', 'scheduled', 'executed', 'assessed', 'cancelled')",
            name=op.f("ck_plans_state"),
        ),
        sa.CheckConstraint(
            "budget_cents IS NULL OR budget_cents >= 0", name=op.f("ck_plans_budget_not_negative")
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_plans_end_after_start")),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_plans_engagement_id_engagements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["release_labels.id"], name=op.f("fk_plans_label_id_release_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_state"), ["state"], unique=False)

    op.create_table(
        "plan_agencies",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "agency IN ('policy', 'foreign_ministry', 'finance', 'legal', 'intelligence', 'logistics')",
            name=op.f("ck_plan_agencies_agency"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_agencies_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "agency", name=op.f("pk_plan_agencies")),
    )
    op.create_table(
        "plan_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "agency IN ('policy', 'foreign_ministry', 'finance', 'legal', 'intelligence', 'logistics')",
            name=op.f("ck_plan_approvals_agency"),
        ),
        sa.CheckConstraint(
            "decision IN ('approve', 'return')", name=op.f("ck_plan_approvals_decision")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_approvals_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_approvals")),
    )
    with op.batch_alter_table("plan_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_approvals_plan_id_round"), ["plan_id", "round"], unique=False
        )

    op.create_table(
        "plan_partners",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('host', 'participant', 'observer')", name=op.f("ck_plan_partners_role")
        ),
        sa.CheckConstraint(
            "personnel IS NULL OR personnel >= 0",
            name=op.f("ck_plan_partners_personnel_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["nation"], ["nations.iso3"], name=op.f("fk_plan_partners_nation_nations")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_partners_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "nation", name=op.f("pk_plan_partners")),
    )
    with op.batch_alter_table("plan_partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_partners_nation"), ["nation"], unique=False)

    op.create_table(
        "plan_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_transitions_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_transitions")),
    )
    with op.batch_alter_table("plan_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_transitions_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("agency")

    with op.batch_alter_table("plan_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_transitions_plan_id"))

    op.drop_table("plan_transitions")
    with op.batch_alter_table("plan_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_partners_nation"))

    op.drop_table("plan_partners")
    with op.batch_alter_table("plan_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_approvals_plan_id_round"))

    op.drop_table("plan_approvals")
    op.drop_table("plan_agencies")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_state"))
        batch_op.drop_index(batch_op.f("ix_plans_engagement_id"))

    op.drop_table("plans")
