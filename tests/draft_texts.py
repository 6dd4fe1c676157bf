"""Drafts made by hand, as extraction would propose them, for the review queue's tests.

Each field's evidence is the span of the passage it names, found in the text, so the drafts read
back as the extractor's do without running it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from comity.access import Viewer
from comity.extract.draft import Draft, DraftParticipant, Evidence, Passage, Proposed
from comity.services import drafts as draft_service
from comity.store import Store

TEXT = (
    "MANILA - The Philippine Navy and the U.S. Navy began Exercise Balikatan 2015 at Subic Bay "
    "on 20 April. About 5,000 troops from the Philippines and the United States take part "
    "until 30 April."
)
PUBLISHER = "Philippine News Agency"
SENTENCE = (
    "MANILA - The Philippine Navy and the U.S. Navy began Exercise Balikatan 2015 at Subic Bay "
    "on 20 April."
)
"""The sentence the kind is read from in :data:`TEXT`."""


def span(text: str, part: str, confidence: float = 0.9) -> Evidence:
    """The evidence of ``part``, the first place ``text`` says it."""
    start = text.index(part)
    return Evidence(start, start + len(part), part, confidence)


def make_draft(
    *,
    text: str = TEXT,
    url: str | None = None,
    kind: str | None = "exercise",
    title: str | None = "Balikatan 2015",
    host: str | None = "PHL",
    nations: Sequence[str] = ("PHL", "USA"),
    start: str | None = "2015-04-20",
    end: str | None = "2015-04-30",
    personnel: int | None = 5000,
    location: str | None = "Subic Bay",
    publisher: str | None = PUBLISHER,
) -> Draft:
    """A draft of Balikatan 2015 as a news item reports it (a fresh URL unless given)."""
    mentions = {"PHL": "Philippine Navy", "USA": "U.S. Navy"}

    def quoted(value: object, said: str | None = None) -> Proposed:
        said = said or (value if isinstance(value, str) else None)
        if value is None or said is None or said not in text:
            return Proposed(value)
        return Proposed(value, span(text, said))

    return Draft(
        passage=Passage(
            text,
            url=url or f"https://news.example.org/{uuid.uuid4().hex[:12]}",
            publisher=publisher,
            title="Balikatan begins",
            origin="news.jsonl:1",
        ),
        kind=Proposed(kind, span(text, "Exercise", 0.87) if kind and "Exercise" in text else None),
        title=quoted(title),
        host=quoted(host, "Philippine Navy"),
        participants=tuple(
            DraftParticipant(
                nation,
                "host" if nation == host else "participant",
                None,
                span(text, mentions[nation], 0.95) if mentions.get(nation, "?") in text else None,
            )
            for nation in nations
        ),
        start=quoted(start, "20 April"),
        end=quoted(end, "30 April"),
        personnel=quoted(personnel, "5,000"),
        location=quoted(location),
        reasons=("the host is inferred from the first navy named",),
        model_version="rules-1",
    )


def queue(store: Store, viewer: Viewer, **fields: Any) -> int:
    """Queue one fresh draft for ``viewer``'s nation; its id."""
    saved = draft_service.save_drafts(store, viewer, [make_draft(**fields)])
    (draft_id,) = saved.added
    return draft_id
