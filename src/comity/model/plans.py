"""After-action assessments of engagements (plans join them in a later migration)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comity.model.releasability import PUBLIC, Releasability

__all__ = ["Assessment", "ObjectiveScore", "Score"]

Score = Annotated[int, Field(ge=1, le=5)]
"""A score from 1 (not at all) to 5 (fully)."""

_Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]


class ObjectiveScore(BaseModel):
    """How far one objective was met."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    objective: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    score: Score


class Assessment(BaseModel):
    """An after-action record of an engagement.

    Attributes:
        engagement_id: The engagement assessed.
        assessed_on: Date of the assessment.
        objectives: Score of each objective, 1-5.
        interoperability: Overall interoperability observed, 1-5.
        trust: Overall trust observed, 1-5.
        interoperability_notes: Observations on working together.
        cultural_notes: Cultural observations.
        lessons: Lessons learned (shown in briefings).
        follow_up: Follow-up actions.
        releasability: Who may see the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    engagement_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    assessed_on: date
    objectives: tuple[ObjectiveScore, ...] = ()
    interoperability: Score | None = None
    trust: Score | None = None
    interoperability_notes: _Text | None = None
    cultural_notes: _Text | None = None
    lessons: _Text | None = None
    follow_up: _Text | None = None
    releasability: Releasability = PUBLIC
