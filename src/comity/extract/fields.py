"""The fields of a draft beyond its kind: participants and roles, host, personnel, title, place.

- **Location**: the first known place named after "in", "at", "off", "near", "to"... (a port,
  base, school, capital, sea), else the dateline's place ("HOHENFELS, Germany —", unless an
  agency filed it: "BEIJING (Xinhua) —"), else the first nation named after "in", "at" or "off"
  ("held in Thailand").
- **Host**: a nation the passage calls host ("hosted by", "X hosts", "X-hosted"); else, for a
  port call or a visit, the nation arrived in or visited; for education, the school's nation;
  else the nation of the location. The host takes part even when the passage names it only by
  a place ("USS Blue Ridge arrived in Manila": the Philippines).
- **Personnel**: "more than 4,500 personnel", "some 2,000 U.S. troops", "1,200 soldiers from
  Indonesia": a number before a word for people in uniform. A number whose nation is named
  beside it is that nation's; the total is the largest number given for no single nation, else
  the sum of the nations'.
- **Title**: the programme and its edition ("Cobra Gold 2024"; the year of the start when the
  text gives none), else a named exercise or operation ("Exercise Kowari"), else a short
  description of kind and nations ("Japan–Philippines port call").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from comity.extract.draft import DraftParticipant, Evidence, Proposed
from comity.extract.mentions import MentionReading
from comity.extract.nations_in_text import NationMention, PlaceMention, ProgrammeMention

__all__ = ["Parties", "read_location", "read_parties", "read_personnel", "read_title"]

_PLACE_CUE = re.compile(
    r"\b(?:in|at|off|near|around|to|into|across|on|within|inside|outside|from|of)\s+"
    r"(?:the\s+)?(?:coast\s+of\s+|waters\s+(?:off|near)\s+|island\s+of\s+|port\s+of\s+|"
    r"city\s+of\s+|province\s+of\s+)?$",
    re.IGNORECASE,
)
_VISIT_CUE = re.compile(
    r"\b(?:arriv(?:ed|es|ing|al)\s+(?:in|at)|visit(?:ed|ing|s)?(?:\s+to)?|"
    r"(?:port|goodwill)\s+(?:call|visit)s?\s+(?:to|in|at)|trip\s+to|travel(?:l?ed|s)?\s+to|"
    r"dock(?:ed|s)?\s+(?:at|in)|pull(?:ed|s)?\s+into|berth(?:ed|s)?\s+(?:at|in)|"
    r"moor(?:ed|s)?\s+(?:at|in)|call(?:ed)?\s+at|stop\s+in|hosted\s+in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_VISITED_KINDS = frozenset({"port_call", "visit"})


def _evidence(text: str, start: int, end: int, confidence: float) -> Evidence:
    return Evidence(start, end, text[start:end], confidence)


def read_location(
    text: str,
    places: Sequence[PlaceMention],
    mentions: Sequence[NationMention],
    after: int,
    dateline: PlaceMention | NationMention | None = None,
) -> tuple[Proposed, PlaceMention | NationMention | None]:
    """Where the engagement took place, and the place or mention it was read from.

    In order: a known place named after "in", "at", "off"...; the dateline's place (when no
    agency filed it); a nation named after "in", "at" or "off", or after a town it does not know
    ("in Chanthaburi, Thailand"). A place named otherwise ("ships from Singapore") is no location.

    Args:
        text: The passage.
        places: Its known places, in order.
        mentions: Its nation mentions (those of parties), in order.
        after: Where the dateline ends: places before are read only as the dateline.
        dateline: The dateline's place or nation, when it counts.
    """
    for place in places:
        if place.start >= after and _PLACE_CUE.search(text[max(0, place.start - 40) : place.start]):
            return Proposed(place.text, _evidence(text, place.start, place.end, 0.8)), place
    if dateline is not None:
        return Proposed(dateline.text, _evidence(text, dateline.start, dateline.end, 0.7)), dateline
    for mention in mentions:
        if mention.news_term:
            continue
        before = text[max(0, mention.start - 60) : mention.start]
        if re.search(r"\b(?:in|at|off|into)\s+(?:the\s+)?$", before):
            found = _evidence(text, mention.start, mention.end, 0.6)
            return Proposed(mention.text, found), mention
        town = _TOWN_BEFORE.search(before)
        if town is not None:
            start = mention.start - len(before) + town.start(1)
            found = _evidence(text, start, mention.end, 0.6)
            return Proposed(text[start : mention.end], found), mention
    return Proposed(None), None


_TOWN_BEFORE = re.compile(r"\b(?:in|at|near|off)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}),\s*$")
"""A town the word lists do not know, before its nation: "in Chanthaburi, Thailand"."""


@dataclass(frozen=True)
class Parties:
    """The participants of a draft and its host."""

    participants: tuple[DraftParticipant, ...]
    host: Proposed


def read_parties(
    text: str,
    readings: Sequence[MentionReading],
    kind: str | None,
    location: PlaceMention | NationMention | None,
    places: Sequence[PlaceMention],
) -> Parties:
    """Participants with their roles, and the host.

    Args:
        text: The passage.
        readings: Each nation's mentions, read (:func:`comity.extract.mentions.read_mentions`).
        kind: The draft's kind, or None.
        location: Where it took place, as found by :func:`read_location`.
        places: The passage's known places (a school's nation hosts education).
    """
    parties = [r for r in readings if r.is_party]
    host_key, host_evidence = _host(text, parties, kind, location, places)
    found = []
    for reading in parties:
        first = reading.party[0]
        confidence = 0.85 if first.news_term else 0.9
        role = "participant"
        if reading.iso3 == host_key:
            role = "host"
        elif reading.observer:
            role, confidence = "observer", 0.7
        evidence = _evidence(text, first.start, first.end, confidence)
        found.append(DraftParticipant(reading.iso3, role, None, evidence))
    if host_key is not None and host_key not in {p.nation for p in found}:
        found.append(DraftParticipant(host_key, "host", None, host_evidence))
    return Parties(tuple(found), Proposed(host_key, host_evidence))


def _host(
    text: str,
    parties: Sequence[MentionReading],
    kind: str | None,
    location: PlaceMention | NationMention | None,
    places: Sequence[PlaceMention],
) -> tuple[str | None, Evidence | None]:
    named = [r for r in parties if r.host is not None]
    if named and named[0].host is not None:
        mention = named[0].host
        return mention.iso3, _evidence(text, mention.start, mention.end, 0.85)
    keys = {r.iso3 for r in parties}
    if kind in _VISITED_KINDS:
        for reading in parties:
            for mention in reading.party:
                if _VISIT_CUE.search(text[max(0, mention.start - 40) : mention.start]):
                    return mention.iso3, _evidence(text, mention.start, mention.end, 0.75)
    if kind == "education":
        for place in places:
            if place.note == "school" and place.iso3 is not None:
                return place.iso3, _evidence(text, place.start, place.end, 0.75)
    if location is not None and location.iso3 is not None:
        confidence = 0.7 if location.iso3 in keys else 0.6
        return location.iso3, _evidence(text, location.start, location.end, confidence)
    return None, None


_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_NUMBERS = {
    **{word: n for n, word in enumerate(_TEENS, start=10)},
    **{tens: 10 * n for n, tens in enumerate(_TENS, start=2)},
    **{
        f"{tens}-{unit}": 10 * n + m
        for n, tens in enumerate(_TENS, start=2)
        for m, unit in enumerate(_UNITS, start=1)
    },
}
_NUMBER = (
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+|(?i:(?:"
    + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
    + r")))"
)
_PEOPLE = (
    r"(?i:personnel|troops|service\s*members|servicemembers|soldiers|sailors|marines|airmen|"
    r"military\s+personnel|participants|servicemen|servicewomen|service\s+personnel|"
    r"peacekeepers|crew(?:\s+members)?|military\s+members|officers|air\s+warriors)"
)
_WORD = r"(?!\d)(?:[A-Z]\.)+|(?!\d)[\w'’-]+"
"""A word between a number and its people: no number, no full stop but an initial's ("U.S.")."""
_GROUP = r"(?i:battalion|contingent|unit|team|force|task\s+force|group|delegation|detachment)"
_PERSONNEL = re.compile(
    rf"(?<![\d$€£.,-]){_NUMBER}(?:-(?:strong|member))?\s+"
    rf"(?P<between>(?:(?:{_WORD}),?\s+){{0,6}}?){_PEOPLE}\b(?P<source>\s+from\s+(?:the\s+)?)?"
    rf"|(?<![\d$€£.,-]){_NUMBER.replace('number', 'group')}-(?:strong|member)\s+"
    rf"(?P<unit>(?:(?:{_WORD})\s+){{0,4}}?){_GROUP}\b"
    rf"|(?<![\d$€£.,-]){_NUMBER.replace('number', 'members')}\s+members\s+of\s+(?:the\s+)?"
)
_TOTAL = re.compile(r"(?:total\s+of|in\s+all|altogether|overall|combined|together)\W*$", re.I)
_LEAST = 10
"""Smaller numbers ("the four officers") are a detail of the story, not its personnel."""


def _number(text: str) -> int:
    return int(text.replace(",", "")) if text[0].isdigit() else _WORD_NUMBERS[text.lower()]


def read_personnel(text: str, mentions: Sequence[NationMention]) -> tuple[Proposed, dict[str, int]]:
    """Personnel in all, and per nation where the passage says.

    Args:
        text: The passage.
        mentions: Nation mentions of parties, in order.

    Returns:
        The total (with the words it came from) and each nation's personnel.
    """
    unattributed: list[tuple[int, re.Match[str]]] = []
    per_nation: dict[str, int] = {}
    for match in _PERSONNEL.finditer(text):
        written = match.group("number") or match.group("group") or match.group("members")
        number = _number(written)
        if number < _LEAST or (1900 <= number <= 2100 and written.isdigit()):
            continue
        nation = _nation_of(match, mentions)
        if nation is not None:
            per_nation.setdefault(nation, number)
            continue
        unattributed.append((number, match))
    totals = [
        (n, m) for n, m in unattributed if _TOTAL.search(text[max(0, m.start() - 20) : m.start()])
    ]
    chosen = totals or unattributed
    if chosen:
        number, match = max(chosen, key=lambda item: item[0])
        return Proposed(number, _evidence(text, match.start(), match.end(), 0.8)), per_nation
    if per_nation:
        return Proposed(sum(per_nation.values())), per_nation
    return Proposed(None), per_nation


def _nation_of(match: re.Match[str], mentions: Sequence[NationMention]) -> str | None:
    group = "between" if match.group("number") else "unit" if match.group("group") else None
    if group is not None:
        lo, hi = match.span(group)
        inside = {m.iso3 for m in mentions if lo <= m.start and m.end <= hi}
        if len(inside) == 1:
            return inside.pop()
    if group == "between" and not match.group("source"):
        return None
    following = [m for m in mentions if m.start == match.end()]
    if not following:
        return None
    # "soldiers from the United States, Italy and Poland" are no one nation's.
    after = [m for m in mentions if m.start > following[0].start]
    if after and _LIST_GAP.match(match.string, following[0].end, after[0].start):
        return None
    return following[0].iso3


_LIST_GAP = re.compile(r"\s*(?:,|and|,\s*and|or)\s*(?:the\s+)?$")


_NAMED = re.compile(
    r"\b(?:[Ee]xercise|[Oo]peration|[Dd]rills?|[Ww]ar\s*games?)\s+(?:(?:dubbed|named|called|"
    r"code-?named)\s+)?[\"“‘']?(?P<name>[A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,3})[\"”’']?"
    r"(?:\s+(?P<year>(?:19|20)\d\d|\d\d)\b)?"
    r"|[\"“‘](?P<quoted>[A-Z][\w -]{2,40}?)(?:\s+(?P<qyear>(?:19|20)\d\d))?[\"”’]"
    r"\s+(?:exercises?|drills?|war\s*games?)"
)
_GENERIC = frozenset(
    """Joint Combined Bilateral Multilateral Trilateral Annual Naval Military Air Maritime Army
    The This A Large-scale Exercises Drills Command Commander Forces Force Navy Marine Marines
    Training Field Live Fire Amphibious Landing Special Coast Guard In On At""".split()
)
_EDITION = re.compile(r"^\s+(?:(?:19|20)\d\d|\d\d(?:-(?:19|20)\d\d)?|[IVX]+)\b")


def read_title(
    text: str,
    kind: str | None,
    programmes: Sequence[ProgrammeMention],
    nations: Sequence[str],
    names: dict[str, str],
    start: str | None,
) -> tuple[Proposed, Proposed]:
    """The draft's title and programme.

    Args:
        text: The passage.
        kind: Its kind (None: no engagement, and no title).
        programmes: Known programmes it names, in order.
        nations: The participants' keys, in order.
        names: Each nation's name, by key.
        start: The start as ISO text, if known (its year completes a programme's edition).
    """
    if kind is None:
        return Proposed(None), Proposed(None)
    year = start[:4] if start else None
    if programmes:
        first = programmes[0]
        edition = _EDITION.match(text, first.end)
        end = edition.end() if edition else first.end
        written = text[first.start : end]
        title = " ".join(written.split()) if edition else _with_year(first.name, year)
        evidence = _evidence(text, first.start, end, 0.9)
        return Proposed(title, evidence), Proposed(first.name, evidence)
    for match in _NAMED.finditer(text):
        name = match.group("name") or match.group("quoted")
        edition_year = match.group("year") or match.group("qyear")
        words = name.split()
        while words and words[-1] in _GENERIC:
            words.pop()
        if not words or words[0] in _GENERIC or " ".join(words) in names.values():
            continue
        series = " ".join(words)
        title = f"{series} {edition_year}" if edition_year else _with_year(series, year)
        evidence = _evidence(text, match.start(), match.end(), 0.75)
        return Proposed(title, evidence), Proposed(series if edition_year else None)
    return Proposed(_describe(kind, nations, names)), Proposed(None)


def _with_year(name: str, year: str | None) -> str:
    return f"{name} {year}" if year else name


def _describe(kind: str, nations: Sequence[str], names: dict[str, str]) -> str:
    label = kind.replace("_", " ")
    if not nations:
        return label.capitalize()
    if len(nations) > 3:
        return f"Multinational {label} ({len(nations)} nations)"
    return "–".join(names.get(n, n) for n in nations) + f" {label}"
