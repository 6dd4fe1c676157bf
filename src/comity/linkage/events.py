"""Events: records joined by links, and the record that speaks for each field.

An event is a connected group of records under the ``linked`` links a viewer may see. Among
automatic links a record keeps at most one record of each other source (the likeliest): a
source records an event once. A person's decision always stands.

**Precedence** (which record speaks for an event): a curated record (entered by hand, no
source dataset) over a dataset's; then the more precise start date (day, month, year); then the
record stored first (the lower id). The index counts the event as that record records it (its
nations, personnel, dates); the event's page shows every record's fields beside it, and a field
the first record lacks comes from the next that has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "EventLink",
    "Member",
    "event_groups",
    "kept_links",
    "precedence_key",
    "representatives",
]

_PRECISION = {"day": 0, "month": 1, "year": 2}


@dataclass(frozen=True)
class EventLink:
    """A ``linked`` link between two visible records, with what precedence needs."""

    left: int
    right: int
    probability: float
    decided: bool
    sources: tuple[str | None, str | None]
    precisions: tuple[str, str]
    starts: tuple[date, date]


@dataclass(frozen=True)
class Member:
    """A record of an event, as precedence reads it."""

    id: int
    source: str | None
    precision: str


def precedence_key(member: Member) -> tuple[Any, ...]:
    """Sort key: the record that speaks for an event first."""
    return (member.source is not None, _PRECISION.get(member.precision, 3), member.id)


def kept_links(links: Sequence[EventLink]) -> list[EventLink]:
    """The links that join events: every decided one, and automatic ones one per source."""
    decided = [link for link in links if link.decided]
    taken: set[tuple[int, str | None]] = set()
    kept = list(decided)
    for link in sorted(
        (link for link in links if not link.decided),
        key=lambda link: (-link.probability, link.left, link.right),
    ):
        left = (link.left, link.sources[1])
        right = (link.right, link.sources[0])
        if left in taken or right in taken:
            continue
        taken.update((left, right))
        kept.append(link)
    return kept


def event_groups(
    links: Sequence[EventLink],
) -> dict[int, list[Member]]:
    """Each event's records, by the id of the record that speaks for it (first in the list).

    Args:
        links: The ``linked`` links the viewer may see.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: dict[int, Member] = {}
    for link in kept_links(links):
        for side, key in enumerate((link.left, link.right)):
            members[key] = Member(key, link.sources[side], link.precisions[side])
        a, b = find(link.left), find(link.right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Member]] = {}
    for key in members:
        groups.setdefault(find(key), []).append(members[key])
    result = {}
    for group in groups.values():
        ordered = sorted(group, key=precedence_key)
        result[ordered[0].id] = ordered
    return result


def representatives(groups: Mapping[int, Iterable[Member]]) -> dict[int, int]:
    """Record id -> the id of the record that speaks for its event (every member)."""
    return {member.id: first for first, group in groups.items() for member in group}
