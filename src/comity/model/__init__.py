"""Typed records and enums of the domain, with their validation rules; no I/O.

The names below are loaded on first use (PEP 562): importing one module of the model, such as
:mod:`comity.model.vocabulary`, does not load the others and pydantic with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity.lazy import lazy_names

if TYPE_CHECKING:
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

# Where each public name lives.
_HOMES = {
    "DatePrecision": "comity.model.dates",
    "PartialDate": "comity.model.dates",
    "AlliancePledge": "comity.model.details",
    "ExerciseDomain": "comity.model.details",
    "VisitLevel": "comity.model.details",
    "STANDING_KINDS": "comity.model.engagements",
    "Engagement": "comity.model.engagements",
    "EngagementKind": "comity.model.engagements",
    "NationDirectory": "comity.model.engagements",
    "Participant": "comity.model.engagements",
    "ParticipantRole": "comity.model.engagements",
    "Programme": "comity.model.engagements",
    "Source": "comity.model.engagements",
    "KINDS": "comity.model.kinds",
    "KindSpec": "comity.model.kinds",
    "CodeSystem": "comity.model.nations",
    "Membership": "comity.model.nations",
    "Nation": "comity.model.nations",
    "NationCode": "comity.model.nations",
    "Organisation": "comity.model.nations",
    "StateSpell": "comity.model.nations",
    "Institution": "comity.model.people",
    "InstitutionKind": "comity.model.people",
    "Person": "comity.model.people",
    "Posting": "comity.model.people",
    "PostKind": "comity.model.people",
    "Assessment": "comity.model.plans",
    "ObjectiveScore": "comity.model.plans",
    "PUBLIC": "comity.model.releasability",
    "Releasability": "comity.model.releasability",
    "validate_engagement": "comity.model.validation",
    "validate_record": "comity.model.validation",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals(), __all__)
