"""Engagements of every kind, their participants, programmes and sources.

An engagement is one act of military cooperation (an exercise, a course, a visit, a port call...)
or a standing tie (an agreement or alliance in force). The validation rules of DESIGN.md live here:
the end is not before the start, there is at least one participant, the host takes part,
personnel is never negative; :meth:`Engagement.nation_problems` adds the rules that need the
nation registry (known nations only; a nation takes part only in years it existed). Neither date
falls after next year (:func:`horizon_problem`): that rule needs the day of the check, which
:func:`comity.model.validation.validate_engagement` passes in, so that reading back a record
stored earlier never fails on it. A source's web address is checked on the same writes: http or
https only (:mod:`comity.model.links`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from comity.errors import FieldProblem
from comity.model.clock import CHECKED_ON
from comity.model.dates import PartialDate
from comity.model.kinds import KINDS, Details, EngagementKind
from comity.model.links import checks_a_write, web_address_problem
from comity.model.nations import Nation, NationKey
from comity.model.numbers import Personnel
from comity.model.releasability import PUBLIC, Releasability

__all__ = [
    "CHECKED_ON",
    "STANDING_KINDS",
    "Engagement",
    "EngagementKind",
    "NationDirectory",
    "Participant",
    "ParticipantRole",
    "Programme",
    "Provenance",
    "Source",
    "each_nation_once",
    "existence_problem",
    "horizon_problem",
    "participants_of",
]


STANDING_KINDS = frozenset(
    EngagementKind(spec.value) for spec in KINDS.engagements if spec.standing
)
"""Kinds that stay in force until they end: with no end date they are still in force."""


class ParticipantRole(StrEnum):
    """A nation's role in an engagement."""

    HOST = "host"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class Participant(BaseModel):
    """A nation taking part in an engagement.

    Attributes:
        nation: The nation's key (ISO alpha-3).
        role: Host, participant or observer.
        personnel: Personnel it committed, where known: 0 to
            :data:`~comity.model.numbers.MAX_PERSONNEL`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    nation: NationKey
    role: ParticipantRole = ParticipantRole.PARTICIPANT
    personnel: Personnel | None = None


class Source(BaseModel):
    """Where a record comes from: a dataset row, a web page or a document.

    Attributes:
        dataset: Dataset name (e.g. ``mme_exercises``).
        version: Dataset version.
        row: Row number or identifier within the dataset.
        url: Web address, ``http://`` or ``https://`` (checked when the record is written).
        document: Reference to a document (title, file number).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: str | None = None
    version: str | None = None
    row: str | None = None
    url: str | None = None
    document: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None, info: ValidationInfo) -> str | None:
        # Checked on writes only, so a record stored before the rule still reads back; the pages
        # never link to such an address (comity.model.links).
        if url is None or not checks_a_write(info.context):
            return url
        url = url.strip()
        reason = web_address_problem(url)
        if reason is not None:
            raise ValueError(reason)
        return url

    @model_validator(mode="after")
    def _names_something(self) -> Source:
        if not (self.dataset or self.url or self.document):
            raise ValueError("a source names a dataset, a URL or a document")
        return self


class Provenance(BaseModel):
    """Which dataset row a record was imported from.

    Attributes:
        dataset: The dataset's key: its name (e.g. ``mme_exercises``), after ``NAT/`` when a
            nation's user imported it (``FRA/ops_2024``).
        version: Its version, or the checksum of the file imported.
        row: Line number or identifier of the row in the file.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: Annotated[str, StringConstraints(min_length=1, max_length=54)]
    version: Annotated[str, StringConstraints(max_length=64)] | None = None
    row: Annotated[str, StringConstraints(max_length=100)] | None = None


class Programme(BaseModel):
    """A recurring series or standing programme (RIMPAC, Cobra Gold, IMET, a staff course).

    Attributes:
        name: Its name, unique.
        kind: The kind of engagement it runs.
        organiser: Nation that runs it, if one does.
        description: Free text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: EngagementKind | None = None
    organiser: NationKey | None = None
    description: str | None = None


class NationDirectory(Protocol):
    """What validation needs to know about nations: look one up by key."""

    def get(self, iso3: str) -> Nation | None:
        """Return the nation with this key, or None."""
        ...


_Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def horizon_problem(value: PartialDate, checked_on: date) -> str | None:
    """Why an engagement cannot start or end at ``value``, or None if it can.

    An engagement records what happened or is about to: it falls in next year at the latest,
    counted from ``checked_on`` (on 2026-12-05, 2027-12-31 is accepted and 2028-01-01 refused).
    Plans (:mod:`comity.model.plans`) look further ahead. A date of 3009 accepted by an import
    moved every user's default year ("Truth in time", item 5).

    Args:
        value: A start or end date.
        checked_on: The day of the check, usually :func:`comity.model.clock.today`.
    """
    next_year = checked_on.year + 1
    # Every period a partial date names lies within one calendar year: its year decides.
    if value.year <= next_year:
        return None
    return (
        f"{value} is after next year ({next_year}): an engagement records what happened or is "
        "about to; check the year, or record a later engagement as a plan"
    )


def each_nation_once(participants: tuple[Participant, ...]) -> tuple[Participant, ...]:
    """Check that at least one nation takes part and none is listed twice.

    Raises:
        ValueError: Naming the nation listed twice (pydantic reports it on the field).
    """
    if not participants:
        raise ValueError("at least one nation takes part")
    seen: set[str] = set()
    for participant in participants:
        if participant.nation in seen:
            raise ValueError(f"{participant.nation} is listed more than once")
        seen.add(participant.nation)
    return participants


class Engagement(BaseModel):
    """One engagement: an event of military cooperation or a standing tie.

    Attributes:
        kind: Which mechanism it is.
        title: Short title (e.g. "Cobra Gold 2010").
        start: Start date, with its precision.
        end: End date; None for a one-period event, or a standing tie still in force.
        participants: Nations taking part (at least one), each once.
        host: The host nation; it must be among the participants, with the role host. Left
            out, it is the participant with the role host, if one has it.
        location: Place, as free text.
        latitude: Latitude in degrees.
        longitude: Longitude in degrees.
        programme: Name of the recurring series it belongs to.
        objectives: What it set out to achieve.
        description: Free text.
        details: Kind-specific fields (see :mod:`comity.model.details`).
        sources: References: dataset rows, web pages, documents.
        releasability: Who may see it; PUBLIC by default.
        external_id: A stable key from its source (e.g. ``mme:mme87``), for idempotent imports.
        provenance: The dataset row it was imported from, if it was.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EngagementKind
    title: _Title
    start: PartialDate
    end: PartialDate | None = None
    participants: tuple[Participant, ...]
    host: Annotated[NationKey | None, Field(validate_default=True)] = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    programme: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    objectives: tuple[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)], ...
    ] = ()
    description: str | None = None
    details: Details | None = None
    sources: tuple[Source, ...] = ()
    releasability: Releasability = PUBLIC
    external_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    provenance: Provenance | None = None

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        # The details say which kind they are; fill that in so callers need not repeat it.
        details = data.get("details")
        if isinstance(details, dict) and "kind" not in details and data.get("kind") is not None:
            data["details"] = {**details, "kind": str(data["kind"])}
        # A host listed without a role is the host.
        host = data.get("host")
        participants = data.get("participants")
        if host and isinstance(participants, list | tuple):
            data["participants"] = [
                {**p, "role": ParticipantRole.HOST}
                if isinstance(p, dict) and p.get("nation") == host and "role" not in p
                else p
                for p in participants
            ]
        return data

    @field_validator("start", "end")
    @classmethod
    def _not_after_next_year(
        cls, value: PartialDate | None, info: ValidationInfo
    ) -> PartialDate | None:
        checked_on = info.context.get(CHECKED_ON) if isinstance(info.context, dict) else None
        if value is not None and isinstance(checked_on, date):
            reason = horizon_problem(value, checked_on)
            if reason is not None:
                raise ValueError(reason)
        return value

    @field_validator("end")
    @classmethod
    def _end_not_before_start(
        cls, end: PartialDate | None, info: ValidationInfo
    ) -> PartialDate | None:
        start = info.data.get("start")
        if end is not None and start is not None and end.last_day < start.first_day:
            raise ValueError(f"the end ({end}) is before the start ({start})")
        return end

    @field_validator("participants")
    @classmethod
    def _each_nation_once(cls, participants: tuple[Participant, ...]) -> tuple[Participant, ...]:
        return each_nation_once(participants)

    @field_validator("host")
    @classmethod
    def _host_takes_part(cls, host: str | None, info: ValidationInfo) -> str | None:
        participants: tuple[Participant, ...] | None = info.data.get("participants")
        if participants is None:
            return host
        hosts = {p.nation for p in participants if p.role is ParticipantRole.HOST}
        if host is None:
            if len(hosts) > 1:
                raise ValueError(f"participants name {', '.join(sorted(hosts))} as host")
            # A participant with the role host names the host.
            return hosts.pop() if hosts else None
        if host not in {p.nation for p in participants}:
            raise ValueError(f"the host {host} must be among the participants")
        if hosts != {host}:
            raise ValueError(f"the host {host} must be the one participant with the role host")
        return host

    @field_validator("details")
    @classmethod
    def _details_match_kind(cls, details: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        if details is not None and kind is not None and details.kind != kind:
            raise ValueError(f"details of a {details.kind} given for a {kind}")
        return details

    @property
    def first_day(self) -> date:
        """First day it may have taken place or been in force."""
        return self.start.first_day

    @property
    def last_day(self) -> date | None:
        """Last day; None for a standing tie still in force."""
        if self.end is not None:
            return self.end.last_day
        if self.kind in STANDING_KINDS:
            return None
        return self.start.last_day

    @property
    def start_year(self) -> int:
        """Calendar year it starts."""
        return self.start.year

    @property
    def end_year(self) -> int | None:
        """Calendar year it ends; None while a standing tie is in force."""
        last = self.last_day
        return None if last is None else last.year

    @property
    def nations(self) -> tuple[str, ...]:
        """Keys of the participating nations, in order."""
        return tuple(p.nation for p in self.participants)

    def nation_problems(self, directory: NationDirectory) -> list[FieldProblem]:
        """Check the rules that need the registry: known nations, alive in the engagement's years.

        Args:
            directory: Where to look nations up.

        Returns:
            One problem per offending participant; empty when all is well.
        """
        problems: list[FieldProblem] = []
        first = self.first_day
        for index, participant in enumerate(self.participants):
            field = f"participants.{index}.nation"
            nation = directory.get(participant.nation)
            if nation is None:
                problems.append(FieldProblem(field, "unknown nation", participant.nation))
            else:
                reason = existence_problem(nation, first, self.last_day)
                if reason is not None:
                    problems.append(FieldProblem(field, reason, participant.nation))
        return problems

    def content_hash(
        self, participations: tuple[tuple[str, str, int | None], ...] | None = None
    ) -> str:
        """A digest of everything but the provenance: equal records have equal digests.

        Imports compare it with the stored one to tell an unchanged record from an updated one.

        Args:
            participations: This record's :meth:`participations`, when the caller has them.
        """
        from comity.model.prepared import digest_of, frozen

        # The fields of content_digest(self.model_dump(mode="json")), read directly: dumping the
        # whole record took half of a bulk insert's time. Only details, whose shape varies by
        # kind, are dumped; a test holds both forms equal.
        details = self.details
        end = self.end
        fields = (
            self.kind.value,
            self.title,
            self.start.isoformat(),
            None if end is None else end.isoformat(),
            self.host,
            self.location,
            self.latitude,
            self.longitude,
            self.programme,
            self.objectives,
            self.description,
            None if details is None else frozen(details.model_dump(mode="json")),
            tuple(_source_fields(source) for source in self.sources),
            str(self.releasability),
            self.external_id,
        )
        taking = self.participations() if participations is None else participations
        return digest_of(fields, tuple(sorted(taking)))

    def participations(self) -> tuple[tuple[str, str, int | None], ...]:
        """(nation, role, personnel) of each participant, in order, as the store writes them."""
        return tuple((p.nation, _ROLE_TEXT[p.role], p.personnel) for p in self.participants)

    def active_years(self, until: int) -> range:
        """Calendar years it is active, up to ``until`` for a standing tie still in force."""
        end_year = self.end_year
        return range(self.start_year, (until if end_year is None else end_year) + 1)


_SOURCE_FIELDS = tuple(sorted(Source.model_fields))
_SOURCE_VALUES = operator.attrgetter(*_SOURCE_FIELDS)
# An enum member's value is read through a descriptor: a dictionary is several times faster.
_ROLE_TEXT = {role: role.value for role in ParticipantRole}


def _source_fields(source: Source) -> tuple[tuple[str, str | None], ...]:
    """A source as :func:`comity.model.prepared.frozen` turns its dumped form: sorted pairs."""
    return tuple(zip(_SOURCE_FIELDS, _SOURCE_VALUES(source), strict=True))


def existence_problem(nation: Nation, first: date, last: date | None) -> str | None:
    """Why ``nation`` cannot take part from ``first`` to ``last`` (None: open), or None if it can.

    A nation takes part when it was a state on at least one day of the period.
    """
    if nation.exists_during(first, last or date.max):
        return None
    span = _period_text(first, last)
    return f"{nation.name} was not a state in {span} (state-system years {nation.years})"


def _period_text(first: date, last: date | None) -> str:
    if last is None:
        return f"{first.year} onwards"
    if first.year == last.year:
        return str(first.year)
    return f"{first.year}-{last.year}"


def participants_of(nations: Iterable[str], host: str | None = None) -> tuple[Participant, ...]:
    """Build participants from nation keys, giving the host its role.

    Args:
        nations: Keys of the participating nations.
        host: Key of the host, if any.
    """
    return tuple(
        Participant(
            nation=n, role=ParticipantRole.HOST if n == host else ParticipantRole.PARTICIPANT
        )
        for n in nations
    )
