"""The tables of alumni: attendances of education programmes and career steps.

They share ``tables.metadata``; importing ``comity.store`` registers them.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table

from comity.store.tables import _audit_columns, metadata

__all__ = ["attendances", "career_steps"]

attendances = Table(
    "attendances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("programme", String(300), nullable=False),
    Column("institution", String(300)),
    Column("engagement_id", Integer, ForeignKey("engagements.id", ondelete="SET NULL")),
    Column("start_date", Date, nullable=False),
    Column("start_precision", String(5), nullable=False),
    Column("end_date", Date),
    Column("end_precision", String(5)),
    Column("start_year", Integer, nullable=False),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    *_audit_columns(),
    Index(None, "person_id"),
    Index(None, "programme"),
)

career_steps = Table(
    "career_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("step_date", Date, nullable=False),
    Column("step_precision", String(5), nullable=False),
    Column("step_year", Integer, nullable=False),
    Column("rank", String(300)),
    Column("position", String(300), nullable=False),
    Column("seniority", String(20), nullable=False),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    *_audit_columns(),
    Index(None, "person_id"),
)
