"""Engagements prepared for storage: plain values, the content digest worked out.

The store writes :class:`PreparedEngagement` rows. A validated :class:`Engagement` becomes one
through :func:`prepare`; a bulk importer that checked its rows column by column builds them
directly, with the same :func:`content_digest`, so that both paths store identical records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import accumulate, chain
from operator import attrgetter
from typing import Any

from comity.model.engagements import Engagement
from comity.model.releasability import Releasability

__all__ = [
    "EngagementColumns",
    "PreparedEngagement",
    "as_columns",
    "content_digest",
    "digest_of",
    "frozen",
    "prepare",
]


@dataclass(frozen=True)
class PreparedEngagement:
    """An engagement as the store writes it.

    Attributes mirror the ``engagements`` table; ``participants`` holds (nation, role,
    personnel) triples and ``sources`` the reference dictionaries.
    """

    kind: str
    title: str
    start_date: date
    start_precision: str
    end_date: date | None
    end_precision: str | None
    start_year: int
    end_year: int | None
    host: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    programme: str | None
    objectives: tuple[str, ...]
    description: str | None
    details: dict[str, Any] | None
    releasability: Releasability
    external_id: str | None
    source_dataset: str | None
    source_version: str | None
    source_row: str | None
    content_hash: str
    participants: tuple[tuple[str, str, int | None], ...]
    sources: tuple[dict[str, str | None], ...] = ()


_DIGESTED = (
    "kind",
    "title",
    "start",
    "end",
    "host",
    "location",
    "latitude",
    "longitude",
    "programme",
    "objectives",
    "description",
    "details",
    "sources",
    "releasability",
    "external_id",
)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def frozen(value: Any) -> Any:
    """``value`` with its dictionaries and lists turned into (sorted) tuples, as digested."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value


def content_digest(dumped: dict[str, Any]) -> str:
    """SHA-256 of an engagement's JSON form (``model_dump(mode="json")``) without provenance.

    The form is frozen into nested tuples in a fixed field order (participants sorted by nation,
    so the order they were listed in does not matter) and hashed through its ``repr``: about
    twice as fast as canonical JSON, which counts when an import digests millions of records.
    """
    participants = tuple(
        sorted((p["nation"], p["role"], p["personnel"]) for p in dumped["participants"])
    )
    return digest_of(tuple(frozen(dumped[key]) for key in _DIGESTED), participants)


def digest_of(
    fields: tuple[Any, ...], participants: tuple[tuple[str, str, int | None], ...]
) -> str:
    """The digest of :func:`content_digest` from its parts, for importers that build them directly.

    Args:
        fields: The values of ``_DIGESTED`` in that order, already :func:`frozen`.
        participants: (nation, role, personnel) triples sorted by nation.
    """
    return hashlib.sha256(repr((fields, participants)).encode("utf-8")).hexdigest()


def prepare(engagement: Engagement) -> PreparedEngagement:
    """The stored form of a validated engagement."""
    return PreparedEngagement(*_prepared_values(engagement))


def _prepared_values(engagement: Engagement) -> tuple[Any, ...]:
    """The values of :class:`PreparedEngagement`'s fields for ``engagement``, in their order."""
    provenance = engagement.provenance
    details = engagement.details
    start = engagement.start
    end = engagement.end
    participations = engagement.participations()
    return (
        engagement.kind.value,
        engagement.title,
        start.value,
        start.precision.value,
        None if end is None else end.value,
        None if end is None else end.precision.value,
        start.year,
        engagement.end_year,
        engagement.host,
        engagement.location,
        engagement.latitude,
        engagement.longitude,
        engagement.programme,
        engagement.objectives,
        engagement.description,
        details.model_dump(mode="json", exclude={"kind"}) if details else None,
        engagement.releasability,
        engagement.external_id,
        provenance.dataset if provenance else None,
        provenance.version if provenance else None,
        provenance.row if provenance else None,
        engagement.content_hash(participations),
        participations,
        tuple(dict(vars(source)) for source in engagement.sources),
    )


@dataclass
class EngagementColumns:
    """Engagements prepared for storage, column by column: what the store writes in bulk.

    Each field of :class:`PreparedEngagement` but its participants is a list with one value per
    engagement. Participations are three lists over all engagements, those of engagement ``i``
    at ``offsets[i]:offsets[i + 1]``. A million participations cost a few lists instead of a
    million small objects, and the store writes them without building a record per engagement.
    """

    kind: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    start_date: list[date] = field(default_factory=list)
    start_precision: list[str] = field(default_factory=list)
    end_date: list[date | None] = field(default_factory=list)
    end_precision: list[str | None] = field(default_factory=list)
    start_year: list[int] = field(default_factory=list)
    end_year: list[int | None] = field(default_factory=list)
    host: list[str | None] = field(default_factory=list)
    location: list[str | None] = field(default_factory=list)
    latitude: list[float | None] = field(default_factory=list)
    longitude: list[float | None] = field(default_factory=list)
    programme: list[str | None] = field(default_factory=list)
    objectives: list[tuple[str, ...]] = field(default_factory=list)
    description: list[str | None] = field(default_factory=list)
    details: list[dict[str, Any] | None] = field(default_factory=list)
    releasability: list[Releasability] = field(default_factory=list)
    external_id: list[str | None] = field(default_factory=list)
    source_dataset: list[str | None] = field(default_factory=list)
    source_version: list[str | None] = field(default_factory=list)
    source_row: list[str | None] = field(default_factory=list)
    content_hash: list[str] = field(default_factory=list)
    sources: list[tuple[dict[str, str | None], ...]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=lambda: [0])
    nation: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)
    personnel: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.content_hash)

    def __iter__(self) -> Iterator[PreparedEngagement]:
        return (self.record(index) for index in range(len(self)))

    @classmethod
    def of_records(cls, records: Iterable[PreparedEngagement]) -> EngagementColumns:
        """The columns of ``records``."""
        return cls._of_values(list(map(_EVERY_FIELD, records)))

    @classmethod
    def _of_values(cls, rows: list[tuple[Any, ...]]) -> EngagementColumns:
        """The columns of rows holding the values of :class:`PreparedEngagement`'s fields."""
        if not rows:
            return cls()
        transposed = list(zip(*rows, strict=True))
        taking = transposed[_PARTICIPANTS]
        nation, role, personnel = [
            list(c) for c in zip(*chain.from_iterable(taking), strict=True)
        ] or [[], [], []]
        return cls(
            **{name: list(transposed[_POSITION[name]]) for name in _PER_RECORD},
            offsets=list(accumulate(map(len, taking), initial=0)),
            nation=nation,
            role=role,
            personnel=personnel,
        )

    def record(self, index: int) -> PreparedEngagement:
        """Engagement ``index`` as a :class:`PreparedEngagement`."""
        first, last = self.offsets[index], self.offsets[index + 1]
        return PreparedEngagement(
            **{name: getattr(self, name)[index] for name in _PER_RECORD},
            participants=tuple(
                zip(
                    self.nation[first:last],
                    self.role[first:last],
                    self.personnel[first:last],
                    strict=True,
                )
            ),
        )

    def extend(self, other: EngagementColumns) -> EngagementColumns:
        """Append the engagements of ``other``; return self."""
        shift = self.offsets[-1]
        for name in (*_PER_RECORD, *_PER_PARTICIPATION):
            getattr(self, name).extend(getattr(other, name))
        self.offsets.extend(shift + offset for offset in other.offsets[1:])
        return self

    def take(self, indices: Sequence[int]) -> EngagementColumns:
        """The engagements at ``indices``, in that order, with their participations."""
        offsets = [0]
        chosen: list[int] = []
        for index in indices:
            first, last = self.offsets[index], self.offsets[index + 1]
            chosen.extend(range(first, last))
            offsets.append(offsets[-1] + last - first)
        return EngagementColumns(
            **{name: [getattr(self, name)[i] for i in indices] for name in _PER_RECORD},
            **{name: [getattr(self, name)[i] for i in chosen] for name in _PER_PARTICIPATION},
            offsets=offsets,
        )


_PER_PARTICIPATION = ("nation", "role", "personnel")
_PREPARED_FIELDS = tuple(f.name for f in fields(PreparedEngagement))
_EVERY_FIELD = attrgetter(*_PREPARED_FIELDS)
_POSITION = {name: index for index, name in enumerate(_PREPARED_FIELDS)}
_PARTICIPANTS = _POSITION["participants"]
_PER_RECORD = tuple(
    f.name for f in fields(EngagementColumns) if f.name not in {*_PER_PARTICIPATION, "offsets"}
)


def as_columns(
    records: Iterable[Engagement | PreparedEngagement] | EngagementColumns,
) -> EngagementColumns:
    """``records`` as columns, each validated engagement prepared first; columns as they are."""
    if isinstance(records, EngagementColumns):
        return records
    # Each record's values straight into the columns: no intermediate record per engagement.
    return EngagementColumns._of_values(
        [
            _EVERY_FIELD(r) if isinstance(r, PreparedEngagement) else _prepared_values(r)
            for r in records
        ]
    )
