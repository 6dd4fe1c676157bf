"""Curated notes about a nation for briefings: customs, etiquette, language, lessons, protocol."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from comity.model.nations import NationKey
from comity.model.releasability import PUBLIC, Releasability
from comity.model.vocabulary import NoteTopic

__all__ = ["Note", "NoteTopic"]


class Note(BaseModel):
    """A note written by a person about a nation, shown in its briefings.

    Attributes:
        nation: The nation it is about.
        topic: What it is about.
        title: A short title, 1-300 characters.
        body: The text, 1-20,000 characters.
        releasability: Who may see the note.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    nation: NationKey
    topic: NoteTopic = NoteTopic.OTHER
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
    releasability: Releasability = PUBLIC
