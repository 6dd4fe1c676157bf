"""Alumni of education programmes: who attended which course, and the careers that followed.

The seniority vocabulary (``docs/alumni.md``) marks the posts that count as senior:

- ``flag_rank``: general or flag officer (one star and above, NATO OF-6+);
- ``service_chief``: head of an army, navy, air force or other service;
- ``chief_of_defence``: head of the armed forces;
- ``minister``: minister or deputy minister of defence (or of foreign affairs);
- ``senior_official``: other senior posts: national security adviser, ambassador, head of a
  defence agency or alliance command;
- ``other``: any other step (a promotion or posting below those), recorded but not senior.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from comity.model.dates import PartialDate
from comity.model.releasability import PUBLIC, Releasability

__all__ = ["SENIOR", "Attendance", "CareerStep", "Seniority"]

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class Seniority(StrEnum):
    """How senior a career step is (see the module docstring)."""

    FLAG_RANK = "flag_rank"
    SERVICE_CHIEF = "service_chief"
    CHIEF_OF_DEFENCE = "chief_of_defence"
    MINISTER = "minister"
    SENIOR_OFFICIAL = "senior_official"
    OTHER = "other"


SENIOR = frozenset(s for s in Seniority if s is not Seniority.OTHER)
"""The seniority categories that count as a senior post."""


class Attendance(BaseModel):
    """A person's attendance of an education programme.

    Attributes:
        person_id: The person's record id.
        programme: The programme's name (e.g. ``IMET``, ``NDC Senior Course``).
        institution: Where it was taught.
        engagement_id: The education engagement it belongs to, if recorded.
        start: First day (or month, or year).
        end: Last day; None when unknown.
        releasability: Who may see the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: _Id
    programme: _Text
    institution: _Text | None = None
    engagement_id: _Id | None = None
    start: PartialDate
    end: PartialDate | None = None
    releasability: Releasability = PUBLIC

    @field_validator("end")
    @classmethod
    def _end_not_before_start(
        cls, end: PartialDate | None, info: ValidationInfo
    ) -> PartialDate | None:
        start = info.data.get("start")
        if end is not None and start is not None and end.last_day < start.first_day:
            raise ValueError(f"the end ({end}) is before the start ({start})")
        return end


class CareerStep(BaseModel):
    """A step in a person's career: a promotion or appointment.

    Attributes:
        person_id: The person's record id.
        date: When it took effect.
        rank: The rank then.
        position: The post (e.g. ``Chief of Naval Staff``).
        seniority: Its category (see :class:`Seniority`).
        releasability: Who may see the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: _Id
    date: PartialDate
    rank: _Text | None = None
    position: _Text
    seniority: Seniority = Seniority.OTHER
    releasability: Releasability = PUBLIC
