"""Engagement titles a person can read, for records whose stored title is a source's row id.

Some imported records have no name in their source: an MME exercise without ``Ex_Name`` or
``Series_Name`` is titled with its MMEID (``mme2659``), and a mapped file without a title column
uses its id column. The stored record keeps that title (it is what the source says); a briefing
shows the kind in words, the other nations and the year instead ("Exercise with United States,
2009"), and the source id beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from comity.model.engagements import Engagement
from comity.model.kinds import KINDS
from comity.nations import default_resolver

__all__ = ["is_source_id", "readable_title"]

_NAMED = 3
"""Other nations named in a readable title; the rest are counted."""


def is_source_id(engagement: Engagement) -> bool:
    """True when the stored title is only the source's id of the record.

    The importers give a record ``external_id`` ``<dataset>:<id>`` (``#2`` added for an id the
    source repeats); a title equal to that id, or to the whole key, names nothing.
    """
    key = engagement.external_id
    if not key or ":" not in key:
        return False
    source_id = key.split(":", 1)[1]
    return engagement.title in (key, source_id, source_id.split("#", 1)[0])


def _names(keys: Sequence[str]) -> str:
    resolver = default_resolver()
    names = [(found.name if (found := resolver.get(key)) else key) for key in keys]
    if len(names) > _NAMED:
        return f"{', '.join(names[:_NAMED])} and {len(names) - _NAMED} more"
    if len(names) < 3:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def readable_title(engagement: Engagement, nation: str) -> str:
    """The title to show in a briefing on ``nation``.

    A real title is kept as stored. A bare source id becomes the kind in words, the other
    nations taking part and the year: ``Exercise with United States, 2009``; with no other
    nation, ``Exercise of Saudi Arabia, 2009``.

    Args:
        engagement: The record.
        nation: The key of the nation briefed (left out of the nations named).
    """
    if not is_source_id(engagement):
        return engagement.title
    kind = KINDS[engagement.kind.value].label
    year = engagement.start.first_day.year
    others = [key for key in engagement.nations if key != nation]
    if others:
        return f"{kind.capitalize()} with {_names(others)}, {year}"
    return f"{kind.capitalize()} of {_names([nation])}, {year}"
