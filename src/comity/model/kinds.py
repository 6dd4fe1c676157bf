"""The kinds of engagement, one entry each: every list of kinds in comity is derived from here.

:data:`KINDS` holds one :class:`KindSpec` per kind (DESIGN.md section 1): its value, the model of
its details, its component of the tie index, how the index weighs it and which side gives in a
directed view, whether it is a standing tie, the fields the quality report recommends, whether a
plan can be of that kind. Attaché postings count in the index as a kind too, though they are not
engagements (:class:`~comity.model.people.Posting`): their entry says so.

What is derived from the table, and where:

- :class:`EngagementKind` (written out in :mod:`comity.model.vocabulary`, which needs no
  pydantic, so the command line loads it cheaply; its members are checked against the table by
  the tests), the union :data:`Details`, the standing kinds of :mod:`comity.model.engagements`,
  the discriminator tags of :mod:`comity.model.validation` and the list-valued details of the
  generic importer;
- the CHECK on ``engagements.kind`` (:func:`comity.store.tables.kind_check`; a migration moves it
  when a kind is added, :mod:`comity.store.kind_check` writes that migration);
- the weights the index takes (:data:`comity.analytics.settings.KindWeights`; the default values
  stay in ``tie_index.toml``, whose names the tests check), the index's kinds and directions
  (:mod:`comity.analytics.tie_index`, :mod:`comity.analytics.contributions`), the recommended
  fields (:mod:`comity.analytics.quality`) and the kinds a plan can be
  (:mod:`comity.planning.gain`).

``docs/contributing.md`` ("Add an engagement kind") gives the recipe.
"""

from __future__ import annotations

import functools
import operator
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field

from comity.model.details import (
    AgreementDetails,
    AllianceDetails,
    ArmsTransferDetails,
    CulturalEventDetails,
    EducationDetails,
    ExerciseDetails,
    HumanitarianDetails,
    KindDetails,
    MediaEventDetails,
    OutreachDetails,
    PeacekeepingDetails,
    PortCallDetails,
    PresenceDetails,
    ResearchDetails,
    TrainingDetails,
    VisitDetails,
)
from comity.model.vocabulary import EngagementKind

__all__ = [
    "COMMON_RECOMMENDED",
    "COMPONENTS",
    "KINDS",
    "Component",
    "Details",
    "EngagementKind",
    "Gives",
    "KindSpec",
    "KindTable",
    "WeighedBy",
]

Component = Literal["interoperability", "institutional", "cultural"]
"""The components of the tie index (docs/methodology.md, section 3)."""

COMPONENTS: tuple[Component, ...] = typing.get_args(Component)

Gives = Literal["host", "guests", "both"]
"""Who gives in a directed view: the host (it receives the others), the guests (they go to the
host), or both (half each way)."""

WeighedBy = Literal["weights", "alliance", "visit", "education"]
"""The table of ``tie_index.toml`` that weighs a kind: ``weights`` (one weight per engagement,
under the kind's name) or a table of the kind's own."""

COMMON_RECOMMENDED = ("host", "location", "end_date", "personnel", "objectives", "sources")
"""The fields the quality report recommends for most kinds (and for a kind it does not know)."""


@dataclass(frozen=True)
class KindSpec:
    """Everything comity needs to know about one kind.

    Attributes:
        value: Its name in records, files and settings (``port_call``).
        details: The model of its details; None for a kind that is not an engagement.
        plural: How sentences name several (``port calls``).
        component: The component of the index it counts in; None for none (media events).
        weighed_by: The table of ``tie_index.toml`` that weighs it.
        gives: Which side gives in a directed view.
        standing: A standing tie: in force until it ends, carried on beyond its source's coverage.
        recommended: The fields the quality report recommends for its records.
        plannable: Whether a plan can be of this kind.
        engagement: Whether it is a kind of engagement (attaché postings are not).
    """

    value: str
    details: type[KindDetails] | None
    plural: str
    component: Component | None
    weighed_by: WeighedBy = "weights"
    gives: Gives = "both"
    standing: bool = False
    recommended: tuple[str, ...] = COMMON_RECOMMENDED
    plannable: bool = True
    engagement: bool = True

    @property
    def label(self) -> str:
        """Its name in prose (``port call``)."""
        return self.value.replace("_", " ")

    @property
    def list_fields(self) -> tuple[str, ...]:
        """Fields of its details that hold a list (``domains`` of an exercise)."""
        if self.details is None:
            return ()
        return tuple(
            name
            for name, field in self.details.model_fields.items()
            if _holds_tuple(field.annotation)
        )


def _holds_tuple(annotation: Any) -> bool:
    if typing.get_origin(annotation) is tuple:
        return True
    # An optional list: tuple[...] | None.
    return any(typing.get_origin(arg) is tuple for arg in typing.get_args(annotation))


class KindTable:
    """The kinds, in order, and the lists derived from them.

    Args:
        specs: One entry per kind, engagement kinds first in the order of :class:`EngagementKind`.

    Raises:
        ValueError: When a value repeats, or an entry's details do not name its kind.
    """

    def __init__(self, specs: Iterable[KindSpec]) -> None:
        self.specs = tuple(specs)
        values = [spec.value for spec in self.specs]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"kinds listed more than once: {', '.join(repeated)}")
        for spec in self.specs:
            named = None if spec.details is None else spec.details.model_fields["kind"].default
            if named != (spec.value if spec.engagement else None):
                raise ValueError(f"the details of {spec.value} name the kind {named!r}")

    def __iter__(self) -> Iterator[KindSpec]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def __getitem__(self, value: str) -> KindSpec:
        for spec in self.specs:
            if spec.value == value:
                return spec
        raise KeyError(value)

    def _values(self, chosen: Iterable[KindSpec]) -> tuple[str, ...]:
        return tuple(spec.value for spec in chosen)

    @property
    def engagements(self) -> tuple[KindSpec, ...]:
        """The entries of engagement kinds."""
        return tuple(spec for spec in self.specs if spec.engagement)

    @property
    def values(self) -> tuple[str, ...]:
        """The engagement kinds: the enum's values, the store's CHECK, the details' tags."""
        return self._values(self.engagements)

    @property
    def index_kinds(self) -> tuple[str, ...]:
        """Every kind the tie index counts: the engagement kinds, then attaché postings."""
        return self._values(self.specs)

    @property
    def standing(self) -> tuple[str, ...]:
        """Kinds in force until they end (attaché postings among them)."""
        return self._values(spec for spec in self.specs if spec.standing)

    @property
    def host_gives(self) -> tuple[str, ...]:
        """Kinds whose host gives to each guest in a directed view."""
        return self._values(spec for spec in self.specs if spec.gives == "host")

    @property
    def guests_give(self) -> tuple[str, ...]:
        """Kinds whose guests give to the host in a directed view."""
        return self._values(spec for spec in self.specs if spec.gives == "guests")

    @property
    def weighed_per_engagement(self) -> tuple[str, ...]:
        """Kinds with one weight per engagement: the keys of ``[weights]``."""
        return self._values(spec for spec in self.specs if spec.weighed_by == "weights")

    @property
    def plannable(self) -> tuple[str, ...]:
        """Kinds a plan can be."""
        return self._values(spec for spec in self.specs if spec.plannable)

    @property
    def components(self) -> dict[str, tuple[str, ...]]:
        """The kinds of each component of the index."""
        return {
            name: self._values(spec for spec in self.specs if spec.component == name)
            for name in COMPONENTS
        }

    @property
    def recommended(self) -> dict[str, tuple[str, ...]]:
        """The recommended fields of each engagement kind."""
        return {spec.value: spec.recommended for spec in self.engagements}

    @property
    def details_models(self) -> tuple[type[KindDetails], ...]:
        """The details model of each engagement kind, in order."""
        return tuple(spec.details for spec in self.engagements if spec.details is not None)

    def details_union(self) -> Any:
        """The details of an engagement: one of :attr:`details_models`, chosen by ``kind``."""
        union = functools.reduce(operator.or_, self.details_models)
        return Annotated[union, Field(discriminator="kind")]


_NO_PERSONNEL = ("host", "location", "end_date", "objectives", "sources")

KINDS = KindTable(
    (
        KindSpec(
            EngagementKind.EXERCISE.value,
            ExerciseDetails,
            "exercises",
            "interoperability",
            gives="host",
        ),
        KindSpec(
            EngagementKind.EDUCATION.value,
            EducationDetails,
            "education",
            "cultural",
            weighed_by="education",
            gives="host",
            recommended=(*COMMON_RECOMMENDED, "students"),
        ),
        KindSpec(
            EngagementKind.TRAINING.value,
            TrainingDetails,
            "training",
            "interoperability",
            gives="host",
        ),
        KindSpec(
            EngagementKind.RESEARCH.value,
            ResearchDetails,
            "research",
            "interoperability",
            gives="host",
            recommended=("end_date", "objectives", "sources", "host"),
        ),
        KindSpec(
            EngagementKind.CULTURAL_EVENT.value,
            CulturalEventDetails,
            "cultural events",
            "cultural",
            gives="host",
            recommended=_NO_PERSONNEL,
        ),
        KindSpec(
            EngagementKind.VISIT.value,
            VisitDetails,
            "visits",
            "cultural",
            weighed_by="visit",
            gives="guests",
            recommended=(*_NO_PERSONNEL, "level"),
        ),
        KindSpec(
            EngagementKind.PORT_CALL.value,
            PortCallDetails,
            "port calls",
            "cultural",
            gives="guests",
            recommended=("host", "location", "end_date", "personnel", "sources"),
        ),
        KindSpec(
            EngagementKind.PEACEKEEPING.value,
            PeacekeepingDetails,
            "peacekeeping",
            "interoperability",
            recommended=("location", "end_date", "personnel", "sources"),
        ),
        KindSpec(
            EngagementKind.HUMANITARIAN.value,
            HumanitarianDetails,
            "humanitarian missions",
            "interoperability",
            gives="guests",
        ),
        KindSpec(
            EngagementKind.OUTREACH.value,
            OutreachDetails,
            "outreach",
            "cultural",
            gives="guests",
            recommended=_NO_PERSONNEL,
        ),
        KindSpec(
            EngagementKind.AGREEMENT.value,
            AgreementDetails,
            "agreements",
            "institutional",
            standing=True,
            recommended=("end_date", "objectives", "sources"),
        ),
        KindSpec(
            EngagementKind.ALLIANCE.value,
            AllianceDetails,
            "alliances",
            "institutional",
            weighed_by="alliance",
            standing=True,
            recommended=("end_date", "sources"),
            plannable=False,
        ),
        KindSpec(
            EngagementKind.MEDIA_EVENT.value,
            MediaEventDetails,
            "media events",
            None,
            recommended=("sources",),
            plannable=False,
        ),
        # The supplier is the host and gives: deliveries of major arms in one year, valued in
        # SIPRI TIV (the Lowy Institute's Asia Power Index counts them in "defence networks").
        KindSpec(
            EngagementKind.ARMS_TRANSFER.value,
            ArmsTransferDetails,
            "arms transfers",
            "institutional",
            gives="host",
            recommended=("host", "end_date", "sources"),
            plannable=False,
        ),
        # Forces of one nation stationed in the host, by the host's consent, each year in force;
        # weighed with the size factor of the personnel stationed.
        KindSpec(
            EngagementKind.PRESENCE.value,
            PresenceDetails,
            "presences",
            "institutional",
            gives="guests",
            standing=True,
            recommended=("host", "location", "personnel", "sources"),
            plannable=False,
        ),
        # A defence attaché of one nation posted in the other, every year in force.
        KindSpec(
            "posting",
            None,
            "postings",
            "institutional",
            gives="guests",
            standing=True,
            recommended=(),
            engagement=False,
        ),
    )
)
"""Every kind, engagement kinds first in the order of :class:`EngagementKind`."""

if TYPE_CHECKING:
    Details: TypeAlias = KindDetails
else:
    Details = KINDS.details_union()
"""Kind-specific details of an engagement, chosen by its ``kind`` (a union of
:attr:`KindTable.details_models`)."""
