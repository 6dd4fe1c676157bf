"""The closed vocabularies of the model, as plain enums: kinds, plan states, agencies, topics.

They need nothing but the standard library, so the command line can offer them as choices
without loading the records' models. Each is also a name of the module of its records
(:mod:`comity.model.kinds`, :mod:`comity.model.plans`, :mod:`comity.model.notes`), which is where
callers import it from.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Agency", "EngagementKind", "NoteTopic", "PlanState"]


class EngagementKind(StrEnum):
    """The mechanisms of military cultural diplomacy (DESIGN.md section 1), as ``KINDS``.

    The kinds' table :data:`comity.model.kinds.KINDS` holds one entry per member, in this order.
    """

    EXERCISE = "exercise"
    EDUCATION = "education"
    TRAINING = "training"
    RESEARCH = "research"
    CULTURAL_EVENT = "cultural_event"
    VISIT = "visit"
    PORT_CALL = "port_call"
    PEACEKEEPING = "peacekeeping"
    HUMANITARIAN = "humanitarian"
    OUTREACH = "outreach"
    AGREEMENT = "agreement"
    ALLIANCE = "alliance"
    MEDIA_EVENT = "media_event"
    ARMS_TRANSFER = "arms_transfer"
    PRESENCE = "presence"


class PlanState(StrEnum):
    """Where a plan stands in its workflow (DESIGN.md section 5)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    EXECUTED = "executed"
    ASSESSED = "assessed"
    CANCELLED = "cancelled"


class Agency(StrEnum):
    """The agencies whose approval a plan may need (a fixed vocabulary, see docs/planning.md)."""

    POLICY = "policy"
    FOREIGN_MINISTRY = "foreign_ministry"
    FINANCE = "finance"
    LEGAL = "legal"
    INTELLIGENCE = "intelligence"
    LOGISTICS = "logistics"


class NoteTopic(StrEnum):
    """What a note is about (the values the ``notes`` table accepts)."""

    CUSTOMS = "customs"
    ETIQUETTE = "etiquette"
    LANGUAGE = "language"
    LESSONS = "lessons"
    PROTOCOL = "protocol"
    OTHER = "other"
