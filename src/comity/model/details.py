"""What each kind of engagement records beyond the common fields (DESIGN.md section 1).

Every model here carries ``kind`` as its discriminator, so an engagement's ``details`` are checked
against the model of its kind and a typo in a field name is an error, not a silent loss. Each kind
names its model in :data:`comity.model.kinds.KINDS`, whose union of them is
:data:`comity.model.kinds.Details` (importable from here too).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from comity.model.dates import PartialDate
from comity.model.links import checks_a_write, web_address_problem
from comity.model.numbers import Count

__all__ = [
    "AgreementDetails",
    "AgreementScope",
    "AgreementType",
    "AllianceDetails",
    "AlliancePledge",
    "ArmsTransferDetails",
    "CulturalEventDetails",
    "CulturalEventType",
    "EducationDetails",
    "ExerciseDetails",
    "ExerciseDomain",
    "HumanitarianDetails",
    "KindDetails",
    "MediaEventDetails",
    "OutreachDetails",
    "PeacekeepingDetails",
    "PortCallDetails",
    "PresenceDetails",
    "ResearchDetails",
    "TrainingDetails",
    "TrainingFormat",
    "VisitDetails",
    "VisitLevel",
]

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
_Count = Count
_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class KindDetails(BaseModel):
    """What every kind's details share: frozen, and an unknown field is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ExerciseDomain(StrEnum):
    """Domains of a military exercise."""

    LAND = "land"
    SEA = "sea"
    AIR = "air"
    AMPHIBIOUS = "amphibious"
    JOINT = "joint"
    CYBER = "cyber"
    SPACE = "space"
    HADR = "hadr"
    COMMAND_POST = "command_post"


class ExerciseDetails(KindDetails):
    """A joint military exercise, bilateral or multilateral."""

    kind: Literal["exercise"] = "exercise"
    domains: tuple[ExerciseDomain, ...] = ()
    scale: _Text | None = None
    warfighting: bool | None = None
    peacekeeping: bool | None = None
    humanitarian: bool | None = None
    focus: _Text | None = None


class EducationDetails(KindDetails):
    """A foreign officer attending an academy or course; a leadership programme.

    ``cost_usd`` is what the provider reports it spent, in US dollars; ``funding`` names the
    programmes or authorities that paid (e.g. ``IMET``, ``CTFP``, ``Section 333``); ``schools``
    gives the students each school taught, when the record spans several (``None``: not given).
    """

    kind: Literal["education"] = "education"
    institution: _Text | None = None
    schools: dict[_Name, _Count | None] = Field(default_factory=dict)
    course: _Text | None = None
    students: _Count | None = None
    cost_usd: _Count | None = None
    funding: tuple[_Text, ...] = ()


class TrainingFormat(StrEnum):
    """Forms of training engagement."""

    COURSE = "course"
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    STAFF_TALKS = "staff_talks"
    MOBILE_TRAINING_TEAM = "mobile_training_team"
    OTHER = "other"


class TrainingDetails(KindDetails):
    """Training courses, workshops, seminars, staff talks.

    ``students`` counts the trainees, ``cost_usd``, ``funding`` and ``schools`` as for education.
    """

    kind: Literal["training"] = "training"
    institution: _Text | None = None
    schools: dict[_Name, _Count | None] = Field(default_factory=dict)
    topic: _Text | None = None
    format: TrainingFormat | None = None
    students: _Count | None = None
    cost_usd: _Count | None = None
    funding: tuple[_Text, ...] = ()


class ResearchDetails(KindDetails):
    """A collaborative defence research and development project."""

    kind: Literal["research"] = "research"
    field: _Text | None = None
    lead: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None


class CulturalEventType(StrEnum):
    """Forms of military cultural event."""

    CEREMONY = "ceremony"
    FESTIVAL = "festival"
    EXHIBITION = "exhibition"
    BAND = "band"
    SPORT = "sport"
    COMMEMORATION = "commemoration"
    OTHER = "other"


class CulturalEventDetails(KindDetails):
    """A joint ceremony, festival, exhibition, band or sport event."""

    kind: Literal["cultural_event"] = "cultural_event"
    event_type: CulturalEventType | None = None
    audience: _Count | None = None
    venue: _Text | None = None


class VisitLevel(StrEnum):
    """Seniority of a visit or dialogue; minister and chief of defence weigh double."""

    MINISTER = "minister"
    CHIEF_OF_DEFENCE = "chief_of_defence"
    SERVICE_CHIEF = "service_chief"
    OTHER = "other"


class VisitDetails(KindDetails):
    """A senior-level visit or dialogue."""

    kind: Literal["visit"] = "visit"
    level: VisitLevel = VisitLevel.OTHER
    visitor: _Text | None = None
    visitor_title: _Text | None = None


class PortCallDetails(KindDetails):
    """A naval port call."""

    kind: Literal["port_call"] = "port_call"
    ships: _Count | None = None
    port: _Text | None = None


class PeacekeepingDetails(KindDetails):
    """A contribution to a UN or regional peace operation."""

    kind: Literal["peacekeeping"] = "peacekeeping"
    mission: _Text | None = None
    mandating_body: _Text | None = None


class HumanitarianDetails(KindDetails):
    """A humanitarian assistance or disaster relief mission."""

    kind: Literal["humanitarian"] = "humanitarian"
    disaster: _Text | None = None


class OutreachDetails(KindDetails):
    """Community outreach by foreign forces."""

    kind: Literal["outreach"] = "outreach"
    activity: _Text | None = None


class AgreementType(StrEnum):
    """Types of defence agreement."""

    DEFENCE_COOPERATION = "defence_cooperation"
    MEMORANDUM = "memorandum_of_understanding"
    STATUS_OF_FORCES = "status_of_forces"
    LOGISTICS = "logistics"
    INTELLIGENCE = "intelligence"
    ARMS_TRANSFER = "arms_transfer"
    OTHER = "other"


class AgreementScope(StrEnum):
    """How wide an agreement is, as Kinne's DCAD codes it: a general framework or one sector."""

    GENERAL = "general"
    SECTOR = "sector"


class AgreementDetails(KindDetails):
    """A defence cooperation agreement, MoU or status-of-forces agreement.

    Its start and end are the years it is in force; ``signed`` may precede them. ``scope`` says
    whether it frames defence cooperation as a whole or one sector of it; ``category`` is the
    source's own code of its main subject (DCAD's ``DCA``, ``DIC``, ``TREX``, ``PROCUREMENT``,
    ``COMMISSION``, ``RESEARCH``).
    """

    kind: Literal["agreement"] = "agreement"
    agreement_type: AgreementType = AgreementType.DEFENCE_COOPERATION
    signed: PartialDate | None = None
    scope: AgreementScope | None = None
    category: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None


class AlliancePledge(StrEnum):
    """Alliance obligations as ATOP and Correlates of War code them."""

    DEFENCE = "defence"
    OFFENCE = "offence"
    NEUTRALITY = "neutrality"
    NON_AGGRESSION = "non_aggression"
    CONSULTATION = "consultation"
    ENTENTE = "entente"


class AllianceDetails(KindDetails):
    """Alliance membership or treaty between nations, with its pledges."""

    kind: Literal["alliance"] = "alliance"
    pledges: Annotated[tuple[AlliancePledge, ...], Field(min_length=1)]
    treaty: _Text | None = None


_Year = Annotated[int, Field(ge=1800, le=2200)]


class ArmsTransferDetails(KindDetails):
    """Major conventional arms delivered by the host (the supplier) to the other nation.

    ``tiv`` is in millions of SIPRI trend-indicator value (a volume of military capability, not
    a price); ``tiv_estimated`` marks a value spread evenly over a deal's delivery years rather
    than SIPRI's own yearly allocation. ``order_years`` are the years the deals were ordered,
    ``delivery_years`` the years the record's deliveries fall in.
    """

    kind: Literal["arms_transfer"] = "arms_transfer"
    tiv: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    tiv_estimated: bool | None = None
    order_years: tuple[_Year, ...] = ()
    delivery_years: tuple[_Year, ...] = ()
    deals: _Count | None = None
    weapons: _Text | None = None


class PresenceDetails(KindDetails):
    """Forces of one nation stationed in the host nation, the personnel counted each year.

    The stationed personnel are the sending participant's ``personnel``; ``reports`` is the
    number of personnel reports the year's figure comes from; ``bases`` the facilities the
    sending nation uses in the host, ``major_bases`` those of them that are major bases.
    """

    kind: Literal["presence"] = "presence"
    reports: _Count | None = None
    bases: _Count | None = None
    major_bases: _Count | None = None


class MediaEventDetails(KindDetails):
    """A cooperation event coded from news (GDELT / CAMEO); its ``source_url`` is http(s)."""

    kind: Literal["media_event"] = "media_event"
    cameo_code: Annotated[str, StringConstraints(pattern=r"^\d{2,4}$")]
    goldstein: Annotated[float, Field(ge=-10, le=10)] | None = None
    tone: Annotated[float, Field(ge=-100, le=100)] | None = None
    source_url: _Text | None = None
    sources: _Count | None = None
    mentions: _Count | None = None

    @field_validator("source_url")
    @classmethod
    def _web_address(cls, url: str | None, info: ValidationInfo) -> str | None:
        # Checked on writes only, as an engagement's sources are (comity.model.links).
        if url is not None and checks_a_write(info.context):
            reason = web_address_problem(url)
            if reason is not None:
                raise ValueError(reason)
        return url


def __getattr__(name: str) -> Any:
    # The union of every kind's details is made from the kinds' table, which names these models.
    if name == "Details":
        from comity.model.kinds import Details

        return Details
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
