"""Typed records and enums of the domain, with their validation rules; no I/O."""

from comity.model.dates import DatePrecision, PartialDate
from comity.model.details import AlliancePledge, ExerciseDomain, VisitLevel
from comity.model.engagements import (
    STANDING_KINDS,
    Engagement,
    EngagementKind,
    NationDirectory,
    Participant,
    ParticipantRole,
    Programme,
    Source,
)
from comity.model.kinds import KINDS, KindSpec
from comity.model.nations import (
    CodeSystem,
    Membership,
    Nation,
    NationCode,
    Organisation,
    StateSpell,
)
from comity.model.people import Institution, InstitutionKind, Person, Posting, PostKind
from comity.model.plans import Assessment, ObjectiveScore
from comity.model.releasability import PUBLIC, Releasability
from comity.model.validation import validate_engagement, validate_record

__all__ = [
    "KINDS",
    "PUBLIC",
    "STANDING_KINDS",
    "AlliancePledge",
    "Assessment",
    "CodeSystem",
    "DatePrecision",
    "Engagement",
    "EngagementKind",
    "ExerciseDomain",
    "Institution",
    "InstitutionKind",
    "KindSpec",
    "Membership",
    "Nation",
    "NationCode",
    "NationDirectory",
    "ObjectiveScore",
    "Organisation",
    "PartialDate",
    "Participant",
    "ParticipantRole",
    "Person",
    "PostKind",
    "Posting",
    "Programme",
    "Releasability",
    "Source",
    "StateSpell",
    "VisitLevel",
    "validate_engagement",
    "validate_record",
]
