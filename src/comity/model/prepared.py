"""Engagements prepared for storage: plain values, the content digest worked out.

The store writes :class:`PreparedEngagement` rows. A validated :class:`Engagement` becomes one
through :func:`prepare`; a bulk importer that checked its rows column by column builds them
directly, with the same :func:`content_digest`, so that both paths store identical records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from comity.model.engagements import Engagement
from comity.model.releasability import Releasability

__all__ = ["PreparedEngagement", "content_digest", "digest_of", "frozen", "prepare"]


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
    "kind", "title", "start", "end", "host", "location", "latitude", "longitude", "programme",
    "objectives", "description", "details", "sources", "releasability", "external_id",
)  # fmt: skip


def frozen(value: Any) -> Any:
    """``value`` with its dictionaries and lists turned into (sorted) tuples, as digested."""
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
    provenance = engagement.provenance
    details = engagement.details
    return PreparedEngagement(
        kind=engagement.kind.value,
        title=engagement.title,
        start_date=engagement.start.value,
        start_precision=engagement.start.precision.value,
        end_date=engagement.end.value if engagement.end else None,
        end_precision=engagement.end.precision.value if engagement.end else None,
        start_year=engagement.start_year,
        end_year=engagement.end_year,
        host=engagement.host,
        location=engagement.location,
        latitude=engagement.latitude,
        longitude=engagement.longitude,
        programme=engagement.programme,
        objectives=engagement.objectives,
        description=engagement.description,
        details=details.model_dump(mode="json", exclude={"kind"}) if details else None,
        releasability=engagement.releasability,
        external_id=engagement.external_id,
        source_dataset=provenance.dataset if provenance else None,
        source_version=provenance.version if provenance else None,
        source_row=provenance.row if provenance else None,
        content_hash=engagement.content_hash(),
        participants=tuple((p.nation, p.role.value, p.personnel) for p in engagement.participants),
        sources=tuple(s.model_dump() for s in engagement.sources),
    )
