"""Request bodies of the API (responses are the records' own JSON forms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comity.model.engagements import EngagementKind, ParticipantRole
from comity.model.numbers import Personnel

__all__ = [
    "MAX_ID",
    "AssessmentIn",
    "EngagementIn",
    "EngagementPatch",
    "InstitutionIn",
    "JobId",
    "LoginIn",
    "NationText",
    "ObjectiveScoreIn",
    "OrganisationCode",
    "ParticipantIn",
    "PersonIn",
    "PostingIn",
    "RecordId",
    "TokenIn",
    "UserIn",
    "Username",
]

MAX_ID = 2_147_483_647
"""The largest record id (a 32-bit key on every engine)."""

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
NationText = Annotated[str, Path(min_length=1, max_length=100, description="Any name or code.")]
Username = Annotated[str, Path(min_length=3, max_length=64)]
OrganisationCode = Annotated[str, Path(min_length=1, max_length=16)]
JobId = Annotated[str, Path(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$")]

_Text = Annotated[str, StringConstraints(max_length=10_000)]
_Short = Annotated[str, StringConstraints(max_length=300)]
_Nation = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipantIn(_In):
    """A participant: any name or code of the nation, its role and personnel."""

    nation: _Nation
    role: ParticipantRole | None = None
    personnel: Personnel | None = None


class EngagementIn(_In):
    """A new engagement, or a whole replacement (PUT). Nations by any name or code."""

    kind: EngagementKind
    title: _Short
    start: Annotated[str, StringConstraints(max_length=20)]
    end: Annotated[str, StringConstraints(max_length=20)] | None = None
    host: _Nation | None = None
    participants: Annotated[list[ParticipantIn], Field(min_length=1, max_length=300)]
    location: _Short | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    programme: _Short | None = None
    objectives: Annotated[list[_Short], Field(max_length=50)] = []
    description: _Text | None = None
    details: dict[str, Any] | None = None
    sources: Annotated[list[dict[str, Any]], Field(max_length=50)] = []
    releasability: _Short | None = None
    external_id: _Short | None = None

    def to_record(self) -> dict[str, Any]:
        """The fields as the domain model takes them."""
        data = self.model_dump(exclude_none=True)
        data["participants"] = [
            {k: v for k, v in p.items() if v is not None} for p in data["participants"]
        ]
        return data


class EngagementPatch(_In):
    """Some fields of an engagement (PATCH); the result is checked as a whole."""

    kind: EngagementKind | None = None
    title: _Short | None = None
    start: Annotated[str, StringConstraints(max_length=20)] | None = None
    end: Annotated[str, StringConstraints(max_length=20)] | None = None
    host: _Nation | None = None
    participants: Annotated[list[ParticipantIn], Field(min_length=1, max_length=300)] | None = None
    location: _Short | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    programme: _Short | None = None
    objectives: Annotated[list[_Short], Field(max_length=50)] | None = None
    description: _Text | None = None
    details: dict[str, Any] | None = None
    releasability: _Short | None = None

    def changes(self) -> dict[str, Any]:
        """Only the fields the request set."""
        data = self.model_dump(exclude_unset=True)
        if data.get("participants") is not None:
            data["participants"] = [
                {k: v for k, v in p.items() if v is not None} for p in data["participants"]
            ]
        return data


class LoginIn(_In):
    """Credentials, exchanged for an API token."""

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    token_name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "api"
    days: Annotated[int, Field(ge=1, le=3650)] | None = 30


class TokenIn(_In):
    """A new token for the signed-in user."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    days: Annotated[int, Field(ge=1, le=3650)] | None = 90


class UserIn(_In):
    """A new account."""

    username: Annotated[str, StringConstraints(min_length=3, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    nation: _Nation
    role: Annotated[str, StringConstraints(max_length=12)] = "viewer"
    display_name: _Short | None = None
    organisation: Annotated[str, StringConstraints(max_length=16)] | None = None


class PersonIn(_In):
    """A person."""

    name: _Short
    nation: _Nation
    rank: _Short | None = None
    service: _Short | None = None
    releasability: _Short | None = None


class PostingIn(_In):
    """A posting of a person in a host nation."""

    person_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    host: _Nation
    post: Annotated[str, StringConstraints(max_length=30)] = "defence_attache"
    start: Annotated[str, StringConstraints(max_length=20)]
    end: Annotated[str, StringConstraints(max_length=20)] | None = None
    institution: _Short | None = None
    releasability: _Short | None = None


class InstitutionIn(_In):
    """An academy, staff college or training centre of a nation."""

    name: _Short
    nation: _Nation
    kind: Annotated[str, StringConstraints(max_length=30)] = "other"
    city: _Short | None = None


class ObjectiveScoreIn(_In):
    """How far one objective was met, 1-5."""

    objective: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    score: Annotated[int, Field(ge=1, le=5)]


class AssessmentIn(_In):
    """An after-action assessment of an engagement; scores are 1 (not at all) to 5 (fully)."""

    engagement_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    assessed_on: Annotated[str, StringConstraints(max_length=10)]
    objectives: Annotated[list[ObjectiveScoreIn], Field(max_length=50)] = []
    interoperability: Annotated[int, Field(ge=1, le=5)] | None = None
    trust: Annotated[int, Field(ge=1, le=5)] | None = None
    interoperability_notes: _Text | None = None
    cultural_notes: _Text | None = None
    lessons: _Text | None = None
    follow_up: _Text | None = None
    releasability: _Short | None = None
