"""Plans of engagements, the agencies that approve them, and after-action assessments.

A plan carries what the engagement will be (kind, partners, dates, objectives) plus what the
workflow needs (budget, the agencies whose approval it needs, its owner). Its states and the
rules of moving between them live in :mod:`comity.planning`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from comity.model.engagements import (
    EngagementKind,
    Participant,
    ParticipantRole,
    each_nation_once,
)
from comity.model.releasability import PUBLIC, Releasability
from comity.model.vocabulary import Agency, PlanState

__all__ = [
    "Agency",
    "Assessment",
    "Budget",
    "Currency",
    "ObjectiveScore",
    "Plan",
    "PlanState",
    "Score",
]

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


def _currency(code: str) -> str:
    from babel.numbers import list_currencies

    upper = code.strip().upper()
    if upper not in list_currencies():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (e.g. EUR, USD)")
    return upper


Currency = Annotated[str, AfterValidator(_currency)]
"""An ISO 4217 currency code, checked against CLDR's list (via babel)."""


class Budget(BaseModel):
    """What a plan may spend.

    Attributes:
        amount: The amount, 0 or more, to the cent.
        currency: Its ISO 4217 code.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
    currency: Currency

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


_Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_Objective = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Plan(BaseModel):
    """A planned engagement, awaiting the approval of agencies before it is carried out.

    The partners follow the rules of an engagement's participants: at least one, each nation
    once, at most one host (a host takes part: it is a partner with the role host).

    Attributes:
        title: Short title.
        kind: The kind of engagement it will be.
        objectives: What it sets out to achieve (scored when it is assessed).
        partners: Nations taking part, with role and planned personnel.
        start: First day.
        end: Last day, not before the first.
        location: Where, as free text.
        budget: What it may spend.
        agencies: Agencies whose approval it needs: at least one, each once.
        owner: The account responsible for it.
        releasability: Who may see it.
        shared: Whether it travels in exchange bundles to the partner installations that may
            read it (docs/exchange.md); a plan is not shared unless marked so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: _Title
    kind: EngagementKind
    objectives: tuple[_Objective, ...] = ()
    partners: tuple[Participant, ...]
    start: date
    end: date
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    budget: Budget | None = None
    agencies: tuple[Agency, ...]
    owner: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    releasability: Releasability = PUBLIC
    shared: bool = False

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"the end ({end}) is before the start ({start})")
        return end

    @field_validator("partners")
    @classmethod
    def _partners(cls, partners: tuple[Participant, ...]) -> tuple[Participant, ...]:
        each_nation_once(partners)
        hosts = sorted(p.nation for p in partners if p.role is ParticipantRole.HOST)
        if len(hosts) > 1:
            raise ValueError(f"partners name {', '.join(hosts)} as host; one host at most")
        return partners

    @field_validator("agencies")
    @classmethod
    def _agencies(cls, agencies: tuple[Agency, ...]) -> tuple[Agency, ...]:
        if not agencies:
            raise ValueError("name at least one agency whose approval the plan needs")
        if len(set(agencies)) != len(agencies):
            raise ValueError("each agency is named once")
        return agencies

    @property
    def host(self) -> str | None:
        """The host's key, if a partner has that role."""
        return next((p.nation for p in self.partners if p.role is ParticipantRole.HOST), None)

    @property
    def nations(self) -> tuple[str, ...]:
        """Keys of the partners, in order."""
        return tuple(p.nation for p in self.partners)

    def engagement_record(self) -> dict[str, Any]:
        """The fields of the engagement this plan becomes when it is executed."""
        return {
            "kind": self.kind.value,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "host": self.host,
            "participants": [p.model_dump(mode="json") for p in self.partners],
            "location": self.location,
            "objectives": list(self.objectives),
            "releasability": str(self.releasability),
        }
