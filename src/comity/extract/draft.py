"""What extraction proposes: a draft engagement, every field with its evidence.

These records are the contract between the extractor (:mod:`comity.extract`), the review queue
(:mod:`comity.services.drafts`) and the faces (``comity extract``, ``comity drafts``, the API and
the web inbox). They need nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Draft", "DraftParticipant", "Evidence", "Passage", "Proposed"]


@dataclass(frozen=True)
class Passage:
    """One passage of text as read from a file.

    Attributes:
        text: The passage (a release's body, a news item's text), as plain text.
        url: Where it was published, if known.
        published: Its publication date, if known: relative dates ("on Monday") resolve against it.
        publisher: Who published it (a ministry, a service's news, an agency), if known.
        title: Its headline, if it has one apart from the text.
        origin: Where it was read: the file and its line, row or item (``news.jsonl:3``).
    """

    text: str
    url: str | None = None
    published: date | None = None
    publisher: str | None = None
    title: str | None = None
    origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "text": self.text,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "publisher": self.publisher,
            "title": self.title,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Evidence:
    """The span of the passage a value came from, and how sure the extractor is of it.

    Attributes:
        start: Offset of the span's first character in :attr:`Passage.text`.
        end: Offset just past its last character (``text[start:end]`` is the span).
        text: The span itself.
        confidence: From 0 (a guess) to 1 (certain).
    """

    start: int
    end: int
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "span": [self.start, self.end],
            "text": self.text,
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Proposed:
    """One proposed value with its evidence (None when the value was inferred, not quoted)."""

    value: Any
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "value": self.value,
            **(self.evidence.to_dict() if self.evidence else {"span": None, "confidence": None}),
        }


@dataclass(frozen=True)
class DraftParticipant:
    """A nation the passage says took part.

    Attributes:
        nation: Its key (ISO alpha-3).
        role: ``host``, ``participant`` or ``observer``.
        personnel: Personnel it sent, where the text says.
        evidence: The mention it was found by.
    """

    nation: str
    role: str = "participant"
    personnel: int | None = None
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "nation": self.nation,
            "role": self.role,
            "personnel": self.personnel,
            **(self.evidence.to_dict() if self.evidence else {"span": None, "confidence": None}),
        }


@dataclass(frozen=True)
class Draft:
    """A proposed engagement read from one passage.

    ``kind.value`` is an :class:`~comity.model.vocabulary.EngagementKind` value, or None when the
    passage describes no engagement (then :attr:`reasons` says why: "cancelled", "one nation's
    own services", "relief inside its own country"...). Dates are ISO text at the precision the
    passage gives: ``2024-05-03``, ``2024-05`` or ``2024``; no year is invented.

    Attributes:
        passage: The passage it was read from.
        kind: The kind, or None for no engagement.
        title: A short title (the exercise's or event's name where the text gives one).
        programme: The recurring series it belongs to (``Cobra Gold``), if named.
        host: The host's key, if the text says or implies who hosted.
        participants: Every nation taking part, the host included, each once.
        start: First day, month or year, as ISO text at its precision.
        end: Last day, month or year, if given.
        personnel: Personnel in all, where stated.
        location: Where, as the text names it.
        reasons: Why no engagement, or what a reviewer should check.
        model_version: The version of the model and rules that proposed it.
    """

    passage: Passage
    kind: Proposed
    title: Proposed = field(default_factory=lambda: Proposed(None))
    programme: Proposed = field(default_factory=lambda: Proposed(None))
    host: Proposed = field(default_factory=lambda: Proposed(None))
    participants: tuple[DraftParticipant, ...] = ()
    start: Proposed = field(default_factory=lambda: Proposed(None))
    end: Proposed = field(default_factory=lambda: Proposed(None))
    personnel: Proposed = field(default_factory=lambda: Proposed(None))
    location: Proposed = field(default_factory=lambda: Proposed(None))
    reasons: tuple[str, ...] = ()
    model_version: str = ""

    @property
    def is_engagement(self) -> bool:
        """Whether the draft proposes an engagement at all."""
        return self.kind.value is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the plain values, then every field with its evidence.

        The plain values come first (as ``comity extract --json`` prints them), then every field
        with its span and confidence under ``fields``.
        """
        return {
            "engagement": self.is_engagement,
            "kind": self.kind.value,
            "title": self.title.value,
            "programme": self.programme.value,
            "host": self.host.value,
            "participants": [p.nation for p in self.participants],
            "start": self.start.value,
            "end": self.end.value,
            "personnel": self.personnel.value,
            "location": self.location.value,
            "reasons": list(self.reasons),
            "fields": {
                name: getattr(self, name).to_dict()
                for name in (
                    "kind",
                    "title",
                    "programme",
                    "host",
                    "start",
                    "end",
                    "personnel",
                    "location",
                )
            },
            "roles": [p.to_dict() for p in self.participants],
            "passage": self.passage.to_dict(),
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """Read back :meth:`to_dict`'s form (as the review queue stores it)."""

        def proposed(name: str) -> Proposed:
            item = data["fields"][name]
            return Proposed(item["value"], _evidence(item))

        passage = dict(data["passage"])
        published = passage.get("published")
        passage["published"] = date.fromisoformat(published) if published else None
        return cls(
            passage=Passage(**passage),
            kind=proposed("kind"),
            title=proposed("title"),
            programme=proposed("programme"),
            host=proposed("host"),
            participants=tuple(
                DraftParticipant(p["nation"], p["role"], p.get("personnel"), _evidence(p))
                for p in data.get("roles", ())
            ),
            start=proposed("start"),
            end=proposed("end"),
            personnel=proposed("personnel"),
            location=proposed("location"),
            reasons=tuple(data.get("reasons", ())),
            model_version=data.get("model_version", ""),
        )


def _evidence(item: dict[str, Any]) -> Evidence | None:
    span = item.get("span")
    if not span:
        return None
    return Evidence(span[0], span[1], item.get("text", ""), item.get("confidence") or 0.0)
