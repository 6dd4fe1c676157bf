"""Nations, places and programmes named in a passage, with their character spans.

Three word lists, each reviewable as data:

- **nations**: every name and alias comity's resolver knows (:mod:`comity.nations`), extended with
  the words news uses for a nation (``news_terms.tsv``: demonyms such as "Filipino", forces such as
  "JMSDF" or "the PLA", ship prefixes such as "USS", territories read as the state they belong to,
  such as Guam). A row of ``news_terms.tsv`` with no ``iso3`` names no nation but hides the shorter
  term inside it ("South China Sea" is no mention of China). A row with years is read only in
  those years ("Soviet" to 1991; "Czech" is Czechoslovakia to 1992), and every key is then read
  for the year as the resolver reads it (RUS is the Soviet Union in 1985);
- **places**: ports, bases, capitals, schools and missions, each in one nation, and seas and
  straits, in none (``places.tsv``);
- **news agencies** and outlets, with the nation each belongs to (``news_agencies.tsv``): their
  names hide the nation words inside them ("Philippine News Agency" is no mention of the
  Philippines), and the passage's reader sets their nations aside ("China's Xinhua");
- **programmes**: recurring exercises and missions (``programmes.tsv``: "Cobra Gold", "RIMPAC").

A ship prefix (a row whose note begins "ship prefix": USS, HMAS, BRP...) names its nation, and
the capitalised words after it name a ship: "USS Georgia" is no mention of Georgia, and
"HMAS Canberra" no mention of the city.

Matching is longest first and word-bounded. A term is matched as written (so "US" is the United
States and "us" is not) or in capitals (a headline's "JAPAN"); a term ending in a small letter
may take a plural ``s`` ("Filipinos"). Names that are also given names ("Jordan", "Chad") are
skipped when a surname follows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from comity.errors import UnknownNationError
from comity.nations import NationResolver, default_resolver

__all__ = [
    "AgencyMention",
    "NationFinder",
    "NationMention",
    "NewsTerm",
    "PlaceMention",
    "ProgrammeMention",
    "default_finder",
    "find_nations",
    "find_places",
    "load_agencies",
    "load_news_terms",
    "load_places",
    "load_programmes",
]


@dataclass(frozen=True)
class NewsTerm:
    """A row of ``news_terms.tsv``: a word news uses for a nation.

    Attributes:
        term: The word or phrase, as written in news ("Filipino", "JMSDF", "U.S. Marines").
        iso3: The nation it names, or None for a phrase that names none ("South China Sea").
        from_year: The first year it names that nation, if limited.
        to_year: The last year it names that nation, if limited.
        note: What it is (demonym, service, ship prefix, territory...).
    """

    term: str
    iso3: str | None
    from_year: int | None
    to_year: int | None
    note: str

    def reads_in(self, year: int | None) -> bool:
        """Whether the term names its nation in ``year`` (any year when None)."""
        if year is None:
            return True
        return (self.from_year is None or year >= self.from_year) and (
            self.to_year is None or year <= self.to_year
        )


@dataclass(frozen=True)
class NationMention:
    """A nation named in a passage.

    Attributes:
        start: Offset of the mention's first character.
        end: Offset just past its last character.
        text: The words as written.
        iso3: The nation's key, read for the passage's year.
        news_term: Whether the words come from ``news_terms.tsv`` (a demonym, a force...) rather
            than the registry's names.
    """

    start: int
    end: int
    text: str
    iso3: str
    news_term: bool = False


@dataclass(frozen=True)
class PlaceMention:
    """A known place named in a passage: a port, a base, a capital, a school, a mission, a sea.

    Attributes:
        start: Offset of the name's first character.
        end: Offset just past its last character.
        text: The name as written.
        iso3: The nation it lies in, read for the passage's year; None for a sea or strait.
        note: What it is (``port``, ``school``, ``sea``...).
    """

    start: int
    end: int
    text: str
    iso3: str | None
    note: str


@dataclass(frozen=True)
class AgencyMention:
    """A news agency or outlet named in a passage, and the nation it belongs to."""

    start: int
    end: int
    text: str
    iso3: str


@dataclass(frozen=True)
class ProgrammeMention:
    """A recurring programme named in a passage, with the kind of engagement it runs."""

    start: int
    end: int
    text: str
    name: str
    kind: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("comity.extract").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@lru_cache(maxsize=1)
def load_news_terms() -> tuple[NewsTerm, ...]:
    """The rows of ``news_terms.tsv``."""
    return tuple(
        NewsTerm(
            term=row["term"],
            iso3=row["iso3"] or None,
            from_year=_year(row["from_year"]),
            to_year=_year(row["to_year"]),
            note=row["note"],
        )
        for row in _rows("news_terms.tsv")
    )


@lru_cache(maxsize=1)
def load_places() -> tuple[tuple[str, str, str], ...]:
    """The rows of ``places.tsv``: (place, iso3, note)."""
    return tuple((row["place"], row["iso3"], row["note"]) for row in _rows("places.tsv"))


@lru_cache(maxsize=1)
def load_agencies() -> tuple[tuple[str, str, str], ...]:
    """The rows of ``news_agencies.tsv``: (name, iso3, note)."""
    return tuple((row["name"], row["iso3"], row["note"]) for row in _rows("news_agencies.tsv"))


@lru_cache(maxsize=1)
def load_programmes() -> tuple[tuple[str, str, str], ...]:
    """The rows of ``programmes.tsv``: (name, kind, note)."""
    return tuple((row["name"], row["kind"], row["note"]) for row in _rows("programmes.tsv"))


_GIVEN_NAMES = frozenset({"Jordan", "Chad", "Georgia"})
"""Nation names that are also given names: "Capt. Chad Miller" names no nation."""
_SURNAME = re.compile(r"\s+[A-Z][a-z]+")
_NOT_A_SURNAME = frozenset(
    {"Armed", "Army", "Navy", "Air", "Forces", "Defense", "Defence", "Coast", "Royal", "Special"}
    | {"National", "Border", "Ministry", "Marines", "Guard", "Valley", "River", "And"}
)
_WORD = r"[^\W_]"
_SHIP_NAME = re.compile(r"\s+([A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|of|de|del)){0,3})")
"""A ship's name after its prefix: up to four capitalised words ("Ronald Reagan")."""


def _pattern(term: str) -> str:
    """A term as a regular expression: spaces match any blank, apostrophes either form."""
    words = [re.escape(word) for word in term.split()]
    body = r"\s+".join(words).replace("'", "['’]")
    # A plural or a possessive "s" after a word ending in a small letter ("Filipinos").
    plural = "s?" if term[-1].islower() and not term.endswith(("s", "sh", "ch", "ese")) else ""
    return body + plural


class _TermIndex:
    """Find the longest known term at each place of a text, word-bounded and case-aware."""

    def __init__(self, terms: Iterable[str]) -> None:
        spellings: dict[str, str] = {}
        for term in terms:
            spellings.setdefault(term, term)
            if any(c.islower() for c in term):
                spellings.setdefault(term.upper(), term)
        self._canonical = spellings
        ordered = sorted(spellings, key=lambda t: (-len(t), t))
        alternatives = "|".join(_pattern(t) for t in ordered)
        self._regex = re.compile(rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})")
        self._folded = {self._fold(spelling): term for spelling, term in spellings.items()}

    @staticmethod
    def _fold(text: str) -> str:
        return " ".join(text.replace("’", "'").split())

    def matches(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, text as written, the term it matched), left to right."""
        found = []
        for match in self._regex.finditer(text):
            written = match.group(0)
            folded = self._fold(written)
            term = self._folded.get(folded) or self._folded.get(folded[:-1])
            if term is not None:
                found.append((match.start(), match.end(), written, term))
        return found


class NationFinder:
    """Find nations, places and programmes in text.

    Args:
        resolver: Reads keys for a year (the bundled resolver by default).
        news_terms: The words news uses for nations (``news_terms.tsv`` by default).
        places: (place, iso3, note) rows (``places.tsv`` by default).
        programmes: (name, kind, note) rows (``programmes.tsv`` by default).
    """

    def __init__(
        self,
        resolver: NationResolver | None = None,
        news_terms: Sequence[NewsTerm] | None = None,
        places: Sequence[tuple[str, str, str]] | None = None,
        programmes: Sequence[tuple[str, str, str]] | None = None,
    ) -> None:
        self._resolver = resolver or default_resolver()
        self._readings: dict[str, list[NewsTerm]] = {}
        for name, iso3 in _registry_names(self._resolver):
            self._readings[name] = [NewsTerm(name, iso3, None, None, "name")]
        news = load_news_terms() if news_terms is None else news_terms
        agencies = load_agencies()
        self._agencies = {name: iso3 for name, iso3, _ in agencies}
        self._agency_index = _TermIndex(self._agencies)
        blocks = [NewsTerm(name, None, None, None, "news agency") for name in self._agencies]
        overridden: set[str] = set()
        for row in [*blocks, *news]:
            if row.term not in overridden:
                self._readings[row.term] = []
                overridden.add(row.term)
            self._readings[row.term].append(row)
        self._news = overridden
        self._ship_prefixes = {row.term for row in news if row.note.startswith("ship prefix")}
        self._nations = _TermIndex(self._readings)
        rows = load_places() if places is None else places
        self._places = {place: (iso3, note) for place, iso3, note in rows}
        self._place_index = _TermIndex(self._places)
        kinds = load_programmes() if programmes is None else programmes
        self._programmes = {name: kind for name, kind, _ in kinds}
        self._programme_index = _TermIndex(self._programmes)

    def key_for(self, iso3: str, year: int | None) -> str:
        """A nation's key as the resolver reads it in ``year`` (RUS in 1985 is SUN)."""
        if year is None:
            return iso3
        try:
            return self._resolver.resolve_key(iso3, system="iso3", year=year)
        except UnknownNationError:
            return iso3

    def name_of(self, iso3: str) -> str:
        """A nation's common name ("Philippines"), or its key when unknown."""
        nation = self._resolver.get(iso3)
        return nation.name if nation is not None else iso3

    def exists_in(self, iso3: str, year: int) -> bool:
        """Whether the nation was a state in ``year`` (territories and unknown keys: yes)."""
        nation = self._resolver.get(iso3)
        return nation is None or nation.exists_in(year)

    def nations(self, text: str, year: int | None = None) -> list[NationMention]:
        """Every nation named in ``text``, left to right, read for ``year``."""
        return self._nations_and_ships(text, year)[0]

    def ships(self, text: str) -> list[tuple[int, int]]:
        """The spans of ships' names after a ship prefix ("Georgia" in "USS Georgia")."""
        return self._nations_and_ships(text, None)[1]

    def _nations_and_ships(
        self, text: str, year: int | None
    ) -> tuple[list[NationMention], list[tuple[int, int]]]:
        found: list[NationMention] = []
        ships: list[tuple[int, int]] = []
        for start, end, written, term in self._nations.matches(text):
            if ships and start < ships[-1][1]:
                continue
            if term in self._ship_prefixes:
                name = _SHIP_NAME.match(text, end)
                if name is not None:
                    ships.append((name.start(1), name.end(1)))
            reading = _reading(self._readings[term], year)
            if reading is None or reading.iso3 is None:
                continue
            if term in _GIVEN_NAMES and _followed_by_surname(text, end):
                continue
            iso3 = self.key_for(reading.iso3, year)
            found.append(NationMention(start, end, written, iso3, term in self._news))
        return found, ships

    def places(self, text: str, year: int | None = None) -> list[PlaceMention]:
        """Every known place named in ``text``, left to right, with its nation for ``year``."""
        ships = self.ships(text)
        found = []
        for start, end, written, term in self._place_index.matches(text):
            if any(first <= start < last for first, last in ships):
                continue
            iso3, note = self._places[term]
            key = self.key_for(iso3, year) if iso3 else None
            found.append(PlaceMention(start, end, written, key, note))
        return found

    def agencies(self, text: str) -> list[AgencyMention]:
        """Every news agency or outlet named in ``text``, left to right."""
        return [
            AgencyMention(start, end, written, self._agencies[term])
            for start, end, written, term in self._agency_index.matches(text)
        ]

    def programmes(self, text: str) -> list[ProgrammeMention]:
        """Every known programme named in ``text``, left to right."""
        return [
            ProgrammeMention(start, end, written, term, self._programmes[term])
            for start, end, written, term in self._programme_index.matches(text)
        ]

    def known_keys(self) -> set[str]:
        """Every key the resolver knows."""
        return set(self._resolver.nations)


def _reading(rows: list[NewsTerm], year: int | None) -> NewsTerm | None:
    """The row of a term that holds in ``year``; without a year, the latest one."""
    if year is None:
        return max(rows, key=lambda r: r.to_year if r.to_year is not None else 10_000)
    for row in rows:
        if row.reads_in(year):
            return row
    return None


def _followed_by_surname(text: str, end: int) -> bool:
    match = _SURNAME.match(text, end)
    return match is not None and match.group(0).strip() not in _NOT_A_SURNAME


_CODE = re.compile(r"^[A-Z]{2,3}$")


def _registry_names(resolver: NationResolver) -> Iterable[tuple[str, str]]:
    """Names as prose writes them: the registry's names and aliases, without its codes.

    Inverted forms ("Korea, Republic of") and parenthesised ones are left out: prose never
    writes them. Aliases (US, ROK, DPRK...) are kept: news writes them.
    """
    from comity.nations import load_reference

    reference = load_reference()
    names: dict[str, str] = {}
    for iso3, spellings in reference.names.items():
        if iso3 not in resolver.nations:
            continue
        for spelling in spellings:
            if "," in spelling or "(" in spelling or _CODE.match(spelling):
                continue
            names.setdefault(spelling.removeprefix("the "), iso3)
    for alias, iso3 in reference.aliases:
        names[alias] = iso3
    return names.items()


@lru_cache(maxsize=1)
def default_finder() -> NationFinder:
    """The finder over the bundled resolver and word lists (built once per process)."""
    return NationFinder()


def find_nations(text: str, year: int | None = None) -> list[NationMention]:
    """Every nation named in ``text``, left to right, read for ``year``.

    Args:
        text: The passage.
        year: The passage's year (its publication year), for names whose meaning changed.

    Example:
        >>> [m.iso3 for m in find_nations("Filipino and U.S. Marines trained with the JGSDF")]
        ['PHL', 'USA', 'JPN']
    """
    return default_finder().nations(text, year)


def find_places(text: str, year: int | None = None) -> list[PlaceMention]:
    """Every known place named in ``text``, left to right, with the nation it lies in."""
    return default_finder().places(text, year)
