"""Weekend days per territory: CLDR's week data (via babel), with a small documented correction.

CLDR gives each territory's weekend as a start and end day (e.g. Friday-Saturday for SA and IL,
Saturday-Sunday for FR and, since 2022, AE; Friday alone for IR; Sunday alone for IN), and only
the weekend in force now. Two limits are corrected by ``weekend_corrections.tsv``, one row per
rule with its source and the date it was recorded:

- a split weekend cannot be written as a range (Brunei rests Friday and Sunday);
- past weekends: a calendar check of an old engagement needs the weekend then (the UAE moved from
  Thursday-Friday to Friday-Saturday in 2006 and to Saturday-Sunday in 2022; Saudi Arabia from
  Thursday-Friday to Friday-Saturday in 2013).

A correction row applies to the days between its ``valid_from`` and ``valid_to`` (either open);
outside every row, CLDR's current weekend applies. A territory babel has no locale for (e.g. a
former state's withdrawn code) has no weekend data: None, never a guessed Saturday-Sunday.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from babel import __version__ as _babel_version
from babel.core import Locale, get_global
from babel.localedata import locale_identifiers

__all__ = ["DAY_NAMES", "Weekend", "cldr_weekend", "weekend_of", "weekends_between"]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Weekday names by ``date.weekday()`` (0 is Monday)."""

_ABBREVIATIONS = {name[:3].lower(): index for index, name in enumerate(DAY_NAMES)}


@dataclass(frozen=True)
class Weekend:
    """The weekly rest days of a territory over a span of dates.

    Attributes:
        days: Weekday numbers (0 is Monday), in the order the weekend runs.
        source: Where the rule comes from: CLDR's version or the correction's source.
        valid_from: First day the rule applies, None when open.
        valid_to: Last day the rule applies, None when open.
        corrected: True when the rule comes from the correction table, not CLDR.
    """

    days: tuple[int, ...]
    source: str
    valid_from: date | None = None
    valid_to: date | None = None
    corrected: bool = False

    @property
    def names(self) -> list[str]:
        """The days' names, e.g. ``["Friday", "Saturday"]``."""
        return [DAY_NAMES[d] for d in self.days]

    def describe(self) -> str:
        """The days in words: ``Friday and Saturday``, ``Friday alone``."""
        names = self.names
        if len(names) == 1:
            return f"{names[0]} alone"
        return ", ".join(names[:-1]) + " and " + names[-1]

    def covers(self, day: date) -> bool:
        """True when the rule applies on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@lru_cache(maxsize=1)
def _locales_by_territory() -> dict[str, str]:
    found: dict[str, str] = {}
    for identifier in sorted(locale_identifiers()):
        territory = identifier.rsplit("_", 1)[-1]
        if "_" in identifier and len(territory) == 2 and territory.isupper():
            found.setdefault(territory, identifier)
    return found


@lru_cache(maxsize=512)
def cldr_weekend(territory: str) -> Weekend | None:
    """CLDR's current weekend of a territory (ISO alpha-2), or None when CLDR has no locale for it.

    The week data of every locale of a territory is the territory's, so any one of them answers.
    """
    identifier = _locales_by_territory().get(territory.upper())
    if identifier is None:
        return None
    locale = Locale.parse(identifier)
    start, end = locale.weekend_start, locale.weekend_end
    days = [start]
    while days[-1] != end:
        days.append((days[-1] + 1) % 7)
    version = get_global("cldr").get("version", "?")
    return Weekend(tuple(days), f"CLDR {version} (babel {_babel_version})")


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


@lru_cache(maxsize=1)
def _corrections() -> dict[str, tuple[Weekend, ...]]:
    text = resources.files("comity.culture").joinpath("weekend_corrections.tsv").read_text("utf-8")
    found: dict[str, list[Weekend]] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        days = tuple(_ABBREVIATIONS[d.strip().lower()] for d in row["days"].split(","))
        rule = Weekend(
            days,
            f"comity correction recorded {row['recorded']}: {row['source']}",
            _day(row["valid_from"]),
            _day(row["valid_to"]),
            corrected=True,
        )
        found.setdefault(row["territory"].upper(), []).append(rule)
    return {territory: tuple(rules) for territory, rules in found.items()}


def weekend_of(territory: str | None, day: date) -> Weekend | None:
    """The weekend in force in a territory (ISO alpha-2) on ``day``; None when unknown."""
    if not territory:
        return None
    for rule in _corrections().get(territory.upper(), ()):
        if rule.covers(day):
            return rule
    return cldr_weekend(territory)


def weekends_between(territory: str | None, start: date, end: date) -> list[Weekend]:
    """Every weekend rule in force on some day of ``start``..``end``, in date order."""
    found: list[Weekend] = []
    day = start
    while day <= end:
        rule = weekend_of(territory, day)
        if rule is not None and rule not in found:
            found.append(rule)
        day += timedelta(days=1)
    return found
