"""Calendar check: which participants' holidays and weekend days a window falls on, and when else.

For a window of days and the nations taking part, every day that is a participant's national
public holiday, observance or weekend day is a **conflict**, ranked by :class:`Severity`. Nations
the packages have no data for are not errors: the check says so in a notice ("No holiday data for
Kosovo (XKX) before 2009.") and finds no conflict it cannot know about.

**Suggestions** are the nearest windows of the same length with no conflict for any participant,
searched day by day forward and backward from the planned start (:data:`SEARCH_DAYS` each way by
default), the smallest shift first, at most one earlier and one later. When no window avoids
every weekend too (a long exercise, or participants resting on different days), the search
relaxes step by step -- first weekends, then observances -- and says so in a notice; a
suggestion names what it avoids. The planning and web layers call :func:`check_calendar`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from comity.culture.holiday_calendar import HolidayCalendar, Severity, load_holidays
from comity.culture.weekends import DAY_NAMES, Weekend, weekend_of
from comity.culture.windows import SEARCH_DAYS, DateWindow, validate_window
from comity.errors import FieldProblem, ValidationError
from comity.model.nations import Nation
from comity.nations import default_resolver

__all__ = [
    "SEARCH_DAYS",
    "CalendarCheck",
    "Conflict",
    "NationCalendar",
    "WindowSuggestion",
    "check_calendar",
    "load_calendars",
]

_MAX_SEARCH_DAYS = 366
_LEVELS = (
    frozenset({Severity.PUBLIC_HOLIDAY, Severity.OBSERVANCE, Severity.WEEKEND}),
    frozenset({Severity.PUBLIC_HOLIDAY, Severity.OBSERVANCE}),
    frozenset({Severity.PUBLIC_HOLIDAY}),
)


@dataclass(frozen=True)
class Conflict:
    """One day of the window that is a holiday, an observance or a weekend day for one nation.

    Attributes:
        nation: The nation's key.
        day: The date.
        severity: National public holiday, observance or weekend.
        name: The holiday's name, or e.g. ``Friday (weekend)``.
        category: The holidays package's category, or ``weekend``.
    """

    nation: str
    day: date
    severity: Severity
    name: str
    category: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready mapping."""
        return {
            "nation": self.nation,
            "date": self.day.isoformat(),
            "weekday": DAY_NAMES[self.day.weekday()],
            "severity": self.severity.value,
            "name": self.name,
            "category": self.category,
        }


@dataclass(frozen=True)
class NationCalendar:
    """A nation's holidays and weekends over a span of dates.

    Attributes:
        nation: The nation.
        holidays: Its holidays and observances over the span.
        notices: What is missing (holiday or weekend data), in words.
    """

    nation: Nation
    holidays: HolidayCalendar
    notices: tuple[str, ...] = ()
    weekends: bool = True

    @property
    def label(self) -> str:
        """``Saudi Arabia (SAU)``."""
        return f"{self.nation.name} ({self.nation.iso3})"

    def weekend(self, day: date) -> Weekend | None:
        """The weekend in force on ``day``; None when unknown."""
        return weekend_of(self.nation.iso2, day)

    def conflicts_on(self, day: date) -> list[Conflict]:
        """The day's holidays and observances, then its weekend day, if any."""
        key = self.nation.iso3
        found = [Conflict(key, day, h.severity, h.name, h.category) for h in self.holidays.on(day)]
        rule = self.weekend(day) if self.weekends else None
        if rule and day.weekday() in rule.days and day not in self.holidays.working_days:
            name = f"{DAY_NAMES[day.weekday()]} (weekend)"
            found.append(Conflict(key, day, Severity.WEEKEND, name, "weekend"))
        return found


def _label(nation: Nation) -> str:
    return f"{nation.name} ({nation.iso3})"


def load_calendars(
    nations: Sequence[Nation], start: date, end: date, *, margin: int = 0
) -> list[NationCalendar]:
    """Each nation's holidays and weekends between two dates, with notices for missing data.

    Args:
        nations: The nations.
        start: First day.
        end: Last day.
        margin: Days to load beyond each end (for the search of other windows); the notices
            speak of ``start``..``end`` only.
    """
    reach = timedelta(days=margin)
    calendars = []
    for nation in nations:
        holidays = load_holidays(nation.iso2, start - reach, end + reach, _label(nation))
        if not holidays.covered and margin:
            notices = list(load_holidays(nation.iso2, start, end, _label(nation)).notices)
        else:
            notices = list(holidays.notices)
        if weekend_of(nation.iso2, start) is None and weekend_of(nation.iso2, end) is None:
            notices.append(
                f"No weekend data for {_label(nation)}: CLDR has no week data for its territory."
            )
        calendars.append(NationCalendar(nation, holidays, tuple(notices)))
    return calendars


@dataclass(frozen=True)
class WindowSuggestion:
    """Another window of the same length.

    Attributes:
        window: The days.
        shift: Days from the planned start (negative: earlier).
        avoids: The severities no participant has a conflict of in it.
        conflicts: The conflicts it still has (only of severities it does not avoid).
    """

    window: DateWindow
    shift: int
    avoids: frozenset[Severity]
    conflicts: tuple[Conflict, ...] = ()

    def describe(self) -> str:
        """``2027-03-15 to 2027-03-18 (6 days later)``."""
        days = abs(self.shift)
        when = f"{days} day{'s' if days != 1 else ''} {'later' if self.shift > 0 else 'earlier'}"
        return f"{self.window} ({when})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            **self.window.to_dict(),
            "shift_days": self.shift,
            "avoids": sorted(s.value for s in self.avoids),
            "conflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True)
class CalendarCheck:
    """The outcome of a calendar check.

    Attributes:
        window: The days checked.
        nations: The participants' keys, in the order given.
        names: Each participant's name.
        conflicts: Each participant's conflicts, by date (empty tuples for none).
        notices: Missing data and how the search for other windows went, in words.
        suggestions: The nearest other windows, smallest shift first.
        search_days: How far the search went each way.
        rule: Whose weekends counted, in words, when a host was named.
    """

    window: DateWindow
    nations: tuple[str, ...]
    names: dict[str, str]
    conflicts: dict[str, tuple[Conflict, ...]]
    notices: tuple[str, ...]
    suggestions: tuple[WindowSuggestion, ...]
    search_days: int
    rule: str | None = None

    @property
    def has_conflicts(self) -> bool:
        """True when some participant has a conflict."""
        return any(self.conflicts.values())

    def worst(self, nation: str) -> Severity | None:
        """The most severe conflict of one participant, None when there is none."""
        found = self.conflicts.get(nation, ())
        return max((c.severity for c in found), key=lambda s: s.rank) if found else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "window": self.window.to_dict(),
            "nations": [
                {
                    "nation": key,
                    "name": self.names[key],
                    "worst": (worst.value if (worst := self.worst(key)) else None),
                    "conflicts": [c.to_dict() for c in self.conflicts[key]],
                }
                for key in self.nations
            ],
            "notices": list(self.notices),
            "suggestions": [s.to_dict() for s in self.suggestions],
            "search_days": self.search_days,
            "rule": self.rule,
        }


def _conflicts(window: DateWindow, calendars: Sequence[NationCalendar]) -> list[Conflict]:
    return [c for day in window.each_day() for cal in calendars for c in cal.conflicts_on(day)]


def _blocked(
    calendars: Sequence[NationCalendar], first: date, last: date
) -> dict[date, frozenset[Severity]]:
    found: dict[date, frozenset[Severity]] = {}
    day = first
    while day <= last:
        severities = frozenset(c.severity for cal in calendars for c in cal.conflicts_on(day))
        if severities:
            found[day] = severities
        day += timedelta(days=1)
    return found


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _suggest(
    window: DateWindow, calendars: Sequence[NationCalendar], search_days: int
) -> tuple[list[WindowSuggestion], list[str]]:
    first = window.start - timedelta(days=search_days)
    blocked = _blocked(calendars, first, window.end + timedelta(days=search_days))

    def clear(candidate: DateWindow, avoid: frozenset[Severity]) -> bool:
        return not any(blocked.get(day, frozenset()) & avoid for day in candidate.each_day())

    length = _plural(window.days, "day")
    reach = f"within {_plural(search_days, 'day')} either way"
    notices: list[str] = []
    for level, avoid in enumerate(_LEVELS):
        if clear(window, avoid):
            return [], notices
        found = []
        for direction in (1, -1):
            shift = next(
                (
                    s
                    for s in range(1, search_days + 1)
                    if clear(window.shifted(direction * s), avoid)
                ),
                None,
            )
            if shift is not None:
                moved = window.shifted(direction * shift)
                left = tuple(c for c in _conflicts(moved, calendars) if c.severity not in avoid)
                found.append(WindowSuggestion(moved, direction * shift, avoid, left))
        if found:
            found.sort(key=lambda s: (abs(s.shift), s.shift < 0))
            return found, notices
        if level == 0:
            notices.append(
                f"Every window of {length} {reach} falls on some participant's weekend: "
                "suggestions avoid holidays and observances only."
            )
        elif level == 1:
            notices.append(
                f"Every window of {length} {reach} meets some participant's observance: "
                "suggestions avoid national public holidays only."
            )
    notices.append(f"No window of {length} {reach} avoids every national public holiday.")
    return [], notices


def check_calendar(
    start: date,
    end: date,
    nations: Sequence[str | Nation],
    *,
    search_days: int = SEARCH_DAYS,
    host: str | None = None,
) -> CalendarCheck:
    """Check a window against every participant's holidays and weekends; suggest other windows.

    Args:
        start: First day.
        end: Last day.
        nations: Participants: nations, or any name or code of each.
        search_days: How far to look for another window, each way (0-366; 0: no suggestions).
        host: The key of the nation where it takes place, if one does: its weekend is the
            programme's, so visitors' own weekends are not conflicts (their holidays are).

    Returns:
        Conflicts per nation, notices (e.g. "No holiday data for ..."), and suggestions.

    Raises:
        ValidationError: For a reversed window, one over two years, no nations, or a search
            range outside 0-366.
        UnknownNationError: When a name or code matches no nation.
    """
    window = validate_window(start, end, subject="calendar check")
    if not 0 <= search_days <= _MAX_SEARCH_DAYS:
        raise ValidationError(
            [FieldProblem("search_days", f"must be 0-{_MAX_SEARCH_DAYS}", str(search_days))],
            "calendar check",
        )
    if not nations:
        raise ValidationError(
            [FieldProblem("nations", "name at least one nation")], "calendar check"
        )
    resolver = default_resolver()
    chosen = list(
        {
            n.iso3: n
            for n in (
                item if isinstance(item, Nation) else resolver.resolve(item, year=start.year)
                for item in nations
            )
        }.values()
    )
    calendars = load_calendars(chosen, window.start, window.end, margin=search_days)
    hosted = host is not None and host in {n.iso3 for n in chosen}
    if hosted:
        calendars = [replace(c, weekends=c.nation.iso3 == host) for c in calendars]
    conflicts: dict[str, list[Conflict]] = {n.iso3: [] for n in chosen}
    for conflict in _conflicts(window, calendars):
        conflicts[conflict.nation].append(conflict)
    notices = [
        notice
        for cal in calendars
        for notice in cal.notices
        if cal.weekends or not notice.startswith("No weekend data")
    ]
    rule = None
    if hosted and len(chosen) > 1:
        rule = (
            f"Only the host's weekend counts ({_label(next(n for n in chosen if n.iso3 == host))}):"
            " visitors work to its week; their own public holidays still count."
        )
    suggestions: list[WindowSuggestion] = []
    if search_days and any(conflicts.values()):
        suggestions, more = _suggest(window, calendars, search_days)
        notices += more
    return CalendarCheck(
        window=window,
        nations=tuple(n.iso3 for n in chosen),
        names={n.iso3: n.name for n in chosen},
        conflicts={key: tuple(found) for key, found in conflicts.items()},
        notices=tuple(notices),
        suggestions=tuple(suggestions),
        search_days=search_days,
        rule=rule,
    )
