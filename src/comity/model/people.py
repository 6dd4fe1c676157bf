"""Institutions, people and their postings abroad."""

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
from comity.model.nations import NationKey
from comity.model.releasability import PUBLIC, Releasability

__all__ = ["Institution", "InstitutionKind", "Person", "PostKind", "Posting"]

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class InstitutionKind(StrEnum):
    """Kinds of military institution."""

    ACADEMY = "academy"
    STAFF_COLLEGE = "staff_college"
    WAR_COLLEGE = "war_college"
    UNIVERSITY = "university"
    TRAINING_CENTRE = "training_centre"
    COMMAND = "command"
    MINISTRY = "ministry"
    OTHER = "other"


class Institution(BaseModel):
    """An academy, college, command or ministry.

    Attributes:
        name: Its name, unique within its nation.
        nation: Where it is.
        kind: What sort of institution it is.
        city: Its city.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: _Name
    nation: NationKey
    kind: InstitutionKind = InstitutionKind.OTHER
    city: _Text | None = None


class Person(BaseModel):
    """A military diplomat, officer or alumnus.

    Attributes:
        name: Full name.
        nation: The nation the person serves.
        rank: Current or last known rank.
        service: Army, navy, air force, joint...
        releasability: Who may see the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: _Name
    nation: NationKey
    rank: _Text | None = None
    service: _Text | None = None
    releasability: Releasability = PUBLIC


class PostKind(StrEnum):
    """Posts a person can hold abroad."""

    DEFENCE_ATTACHE = "defence_attache"
    ASSISTANT_ATTACHE = "assistant_attache"
    LIAISON_OFFICER = "liaison_officer"
    EXCHANGE_OFFICER = "exchange_officer"
    INSTRUCTOR = "instructor"
    STUDENT = "student"
    ADVISER = "adviser"
    OTHER = "other"


class Posting(BaseModel):
    """A person's posting in a host nation, e.g. as defence attaché.

    Attributes:
        person_id: The person's record id.
        host: The nation the person is posted to.
        post: Which post.
        start: Start date.
        end: End date; None while posted.
        institution: Where, if at an institution.
        releasability: Who may see the record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    host: NationKey
    post: PostKind = PostKind.DEFENCE_ATTACHE
    start: PartialDate
    end: PartialDate | None = None
    institution: _Text | None = None
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
