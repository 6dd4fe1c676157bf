"""The successor table: which state continued, absorbed, dissolved into or lost which others.

``successions.tsv`` holds one row per predecessor and successor, each with its source:

- ``continuation``: the successor continues the predecessor's identity, and the Correlates of
  War keep its code (the Soviet Union continued by Russia, 365);
- ``absorption``: an existing state takes the predecessor in (the GDR into Germany);
- ``dissolution``: the predecessor ends and several new states succeed it (Czechoslovakia);
- ``secession``: a new state separates and the predecessor goes on (Eritrea from Ethiopia).

``date`` is the day the change took effect: the union, the dissolution or the continuation, and
for a secession the declaration or act of independence the new state dates itself from. Where
the CoW state list dates the entry later (by recognition or admission to the UN), the note says so.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

__all__ = [
    "SUCCESSION_KINDS",
    "Succession",
    "describe_succession",
    "load_successions",
    "successions_of",
]

SUCCESSION_KINDS = ("continuation", "absorption", "dissolution", "secession")
"""The kinds of succession, in the order the docs explain them."""

# Names read as "the ..." inside a sentence ("seceded from the Soviet Union").
_WITH_ARTICLE = (
    "Central African",
    "Czech Republic",
    "Democratic",
    "Dominican",
    "Kingdom",
    "Netherlands",
    "Papal",
    "Philippines",
    "Republic",
    "Soviet",
    "Two ",
    "United",
)


@dataclass(frozen=True)
class Succession:
    """One succession: a predecessor and the states that succeeded it on one day, in one way.

    Attributes:
        predecessor: The key of the state before.
        successors: The keys of the states after (one, except for a dissolution or several
            states seceding on the same day).
        kind: ``continuation``, ``absorption``, ``dissolution`` or ``secession``.
        date: The day the change took effect.
        source: Where the row comes from (the act, the CoW state list, ISO 3166-3).
        note: What happened, and CoW's own date where it differs.
    """

    predecessor: str
    successors: tuple[str, ...]
    kind: str
    date: date
    source: str
    note: str


def _joined(parts: list[str]) -> str:
    unique = list(dict.fromkeys(p for p in parts if p))
    return "; ".join(unique)


@lru_cache(maxsize=1)
def load_successions() -> tuple[Succession, ...]:
    """Read ``successions.tsv`` (cached: it is read-only).

    Rows with the same predecessor, kind and date become one :class:`Succession` with several
    successors (Czechoslovakia into Czechia and Slovakia), their sources and notes joined.

    Returns:
        The successions, by date, then predecessor.

    Raises:
        ValueError: When a row names an unknown kind or a malformed date.
    """
    text = resources.files("comity.nations").joinpath("successions.tsv").read_text("utf-8")
    groups: dict[tuple[str, str, date], list[dict[str, str]]] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        if row["kind"] not in SUCCESSION_KINDS:
            raise ValueError(
                f"successions.tsv: unknown kind {row['kind']!r} for "
                f"{row['predecessor']}->{row['successor']}; use one of {SUCCESSION_KINDS}"
            )
        key = (row["predecessor"], row["kind"], date.fromisoformat(row["date"]))
        groups.setdefault(key, []).append(row)
    found = [
        Succession(
            predecessor=predecessor,
            successors=tuple(row["successor"] for row in rows),
            kind=kind,
            date=day,
            source=_joined([row["source"] for row in rows]),
            note=_joined([row["note"] for row in rows]),
        )
        for (predecessor, kind, day), rows in groups.items()
    ]
    return tuple(sorted(found, key=lambda s: (s.date, s.predecessor, s.kind)))


def successions_of(key: str) -> tuple[Succession, ...]:
    """The successions in which the nation ``key`` is the predecessor or a successor, by date."""
    return tuple(s for s in load_successions() if key in (s.predecessor, *s.successors))


def describe_succession(succession: Succession, key: str, names: Mapping[str, str]) -> str:
    """One sentence on a succession, told from the side of the nation ``key``.

    Args:
        succession: The succession.
        key: The nation whose page or profile shows it: its predecessor or one of its
            successors.
        names: Common names by key; a key missing from it is shown as the key.

    Returns:
        For the predecessor, what became of it ("Continued by Russia from 1991-12-26",
        "Absorbed by Germany 1990-10-03", "Dissolved into Czechia and Slovakia 1993-01-01",
        "Eritrea seceded 1993-05-24"); for a successor, what it continues or came from
        ("Continues the Soviet Union from 1991-12-26", "Seceded from Ethiopia 1993-05-24").

    Raises:
        ValueError: When ``key`` takes no part in the succession.
    """
    day = succession.date.isoformat()
    before = _in_sentence(names.get(succession.predecessor, succession.predecessor))
    after = _listed([_in_sentence(names.get(k, k)) for k in succession.successors])
    kind = succession.kind
    if key == succession.predecessor:
        sentence = {
            "continuation": f"continued by {after} from {day}",
            "absorption": f"absorbed by {after} {day}",
            "dissolution": f"dissolved into {after} {day}",
            "secession": f"{after} seceded {day}",
        }[kind]
    elif key in succession.successors:
        sentence = {
            "continuation": f"continues {before} from {day}",
            "absorption": f"absorbed {before} {day}",
            "dissolution": f"formed when {before} dissolved {day}",
            "secession": f"seceded from {before} {day}",
        }[kind]
    else:
        raise ValueError(f"{key} takes no part in the {kind} of {succession.predecessor} on {day}")
    return sentence[0].upper() + sentence[1:]


def _in_sentence(name: str) -> str:
    return f"the {name}" if name.startswith(_WITH_ARTICLE) else name


def _listed(names: list[str]) -> str:
    if len(names) < 3:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
