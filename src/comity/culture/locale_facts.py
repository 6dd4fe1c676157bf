"""Languages, the country's own names and time zones of a territory, from CLDR (via babel).

Languages come from CLDR's territory data: each language's share of the population that speaks it
(first or second language, CLDR's estimate) and its status (official, de facto official, official
in a region). A briefing lists the official ones and any spoken by at least
:data:`WIDELY_SPOKEN_SHARE` percent. English names of languages CLDR does not name come from
ISO 639-3 (pycountry). Time zones are CLDR's zones of the territory, checked against the IANA
database of the standard library's ``zoneinfo``; offsets are worked out for the dates asked, so
daylight saving shows. Nothing here is invented: a territory CLDR does not know (e.g. a former
state's withdrawn code) gets empty lists, which the briefing reports as missing.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import pycountry
from babel.core import Locale, UnknownLocaleError, get_global

__all__ = [
    "WIDELY_SPOKEN_SHARE",
    "Language",
    "NativeName",
    "TimeZone",
    "native_names",
    "territory_languages",
    "time_zones",
]

WIDELY_SPOKEN_SHARE = 5.0
"""Percent of the population from which a language without official status is listed."""

_STATUS = {
    "official": "official",
    "de_facto_official": "de facto official",
    "official_regional": "official in a region",
}
_NATIONAL = ("official", "de_facto_official")
_MAX_LANGUAGES = 12


@dataclass(frozen=True)
class Language:
    """A language of a territory.

    Attributes:
        code: CLDR code, e.g. ``ar``, ``sr_Latn``.
        name: English name, e.g. ``Arabic``.
        autonym: The language's name for itself, when CLDR has it.
        share: Percent of the population that speaks it (CLDR estimate), when known.
        status: ``official``, ``de facto official``, ``official in a region`` or None.
    """

    code: str
    name: str
    autonym: str | None
    share: float | None
    status: str | None

    @property
    def national(self) -> bool:
        """True for an official or de facto official language of the whole country."""
        return self.status in ("official", "de facto official")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "code": self.code,
            "name": self.name,
            "autonym": self.autonym,
            "share": self.share,
            "status": self.status,
        }


@lru_cache(maxsize=256)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None


def _english_name(code: str) -> str:
    english = Locale("en").languages
    if code in english:
        return str(english[code])
    locale = _locale(code)
    if locale is not None and locale.language in english:
        return str(locale.get_display_name("en"))
    # CLDR's English names lack some regional languages (e.g. apc, Levantine Arabic); ISO 639-3
    # (pycountry) has them.
    base = code.split("_")[0]
    found = pycountry.languages.get(alpha_3=base) if len(base) == 3 else None
    return str(found.name) if found is not None else code


def territory_languages(territory: str | None) -> list[Language]:
    """The official and widely spoken languages of a territory (ISO alpha-2), largest share first.

    Official and de facto official languages are always listed; others from
    :data:`WIDELY_SPOKEN_SHARE` percent; at most twelve.
    """
    if not territory:
        return []
    data: dict[str, dict[str, Any]] = get_global("territory_languages").get(territory.upper(), {})
    found = []
    for code, info in data.items():
        share = info.get("population_percent")
        status = info.get("official_status")
        if status not in _NATIONAL and (share is None or share < WIDELY_SPOKEN_SHARE):
            continue
        locale = _locale(code)
        autonym = locale.get_display_name(locale) if locale is not None else None
        found.append(
            Language(
                code=code,
                name=_english_name(code),
                autonym=str(autonym) if autonym else None,
                share=float(share) if share is not None else None,
                status=_STATUS.get(status) if status else None,
            )
        )
    found.sort(key=lambda lang: (not lang.national, -(lang.share or 0.0), lang.code))
    return found[:_MAX_LANGUAGES]


@dataclass(frozen=True)
class NativeName:
    """The country's name in one of its own languages.

    Attributes:
        language: The language's English name.
        code: The language's CLDR code.
        name: The country's name in that language.
    """

    language: str
    code: str
    name: str


def native_names(territory: str | None, languages: list[Language]) -> list[NativeName]:
    """The territory's name in each of its national languages (the first language when none is).

    Only names CLDR has are given; two languages giving the same name are listed once.
    """
    if not territory:
        return []
    chosen = [lang for lang in languages if lang.national] or languages[:1]
    found: list[NativeName] = []
    for language in chosen:
        locale = _locale(language.code)
        name = locale.territories.get(territory.upper()) if locale is not None else None
        if name and all(n.name != name for n in found):
            found.append(NativeName(language.name, language.code, str(name)))
    return found


@dataclass(frozen=True)
class TimeZone:
    """A time zone of a territory with its offsets from UTC over the dates asked.

    Attributes:
        name: IANA name, e.g. ``Asia/Riyadh``.
        offsets: Distinct UTC offsets over the dates, in order, e.g. ``("+03:00",)``.
    """

    name: str
    offsets: tuple[str, ...]

    def describe(self) -> str:
        """``Asia/Riyadh (UTC+03:00)``; ``Europe/Paris (UTC+01:00, +02:00)`` across a change."""
        return f"{self.name} (UTC{', '.join(self.offsets)})"


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def time_zones(territory: str | None, start: date, end: date) -> list[TimeZone]:
    """CLDR's time zones of a territory with their UTC offsets between two dates, by name.

    Zones the standard library's IANA database does not know are left out.
    """
    if not territory:
        return []
    names = get_global("territory_zones").get(territory.upper(), [])
    known = zoneinfo.available_timezones()
    found = []
    for name in sorted(n for n in names if n in known):
        zone = zoneinfo.ZoneInfo(name)
        offsets: list[str] = []
        day = start
        while day <= end:
            moment = datetime.combine(day, time(12), tzinfo=UTC).astimezone(zone)
            text = _offset(moment.utcoffset())
            if text not in offsets:
                offsets.append(text)
            day += timedelta(days=1)
        found.append(TimeZone(name, tuple(offsets)))
    return found
