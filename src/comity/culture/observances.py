"""Religious and cultural seasons that span days (Ramadan, Lent, the Spring Festival...).

The ``holidays`` package gives single days (Eid al-Fitr, Easter Monday, Diwali, Yom Kippur); a
visit is also shaped by the seasons around them, which it does not give. Each season here is
computed by a maintained calendar library, never typed in as dates:

- **Ramadan**: the ninth month of the Umm al-Qura calendar (``hijridate``), Saudi Arabia's
  official Hijri calendar, 1343-1500 AH (1924-2077). Elsewhere the start follows the sighting of
  the moon and may differ by a day.
- **Lent** (Ash Wednesday to Holy Saturday) and **Great Lent** (Clean Monday to Holy Saturday):
  Western and Orthodox Easter from ``convertdate``.
- **High Holy Days** (Rosh Hashanah to Yom Kippur, 1-10 Tishrei): the Hebrew calendar of
  ``convertdate``; each day begins at sundown the evening before.
- **Spring Festival** (Lunar New Year's Eve to the Lantern Festival, the 15th day): the Chinese
  lunisolar calendar of ``lunardate``, 1900-2099.

Which seasons apply to a nation: a season applies when the nation's own national calendar in the
``holidays`` package (the categories a briefing reads) keeps its feast: a holiday within a day of
Eid al-Fitr (Ramadan), of Western or Orthodox Good Friday, Easter or Easter Monday (the two
Lents), of Rosh Hashanah or Yom Kippur (High Holy Days), or of Lunar New Year (Spring Festival),
in most of the five years around the window (years in which the two Easters fall together count
for neither Lent). comity has no data on nations' religious make-up, so a community that its
country's calendar does not mark is not covered; the briefing says which feast put each season
on the list.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version

import holidays
from convertdate import hebrew  # type: ignore[import-untyped]
from convertdate.holidays import easter  # type: ignore[import-untyped]
from hijridate import Gregorian, Hijri
from lunardate import LunarDate  # type: ignore[import-untyped]

from comity.culture.windows import DateWindow

__all__ = ["SEASONS", "Observance", "Season", "find_observances", "seasons_kept"]

# Categories the holidays package marks that are not days off (see holiday_calendar.py).
_SKIPPED_CATEGORIES = frozenset({"school", "unofficial", "workday"})
_YEARS_AROUND = 2
"""The feast is looked for in the window's year and this many years either side."""

Span = tuple[date, date]


@dataclass(frozen=True)
class Season:
    """A season that spans days, and the feast that tells whether a nation keeps it.

    Attributes:
        key: Short name in records (``ramadan``).
        name: Its name in English.
        feast: The feast a nation's calendar must keep, in words.
        meaning: What it means for a visit, in one sentence.
        source: The library and calendar its dates come from.
        spans: The season's first and last days that begin in a Gregorian year.
        feasts: The feast's days in a Gregorian year.
        rival: The key of a season whose feast can fall on the same day (the other Lent).
        names: Words of the feast's English name in the holidays package, lowercase.
        slack: How many days a nation's feast may lie from the library's (moon sighting).
    """

    key: str
    name: str
    feast: str
    meaning: str
    source: str
    spans: Callable[[int], list[Span]]
    feasts: Callable[[int], set[date]]
    names: tuple[str, ...] = ()
    rival: str | None = None
    slack: int = 0


def _library(name: str) -> str:
    return f"{name} {version(name)}"


def _ramadan(year: int) -> list[Span]:
    found = []
    for hijri_year in _hijri_years(year):
        first = Hijri(hijri_year, 9, 1)
        start = _gregorian(first)
        end = start + timedelta(days=first.month_length() - 1)
        if start.year == year:
            found.append((start, end))
    return found


def _eid_al_fitr(year: int) -> set[date]:
    days = (_gregorian(Hijri(h, 10, 1)) for h in _hijri_years(year))
    return {day for day in days if day.year == year}


def _gregorian(day: Hijri) -> date:
    # hijridate's Gregorian is a date subclass; a plain date compares and hashes as one.
    return date(*day.to_gregorian().datetuple())


def _hijri_years(year: int) -> list[int]:
    # A Gregorian year overlaps two or three Hijri years; out of the Umm al-Qura span, none.
    try:
        first = Gregorian(year, 1, 1).to_hijri().year
        last = Gregorian(year, 12, 31).to_hijri().year
    except OverflowError:
        return []
    return [h for h in range(first, last + 1) if 1343 <= h <= 1500]


def _easter(year: int, church: str) -> date:
    return date(*easter(year, church))


def _lent(church: str, before: int) -> Callable[[int], list[Span]]:
    def spans(year: int) -> list[Span]:
        sunday = _easter(year, church)
        return [(sunday - timedelta(days=before), sunday - timedelta(days=1))]

    return spans


def _easter_days(church: str) -> Callable[[int], set[date]]:
    def feasts(year: int) -> set[date]:
        sunday = _easter(year, church)
        return {sunday + timedelta(days=delta) for delta in (-2, 0, 1)}

    return feasts


def _tishrei(year: int, day: int) -> date:
    # Tishrei of Gregorian year y opens Hebrew year y + 3761.
    return date(*hebrew.to_gregorian(year + 3761, hebrew.TISHRI, day))


def _high_holy_days(year: int) -> list[Span]:
    return [(_tishrei(year, 1), _tishrei(year, 10))]


def _lunar_new_year(year: int) -> date | None:
    try:
        found: date = LunarDate(year, 1, 1).to_solar_date()
    except ValueError:  # lunardate knows 1900-2099 only
        return None
    return found


def _spring_festival(year: int) -> list[Span]:
    new_year = _lunar_new_year(year)
    if new_year is None:
        return []
    return [(new_year - timedelta(days=1), new_year + timedelta(days=14))]


_EASTER = ("easter", "good friday", "holy saturday")

SEASONS = (
    Season(
        "ramadan",
        "Ramadan",
        "Eid al-Fitr",
        "Muslims fast from dawn to sunset: expect shorter working hours and evening "
        "hospitality (iftar), and do not eat, drink or smoke in public by day.",
        f"Umm al-Qura calendar ({_library('hijridate')}); it begins at sunset the evening "
        "before, and where the moon is sighted locally it may start a day apart",
        _ramadan,
        _eid_al_fitr,
        names=("eid al-fitr", "ramadan"),
        slack=1,
    ),
    Season(
        "lent",
        "Lent",
        "Western Easter",
        "Observant Christians fast or give up some foods, meat on Fridays in particular; "
        "working life goes on until the holidays of Holy Week and Easter.",
        f"Western Easter computed by {_library('convertdate')}",
        _lent("western", 46),
        _easter_days("western"),
        names=_EASTER,
        rival="great_lent",
    ),
    Season(
        "great_lent",
        "Great Lent",
        "Orthodox Easter",
        "Observant Orthodox Christians keep a strict fast without meat or dairy: offer "
        "meatless dishes, and expect the holidays of Orthodox Easter at its end.",
        f"Orthodox Easter (Julian computus) by {_library('convertdate')}",
        _lent("orthodox", 48),
        _easter_days("orthodox"),
        names=_EASTER,
        rival="lent",
    ),
    Season(
        "high_holy_days",
        "High Holy Days (Rosh Hashanah to Yom Kippur)",
        "Rosh Hashanah or Yom Kippur",
        "Ten days from the Jewish New Year to the Yom Kippur fast, each feast beginning at "
        "sundown the evening before: do not plan meetings on either feast.",
        f"Hebrew calendar of {_library('convertdate')}",
        _high_holy_days,
        lambda year: {_tishrei(year, 1), _tishrei(year, 2), _tishrei(year, 10)},
        names=("rosh hashanah", "yom kippur"),
    ),
    Season(
        "spring_festival",
        "Spring Festival (Lunar New Year to the Lantern Festival)",
        "Lunar New Year",
        "The year's main holiday: offices close for several days around the New Year, "
        "travel is heavily booked and many officials take leave.",
        f"Chinese lunisolar calendar of {_library('lunardate')}",
        _spring_festival,
        lambda year: {d for d in [_lunar_new_year(year)] if d is not None},
        names=("lunar new year", "chinese new year", "korean new year", "spring festival"),
    ),
)
"""The seasons comity knows, in the order a briefing lists them when they start together."""


@dataclass(frozen=True)
class Observance:
    """A season that overlaps a briefing's window.

    Attributes:
        key: The season's key (``ramadan``).
        name: Its name.
        start: Its first day (which may be before the window).
        end: Its last day (which may be after the window).
        meaning: What it means for a visit.
        source: The library and calendar its dates come from.
        reason: Why it is listed for the nation.
    """

    key: str
    name: str
    start: date
    end: date
    meaning: str
    source: str
    reason: str

    @property
    def days(self) -> int:
        """How many days it lasts."""
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        """The season in words, e.g. ``Ramadan, 2027-02-08 to 2027-03-08 (29 days)``."""
        return f"{self.name}, {self.start} to {self.end} ({self.days} days)"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "key": self.key,
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "meaning": self.meaning,
            "source": self.source,
            "reason": self.reason,
        }


@lru_cache(maxsize=512)
def _national_days(code: str, years: tuple[int, ...]) -> dict[date, str]:
    probe = holidays.country_holidays(code)
    categories = tuple(c for c in probe.supported_categories if c not in _SKIPPED_CATEGORIES)
    supported = getattr(probe, "supported_languages", ()) or ()
    language = next((code for code in ("en_US", "en_GB", "en") if code in supported), None)
    with warnings.catch_warnings():
        # India's calendar warns that its Hindu feasts stop at 2035: the feasts looked for here
        # are read from what it has, and a year without them simply does not count.
        warnings.filterwarnings("ignore", message="Requested Holidays are available only")
        calendar = holidays.country_holidays(
            code, years=years, categories=categories, language=language
        )
        return {day: str(names).lower() for day, names in calendar.items()}


def _near(season: Season, day: date, days: dict[date, str]) -> bool:
    # The day alone is not enough: a fixed holiday (Golden Week, May Day) often falls near a
    # movable feast. The nation's holiday must also bear the feast's name.
    for delta in range(-season.slack, season.slack + 1):
        names = days.get(day + timedelta(days=delta), "")
        if any(word in names for word in season.names):
            return True
    return False


def _keeps(season: Season, code: str, years: list[int]) -> bool:
    days = _national_days(code, tuple(years))
    rival = next((s for s in SEASONS if s.key == season.rival), None)
    counted = kept = 0
    for year in years:
        feasts = season.feasts(year)
        if not feasts or (rival is not None and feasts & rival.feasts(year)):
            continue
        counted += 1
        kept += any(_near(season, day, days) for day in feasts)
    return kept >= 2 and 2 * kept > counted


def seasons_kept(territory: str | None, year: int) -> list[Season]:
    """The seasons whose feast the territory's national calendar keeps around ``year``.

    Args:
        territory: ISO alpha-2 code; None or unknown to the holidays package -> none.
        year: The year to look around (the feast is looked for two years either side).
    """
    supported = holidays.list_supported_countries(include_aliases=False)
    if not territory or territory.upper() not in supported:
        return []
    code = territory.upper()
    probe = holidays.country_holidays(code)
    first, last = int(probe.start_year), int(probe.end_year)
    years = [y for y in range(year - _YEARS_AROUND, year + _YEARS_AROUND + 1) if first <= y <= last]
    return [season for season in SEASONS if years and _keeps(season, code, years)]


def _overlapping(season: Season, window: DateWindow) -> Iterable[Span]:
    for year in range(window.start.year - 1, window.end.year + 1):
        for start, end in season.spans(year):
            if start <= window.end and end >= window.start:
                yield start, end


def find_observances(territory: str | None, window: DateWindow, label: str) -> list[Observance]:
    """The seasons the nation keeps that overlap the window, in any part, by first day.

    Args:
        territory: ISO alpha-2 code (None: no observances).
        window: The briefing's dates.
        label: How to name the nation in the reason, e.g. ``Saudi Arabia (SAU)``.

    Returns:
        Each overlapping season once per occurrence, with its full dates.
    """
    found = []
    for season in seasons_kept(territory, window.start.year):
        reason = (
            f"{label}'s national calendar (the holidays package) keeps {season.feast}."
            if season.key != "ramadan"
            else f"{label}'s national calendar (the holidays package) keeps Eid al-Fitr, "
            "which ends Ramadan."
        )
        for start, end in _overlapping(season, window):
            found.append(
                Observance(
                    season.key, season.name, start, end, season.meaning, season.source, reason
                )
            )
    return sorted(found, key=lambda o: (o.start, o.end))
