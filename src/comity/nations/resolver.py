"""One resolver for every nation name and code comity meets.

``resolve("South Korea")``, ``resolve("ROK")``, ``resolve("732", system="cow")`` and
``resolve("Republic of Korea")`` all give KOR. Names are resolved with the year in mind: with
``year=1985``, "Russia" is the Soviet Union and "Serbia" is Yugoslavia; numeric codes of the
Correlates of War and Gleditsch-Ward systems change meaning over time and are read for the year
given (the meaning on 1 July of that year; without a year, the latest meaning).

Order of attempts for text with no code system named: an ISO alpha-3 key, an ISO alpha-2 code, a
CoW abbreviation, an exact name or alias (case, accents and punctuation ignored), then
country_converter's regular expressions. A bare number is refused unless its system is named,
because the systems collide (840 is the United States in ISO and the Philippines in CoW).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from comity.errors import NationCandidate, UnknownNationError, UnknownNationReason
from comity.model.nations import CodeSystem, Nation, NationCode
from comity.model.numbers import is_whole
from comity.nations.reference import Reference, load_reference

__all__ = ["NationResolver", "default_resolver", "normalise_name"]

_SUGGEST_AT = 80
"""The least WRatio score (0-100) of the closest nation for any suggestion to be made."""

_SPACE = re.compile(r"[\s\-_/,.;:()'\"’`]+")


def normalise_name(text: str) -> str:
    """Fold a name for exact matching: no accents, case, punctuation or leading "the"."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = folded.replace("&", " and ")
    folded = _SPACE.sub(" ", folded).strip()
    return folded.removeprefix("the ")


class NationResolver:
    """Turn names and codes into nations.

    Args:
        reference: The registry to resolve against (the bundled one by default).
        extra_aliases: More spellings, each mapped to a nation key (e.g. from an import's
            mapping file); they take precedence over the built-in names.
    """

    def __init__(
        self, reference: Reference | None = None, extra_aliases: Mapping[str, str] | None = None
    ) -> None:
        self._reference = reference or load_reference()
        self.nations: dict[str, Nation] = self._reference.nations
        self._codes: dict[tuple[CodeSystem, str], list[NationCode]] = defaultdict(list)
        for code in self._reference.codes:
            self._codes[(code.system, code.code.upper())].append(code)
        self._by_iso2 = {n.iso2: n.iso3 for n in self.nations.values() if n.iso2}
        self._by_numeric = {
            n.iso_numeric: n.iso3 for n in self.nations.values() if n.iso_numeric is not None
        }
        self._names: dict[str, str] = {}
        for iso3, spellings in self._reference.names.items():
            for spelling in spellings:
                self._names.setdefault(normalise_name(spelling), iso3)
        for alias, iso3 in self._reference.aliases:
            self._names[normalise_name(alias)] = iso3
        self._choices = {
            (spelling, iso3): normalise_name(spelling)
            for iso3, spellings in self._reference.names.items()
            for spelling in spellings
        }
        for alias, iso3 in (extra_aliases or {}).items():
            if iso3 not in self.nations:
                raise UnknownNationError(iso3, self.candidates(iso3))
            self._names[normalise_name(alias)] = iso3
        self._cached = lru_cache(maxsize=65_536)(self._resolve_key)

    def get(self, iso3: str) -> Nation | None:
        """Return the nation with this key, or None."""
        return self.nations.get(iso3)

    def resolve(
        self, value: str | int, *, system: CodeSystem | str | None = None, year: int | None = None
    ) -> Nation:
        """Resolve a name or code to a nation.

        Args:
            value: A name, or a code of ``system``.
            system: The code system of ``value``; None to guess from its form.
            year: The year the value refers to, for names and codes whose meaning changed.

        Returns:
            The nation.

        Raises:
            UnknownNationError: When nothing matches, listing the closest names.
        """
        chosen = CodeSystem(system) if system is not None else None
        return self.nations[self._cached(str(value).strip(), chosen, year)]

    def resolve_key(
        self, value: str | int, *, system: CodeSystem | str | None = None, year: int | None = None
    ) -> str:
        """Like :meth:`resolve`, returning the nation's key."""
        chosen = CodeSystem(system) if system is not None else None
        return self._cached(str(value).strip(), chosen, year)

    def search(self, text: str, limit: int = 10) -> list[Nation]:
        """Nations whose names or codes contain ``text``, best match first."""
        needle = normalise_name(text)
        if not needle:
            return []
        hits = [
            n
            for n in self.nations.values()
            if needle in normalise_name(n.name)
            or needle in normalise_name(n.official_name or "")
            or needle == n.iso3.casefold()
            or needle == (n.iso2 or "").casefold()
        ]
        if hits:
            hits.sort(key=lambda n: (n.historical, not normalise_name(n.name).startswith(needle)))
            return hits[:limit]
        found = process.extract(needle, self._choices, scorer=fuzz.WRatio, limit=limit * 4)
        keys = dict.fromkeys(key for _, _, (_, key) in found)
        return [self.nations[key] for key in list(keys)[:limit]]

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """The closest known nations to ``text``, as ``Name (KEY)``, best first."""
        return [c.label for c in self.candidates(text, limit)]

    def candidates(self, text: str, limit: int = 3) -> list[NationCandidate]:
        """The closest known nations to ``text``, best first, labelled ``Name (KEY)``."""
        found = process.extract(
            normalise_name(text),
            self._choices,
            scorer=fuzz.WRatio,
            limit=limit * 4,
            score_cutoff=70,
        )
        # A suggestion is offered only when the best one is close ("Germny": Germany, 92);
        # a name that merely shares letters ("Wakanda": Rwanda, 77) gets none.
        if not found or found[0][1] < _SUGGEST_AT:
            return []
        keys = list(dict.fromkeys(key for _, _, (_, key) in found))
        return [self._candidate(key) for key in keys[:limit]]

    def _candidate(self, key: str, reading: str = "") -> NationCandidate:
        return NationCandidate(key, f"{reading}{self.nations[key].name} ({key})")

    def _resolve_key(self, text: str, system: CodeSystem | None, year: int | None) -> str:
        if not text:
            raise UnknownNationError(text, system=system.value if system else None)
        if system is not None:
            return self._by_system(text, system, year)
        if is_whole(text):
            raise self._ambiguous_number(text, year)
        upper = text.upper()
        if len(text) == 3 and text.isalpha():
            if upper in self.nations:
                return self._redirect(upper, year)
            if (CodeSystem.COW_ABBREV, upper) in self._codes:
                return self._pick(self._codes[(CodeSystem.COW_ABBREV, upper)], year)
        if len(text) == 2 and upper in self._by_iso2:
            return self._redirect(self._by_iso2[upper], year)
        return self._by_name(text, year)

    def _by_system(self, text: str, system: CodeSystem, year: int | None) -> str:
        upper = text.upper()
        if system is CodeSystem.ISO3 and upper in self.nations:
            return self._redirect(upper, year)
        if system is CodeSystem.ISO2 and upper in self._by_iso2:
            return self._redirect(self._by_iso2[upper], year)
        if system is CodeSystem.ISO_NUMERIC and is_whole(text):
            key = self._by_numeric.get(int(text))
            if key is not None:
                return self._redirect(key, year)
        if system in (CodeSystem.COW, CodeSystem.GW) and _is_number(text):
            upper = str(int(float(text)))
        if system is CodeSystem.NAME:
            return self._by_name(text, year)
        rows = self._codes.get((system, upper))
        if rows:
            return self._pick(rows, year)
        candidates = self.candidates(text) if not is_whole(text) else []
        raise UnknownNationError(text, candidates, system=system.value)

    def _by_name(self, text: str, year: int | None) -> str:
        key = self._names.get(normalise_name(text))
        if key is None:
            matches = {iso3 for iso3, pattern in self._reference.patterns if pattern.search(text)}
            if len(matches) == 1:
                key = matches.pop()
            elif len(matches) > 1:
                readings = [self._candidate(k) for k in sorted(matches)]
                raise UnknownNationError(text, readings, reason=UnknownNationReason.AMBIGUOUS_NAME)
        if key is None:
            raise UnknownNationError(text, self.candidates(text))
        return self._redirect(key, year)

    def _redirect(self, key: str, year: int | None) -> str:
        rows = self._codes.get((CodeSystem.ISO3, key))
        if not rows or year is None:
            return key
        valid = [row for row in rows if row.valid_in(year)]
        if not valid:
            return key
        return self._pick(valid, year)

    def _pick(self, rows: list[NationCode], year: int | None) -> str:
        if len({row.nation for row in rows}) == 1:
            return rows[0].nation
        if year is None:
            return max(rows, key=lambda r: r.valid_to or date.max).nation
        midyear = date(year, 7, 1)
        on_day = [row for row in rows if row.valid_on(midyear)]
        if on_day:
            return on_day[0].nation
        in_year = [row for row in rows if row.valid_in(year)]
        if in_year:
            return in_year[0].nation
        # Outside every span: the nearest one in time.
        return min(rows, key=lambda r: _distance(r, midyear)).nation

    def _ambiguous_number(self, text: str, year: int | None) -> UnknownNationError:
        readings = []
        for system in (CodeSystem.ISO_NUMERIC, CodeSystem.COW, CodeSystem.GW):
            try:
                key = self._by_system(text, system, year)
            except UnknownNationError:
                continue
            readings.append(self._candidate(key, f"{system.value} {text} = "))
        return UnknownNationError(text, readings, reason=UnknownNationReason.BARE_NUMBER)

    def codes_of(self, iso3: str, system: CodeSystem) -> Iterable[NationCode]:
        """Every code of ``system`` that stands for the nation ``iso3``, with its dates."""
        return [
            c
            for rows in self._codes.values()
            for c in rows
            if c.nation == iso3 and c.system is system
        ]


def _is_number(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return number.is_integer()


def _distance(row: NationCode, day: date) -> int:
    if row.valid_from is not None and day < row.valid_from:
        return (row.valid_from - day).days
    if row.valid_to is not None and day > row.valid_to:
        return (day - row.valid_to).days
    return 0


@lru_cache(maxsize=1)
def default_resolver() -> NationResolver:
    """The resolver over the bundled reference registry (built once per process)."""
    return NationResolver()
