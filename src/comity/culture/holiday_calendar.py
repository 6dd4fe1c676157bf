"""Public holidays and observances per territory, from the ``holidays`` package.

The package knows national calendars, fixed and movable, religious ones included (Easter, the
Islamic and Hebrew feasts, Diwali, Lunar New Year...), and sorts some of them into categories.
comity reads every category a country has and ranks it:

- ``public`` -> a **national public holiday** (the most severe conflict);
- any other category (``optional``, ``government``, ``bank``, ``half_day``, ``armed_forces``,
  community calendars such as ``catholic`` or ``islamic``) -> an **observance**;
- ``school`` (school terms) and ``unofficial`` (days marked but not taken off, e.g. Valentine's
  Day in the United States) are left out; ``workday`` marks weekend days declared working days,
  which cancel a weekend conflict on that day.

Limits, said rather than hidden: the calendar is national (a state's or province's own holidays
are not included); Islamic dates of future years are the package's estimates (it says
"estimated" in the name where it does); Hebrew feasts begin at sundown the evening before the
date given; a year outside the package's span for the country, or a territory it has no calendar
for, has **no holiday data**, which is not the same as no holidays.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib.metadata import version

import holidays

__all__ = ["HOLIDAYS_SOURCE", "Holiday", "HolidayCalendar", "Severity", "load_holidays"]

_SKIPPED_CATEGORIES = frozenset({"school", "unofficial", "workday"})
_ENGLISH = ("en_US", "en_GB", "en")
HOLIDAYS_SOURCE = f"holidays {version('holidays')}"
"""The package and version the calendars come from."""


class Severity(StrEnum):
    """How much a day gets in the way of an engagement, most severe first."""

    PUBLIC_HOLIDAY = "public_holiday"
    OBSERVANCE = "observance"
    WEEKEND = "weekend"

    @property
    def rank(self) -> int:
        """3 for a national public holiday, 2 for an observance, 1 for a weekend day."""
        return {"public_holiday": 3, "observance": 2, "weekend": 1}[self.value]

    @property
    def label(self) -> str:
        """The severity in words."""
        return {
            "public_holiday": "national public holiday",
            "observance": "observance",
            "weekend": "weekend",
        }[self.value]


@dataclass(frozen=True)
class Holiday:
    """One holiday or observance on one day.

    Attributes:
        day: The date.
        name: Its name (in English where the package has it).
        severity: National public holiday or observance.
        category: The package's category, e.g. ``public``, ``optional``, ``government``.
    """

    day: date
    name: str
    severity: Severity
    category: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready mapping."""
        return {
            "date": self.day.isoformat(),
            "name": self.name,
            "severity": self.severity.value,
            "category": self.category,
        }


@dataclass(frozen=True)
class HolidayCalendar:
    """A territory's holidays over a span of dates, and whether the package covers the span.

    Attributes:
        territory: ISO alpha-2 code asked for (None when the nation has none).
        start: First day.
        end: Last day.
        holidays: Holidays and observances, by date then severity.
        working_days: Weekend days declared working days.
        covered: True when the package has a calendar for every day of the span.
        notices: What is missing, in words.
        source: The package and its version.
    """

    territory: str | None
    start: date
    end: date
    holidays: tuple[Holiday, ...] = ()
    working_days: frozenset[date] = frozenset()
    covered: bool = False
    notices: tuple[str, ...] = ()
    source: str = HOLIDAYS_SOURCE

    def on(self, day: date) -> list[Holiday]:
        """The holidays and observances of one day."""
        return [h for h in self.holidays if h.day == day]


def _language(entity: holidays.HolidayBase) -> str | None:
    supported = getattr(entity, "supported_languages", ()) or ()
    return next((code for code in _ENGLISH if code in supported), None)


def _entries(
    territory: str, years: list[int], category: str, language: str | None, gaps: list[str]
) -> Iterable[tuple[date, str]]:
    """The category's days and names; what the package warns it lacks is added to ``gaps``.

    (India's Hindu holidays, for one, are known only to 2035: asked for a later year, the
    package warns and leaves them out.)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calendar = holidays.country_holidays(
            territory, years=years, categories=(category,), language=language
        )
        found = sorted(calendar.items())
    gaps.extend(
        str(w.message) for w in caught if str(w.message) not in gaps and w.category is UserWarning
    )
    for day, names in found:
        for name in str(names).split("; "):
            yield day, name


def load_holidays(territory: str | None, start: date, end: date, label: str) -> HolidayCalendar:
    """The national holidays and observances of a territory between two dates.

    Args:
        territory: ISO alpha-2 code (None or unknown to the package -> no holiday data).
        start: First day.
        end: Last day.
        label: How to name the nation in notices, e.g. ``Kosovo (XKX)``.

    Returns:
        The calendar; ``covered`` is False, with a notice, where the package has no data.
    """
    supported = holidays.list_supported_countries(include_aliases=False)
    if not territory or territory.upper() not in supported:
        return HolidayCalendar(
            territory,
            start,
            end,
            notices=(f"No holiday data for {label}: the holidays package has no calendar for it.",),
        )
    code = territory.upper()
    probe = holidays.country_holidays(code)
    first, last = int(probe.start_year), int(probe.end_year)
    years = [y for y in range(start.year, end.year + 1) if first <= y <= last]
    notices = []
    if start.year < first:
        notices.append(f"No holiday data for {label} before {first}.")
    if end.year > last:
        notices.append(f"No holiday data for {label} after {last}.")
    if not years:
        return HolidayCalendar(code, start, end, notices=tuple(notices))
    language = _language(probe)
    gaps: list[str] = []
    found: dict[tuple[date, str], Holiday] = {}
    for category in sorted(probe.supported_categories, key=lambda c: (c != "public", c)):
        if category in _SKIPPED_CATEGORIES:
            continue
        severity = Severity.PUBLIC_HOLIDAY if category == "public" else Severity.OBSERVANCE
        for day, name in _entries(code, years, category, language, gaps):
            if start <= day <= end and (day, name) not in found:
                found[(day, name)] = Holiday(day, name, severity, category)
    working: frozenset[date] = frozenset()
    if "workday" in probe.supported_categories:
        working = frozenset(
            day
            for day, _ in _entries(code, years, "workday", language, gaps)
            if start <= day <= end
        )
    notices += [f"Some holidays of {label} are missing: {gap}" for gap in gaps]
    ordered = sorted(found.values(), key=lambda h: (h.day, -h.severity.rank, h.name))
    return HolidayCalendar(
        code, start, end, tuple(ordered), working, covered=not notices, notices=tuple(notices)
    )
